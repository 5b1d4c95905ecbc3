"""Mutant: deltas are applied by their own type, whatever block they name.

Rule anth-delta-type: a converter sent an ``input_json_delta`` into a text block and a
``text_delta`` into a tool_use block (musistudio/claude-code-router#1356: the text after a
tool call sent on the still-open tool_use block); a handler that trusts the delta type
corrupts both the visible text and the tool input. A consumer ignores a delta that does
not fit its block.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_anthropic import Block, NaiveAnthropic, declare

QUIRK = "anth-delta-type"
BREAKS = ("anth-delta-type",)
NEEDS = ("a valid trace with deltas that do not fit their blocks and carry words or tool input, not only "
         "whitespace (rule anth-delta-type), e.g. i_text_delta_on_tool_block, where keeping the words apart is implementation-defined")


class Mutant(NaiveAnthropic):
    def on_block_delta(self, b: Block, delta: Any) -> None:
        if not isinstance(delta, dict):
            return
        if delta.get("type") == "text_delta" and isinstance(delta.get("text"), str) and delta["text"]:
            self.on_text(b, delta["text"])  # the bug: into any block
        elif delta.get("type") == "input_json_delta":
            self.on_input_json(b, delta.get("partial_json"))  # the bug: into any block
        else:
            super().on_block_delta(b, delta)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
