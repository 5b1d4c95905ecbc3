"""Mutant: bytes that are not UTF-8 are dropped silently (``errors="ignore"``).

Rule sse-utf8-invalid (a stream must be valid UTF-8; a consumer reports invalid bytes, it
does not crash on them; the reference decodes them as U+FFFD and reports where): decoding
with ``errors="ignore"`` hides the damage, and the broken stream becomes a plan with no
error.
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator

from ._naive import NaiveChat, declare

QUIRK = "sse-utf8-invalid"
BREAKS = ("sse-utf8-invalid",)
NEEDS = "an invalid trace with bytes that are not UTF-8 (rule sse-utf8-invalid), e.g. n_invalid_utf8"


class Mutant(NaiveChat):
    def lines(self, reads: Iterable[bytes]) -> Iterator[str]:
        # the bug: invalid bytes vanish before the lines are split, and nothing says so
        body = b"".join(reads).decode("utf-8", "ignore").encode("utf-8")
        return super().lines([body])


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
