"""Streaming mutant: a tool_use is run at `content_block_start`, with the input given there.

Quirk A7 (``content_block_start.input``), at the dispatch point: in a real stream the
start event's ``input`` is ``{}`` and the input follows as ``input_json_delta``
fragments, so a handler that runs the tool when the block starts runs it with ``{}``
(inflaborg/ccrelay#119 and farion1231/cc-switch#2557 show clients acting on the start
event's ``input``; A6 is the same empty-input outcome by another road). This one still
joins the fragments, so its final Plan is right. Rule anth-dispatch-at-block-stop: a
tool_use is dispatched at its ``content_block_stop``.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_anthropic import Block
from ._streaming import Sink, StreamingAnthropic, arguments_json, declare

QUIRK = "A7"
BREAKS = ("plan-dispatch-complete",)
NEEDS = ("a valid trace whose tool_use starts with input {} and streams its input "
         "(rule anth-dispatch-at-block-stop), e.g. y_text_then_tool_use")
EXPECTED = "FAIL"  # plan-dispatch-complete: dispatched with partial arguments
SHOWN_BY = ("y_text_then_tool_use", "y_parallel_tool_use")


class Mutant(StreamingAnthropic):
    def on_block_start(self, b: Block, doc: Any) -> None:
        super().on_block_start(b, doc)
        if b.type == "tool_use":  # the bug: run it now, with the start event's input
            given = b.prefilled if isinstance(b.prefilled, dict) else {}
            self.dispatch_now(0, self.commands.index(b), arguments_json(given), given)


@declare("anthropic.messages")
def accumulate(reads: Iterable[bytes], sink: Sink, *, api: str) -> dict[str, Any]:
    return Mutant(sink).accumulate(reads)
