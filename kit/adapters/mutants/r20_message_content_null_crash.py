"""Mutant: a message item's `content` is iterated, so `content: null` raises TypeError.

Quirk R2 (malformed items): vLLM emitted a ``message`` item with ``"content": null``
between reasoning and a function call; pi crashed on ``item.content.map`` and never ran
the call (earendil-works/pi#5819), and openai-python 3.54.0 raises ``AttributeError``.
Rule resp-malformed-item: tolerate ``null`` and missing fields.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_responses import Item, NaiveResponses, declare

QUIRK = "R2"
BREAKS = ("resp-malformed-item",)
NEEDS = ("a valid trace with a message item whose content is null (rule resp-malformed-item), "
         "e.g. y_message_content_null")


class Mutant(NaiveResponses):
    def take_message_content(self, item: Item, content: Any) -> None:
        for _ in content:  # the bug: TypeError on null
            pass
        super().take_message_content(item, content)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
