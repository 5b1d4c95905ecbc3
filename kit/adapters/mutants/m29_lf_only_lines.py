"""Mutant: lines are split at LF only, so a CRLF stream never has a blank line.

Quirk catalogue section 1.1 and section 4 item 1 (framing: CR, LF and CRLF line ends, a
CRLF split across two reads; openai-python splits on all three; no Q id). Parsers that
split on ``"\\n"`` never see the blank line of a CRLF stream (it is ``"\\r"``), so no event
is dispatched until the end of the body, when all the data lines make one payload that is
not JSON: a Chat Completions proxy "silently drops every chunk" (miruamel/xuan#194), an SDK
generator's client parses no event (hey-api/hey-api#3054).
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator

from ._naive import NaiveChat, declare

QUIRK = "section 1.1"
BREAKS = ("sse-line-endings",)
NEEDS = "a valid trace framed with CRLF line ends (rule sse-line-endings), e.g. y_crlf_framing"


class Mutant(NaiveChat):
    def lines(self, reads: Iterable[bytes]) -> Iterator[str]:
        # the bug: hide the CRs from the line splitter, which then cuts at LF only
        for line in super().lines(data.replace(b"\r", b"\x00") for data in reads):
            yield line.replace("\x00", "\r")


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
