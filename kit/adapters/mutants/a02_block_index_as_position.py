"""Mutant: content blocks are a list; `content_block_start` appends, deltas use `content[index]`.

Quirk A2 (non-contiguous ``content_block`` indexes): proxies emit thinking at index 0
and tool_use at index 2 (jundot/omlx#1353, #1356); the Python SDK's ``MessageStream``
appends at each start and looks blocks up by list position, raising ``IndexError``
(anthropics/anthropic-sdk-python#1192, NousResearch/hermes-agent#46016). Rule
anth-block-index: key blocks by ``index``.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_anthropic import Block, NaiveAnthropic, declare

QUIRK = "A2"
BREAKS = ("anth-block-index",)
NEEDS = "a valid trace whose block indexes have a gap (rule anth-block-index), e.g. y_block_index_gap"


class Mutant(NaiveAnthropic):
    def on_payload(self, obj: dict) -> None:
        t = obj["type"]
        if t in ("content_block_start", "content_block_delta", "content_block_stop") and not self.stopped:
            content = self.__dict__.setdefault("content", [])
            if t == "content_block_start":
                b = Block(len(content))
                content.append(b)  # the bug: the index is never looked at ...
                self.blocks[b.index] = b
                b.started = True
                self.on_block_start(b, obj.get("content_block"))
                return
            b = content[obj["index"]]  # ... but deltas and stops use it as a position
            if t == "content_block_delta":
                self.on_block_delta(b, obj.get("delta"))
            elif not b.stopped:
                b.stopped = True
                self.on_block_stop(b)
            return
        super().on_payload(obj)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
