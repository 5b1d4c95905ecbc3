"""Mutant: the tool-call ``index`` is used as a list position.

Quirk Q19 (tool index starting at 1, Claude through OpenAI-compatible gateways that pass
the Anthropic content-block index): openai-python inserts the first entry at position 0,
then looks up ``tool_calls[1]`` and fails with ``IndexError: list index out of range``
(NVIDIA-NeMo/Switchyard#712, router-for-me/CLIProxyAPI#5229,
aws-samples/bedrock-access-gateway#134). Indexes are keys, not positions
(rule chat-tool-index-dense). A crash is a caught mutant.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive import Call, Choice, NaiveChat, declare

QUIRK = "Q19"
BREAKS = ("chat-tool-index-dense",)
NEEDS = ("a valid trace whose tool indexes do not start at 0 "
         "(rule chat-tool-index-dense), e.g. y_tool_index_starts_at_one")


class Mutant(NaiveChat):
    def open_call(self, c: Choice, index: int | None) -> Call:
        call = super().open_call(c, index)
        if index is not None:
            if not hasattr(c, "tool_calls"):
                c.tool_calls = []  # type: ignore[attr-defined]
            c.tool_calls.insert(index, call)  # type: ignore[attr-defined]
            c.tool_calls[index]  # type: ignore[attr-defined]  # the bug: the index used as a position
        return call


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
