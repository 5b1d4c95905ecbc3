"""Mutant: a choice that finishes with ``stop`` runs no tool calls (an agent loop that
branches on the finish reason).

Quirk Q39: OpenAI itself (gpt-4o-mini, gpt-3.5-turbo), Gemini's compatible endpoint and vLLM send
``finish_reason: "stop"`` on a choice that carries tool calls (ENTERPILOT/GoModel#124,
vllm-project/vllm#9209); a consumer that runs the calls only when the finish is
``tool_calls`` loses them. The Plan conventions keep and dispatch the calls whatever the
finish reason says.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive import Choice, NaiveChat, declare

QUIRK = "Q39"
BREAKS = ("chat-finish-reason-conflict",)
NEEDS = ("a valid trace whose choice carries tool calls but finishes with \"stop\" "
         "(rule chat-finish-reason-conflict), e.g. y_finish_stop_with_tool_calls")


class Mutant(NaiveChat):
    def on_finish(self, c: Choice, raw: str) -> None:
        super().on_finish(c, raw)
        if c.finish == "stop":  # the bug: no tool_calls finish, no calls
            c.commands = [cmd for cmd in c.commands if cmd not in c.calls]
            c.calls = []


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
