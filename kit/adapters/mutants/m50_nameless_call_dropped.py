"""Mutant: a tool call without a name is skipped silently.

Rule chat-tool-call-incomplete (every call has a non-empty id and name when it is
dispatched; LM Studio and vLLM variants send ``""`` names:
lmstudio-ai/lmstudio-bug-tracker#649): a handler that looks the tool up by name and skips
what it cannot find loses the call and reports nothing.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive import NaiveChat, declare

QUIRK = "chat-tool-call-incomplete"
BREAKS = ("chat-tool-call-incomplete", "plan-fault-reported")
NEEDS = "an invalid trace with a tool call that has no name (rule chat-tool-call-incomplete), e.g. n_tool_call_without_name"


class Mutant(NaiveChat):
    def plan(self) -> dict[str, Any]:
        plan = super().plan()
        for choice in plan["choices"]:  # the bug: calls without a name are dropped
            choice["commands"] = [c for c in choice["commands"] if c["type"] != "DO" or c["action"]]
        return plan


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
