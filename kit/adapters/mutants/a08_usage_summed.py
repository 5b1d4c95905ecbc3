"""Mutant: the usage of `message_delta` is added to the usage of `message_start`.

Quirk A9 (cumulative usage in ``message_delta``): the values are totals, not increments
(SDK comment), so adding them up double-counts the input and the first output tokens.
Rule anth-usage: take the values, never add them.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_anthropic import NaiveAnthropic, declare

QUIRK = "A9"
BREAKS = ("anth-usage",)
NEEDS = ("a valid trace whose message_delta repeats input_tokens next to the cumulative output_tokens "
         "(rule anth-usage), e.g. y_usage_cumulative")


class Mutant(NaiveAnthropic):
    def take_usage(self, usage: dict) -> None:
        new = dict(self.usage or {})
        for key in ("input_tokens", "output_tokens"):
            if type(usage.get(key)) is int:
                new[key] = new.get(key, 0) + usage[key]  # the bug
        if new:
            self.usage = new


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
