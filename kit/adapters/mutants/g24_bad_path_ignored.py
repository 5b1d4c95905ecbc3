"""Mutant: a partial arg whose jsonPath does not parse (or does not fit) is skipped silently.

Rule gem-partial-args-path: a ``jsonPath`` that is not RFC 9535, or a value that conflicts
with what is assembled, means the arguments cannot be rebuilt. A handler that skips what it
cannot place runs the call with part of its arguments missing and reports nothing.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_gemini import Call, Conflict, NaiveGemini, declare

QUIRK = "gem-partial-args-path"
BREAKS = ("gem-partial-args-path",)
NEEDS = "an invalid trace with a jsonPath that does not parse or conflicts (rule gem-partial-args-path)"


class Mutant(NaiveGemini):
    def set_partial(self, call: Call, arg: dict) -> None:
        try:
            super().set_partial(call, arg)
        except Conflict:
            pass  # the bug: what does not fit is left out


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
