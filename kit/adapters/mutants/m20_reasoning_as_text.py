"""Mutant: ``reasoning_content`` / ``reasoning`` deltas are shown as SAY text.

Quirk Q40 (reasoning deltas from DeepSeek, Qwen/sglang, gpt-oss providers):
openai-python concatenates unknown string fields such as ``reasoning_content`` into the
message like any other text (quirks section 1.2), and handlers that print every string
delta show the chain of thought to the user. The Plan conventions never put reasoning in a
SAY (rule chat-reasoning).
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive import Choice, NaiveChat, declare

QUIRK = "Q40"
BREAKS = ("chat-reasoning",)
NEEDS = "a valid trace with `reasoning_content` deltas (rule chat-reasoning), e.g. y_reasoning_content"


class Mutant(NaiveChat):
    def on_reasoning(self, c: Choice, text: str) -> None:
        self.on_text(c, text)  # the bug: every string delta is text


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
