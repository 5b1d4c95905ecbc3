"""One verdict record as the text a person reads when a case fails (pytest, assert_conforms)."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["format_verdict"]


def _json(value: Any, limit: int = 2000) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, indent=2)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def format_verdict(rec: dict[str, Any]) -> str:
    """``rec`` in a few lines: verdict, rule, message, where in the Plan and in the input,
    expected vs actual, notes and the repro command."""
    lines = [f"{rec['verdict']} {rec.get('rule') or ''}".rstrip()
             + f": {rec['adapter']} on {rec['api']}/{rec['trace']} [{rec['chunking']}]",
             f"  {rec['message']}"]
    if rec.get("known"):
        lines.append(f"  known failure: {rec['known']}")
    if rec.get("path"):
        lines.append(f"  at {rec['path']}:")
        lines.append("    expected: " + _json(rec.get("expected")).replace("\n", "\n    "))
        lines.append("    actual:   " + _json(rec.get("actual")).replace("\n", "\n    "))
    pos = rec.get("position")
    if pos:
        lines.append(f"  input: {pos.get('feed')} input {pos.get('input')} of {pos.get('inputs')}, "
                     f"SSE event {pos.get('event')}, byte {pos.get('offset')}")
    for note in rec.get("notes") or []:
        lines.append(f"  note: {note}")
    if rec.get("repro"):
        lines.append(f"  repro: kit verify --repro {rec['repro']}")
    else:
        lines.append(f"  replay: kit replay {rec['api']}/{rec['trace']} --chunking {rec['chunking']}"
                     if rec.get("chunking") not in (None, "events") else
                     f"  replay: kit replay {rec['api']}/{rec['trace']}")
    return "\n".join(lines)
