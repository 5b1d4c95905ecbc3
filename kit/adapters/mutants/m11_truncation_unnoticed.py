"""Mutant: a stream that ends without ``[DONE]`` or a finish is taken as complete.

Quirks Q39 ("no finish_reason at all": openai-python returns a completion, silently) and
A8; openai-python's ``get_final_completion()`` gives no guarantee that the stream
finished, and its stream loop simply ends at EOF (quirks section 1.2; "Stream ended without
finish_reason", ranxianglei/billion-context-pi#92). The handler dispatches the calls it
has, with the partial arguments. The Plan conventions never dispatch from a truncated
stream: such calls are marked ``dispatched: false``.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive import NaiveChat, declare

QUIRK = "Q39/A8"
BREAKS = ("chat-truncated", "plan-fault-reported")
NEEDS = ("an invalid trace cut off mid tool call, with no finish_reason and no [DONE] "
         "(rule chat-truncated), e.g. n_truncated_mid_arguments")


class Mutant(NaiveChat):
    def end_of_stream(self) -> None:
        if not self.done:
            self.on_done()  # the bug: EOF treated as [DONE]
        super().end_of_stream()


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
