"""Mutant: the stream must open with `response.created`, else RuntimeError.

Quirk R1 (missing lifecycle events): LiteLLM's ``/responses`` for gpt-5.3-codex started
directly with ``response.output_text.delta`` (BerriAI/litellm#22102), and openai-python
3.54.0's ``ResponseStreamState`` raises ``RuntimeError("Expected to have received
response.created ...")`` (quirks section 1.3). Rule resp-lifecycle: a consumer must not
require it.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_responses import NaiveResponses, declare

QUIRK = "R1"
BREAKS = ("resp-lifecycle",)
NEEDS = "a valid trace without response.created (rule resp-lifecycle), e.g. y_no_response_created"


class Mutant(NaiveResponses):
    def on_payload(self, obj: dict) -> None:
        if not getattr(self, "created", False):
            if obj["type"] != "response.created":
                raise RuntimeError(f"Expected to have received `response.created` before `{obj['type']}`")
            self.created = True
        super().on_payload(obj)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
