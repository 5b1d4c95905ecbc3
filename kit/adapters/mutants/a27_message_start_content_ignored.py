"""Mutant: the blocks of ``message_start.message.content`` are ignored; only block events count.

Rule anth-message-start-content: a programmatic tool calling continuation is a
``message_start`` whose message already holds the next ``tool_use`` (its ``caller`` the code
execution tool) and ``stop_reason: "tool_use"``, then ``message_stop``; no block event
follows. A handler that builds the message from ``content_block_*`` events alone (as the
kit's reference did before issue 17; vercel/ai reads the content, vercel/ai#11262) sees no
call: it takes the stop reason, so the turn ends ``tool_calls`` with nothing to run, and the
code waiting in the container never gets its result.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_anthropic import NaiveAnthropic, declare

QUIRK = "anth-message-start-content"
BREAKS = ("anth-message-start-content",)
NEEDS = ("a valid trace whose message_start carries a tool_use in message.content "
         "(rule anth-message-start-content), e.g. y_message_start_tool_use")


class Mutant(NaiveAnthropic):
    def on_start_content(self, content: list) -> None:
        pass  # the bug: message_start is read for its usage and stop reason only


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
