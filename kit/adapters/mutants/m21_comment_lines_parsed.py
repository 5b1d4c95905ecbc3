"""Mutant: every non-empty line is JSON-decoded, so an SSE comment (keep-alive) crashes.

Quirk Q01 (SSE comment keep-alives, OpenRouter ``: OPENROUTER PROCESSING``): line-splitting
parsers that JSON-parse every non-empty line fail with "invalid character ':' looking for
beginning of value" (tmc/langchaingo#631, #1332; deepnoodle-ai/dive#206;
mistralai/mistral-vibe#774). A crash is a caught mutant.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from ._naive import NaiveChat, declare

QUIRK = "Q01"
BREAKS = ("sse-comments",)
NEEDS = "a valid trace with `: comment` keep-alive lines (rule sse-comments), e.g. y_keepalive_comments"


class Mutant(NaiveChat):
    def split_field(self, line: str) -> tuple[str, str] | None:
        if line.startswith(":"):
            json.loads(line)  # the bug: the comment is decoded as a payload (raises)
        return super().split_field(line)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
