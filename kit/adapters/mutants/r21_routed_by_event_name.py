"""Mutant: events are routed by the SSE `event:` name instead of the payload's `type`.

Rule resp-event-name: OpenRouter sends data-only Responses streams, and consumers that
dispatch on the SSE event name see nothing (earendil-works/pi#1983); gateways also write
event names that disagree with the payload. A consumer routes by ``type``.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_responses import NaiveResponses, declare

QUIRK = "resp-event-name"
BREAKS = ("resp-event-name",)
NEEDS = ("a valid trace without event: lines or with event names that differ from the payload type "
         "(rule resp-event-name), e.g. y_openrouter_no_event_lines or y_event_name_mismatch")


class Mutant(NaiveResponses):
    def on_payload(self, obj: dict) -> None:
        super().on_payload(dict(obj, type=self._current_name))  # the bug: the SSE name decides

    def on_event(self, name: str, data: str) -> None:
        self._current_name = name
        super().on_event(name, data)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
