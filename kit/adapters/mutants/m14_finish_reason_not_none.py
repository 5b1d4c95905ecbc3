"""Mutant: a choice is over as soon as its ``finish_reason`` is not None (``""`` included).

Quirk Q39 (``finish_reason: ""`` on every chunk, old Ollama, ollama/ollama#4357): a
handler that tests ``finish_reason is not None`` instead of its truthiness ends the message
at the first chunk and drops the rest of the answer. The Plan conventions take ``""`` as no
finish reason and keep content that follows a finish.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive import NaiveChat, declare

QUIRK = "Q39"
BREAKS = ("chat-finish-reason-value",)
NEEDS = ("a valid trace whose chunks carry finish_reason \"\" before the real finish "
         "(rule chat-finish-reason-value), e.g. y_finish_reason_empty_string")


class Mutant(NaiveChat):
    def on_choice(self, ch: dict) -> None:
        c = self.choice(self.choice_index(ch))
        if getattr(c, "over", False):
            return
        super().on_choice(ch)
        if ch.get("finish_reason") is not None:  # the bug: "" counts as a finish
            c.over = True  # type: ignore[attr-defined]
            if not c.finish_seen:
                self.on_finish(c, ch["finish_reason"])


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
