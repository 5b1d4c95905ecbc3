"""Mutant: reasoning summary and reasoning text deltas are shown as visible text.

Rule resp-reasoning (the Responses form of quirk Q40): reasoning items take
``output_index`` slots next to messages and calls (BerriAI/litellm#21337), and a handler
that shows every ``*_text.delta`` shows the model's reasoning to the user. The Plan
never puts reasoning into a SAY.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_responses import Item, NaiveResponses, declare

QUIRK = "resp-reasoning"
BREAKS = ("resp-reasoning",)
NEEDS = ("a valid trace with streamed reasoning summary or reasoning text (rule resp-reasoning), "
         "e.g. y_reasoning_summary")


class Mutant(NaiveResponses):
    def on_reasoning(self, item: Item, text: Any) -> None:
        if isinstance(text, str) and text:
            self.say(item, text)  # the bug


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
