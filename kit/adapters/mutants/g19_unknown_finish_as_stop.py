"""Mutant: every finish reason the handler does not know becomes `stop`.

Rules gem-finish-reason and gem-malformed-call: Gemini has many finish reasons, and new ones
appear (``MALFORMED_FUNCTION_CALL``, ``UNEXPECTED_TOOL_CALL``, ``MISSING_THOUGHT_SIGNATURE``,
...). A mapping with a ``stop`` default reports a turn whose call was unusable as a normal
end, and the agent stops without retrying.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_gemini import FINISH, NaiveGemini, declare

QUIRK = "gem-finish-reason"
BREAKS = ("gem-finish-reason", "gem-malformed-call")
NEEDS = "a trace with MALFORMED_FUNCTION_CALL or an undocumented finishReason (rule gem-malformed-call)"

KNOWN = ("STOP", "MAX_TOKENS", "SAFETY", "RECITATION")


class Mutant(NaiveGemini):
    def finish_of(self, raw: str) -> str | None:
        return FINISH[raw] if raw in KNOWN else "stop"  # the bug: the default


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
