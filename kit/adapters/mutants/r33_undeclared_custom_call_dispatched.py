"""Mutant: every ``custom_tool_call`` is the client's, also one naming no declared tool.

Rule resp-custom-call-undeclared: xAI streams its X search sub-tools (``x_keyword_search``,
``view_x_video``; call ids ``xs_call_*``) as ``custom_tool_call`` items and answers in the
same response; vercel/ai's xAI provider marks them provider-executed. A handler that
dispatches them asks the application to run a tool it never declared, after the answer.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_responses import NaiveResponses, declare

QUIRK = "resp-custom-call-undeclared"
BREAKS = ("resp-custom-call-undeclared",)
NEEDS = ("a valid trace with a custom_tool_call naming no tool of the response's tools (rule "
         "resp-custom-call-undeclared), e.g. y_xai_x_search_as_custom_calls")


class Mutant(NaiveResponses):
    def custom_runner(self, doc: dict) -> str:
        return "client"  # the bug: the declared tools never read


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
