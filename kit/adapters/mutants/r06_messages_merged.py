"""Mutant: the text of every message item goes into one SAY (the `output_text` habit).

Rule resp-message-say: openai-python's ``Response.output_text`` convenience property
joins the text of all message items, and handlers that show "the answer" that way merge
a preamble before a call with the text after it, losing the order of SAY and DO
(gpt-5.x commentary messages, quirks section 3.1). The Plan conventions make each
message item's text its own SAY, in output order.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_responses import Item, NaiveResponses, Say, declare

QUIRK = "resp-message-say"
BREAKS = ("resp-message-say",)
NEEDS = ("a valid trace with two message items, one before and one after a call "
         "(rule resp-message-say), e.g. y_two_messages_around_call")


class Mutant(NaiveResponses):
    def say(self, item: Item, text: str) -> None:
        self.touched = True
        first = next((c for c in self.commands if isinstance(c, Say)), None)
        if first is None:
            first = Say(item.key)
            self.commands.append(first)
        first.pieces.append(text)  # the bug: one text for the whole response


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
