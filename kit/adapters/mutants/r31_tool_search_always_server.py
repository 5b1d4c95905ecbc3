"""Mutant: every tool search item is a server tool, whatever its ``execution`` says.

Rule resp-tool-search-client: a ``tool_search`` tool declared with ``execution: "client"``
makes the model emit ``tool_search_call`` items that the client must answer (with a
``tool_search_output`` in its next request). A handler that files every ``tool_search_*``
item under the provider's hosted tools (as the kit's reference did until issue 17) gives a
response whose only output is such a call no DO and finish ``stop``: the agent stalls.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_responses import NaiveResponses, declare

QUIRK = "resp-tool-search-client"
BREAKS = ("resp-tool-search-client",)
NEEDS = ("a valid trace with a tool_search_call whose execution is client (rule resp-tool-search-client), "
         "e.g. y_tool_search_client")


class Mutant(NaiveResponses):
    def tool_search_runner(self, doc: dict) -> str:
        return "server"  # the bug: `execution` never read


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
