"""Mutant: a functionCall part without `args` is not recognised as a call and is dropped.

Rule gem-args-missing: a call to a tool without parameters comes as
``{"functionCall": {"name": "X"}}`` with no ``args``. The AI SDK's Google provider matched
no chunk class for it and dropped it silently, its ``thoughtSignature`` with it
(vercel/ai#14847, fixed by vercel/ai#14968: "emit no-args streaming tool calls").
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_gemini import Candidate, NaiveGemini, declare

QUIRK = "gem-args-missing"
BREAKS = ("gem-args-missing",)
NEEDS = "a valid trace with a functionCall part without args (rule gem-args-missing)"


class Mutant(NaiveGemini):
    def whole_call(self, c: Candidate, fc: dict) -> None:
        if fc.get("args") is None:
            return  # the bug: no args, no call
        super().whole_call(c, fc)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
