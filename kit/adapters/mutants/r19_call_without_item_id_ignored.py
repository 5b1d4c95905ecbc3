"""Mutant: a finished function call item without an `id` is ignored, so the call is never run.

Quirk R5 (missing item ids): Bedrock Mantle sent terminal ``function_call`` items without
``id`` (renamed ``item_id``), and OpenCode ignored such id-less calls
(anomalyco/opencode#45081, #46885). openai-python 3.54.0 takes ``(type, call_id)`` as a
call's identity and tolerates ``id: null``; the Plan keys items by ``output_index`` and
ids calls by ``call_id``.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_responses import Item, NaiveResponses, declare

QUIRK = "R5"
BREAKS = ("resp-dispatch-at-item-done",)
NEEDS = ("a valid trace whose finished function_call item has no id (rule resp-item-id-mismatch), "
         "e.g. y_function_call_without_id")


class Mutant(NaiveResponses):
    def on_item_done(self, item: Item, doc: Any) -> None:
        if isinstance(doc, dict) and self.is_client_call(doc.get("type")) and not doc.get("id"):
            item.done = True  # the bug: "not a real item", dropped
            return
        super().on_item_done(item, doc)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
