"""Mutant: a continuation part with no open streamed call starts a new, nameless call.

Rule gem-call-orphan: a ``functionCall`` part without a name that carries ``partialArgs``
or ``willContinue`` continues the open streamed call. With none open (its opening part was
lost, or a proxy reordered parts) it belongs to nothing; a handler that opens a call for
every ``functionCall`` part runs a call with no name.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_gemini import Candidate, NaiveGemini, declare

QUIRK = "gem-call-orphan"
BREAKS = ("gem-call-orphan",)
NEEDS = "an invalid trace with a continuation functionCall part and no open streamed call (rule gem-call-orphan)"


class Mutant(NaiveGemini):
    def on_function_call(self, c: Candidate, fc: Any) -> None:
        if isinstance(fc, dict) and c.open is None and not fc.get("name") and (
                fc.get("willContinue") is True or "partialArgs" in fc):
            self.open_streamed(c, self.call_of(fc), fc)  # the bug: a call of its own
            if fc.get("willContinue") is not True:
                self.close_streamed(c)
            return
        super().on_function_call(c, fc)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
