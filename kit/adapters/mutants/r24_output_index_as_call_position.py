"""Mutant: a call's `output_index` is used as its position in the list of calls.

Quirk R10 (parallel calls: ``output_index`` vs the tool index): reasoning and message
items take ``output_index`` slots, so function calls sit at e.g. 1 and 3, not 0 and 1;
bridges that used the output index as a dense tool index mis-routed or lost calls
(BerriAI/litellm#21337; mcowger/plexus#694 needed stable maps for non-contiguous
indexes). Here the argument events look their call up as ``calls[output_index]`` and
raise ``IndexError`` once another item took a slot. The Plan keys calls by
``output_index`` without assuming it is dense.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_responses import Item, NaiveResponses, declare

QUIRK = "R10"
BREAKS = ()
NEEDS = ("a valid trace whose function call follows a reasoning or message item "
         "(rule resp-item-added-missing), e.g. y_reasoning_then_function_call")


class Mutant(NaiveResponses):
    def on_added(self, item: Item, doc: Any) -> None:
        super().on_added(item, doc)
        if self.is_client_call(item.type):
            self.__dict__.setdefault("call_list", []).append(item)

    def on_item_event(self, item: Item, t: str, obj: dict) -> None:
        if t.startswith("response.function_call_arguments"):
            item = self.__dict__.setdefault("call_list", [])[obj["output_index"]]  # the bug: IndexError
        super().on_item_event(item, t, obj)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
