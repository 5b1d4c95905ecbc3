"""Mutant: the usageMetadata of every chunk is added up.

Rule gem-usage: Gemini repeats ``usageMetadata`` on many chunks, each a running total for
the response (the last one is the response's usage). A handler that adds each chunk's
counts, as for per-chunk deltas, counts the prompt once per chunk.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_gemini import NaiveGemini, declare

QUIRK = "gem-usage"
BREAKS = ("gem-usage",)
NEEDS = "a valid trace with usageMetadata on more than one chunk (rule gem-usage)"


class Mutant(NaiveGemini):
    def take_usage(self, meta: dict) -> None:
        before = self.usage
        super().take_usage(meta)
        if before is not None and self.usage is not None:  # the bug: totals added up
            self.usage = {k: v + before.get(k, 0) for k, v in self.usage.items()}


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
