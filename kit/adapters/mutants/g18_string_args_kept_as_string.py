"""Mutant: `args` that is a JSON string (from a converting proxy) is serialised again, not parsed.

Rule gem-args-object: ``args`` is an object on the wire, but proxies that convert from an
OpenAI-style backend pass the arguments string through. A handler that always
``json.dumps(args)`` sends the tool a quoted string (``"\\"{\\\\\\"city\\\\\\":...}\\""``)
instead of its parameters.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_gemini import NaiveGemini, compact, declare

QUIRK = "gem-args-object"
BREAKS = ("gem-args-object",)
NEEDS = "a trace whose functionCall args is a JSON string (rule gem-args-object), e.g. y_args_as_json_string"


class Mutant(NaiveGemini):
    def args_of(self, fc: dict) -> tuple[str, Any, bool]:
        if isinstance(fc.get("args"), str):
            return compact(fc["args"]), fc["args"], False  # the bug: the string is the value
        return super().args_of(fc)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
