"""Mutant: ``function.arguments: null`` is appended as it is, and the join crashes.

Quirk Q29 (``arguments: null`` on the first fragment, DeepSeek via OpenRouter, DeepInfra,
vLLM): Open WebUI crashed with ``NoneType has no len()`` (open-webui/open-webui#27195),
a Kotlin handler threw and lost the call (shiaho777/web-to-app#395), LlamaIndex
assertions failed (run-llama/llama_index#17927). The Plan conventions ignore ``null``.
A crash is a caught mutant.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive import Call, NaiveChat, declare

QUIRK = "Q29"
BREAKS = ("chat-arguments-string",)
NEEDS = ("a valid trace with a fragment whose `function.arguments` is null "
         "(rule chat-arguments-string), e.g. y_arguments_null_first")


class Mutant(NaiveChat):
    def add_arguments(self, call: Call, args: Any) -> None:
        if args is None:
            call.args.append(args)  # the bug: no None check; "".join() raises later
            return
        super().add_arguments(call, args)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
