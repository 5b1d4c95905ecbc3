"""Mutant: a ``delta.content`` that is not a string is ignored.

Rule chat-content-parts (a list's ``text`` parts are text, its ``thinking`` parts reasoning;
mistralai/client-python#16): handlers that check ``isinstance(content, str)`` lose the
answer of Magistral-style streams whose first text arrives as a list of parts.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive import Choice, NaiveChat, declare

QUIRK = "chat-content-parts"
BREAKS = ("chat-content-parts",)
NEEDS = "a valid trace whose content is a list with a text part (rule chat-content-parts), e.g. y_content_parts_thinking"


class Mutant(NaiveChat):
    def on_delta(self, c: Choice, delta: dict) -> None:
        if isinstance(delta.get("content"), list):
            delta = {k: v for k, v in delta.items() if k != "content"}  # the bug: lists are skipped
        super().on_delta(c, delta)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
