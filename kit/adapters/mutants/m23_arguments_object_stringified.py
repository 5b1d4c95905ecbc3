"""Mutant: ``function.arguments`` sent as a JSON object is appended as ``str(value)``.

Quirk Q28 (arguments as a JSON object, llama-server, MiniMax, Ollama's OpenAI route):
string concatenation gives ``"[object Object]"`` in JavaScript, and the tool runs with
empty input (can1357/oh-my-pi#1779, openclaw/openclaw#97834); the Python equivalent is
``"{'command': ...}"``, which is not JSON. The Plan conventions take the object as the
call's parameters.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive import Call, NaiveChat, declare

QUIRK = "Q28"
BREAKS = ("chat-arguments-string",)
NEEDS = ("a valid trace whose `function.arguments` is a JSON object "
         "(rule chat-arguments-string), e.g. y_arguments_as_object")


class Mutant(NaiveChat):
    def add_arguments(self, call: Call, args: Any) -> None:
        if args is not None and not isinstance(args, str):
            args = str(args)  # the bug: `arguments += value`, whatever its type
        super().add_arguments(call, args)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
