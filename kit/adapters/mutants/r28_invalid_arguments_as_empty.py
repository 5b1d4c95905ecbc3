"""Mutant: arguments that are not valid JSON are run as ``{}``.

Rule resp-arguments-json (invalid final arguments are reported, parameters null, never
repaired or run; cline/cline#13001): a ``try: json.loads(...) except: {}`` swallows the
error, and the tool runs with no input while the response looks fine.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_responses import Item, NaiveResponses, declare

QUIRK = "resp-arguments-json"
BREAKS = ("resp-arguments-json", "plan-fault-reported")
NEEDS = "an invalid trace whose final arguments are not valid JSON (rule resp-arguments-json), e.g. n_arguments_invalid_json"


class Mutant(NaiveResponses):
    def dispatch(self, item: Item) -> None:
        super().dispatch(item)
        if item.invalid:
            item.parameters, item.invalid = {}, False  # the bug: the parse error is swallowed


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
