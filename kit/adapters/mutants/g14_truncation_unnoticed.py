"""Mutant: a stream that ends without a finishReason is taken as a finished turn.

Rule gem-truncated: Gemini sends no ``[DONE]``; the only sign of a complete turn is the
``finishReason``. A handler that treats the end of the body as the end of the turn finishes
the candidate with ``stop`` and runs a streamed call that was still arriving.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_gemini import NaiveGemini, declare

QUIRK = "gem-truncated"
BREAKS = ("gem-truncated", "plan-fault-reported")
NEEDS = "an invalid trace cut before any finishReason (rule gem-truncated)"


class Mutant(NaiveGemini):
    def end_of_stream(self) -> None:
        for c in self.candidates.values():
            if not c.finished:
                self.on_finish(c, "STOP")  # the bug: the end of the body is the end of the turn
        super().end_of_stream()


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
