"""Mutant: ``choice["delta"]`` is read unguarded, so a choice without a delta crashes.

Quirk Q10 (Azure asynchronous content-filter annotation chunks, a choice with
``content_filter_results`` and no ``delta``): ``choice.delta.tool_calls`` raises
``AttributeError`` (microsoft/semantic-kernel#7250, microsoft/autogen#6465,
BerriAI/litellm#3811, spring-projects/spring-ai#7014). A crash is a caught mutant.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive import NaiveChat, declare

QUIRK = "Q10"
BREAKS = ("chat-choice-without-delta",)
NEEDS = ("a valid trace with a choice that has no `delta` (rule chat-choice-without-delta), "
         "e.g. y_azure_filter_chunks")


class Mutant(NaiveChat):
    def on_choice(self, ch: dict) -> None:
        ch["delta"].get("content")  # the bug: `choice.delta.content`, unguarded
        super().on_choice(ch)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
