"""Mutant: an output item is completed only by its own ``response.output_item.done``.

Rule resp-item-done-missing (a consumer completes items still open at
``response.completed`` and reports it): without the done event a handler that completes
items only there never runs the tool call.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_responses import Item, NaiveResponses, declare

QUIRK = "resp-item-done-missing"
BREAKS = ("resp-item-done-missing",)
NEEDS = ("a valid trace whose function_call item has no output_item.done (rule resp-item-done-missing), "
         "e.g. y_item_done_missing")


class Mutant(NaiveResponses):
    at_item_done = False

    def on_item_done(self, item: Item, doc: Any) -> None:
        self.at_item_done = True
        try:
            super().on_item_done(item, doc)
        finally:
            self.at_item_done = False

    def complete(self, item: Item) -> None:
        if self.at_item_done:  # the bug: the response's end completes nothing
            super().complete(item)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
