"""Mutant: a tool_use block without a name is skipped silently.

Rule anth-tool-incomplete (every tool_use carries a non-empty ``id`` and ``name``; a call
without a name cannot be executed, and the consumer must say so): a handler that looks the
tool up by name and skips what it cannot find loses the call and reports nothing.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_anthropic import NaiveAnthropic, declare

QUIRK = "anth-tool-incomplete"
BREAKS = ("anth-tool-incomplete", "plan-fault-reported")
NEEDS = "an invalid trace with a tool_use block that has no name (rule anth-tool-incomplete), e.g. n_tool_use_without_name"


class Mutant(NaiveAnthropic):
    def plan(self) -> dict[str, Any]:
        plan = super().plan()
        for choice in plan["choices"]:  # the bug: calls without a name are dropped
            choice["commands"] = [c for c in choice["commands"] if c["type"] != "DO" or c["action"]]
        return plan


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
