"""Mutant: a tool_use left open by `max_tokens` is stopped and run with the input it has.

Quirk Q39 (``finish_reason: "length"`` mid-arguments gives truncated JSON, cline/cline#13001),
in its Anthropic form: ``max_tokens`` inside a tool input leaves the block without its
stop, and a handler that closes every open block at ``message_delta`` runs the call with
cut-off input. The Plan reports it and does not dispatch it (rule anth-input-json).
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_anthropic import NaiveAnthropic, declare

QUIRK = "Q39"
BREAKS = ("anth-input-json",)
NEEDS = ("an invalid trace where max_tokens cuts a tool input before its content_block_stop "
         "(rule anth-input-json), e.g. n_max_tokens_mid_tool_input")


class Mutant(NaiveAnthropic):
    def cut_open_calls(self) -> None:
        pass  # the bug: the open call is dispatched like any other


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
