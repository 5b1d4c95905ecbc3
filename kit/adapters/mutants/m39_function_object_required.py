"""Mutant: a tool-call fragment without a ``function`` object fails an assertion.

Quirk Q25 (a fragment without ``function``, e.g. Gemini's metadata-only delta that carries
only ``extra_content`` with a thought signature, open-webui/computer#224): openai-python
asserts ``tool_call_delta.function is not None`` and raises ``AssertionError``; Vercel's
openai-compatible schema requires a ``function`` object. The Plan conventions accept the
fragment (rule chat-tool-fragment-shape). A crash is a caught mutant.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive import Choice, NaiveChat, declare

QUIRK = "Q25"
BREAKS = ("chat-tool-fragment-shape",)
NEEDS = ("a valid trace with a tool-call fragment that has no `function` object "
         "(rule chat-tool-fragment-shape), e.g. y_tool_fragment_without_function")


class Mutant(NaiveChat):
    def on_fragment(self, c: Choice, frag: dict) -> None:
        if frag.get("function") is None:
            raise AssertionError  # the bug: `assert tool_call_delta.function is not None`
        super().on_fragment(c, frag)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
