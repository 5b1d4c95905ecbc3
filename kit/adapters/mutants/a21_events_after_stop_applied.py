"""Mutant: events after `message_stop` are still applied.

Rule anth-after-stop: a faulty relay replayed events after ``message_stop`` (a text
block, a second ``message_delta``); a handler that keeps applying them adds text to a
finished answer and overwrites its stop reason and usage. No server is known to send
such a stream and every client library graded reads on, so whether to is
implementation-defined: only an ``i_`` trace shows it and the mutant survives.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_anthropic import NaiveAnthropic, declare

QUIRK = "anth-after-stop"
BREAKS = ("anth-after-stop",)
NEEDS = ("a graded trace where reading past message_stop changes the Plan (rule anth-after-stop); today only "
         "i_events_after_message_stop shows one")


class Mutant(NaiveAnthropic):
    def on_message_stop(self) -> None:
        super().on_message_stop()
        self.stopped = False  # the bug: later events are still applied


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
