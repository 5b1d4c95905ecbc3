"""Mutant: each `partial_json` fragment is parsed on its own; parse errors are swallowed.

Quirk A6 (consumers that parse each fragment): the fragments are not JSON by themselves,
``json.loads`` fails, the error is swallowed, and the tools run with empty inputs
(bojieli/ai-agent-book#194, fix #202). Rule anth-dispatch-at-block-stop: aggregate per
block and parse at ``content_block_stop``.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from ._naive_anthropic import Block, NaiveAnthropic, declare

QUIRK = "A6"
BREAKS = ("anth-dispatch-at-block-stop",)
NEEDS = ("a valid trace whose tool input arrives in several fragments (rule anth-dispatch-at-block-stop), "
         "e.g. y_text_then_tool_use")


class Mutant(NaiveAnthropic):
    def on_input_json(self, b: Block, part: Any) -> None:
        super().on_input_json(b, part)  # the raw fragments are kept (and shown) ...
        try:
            b.__dict__["input"] = json.loads(part)  # ... but the bug parses one fragment at a time
        except (TypeError, ValueError):
            pass

    def input_of(self, b: Block) -> tuple[str, Any, bool]:
        if not b.parts:
            return super().input_of(b)
        value = b.__dict__.get("input", {})
        return "".join(b.parts), value, False  # the last fragment that parsed, else {}: never invalid


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
