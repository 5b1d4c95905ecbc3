"""Mutant: error objects sent inside the stream are ignored; only ``choices`` are read.

Quirk Q14 (in-band error objects mid-stream, e.g. OpenRouter after HTTP 200):
parsers that read only ``choices`` turn the stream into a "successful" turn with
truncated text or arguments (damianvtran/local-operator#223, Menci/Floway#330). The Plan
conventions report the first error and finish an unfinished choice with ``error``.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive import NaiveChat, declare

QUIRK = "Q14"
BREAKS = ("chat-in-band-error", "plan-fault-reported")
NEEDS = ("an invalid trace carrying an error object inside the stream "
         "(rule chat-in-band-error), e.g. n_in_band_error_midstream")


class Mutant(NaiveChat):
    def on_error(self, err: Any) -> None:
        pass  # the bug: `error` is not a field the handler looks at


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
