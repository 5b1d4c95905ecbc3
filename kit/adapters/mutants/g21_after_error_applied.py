"""Mutant: payloads after an error payload are still applied.

Rule gem-after-error: after ``{"error": ...}`` the response has failed; what follows
(a proxy's retry spliced into the same body, a stale chunk) is not part of it. A handler
that keeps reading adds its text and calls to the failed turn.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_gemini import NaiveGemini, declare

QUIRK = "gem-after-error"
BREAKS = ("gem-after-error",)
NEEDS = "a trace with content after an error payload (rule gem-after-error)"


class Mutant(NaiveGemini):
    def on_payload(self, obj: dict) -> None:
        failed, self.failed = self.failed, False  # the bug: nothing stops after an error
        try:
            super().on_payload(obj)
        finally:
            self.failed = self.failed or failed


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
