"""Mutant: a `data: [DONE]` that a gateway appends is JSON-decoded, and the error propagates.

Quirk Q03 (variant: a gateway, Azure APIM per the reporter, appends ``data: [DONE]`` to an
Anthropic stream; anthropics/anthropic-sdk-csharp#202): a handler that decodes every
``data`` payload fails at the very end of a complete answer. Other non-JSON keep-alives
are skipped here, so only the sentinel is the bug. Rule anth-done-sentinel: ignore it.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from ._naive_anthropic import NaiveAnthropic, declare

QUIRK = "Q03"
BREAKS = ("anth-done-sentinel",)
NEEDS = "a valid trace ending with data: [DONE] (rule anth-done-sentinel), e.g. y_done_sentinel_appended"


class Mutant(NaiveAnthropic):
    def on_event(self, name: str, data: str) -> None:
        if data.strip() == "[DONE]":
            json.loads(data)  # the bug: JSONDecodeError
        super().on_event(name, data)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
