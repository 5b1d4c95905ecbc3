"""Mutant: tool calls are dispatched only at ``data: [DONE]``; a stream without it is cut off.

Quirk Q03 (no ``data: [DONE]``: ik_llama.cpp, vllm-mlx, OCI Cohere; Anthropic-style
streams never send it): clients that wait for the sentinel report "Connection closed
before completion" (ikawrakow/ik_llama.cpp#467) or hang (waybarrios/vllm-mlx#101,
cohere-ai/cohere-python#756). The Plan conventions dispatch at the choice's
``finish_reason``; ``[DONE]`` is not needed when every choice has finished
(rule chat-done-sentinel).
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive import Choice, NaiveChat, declare

QUIRK = "Q03"
BREAKS = ("chat-done-sentinel",)
NEEDS = ("a valid trace with a tool call, a finish_reason and no [DONE] "
         "(rule chat-done-sentinel), e.g. y_no_done_sentinel")


class Mutant(NaiveChat):
    def dispatch(self, c: Choice) -> None:
        if self.done:  # the bug: only the sentinel completes the calls
            super().dispatch(c)

    def on_done(self) -> None:
        self.done = True
        for c in self.choices.values():
            self.dispatch(c)
            c.finished = True


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
