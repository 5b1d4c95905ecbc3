"""Mutant: ``id`` and ``function.name`` are assigned from every fragment that has the key.

Quirks Q22 and Q24: openai-node's ``ChatCompletionStream`` *assigns* ``id``, ``type`` and
``name`` on each fragment (quirks section 1.5), so a placeholder id (``"null"``,
langchain-ai/langchainjs#11373) or an empty name (LM Studio sends ``"name": ""`` on every
argument fragment, lmstudio-ai/lmstudio-bug-tracker#649; vercel/ai#16507) replaces the real
one. The Plan conventions set them once and ignore ``""`` and ``null``.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive import Call, Choice, NaiveChat, declare

QUIRK = "Q22/Q24"
BREAKS = ("chat-tool-header-once", "chat-tool-id-conflict")
NEEDS = ("a valid trace whose continuation fragments carry an empty or placeholder id or name "
         "(rules chat-tool-header-once, chat-tool-id-conflict), e.g. y_empty_id_on_continuation")


class Mutant(NaiveChat):
    def set_header(self, c: Choice, call: Call, frag: dict, fid: str | None, name: str | None) -> None:
        super().set_header(c, call, frag, fid, name)
        fn = frag.get("function") if isinstance(frag.get("function"), dict) else {}
        if isinstance(frag.get("id"), str):
            call.id = frag["id"]  # the bug: `call.id = delta.id` whenever present
        if isinstance(fn.get("name"), str):
            call.name = fn["name"]


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
