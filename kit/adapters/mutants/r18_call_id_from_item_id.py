"""Mutant: a call's id is taken from the item's `id` (`fc_...`) instead of its `call_id`.

Quirk R5 (``item_id`` vs ``call_id``): delta events and items carry the item id
(``fc_...``), but a tool result must reference ``call_id`` (``call_...``); mixing them
detaches the results from their calls (Alishahryar1/free-claude-code#1189). The Plan's
``call_id`` is the item's ``call_id``.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_responses import Item, NaiveResponses, declare

QUIRK = "R5"
BREAKS = ()
NEEDS = ("a valid trace with a function_call item whose id differs from its call_id, "
         "e.g. y_text_then_function_call")


class Mutant(NaiveResponses):
    def do_command(self, item: Item) -> dict[str, Any]:
        out = super().do_command(item)
        out["call_id"] = item.id  # the bug
        return out


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
