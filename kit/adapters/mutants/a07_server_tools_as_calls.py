"""Mutant: `server_tool_use` and `mcp_tool_use` blocks are client tool calls.

Rule anth-server-tools: web search, tool search, code execution and MCP connector calls
ran on Anthropic's side; a handler that treats every ``*tool_use`` block as a tool for
the client runs them again or answers them with a tool result the API rejects (the
Anthropic form of the server-tool confusion, pydantic/pydantic-ai#7923). Only
``tool_use`` is for the client; the others are ``server_tools``.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_anthropic import Block, NaiveAnthropic, declare

QUIRK = "anth-server-tools"
BREAKS = ("anth-server-tools",)
NEEDS = ("a valid trace with a server_tool_use or mcp_tool_use block (rule anth-server-tools), "
         "e.g. y_web_search_citations or y_mcp_tool_use")


class Mutant(NaiveAnthropic):
    def on_block_start(self, b: Block, doc: Any) -> None:
        if isinstance(doc, dict) and isinstance(doc.get("type"), str) and doc["type"].endswith("tool_use"):
            doc = dict(doc, type="tool_use")  # the bug: any *tool_use block is ours to run
        super().on_block_start(b, doc)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
