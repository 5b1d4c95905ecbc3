"""Mutant: only events without an ``event:`` name (type ``message``) and ``error`` events are read.

Rule chat-unknown-event (a consumer ignores event names it does not know and reads the
data as chunks): a browser ``EventSource``'s ``onmessage`` sees only events of type
``message``, and handlers modelled on it drop every event a gateway names otherwise.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive import NaiveChat, declare

QUIRK = "chat-unknown-event"
BREAKS = ("chat-unknown-event",)
NEEDS = "a valid trace whose events carry an unknown `event:` name (rule chat-unknown-event), e.g. y_unknown_event_name"


class Mutant(NaiveChat):
    def on_event(self, name: str, data: str) -> None:
        if name in ("message", "error"):  # the bug: other names are dropped
            super().on_event(name, data)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
