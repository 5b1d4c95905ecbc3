"""Mutant: a streamed call closes only on an empty `functionCall: {}`; a last part with partialArgs leaves it open.

Rule gem-dispatch (and gem-partial-args): a streamed call's last part is any continuation
without ``willContinue``, and Vertex sends the last ``partialArgs`` in it (for array
arguments) instead of a separate empty part. The AI SDK's Google provider waited for an
empty part and never emitted the call (vercel/ai#14358, fixed by vercel/ai#15438). The
call, still open, is then dropped at the end of the turn.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_gemini import Candidate, NaiveGemini, declare

QUIRK = "gem-dispatch"
BREAKS = ("gem-dispatch",)
NEEDS = ("a valid trace whose streamed call ends with a partialArgs part without willContinue "
         "(rule gem-dispatch / gem-partial-args)")


class Mutant(NaiveGemini):
    def on_function_call(self, c: Candidate, fc: Any) -> None:
        if isinstance(fc, dict) and c.open is not None and not fc.get("name") and fc.get("partialArgs"):
            self.add_partial_args(c.open, fc.get("partialArgs"))  # the bug: never the last part
            return
        super().on_function_call(c, fc)

    def on_finish(self, c: Candidate, raw: str) -> None:
        self.give_up(c)  # an unclosed call is forgotten
        super().on_finish(c, raw)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
