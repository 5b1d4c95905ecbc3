"""Mutant: the finish is taken from ``message_delta`` only, never from ``message_start``.

Rule anth-message-start-content: a programmatic tool calling continuation states its stop
reason in ``message_start.message.stop_reason`` and sends no ``message_delta``. A handler
that keeps the content of ``message_start`` (as both official SDKs' snapshots do,
``accumulate_event``) but tracks the stop reason from ``message_delta.delta`` alone ends
the turn with finish null: the call is there, but nothing says the turn waits on it.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_anthropic import NaiveAnthropic, declare

QUIRK = "anth-message-start-content"
BREAKS = ("anth-message-start-content",)
NEEDS = ("a valid trace whose only stop reason is message_start's message.stop_reason "
         "(rule anth-message-start-content), e.g. y_message_start_tool_use")


class Mutant(NaiveAnthropic):
    def on_message_start(self, obj: dict) -> None:
        super().on_message_start(obj)
        self.start_reason = None  # the bug: a stop reason is only ever read from message_delta


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
