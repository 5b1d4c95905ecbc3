"""Mutant: a candidate that finishes with `STOP` is taken to have no tool calls.

Rule gem-finish-stop-with-calls: Gemini has no tool-call finish reason; a turn with
function calls ends with ``STOP`` like any other. A handler ported from OpenAI's protocol,
where ``finish_reason == "stop"`` means "no tool calls", drops the calls of a STOP turn
(the Gemini form of the Chat quirk of mutant m53).
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_gemini import Call, Candidate, NaiveGemini, declare

QUIRK = "gem-finish-stop-with-calls"
BREAKS = ("gem-finish-stop-with-calls",)
NEEDS = "a valid trace with a function call and finishReason STOP (rule gem-finish-stop-with-calls)"


class Mutant(NaiveGemini):
    def on_finish(self, c: Candidate, raw: str) -> None:
        super().on_finish(c, raw)
        if raw == "STOP":
            c.commands = [x for x in c.commands if not isinstance(x, Call)]  # the bug


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
