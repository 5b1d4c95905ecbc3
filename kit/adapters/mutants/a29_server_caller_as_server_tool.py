"""Mutant: a ``tool_use`` whose ``caller`` is the code execution tool is taken as server-run.

Rule anth-tool-use-client: with programmatic tool calling, Claude's code calls the client's
tool; the block is a ``tool_use`` with ``caller: {"type": "code_execution_20250825",
"tool_id": ...}`` and the API stops with ``tool_use`` until the client answers. A handler
that reads a server caller as "the server ran this" (the shape of the server-tool confusion
in reverse) files the call under server tools: no DO, the code waits forever.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_anthropic import Block, NaiveAnthropic, declare

QUIRK = "anth-tool-use-client"
BREAKS = ("anth-tool-use-client",)
NEEDS = ("a valid trace with a tool_use whose caller is the code execution tool (rule anth-tool-use-client), "
         "e.g. y_programmatic_tool_call or y_message_start_tool_use")


class Mutant(NaiveAnthropic):
    def on_block_start(self, b: Block, doc: Any) -> None:
        caller = doc.get("caller") if isinstance(doc, dict) else None
        if isinstance(caller, dict) and caller.get("type") != "direct" and doc.get("type") == "tool_use":
            doc = dict(doc, type="server_tool_use")  # the bug: called by a server tool, so run by the server
        super().on_block_start(b, doc)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
