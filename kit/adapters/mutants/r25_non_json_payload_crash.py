"""Mutant: every ``data`` payload goes through ``json.loads`` unguarded, and must be an object with a ``type``.

Rule resp-event-json (every payload must be a JSON object with a string ``type``; a
consumer skips and reports any other): a keep-alive ``data:`` line or a payload without
``type`` raises out of the handler and loses the response.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from ._naive_responses import NaiveResponses, declare

QUIRK = "resp-event-json"
BREAKS = ("resp-event-json",)
NEEDS = "a valid trace with data payloads that are not typed JSON objects (rule resp-event-json), e.g. y_non_event_payloads"


class Mutant(NaiveResponses):
    def on_event(self, name: str, data: str) -> None:
        if data.strip() == "[DONE]":
            return
        obj = json.loads(data)  # the bug: no guard, and `type` taken for granted
        self.on_payload({**obj, "type": obj["type"]})


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
