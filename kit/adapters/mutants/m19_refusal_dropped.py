"""Mutant: ``delta.refusal`` is dropped (the handler reads only ``content``).

Quirk Q41 (refusal deltas): LangChain dropped streamed refusals, so callers got a generic
``ValueError`` instead of ``OpenAIRefusalError`` (langchain-ai/langchain#39747);
langchain4j's ``Delta`` had no ``refusal`` field (langchain4j/langchain4j#5814); LiteLLM's
Chat/Responses bridge drops ``response.refusal.*`` (BerriAI/litellm#39203). The Plan keeps
the refusal in the choice's ``refusal`` field.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive import Choice, NaiveChat, declare

QUIRK = "Q41"
BREAKS = ("chat-refusal",)
NEEDS = "a valid trace with `delta.refusal` (rule chat-refusal), e.g. y_refusal"


class Mutant(NaiveChat):
    def on_refusal(self, c: Choice, text: str) -> None:
        pass  # the bug: no refusal field in the handler's delta model


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
