"""Mutant: a delta that has a ``tool_calls`` list is taken as a tool delta; its text is dropped.

Quirks Q37 (``tool_calls: []`` on every content delta, vLLM, Groq, Foundry Local) and Q36
(text and tool calls in one delta): VS Code Copilot Chat tested ``if (delta.tool_calls)``,
which is true for ``[]``, and dropped every text delta ("Sorry, no response was returned",
microsoft/vscode#330038); open-interpreter discarded the content of a delta that also had
tool calls (endolith/open-interpreter#316).
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive import Choice, NaiveChat, declare

QUIRK = "Q37/Q36"
BREAKS = ("chat-empty-tool-calls", "chat-content-and-tools-same-delta")
NEEDS = ("a valid trace with `tool_calls: []` beside text, or text and a tool call in one delta "
         "(rules chat-empty-tool-calls, chat-content-and-tools-same-delta), e.g. y_empty_tool_calls_list")


class Mutant(NaiveChat):
    def on_delta(self, c: Choice, delta: dict) -> None:
        if isinstance(delta.get("tool_calls"), list) and "content" in delta:
            delta = {k: v for k, v in delta.items() if k != "content"}  # the bug: if/else on tool_calls
        super().on_delta(c, delta)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
