"""Mutant: a stream without `message_stop` is taken as cut off, though its stop reason came.

Rule anth-message-stop-missing: a stream can end after a ``message_delta`` with a stop
reason and no ``message_stop``; a handler that waits for ``message_stop`` to call the
message complete drops the finish it was given. Only an ``i_`` trace shows such a stream
(what a consumer makes of it is implementation-defined: no server is known to send it), so
no graded trace kills this mutant; ``tests/test_mutants.py`` lists it as a survivor.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_anthropic import NaiveAnthropic, declare

QUIRK = "anth-message-stop-missing"
BREAKS = ("anth-message-stop-missing",)
NEEDS = ("a graded trace that ends after message_delta without message_stop (rule anth-message-stop-missing); "
         "today only i_message_stop_missing shows one")


class Mutant(NaiveAnthropic):
    def end_of_stream(self) -> None:
        if not self.stopped and not self.failed:
            self.finish = None  # the bug: no message_stop, so not finished
            self.stop_seen = False
        super().end_of_stream()


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
