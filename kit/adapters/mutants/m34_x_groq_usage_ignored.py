"""Mutant: usage is read from the top-level ``usage`` field only.

Quirk Q11 (usage placements): Groq puts usage under ``x_groq.usage`` in the finish chunk,
so handlers that read only ``chunk.usage`` report none (vercel/ai#1651). The Plan
conventions take usage from whichever place carries it (rule chat-usage).
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive import NaiveChat, declare

QUIRK = "Q11"
BREAKS = ("chat-usage",)
NEEDS = "a valid trace with usage under `x_groq.usage` (rule chat-usage), e.g. y_usage_x_groq"


class Mutant(NaiveChat):
    def usage_of(self, obj: dict) -> dict[str, int] | None:
        return super().usage_of({k: v for k, v in obj.items() if k != "x_groq"})  # the bug


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
