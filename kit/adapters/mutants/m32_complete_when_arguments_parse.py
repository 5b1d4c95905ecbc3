"""Mutant: a call is completed as soon as its arguments so far parse as JSON.

Quirk Q32 (finalising a call early because the partial arguments already parse): the
Vercel AI SDK ran tool calls with truncated inputs (vercel/ai#13137, VULN-6861; reverted in
#13172, fixed again in #16838). The arguments ``{"query":"test"}`` parse before
``,"limit":10}`` arrives; the rest is dropped. The Plan conventions dispatch only at the
choice's finish (rule chat-dispatch-at-finish).
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from ._naive import Call, NaiveChat, declare

QUIRK = "Q32"
BREAKS = ("chat-dispatch-at-finish",)
NEEDS = ("a valid trace whose arguments are valid JSON before their last fragment, e.g. a number or "
         "a top-level value split across fragments (rule chat-dispatch-at-finish)")


class Mutant(NaiveChat):
    def add_arguments(self, call: Call, args: Any) -> None:
        super().add_arguments(call, args)
        try:
            json.loads("".join(call.args))
        except ValueError:
            return
        self.complete(call)  # the bug: "parses" taken for "complete"


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
