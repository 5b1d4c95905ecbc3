"""Mutant: an `{"error": ...}` payload in the stream is skipped like an unknown chunk.

Rule gem-error: a quota or server error in the middle of a stream arrives as a data payload
``{"error": {"code": 429, "status": "RESOURCE_EXHAUSTED", ...}}`` with no candidates. A
handler that only looks at ``candidates`` skips it and ends the turn as a cut stream (or a
normal one), never reporting the error.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_gemini import NaiveGemini, declare

QUIRK = "gem-error"
BREAKS = ("gem-error",)
NEEDS = "an invalid trace with an error payload in the stream (rule gem-error)"


class Mutant(NaiveGemini):
    def on_error(self, err: dict) -> None:
        pass  # the bug: no candidates, nothing to do


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
