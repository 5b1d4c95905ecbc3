"""Mutant: `stop_reason: pause_turn` is taken as a normal end of turn.

Rule anth-stop-reason: a long server-tool turn paused by the API ends with
``pause_turn`` and must be continued by sending the response back; a handler that maps
every non-tool stop reason to "done" ends the conversation with a half-finished answer
(the Anthropic form of quirk Q39's finish reasons that disagree with the content). The
Plan gives finish ``incomplete``.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_anthropic import NaiveAnthropic, declare

QUIRK = "anth-stop-reason"
BREAKS = ("anth-stop-reason",)
NEEDS = "a valid trace with stop_reason pause_turn (rule anth-stop-reason), e.g. y_pause_turn"


class Mutant(NaiveAnthropic):
    def finish_of(self, raw: str) -> str | None:
        return "stop" if raw == "pause_turn" else super().finish_of(raw)  # the bug


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
