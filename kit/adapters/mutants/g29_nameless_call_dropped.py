"""Mutant: a functionCall without a name is skipped silently.

Rule gem-call-incomplete: a call without a name cannot be run, and the consumer must say
so. A handler that looks the tool up by name and skips what it cannot find loses the call
and reports nothing (the Gemini form of mutants a25 and m50).
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_gemini import NaiveGemini, declare

QUIRK = "gem-call-incomplete"
BREAKS = ("gem-call-incomplete", "plan-fault-reported")
NEEDS = "an invalid trace with a functionCall part that has no name (rule gem-call-incomplete), e.g. n_call_without_name"


class Mutant(NaiveGemini):
    def plan(self) -> dict[str, Any]:
        plan = super().plan()
        for choice in plan["choices"]:  # the bug: calls without a name are dropped
            choice["commands"] = [c for c in choice["commands"] if c["type"] != "DO" or c["action"]]
        return plan


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
