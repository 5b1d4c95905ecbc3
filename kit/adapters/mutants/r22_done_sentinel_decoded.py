"""Mutant: a trailing `data: [DONE]` is JSON-decoded, and the decoding error propagates.

Rule resp-done-sentinel: OpenRouter and Chat-to-Responses bridges append the Chat
Completions sentinel to Responses streams (BerriAI/litellm#22102); a Responses handler
that does not expect it fails to decode it at the very end of a complete answer (the
Responses form of quirk Q03's appended sentinel). Other non-JSON heartbeats are skipped
here, so only the sentinel is the bug. A consumer ignores it.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from ._naive_responses import NaiveResponses, declare

QUIRK = "resp-done-sentinel"
BREAKS = ("resp-done-sentinel",)
NEEDS = "a valid trace ending with data: [DONE] (rule resp-done-sentinel), e.g. y_openrouter_no_event_lines"


class Mutant(NaiveResponses):
    def on_event(self, name: str, data: str) -> None:
        if data.strip() == "[DONE]":
            json.loads(data)  # the bug: JSONDecodeError
        super().on_event(name, data)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
