"""Mutant: a tool-call fragment without `index` crashes the handler.

Quirk Q17 (``tool_calls[]`` entries without ``index``, sent by Gemini's OpenAI-compatible
endpoint, older Ollama, Xinference, mistral.rs): openai-python's helper fails with
``TypeError: list indices must be integers or slices, not NoneType``
(openai/openai-python#2806), others with ``KeyError: 'index'`` (open-webui/computer#224).
The Plan conventions route such a fragment by its id, else to the last open call.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive import NaiveChat, declare

QUIRK = "Q17"
BREAKS = ("chat-tool-index-missing",)
NEEDS = ("a valid trace whose tool-call fragments carry no `index` "
         "(rule chat-tool-index-missing), e.g. y_tool_index_missing")


class Mutant(NaiveChat):
    def fragment_fields(self, frag: dict) -> tuple[int | None, str | None, str | None, dict]:
        index, fid, name, fn = super().fragment_fields(frag)
        if index is None:  # the bug: `tool_calls[fragment.index]` with no index to look up
            raise TypeError("list indices must be integers or slices, not NoneType")
        return index, fid, name, fn


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
