"""Mutant: the `input` of `content_block_start` is taken as the call's input; deltas are ignored.

Quirk A7 (``content_block_start.input``), the other way round: handlers written against
non-streaming responses or synthetic streams read the tool input from the block as it
started, which in a real stream is always ``{}`` with the input still to come as
``input_json_delta`` (inflaborg/ccrelay#119 and farion1231/cc-switch#2557 show clients
depending on the start event's ``input``). The Python SDK replaces a pre-filled input
when deltas follow. Rule anth-input-prefilled: the deltas, when they come, are the input.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from ._naive_anthropic import Block, NaiveAnthropic, declare

QUIRK = "A7"
BREAKS = ("plan-dispatch-complete",)
NEEDS = ("a valid trace whose tool_use starts with input {} and streams its input "
         "(rule anth-input-prefilled), e.g. y_text_then_tool_use")


class Mutant(NaiveAnthropic):
    def input_of(self, b: Block) -> tuple[str, Any, bool]:
        if isinstance(b.prefilled, dict):  # the bug: the start event's input wins
            return json.dumps(b.prefilled, ensure_ascii=False, separators=(",", ":")), b.prefilled, False
        return super().input_of(b)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
