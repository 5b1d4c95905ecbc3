"""Streaming mutant: every tool call is dispatched twice, at the finish_reason and again at `[DONE]`.

Rule chat-dispatch-at-finish: a call is complete when its choice's ``finish_reason``
arrives, *or* at ``[DONE]`` for a choice that never sent one. Streams without a
finish_reason (Q39, "no finish_reason at all") and streams without ``[DONE]`` (Q03) make
handlers grow both completion paths; when the two do not know of each other, the tools
run once when the choice finishes and once more when the sentinel comes. The final Plan
is right; the second ``tool_call.done`` for the same call id (rule plan-dispatch-once)
is the bug.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._streaming import Sink, StreamingChat, declare

QUIRK = "chat-dispatch-at-finish"
BREAKS = ("plan-dispatch-once",)
NEEDS = ("a valid trace with a tool call whose choice finishes before a data: [DONE] "
         "(rule chat-dispatch-at-finish), e.g. y_text_then_tool_call")
EXPECTED = "FAIL"  # plan-dispatch-once: dispatched twice
SHOWN_BY = ("y_text_then_tool_call", "y_parallel_calls")


class Mutant(StreamingChat):
    def on_done(self) -> None:
        finished = [c.index for c in self.choices.values() if c.finished]
        super().on_done()
        self.flush(force=True)
        for index in finished:  # the bug: [DONE] completes the calls a second time
            shown = self.shown.get(index)
            for position, state in enumerate(shown.commands if shown else ()):
                if state["do"] and state["done"]:
                    state["done"] = False
                    self.flush(force=True)


@declare("openai.chat.completions")
def accumulate(reads: Iterable[bytes], sink: Sink, *, api: str) -> dict[str, Any]:
    return Mutant(sink).accumulate(reads)
