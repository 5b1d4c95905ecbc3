"""Mutant: events are split on `\\n\\n` and lines on `\\n`, so Google's CRLF stream is one broken event.

Rule sse-line-endings: Google ends every line with CRLF, so events are separated by
``\\r\\n\\r\\n``. A hand-written reader that splits the body on ``"\\n\\n"`` (the LF-only
habit of OpenAI-style streams) finds no event boundary at all: the lines keep their CR,
the blank line is ``"\\r"``, and the whole body becomes one event whose data is not JSON.
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator

from ._naive_gemini import NaiveGemini, declare

QUIRK = "sse-line-endings"
BREAKS = ("sse-line-endings",)
NEEDS = "a valid trace with CRLF line ends (rule sse-line-endings): any recorded Gemini stream"


class Mutant(NaiveGemini):
    def lines(self, reads: Iterable[bytes]) -> Iterator[str]:
        body = b"".join(reads).decode("utf-8", "replace")
        yield from body.split("\n")  # the bug: LF only, the CR stays in the line


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
