"""Mutant: a tool input whose fragments join to `""` is JSON-parsed at the stop, and raises.

Quirk A1 (no-argument tools send ``input_json_delta`` with ``partial_json: ""``): the
Java ``BetaMessageAccumulator`` parsed the empty buffer and failed with
``MismatchedInputException`` (anthropics/anthropic-sdk-java#295), and LiteLLM's stream
parser failed the same way (BerriAI/litellm#5063). The Python SDK skips an empty buffer
and keeps ``input: {}``. Rule anth-input-empty: no or empty input is ``{}``.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from ._naive_anthropic import Block, NaiveAnthropic, declare

QUIRK = "A1"
BREAKS = ("anth-input-empty",)
NEEDS = ("a valid trace of a no-argument tool with one input_json_delta whose partial_json is \"\" "
         "(rule anth-input-empty), e.g. y_noarg_tool_empty_partial_json")


class Mutant(NaiveAnthropic):
    def on_input_json(self, b: Block, part: Any) -> None:
        b.__dict__["had_delta"] = True
        super().on_input_json(b, part)

    def input_of(self, b: Block) -> tuple[str, Any, bool]:
        joined = "".join(b.parts)
        if b.__dict__.get("had_delta") and not joined.strip():
            json.loads(joined)  # the bug: "No content to map due to end-of-input"
        return super().input_of(b)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
