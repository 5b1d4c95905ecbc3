"""Mutant: code execution parts are shown as text (the code and its output as a markdown block).

Rule gem-server-tools: with the code execution tool the model's ``executableCode`` and the
server's ``codeExecutionResult`` arrive as parts of the answer. They are server tools, run
by Google: a handler that renders them into the reply text shows the user code it did not
ask for and hides that a server tool ran.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_gemini import Candidate, NaiveGemini, declare

QUIRK = "gem-server-tools"
BREAKS = ("gem-server-tools",)
NEEDS = "a valid trace with executableCode / codeExecutionResult parts (rule gem-server-tools)"


class Mutant(NaiveGemini):
    def on_part(self, c: Candidate, part: dict) -> None:
        code = part.get("executableCode")
        result = part.get("codeExecutionResult")
        if isinstance(code, dict):  # the bug: shown, not listed
            self.on_text(c, "```python\n" + str(code.get("code", "")) + "\n```\n")
        elif isinstance(result, dict):
            self.on_text(c, "```\n" + str(result.get("output", "")) + "\n```\n")
        else:
            super().on_part(c, part)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
