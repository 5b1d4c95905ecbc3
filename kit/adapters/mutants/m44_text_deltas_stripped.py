"""Mutant: each ``delta.content`` string is stripped of surrounding whitespace before it is shown.

Rule chat-text-say (a choice's content strings are joined in order and unchanged): a
handler that tidies every delta with ``strip()`` glues the words of a streamed answer
together, because tokens carry their leading spaces (" world").
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive import Choice, NaiveChat, declare

QUIRK = "chat-text-say"
BREAKS = ("chat-text-say",)
NEEDS = "a valid trace whose text deltas start or end with spaces (rule chat-text-say), e.g. y_text_only"


class Mutant(NaiveChat):
    def on_text(self, c: Choice, text: str) -> None:
        if text.strip():  # the bug: whitespace around each delta is dropped
            super().on_text(c, text.strip())


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
