"""Mutant: a choice that ends without a ``finish_reason`` is given one from its content.

Quirk Q39 (no ``finish_reason`` at all; "Stream ended without finish_reason",
ranxianglei/billion-context-pi#92): handlers fill the gap with ``"tool_calls"`` when the
message has calls, else ``"stop"``, so a stream that never finished looks complete. The
Plan conventions never invent one: no finish seen is ``null``, an in-band error is
``error`` (rule chat-finish-reason-missing).
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive import NaiveChat, declare

QUIRK = "Q39"
BREAKS = ("chat-finish-reason-missing",)
NEEDS = ("a trace cut before its choice carried a finish_reason (rule chat-finish-reason-missing), "
         "e.g. n_truncated_mid_arguments: on a complete stream a derived normal finish is not graded")


class Mutant(NaiveChat):
    def end_of_stream(self) -> None:
        super().end_of_stream()
        for c in self.choices.values():
            if c.finish is None:  # the bug: `finish_reason or ("tool_calls" if calls else "stop")`
                c.finish = "tool_calls" if c.calls else "stop"


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
