"""Mutant: empty arguments are parsed with ``json.loads("")`` and so are invalid.

Quirk Q30 (empty-string arguments for no-parameter tools): ``JSON.parse("")`` /
``json.loads("")`` fail with "Unexpected end of JSON input" (openai/openai-agents-js#664,
sigoden/aichat#1217, vllm-project/vllm#19419, pydantic/pydantic-ai#1654). The Plan
conventions take ``""`` as ``{}``.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from ._naive import NaiveChat, declare

QUIRK = "Q30"
BREAKS = ("chat-arguments-empty",)
NEEDS = ("a valid trace with a no-parameter tool whose arguments stay \"\" "
         "(rule chat-arguments-empty), e.g. y_noarg_tool_empty_arguments")


class Mutant(NaiveChat):
    def parse_arguments(self, arguments: str) -> tuple[Any, bool]:
        try:
            return json.loads(arguments), False  # the bug: no special case for ""
        except ValueError:
            return None, True


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
