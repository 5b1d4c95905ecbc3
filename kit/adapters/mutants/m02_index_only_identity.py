"""Mutant: tool calls are keyed by `index` alone; a new id at a used index is merged.

Quirk Q18 (every parallel call sent with ``index: 0`` and distinct ids): index-keyed
accumulators (openai-python, LangChain ``merge_lists``, new-api) merge the calls into one
whose arguments are ``{...}{...}`` (ollama/ollama#15457, langchain-ai/langchain#34807,
LibreChat-AI/agents#260). The Plan conventions open a new call when a fragment at a used
index brings a new id and a name.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive import Call, Choice, NaiveChat, declare

QUIRK = "Q18"
BREAKS = ("chat-tool-index-reused",)
NEEDS = ("a valid trace where several calls share one tool index, each with its own id and "
         "name (rule chat-tool-index-reused), e.g. y_all_calls_index_zero")


class Mutant(NaiveChat):
    def route(self, c: Choice, index: int | None, fid: str | None, name: str | None) -> Call:
        if index is not None:
            call = c.by_index.get(index)
            return call if call is not None else self.open_call(c, index)  # the bug: id never looked at
        return super().route(c, index, fid, name)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
