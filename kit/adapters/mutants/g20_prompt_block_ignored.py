"""Mutant: a blocked prompt (`promptFeedback.blockReason`, no candidates) gives an empty response.

Rule gem-prompt-blocked: when the prompt itself is blocked, Gemini sends no candidate at
all, only ``promptFeedback.blockReason``. A handler that reads only ``candidates`` returns
nothing, as if the stream had been cut, and the user never learns the prompt was refused.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_gemini import NaiveGemini, declare

QUIRK = "gem-prompt-blocked"
BREAKS = ("gem-prompt-blocked",)
NEEDS = "a trace whose prompt is blocked: promptFeedback.blockReason and no candidates (rule gem-prompt-blocked)"


class Mutant(NaiveGemini):
    def on_prompt_feedback(self, feedback: dict) -> None:
        pass  # the bug: promptFeedback is never read


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
