"""Mutant: chunks whose ``object`` is not ``"chat.completion.chunk"`` are dropped.

Quirk Q12 (wrong or missing ``object``: Foundry Local sends ``"chat.completion"``,
microsoft/foundry-local#31; TensorRT-Edge-LLM omits it, NVIDIA/TensorRT-Edge-LLM#93):
openai-python's ``chat.completions.stream()`` helper silently drops such chunks
(``_is_valid_chat_completion_chunk_weak``), so text is lost with no error. The Plan
conventions keep the chunks (rule chat-chunk-object).
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive import NaiveChat, declare

QUIRK = "Q12"
BREAKS = ("chat-chunk-object",)
NEEDS = ("a valid trace whose chunks have a missing or different `object` "
         "(rule chat-chunk-object), e.g. y_chunk_object_wrong or y_chunk_object_missing")


class Mutant(NaiveChat):
    def on_chunk(self, obj: dict) -> None:
        if obj.get("object") != "chat.completion.chunk":
            return  # the bug: a "weak" chunk filter
        super().on_chunk(obj)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
