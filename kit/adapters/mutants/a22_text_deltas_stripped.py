"""Mutant: each ``text_delta`` is stripped of surrounding whitespace before it is shown.

Rule anth-text-say (each text block's text is a SAY, joined unchanged): a handler that
tidies every delta with ``strip()`` glues the words of the answer together, because the
deltas carry their leading spaces.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_anthropic import Block, NaiveAnthropic, declare

QUIRK = "anth-text-say"
BREAKS = ("anth-text-say",)
NEEDS = "a valid trace whose text deltas start or end with spaces (rule anth-text-say), e.g. y_text_only"


class Mutant(NaiveAnthropic):
    def on_text(self, b: Block, text: str) -> None:
        if text.strip():  # the bug: whitespace around each delta is dropped
            super().on_text(b, text.strip())


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
