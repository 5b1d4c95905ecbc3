"""The grading engine: one implementation, one trace, one chunk plan -> one verdict record.

For each case the reference is replayed on the same reads. The implementation's final
Plan is compared with the reference's (:func:`compare_plans`: every difference, each
charged to the rule of the trace that governs its field, :func:`rule_for`, or to none,
with a note); for incremental adapters
its output events are also checked against where the reference produced them
(:func:`streaming_findings`). Positions are compared in *SSE events*: an input position
(how many reads or events the implementation had pulled) is turned into how many SSE
events those inputs completed, so an implementation is not penalised for the way a
chunk plan cut an event, only for reading on past the event that should have released
its output.

Verdicts (``conformance.md``, "Verdicts"):

=========  ===============================================================================
PASS       the reference's Plan, and (incremental adapters) text and calls on time
NONSTRICT  the reference's Plan, but text buffered or a call dispatched after its choice
           ended
FAIL       another Plan; a call dispatched with partial arguments or twice; an ``n_``
           stream turned silently into a plan; a plan that depends on the chunk plan
ERROR      the implementation crashed on a valid stream, or broke the adapter protocol
TIMEOUT    no result within the adapter's timeout
SKIP       outside what the adapter declared (API, feed)
INFO       an ``i_`` trace: implementation-defined, recorded and not graded
=========  ===============================================================================

A record is a plain dict (``kit verify --json`` prints one per line; the other report
formats are made from records only).
"""

from __future__ import annotations

import difflib
import json
import os
import re
import time
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Iterable

from ..adapters import DONE, Adapter, Case, Outcome
from ..plan import build_plan, canonical_json, tool_names
from ..reference import reference_for
from ..rules import Diagnostic
from ..sse import SSEDecoder
from ..trace import Trace

__all__ = ["VERDICTS", "FAILING", "FIELDS", "RULE_FIELDS", "GENERAL_RULES", "Expected", "prepare", "grade", "verify_case", "run_case",
           "compare_plans", "graded_pair", "plan_differences", "normalise_plan", "rule_for"]

VERDICTS = ("PASS", "NONSTRICT", "FAIL", "ERROR", "TIMEOUT", "SKIP", "INFO")
FAILING = ("FAIL", "ERROR", "TIMEOUT")

DISPATCH_RULE = {"openai.chat.completions": "chat-dispatch-at-finish",
                 "openai.responses": "resp-dispatch-at-item-done",
                 "anthropic.messages": "anth-dispatch-at-block-stop",
                 "google.generate_content": "gem-dispatch"}


@dataclass
class Expected:
    """The reference's answer for one case, with where it produced each output.

    ``outputs`` are ``(events, reads, event)``: how many SSE events had been completed
    when the reference produced the event, and how many reads it had pulled
    (``len(reads) + 1`` for outputs that need the end of the stream). ``events_at`` maps an input position (reads or events
    pulled; ``len + 1`` for the end) to the SSE events those inputs complete.
    """

    plan: dict[str, Any]
    outputs: list[tuple[int, int, Any]]
    diagnostics: list[Diagnostic]
    sse: list[tuple[int, int]]  # per SSE event: (read index, byte offset)
    events_at_read: list[int]  # SSE events completed after pulling n reads (index n)
    total_events: int
    events: list[str] | None
    events_problem: str | None
    api: str = ""
    data: list[str] = field(default_factory=list)  # each SSE event's data, as decoded

    @property
    def choices(self) -> int:
        return len(self.plan["choices"])

    @cached_property
    def call_types(self) -> tuple[str, ...]:
        """The kinds of tool use the stream carries (:func:`_call_types`), read only for an
        adapter that declares ``call_types``: the scan parses events again."""
        return _call_types(self.api, self.data)


def prepare(trace: Trace, chunking: str) -> tuple[Case, Expected]:
    """The case (reads, events) and the reference's answer for ``trace`` cut by ``chunking``."""
    reads = trace.chunks(chunking)
    decoder = SSEDecoder()
    machine = reference_for(trace.api)
    outputs: list[tuple[int, int, Any]] = []
    sse_pos: list[tuple[int, int]] = []
    data: list[str] = []
    events_at = [0]
    count = 0
    for n, chunk in enumerate(reads):
        for sse in decoder.feed(chunk):
            count += 1
            sse_pos.append((n, sse.offset))
            data.append(sse.data)
            for e in machine.feed(sse):
                outputs.append((count, n + 1, e))
        events_at.append(count)
    for sse in decoder.close():
        count += 1
        sse_pos.append((len(reads) - 1, sse.offset))
        data.append(sse.data)
        for e in machine.feed(sse):
            outputs.append((count, len(reads) + 1, e))
    late = machine.stray(decoder.stray)  # a payload sent as bare lines (Gemini's interrupting error)
    for e in late + machine.close():
        outputs.append((count, len(reads) + 1, e))
    events: list[str] | None = []
    problem = None
    for i, d in enumerate(data):
        if d.strip() == DONE:
            events.append(DONE)  # type: ignore[union-attr]
            continue
        try:
            json.loads(d)
        except ValueError:
            events, problem = None, (f"SSE event {i} (byte {sse_pos[i][1]}) is not JSON, "
                                     "which a feed of parsed events cannot carry")
            break
        events.append(d)  # type: ignore[union-attr]
    if late and events is not None:
        events, problem = None, ("the stream's error came as bare JSON lines without `data:`, which a feed of "
                                 "parsed events cannot carry")
    diagnostics = sorted(decoder.diagnostics + machine.diagnostics,
                         key=lambda d: (d.offset if d.offset is not None else float("inf")))
    plan = machine.plan()
    exp = Expected(plan, outputs, diagnostics, sse_pos, events_at, count, events, problem, trace.api, data)
    case = Case(trace.id, trace.api, chunking, reads, events, problem, tuple(tool_names(plan)))
    return case, exp


_ANTHROPIC_TOOL_BLOCKS = ("tool_use", "server_tool_use", "mcp_tool_use")


def _call_types(api: str, data: list[str]) -> tuple[str, ...]:
    """The kinds of tool use a stream carries: on Responses the item types of its calls of a
    client call type (``function_call``, ``computer_call``, ``shell_call``, ``tool_search_call``,
    ...), whoever runs them (a hosted shell is requested by declaring the shell tool), from the
    items of its events and of its final response; on Anthropic Messages its tool blocks (``tool_use``, ``mcp_tool_use``,
    and ``server_tool_use:NAME`` for each server tool by name); on Gemini the form of its calls
    (:func:`_gemini_call_types`)."""
    if api == "anthropic.messages":
        kinds: set[str] = set()
        for d in data:
            if "content_block_start" not in d or "tool_use" not in d:
                continue
            try:
                payload = json.loads(d)
            except ValueError:
                continue
            block = payload.get("content_block") if isinstance(payload, dict) else None
            kind = block.get("type") if isinstance(block, dict) else None
            if kind in _ANTHROPIC_TOOL_BLOCKS:
                kinds.add(f"{kind}:{block.get('name')}" if kind == "server_tool_use" else kind)
        return tuple(sorted(kinds))
    if api == "google.generate_content":
        return _gemini_call_types(data)
    if api != "openai.responses":
        return ()
    from ..reference.responses import CLIENT_CALLS, EXECUTION_CALLS  # noqa: PLC0415

    kinds = CLIENT_CALLS | EXECUTION_CALLS
    found: set[str] = set()
    for d in data:
        if not any(t in d for t in kinds):
            continue
        try:
            payload = json.loads(d)
        except ValueError:
            continue
        if not isinstance(payload, dict):
            continue
        response = payload.get("response")
        items = [payload.get("item")] + (response.get("output") or [] if isinstance(response, dict)
                                         and isinstance(response.get("output"), list) else [])
        # a call type counts whoever runs it: a hosted shell or a server-run tool search is still
        # requested by declaring that tool, which a library that cannot request it never sees
        found.update(i["type"] for i in items if isinstance(i, dict) and i.get("type") in kinds)
    return tuple(sorted(found))


