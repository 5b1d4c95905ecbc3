"""Mutant: events whose `sequence_number` does not rise are dropped as replays.

Quirk R6 (``sequence_number`` missing, zero, gapped or not rising): LiteLLM's
``sequence_number: int = 0`` defaults made every event number 0 (BerriAI/litellm#28899),
onyx's gateway omitted it (onyx-dot-app/onyx#13624); a handler that deduplicates by it
(as for resuming with ``starting_after``) drops the whole stream. Rule
resp-sequence-number: a consumer must not depend on it.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_responses import NaiveResponses, declare

QUIRK = "R6"
BREAKS = ("resp-sequence-number",)
NEEDS = ("a valid trace whose sequence numbers repeat (rule resp-sequence-number), "
         "e.g. y_sequence_number_all_zero")


class Mutant(NaiveResponses):
    def on_payload(self, obj: dict) -> None:
        seq = obj.get("sequence_number")
        if type(seq) is int:
            last = getattr(self, "last_seq", None)
            if last is not None and seq <= last:
                return  # the bug: "already seen"
            self.last_seq = seq
        super().on_payload(obj)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
