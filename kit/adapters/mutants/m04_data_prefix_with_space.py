"""Mutant: only lines starting with ``data: `` (with the space) are data lines.

Quirk Q02 (``data:`` with no space after the colon, from Spring-based proxies, LongCat,
Bailing): prefix checks on ``"data: "`` silently skip every frame, giving an empty answer
(openai/openai-python#498, davidmigloz/langchain_dart#778). The SSE specification removes
one optional space after the colon.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive import NaiveChat, declare

QUIRK = "Q02"
BREAKS = ("sse-field-space",)
NEEDS = "a valid trace written `data:{...}` without the space (rule sse-field-space), e.g. y_data_without_space"


class Mutant(NaiveChat):
    def split_field(self, line: str) -> tuple[str, str] | None:
        if line.startswith("data") and not line.startswith("data: "):
            return None  # the bug: `if line.startswith("data: ")`
        return super().split_field(line)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
