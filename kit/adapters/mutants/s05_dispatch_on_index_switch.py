"""Streaming mutant: a call is dispatched when a fragment for another call arrives.

Quirk Q33 (interleaved parallel fragments 0,1,0,1), the streaming face of ``m08``:
openai-python 3.54.0 fires ``tool_calls.function.arguments.done`` for a call when a delta
for a different index arrives, with the arguments so far, and never again; openai-ruby
had the same bug (openai/openai-ruby#638). A handler that runs the tool at that event runs
it with partial arguments. This one still assembles every call, so its final Plan is
right; only the dispatch point is wrong. Rule chat-dispatch-at-finish.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive import Call, Choice
from ._streaming import Sink, StreamingChat, declare, parse

QUIRK = "Q33"
BREAKS = ("plan-dispatch-complete",)
NEEDS = ("a valid trace whose parallel calls' fragments interleave 0,1,0,1 "
         "(rules chat-interleaved-fragments, chat-dispatch-at-finish), e.g. y_parallel_interleaved")
EXPECTED = "FAIL"  # plan-dispatch-complete: dispatched with partial arguments
SHOWN_BY = ("y_parallel_interleaved",)


class Mutant(StreamingChat):
    def __init__(self, sink: Sink) -> None:
        super().__init__(sink)
        self.switched: list[tuple[Choice, Call]] = []
        self.current: dict[int, Call] = {}
        self.early: set[int] = set()

    def route(self, c: Choice, index: int | None, fid: str | None, name: str | None) -> Call:
        call = super().route(c, index, fid, name)
        current = self.current.get(c.index)
        if current is not None and current is not call and not current.done and id(current) not in self.early:
            self.switched.append((c, current))  # the bug: "done" inferred from an index switch
        self.current[c.index] = call
        return call

    def on_fragment(self, c: Choice, frag: dict) -> None:
        super().on_fragment(c, frag)
        while self.switched:
            choice, call = self.switched.pop(0)
            self.early.add(id(call))
            arguments = "".join(call.args)
            position = next(k for k, cmd in enumerate(choice.commands) if cmd is call)
            self.dispatch_now(choice.index, position, arguments, parse(arguments))


@declare("openai.chat.completions")
def accumulate(reads: Iterable[bytes], sink: Sink, *, api: str) -> dict[str, Any]:
    return Mutant(sink).accumulate(reads)
