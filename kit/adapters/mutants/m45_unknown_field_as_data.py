"""Mutant: every field other than ``event``, ``id`` and ``retry`` is read as a data line.

Rule sse-unknown-field (WHATWG event-stream interpretation: a line with an unknown field
name is ignored): a parser that checks for the fields it wants to skip and takes every
other ``name: value`` line as data adds a gateway's extra field (``x-upstream-latency-ms:
40``) to the event's data, which is then not JSON, and the event is lost.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive import NaiveChat, declare

QUIRK = "sse-unknown-field"
BREAKS = ("sse-unknown-field",)
NEEDS = ("a valid trace with a non-standard field line in an event that carries text "
         "(rule sse-unknown-field), e.g. y_unknown_sse_field")


class Mutant(NaiveChat):
    def split_field(self, line: str) -> tuple[str, str] | None:
        field = super().split_field(line)
        if field is not None and field[0] not in ("event", "id", "retry"):
            return "data", field[1]  # the bug: any other field is data
        return field


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
