"""Mutant: a tool_use is dispatched only at its own `content_block_stop`.

Rule anth-block-stop-missing: a compressing bridge dropped a tool_use block's
``content_block_stop`` (headroomlabs-ai/headroom#2890), and a handler that dispatches only
there never runs the complete call that ``message_delta`` ends. The Plan stops open blocks
at ``message_delta`` (or ``message_stop``) and dispatches them.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_anthropic import NaiveAnthropic, declare

QUIRK = "anth-block-stop-missing"
BREAKS = ("anth-block-stop-missing",)
NEEDS = ("a valid trace whose tool_use block has no content_block_stop before message_delta "
         "(rule anth-block-stop-missing), e.g. y_block_stop_missing")


class Mutant(NaiveAnthropic):
    def end_open_blocks(self, *, dispatch: bool) -> None:
        super().end_open_blocks(dispatch=False)  # the bug


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
