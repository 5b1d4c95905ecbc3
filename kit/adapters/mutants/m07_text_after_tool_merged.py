"""Mutant: text that follows a tool call is appended to the SAY before the call.

Quirk Q35 (text after a tool call in the same turn, from sglang/Qwen3, Groq, Mistral, LFM2):
pydantic-ai appended the trailing text to the already-ended pre-call ``TextPart``, giving a
wrong part order (pydantic/pydantic-ai#8208, #8251). The Plan conventions open a new SAY
after the DO.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive import Call, Choice, NaiveChat, declare

QUIRK = "Q35"
BREAKS = ("chat-text-after-tool",)
NEEDS = "a valid trace with text after a tool call (rule chat-text-after-tool), e.g. y_text_after_tool_call"


class Mutant(NaiveChat):
    def open_call(self, c: Choice, index: int | None) -> Call:
        say = c.say
        call = super().open_call(c, index)
        c.say = say  # the bug: the text part stays open across the tool call
        return call


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
