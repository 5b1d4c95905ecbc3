"""Mutant: every fragment with an id not seen before opens a new call.

Quirk Q22 (ids unstable, placeholder or changed on continuations: Poolside,
poolsideai/pool#9; the Mistral-compatible GLM's placeholder ``"null"``,
langchain-ai/langchainjs#11373): JetBrains koog started a new call on each such id
(JetBrains/koog#2052), splitting one call's arguments over several calls. A different id
at a used index without a name continues that call (rule chat-tool-id-conflict: the Plan
keeps the first id; which of two real ids a consumer keeps is implementation-defined, but
it is one call).
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive import Call, Choice, NaiveChat, declare

QUIRK = "Q22"
BREAKS = ("chat-tool-id-conflict",)
NEEDS = ("a valid trace whose continuation fragments carry a different or placeholder id "
         "(rule chat-tool-id-conflict), e.g. y_tool_id_placeholder_on_continuation")


class Mutant(NaiveChat):
    def route(self, c: Choice, index: int | None, fid: str | None, name: str | None) -> Call:
        if fid is not None and fid not in c.by_id and c.calls:
            call = c.by_index.get(index) if index is not None else None
            if call is None or (call.id is not None and call.id != fid):
                return self.open_call(c, index)  # the bug: a new id is a new call
        return super().route(c, index, fid, name)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
