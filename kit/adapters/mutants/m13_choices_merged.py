"""Mutant: every choice is accumulated into choice 0 (the choice `index` is ignored).

Quirk Q15 (several choices, ``n > 1``): LiteLLM wrote ``index=0`` for every choice
(BerriAI/litellm#8977, #15962), new-api merged tool calls of different choices
(QuantumNous/new-api#6924), Vercel's openai-compatible model reads only ``choices[0]``.
The Plan conventions keep each choice apart by its index.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive import NaiveChat, declare

QUIRK = "Q15"
BREAKS = ("chat-multiple-choices",)
NEEDS = "a valid trace with n > 1 choices (rule chat-multiple-choices), e.g. y_two_choices"


class Mutant(NaiveChat):
    def choice_index(self, ch: dict) -> int:
        return 0  # the bug: one message per response


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