def _gemini_call_types(data: list[str]) -> tuple[str, ...]:
    """On Gemini: ``functionCall`` for a stream with a whole call, ``functionCall:streamed`` for
    one with a call in the streamed form (``partialArgs`` or ``willContinue``: a request has to
    ask for it, ``streamFunctionCallArguments``, and a library that cannot ask never sees it)."""
    kinds: set[str] = set()
    for d in data:
        if "functionCall" not in d:
            continue
        try:
            payload = json.loads(d)
        except ValueError:
            continue
        for cand in payload.get("candidates") or [] if isinstance(payload, dict) else []:
            content = cand.get("content") if isinstance(cand, dict) else None
            parts = content.get("parts") if isinstance(content, dict) else None
            for part in parts if isinstance(parts, list) else []:
                call = part.get("functionCall") if isinstance(part, dict) else None
                if isinstance(call, dict):
                    streamed = "partialArgs" in call or "willContinue" in call or not call
                    kinds.add("functionCall:streamed" if streamed else "functionCall")
    return tuple(sorted(kinds))


# -- plans ------------------------------------------------------------------------------------


def _command(cmd: dict[str, Any], omit: tuple[str, ...] = ()) -> dict[str, Any]:
    if cmd.get("type") == "SAY":
        return {"type": "SAY", "text": cmd.get("text")}
    invalid = bool(cmd.get("invalid_arguments"))
    return {"type": cmd.get("type"), "call_id": None if "call_id" in omit else (cmd.get("call_id") or None),
            "action": cmd.get("action") or None,  # "" and null are the same id or name: none
            "parameters": cmd.get("parameters"), "invalid_arguments": invalid,
            "arguments": cmd.get("arguments") if invalid else None,  # raw text graded only when invalid
            "dispatched": cmd.get("dispatched") is not False}


def _usage(usage: Any) -> Any:
    if not isinstance(usage, dict):
        return usage
    return {k: usage.get(k) for k in ("input_tokens", "output_tokens")}


