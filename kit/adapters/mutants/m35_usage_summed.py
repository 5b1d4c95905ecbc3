"""Mutant: the usage of every chunk that carries one is added up.

Quirks Q11 (usage on every chunk, GLM-5.3: rashidrazak/opencode-cmd-provider#213) and A9
(usage values are running totals, not increments: adding them up double-counts). The
Plan conventions take the last usage (rule chat-usage).
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive import NaiveChat, declare

QUIRK = "Q11/A9"
BREAKS = ("chat-usage",)
NEEDS = "a valid trace with a running usage on several chunks (rule chat-usage), e.g. y_usage_on_every_chunk"


class Mutant(NaiveChat):
    def usage_of(self, obj: dict) -> dict[str, int] | None:
        usage = super().usage_of(obj)
        if usage is None or self.usage is None:
            return usage
        return {k: usage.get(k, 0) + self.usage.get(k, 0) for k in {*usage, *self.usage}}  # the bug


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
