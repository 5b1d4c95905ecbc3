"""Mutant: invalid JSON arguments are silently repaired (closing quotes and brackets).

Quirk Q32: a truncated mid-string argument was "repaired" by ``jsonrepair`` and executed
(cline/cline#13001); truncated arguments were executed as ``{_raw: ...}``
(vellum-ai/vellum-assistant#34574). The Plan conventions keep the raw string, give
``parameters: null`` and ``invalid_arguments: true``: never a silent repair.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from ._naive import NaiveChat, declare

QUIRK = "Q32"
BREAKS = ("chat-arguments-json", "plan-fault-reported")
NEEDS = ("an invalid trace whose final arguments are not valid JSON "
         "(rule chat-arguments-json), e.g. n_arguments_invalid_json")


def _repair(text: str) -> Any:
    """Close an open string and the open brackets, the way JSON repair libraries do."""
    stack, in_string, escaped = [], False, False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            stack.append("]" if ch == "[" else "}")
        elif ch in "]}" and stack:
            stack.pop()
    fixed = text + ('"' if in_string else "") + "".join(reversed(stack))
    try:
        return json.loads(fixed)
    except ValueError:
        return {}


class Mutant(NaiveChat):
    def parse_arguments(self, arguments: str) -> tuple[Any, bool]:
        parameters, invalid = super().parse_arguments(arguments)
        if invalid:
            return _repair(arguments), False  # the bug: repaired and reported valid
        return parameters, invalid


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
