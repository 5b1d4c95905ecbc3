"""Mutant: every `*_call` item is a client call, server-executed ones included.

Rule resp-server-tools: web search, file search, code interpreter, image generation and
MCP items ran on the provider's side; a handler that dispatches every ``*_call`` item
runs them again or waits for a client result that never comes (pydantic/pydantic-ai#7923,
xAI server-side tools). The Plan conventions list them in ``server_tools``, never as DO.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_responses import NaiveResponses, declare

QUIRK = "resp-server-tools"
BREAKS = ("resp-server-tools",)
NEEDS = ("a valid trace with a server-side tool item such as web_search_call or mcp_call "
         "(rule resp-server-tools), e.g. y_web_search_with_citations")


class Mutant(NaiveResponses):
    def is_client_call(self, t: str | None) -> bool:
        return bool(t) and (t.endswith("_call") or super().is_client_call(t))  # the bug


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
