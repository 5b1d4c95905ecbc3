"""Mutant: an `error` event in the documented flat shape passes as an ordinary event.

Quirk R7 (two shapes of the ``error`` event): openai-python raises ``APIError`` on the
observed nested shape ``{"type":"error","error":{...}}`` but yields the documented flat
shape ``{"type":"error","code","message","param"}`` as an ordinary event without
stopping (openai/openai-python#2487, PR #3934); a handler that only reacts to the
exception presents the cut answer as complete. Rule resp-error: both shapes are errors.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_responses import NaiveResponses, declare

QUIRK = "R7"
BREAKS = ("resp-error", "plan-fault-reported")
NEEDS = "an invalid trace ending with a flat error event (rule resp-error), e.g. n_error_event_flat"


class Mutant(NaiveResponses):
    def on_payload(self, obj: dict) -> None:
        if obj["type"] == "error" and not isinstance(obj.get("error"), dict):
            return  # the bug: not the raised shape, so nothing happens
        super().on_payload(obj)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
