"""Mutant: ``usage`` is overwritten by every chunk, so a later chunk without it erases it.

Quirk Q11 (usage placements): openai-python's ``ChatCompletionStreamState`` overwrites
``usage`` on every chunk, so usage followed by a chunk with ``usage: null`` (or none) is
lost (quirks section 1.2 item 6; xAI Grok sends usage in the second-to-last chunk,
BerriAI/litellm#17136). The Plan conventions take usage from whichever chunk carries it.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive import NaiveChat, declare

QUIRK = "Q11"
BREAKS = ("chat-usage",)
NEEDS = ("a valid trace whose usage chunk is followed by a chunk without usage "
         "(rule chat-usage), e.g. y_usage_before_empty_final_chunk")


class Mutant(NaiveChat):
    def on_chunk(self, obj: dict) -> None:
        super().on_chunk(obj)
        self.usage = self.usage_of(obj)  # the bug: `snapshot.usage = chunk.usage`


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
