"""Mutant: a streamed string argument keeps only its last piece (set, not appended).

Rule gem-partial-args: consecutive ``stringValue`` entries for the same ``jsonPath`` are
pieces of one string (``"Bos"``, ``"ton"``). A handler that sets each partial arg at its
path like a whole value keeps the last piece only.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_gemini import Call, NaiveGemini, declare

QUIRK = "gem-partial-args"
BREAKS = ("gem-partial-args",)
NEEDS = "a valid trace with a streamed string argument split over several partialArgs (rule gem-partial-args)"


class Mutant(NaiveGemini):
    def set_partial(self, call: Call, arg: dict) -> None:
        call.last_string = None  # the bug: every piece is a new value
        super().set_partial(call, arg)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
