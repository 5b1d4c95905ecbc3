"""Mutant: a choice that finishes with ``length`` raises instead of returning its text.

Rule chat-finish-length (openai/openai-python#3589: ``get_final_completion()`` raises
``LengthFinishReasonError`` for a stream cut by ``max_tokens``; agent runs abort on it):
the text produced and the finish reason are lost.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive import Choice, NaiveChat, declare

QUIRK = "chat-finish-length"
BREAKS = ("chat-finish-length",)
NEEDS = "a valid trace whose choice finishes with `length` (rule chat-finish-length), e.g. y_finish_length"


class LengthFinishReasonError(RuntimeError):
    pass


class Mutant(NaiveChat):
    def on_finish(self, c: Choice, raw: str) -> None:
        if raw == "length":  # the bug: a length finish is an exception
            raise LengthFinishReasonError("could not parse response content as the length limit was reached")
        super().on_finish(c, raw)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
