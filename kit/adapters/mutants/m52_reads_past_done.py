"""Mutant: ``data: [DONE]`` does not end the reading; chunks after it are still applied.

Rule chat-after-done (nothing counts after the documented end of the stream; the openai
SDK stops reading there): a handler that treats the sentinel as one more event takes in
whatever a router sends after it, here a usage chunk that came after ``[DONE]``
(Continuum-AI-Corp/OrcaRouter-Lite#127).
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive import NaiveChat, declare

QUIRK = "chat-after-done"
BREAKS = ("chat-after-done",)
NEEDS = "a valid trace with a chunk after data: [DONE] (rule chat-after-done), e.g. y_usage_chunk_after_done"


class Mutant(NaiveChat):
    def on_event(self, name: str, data: str) -> None:
        done, self.done = self.done, False  # the bug: [DONE] is not the end
        super().on_event(name, data)
        self.done = self.done or done


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
