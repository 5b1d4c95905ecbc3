"""Mutant: a streamed call still open at `MAX_TOKENS` is closed and run with what arrived.

Rules gem-dispatch and gem-call-unclosed: the output limit can cut a streamed call between
two partialArgs; its arguments are then a prefix of what the model meant. Closing every
open call at the finish (right for STOP, rule gem-call-unclosed) runs the cut one too (the
Gemini form of quirk Q39, cline/cline#13001).
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_gemini import Candidate, NaiveGemini, declare

QUIRK = "gem-dispatch"
BREAKS = ("gem-dispatch", "gem-call-unclosed")
NEEDS = ("a trace where MAX_TOKENS finishes a candidate with a streamed call open (rules gem-dispatch, "
         "gem-call-unclosed), e.g. y_streamed_call_cut_by_max_tokens")


class Mutant(NaiveGemini):
    def on_finish(self, c: Candidate, raw: str) -> None:
        if c.open is not None and raw == "MAX_TOKENS":
            self.close_streamed(c)  # the bug: cut or not, it is closed
        super().on_finish(c, raw)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
