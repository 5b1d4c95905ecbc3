"""Mutant: events that arrive before `message_start` are not accumulated.

Rule anth-message-start: the Python SDK's ``MessageStream`` yields events that come
before ``message_start`` raw and does not accumulate them (quirks section 1.4), so a
gateway that flushes the first block before ``message_start`` loses its text. A consumer
must not drop them.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_anthropic import NaiveAnthropic, declare

QUIRK = "anth-message-start"
BREAKS = ("anth-message-start",)
NEEDS = ("a valid trace with content events before message_start (rule anth-message-start), "
         "e.g. y_events_before_message_start")


class Mutant(NaiveAnthropic):
    def on_payload(self, obj: dict) -> None:
        if not self.started and obj["type"] not in ("message_start", "error"):
            return  # the bug
        super().on_payload(obj)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
