"""Streaming mutant: a function call is run at `response.output_item.added`, with the arguments it has there.

Rule resp-dispatch-at-item-done, the streaming face of ``r01``: the added item of a
streamed call carries ``arguments: ""`` and the arguments follow as deltas, so a handler
that runs the tool as soon as the item is announced runs it with ``{}``
(pydantic/pydantic-ai#5757 discussion). This one goes on collecting the deltas, so its
final Plan is right: only the dispatch point (``tool_call.done`` at the added item, with
``{}``) is wrong. The Plan conventions dispatch a call at its ``output_item.done``.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_responses import Item
from ._streaming import Sink, StreamingResponses, declare, parse

QUIRK = "resp-dispatch-at-item-done"
BREAKS = ("plan-dispatch-complete",)
NEEDS = ("a valid trace whose function_call item is added with empty arguments that then stream "
         "(rule resp-dispatch-at-item-done), e.g. y_text_then_function_call")
EXPECTED = "FAIL"  # plan-dispatch-complete: dispatched with partial arguments
SHOWN_BY = ("y_text_then_function_call", "y_parallel_function_calls")


class Mutant(StreamingResponses):
    def on_added(self, item: Item, doc: Any) -> None:
        super().on_added(item, doc)
        if self.is_client_call(item.type) and item.type == "function_call" and item.started:
            arguments = item.added_args or "".join(item.deltas)
            self.dispatch_now(0, self.commands.index(item), arguments, parse(arguments))  # the bug


@declare("openai.responses")
def accumulate(reads: Iterable[bytes], sink: Sink, *, api: str) -> dict[str, Any]:
    return Mutant(sink).accumulate(reads)
