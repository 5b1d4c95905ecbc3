"""Mutant: a function call without a name is skipped silently.

Rule resp-call-incomplete (every client call has a ``call_id`` and a name; proxies sent
empty names: router-for-me/CLIProxyAPI#1004, anomalyco/opencode#45081): a handler that looks
the tool up by name and skips what it cannot find loses the call and says nothing.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_responses import NaiveResponses, declare

QUIRK = "resp-call-incomplete"
BREAKS = ("resp-call-incomplete", "plan-fault-reported")
NEEDS = "an invalid trace with a function call that has no name (rule resp-call-incomplete), e.g. n_function_call_without_name"


class Mutant(NaiveResponses):
    def plan(self) -> dict[str, Any]:
        plan = super().plan()
        for choice in plan["choices"]:  # the bug: calls without a name are dropped
            choice["commands"] = [c for c in choice["commands"] if c["type"] != "DO" or c["action"]]
        return plan


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