def _say_runs(cmds: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``cmds`` with each run of consecutive SAYs joined into one SAY: where text is cut into
    SAYs inside a run (between two DOs, or before the first or after the last) is not graded."""
    out: list[dict[str, Any]] = []
    for c in cmds:
        if c["type"] == "SAY" and out and out[-1]["type"] == "SAY":
            out[-1] = {"type": "SAY", "text": (out[-1]["text"] or "") + (c["text"] or "")}
        else:
            out.append(c)
    return out


def _unordered(cmds: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``cmds`` as a result that does not order text against calls holds them: all the text
    joined into one SAY (none when there is no text), then the DOs in their order."""
    text = "".join(c.get("text") or "" for c in cmds if c["type"] == "SAY")
    return ([{"type": "SAY", "text": text}] if text else []) + [c for c in cmds if c["type"] != "SAY"]


def normalise_plan(plan: dict[str, Any], omit: tuple[str, ...] = (), *, ordered: bool = True) -> dict[str, Any]:
    """The part of a Plan that is graded: text per run of SAYs, DO order, call ids, action names,
    parsed parameters (raw arguments only when invalid; an empty call id or action is none),
    whether each DO was dispatched,
    finish reason, refusal, server tools (type, id, name), usage tokens, and whether
    there was an error and its message was kept (the wording is the implementation's).

    ``omit`` names parts the implementation declared its result does not carry
    (:attr:`~kit.adapters.Capabilities.omits`): they are set to None. ``ordered=False``
    (:attr:`~kit.adapters.Capabilities.ordered`): a choice's text is one SAY before its DOs,
    as a result of one content string beside a list of calls holds it."""
    choices = []
    raw = plan.get("choices") if isinstance(plan.get("choices"), list) else []
    for ch in sorted((c for c in raw if isinstance(c, dict)), key=lambda c: c.get("index") or 0):
        cmds = ch.get("commands") if isinstance(ch.get("commands"), list) else []
        choices.append({
            "index": ch.get("index"),
            "finish_reason": None if "finish_reason" in omit else ch.get("finish_reason"),
            "commands": (_say_runs if ordered else _unordered)([_command(c, omit) for c in cmds if isinstance(c, dict)]),
            "refusal": None if "refusal" in omit else ch.get("refusal"),
            "server_tools": None if "server_tools" in omit else
            [{k: t.get(k) for k in ("type", "id", "name")} for t in (ch.get("server_tools") or []) if isinstance(t, dict)],
        })
    error = plan.get("error")
    return {"choices": choices, "usage": None if "usage" in omit else _usage(plan.get("usage")),
            "error": None if error is None else {"message_kept": bool(isinstance(error, dict) and error.get("message"))}}


def _differ(exp: Any, act: Any) -> bool:
    return exp != act or (type(exp) is not type(act)
                          and not (isinstance(exp, (int, float)) and isinstance(act, (int, float))
                                   and not isinstance(exp, bool) and not isinstance(act, bool)))


def _add(out: list[dict[str, Any]], path: str, field: str, exp: Any, act: Any) -> None:
    out.append({"path": path, "field": field, "expected": exp, "actual": act})


_LEAF_FIELD = {"invalid_arguments": "arguments", "message_kept": "error", "index": "choices"}


def _field_of(path: str) -> str:
    """The Plan field a path below a choice or the plan is about (see :data:`FIELDS`)."""
    for top in ("usage", "error"):
        if path == top or path.startswith(top + "."):
            return top
    if ".server_tools" in path:
        return "server_tools"
    leaf = path.rsplit(".", 1)[-1].split("[", 1)[0]
    return _LEAF_FIELD.get(leaf, leaf)


def _values(out: list[dict[str, Any]], path: str, exp: Any, act: Any) -> None:
    """Every difference between two values; ``parameters`` are compared whole."""
    whole = path.endswith(".parameters")
    if isinstance(exp, dict) and isinstance(act, dict) and not whole:
        for key in list(exp) + [k for k in act if k not in exp]:
            _values(out, f"{path}.{key}" if path else key, exp.get(key), act.get(key))
    elif isinstance(exp, list) and isinstance(act, list) and not whole:
        for i in range(max(len(exp), len(act))):
            _values(out, f"{path}[{i}]", exp[i] if i < len(exp) else None, act[i] if i < len(act) else None)
    elif _differ(exp, act):
        _add(out, path, _field_of(path), exp, act)


def _command_key(cmd: dict[str, Any]) -> tuple[Any, ...]:
    """What pairs an expected command with an actual one: a DO by its call id (by its name
    when it has none), a SAY by being a SAY."""
    if cmd.get("type") == "DO":
        return ("DO", cmd.get("call_id")) if cmd.get("call_id") else ("DO", None, cmd.get("action"))
    return (cmd.get("type"),)


_ALIGN_LIMIT = 2000  # commands in both lists above which they pair by position only


def _words(text: Any) -> list[str]:
    """``text``'s words: what is left when whitespace only separates. Two texts with the same
    words differ only in whitespace (kind and length of a gap, at the ends); a gap dropped
    (words glued) or added (a word cut) is a change of words."""
    return (text or "").split()


def _commands(out: list[dict[str, Any]], path: str, exp: list[dict], act: list[dict],
              notes: list[str] | None = None) -> None:
    """The differences between two command lists, aligned so that a missing or extra command
    is one difference (not a cascade of shifted indexes): the longest common run of keys
    (:func:`_command_key`) pairs commands; within a stretch that differs, commands pair by
    position and the surplus is missing (path: its index in the expected list) or extra
    (its index in the actual list). Lists of more than :data:`_ALIGN_LIMIT` commands in all
    pair by position only. Texts that differ only in whitespace (a SAY run against another,
    or a whitespace-only run missing or extra) are a note in ``notes``, not a difference."""
    notes = [] if notes is None else notes
    ekeys, akeys = [_command_key(c) for c in exp], [_command_key(c) for c in act]
    if ekeys == akeys or len(exp) + len(act) > _ALIGN_LIMIT:  # nothing to align, or too long to (quadratic)
        opcodes = [("replace", 0, len(exp), 0, len(act))]
    else:
        opcodes = difflib.SequenceMatcher(None, ekeys, akeys, autojunk=False).get_opcodes()
    for _tag, i1, i2, j1, j2 in opcodes:
        n = min(i2 - i1, j2 - j1)
        for k in range(n):
            e, a = exp[i1 + k], act[j1 + k]
            if e.get("type") != a.get("type"):  # a SAY where a DO should be, or the reverse
                _add(out, f"{path}[{i1 + k}]", "order", _show_command(e), _show_command(a))
            elif (e.get("type") == "SAY" and e.get("text") != a.get("text")
                  and _words(e.get("text")) == _words(a.get("text"))):
                notes.append(f"{path}[{i1 + k}].text differs only in whitespace: expected "
                             f"{_short(canonical_json(e.get('text')))}, got {_short(canonical_json(a.get('text')))}")
            else:
                _values(out, f"{path}[{i1 + k}]", e, a)
        for i in range(i1 + n, i2):
            if exp[i].get("type") == "SAY" and not _words(exp[i].get("text")):
                notes.append(f"{path}[{i}]: a whitespace-only SAY {canonical_json(exp[i].get('text'))} is missing")
            else:
                _add(out, f"{path}[{i}]", "text" if exp[i].get("type") == "SAY" else "do", _show_command(exp[i]), None)
        for j in range(j1 + n, j2):
            if act[j].get("type") == "SAY" and not _words(act[j].get("text")):
                notes.append(f"{path}[{j}]: a whitespace-only SAY {canonical_json(act[j].get('text'))} is extra")
            else:
                _add(out, f"{path}[{j}]", "text" if act[j].get("type") == "SAY" else "do", None, _show_command(act[j]))


def _show_choice(ch: dict[str, Any]) -> str:
    cmds = ch.get("commands") or []
    return (f"choice {ch.get('index')}: {len(cmds)} command{'s' if len(cmds) != 1 else ''}"
            + (f" ({'; '.join(_show_command(c) for c in cmds[:3])}{'; ...' if len(cmds) > 3 else ''})" if cmds else "")
            + f", finish {ch.get('finish_reason')}")


def _show_command(cmd: dict[str, Any]) -> str:
    if cmd.get("type") == "SAY":
        text = cmd.get("text") or ""
        return f"SAY {text[:40]!r}" + ("..." if len(text) > 40 else "")
    args = canonical_json(cmd.get("parameters"))
    args = args if len(args) <= 40 else args[:37] + "..."
    mark = "" if cmd.get("dispatched", True) else " (not dispatched)"
    return f"DO {cmd.get('action')}({args}) id={cmd.get('call_id')}{mark}"


_NORMAL_FINISH = {"stop", "tool_calls"}  # one class: the choice ended normally (with or without calls)
_REFUSAL_FINISH = {"stop", "content_filter"}  # how a choice that refused may end


def _derived_finish(diffs: list[dict[str, Any]], notes: list[str]) -> list[dict[str, Any]]:
    """On a valid, complete stream (a ``y_`` trace) whose choice carried no finish reason, a
    normal finish (``stop``, ``tool_calls``) derived by the implementation is a note, not a
    difference, when the choice's DOs agree: nothing was cut, and the stream said nothing else."""
    out = []
    for d in diffs:
        choice = d["path"].split(".", 1)[0]
        calls_differ = any(o["path"].startswith(choice + ".commands") and o["field"] in _CALL_FIELDS for o in diffs)
        if d["field"] == "finish_reason" and d["expected"] is None and d["actual"] in _NORMAL_FINISH \
                and not calls_differ:
            notes.append(f"{d['path']}: the stream carried no finish reason; {d['actual']!r} derived (not graded)")
            continue
        out.append(d)
    return out


def _zero_usage(usage: Any) -> bool:
    """Usage whose every count is 0."""
    return isinstance(usage, dict) and bool(usage) and all(
        isinstance(v, int) and not isinstance(v, bool) and v == 0 for v in usage.values())


def plan_differences(expected: dict[str, Any], actual: dict[str, Any],
                     notes: list[str] | None = None) -> list[dict[str, Any]]:
    """Every difference between two *normalised* Plans (:func:`normalise_plan`), in a stable
    order: per choice (by position) its index, commands, finish reason, refusal and server
    tools; then usage, then error. Each is ``{"path", "field", "expected", "actual"}``.

    Not differences: texts that differ only in whitespace, and usage null against usage whose
    every count is 0 (either way), are notes appended to ``notes``; finish ``stop`` against
    ``tool_calls`` (either way) when the choice's DOs agree is neither (both end the choice
    normally; which of the two is the DOs' business), nor ``stop`` against ``content_filter``
    when both keep the same refusal."""
    notes = [] if notes is None else notes
    out: list[dict[str, Any]] = []
    ec, ac = expected["choices"], actual["choices"]
    for i in range(max(len(ec), len(ac))):
        path = f"choices[{i}]"
        if i >= len(ac) or i >= len(ec):
            _add(out, path, "choices", _show_choice(ec[i]) if i < len(ec) else None,
                 _show_choice(ac[i]) if i < len(ac) else None)
            continue
        e, a = ec[i], ac[i]
        _values(out, f"{path}.index", e["index"], a["index"])
        first = len(out)
        _commands(out, f"{path}.commands", e["commands"], a["commands"], notes)
        calls_agree = not any(d["field"] in _CALL_FIELDS for d in out[first:])
        for key in ("finish_reason", "refusal", "server_tools"):
            if key == "finish_reason" and calls_agree and {e[key], a[key]} == _NORMAL_FINISH:
                continue
            if key == "finish_reason" and e["refusal"] and e["refusal"] == a["refusal"] \
                    and {e[key], a[key]} <= _REFUSAL_FINISH:
                continue  # a refusal kept whole: reporting it as a content filter, or not, says the same
            _values(out, f"{path}.{key}", e[key], a[key])
    eu, au = expected["usage"], actual["usage"]
    if (eu is None and _zero_usage(au)) or (au is None and _zero_usage(eu)):
        notes.append(f"usage: expected {canonical_json(eu)}, got {canonical_json(au)} "
                     "(no usage and all-zero usage are taken as the same)")
    else:
        _values(out, "usage", eu, au)
    _values(out, "error", expected["error"], actual["error"])
    return out


def _droppable(expected: dict[str, Any], actual: dict[str, Any], notes: list[str], which: Any,
               why: str) -> None:
    """For a result that cannot express some calls (``which(cmd)`` picks them in the
    expected Plan): such a DO is right to be missing, or present flagged as invalid; both
    sides lose it. A DO of the implementation that pairs with one (same call id, else same
    action) but has valid arguments stays: it would be run. In place, on normalised Plans."""
    for ec, ac in zip(expected["choices"], actual["choices"]):
        held = [c for c in ec["commands"] if c["type"] == "DO" and which(c)]
        if not held:
            continue
        ec["commands"] = _say_runs([c for c in ec["commands"] if not (c["type"] == "DO" and which(c))])
        kept = []
        for c in ac["commands"]:
            twin = next((h for h in held if c["type"] == "DO" and (
                (h["call_id"] and h["call_id"] == c["call_id"]) or (not h["call_id"] and h["action"] == c["action"]))), None)
            if twin is not None and (c["invalid_arguments"] or not c["dispatched"]):
                held.remove(twin)
                notes.append(f"choices[{ec['index']}]: the call {_show_command(twin)} is flagged invalid ({why})")
                continue
            kept.append(c)
        ac["commands"] = _say_runs(kept)
        for h in held:
            if not any(c["type"] == "DO" and ((h["call_id"] and h["call_id"] == c["call_id"])
                                              or (not h["call_id"] and h["action"] == c["action"])) for c in kept):
                notes.append(f"choices[{ec['index']}]: the call {_show_command(h)} is dropped ({why})")


def _one_choice(expected: dict[str, Any], actual: dict[str, Any], notes: list[str]) -> dict[str, Any]:
    """For a result that holds one choice, on a stream of several: the expected Plan
    narrowed to the choice the implementation took (the one its choice differs least from;
    taking any one choice whole is right, mixing choices is not). Usage and error stay."""
    (taken,) = actual["choices"]
    best, best_n = None, -1
    for ch in expected["choices"]:
        trial = {**expected, "choices": [{**ch, "index": taken["index"]}]}
        n = len(plan_differences(trial, actual, []))
        if best is None or n < best_n:
            best, best_n = ch, n
    assert best is not None
    notes.append(f"the stream has {len(expected['choices'])} choices and the result holds one: graded "
                 f"against choice {best['index']}, the one it is closest to")
    return {**expected, "choices": [{**best, "index": taken["index"]}]}


def compare_plans(expected: dict[str, Any], actual: dict[str, Any],
                  omit: tuple[str, ...] = (), notes: list[str] | None = None, *, ordered: bool = True,
                  marks_undispatched: bool = True, multi_choice: bool = True,
                  holds_invalid_arguments: bool = True, refusal_as_text: bool = False) -> list[dict[str, Any]]:
    """Every graded difference between two Plan documents, ``[{"path", "field", "expected",
    "actual"}]`` in a stable order (:func:`plan_differences`); empty when they agree.
    ``omit``: parts left out on both sides (:func:`normalise_plan`); ``notes``: a list that
    receives what differs without being graded (:func:`plan_differences`).

    The rest is what the implementation's result can express
    (:class:`~kit.adapters.Capabilities`): ``ordered=False``, text and calls compared each
    on its own (:func:`normalise_plan`); ``marks_undispatched=False``, a call the reference
    leaves undispatched is right to be missing or flagged invalid; ``multi_choice=False``,
    one choice in the result is graded against the expected choice it is closest to;
    ``holds_invalid_arguments=False``, a call whose arguments are not valid JSON is right to
    be missing or flagged invalid; ``refusal_as_text=True``, the refusal is expected as the
    choice's last text."""
    notes = [] if notes is None else notes
    exp, act = graded_pair(expected, actual, omit, notes, ordered=ordered, marks_undispatched=marks_undispatched,
                           multi_choice=multi_choice, holds_invalid_arguments=holds_invalid_arguments,
                           refusal_as_text=refusal_as_text)
    return plan_differences(exp, act, notes)


def graded_pair(expected: dict[str, Any], actual: dict[str, Any], omit: tuple[str, ...] = (),
                notes: list[str] | None = None, *, ordered: bool = True, marks_undispatched: bool = True,
                multi_choice: bool = True, holds_invalid_arguments: bool = True,
                refusal_as_text: bool = False) -> tuple[dict[str, Any], dict[str, Any]]:
    """The two normalised Plans :func:`compare_plans` compares (the ``plans`` of a FAIL record)."""
    notes = [] if notes is None else notes
    exp, act = normalise_plan(expected, omit, ordered=ordered), normalise_plan(actual, omit, ordered=ordered)
    if not multi_choice and len(exp["choices"]) > 1 and len(act["choices"]) == 1:
        exp = _one_choice(exp, act, notes)
    if expected.get("api") == _GEM:  # the one API whose calls carry no id as a rule
        _made_up_ids(exp, act)
    if not marks_undispatched:
        _droppable(exp, act, notes, lambda c: not c["dispatched"],
                   "the stream left it incomplete, and the result cannot mark a call as not dispatched")
    if not holds_invalid_arguments:
        _droppable(exp, act, notes, lambda c: c["invalid_arguments"],
                   "its arguments are not valid JSON, which the result cannot hold")
    if refusal_as_text:
        _refusal_as_text(exp, act, notes, ordered)
    return exp, act


def _made_up_ids(expected: dict[str, Any], actual: dict[str, Any]) -> None:
    """A Gemini call the stream gave no id (the Gemini API's usually have none: identity by position) has none
    in the reference's Plan; an id the implementation made up for it (a library needs one to
    answer the call) is not graded: the n-th DO of a choice loses the id the implementation gave
    it where the reference's n-th DO has none (conformance.md §8.3, "Ids the stream never gave";
    no note: it is how every such library works). In place, on normalised Plans."""
    for ec, ac in zip(expected["choices"], actual["choices"]):
        exp_dos = [c for c in ec["commands"] if c["type"] == "DO"]
        for i, c in enumerate(c for c in ac["commands"] if c["type"] == "DO"):
            if i < len(exp_dos) and exp_dos[i]["call_id"] is None:
                c["call_id"] = None


def _refusal_as_text(expected: dict[str, Any], actual: dict[str, Any], notes: list[str], ordered: bool) -> None:
    """For a result with no refusal field that gives a refusal as its text: the expected
    refusal becomes the choice's last text, and a ``content_filter`` finish for the ``stop``
    of a choice that refused says the same. In place, on normalised Plans."""
    join = _say_runs if ordered else _unordered
    for i, ec in enumerate(expected["choices"]):
        if not ec["refusal"]:
            continue
        ec["commands"] = join(ec["commands"] + [{"type": "SAY", "text": ec["refusal"]}])
        ec["refusal"] = None
        ac = actual["choices"][i] if i < len(actual["choices"]) else None
        if ac is not None and ac["finish_reason"] == "content_filter" and ec["finish_reason"] == "stop":
            ac["finish_reason"] = "stop"
            notes.append(f"choices[{i}]: the refusal is given as text, ending in content_filter (its result has "
                         "no refusal field)")
    for ac in actual["choices"]:
        ac["refusal"] = None


# -- which rule governs a difference ---------------------------------------------------------------

FIELDS = {  # the Plan fields a difference is about (its "field"), and what each covers
    "choices": "a choice missing or extra, or its index",
    "text": "the text of a run of SAYs, or such a run missing or extra",
    "do": "a DO missing or extra (a call lost, invented, split or merged)",
    "order": "a SAY where a DO should be, or the reverse",
    "call_id": "a DO's call id",
    "action": "a DO's action (tool name)",
    "parameters": "a DO's parsed arguments",
    "arguments": "the invalid-arguments marker and the raw arguments of an invalid call",
    "dispatched": "whether a DO was dispatched",
    "finish_reason": "a choice's finish reason",
    "refusal": "a choice's refusal",
    "server_tools": "a choice's server-executed tools",
    "usage": "the token usage",
    "error": "whether an error was reported and its message kept",
}

LOST = "lost"  # a rule that decides whether events are read at all: any field whose value was lost

_CALL = ("do", "call_id", "action", "parameters", "arguments")
# the fields of a command difference that say a choice's DOs differ (a text difference does not)
_CALL_FIELDS = frozenset(_CALL + ("order", "dispatched"))
_ARGS = ("parameters", "arguments")
_FAULT = ("dispatched", "finish_reason", "error")

RULE_FIELDS: dict[str, tuple[str, ...]] = {
    # SSE framing: which bytes form which event. A parser that breaks it loses events, so it
    # governs whatever the implementation lost; UTF-8 decoding governs the strings it corrupts.
    # Line ends and multi-line data also decide what a value holds (a CR kept, lines joined wrongly).
    "sse-line-endings": ("text", "parameters", "arguments", LOST), "sse-bom": (LOST,), "sse-comments": (LOST,),
    "sse-field-space": (LOST,), "sse-multiline-data": ("text", "parameters", "arguments", LOST),
    "sse-final-event-unterminated": (LOST,), "sse-event-without-data": (LOST,),
    "sse-utf8-split": ("text", "refusal", "action", "parameters", "arguments"),
    "sse-utf8-invalid": ("text", "refusal", "action", "parameters", "arguments", "error", "finish_reason"),
    "sse-unknown-field": ("text", "order") + _CALL,  # a line taken as data adds what it carries
    # Chat Completions
    "chat-data-json": (LOST,), "chat-done-sentinel": _FAULT,
    "chat-after-done": ("text", "order", "usage", "finish_reason") + _CALL,
    "chat-truncated": _FAULT + _ARGS, "chat-chunk-object": (LOST,), "chat-empty-choices": ("usage", LOST),
    "chat-choice-without-delta": (LOST,), "chat-choice-index": ("choices", LOST),
    "chat-multiple-choices": ("choices", "text", "order", "finish_reason") + _CALL,
    "chat-in-band-error": _FAULT, "chat-unknown-event": (LOST,),
    "chat-text-say": ("text", "order"), "chat-content-parts": ("text",), "chat-text-after-tool": ("text", "order"),
    "chat-content-and-tools-same-delta": ("text", "order") + _CALL, "chat-empty-tool-calls": ("text", "do", "order"),
    "chat-refusal": ("refusal", "text"), "chat-reasoning": ("text",),
    "chat-tool-index-missing": _CALL, "chat-tool-index-dense": _CALL, "chat-tool-index-reused": _CALL,
    "chat-tool-header-once": ("call_id", "action"), "chat-tool-id-conflict": _CALL,
    "chat-tool-name-conflict": _CALL, "chat-tool-call-incomplete": ("do", "call_id", "action", "dispatched"),
    "chat-tool-fragment-shape": _CALL, "chat-arguments-string": _ARGS, "chat-arguments-empty": _ARGS,
    "chat-arguments-json": _ARGS + ("dispatched",), "chat-dispatch-at-finish": ("dispatched", "do") + _ARGS,
    "chat-interleaved-fragments": _CALL, "chat-finish-reason-missing": ("finish_reason",),
    "chat-finish-reason-conflict": ("finish_reason", "do", "dispatched"), "chat-finish-reason-value": ("finish_reason",),
    "chat-finish-length": ("finish_reason", "text", "do", "error"),
    "chat-delta-after-finish": ("text", "order") + _CALL, "chat-usage": ("usage",),
    # Responses
    "resp-event-json": (LOST,), "resp-event-name": (LOST,), "resp-unknown-event": (LOST,),
    "resp-done-sentinel": (LOST,), "resp-lifecycle": (LOST,), "resp-item-added-missing": (LOST,),
    "resp-item-id-mismatch": (LOST,), "resp-sequence-number": (LOST,),
    "resp-arguments-source": _ARGS, "resp-arguments-mismatch": _ARGS, "resp-delta-after-done": _ARGS + ("text",),
    "resp-call-incomplete": ("do", "call_id", "action", "dispatched"), "resp-arguments-json": _ARGS + ("dispatched",),
    "resp-dispatch-at-item-done": ("dispatched", "do") + _ARGS, "resp-message-say": ("text", "order"),
    "resp-text-mismatch": ("text",), "resp-refusal": ("refusal", "text"), "resp-reasoning": ("text",),
    "resp-server-tools": ("server_tools", "do"), "resp-malformed-item": (LOST,),
    "resp-tool-search-client": ("choices", "server_tools", "finish_reason", "dispatched") + _CALL,
    "resp-server-run-call": ("do", "server_tools", "finish_reason", "dispatched", "order"),
    "resp-custom-call-undeclared": ("do", "server_tools", "finish_reason", "order"),
    "resp-item-done-missing": ("choices", "text", "do", "dispatched") + _ARGS, "resp-completed-output": (LOST,),
    "resp-error": _FAULT, "resp-incomplete": ("finish_reason", "dispatched", "do"),
    "resp-truncated": _FAULT + _ARGS, "resp-after-terminal": ("text", "order", "finish_reason") + _CALL, "resp-usage": ("usage",),
    # Anthropic Messages
    "anth-event-json": (LOST,), "anth-event-name": (LOST,), "anth-unknown-event": (LOST,), "anth-ping": (LOST,),
    "anth-done-sentinel": (LOST,), "anth-message-start": (LOST,), "anth-block-index": (LOST,),
    "anth-block-not-started": ("text", "do") + _ARGS, "anth-delta-type": ("text",) + _ARGS,
    "anth-input-empty": _ARGS, "anth-input-prefilled": _ARGS, "anth-input-json": _ARGS + ("dispatched",),
    "anth-tool-incomplete": ("do", "call_id", "action", "dispatched"),
    "anth-dispatch-at-block-stop": ("dispatched", "do") + _ARGS,
    "anth-block-stop-missing": ("text", "do", "dispatched") + _ARGS, "anth-text-say": ("text", "order"),
    "anth-thinking": ("text",), "anth-server-tools": ("server_tools", "do"), "anth-stop-reason": ("finish_reason",),
    "anth-message-stop-missing": (LOST,), "anth-truncated": _FAULT + _ARGS, "anth-error": _FAULT,
    "anth-usage": ("usage",), "anth-after-stop": ("text", "order", "usage", "finish_reason") + _CALL,
    "anth-tool-use-client": ("do", "server_tools", "dispatched"),
    "anth-message-start-content": ("do", "dispatched", "finish_reason", "text", "order", "server_tools") + _ARGS,
    # Gemini
    "gem-data-json": (LOST,), "gem-done-sentinel": (LOST,), "gem-unknown-field": (LOST,),
    "gem-candidate-index": ("choices", LOST), "gem-text-say": ("text", "order"), "gem-thought": ("text", "do", LOST),
    "gem-call-whole": _CALL + ("order",), "gem-call-id": _CALL, "gem-args-missing": ("do",) + _ARGS,
    "gem-args-object": _ARGS + ("do",), "gem-partial-args": _CALL + ("dispatched",),
    "gem-partial-args-path": _ARGS + ("dispatched",), "gem-call-orphan": ("do", "order") + _ARGS,
    "gem-call-unclosed": ("do", "dispatched") + _ARGS, "gem-call-incomplete": ("do", "call_id", "action", "dispatched"),
    "gem-dispatch": ("dispatched", "do") + _ARGS, "gem-finish-reason": ("finish_reason",),
    "gem-finish-stop-with-calls": ("do", "finish_reason", "dispatched"),
    "gem-malformed-call": ("finish_reason", "do", "error"), "gem-prompt-blocked": ("choices", "finish_reason", "error"),
    "gem-after-finish": ("text", "order", "finish_reason") + _CALL, "gem-error": _FAULT + ("text",),
    "gem-after-error": ("text", "order", "usage", "finish_reason") + _CALL, "gem-truncated": _FAULT + _ARGS,
    "gem-usage": ("usage",), "gem-server-tools": ("server_tools", "do", "text"),
    # any API: streaming behaviour, graded by the streaming checks, not by a Plan field
    "plan-chunk-invariance": (), "plan-text-streamed": (), "plan-dispatch-complete": (), "plan-dispatch-once": (),
    "plan-dispatch-timely": (), "plan-fault-reported": (), "plan-protocol": (),
}
"""The Plan fields (:data:`FIELDS`) each rule is about. A difference in a field is charged to
a rule only when the trace exercises that rule and the rule names the field; a rule marked
:data:`LOST` (framing and envelope rules: whether events are read at all) also governs any
field whose value the implementation lost (``conformance.md`` §8.3)."""


_CHAT, _RESP, _ANTH, _GEM = "openai.chat.completions", "openai.responses", "anthropic.messages", "google.generate_content"
GENERAL_RULES: dict[str, dict[str, str]] = {
    _CHAT: {"text": "chat-text-say", "order": "chat-text-say", "usage": "chat-usage", "refusal": "chat-refusal"},
    _RESP: {"text": "resp-message-say", "order": "resp-message-say", "usage": "resp-usage",
            "refusal": "resp-refusal", "server_tools": "resp-server-tools"},
    _ANTH: {"text": "anth-text-say", "order": "anth-text-say", "usage": "anth-usage",
            "server_tools": "anth-server-tools"},
    _GEM: {"text": "gem-text-say", "order": "gem-text-say", "usage": "gem-usage", "server_tools": "gem-server-tools",
           "do": "gem-call-whole"},
}
"""Per API, the rules whose requirement holds on every stream of that API (how text becomes
SAYs, where usage comes from, ...): every trace of the API exercises them, listed or not."""


def _lost(exp: Any, act: Any, field: str) -> bool:
    """The implementation has nothing (or less) where the reference has something."""
    if exp is None or exp is False or field == "arguments":
        return False
    if act is None or act is False:
        return True
    if isinstance(exp, str):  # text with pieces missing; other strings (a finish reason, an id) are not lost
        return field == "text" and isinstance(act, str) and len(act) < len(exp)
    return isinstance(exp, (list, dict)) and type(act) is type(exp) and len(act) < len(exp)


def rule_for(difference: dict[str, Any], trace: Trace) -> tuple[str | None, str | None]:
    """``(rule, note)``: the rule that governs ``difference`` on ``trace``: a rule the trace
    exercises whose subject is the difference's field (:data:`RULE_FIELDS`; the trace's order
    decides between several); else, when the implementation lost the value, the trace's first
    rule if it decides whether events are read at all (:data:`LOST`), else an SSE framing
    rule the trace exercises; else the API's rule for that field that holds on every stream
    (:data:`GENERAL_RULES`); else, for a lost value, an envelope rule the trace exercises
    (:data:`LOST`); else ``(None, note)``, the note saying so and listing the trace's rules.
    Never a rule that is not about the field."""
    field = difference.get("field") or _field_of(difference.get("path") or "")
    rules = list(trace.rules)
    for r in rules:
        if field in RULE_FIELDS.get(r, ()):
            return r, None
    lost = _lost(difference.get("expected"), difference.get("actual"), field)
    carriers = [r for r in rules if lost and LOST in RULE_FIELDS.get(r, ())]
    if carriers and carriers[0] == rules[0]:  # what the trace is about decides whether events are read at all
        return carriers[0], None
    for r in carriers:  # then SSE framing: it decides which bytes become events at all
        if r.startswith("sse-"):
            return r, None
    general = GENERAL_RULES.get(trace.api, {}).get(field)
    if general is not None:
        return general, None
    if carriers:  # the first rule the trace lists that decides whether events are read at all
        return carriers[0], None
    if not rules:
        return None, f"no rule governs {field}: the trace names no rules"
    return None, f"no rule of this trace governs {field} (its rules: {', '.join(rules)})"


# -- streaming -----------------------------------------------------------------------------


def _done_key(e: Any) -> tuple[int, Any]:
    return (e.choice, e.call_id if e.call_id else ("#", e.call))


def streaming_findings(adapter: Adapter, case: Case, exp: Expected, out: Outcome) -> list[tuple[str, str, str, int]]:
    """Streaming problems ``(verdict, rule, message, event position)`` in the order found."""
    findings: list[tuple[str, str, str, int]] = []
    assert out.outputs is not None
    feed = adapter.capabilities.feed
    total = exp.total_events

    def events_at(position: int | None) -> int:
        if position is None:
            return total
        if feed == "events":
            return min(position, total)
        if position >= len(exp.events_at_read):
            return total
        return exp.events_at_read[position]

    def ref_at(count: int, reads: int) -> int:
        # an implementation fed bytes cannot act before the end of the read that completed the event
        return count if feed == "events" else events_at(reads)

    # where the reference dispatched each call, and where each choice ended
    ref_done: dict[tuple[int, Any], tuple[int, Any]] = {}
    ref_done_by_pos: dict[tuple[int, int], tuple[int, Any]] = {}
    choice_end: dict[int, int] = {}
    for count, reads, e in exp.outputs:
        ev = ref_at(count, reads)
        if e.type == "tool_call.done":
            ref_done[_done_key(e)] = (ev, e)
            ref_done_by_pos[(e.choice, e.call)] = (ev, e)
        elif e.type == "message.done":
            choice_end.setdefault(e.choice, ev)
    rule = DISPATCH_RULE.get(case.api, "plan-dispatch-complete")
    seen: dict[tuple[int, Any], int] = {}
    timed = adapter.capabilities.incremental and any(p is not None for p, _ in out.outputs)
    for pos, e in out.outputs:
        if e.type != "tool_call.done":
            continue
        key = _done_key(e)
        at = events_at(pos)
        name = e.call_id or f"call {e.call}"
        if key in seen:
            findings.append(("FAIL", "plan-dispatch-once", f"DO {name} ({e.action}) dispatched twice "
                             f"(after SSE event {seen[key]} and again after event {at})", at))
            continue
        seen[key] = at
        ref = ref_done.get(key)
        if ref is None:  # an implementation without ids, or with ids it made up where the stream gave none
            by_pos = ref_done_by_pos.get((e.choice, e.call))
            ref = by_pos if by_pos is not None and (not e.call_id or not by_pos[1].call_id) else None
        if ref is None:
            if e.invalid_arguments and not adapter.capabilities.marks_undispatched:
                # flagged invalid, by a result that has no other way to say "do not run" (8.3)
                findings.append(("NOTE", rule, f"DO {name} ({e.action}), which the reference never dispatches, is "
                                 f"reported after SSE event {at} flagged invalid", at))
                continue
            findings.append(("FAIL", rule, f"DO {name} ({e.action}) dispatched after SSE event {at}, but the "
                             "reference never dispatches it (its stream never completed it)", at))
            continue
        done_at, ref_e = ref
        same = canonical_json(e.parameters) == canonical_json(ref_e.parameters)  # names: the plan comparison
        if not same:
            got = canonical_json(e.parameters) if not e.invalid_arguments else repr(e.arguments)
            findings.append(("FAIL", "plan-dispatch-complete",
                             f"DO {name} dispatched after SSE event {at} with arguments {_short(got)}; "
                             f"the complete arguments {_short(canonical_json(ref_e.parameters))} "
                             f"arrive by event {done_at}", at))
            continue
        if not timed:
            continue
        end = choice_end.get(e.choice, total)
        if at > end:
            findings.append(("NONSTRICT", "plan-dispatch-timely",
                             f"DO {name} dispatched after SSE event {at}, {at - done_at} events after its "
                             f"arguments were complete (event {done_at}) and after its choice ended (event {end})", at))
        elif at != done_at:
            when = "after" if at > done_at else "before"
            findings.append(("NOTE", rule, f"DO {name} dispatched {abs(at - done_at)} SSE events {when} "
                             f"the reference (event {at}, reference {done_at})", at))
    if timed:
        findings.extend(_text_findings(exp, out, events_at, ref_at))
    return findings


def _text_findings(exp: Expected, out: Outcome, events_at: Any, ref_at: Any) -> list[tuple[str, str, str, int]]:
    ref: dict[int, list[tuple[int, int]]] = {}
    for count, reads, e in exp.outputs:
        ev = ref_at(count, reads)
        if e.type == "text.delta" and e.text:
            runs = ref.setdefault(e.choice, [])
            runs.append((ev, (runs[-1][1] if runs else 0) + len(e.text)))
    got: dict[int, list[tuple[int, int]]] = {}
    for pos, e in out.outputs or ():
        if e.type == "text.delta" and e.text:
            runs = got.setdefault(e.choice, [])
            runs.append((events_at(pos), (runs[-1][1] if runs else 0) + len(e.text)))
    findings = []
    for choice, runs in sorted(ref.items()):
        mine = got.get(choice, [])
        j, have = 0, 0
        for ev, need in runs:
            while j < len(mine) and mine[j][0] <= ev:
                have = mine[j][1]
                j += 1
            if have < need:
                later = next((p for p, c in mine if c >= need), None)
                when = f"only after SSE event {later}" if later is not None else "never"
                findings.append(("NONSTRICT", "plan-text-streamed",
                                 f"text buffered: by SSE event {ev} the reference had forwarded {need} characters "
                                 f"of choice {choice}, the implementation {have} (the rest {when})", ev))
                break
    return findings


def _short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


# -- verdicts -------------------------------------------------------------------------------


def _position(exp: Expected, case: Case, adapter: Adapter | None, event: int | None) -> dict[str, Any] | None:
    """Where SSE event number ``event`` (1-based count of completed events) is in the input."""
    if event is None or event <= 0 or event > len(exp.sse):
        return None
    read, offset = exp.sse[event - 1]
    feed = adapter.capabilities.feed if adapter is not None else "bytes"
    if feed == "events":
        return {"feed": "events", "input": event - 1, "inputs": exp.total_events, "event": event - 1, "offset": offset}
    return {"feed": "bytes", "input": read, "inputs": len(case.reads), "event": event - 1, "offset": offset}


def _diag_position(exp: Expected, case: Case, adapter: Adapter | None, rule: str | None) -> dict[str, Any] | None:
    for d in exp.diagnostics:
        if (rule is None or d.rule == rule) and d.event is not None:
            return _position(exp, case, adapter, d.event + 1)
    return None


def _has_error_signal(plan: dict[str, Any]) -> bool:
    if plan.get("error") is not None:
        return True
    for ch in plan.get("choices") or []:
        if not isinstance(ch, dict):
            continue
        if ch.get("finish_reason") in (None, "error", "length", "incomplete", "content_filter"):
            return True
        for cmd in ch.get("commands") or []:
            if isinstance(cmd, dict) and (cmd.get("invalid_arguments") or cmd.get("dispatched") is False
                                          or (cmd.get("type") == "DO" and not cmd.get("action"))):
                return True
    return False


# an installed package's folder, up to the package: site-packages, dist-packages, node_modules, the
# standard library (lib/python3.N) -- what a library's own traceback text spells from the root
_INSTALLED = re.compile(r"(?:[A-Za-z]:)?(?:[/\\][^\s\"'<>()\[\]{}|,;]+?)?[/\\]"
                        r"(?:site-packages|dist-packages|node_modules|lib[/\\]python3\.\d+(?![/\\](?:site|dist)-packages))"
                        r"[/\\]")
_KIT_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))) + os.sep


