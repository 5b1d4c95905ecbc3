"""Mutant: each ``data:`` line is decoded as a payload of its own.

Quirk Q06 (multi-line ``data:``): an event may carry its payload over several ``data``
lines, which must be joined with LF before decoding (openai-python does this); line-based
parsers decode each line and lose the event (quirks Q06, section 4 item 1). A line that is
not valid JSON on its own is skipped as junk.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive import NaiveChat, declare

QUIRK = "Q06"
BREAKS = ("sse-multiline-data",)
NEEDS = ("a valid trace with events whose JSON spans several `data:` lines "
         "(rule sse-multiline-data), e.g. y_multiline_data")


class Mutant(NaiveChat):
    def sse_line(self, line: str) -> None:
        super().sse_line(line)
        if self._data:  # the bug: every data line is dispatched at once
            data, name = self._data[0], self._event or "message"
            self._data, self._event = [], ""
            self.on_event(name, data)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
