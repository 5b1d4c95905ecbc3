"""Mutant: `response.incomplete` is taken for `response.completed`.

Rule resp-incomplete: a response cut by ``max_output_tokens`` or the content filter ends
with ``response.incomplete``; handlers that treat every terminal event as success present
a cut answer as complete (openai-python's ``get_final_response()`` raises instead, quirks
section 1.3). The Plan reports finish ``length``, ``content_filter`` or ``incomplete``.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_responses import NaiveResponses, declare

QUIRK = "resp-incomplete"
BREAKS = ("resp-incomplete",)
NEEDS = ("a valid trace ending with response.incomplete (rule resp-incomplete), "
         "e.g. y_incomplete_max_output_tokens_text")


class Mutant(NaiveResponses):
    def finish_of(self, t: str, response: dict) -> str | None:
        return super().finish_of("response.completed", response)  # the bug


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
