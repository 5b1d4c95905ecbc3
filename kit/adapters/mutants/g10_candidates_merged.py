"""Mutant: every candidate is accumulated into choice 0 (the candidate `index` is ignored).

With ``candidateCount > 1`` each chunk carries parts of several candidates, told apart by
``index``. Handlers that read ``candidates[0]`` or append every candidate's parts to one
message merge them (the Gemini form of the Chat quirk Q15, mutant m13). The Plan keeps one
choice per candidate index (rule gem-candidate-index).
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_gemini import NaiveGemini, declare

QUIRK = "gem-candidate-index"
BREAKS = ("gem-candidate-index",)
NEEDS = "a valid trace with two candidates (rule gem-candidate-index)"


class Mutant(NaiveGemini):
    def candidate_index(self, pos: int, cand: dict) -> int:
        return 0  # the bug: one message per response


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
