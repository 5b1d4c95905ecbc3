"""Mutant: a function call is run at `response.output_item.added`, with the arguments it has then.

Rule resp-dispatch-at-item-done (the classic Responses bug; with R9 its mirror image): the
added item of a streamed call carries ``arguments: ""``, the arguments follow as deltas,
so a handler that runs the tool as soon as the item is announced runs it with ``{}``
(pydantic/pydantic-ai#5757 discussion; conformance rule resp-dispatch-at-item-done).
The Plan conventions dispatch a call at its ``output_item.done`` (else when the response
completes), never at ``output_item.added``.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_responses import Item, NaiveResponses, declare

QUIRK = "resp-dispatch-at-item-done"
BREAKS = ("resp-dispatch-at-item-done",)
NEEDS = ("a valid trace whose function_call item is added with empty arguments that then stream "
         "(rule resp-dispatch-at-item-done), e.g. y_text_then_function_call")


class Mutant(NaiveResponses):
    def on_added(self, item: Item, doc: Any) -> None:
        super().on_added(item, doc)
        if self.is_client_call(item.type) and not item.done:
            self.complete(item)  # the bug: run it now; later events for the item change nothing


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
