"""Streaming mutant: tool calls are dispatched only when the input is exhausted.

Rule chat-dispatch-at-finish (a call is complete when its choice's ``finish_reason``
arrives; ``[DONE]`` is not needed, rule chat-done-sentinel): a handler that collects the
calls and runs them after its ``for chunk in stream`` loop has ended waits for whatever
follows the finish: a usage-only chunk (Q11, ``stream_options.include_usage``), the
``[DONE]`` sentinel, or a connection held open after the last chunk (Q03: ik_llama.cpp,
vllm-mlx). The Plan is right; the calls are late, and the kit grades a call dispatched
after its choice ended NONSTRICT (rule plan-dispatch-timely). Where the finish_reason
and the end of the input share a read the lag does not show (PASS). It shows in
``y_usage_only_final_chunk`` as recorded (the usage chunk and ``[DONE]`` come in reads
after the finish: 2 SSE events late), ``y_two_choices`` (3 events) and in every stream
with a tool call cut one SSE event per read (``event`` chunk plan: ``[DONE]`` is a read
of its own), e.g. ``y_text_then_tool_call``.
"""
from __future__ import annotations

from typing import Any, Iterable

from ._streaming import Sink, StreamingChat, declare

QUIRK = "Q03/Q11"
BREAKS = ("plan-dispatch-timely",)
NEEDS = ("a valid trace with a tool call whose finish_reason is followed by more input "
         "(a usage chunk, [DONE]) in a later read (rule chat-dispatch-at-finish), "
         "e.g. y_usage_only_final_chunk")
EXPECTED = "NONSTRICT"  # plan-dispatch-timely: dispatched after its choice ended
SHOWN_BY = ("y_usage_only_final_chunk", "y_two_choices", "y_text_then_tool_call")


class Mutant(StreamingChat):
    def __init__(self, sink: Sink) -> None:
        super().__init__(sink)
        self.later: list[dict[str, Any]] = []

    def emit(self, event: dict[str, Any]) -> None:
        if event["type"] == "tool_call.done" and not self.ended:
            self.later.append(event)  # the bug: run the calls after the loop
        else:
            super().emit(event)

    def end(self) -> None:
        for event in self.later:
            super().emit(event)
        self.later = []


@declare("openai.chat.completions")
def accumulate(reads: Iterable[bytes], sink: Sink, *, api: str) -> dict[str, Any]:
    return Mutant(sink).accumulate(reads)
