"""One verdict record as the text a person reads when a case fails (pytest, assert_conforms)."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["format_position", "format_verdict"]


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
