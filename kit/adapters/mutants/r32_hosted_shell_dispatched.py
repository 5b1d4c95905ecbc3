"""Mutant: every ``shell_call`` is the client's to run, hosted containers included.

Rule resp-server-run-call: a shell call whose environment is an OpenAI-hosted container
(``environment: {"type": "container_reference", ...}``, or the declared shell tool's
``container_auto``) is run by the server; its ``shell_call_output`` and the answer follow in
the same response. A handler that reads the item type alone dispatches it, runs the
commands again on the client and reports ``tool_calls`` for a finished answer.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_responses import NaiveResponses, declare

QUIRK = "resp-server-run-call"
BREAKS = ("resp-server-run-call",)
NEEDS = ("a valid trace with a shell_call run in a hosted container (rule resp-server-run-call), "
         "e.g. y_hosted_shell_call")


class Mutant(NaiveResponses):
    def shell_runner(self, doc: dict) -> str:
        return "client"  # the bug: the environment never read


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
