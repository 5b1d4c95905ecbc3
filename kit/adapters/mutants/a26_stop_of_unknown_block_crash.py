"""Mutant: ``content_block_stop`` looks its block up unguarded, so a stop for a block never started crashes.

Rule anth-block-not-started (a consumer keeps what it can and reports a delta or stop for a
block that never started; QuantumNous/new-api#5482: a converter sent stops for blocks
that never started): ``blocks[event.index]`` raises KeyError and the message is lost.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_anthropic import NaiveAnthropic, declare

QUIRK = "anth-block-not-started"
BREAKS = ("anth-block-not-started",)
NEEDS = ("a valid trace with a content_block_stop for a block that never started (rule anth-block-not-started), "
         "e.g. y_block_stop_never_started")


class Mutant(NaiveAnthropic):
    def on_payload(self, obj: dict) -> None:
        if obj["type"] == "content_block_stop" and not self.stopped:
            block = self.blocks[obj.get("index")]  # the bug: KeyError for a block never started
            if not block.started:
                raise KeyError(obj.get("index"))
        super().on_payload(obj)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
