"""Mutant: each network read is decoded to text on its own, with ``errors="replace"``.

Quirk Q05 (a multi-byte UTF-8 character split across network reads): per-chunk decoding
(``chunk.decode("utf-8", "replace")``, ``from_utf8_lossy``, ``TextDecoder`` without
``{stream: true}``) turns the two halves into U+FFFD (api7/aisix#111, danielmiessler/Fabric#2203,
braintrustdata/braintrust-sdk-javascript#2091). Lines must be split on bytes and decoded
afterwards. Only chunk plans that cut inside a character kill it.
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator

from ._naive import NaiveChat, declare

QUIRK = "Q05"
BREAKS = ("sse-utf8-split",)
NEEDS = ("a valid trace with multi-byte UTF-8 text whose reads (or the bytewise/random chunk plans) "
         "cut inside a character (rule sse-utf8-split), e.g. y_utf8_split_across_reads")


class Mutant(NaiveChat):
    def lines(self, reads: Iterable[bytes]) -> Iterator[str]:
        # the bug: decode first, per read; then buffer text (correctly) across reads
        text_reads = (data.decode("utf-8", "replace").encode("utf-8") for data in reads)
        return super().lines(text_reads)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
