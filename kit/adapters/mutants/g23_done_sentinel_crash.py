"""Mutant: every data payload is decoded as JSON, so a proxy's `data: [DONE]` raises.

Rule gem-done-sentinel: Gemini sends no ``[DONE]``, but OpenAI-style gateways in front of
it add one. A handler written for Google's stream alone passes it to ``json.loads`` and
fails at the very end of a complete turn.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from ._naive_gemini import NaiveGemini, declare

QUIRK = "gem-done-sentinel"
BREAKS = ("gem-done-sentinel",)
NEEDS = "a valid trace that ends with data: [DONE] (rule gem-done-sentinel)"


class Mutant(NaiveGemini):
    def on_event(self, name: str, data: str) -> None:
        obj = json.loads(data)  # the bug: raises on [DONE] and on any keep-alive
        if isinstance(obj, dict):
            self.on_payload(obj)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
