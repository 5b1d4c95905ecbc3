"""Mutant: ``chunk["choices"][0]`` is read unguarded, so ``choices: []`` crashes.

Quirks Q09 (Azure prompt-filter preamble with ``choices: []``) and Q11 (usage-only final
chunk with ``choices: []``): ``chunk.choices[0]`` raises ``IndexError``
(pydantic/logfire#64, pydantic/pydantic-ai#164, langfuse/langfuse#2833,
Arthur-Ficial/apfel#100). A crash is a caught mutant.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive import NaiveChat, declare

QUIRK = "Q09/Q11"
BREAKS = ("chat-empty-choices",)
NEEDS = ("a valid trace with a `choices: []` chunk (rule chat-empty-choices), "
         "e.g. y_azure_filter_chunks or y_usage_only_final_chunk")


class Mutant(NaiveChat):
    def on_chunk(self, obj: dict) -> None:
        if isinstance(obj.get("choices"), list):
            obj["choices"][0]  # the bug: `first = chunk.choices[0]`, unguarded
        super().on_chunk(obj)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
