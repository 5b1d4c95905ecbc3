"""Mutant: a stream that ends without a terminal event is taken as a completed response.

Rule resp-truncated: a cut connection looks like a short answer; handlers that finish
whatever they have at end of body run half-streamed calls and report success
(NousResearch/hermes-agent#32914). The Plan reports finish null and never dispatches the
open calls.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_responses import NaiveResponses, declare

QUIRK = "resp-truncated"
BREAKS = ("resp-truncated", "plan-fault-reported")
NEEDS = "an invalid trace cut before any terminal event (rule resp-truncated), e.g. n_truncated_mid_arguments"


class Mutant(NaiveResponses):
    def end_of_stream(self) -> None:
        if self.terminal is None and not self.failed:
            self.on_terminal({"type": "response.completed", "response": {}})  # the bug
        super().end_of_stream()


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
