"""Mutant: events are routed to their item by `item_id` instead of `output_index`.

Quirk R5 (item ids that rotate, come late or are missing): vLLM changed item ids
between events and the completed response (vllm-project/vllm#47916, #24788), a bridge
put ``call_id`` where ``item_id`` belongs (Oaklight/llm-rosetta#86), and a
``function_call`` item may have no ``id`` at all (anomalyco/opencode#45081). A handler
keyed by id loses the deltas to phantom items. openai-python 3.54.0 and the Plan
conventions key items by ``output_index``.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_responses import NaiveResponses, declare

QUIRK = "R5"
BREAKS = ("resp-item-id-mismatch",)
NEEDS = ("a valid trace whose item ids change between events or are missing "
         "(rule resp-item-id-mismatch), e.g. y_item_id_rotating or y_function_call_without_id")


class Mutant(NaiveResponses):
    def item_key(self, obj: dict) -> Any:
        doc = obj.get("item")
        if isinstance(doc, dict):
            return doc.get("id")  # the bug: added/done are keyed by the item's id ...
        return obj.get("item_id")  # ... and every other event by its item_id


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