def machine_free(text: str) -> str:
    """``text`` without the absolute paths of this machine that a library's message may carry (a
    traceback in an exception's text): installed files from their package on, the kit's own from
    its checkout on. Verdict records are published (``matrix/results``, the docs)."""
    if "packages" in text or "node_modules" in text or "python3." in text:
        text = _INSTALLED.sub("", text)
    if _KIT_ROOT in text:
        text = text.replace(_KIT_ROOT, "")
    return text


def record(adapter: Adapter, trace: Trace, chunking: str, verdict: str, *, check: str, message: str,
           rule: str | None = None, path: str | None = None, expected: Any = None, actual: Any = None,
           position: dict[str, Any] | None = None, notes: list[str] | None = None, seconds: float = 0.0,
           differences: list[dict[str, Any]] | None = None, plans: dict[str, Any] | None = None,
           origin: dict[str, Any] | None = None) -> dict:
    """A verdict record (``kit-verify/1``, ``schemas/verdict.schema.json``). ``path``,
    ``expected`` and ``actual`` are the first of ``differences``; ``plans`` (the two graded
    Plans) only on a FAIL that compared Plans (whether they differ or a streaming check failed)."""
    return {"type": "verdict", "adapter": adapter.name, "trace": trace.id, "trace_path": trace.path,
            "api": trace.api, "class": trace.cls, "dialect": getattr(trace, "dialect", None),
            "chunking": chunking, "verdict": verdict, "rule": rule,
            "check": check, "message": machine_free(message), "path": path, "expected": expected, "actual": actual,
            "differences": differences or [], "plans": plans, "origin": origin,
            "position": position, "notes": notes or [], "known": None, "repro": None,
            "seconds": round(seconds, 6)}


