"""Mutant: events are dispatched on the SSE `event:` name; data-only events are dropped.

Quirks Q08/A3 (Anthropic-format SSE without ``event:`` lines): both official SDKs
dispatch on the event name, so a proxy's data-only stream gives zero events
(``@anthropic-ai/sdk``: "request ended without sending any chunks"; the Python SDK skips
them and hits an ``AssertionError``; earendil-works/pi#1983, openclaw/openclaw#37571,
coder/coder#23587). Rule anth-event-name: route by the payload's ``type``.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_anthropic import NaiveAnthropic, declare

QUIRK = "Q08/A3"
BREAKS = ("anth-event-name",)
NEEDS = "a valid trace without event: lines (rule anth-event-name), e.g. y_no_event_lines"


class Mutant(NaiveAnthropic):
    def on_event(self, name: str, data: str) -> None:
        if name == "message":
            return  # the bug: an event without a name is not one of ours
        super().on_event(name, data)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
