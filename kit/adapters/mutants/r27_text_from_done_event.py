"""Mutant: a text part's ``output_text.done`` text replaces what its deltas said.

Rule resp-text-mismatch (a consumer keeps the deltas, which the user already saw, and
reports a different final text): a handler that rebuilds the answer from the done event
shows the user one text while streaming and stores another.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_responses import Item, NaiveResponses, declare

QUIRK = "resp-text-mismatch"
BREAKS = ("resp-text-mismatch",)
NEEDS = ("a valid trace whose output_text.done differs from the joined deltas in words, not only in "
         "whitespace (rule resp-text-mismatch), e.g. i_text_done_missing_tail, where which text to keep is implementation-defined")


class Mutant(NaiveResponses):
    def on_text_done(self, item: Item, ci: int, text: Any) -> None:
        if isinstance(text, str) and ci in item.parts and self.open_say is not None \
                and self.open_say.key == item.key:
            # the bug: the done text replaces this part's deltas in the open SAY
            said = "".join(item.parts[ci])
            joined = "".join(self.open_say.pieces)
            if joined.endswith(said):
                self.open_say.pieces = [joined[:len(joined) - len(said)] + text]
                item.parts[ci] = [text]
                return
        super().on_text_done(item, ci, text)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
