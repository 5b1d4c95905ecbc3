"""Mutant: a CR at the end of a network read ends the line at once; an LF opening the next read ends another.

Rule sse-line-endings ("including a CRLF split across two reads"; WHATWG event-stream
interpretation, openai/openai-python#498): a parser that handles CRLF only when both bytes
are in one read takes a CRLF split by the network for two line ends, CR and LF, and so
sees an empty line that is not in the stream. That blank line dispatches the event early:
an event whose JSON runs over several ``data:`` lines is cut in two halves that are not
JSON, and its content is lost.
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator

from ._naive import NaiveChat, declare

QUIRK = "sse-line-endings"
BREAKS = ("sse-line-endings",)
NEEDS = ("a valid CRLF-framed trace whose reads split the CRLF between two `data:` lines of an "
         "event that carries text or arguments (rule sse-line-endings), e.g. y_crlf_split_in_multiline_data")


class Mutant(NaiveChat):
    def lines(self, reads: Iterable[bytes]) -> Iterator[str]:
        # the bug: a read's final CR is a whole line end (as if it were an LF), so an LF that
        # opens the next read is one more line end: an empty line
        return super().lines(data[:-1] + b"\n" if data.endswith(b"\r") else data for data in reads)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
