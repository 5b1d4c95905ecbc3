"""Mutant: the `input` pre-filled in `content_block_start` is ignored; only deltas count.

Quirk A7 (``content_block_start.input`` pre-filled by synthetic or proxy streams): a proxy
sent complete tool_use blocks with the input in the start event and no deltas, and
"Claude Code / Anthropic SDK ignore content_block_start.input and only accumulate tool
parameters from input_json_delta", so every call ran with ``{}`` (inflaborg/ccrelay#119).
Rule anth-input-prefilled: use the pre-filled input when no deltas follow.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_anthropic import Block, NaiveAnthropic, declare

QUIRK = "A7"
BREAKS = ("anth-input-prefilled",)
NEEDS = ("a valid trace whose tool_use input is pre-filled in content_block_start with no deltas "
         "(rule anth-input-prefilled), e.g. y_input_prefilled_no_deltas")


class Mutant(NaiveAnthropic):
    def input_of(self, b: Block) -> tuple[str, Any, bool]:
        joined = "".join(b.parts)  # the bug: the start event's input is never read
        parameters, invalid = self.parse_input(joined)
        return joined, parameters, invalid


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
