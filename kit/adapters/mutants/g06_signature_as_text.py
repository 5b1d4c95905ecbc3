"""Mutant: a part's text is "its string value", so a signature-only part shows its thoughtSignature.

Rule gem-thought: Gemini 3 and thinking 2.5 models send an opaque ``thoughtSignature`` on
a part, sometimes on a part whose ``text`` is empty. A handler that takes a part's first
non-empty string as its text puts the base64 signature in the answer. A signature is
never text.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_gemini import Candidate, NaiveGemini, declare

QUIRK = "gem-thought"
BREAKS = ("gem-thought",)
NEEDS = "a valid trace with a part that carries a thoughtSignature and empty text (rule gem-thought)"


class Mutant(NaiveGemini):
    def on_part(self, c: Candidate, part: dict) -> None:
        if not part.get("text") and isinstance(part.get("thoughtSignature"), str) and "functionCall" not in part:
            part = dict(part, text=part["thoughtSignature"])  # the bug: the part's string is its text
            part.pop("thought", None)
        super().on_part(c, part)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
