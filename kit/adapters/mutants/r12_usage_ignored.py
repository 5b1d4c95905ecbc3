"""Mutant: usage is never read (it is looked for where Chat Completions puts it).

Rule resp-usage: in a Responses stream usage is only in the terminal response
(``response.completed``, ``.incomplete`` or ``.failed``); a handler ported from Chat
Completions looks for a ``usage`` field on the events and reports none, so token
accounting and budget checks see zero (quirks section 3.1). The Plan takes usage from
the terminal response.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_responses import NaiveResponses, declare

QUIRK = "resp-usage"
BREAKS = ("resp-usage",)
NEEDS = "a valid trace whose terminal response carries usage (rule resp-usage), e.g. y_text_only"


class Mutant(NaiveResponses):
    def usage_of(self, response: dict) -> dict[str, int] | None:
        return None  # the bug


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
