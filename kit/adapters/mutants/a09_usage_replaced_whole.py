"""Mutant: the usage object of `message_delta` replaces the whole usage, absent fields as null.

Quirk A9 (cumulative usage): optional usage fields absent from ``message_delta`` must
keep their ``message_start`` values (the Python SDK keeps them), but a handler that
assigns the delta's usage object wholesale loses ``input_tokens`` when, as usual, the
delta carries only ``output_tokens``. Rule anth-usage.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_anthropic import NaiveAnthropic, declare

QUIRK = "A9"
BREAKS = ("anth-usage",)
NEEDS = ("a valid trace whose message_delta usage has output_tokens only (rule anth-usage), "
         "e.g. y_usage_output_only_in_message_delta")


class Mutant(NaiveAnthropic):
    def take_usage(self, usage: dict) -> None:
        self.usage = {key: usage.get(key) for key in ("input_tokens", "output_tokens")}  # the bug


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
