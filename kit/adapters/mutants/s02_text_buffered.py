"""Streaming mutant: the text is shown only when the stream has ended.

Rule plan-text-streamed: a handler that collects the reply (``"".join(parts)``) and
hands it to the application after its ``for chunk in stream`` loop gets the Plan right
but streams nothing: every token waits for the last one, which is what ``stream=True``
was asked for to avoid. To keep its events in order it holds back everything from the
first text on (so a tool call after the text is late too). The kit grades the text's
timing against the reference's: NONSTRICT.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._streaming import Sink, StreamingChat, declare

QUIRK = "plan-text-streamed"
BREAKS = ("plan-text-streamed",)
NEEDS = "a valid trace whose text arrives over several SSE events, e.g. y_text_only"
EXPECTED = "NONSTRICT"  # plan-text-streamed: text buffered
SHOWN_BY = ("y_text_only", "y_text_then_tool_call")


class Mutant(StreamingChat):
    def __init__(self, sink: Sink) -> None:
        super().__init__(sink)
        self.held: list[dict[str, Any]] | None = None

    def emit(self, event: dict[str, Any]) -> None:
        if self.held is None and event["type"] == "text.delta":
            self.held = []  # the bug: from the first text on, wait for the end
        if self.held is not None:
            self.held.append(event)
        else:
            super().emit(event)

    def end(self) -> None:
        for event in self.held or ():
            super().emit(event)
        self.held = None


@declare("openai.chat.completions")
def accumulate(reads: Iterable[bytes], sink: Sink, *, api: str) -> dict[str, Any]:
    return Mutant(sink).accumulate(reads)
