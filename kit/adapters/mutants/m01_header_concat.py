"""Mutant: `id` and `function.name` are concatenated on every fragment that carries them.

Quirks Q21 (id repeated on every chunk) and Q23 (name repeated): openai-python's
``accumulate_delta`` concatenates every string field, so a repeated id becomes
``call_1call_1`` and a repeated name ``read_fileread_file`` (BerriAI/litellm#8990,
NousResearch/hermes-agent#12230, ggml-org/llama.cpp#12379). The Plan conventions set
``id``, ``name`` and ``type`` once; only ``arguments`` is appended.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive import Call, Choice, NaiveChat, declare

QUIRK = "Q21/Q23"
BREAKS = ("chat-tool-header-once",)
NEEDS = ("a valid trace whose continuation fragments repeat the call's id and name "
         "(rule chat-tool-header-once), e.g. y_id_name_repeated_every_fragment")


class Mutant(NaiveChat):
    def set_header(self, c: Choice, call: Call, frag: dict, fid: str | None, name: str | None) -> None:
        if fid is not None:
            if call.id is None:
                c.by_id.setdefault(fid, call)
            call.id = (call.id or "") + fid  # the bug: str + str, as accumulate_delta does
        if name is not None:
            call.name = (call.name or "") + name


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
