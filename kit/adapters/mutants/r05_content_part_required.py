"""Mutant: a text delta goes to `content[content_index]`, which only `content_part.added` creates.

Quirk R1 (missing ``output_item.added`` / ``content_part.added``): sub2api omitted
``response.content_part.added`` (Wei-Shaw/sub2api#2875) and bridges suppressed
``output_item.added`` (ranxianglei/billion-context#62); openai-python 3.54.0 then raises
``IndexError`` on the text delta, and Codex drops the deltas "without active item"
(quirks section 1.3). Rule resp-item-added-missing: a consumer accepts them without.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_responses import Item, NaiveResponses, declare

QUIRK = "R1"
BREAKS = ("resp-item-added-missing",)
NEEDS = ("a valid trace whose text deltas come without content_part.added "
         "(rule resp-item-added-missing), e.g. y_item_added_missing")


class Mutant(NaiveResponses):
    def on_item_event(self, item: Item, t: str, obj: dict) -> None:
        if t == "response.content_part.added":
            item.__dict__.setdefault("content", []).append(obj.get("part"))
        super().on_item_event(item, t, obj)

    def on_text_delta(self, item: Item, ci: int, delta: Any) -> None:
        item.__dict__.setdefault("content", [])[ci]  # the bug: IndexError without content_part.added
        super().on_text_delta(item, ci, delta)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
