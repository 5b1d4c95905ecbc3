"""Mutant: calls are kept in a dict keyed by their `id`, so every call without an id is the same call.

Rule gem-call-id: the Gemini API usually sends no call ``id``; identity is the call's
position. A handler that accumulates calls by id (the OpenAI habit: crmne/ruby_llm#95
accumulated tool calls in a hash keyed by id) files every id-less call under one key, so
each replaces the one before and only the last survives, in the first one's place.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_gemini import Call, Candidate, NaiveGemini, declare

QUIRK = "gem-call-id"
BREAKS = ("gem-call-id",)
NEEDS = "a valid trace with two or more calls without id in one candidate (rule gem-call-id)"


class Mutant(NaiveGemini):
    def open_call(self, c: Candidate, call: Call) -> None:
        for i, old in enumerate(c.commands):
            if isinstance(old, Call) and old.id == call.id:  # the bug: None is a key like any other
                c.commands[i] = call
                c.say = None
                return
        super().open_call(c, call)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
