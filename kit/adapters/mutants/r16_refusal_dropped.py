"""Mutant: `response.refusal.*` events are dropped.

Quirk Q41 (refusals), rule resp-refusal: LiteLLM's Chat-to-Responses bridge drops
``response.refusal.*`` (BerriAI/litellm#39203), so the turn looks like an empty answer.
The Plan keeps the refusal text as the choice's ``refusal``.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_responses import Item, NaiveResponses, declare

QUIRK = "Q41"
BREAKS = ("resp-refusal",)
NEEDS = "a valid trace with a refusal part (rule resp-refusal), e.g. y_refusal"


class Mutant(NaiveResponses):
    def on_refusal(self, item: Item, text: Any, *, final: bool) -> None:
        pass  # the bug


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
