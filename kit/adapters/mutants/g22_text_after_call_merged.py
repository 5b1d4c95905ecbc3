"""Mutant: all the text of a candidate is one SAY, even with a function call between.

Rule gem-text-say: text after a function call is a new thing to say (the model speaks,
calls, then speaks again). A handler that keeps one text buffer per candidate glues the
two texts together and shows them before or after the call.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_gemini import Call, Candidate, NaiveGemini, declare

QUIRK = "gem-text-say"
BREAKS = ("gem-text-say",)
NEEDS = "a valid trace with text, a function call, then text again (rule gem-text-say)"


class Mutant(NaiveGemini):
    def open_call(self, c: Candidate, call: Call) -> None:
        c.commands.append(call)  # the bug: the SAY stays open


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
