"""Streaming mutant: a streamed Gemini call is run at its opening part, with the arguments it has there.

Rule gem-dispatch, the streaming face of ``g03``: with ``streamFunctionCallArguments`` a call
opens with ``{"name": ..., "willContinue": true}`` and its arguments follow as ``partialArgs``
in later parts. A handler that treats every named ``functionCall`` part as a whole call runs
the tool at once with ``{}`` (the shape vercel/ai#13929 had to teach the AI SDK: "google
signals start with name + willContinue: true and end with an empty functionCall"). This one
goes on assembling the arguments, so its final Plan is right: only the dispatch point is
wrong. The Plan conventions dispatch a streamed call at its last part.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_gemini import Call, Candidate, compact
from ._streaming import Sink, StreamingGemini, declare

QUIRK = "gem-dispatch"
BREAKS = ("plan-dispatch-complete",)
NEEDS = ("a valid trace with a streamed function call whose arguments arrive after its opening part "
         "(rule gem-partial-args), e.g. y_streamed_args_string_split")
EXPECTED = "FAIL"  # plan-dispatch-complete: dispatched with partial arguments
SHOWN_BY = ("y_streamed_args_string_split", "y_streamed_two_calls_in_sequence")


class Mutant(StreamingGemini):
    def open_streamed(self, c: Candidate, call: Call, fc: dict) -> None:
        super().open_streamed(c, call, fc)
        if c.open is call:  # the bug: a named part is a whole call
            self.dispatch_now(c.index, c.commands.index(call), compact(call.args), dict(call.args))


@declare("google.generate_content")
def accumulate(reads: Iterable[bytes], sink: Sink, *, api: str) -> dict[str, Any]:
    return Mutant(sink).accumulate(reads)
