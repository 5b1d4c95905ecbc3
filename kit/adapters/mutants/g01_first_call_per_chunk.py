"""Mutant: only the first part of a chunk is read, so parallel calls in one chunk lose all but the first.

Rule gem-call-whole: Gemini sends parallel function calls as several ``functionCall`` parts
of one candidate, often in one chunk. A handler that reads ``parts[0]`` keeps the first
call (and any text part first in the chunk) and drops the rest
(bigduu/Bamboo-agent#372, "process all parts in a chunk, not just parts[0] (drops parallel
tool calls)"; BerriAI/litellm#6470, a converter that accepted a single tool call).
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_gemini import Candidate, NaiveGemini, declare

QUIRK = "gem-call-whole"
BREAKS = ("gem-call-whole",)
NEEDS = "a valid trace with two functionCall parts in one chunk (rule gem-call-whole), e.g. parallel calls"


class Mutant(NaiveGemini):
    def on_candidate(self, c: Candidate, cand: dict) -> None:
        content = cand.get("content")
        if isinstance(content, dict) and isinstance(content.get("parts"), list):
            cand = dict(cand, content=dict(content, parts=content["parts"][:1]))  # the bug: parts[0] only
        super().on_candidate(c, cand)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
