"""Mutant: each network read is split into lines on its own (no buffering across reads).

Quirk Q06 (JSON split across TCP reads): parsers that split each read on newlines and
parse the ``data:`` lines they find lose every chunk whose JSON straddles two reads
(Routstr/routstr-core#543: "JSON split across TCP reads ... must be buffered until the SSE
blank-line delimiter"). The tail of a read is taken as a whole line; the head of the next
read is a line that is not a field.
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator

from ._naive import NaiveChat, declare

QUIRK = "Q06"
BREAKS = ("plan-chunk-invariance",)
NEEDS = ("a valid trace with a read boundary inside a chunk's JSON (any trace under the "
         "bytewise or random chunk plans), e.g. y_text_then_tool_call")


class Mutant(NaiveChat):
    def lines(self, reads: Iterable[bytes]) -> Iterator[str]:
        for data in reads:
            yield from super().lines([data])  # the bug: a fresh line buffer for every read


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
