"""The grading engine: one implementation, one trace, one chunk plan -> one verdict record.

For each case the reference is replayed on the same reads. The implementation's final
Plan is compared with the reference's (:func:`compare_plans`); for incremental adapters
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
SKIP       outside what the adapter declared (API, multi-choice, feed)
INFO       an ``i_`` trace: implementation-defined, recorded and not graded
=========  ===============================================================================

A record is a plain dict (``kit verify --json`` prints one per line; the other report
formats are made from records only).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any, Iterable

from ..adapters import DONE, Adapter, Case, Outcome
from ..plan import build_plan, canonical_json
from ..reference import reference_for
from ..rules import Diagnostic
from ..sse import SSEDecoder
from ..trace import Trace

__all__ = ["VERDICTS", "FAILING", "Expected", "prepare", "grade", "verify_case", "run_case", "compare_plans", "normalise_plan"]

VERDICTS = ("PASS", "NONSTRICT", "FAIL", "ERROR", "TIMEOUT", "SKIP", "INFO")
FAILING = ("FAIL", "ERROR", "TIMEOUT")

DISPATCH_RULE = {"openai.chat.completions": "chat-dispatch-at-finish",
                 "openai.responses": "resp-dispatch-at-item-done",
                 "anthropic.messages": "anth-dispatch-at-block-stop"}


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

    @property
    def choices(self) -> int:
        return len(self.plan["choices"])


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
    for e in machine.close():
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
    diagnostics = sorted(decoder.diagnostics + machine.diagnostics,
                         key=lambda d: (d.offset if d.offset is not None else float("inf")))
    exp = Expected(machine.plan(), outputs, diagnostics, sse_pos, events_at, count, events, problem)
    case = Case(trace.id, trace.api, chunking, reads, events, problem)
    return case, exp


# -- plans ------------------------------------------------------------------------------------


def _command(cmd: dict[str, Any], omit: tuple[str, ...] = ()) -> dict[str, Any]:
    if cmd.get("type") == "SAY":
        return {"type": "SAY", "text": cmd.get("text")}
    invalid = bool(cmd.get("invalid_arguments"))
    return {"type": cmd.get("type"), "call_id": None if "call_id" in omit else cmd.get("call_id"),
            "action": cmd.get("action"),
            "parameters": cmd.get("parameters"), "invalid_arguments": invalid,
            "arguments": cmd.get("arguments") if invalid else None,  # raw text graded only when invalid
            "dispatched": cmd.get("dispatched") is not False}


def _usage(usage: Any) -> Any:
    if not isinstance(usage, dict):
        return usage
    return {k: usage.get(k) for k in ("input_tokens", "output_tokens")}


def normalise_plan(plan: dict[str, Any], omit: tuple[str, ...] = ()) -> dict[str, Any]:
    """The part of a Plan that is graded: text per SAY, DO order, call ids, action names,
    parsed parameters (raw arguments only when invalid), whether each DO was dispatched,
    finish reason, refusal, server tools (type, id, name), usage tokens, and whether
    there was an error and its message was kept (the wording is the implementation's).

    ``omit`` names parts the implementation declared its result does not carry
    (:attr:`~kit.adapters.Capabilities.omits`): they are set to None."""
    choices = []
    raw = plan.get("choices") if isinstance(plan.get("choices"), list) else []
    for ch in sorted((c for c in raw if isinstance(c, dict)), key=lambda c: c.get("index") or 0):
        cmds = ch.get("commands") if isinstance(ch.get("commands"), list) else []
        choices.append({
            "index": ch.get("index"),
            "finish_reason": None if "finish_reason" in omit else ch.get("finish_reason"),
            "commands": [_command(c, omit) for c in cmds if isinstance(c, dict)],
            "refusal": None if "refusal" in omit else ch.get("refusal"),
            "server_tools": None if "server_tools" in omit else
            [{k: t.get(k) for k in ("type", "id", "name")} for t in (ch.get("server_tools") or []) if isinstance(t, dict)],
        })
    error = plan.get("error")
    return {"choices": choices, "usage": None if "usage" in omit else _usage(plan.get("usage")),
            "error": None if error is None else {"message_kept": bool(isinstance(error, dict) and error.get("message"))}}


def _first_difference(exp: Any, act: Any, path: str) -> tuple[str, Any, Any] | None:
    if isinstance(exp, dict) and isinstance(act, dict) and not path.endswith("parameters"):
        if exp.keys() != act.keys() and path:  # a SAY where a DO should be, or the like
            if exp.get("type") in ("SAY", "DO") and act.get("type") in ("SAY", "DO"):
                return path, _show_command(exp), _show_command(act)
            return path, exp, act
        for key in list(exp) + [k for k in act if k not in exp]:
            d = _first_difference(exp.get(key), act.get(key), f"{path}.{key}" if path else key)
            if d:
                return d
        return None
    if isinstance(exp, list) and isinstance(act, list):
        if path.endswith("commands") and len(exp) != len(act):
            return path, [_show_command(c) for c in exp], [_show_command(c) for c in act]
        for i, (e, a) in enumerate(zip(exp, act)):
            d = _first_difference(e, a, f"{path}[{i}]")
            if d:
                return d
        if len(exp) != len(act):
            return path, exp, act
        return None
    if exp != act or type(exp) is not type(act) and not (isinstance(exp, (int, float)) and isinstance(act, (int, float))):
        return path, exp, act
    return None


def _show_command(cmd: dict[str, Any]) -> str:
    if cmd.get("type") == "SAY":
        text = cmd.get("text") or ""
        return f"SAY {text[:40]!r}" + ("..." if len(text) > 40 else "")
    args = canonical_json(cmd.get("parameters"))
    args = args if len(args) <= 40 else args[:37] + "..."
    mark = "" if cmd.get("dispatched", True) else " (not dispatched)"
    return f"DO {cmd.get('action')}({args}) id={cmd.get('call_id')}{mark}"


def compare_plans(expected: dict[str, Any], actual: dict[str, Any],
                  omit: tuple[str, ...] = ()) -> tuple[str, Any, Any] | None:
    """The first graded difference ``(path, expected, actual)``, or None when they agree
    (``omit``: parts left out on both sides, see :func:`normalise_plan`)."""
    return _first_difference(normalise_plan(expected, omit), normalise_plan(actual, omit), "")


_PATH_HINTS = (  # a difference at a path like this is about rules whose id holds one of these words
    ("usage", ("usage",)),
    ("finish_reason", ("finish", "stop", "incomplete", "truncated", "error", "length", "max-tokens")),
    ("refusal", ("refusal",)),
    ("server_tools", ("server",)),
    ("error", ("error", "failed")),
    ("parameters", ("arguments", "input", "json", "args")),
    ("arguments", ("arguments", "input", "json", "args")),
    ("call_id", ("identity", "id", "index", "call")),
    ("action", ("name", "identity", "index", "call")),
    ("dispatched", ("dispatch", "truncated", "incomplete", "error")),
    ("text", ("text", "say", "content", "utf8", "message")),
    ("commands", ("say", "text", "dispatch", "call", "index", "identity", "server")),
)


_CHAT, _RESP, _ANTH = "openai.chat.completions", "openai.responses", "anthropic.messages"
_FIELD_RULES = {  # the API's own rule for a Plan field, when none of the trace's rules is about it
    "usage": {_CHAT: "chat-usage", _RESP: "resp-usage", _ANTH: "anth-usage"},
    "refusal": {_CHAT: "chat-refusal", _RESP: "resp-refusal"},
    "server_tools": {_RESP: "resp-server-tools", _ANTH: "anth-server-tools"},
    "finish_reason": {_CHAT: "chat-finish-reason-value", _RESP: "resp-incomplete", _ANTH: "anth-stop-reason"},
    "text": {_CHAT: "chat-text-say", _RESP: "resp-message-say", _ANTH: "anth-text-say"},
}


def rule_for(path: str, trace: Trace) -> str | None:
    """The rule a plan difference at ``path`` most likely breaks, among the trace's rules."""
    rules = list(trace.rules)
    last = path.rsplit(".", 1)[-1].split("[", 1)[0]
    if not rules:
        return _FIELD_RULES.get(last, {}).get(trace.api)
    for key, words in _PATH_HINTS:
        if key == last or (key in path and key in ("usage", "server_tools", "refusal", "finish_reason")):
            for r in rules:
                if any(w in r for w in words):
                    return r
            # a field with a rule of its own in this API: that rule, not the trace's first one
            field_rule = _FIELD_RULES.get(key, {}).get(trace.api)
            if field_rule is not None:
                return field_rule
            break
    return rules[0]


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
        ref = ref_done.get(key) or (None if e.call_id else ref_done_by_pos.get((e.choice, e.call)))
        if ref is None:
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


def record(adapter: Adapter, trace: Trace, chunking: str, verdict: str, *, check: str, message: str,
           rule: str | None = None, path: str | None = None, expected: Any = None, actual: Any = None,
           position: dict[str, Any] | None = None, notes: list[str] | None = None, seconds: float = 0.0) -> dict:
    return {"type": "verdict", "adapter": adapter.name, "trace": trace.id, "trace_path": trace.path,
            "api": trace.api, "class": trace.cls, "chunking": chunking, "verdict": verdict, "rule": rule,
            "check": check, "message": message, "path": path, "expected": expected, "actual": actual,
            "position": position, "notes": notes or [], "known": None, "repro": None,
            "seconds": round(seconds, 6)}


def grade(adapter: Adapter, trace: Trace, case: Case, exp: Expected, out: Outcome) -> dict:
    """The verdict record of one run."""
    chunking = case.chunking if adapter.capabilities.feed == "bytes" else "events"
    omit = adapter.capabilities.omits
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
            diff = compare_plans(exp.plan, plan, omit) if plan is not None else ("", None, None)
            msg = ("implementation-defined; matches the reference" if diff is None
                   else f"implementation-defined; differs from the reference at {diff[0] or 'the plan'}")
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
        return record(adapter, trace, chunking, "ERROR", check="crash", rule=trace.rules[0] if trace.rules else None,
                      message=f"crashed on a valid stream: {out.error}", notes=notes,
                      position=_position(exp, case, adapter, out.pulled if adapter.capabilities.feed == "events" else None),
                      **base)
    if plan is None:
        return record(adapter, trace, chunking, "ERROR", check="protocol", rule="plan-protocol",
                      message="returned no Plan and reported no output events", **base)
    diff = compare_plans(exp.plan, plan, omit)
    if diff is not None:
        path, want, got = diff
        rule = rule_for(path, trace)
        if trace.cls == "n" and not _has_error_signal(plan):
            check, rule = "fault-reported", "plan-fault-reported"
            msg = (f"turned an invalid stream silently into a plan ({', '.join(trace.rules[:2])}): "
                   f"{path or 'plan'}: expected {_short(canonical_json(want))}, got {_short(canonical_json(got))}")
        else:
            check = "plan"
            msg = f"{path or 'plan'}: expected {_short(canonical_json(want))}, got {_short(canonical_json(got))}"
        position = _diag_position(exp, case, adapter, rule)
        if first_fail is not None and first_fail[1] in ("plan-dispatch-complete", "plan-dispatch-once"):
            # the wrong plan comes from a premature or repeated dispatch: say that first
            plan_rule = rule
            _, rule, first, ev = first_fail
            check, msg, position = "streaming", f"{first}; the final plan differs too ({plan_rule}): {msg}", \
                _position(exp, case, adapter, ev)
        return record(adapter, trace, chunking, "FAIL", check=check, rule=rule, message=msg, path=path or None,
                      expected=want, actual=got, position=position, notes=notes, **base)
    if first_fail is not None:
        _, rule, msg, ev = first_fail
        return record(adapter, trace, chunking, "FAIL", check="streaming", rule=rule, message=msg,
                      position=_position(exp, case, adapter, ev), notes=notes, **base)
    if streaming:
        _, rule, msg, ev = streaming[0]
        notes = notes + [m for _, _, m, _ in streaming[1:]]
        return record(adapter, trace, chunking, "NONSTRICT", check="streaming", rule=rule, message=msg,
                      position=_position(exp, case, adapter, ev), notes=notes, **base)
    return record(adapter, trace, chunking, "PASS", check="plan", message="matches the reference", notes=notes, **base)


def graded_plan(out: Outcome, api: str, omit: tuple[str, ...] = ()) -> dict[str, Any] | None:
    """The normalised plan an outcome stands for (for the chunk-invariance check)."""
    if out.timeout or out.skip is not None or out.rejected:
        return None
    plan = out.plan
    if plan is None and out.outputs:
        plan = build_plan(api, (e for _, e in out.outputs))
    return normalise_plan(plan, omit) if plan is not None else None


def verify_case(adapter: Adapter, trace: Trace, chunking: str = "recorded", *,
                prepared: tuple[Case, Expected] | None = None) -> dict:
    """Run ``adapter`` on one case and grade it: the verdict record."""
    return run_case(adapter, trace, chunking, prepared=prepared)[0]


def run_case(adapter: Adapter, trace: Trace, chunking: str = "recorded", *,
             prepared: tuple[Case, Expected] | None = None) -> tuple[dict, dict[str, Any] | None]:
    """``(verdict record, normalised plan or None)`` of one case."""
    case, exp = prepared or prepare(trace, chunking)
    skip = adapter.skip_reason(trace.api, exp.choices, case)
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
    return grade(adapter, trace, case, exp, out), graded_plan(out, trace.api, adapter.capabilities.omits)


def chunk_dependence(records: Iterable[dict], plans: dict[str, Any]) -> None:
    """Mark the records of one (adapter, trace) whose plan depends on the chunk plan.

    ``plans`` maps chunk plan -> the implementation's normalised plan (or None). When two
    chunk plans gave different plans, every FAIL record among them gains the
    ``plan-chunk-invariance`` rule and a note naming which plans agree with which.
    """
    distinct = {canonical_json(p) for p in plans.values() if p is not None}
    if len(distinct) < 2:
        return
    groups: dict[str, list[str]] = {}
    for chunking, p in plans.items():
        if p is not None:
            groups.setdefault(canonical_json(p), []).append(chunking)
    said = " vs ".join("+".join(g) for g in groups.values())
    for r in records:
        if r["verdict"] == "FAIL":
            r["notes"].append(f"the plan depends on the chunk plan ({said} give different plans); "
                              f"rule plan-chunk-invariance")
            if r["check"] == "plan":
                r["check"] = "chunk-invariance"
