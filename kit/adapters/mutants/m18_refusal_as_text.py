"""Mutant: ``delta.refusal`` is shown as SAY text.

Quirk Q41 (refusal deltas from structured outputs): handlers without a separate refusal
path fold it into the answer (``delta.content or delta.refusal``) or lose it as a refusal
(langchain-ai/langchain#39747; langchain4j/langchain4j#5814, whose ``Delta`` had no
``refusal``; Azure/Google filter "refusals" doubled in the text, ravendb/ravendb#22997).
The Plan conventions keep the refusal apart: never a SAY.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive import Choice, NaiveChat, declare

QUIRK = "Q41"
BREAKS = ("chat-refusal",)
NEEDS = "a valid trace with `delta.refusal` (rule chat-refusal), e.g. y_refusal"


class Mutant(NaiveChat):
    def on_refusal(self, c: Choice, text: str) -> None:
        self.on_text(c, text)  # the bug: `text += delta.content or delta.refusal`


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
