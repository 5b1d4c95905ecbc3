"""Mutant: a data payload that does not parse is "repaired" (its open strings and brackets closed) and used.

Rule gem-data-json: a payload that is not JSON (here, one cut in the middle by a dropped
connection) is skipped and reported. Handlers that lean on partial-JSON repair, the way
many do for streamed tool arguments (the Chat quirk of mutant m10), apply it to whole
payloads too and show the first half of a chunk as if it had arrived: text the server may
never have finished sending, and a stream that looks less broken than it is.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from ._naive_gemini import NaiveGemini, declare

QUIRK = "gem-data-json"
BREAKS = ("gem-data-json",)
NEEDS = "an invalid trace whose last payload is cut inside its JSON (rule gem-data-json), e.g. n_data_not_json"


def repair(data: str) -> Any:
    """Close what a cut JSON text left open: a string, a key without its value, brackets."""
    stack: list[str] = []
    in_string = escaped = False
    for ch in data:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "{[":
            stack.append("}" if ch == "{" else "]")
        elif ch in "}]" and stack:
            stack.pop()
    text = data.rstrip()
    if in_string:
        text = text[:-1] if escaped else text
        text += '"'
    text = text.rstrip().rstrip(",")
    if stack and stack[-1] == "}":
        tail = text[text.rfind("{", 0) + 1:] if "," not in text else text[text.rfind(",") + 1:]
        if text.endswith(":"):
            text += "null"
        elif tail.strip().startswith('"') and ":" not in tail:
            text += ":null"  # a key whose value never came
    return json.loads(text + "".join(reversed(stack)))


class Mutant(NaiveGemini):
    def on_event(self, name: str, data: str) -> None:
        try:
            json.loads(data)
        except ValueError:
            try:
                obj = repair(data)  # the bug: half a payload is taken as one
            except ValueError:
                return
            if isinstance(obj, dict):
                self.on_payload(obj)
            return
        super().on_event(name, data)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
