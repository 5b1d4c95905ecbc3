"""Mutant: the `error` event is read in its documented flat shape only; the nested one gives nulls.

Quirk R7 (two shapes of the ``error`` event): the .NET SDK read ``code`` and ``message``
at the top level, so the observed nested shape
``{"type":"error","error":{"type","code","message"}}`` gave an error of nulls
(openai/openai-dotnet#881). Rule resp-error: both shapes are read.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_responses import NaiveResponses, declare

QUIRK = "R7"
BREAKS = ("resp-error",)
NEEDS = ("an invalid trace with an error event in the nested shape (rule resp-error), "
         "e.g. n_error_event_nested_mid_arguments")


class Mutant(NaiveResponses):
    def error_of(self, obj: dict) -> dict[str, Any]:
        return {"type": None, "code": obj.get("code"), "message": obj.get("message")}  # the bug


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
