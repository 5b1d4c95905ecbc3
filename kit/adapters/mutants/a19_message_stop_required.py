"""Mutant: a stream without `message_stop` is taken as cut off, though its stop reason came.

Rule anth-message-stop-missing: a stream can end after a ``message_delta`` with a stop
reason and no ``message_stop`` (the Python SDK returns what it has); a handler that waits
for ``message_stop`` to call the message complete reports a finished answer as truncated
and never runs its calls. The Plan accepts it.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_anthropic import NaiveAnthropic, declare

QUIRK = "anth-message-stop-missing"
BREAKS = ("anth-message-stop-missing",)
NEEDS = ("a valid trace that ends after message_delta without message_stop (rule anth-message-stop-missing), "
         "e.g. y_message_stop_missing")


class Mutant(NaiveAnthropic):
    def end_of_stream(self) -> None:
        if not self.stopped and not self.failed:
            self.finish = None  # the bug: no message_stop, so not finished
            self.stop_seen = False
        super().end_of_stream()


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
