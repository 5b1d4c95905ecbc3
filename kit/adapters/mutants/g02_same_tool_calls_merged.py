"""Mutant: calls without an id are keyed by their tool name, so parallel calls to one tool merge.

Rule gem-call-whole / gem-call-id: a Gemini API call usually has no ``id``. Handlers that
need a key for a call build one from what the part has, and two parallel calls to the
same tool then land in one slot: NousResearch/hermes-agent#57939 and #101536 (slots keyed
by part index, name and signature: "distinct parallel calls to the same tool are merged
into one tool call"). Here the later call's arguments update the earlier call's.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_gemini import Call, Candidate, NaiveGemini, compact, declare

QUIRK = "gem-call-whole"
BREAKS = ("gem-call-whole",)
NEEDS = ("a valid trace with parallel calls to the same tool and no ids (rule gem-call-whole), "
         "e.g. two get_weather calls in one turn")


class Mutant(NaiveGemini):
    def whole_call(self, c: Candidate, fc: dict) -> None:
        call = self.call_of(fc)
        if call.id is None:
            for old in c.commands:  # the bug: a call's key is its name when it has no id
                if isinstance(old, Call) and old.id is None and old.name == call.name and old.dispatched:
                    _, parameters, _ = self.args_of(fc)
                    if isinstance(old.parameters, dict) and isinstance(parameters, dict):
                        old.parameters = {**old.parameters, **parameters}
                        old.arguments = compact(old.parameters)
                    return
        super().whole_call(c, fc)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
