"""Human-readable output of replays: the timeline, the Plan, one-line summaries."""

from __future__ import annotations

import json
from typing import Any

from .reference._base import decode
from .replay import Replay
from .trace import Trace

__all__ = ["timeline", "format_plan", "summary_line", "class_verdict", "format_event"]


def _short(text: str, n: int = 96) -> str:
    text = text.replace("\n", "\\n")
    return text if len(text) <= n else text[: n - 3] + "..."


def _j(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def format_event(e: Any) -> str:
    """One output event as a short line."""
    t = e.type
    if t == "text.delta" and e.item is not None:
        return f"{t}[{e.choice}] item {e.item} {_short(_j(e.text), 70)}"
    if t in ("text.delta", "refusal.delta", "reasoning.delta"):
        return f"{t}[{e.choice}] {_short(_j(e.text), 70)}"
    if t == "tool_call.started":
        return f"{t}[{e.choice}] call {e.call} id={e.call_id!r} name={e.action!r}"
    if t == "tool_call.arguments.delta":
        return f"{t}[{e.choice}] call {e.call} {_short(_j(e.delta), 70)}"
    if t == "tool_call.done":
        extra = "  INVALID ARGUMENTS" if e.invalid_arguments else ""
        return f"{t}[{e.choice}] call {e.call} {e.action}({_short(e.arguments, 60)}) id={e.call_id!r}{extra}"
    if t == "message.done":
        return f"{t}[{e.choice}] finish_reason={e.finish_reason!r}"
    if t == "usage":
        return f"usage {_j(e.usage)}"
    if t == "error":
        return f"error {_j(e.error)}"
    if t == "server_tool":
        return f"server_tool[{e.choice}] {_j(e.tool)}"
    return repr(e)


def format_plan(plan: dict[str, Any]) -> str:
    lines = [f"Plan ({plan['api']}):"]
    for ch in plan["choices"]:
        lines.append(f"  choice {ch['index']}: finish_reason {ch['finish_reason']!r}")
        for cmd in ch["commands"]:
            if cmd["type"] == "SAY":
                lines.append(f"    SAY {_short(_j(cmd['text']), 100)}")
            else:
                params = "INVALID " + _short(_j(cmd["arguments"]), 70) if cmd.get("invalid_arguments") \
                    else _short(_j(cmd["parameters"]), 70)
                note = "  (not dispatched)" if cmd.get("dispatched") is False else ""
                lines.append(f"    DO  {cmd['action']} {params}  call_id={cmd['call_id']!r}{note}")
        if not ch["commands"]:
            lines.append("    (no commands)")
        if ch.get("refusal") is not None:
            lines.append(f"    refusal {_short(_j(ch['refusal']), 100)}")
        for tool in ch.get("server_tools") or []:
            lines.append(f"    server tool {_short(_j(tool), 100)}")
    if not plan["choices"]:
        lines.append("  (no choices)")
    if plan.get("usage") is not None:
        lines.append(f"  usage {_j(plan['usage'])}")
    if plan.get("error") is not None:
        lines.append(f"  error {_j(plan['error'])}")
    return "\n".join(lines)


def _describe_chat(data: str) -> str | None:
    """A short account of a Chat Completions chunk: what each choice's delta carries."""
    try:
        doc = decode(data)  # the reference's decoder: data it cannot decode is described as it is
    except ValueError:
        return None
    if type(doc) is not dict:
        return None
    parts = []
    if doc.get("error"):
        parts.append(f"error {_short(_j(doc['error']), 60)}")
    choices = doc.get("choices")
    if choices == []:
        parts.append("choices: []")
    for ch in choices if type(choices) is list else []:
        if type(ch) is not dict:
            continue
        bits = []
        delta = ch.get("delta")
        if type(delta) is dict:
            for key in ("reasoning_content", "reasoning", "content", "refusal"):
                v = delta.get(key)
                if v not in (None, "", []):
                    bits.append(f"{key} {_short(_j(v), 40)}")
            calls = delta.get("tool_calls")
            for f in calls if type(calls) is list else []:
                if type(f) is not dict:
                    continue
                fn = f.get("function") if type(f.get("function")) is dict else {}
                desc = [f"index={f.get('index', '-')}"]
                if f.get("id"):
                    desc.append(f"id={f['id']}")
                if fn.get("name"):
                    desc.append(f"name={fn['name']}")
                if "arguments" in fn:
                    desc.append(f"args {_short(_j(fn['arguments']), 30)}")
                bits.append("tool_call[" + " ".join(desc) + "]")
        elif "delta" not in ch:
            bits.append("no delta")
        if ch.get("finish_reason") is not None:
            bits.append(f"finish {ch['finish_reason']!r}")
        parts.append(f"[{ch.get('index', '?')}] " + (", ".join(bits) if bits else "(empty delta)"))
    if doc.get("usage"):
        parts.append(f"usage {_short(_j(doc['usage']), 50)}")
    return "; ".join(parts) if parts else None


def _describe_typed(data: str) -> str | None:
    """A short account of a Responses or Anthropic event: its type and what it carries."""
    try:
        doc = decode(data)
    except ValueError:
        return None
    if type(doc) is not dict or type(doc.get("type")) is not str:
        return None
    bits = [doc["type"]]
    for key in ("output_index", "index", "content_index"):
        if type(doc.get(key)) is int:
            bits.append(f"{key.split('_')[0]}={doc[key]}")
    item = doc.get("item") if type(doc.get("item")) is dict else doc.get("content_block")
    if type(item) is dict:
        desc = [str(item.get("type"))]
        for key in ("name", "call_id", "id"):
            if type(item.get(key)) is str and item[key]:
                desc.append(f"{key}={item[key]}")
                break
        bits.append("[" + " ".join(desc) + "]")
    delta = doc.get("delta")
    if type(delta) is str:
        bits.append(_short(_j(delta), 40))
    elif type(delta) is dict:
        for key in ("text", "partial_json", "thinking", "stop_reason"):
            if type(delta.get(key)) is str:
                bits.append(f"{key} {_short(_j(delta[key]), 40)}")
    for key in ("arguments", "text"):
        if type(doc.get(key)) is str:
            bits.append(f"{key} {_short(_j(doc[key]), 40)}")
    if type(doc.get("error")) is dict:
        bits.append(_short(_j(doc["error"]), 60))
    return " ".join(bits)


def _describe_gemini(data: str) -> str | None:
    """A short account of a Gemini chunk: per candidate its parts (text, thought, calls, code)
    and finish; usage, prompt feedback, an error."""
    try:
        doc = decode(data)
    except ValueError:
        return None
    if type(doc) is not dict:
        return None
    bits: list[str] = []
    for position, cand in enumerate(doc.get("candidates") or [] if type(doc.get("candidates")) is list else []):
        if type(cand) is not dict:
            continue
        index = cand.get("index", position)
        content = cand.get("content")
        for part in content.get("parts") or [] if type(content) is dict and type(content.get("parts")) is list else []:
            if type(part) is not dict:
                continue
            call = part.get("functionCall")
            if type(part.get("text")) is str:
                kind = "thought" if part.get("thought") is True else "text"
                bits.append(f"[{index}] {kind} {_short(_j(part['text']), 40)}")
            elif type(call) is dict:
                desc = [f"[{index}] functionCall"]
                for key in ("name", "id"):
                    if type(call.get(key)) is str and call[key]:
                        desc.append(f"{key}={call[key]}")
                if "args" in call:
                    desc.append(_short(_j(json.dumps(call["args"], ensure_ascii=False)), 40))
                if type(call.get("partialArgs")) is list:
                    desc.append(f"partialArgs×{len(call['partialArgs'])}")
                if call.get("willContinue") is True:
                    desc.append("willContinue")
                bits.append(" ".join(desc) if len(desc) > 1 else f"[{index}] functionCall {{}}")
            else:
                bits.append(f"[{index}] {next(iter(part), '?')}")
        if type(cand.get("finishReason")) is str:
            bits.append(f"[{index}] finish {cand['finishReason']}")
    feedback = doc.get("promptFeedback")
    if type(feedback) is dict and feedback.get("blockReason"):
        bits.append(f"promptFeedback {feedback['blockReason']}")
    if type(doc.get("usageMetadata")) is dict:
        bits.append("usage")
    if type(doc.get("error")) is dict:
        bits.append("error " + _short(_j(doc["error"]), 60))
    return "; ".join(bits) if bits else None


_DESCRIBE = {"openai.chat.completions": _describe_chat, "openai.responses": _describe_typed,
             "anthropic.messages": _describe_typed, "google.generate_content": _describe_gemini}


def timeline(trace: Trace, result: Replay) -> str:
    lines = [f"{trace.name} (class {trace.cls}): {len(trace.body)} bytes in {result.reads} reads "
             f"(chunking {result.chunking}), {result.events} SSE events, profile {result.profile}"]
    if trace.description and trace.provenance.get("kind") != "imported":
        lines.append(f"  {trace.description}")
    lines.append("")
    for step in result.timeline or []:
        if step.sse is None:
            head = "end of stream"
        else:
            describe = _DESCRIBE.get(result.api)
            what = (describe(step.sse.data) if describe else None) or _short(step.sse.data)
            same = step.sse.event == "message" or what.split(" ", 1)[0] == step.sse.event
            name = "" if same else f" event={step.sse.event}"
            head = f"#{step.sse.index:<4} @{step.sse.offset:<6} read {step.read}{name}  {what}"
        lines.append(head)
        for e in step.outputs:
            lines.append(f"      -> {format_event(e)}")
    lines.append("")
    lines.append(format_plan(result.plan))
    lines.append("")
    if result.diagnostics:
        lines.append(f"Diagnostics ({len(result.diagnostics)}):")
        lines.extend(f"  {d}" for d in result.diagnostics)
    else:
        lines.append("Diagnostics: none")
    return "\n".join(lines)


def class_verdict(trace: Trace, result: Replay) -> tuple[bool, str]:
    """Did the reference treat the trace as its class says? (y: no errors; n: an error; i: anything)."""
    errors = result.errors
    if trace.cls == "y":
        return (not errors, f"{len(errors)} error(s): {', '.join(sorted({d.rule for d in errors}))}" if errors else "")
    if trace.cls == "n":
        return (bool(errors), "" if errors else "invalid trace replayed without any error")
    return True, ""


def summary_line(trace: Trace, result: Replay, ok: bool, why: str) -> str:
    says = dos = 0
    finishes = []
    for ch in result.plan["choices"]:
        says += sum(c["type"] == "SAY" for c in ch["commands"])
        dos += sum(c["type"] == "DO" for c in ch["commands"])
        finishes.append(str(ch["finish_reason"]))
    counts: dict[str, int] = {}
    for d in result.diagnostics:
        counts[d.severity] = counts.get(d.severity, 0) + 1
    diag = ", ".join(f"{counts[s]} {s}{'s' if counts[s] != 1 else ''}" for s in ("error", "warning", "info") if s in counts)
    errs = sorted({d.rule for d in result.errors})
    shape = f"{says} SAY, {dos} DO, finish {'/'.join(finishes) or '-'}"
    tail = f"; {diag}" if diag else ""
    if errs and ok:
        tail += f" [{', '.join(errs)}]"
    mark = "ok  " if ok else "FAIL"
    line = f"{mark} {trace.cls} {trace.id:<44} {shape}{tail}"
    return line + (f"  <- {why}" if why else "")
