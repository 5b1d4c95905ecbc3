"""Mutant: content for a candidate after its finishReason is dropped.

Rule gem-after-finish: a candidate's parts may still arrive after the chunk that carried
its ``finishReason`` (the finish sent early, a last text or call after it). The Plan keeps
them; a handler that closes the candidate at its finish loses them.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_gemini import Candidate, NaiveGemini, declare

QUIRK = "gem-after-finish"
BREAKS = ("gem-after-finish",)
NEEDS = "a trace with a candidate's content after its finishReason (rule gem-after-finish)"


class Mutant(NaiveGemini):
    def on_candidate(self, c: Candidate, cand: dict) -> None:
        if c.finished:
            return  # the bug: nothing after the finish
        super().on_candidate(c, cand)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
