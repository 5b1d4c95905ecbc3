"""Mutant: a call's arguments are the running snapshot of its deltas, late deltas included.

Quirk R8 (argument delta after ``function_call_arguments.done``): a non-conforming
endpoint sent a stray ``}`` after the done event, and pydantic-ai, which kept appending
deltas and used that snapshot as the arguments, ran the tool with ``{...}}``
(pydantic/pydantic-ai#5757, #4733; fixes #5763, #6079, #6276). The final value in
``.done``/``output_item.done`` is ignored here whenever deltas came (the final values
are still used when none did, so R9 streams work). Rules resp-delta-after-done and
resp-arguments-mismatch: late deltas are ignored and the final value wins.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_responses import Item, NaiveResponses, declare

QUIRK = "R8"
BREAKS = ("resp-delta-after-done",)
NEEDS = ("a valid trace with an argument delta after function_call_arguments.done "
         "(rule resp-delta-after-done), e.g. y_delta_after_arguments_done")


class Mutant(NaiveResponses):
    def on_args_delta(self, item: Item, delta: Any) -> None:
        if isinstance(delta, str) and delta:
            item.deltas.append(delta)  # the bug: appended whatever the state

    def arguments_of(self, item: Item) -> str:
        return "".join(item.deltas) or super().arguments_of(item)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
