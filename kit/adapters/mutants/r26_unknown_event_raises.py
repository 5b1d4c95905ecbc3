"""Mutant: an event type the handler does not know raises an error.

Rule resp-unknown-event (a consumer ignores event types it does not know; new ones arrive
every few months): an exhaustive ``match`` on the event type with a failing default breaks
working code on the next model release, or on a gateway's keep-alive events.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_responses import NaiveResponses, declare

QUIRK = "resp-unknown-event"
BREAKS = ("resp-unknown-event",)
NEEDS = "a valid trace with an event type outside the documented set (rule resp-unknown-event), e.g. y_keepalive_events"

KNOWN_PREFIXES = ("response.",)
KNOWN = {"error"}


class Mutant(NaiveResponses):
    def on_payload(self, obj: dict) -> None:
        t = obj["type"]
        if t not in KNOWN and not t.startswith(KNOWN_PREFIXES):
            raise ValueError(f"unknown event type {t!r}")  # the bug: unknown is fatal
        super().on_payload(obj)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
