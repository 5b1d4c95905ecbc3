"""Mutant: every ``data`` payload goes through ``json.loads`` unguarded.

Rule anth-event-json (every payload must be a JSON object with a string ``type``; a
consumer skips and reports any other; NousResearch/hermes-agent#35418: an older SDK
JSON-decoded a proxy's empty data and failed): a keep-alive payload raises out of the
handler and loses the message.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from ._naive_anthropic import NaiveAnthropic, declare

QUIRK = "anth-event-json"
BREAKS = ("anth-event-json",)
NEEDS = "a valid trace with data payloads that are not JSON objects (rule anth-event-json), e.g. y_data_not_json"


class Mutant(NaiveAnthropic):
    def on_event(self, name: str, data: str) -> None:
        if data.strip() == "[DONE]":
            return
        obj = json.loads(data)  # the bug: no guard, and `type` taken for granted
        self.on_payload({**obj, "type": obj["type"]})


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
