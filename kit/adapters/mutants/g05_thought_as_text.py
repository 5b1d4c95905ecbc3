"""Mutant: `thought: true` text parts are shown as visible text.

Rules gem-text-say and gem-thought: with thinking summaries on (``includeThoughts``) a
thought is a text part marked ``thought: true``; a handler that shows every ``text`` part
shows the model's reasoning to the user as its answer. Thought parts are never SAY.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_gemini import Candidate, NaiveGemini, declare

QUIRK = "gem-text-say"
BREAKS = ("gem-text-say", "gem-thought")
NEEDS = "a valid trace with thought text parts (rule gem-thought)"


class Mutant(NaiveGemini):
    def on_thought(self, c: Candidate, text: str) -> None:
        if text:
            self.on_text(c, text)  # the bug


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
