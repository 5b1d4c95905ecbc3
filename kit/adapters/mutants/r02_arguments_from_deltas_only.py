"""Mutant: a call's arguments are built from `function_call_arguments.delta` events only.

Quirk R9 (arguments only in ``output_item.added``/``.done`` or in
``function_call_arguments.done``, no deltas): some servers send the whole arguments on
the item and no delta, and accumulators that build them from deltas alone run the tool
with an empty string (greeves89/AI-Employee#285). The Plan conventions take the first
non-empty of the finished item, the ``.done`` event, the deltas, the added item.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_responses import Item, NaiveResponses, declare

QUIRK = "R9"
BREAKS = ("resp-arguments-source",)
NEEDS = ("a valid trace whose function call has no argument deltas, the arguments only in the .done "
         "event or the item (rule resp-arguments-source), e.g. y_arguments_without_deltas")


class Mutant(NaiveResponses):
    def arguments_of(self, item: Item) -> str:
        return "".join(item.deltas)  # the bug: the final values are never looked at


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