def _attributed(differences: list[dict[str, Any]], trace: Trace) -> list[dict[str, Any]]:
    """``differences`` with the rule that governs each (``rule``; ``note`` when none does)."""
    out = []
    for d in differences:
        rule, note = rule_for(d, trace)
        out.append({**d, "rule": rule, **({"note": note} if note else {})})
    return out


def _difference_text(differences: list[dict[str, Any]]) -> str:
    """The first difference in words, and how many more there are."""
    d = differences[0]
    more = len(differences) - 1
    whole = d["field"] in ("choices", "text", "do") and isinstance(d["expected"] or d["actual"], str) \
        and (d["expected"] is None or d["actual"] is None) and not d["path"].endswith(".text")
    if whole:  # a command or a choice missing or extra
        said = (f"{d['path']}: missing {_short(d['expected'], 80)}" if d["actual"] is None
                else f"{d['path']}: extra {_short(d['actual'], 80)}")
    else:
        said = (f"{d['path'] or 'plan'}: expected {_short(canonical_json(d['expected']))}, "
                f"got {_short(canonical_json(d['actual']))}")
    return said + (f" (+{more} more difference{'s' if more != 1 else ''})" if more else "")


def grade(adapter: Adapter, trace: Trace, case: Case, exp: Expected, out: Outcome) -> dict:
    """The verdict record of one run."""
    chunking = case.chunking if adapter.capabilities.feed == "bytes" else "events"
    caps = adapter.capabilities
    omit = caps.omits
    view = dict(ordered=caps.ordered, marks_undispatched=caps.marks_undispatched, multi_choice=caps.multi_choice,
                holds_invalid_arguments=caps.holds_invalid_arguments, refusal_as_text=caps.refusal_as_text)
    base: dict[str, Any] = dict(seconds=out.seconds)
    if out.timeout:
        return record(adapter, trace, chunking, "TIMEOUT", check="timeout", message=out.error or "timed out",
                      rule=trace.rules[0] if trace.rules else None, **base)
    if out.skip is not None:
        return record(adapter, trace, chunking, "SKIP", check="capability", message=out.skip, **base)
    plan = out.plan
    if plan is None and out.outputs and not out.rejected:
        plan = build_plan(trace.api, (e for _, e in out.outputs))
    if out.protocol and not out.rejected:
        return record(adapter, trace, chunking, "ERROR", check="protocol", rule="plan-protocol",
                      message="; ".join(out.protocol[:3]) + (f" (+{len(out.protocol) - 3} more)" if len(out.protocol) > 3 else ""),
                      **base)
    if trace.cls == "i":
        if out.rejected:
            msg = f"implementation-defined; it rejected the stream: {out.error}"
        else:
            info_notes: list[str] = []
            diffs = _attributed(compare_plans(exp.plan, plan, omit, info_notes, **view), trace) if plan is not None else []
            base["notes"] = info_notes
            more = len(diffs) - 1
            msg = ("implementation-defined; it returned no Plan" if plan is None
                   else "implementation-defined; matches the reference" if not diffs
                   else f"implementation-defined; differs from the reference at {diffs[0]['path'] or 'the plan'}"
                   + (f" (+{more} more difference{'s' if more != 1 else ''})" if more else ""))
            base["differences"] = diffs
        return record(adapter, trace, chunking, "INFO", check="info", message=msg,
                      rule=trace.rules[0] if trace.rules else None, actual=plan, **base)
    notes: list[str] = []
    streaming: list[tuple[str, str, str, int]] = []
    if out.outputs is not None:  # timing only for incremental adapters; dispatch checks for any events
        streaming = streaming_findings(adapter, case, exp, out)
        notes = [m for v, _, m, _ in streaming if v == "NOTE"]
        streaming = [f for f in streaming if f[0] != "NOTE"]
    first_fail = next((f for f in streaming if f[0] == "FAIL"), None)
    if out.rejected:
        if trace.cls == "n":
            if first_fail is not None:
                v, rule, msg, ev = first_fail
                return record(adapter, trace, chunking, "FAIL", check="streaming", rule=rule,
                              message=f"{msg}; then it rejected the stream: {out.error}",
                              position=_position(exp, case, adapter, ev), notes=notes, **base)
            return record(adapter, trace, chunking, "PASS", check="fault-reported",
                          rule=trace.rules[0] if trace.rules else None,
                          message=f"reported the invalid stream as an error: {out.error}", notes=notes, **base)
        if exp.choices > 1 and not caps.multi_choice:  # refusing what its result cannot hold is right
            return record(adapter, trace, chunking, "PASS", check="capability",
                          rule=trace.rules[0] if trace.rules else None,
                          message=f"refused a stream of {exp.choices} choices, which its result cannot hold "
                                  f"(it declares one choice): {out.error}", notes=notes, **base)
        return record(adapter, trace, chunking, "ERROR", check="crash", rule=trace.rules[0] if trace.rules else None,
                      message=f"crashed on a valid stream: {out.error}", notes=notes, origin=out.origin,
                      position=_position(exp, case, adapter, out.pulled if adapter.capabilities.feed == "events" else None),
                      **base)
    if plan is None:
        return record(adapter, trace, chunking, "ERROR", check="protocol", rule="plan-protocol",
                      message="returned no Plan and reported no output events", **base)
    plan_notes: list[str] = []
    graded = graded_pair(exp.plan, plan, omit, plan_notes, **view)
    diffs = plan_differences(*graded, plan_notes)
    if trace.cls == "y":
        diffs = _derived_finish(diffs, plan_notes)
    notes = notes + plan_notes
    if diffs:
        diffs = _attributed(diffs, trace)
        first = diffs[0]
        rule = first["rule"]
        said = _difference_text(diffs)
        if trace.cls == "n" and not _has_error_signal(plan):
            check, rule = "fault-reported", "plan-fault-reported"
            msg = f"turned an invalid stream silently into a plan ({', '.join(trace.rules[:2])}): {said}"
        else:
            check, msg = "plan", said
            if rule is None:  # no rule of the trace governs that field: say so, and name no other rule
                notes = [first["note"]] + notes
        position = _diag_position(exp, case, adapter, rule) if rule is not None else None
        if first_fail is not None and first_fail[1] in ("plan-dispatch-complete", "plan-dispatch-once"):
            # the wrong plan comes from a premature or repeated dispatch: say that first
            plan_rule = rule or "no governing rule"
            _, rule, streamed, ev = first_fail
            check, msg, position = "streaming", f"{streamed}; the final plan differs too ({plan_rule}): {msg}", \
                _position(exp, case, adapter, ev)
        return record(adapter, trace, chunking, "FAIL", check=check, rule=rule, message=msg,
                      path=first["path"] or None, expected=first["expected"], actual=first["actual"],
                      differences=diffs, plans={"expected": graded[0], "actual": graded[1]},
                      position=position, notes=notes, **base)
    if first_fail is not None:  # the Plans agree; how it streamed them does not
        _, rule, msg, ev = first_fail
        return record(adapter, trace, chunking, "FAIL", check="streaming", rule=rule, message=msg,
                      position=_position(exp, case, adapter, ev), notes=notes,
                      plans={"expected": graded[0], "actual": graded[1]}, **base)
    if streaming:
        _, rule, msg, ev = streaming[0]
        notes = notes + [m for _, _, m, _ in streaming[1:]]
        return record(adapter, trace, chunking, "NONSTRICT", check="streaming", rule=rule, message=msg,
                      position=_position(exp, case, adapter, ev), notes=notes, **base)
    return record(adapter, trace, chunking, "PASS", check="plan", message="matches the reference", notes=notes, **base)


