"""Mutant: the handler returns the list of commands, not a Plan document.

Rule plan-protocol (an adapter answers in the kit's protocol: a Plan document or output
events, ``schemas/protocol.schema.json``): a handler that returns what its own code works
with (here the first choice's commands) cannot be graded, and ``kit verify`` says ERROR
with the rule, on every trace.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive import NaiveChat, declare

QUIRK = "plan-protocol"
BREAKS = ("plan-protocol",)
NEEDS = "any graded trace (rule plan-protocol binds every adapter on every stream), e.g. y_text_only"


class Mutant(NaiveChat):
    def plan(self) -> Any:
        plan = super().plan()
        return plan["choices"][0]["commands"] if plan["choices"] else []  # the bug: not a Plan


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
