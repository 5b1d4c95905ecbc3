"""Mutant: `ping` is not filtered out; it reaches the block code, which needs an `index`.

Rule anth-ping (and quirk A1's stream, where a ``ping`` arrives between a tool_use's
start and its deltas): LiteLLM's Anthropic stream parser failed on such a stream
(BerriAI/litellm#5063). A handler that treats every event other than ``message_*`` as a
block event raises ``KeyError`` on it. A consumer ignores ``ping`` wherever it comes.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_anthropic import NaiveAnthropic, declare

QUIRK = "anth-ping"
BREAKS = ("anth-ping",)
NEEDS = "a valid trace with a ping event (rule anth-ping), e.g. y_text_only"


class Mutant(NaiveAnthropic):
    def on_payload(self, obj: dict) -> None:
        if obj["type"] == "ping" and not self.stopped:
            self.block(obj["index"])  # the bug: KeyError, a ping has no index
        super().on_payload(obj)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
