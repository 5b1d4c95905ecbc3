"""Mutant: `thinking_delta` text is shown as visible text.

Rule anth-thinking: in extended-thinking streams a ``thinking`` block precedes the
answer and the tool calls; a handler that shows every ``*_delta`` text shows the model's
reasoning to the user (the Anthropic form of quirk Q40). Thinking is never SAY.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_anthropic import Block, NaiveAnthropic, declare

QUIRK = "anth-thinking"
BREAKS = ("anth-thinking",)
NEEDS = "a valid trace with streamed thinking (rule anth-thinking), e.g. y_thinking_then_tool_use"


class Mutant(NaiveAnthropic):
    def on_thinking(self, b: Block, text: str) -> None:
        self.on_text(b, text)  # the bug


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
