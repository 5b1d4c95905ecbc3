"""Mutant: an event, block or delta type the handler does not know raises an error.

Rule anth-unknown-event (a consumer ignores types it does not know; new block types
arrive as betas): an exhaustive ``match`` with a failing default breaks on the first
stream that carries a new type.
"""

from __future__ import annotations

from typing import Any, Iterable

from ._naive_anthropic import NaiveAnthropic, declare

QUIRK = "anth-unknown-event"
BREAKS = ("anth-unknown-event",)
NEEDS = ("a valid trace with an unknown event, block or delta type (rule anth-unknown-event), "
         "e.g. y_unknown_block_and_event_types")

EVENTS = {"message_start", "content_block_start", "content_block_delta", "content_block_stop",
          "message_delta", "message_stop", "ping", "error"}
BLOCKS = {"text", "tool_use", "thinking", "redacted_thinking", "server_tool_use", "mcp_tool_use", "mcp_tool_result",
          "web_search_tool_result", "web_fetch_tool_result", "code_execution_tool_result",
          "bash_code_execution_tool_result", "text_editor_code_execution_tool_result", "tool_search_tool_result",
          "container_upload"}  # the documented types
DELTAS = {"text_delta", "input_json_delta", "thinking_delta", "signature_delta", "citations_delta"}


class Mutant(NaiveAnthropic):
    def on_payload(self, obj: dict) -> None:
        t = obj["type"]
        block = obj.get("content_block") if t == "content_block_start" else None
        delta = obj.get("delta") if t == "content_block_delta" else None
        for kind, value, known in (("event", t, EVENTS),
                                   ("block", block.get("type") if isinstance(block, dict) else None, BLOCKS),
                                   ("delta", delta.get("type") if isinstance(delta, dict) else None, DELTAS)):
            if value is not None and value not in known:
                raise ValueError(f"unknown {kind} type {value!r}")  # the bug: unknown is fatal
        super().on_payload(obj)


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    return Mutant().accumulate(reads)
