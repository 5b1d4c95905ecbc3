"""Mutant: a UTF-8 byte order mark at the start of the body is kept as part of the first line.

Rule sse-bom (WHATWG event-stream interpretation: one leading U+FEFF is stripped; the
rule's rationale notes that openai-python's decoder does not strip it). With the BOM kept,
the first line's field name is ``\\ufeffdata``, not ``data``: the line is an unknown field and
the first event is lost. A trace shows it only when that first event carries something the
Plan shows.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive import NaiveChat, declare

QUIRK = "sse-bom"
BREAKS = ("sse-bom",)
NEEDS = ("a valid trace that starts with a BOM before a `data:` line whose event carries text "
         "(rule sse-bom), e.g. y_bom_before_first_text")


class Mutant(NaiveChat):
    def strip_bom(self, head: bytes) -> bytes:
        return head  # the bug: the BOM stays in front of the first field name


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
