"""Mutant: ``data: [DONE]`` does not end the reading; chunks after it are still applied.

Rule chat-after-done (nothing counts after the documented end of the stream; the openai
SDK stops reading there): a handler that treats the sentinel as one more event takes in
whatever a router sends after it, here a usage chunk that came after ``[DONE]``
(Continuum-AI-Corp/OrcaRouter-Lite#127). Reading on is implementation-defined (the usage is
the response's own), so only an ``i_`` trace shows it and the mutant survives.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive import NaiveChat, declare

QUIRK = "chat-after-done"
BREAKS = ("chat-after-done",)
NEEDS = ("a graded trace where reading past data: [DONE] changes the Plan (rule chat-after-done); today only "
         "i_usage_chunk_after_done shows one")


class Mutant(NaiveChat):
    def on_event(self, name: str, data: str) -> None:
        done, self.done = self.done, False  # the bug: [DONE] is not the end
        super().on_event(name, data)
        self.done = self.done or done


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
