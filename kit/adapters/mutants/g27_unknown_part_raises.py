"""Mutant: a part of a kind the handler does not know raises.

Rule gem-unknown-field: Google adds part kinds (``inlineData``, ``fileData``,
``executableCode``, ``videoMetadata``, ...) and fields. A handler that dispatches on a
fixed list of part kinds and raises on the rest fails on the first new one.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_gemini import Candidate, NaiveGemini, declare

QUIRK = "gem-unknown-field"
BREAKS = ("gem-unknown-field",)
NEEDS = "a valid trace with a part kind the Plan does not model, e.g. inlineData (rule gem-unknown-field)"

KINDS = ("text", "functionCall", "executableCode", "codeExecutionResult", "thought", "thoughtSignature")


class Mutant(NaiveGemini):
    def on_part(self, c: Candidate, part: dict) -> None:
        unknown = [k for k in part if k not in KINDS]
        if unknown:
            raise ValueError(f"unsupported part: {unknown[0]}")  # the bug
        super().on_part(c, part)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
