"""Mutant: a block without data (a lone ``retry:``) is dispatched and JSON-decoded.

Quirk Q07 (empty-data events: ``retry: 3000`` blocks, a blank line after an ``id:``):
openai-python's decoder skips an event only when event, data, id and retry are all
empty, so a ``retry:``-only block becomes an event with empty data, and ``json.loads("")``
raises ``JSONDecodeError`` (quirks section 1.1). The specification dispatches an event
only when its data buffer is not empty (rule sse-event-without-data). A crash is a caught
mutant.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from ._naive import NaiveChat, declare

QUIRK = "Q07"
BREAKS = ("sse-event-without-data",)
NEEDS = ("a valid trace with an event block that has fields but no data, e.g. a lone `retry: 3000` "
         "(rule sse-event-without-data), e.g. y_retry_without_data")


class Mutant(NaiveChat):
    def sse_line(self, line: str) -> None:
        if line == "":
            if not self._data and getattr(self, "fields_seen", False):
                json.loads("")  # the bug: the empty event is dispatched and decoded (raises)
            self.fields_seen = False
        elif not line.startswith(":"):
            self.fields_seen = True
        super().sse_line(line)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
