"""One verdict record as the text a person reads when a case fails (pytest, assert_conforms,
JUnit, ``kit verify --repro``)."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["format_difference", "format_plan", "format_position", "format_verdict"]


def _json(value: Any, limit: int = 2000) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, indent=2)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def format_position(pos: Any) -> str:
    """``{"feed": "bytes", "input": 3, "inputs": 10, "event": 7, "offset": 812}`` in words:
    ``input 3 of 10 (bytes), SSE event #7, byte 812``."""
    if not isinstance(pos, dict):
        return "" if pos is None else str(pos)
    bits = []
    if "input" in pos:
        total = f" of {pos['inputs']}" if pos.get("inputs") is not None else ""
        feed = f" ({pos['feed']})" if pos.get("feed") else ""
        bits.append(f"input {pos['input']}{total}{feed}")
    elif pos.get("feed"):
        bits.append(f"feed {pos['feed']}")
    if pos.get("event") is not None:
        bits.append(f"SSE event #{pos['event']}")
    if pos.get("offset") is not None:
        bits.append(f"byte {pos['offset']}")
    for key, value in pos.items():
        if key not in ("feed", "input", "inputs", "event", "offset"):
            bits.append(f"{key} {value}")
    return ", ".join(bits)


def _compact(value: Any, limit: int | None = None) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(", ", ": "))
    return text if limit is None or len(text) <= limit else text[: limit - 3] + "..."


def format_difference(d: dict[str, Any], limit: int | None = 120) -> str:
    """One difference on one line: ``path: expected X, got Y (rule R)``; a missing or extra
    command or choice as ``path: missing X`` / ``path: extra Y``. Values longer than ``limit``
    characters are cut (None: never)."""
    want, got = d.get("expected"), d.get("actual")
    if d.get("field") in ("choices", "text", "do") and isinstance(want or got, str) \
            and (want is None or got is None) and not str(d.get("path")).endswith(".text"):
        said = f"missing {want}" if got is None else f"extra {got}"
    else:
        said = f"expected {_compact(want, limit)}, got {_compact(got, limit)}"
    why = f"rule {d['rule']}" if d.get("rule") else "no governing rule"
    return f"{d.get('path') or 'plan'}: {said} ({why})"


def format_plan(plan: Any) -> list[str]:
    """A graded Plan (:func:`kit.verify.engine.normalise_plan`) as lines, whole: per choice its
    finish reason and each command; refusal and server tools when there are any; usage and error."""
    if not isinstance(plan, dict):
        return [_compact(plan)]
    lines = []
    for ch in plan.get("choices") or []:
        if not isinstance(ch, dict):
            lines.append(_compact(ch))
            continue
        lines.append(f"choice {ch.get('index')}, finish {_compact(ch.get('finish_reason'))}:")
        for i, cmd in enumerate(ch.get("commands") or []):
            if isinstance(cmd, dict) and cmd.get("type") == "SAY":
                lines.append(f"  [{i}] SAY {_compact(cmd.get('text'))}")
            elif isinstance(cmd, dict):
                args = (f"invalid arguments {_compact(cmd.get('arguments'))}" if cmd.get("invalid_arguments")
                        else _compact(cmd.get("parameters")))
                mark = "" if cmd.get("dispatched", True) else " (not dispatched)"
                lines.append(f"  [{i}] DO {cmd.get('action')} {args} id={cmd.get('call_id')}{mark}")
            else:
                lines.append(f"  [{i}] {_compact(cmd)}")
        if ch.get("refusal") is not None:
            lines.append(f"  refusal {_compact(ch['refusal'])}")
        if ch.get("server_tools"):
            lines.append(f"  server tools {_compact(ch['server_tools'])}")
    lines.append(f"usage {_compact(plan.get('usage'))}, error {_compact(plan.get('error'))}")
    return lines


def format_verdict(rec: dict[str, Any]) -> str:
    """``rec`` in a few lines: verdict, rule, message, where in the Plan and in the input,
    expected vs actual of the first difference, every other difference (one line each, with
    the rule that governs it), both graded Plans, notes and the repro command."""
    lines = [f"{rec['verdict']} {rec.get('rule') or ''}".rstrip()
             + f": {rec['adapter']} on {rec['api']}/{rec['trace']} [{rec['chunking']}]",
             f"  {rec['message']}"]
    if rec.get("known"):
        lines.append(f"  known failure: {rec['known']}")
    if rec.get("path"):
        lines.append(f"  at {rec['path']}:")
        lines.append("    expected: " + _json(rec.get("expected")).replace("\n", "\n    "))
        lines.append("    actual:   " + _json(rec.get("actual")).replace("\n", "\n    "))
    differences = [d for d in rec.get("differences") or [] if isinstance(d, dict)]
    if len(differences) > 1:
        more = len(differences) - 1
        lines.append(f"  +{more} more difference{'s' if more != 1 else ''}; all {len(differences)}, "
                     "each with the rule that governs it:")
        lines += [f"    {format_difference(d)}" for d in differences]
    plans = rec.get("plans")
    if isinstance(plans, dict):
        for side in ("expected", "actual"):
            lines.append(f"  {side} Plan:")
            lines += [f"    {line}" for line in format_plan(plans.get(side))]
    if rec.get("position"):
        lines.append(f"  position: {format_position(rec['position'])}")
    for note in rec.get("notes") or []:
        lines.append(f"  note: {note}")
    if rec.get("repro"):
        lines.append(f"  repro: kit verify --repro {rec['repro']}")
    else:
        lines.append(f"  replay: kit replay {rec['api']}/{rec['trace']} --chunking {rec['chunking']}"
                     if rec.get("chunking") not in (None, "events") else
                     f"  replay: kit replay {rec['api']}/{rec['trace']}")
    return "\n".join(lines)
