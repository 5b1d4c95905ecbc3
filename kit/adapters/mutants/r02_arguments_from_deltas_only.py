"""Mutant: a call's arguments are built from `function_call_arguments.delta` events only.

Quirk R9 (arguments only in ``output_item.added``/``.done`` or in
``function_call_arguments.done``, no deltas): some servers send the whole arguments on
the item and no delta, and accumulators that build them from deltas alone run the tool
with an empty string (greeves89/AI-Employee#285). The Plan conventions take the first
non-empty of the finished item, the ``.done`` event, the deltas, the added item.

The same bug breaks rule resp-arguments-mismatch where deltas did come but are wrong: a
gateway whose argument deltas are corrupted while the final values are right
(diegosouzapw/OmniRoute#10223, MoonshotAI/kimi-code#1455) has the call run with the
corrupted value; a consumer uses the final value.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_responses import Item, NaiveResponses, declare

QUIRK = "R9"
BREAKS = ("resp-arguments-source", "resp-arguments-mismatch")
NEEDS = ("a valid trace whose function call has no argument deltas, the arguments only in the .done "
         "event or the item (rule resp-arguments-source), e.g. y_arguments_without_deltas; and one whose deltas "
         "join to other arguments than the final value (rule resp-arguments-mismatch), e.g. "
         "y_arguments_deltas_corrupted")


class Mutant(NaiveResponses):
    def arguments_of(self, item: Item) -> str:
        return "".join(item.deltas)  # the bug: the final values are never looked at


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
