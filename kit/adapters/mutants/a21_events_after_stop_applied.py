"""Mutant: events after `message_stop` are still applied.

Rule anth-after-stop: a faulty relay replayed events after ``message_stop`` (a text
block, a second ``message_delta``); a handler that keeps applying them adds text to a
finished answer and overwrites its stop reason and usage. The message is complete at
``message_stop``.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_anthropic import NaiveAnthropic, declare

QUIRK = "anth-after-stop"
BREAKS = ("anth-after-stop",)
NEEDS = "a valid trace with events after message_stop (rule anth-after-stop), e.g. y_events_after_message_stop"


class Mutant(NaiveAnthropic):
    def on_message_stop(self) -> None:
        super().on_message_stop()
        self.stopped = False  # the bug: later events are still applied


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
