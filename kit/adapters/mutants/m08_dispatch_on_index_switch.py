"""Mutant: a call is completed (dispatched) when a fragment for another call arrives.

Quirk Q33 (interleaved parallel fragments 0,1,0,1): openai-python 3.54.0 fires
``tool_calls.function.arguments.done`` for a call when a delta for a different index
arrives, with the arguments so far (``""``), and never again; openai-ruby had the same bug
(openai/openai-ruby#638). A handler that executes at that event runs the call with
partial arguments; later fragments of the call are dropped. The Plan conventions dispatch
only at the choice's finish (or ``[DONE]``).
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive import Call, Choice, NaiveChat, declare

QUIRK = "Q33"
BREAKS = ("chat-interleaved-fragments", "chat-dispatch-at-finish")
NEEDS = ("a valid trace whose parallel calls' fragments interleave 0,1,0,1 "
         "(rules chat-interleaved-fragments, chat-dispatch-at-finish), e.g. y_parallel_interleaved")


class Mutant(NaiveChat):
    def route(self, c: Choice, index: int | None, fid: str | None, name: str | None) -> Call:
        call = super().route(c, index, fid, name)
        current = getattr(c, "current", None)
        if current is not None and current is not call and not current.done:
            self.complete(current)  # the bug: "done" inferred from an index switch
        c.current = call  # type: ignore[attr-defined]
        return call


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