def graded_plan(out: Outcome, api: str, omit: tuple[str, ...] = (), *, ordered: bool = True,
                expected: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """The normalised plan an outcome stands for (for the chunk-invariance check). With the
    reference's ``expected`` Plan, on Gemini, the ids the implementation made up for calls the
    stream gave none are left out, as the grading leaves them out (a library that draws a fresh
    random id per run gives the same plan on every chunk plan)."""
    if out.timeout or out.skip is not None or out.rejected:
        return None
    plan = out.plan
    if plan is None and out.outputs:
        plan = build_plan(api, (e for _, e in out.outputs))
    if plan is None:
        return None
    act = normalise_plan(plan, omit, ordered=ordered)
    if expected is not None and api == _GEM:
        _made_up_ids(normalise_plan(expected, omit, ordered=ordered), act)
    return act


def verify_case(adapter: Adapter, trace: Trace, chunking: str = "recorded", *,
                prepared: tuple[Case, Expected] | None = None) -> dict:
    """Run ``adapter`` on one case and grade it: the verdict record."""
    return run_case(adapter, trace, chunking, prepared=prepared)[0]


def run_case(adapter: Adapter, trace: Trace, chunking: str = "recorded", *,
             prepared: tuple[Case, Expected] | None = None) -> tuple[dict, dict[str, Any] | None]:
    """``(verdict record, normalised plan or None)`` of one case."""
    case, exp = prepared or prepare(trace, chunking)
    skip = adapter.skip_reason(trace.api, case)
    held = adapter.capabilities.call_types
    if skip is None and held is not None and set(exp.call_types) - set(held):
        skip = (f"{trace.id} carries {', '.join(sorted(set(exp.call_types) - set(held)))}, a kind of tool use "
                f"{adapter.name} cannot request (it declares call_types {'+'.join(held) or 'none'})")
    if skip is not None:
        return record(adapter, trace, chunking if adapter.capabilities.feed == "bytes" else "events", "SKIP",
                      check="capability", message=skip), None
    start = time.perf_counter()
    try:
        out = adapter.run(case)
    except Exception as exc:  # noqa: BLE001 - an adapter (not the implementation) failing is still a result
        out = Outcome(rejected=True, error=f"the adapter failed: {type(exc).__name__}: {exc}")
    if not out.seconds:
        out.seconds = time.perf_counter() - start
    return grade(adapter, trace, case, exp, out), graded_plan(out, trace.api, adapter.capabilities.omits,
                                                             ordered=adapter.capabilities.ordered, expected=exp.plan)


def chunk_dependence(records: Iterable[dict], plans: dict[str, Any]) -> None:
    """Mark the records of one (adapter, trace) whose plan depends on the chunk plan.

    ``plans`` maps chunk plan -> the implementation's normalised plan (or None). When two
    chunk plans gave plans with a graded difference between them (:func:`plan_differences`:
    whitespace or a SAY cut differently is none), every FAIL record among them gains the
    ``plan-chunk-invariance`` rule and a note naming which plans agree with which.
    """
    groups: list[tuple[dict[str, Any], list[str]]] = []  # plans that agree (no graded difference), together
    for chunking, p in plans.items():
        if p is None:
            continue
        same = next((g for g in groups if not plan_differences(g[0], p, [])), None)
        if same is None:
            groups.append((p, [chunking]))
        else:
            same[1].append(chunking)
    if len(groups) < 2:
        return
    said = " vs ".join("+".join(g) for _, g in groups)
    for r in records:
        if r["verdict"] == "FAIL":
            r["notes"].append(f"the plan depends on the chunk plan ({said} give different plans); "
                              f"rule plan-chunk-invariance")
            if r["check"] == "plan":
                r["check"] = "chunk-invariance"
