"""Mutant: a tool-call fragment whose ``type`` is present but not ``"function"`` fails an assertion.

Quirk Q25 (``type`` null or empty on continuation fragments, Qwen3-Coder on vLLM):
openai-python 3.54.0 checks that the re-built tool call keeps ``type == "function"`` and
raises a bare ``AssertionError`` (quirks section 1.2 and Q25; LlamaIndex hit the same kind
of assertion on vLLM, run-llama/llama_index#17927). The Plan conventions ignore a ``null``
or ``""`` type (rule chat-tool-fragment-shape). A crash is a caught mutant.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive import Choice, NaiveChat, declare

QUIRK = "Q25"
BREAKS = ("chat-tool-fragment-shape",)
NEEDS = ("a valid trace whose continuation fragments carry `type: null` "
         "(rule chat-tool-fragment-shape), e.g. y_tool_fragment_type_null")


class Mutant(NaiveChat):
    def on_fragment(self, c: Choice, frag: dict) -> None:
        if "type" in frag and frag["type"] != "function":
            raise AssertionError  # the bug: `assert tool_call.type == "function"`
        super().on_fragment(c, frag)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
