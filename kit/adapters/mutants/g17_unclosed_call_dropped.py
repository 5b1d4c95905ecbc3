"""Mutant: a streamed call still open when its candidate finishes with STOP is never run.

Rule gem-call-unclosed: when a streamed call's closing part does not come before the
candidate's ``finishReason`` (the AI SDK's investigation of vercel/ai#14358 found Vertex
ending the stream without a terminal function-call chunk), the Plan closes the call at the
finish and dispatches it. A handler that runs a streamed call only at its closing part
loses it. (Whether to run such a call is implementation-defined in the corpus:
``i_streamed_call_open_at_stop``.)
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_gemini import Candidate, NaiveGemini, declare

QUIRK = "gem-call-unclosed"
BREAKS = ("gem-call-unclosed",)
NEEDS = "a trace whose streamed call is still open at a STOP finish (rule gem-call-unclosed)"


class Mutant(NaiveGemini):
    def on_finish(self, c: Candidate, raw: str) -> None:
        self.give_up(c)  # the bug: no closing part, no call
        super().on_finish(c, raw)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
