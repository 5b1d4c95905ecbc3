"""Mutant: `response.completed`'s `output` is iterated, so `output: null` raises TypeError.

Quirk R3 (``response.completed`` without ``output``): some OpenAI-compatible endpoints
and a Codex outage sent ``output: null``, and older openai-python raised ``TypeError:
'NoneType' object is not iterable`` (NousResearch/hermes-agent#32914, root #11179).
Rule resp-completed-output: build the result from the streamed items.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_responses import NaiveResponses, declare

QUIRK = "R3"
BREAKS = ("resp-completed-output",)
NEEDS = ("a valid trace whose response.completed has output null (rule resp-completed-output), "
         "e.g. y_completed_output_null")


class Mutant(NaiveResponses):
    def on_terminal(self, obj: dict) -> None:
        if obj["type"] == "response.completed":
            for _ in obj["response"]["output"]:  # the bug: TypeError on null
                pass
        super().on_terminal(obj)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
