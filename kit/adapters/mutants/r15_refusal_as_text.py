"""Mutant: refusal parts are shown as ordinary text.

Quirk Q41 (refusals), rule resp-refusal: a refusal is the model declining, which an
application must tell apart from an answer (LangChain's ``OpenAIRefusalError``,
langchain-ai/langchain#39747); handlers that merge ``response.refusal.delta`` into the
text show it as the answer. The Plan keeps it as the choice's ``refusal``, never a SAY.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_responses import Item, NaiveResponses, declare

QUIRK = "Q41"
BREAKS = ("resp-refusal",)
NEEDS = "a valid trace with a refusal part (rule resp-refusal), e.g. y_refusal"


class Mutant(NaiveResponses):
    def on_refusal(self, item: Item, text: Any, *, final: bool) -> None:
        if isinstance(text, str) and text and not (final and item.refused):
            item.refused = True
            self.say(item, text)  # the bug


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
