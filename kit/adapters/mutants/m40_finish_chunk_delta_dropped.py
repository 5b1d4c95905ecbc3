"""Mutant: the delta of a chunk that carries a ``finish_reason`` is not read.

Quirk Q27 (the whole tool call in one chunk together with ``finish_reason``, ZhiPu GLM-4,
Mistral, Groq): jeremychone/rust-genai#199 acted on the finish first and lost the tool
call, treating the turn as text-only; openai-python checks ``finish_reason`` before the
chunk's tool calls and never emits their ``done`` event. The Plan conventions take a
chunk's content before its finish.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive import NaiveChat, declare

QUIRK = "Q27"
BREAKS = ()
NEEDS = ("a valid trace whose tool calls arrive in the same chunk as the finish_reason, "
         "e.g. y_whole_call_with_finish_same_chunk")


class Mutant(NaiveChat):
    def on_choice(self, ch: dict) -> None:
        if ch.get("finish_reason"):
            ch = {k: v for k, v in ch.items() if k != "delta"}  # the bug: the finish chunk is only a marker
        super().on_choice(ch)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
