"""Mutant: every ``data`` payload other than ``[DONE]`` goes through ``json.loads`` unguarded.

Quirk Q07 (non-JSON events such as ``data: keep-alive``): openai-python's stream loop
JSON-decodes every event and raises ``JSONDecodeError`` on them (quirks section 1.1); the
SAP "Hai Proxy" case hit the same in an older anthropic SDK
(NousResearch/hermes-agent#35418). The Plan conventions skip and report such payloads
(rule chat-data-json). A crash is a caught mutant.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from ._naive import NaiveChat, declare

QUIRK = "Q07"
BREAKS = ("chat-data-json",)
NEEDS = ("a valid trace with a `data:` payload that is not JSON, e.g. `data: keep-alive` "
         "(rule chat-data-json), e.g. y_data_non_json_keepalive")


class Mutant(NaiveChat):
    def on_event(self, name: str, data: str) -> None:
        if not self.done and data.strip() != "[DONE]":
            json.loads(data)  # the bug: no try/except around the decode
        super().on_event(name, data)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
