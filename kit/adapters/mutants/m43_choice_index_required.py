"""Mutant: a choice's ``index`` is read unguarded, so a choice without one crashes the handler.

Rule chat-choice-index (a missing choice index is taken as 0 and reported;
QuantumNous/new-api#6924, BerriAI/litellm#8977): handlers written against the documented
chunk read ``choice["index"]`` and raise KeyError on servers that leave it out.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive import NaiveChat, declare

QUIRK = "chat-choice-index"
BREAKS = ("chat-choice-index",)
NEEDS = "a valid trace whose choices carry no `index` (rule chat-choice-index), e.g. y_choice_index_missing"


class Mutant(NaiveChat):
    def choice_index(self, ch: dict) -> int:
        return ch["index"]  # the bug: no default


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
