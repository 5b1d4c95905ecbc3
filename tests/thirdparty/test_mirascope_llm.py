"""Mirascope v2's ``llm.Model(...).stream(...)`` + ``finish()`` adapters."""

from __future__ import annotations

import pytest

pytest.importorskip("mirascope", reason="mirascope is not installed (kit matrix builds its environment)")

from tests.thirdparty.smoke import verdicts, verify  # noqa: E402

SPEC = "client[name=mirascope-{}]:kit.adapters.thirdparty.mirascope_llm:{}_stream"
CHAT, ANTHROPIC = SPEC.format("chat", "chat"), SPEC.format("anthropic", "anthropic")


def test_valid_streams_pass():
    records = verify(CHAT, ["y_text_then_tool_call", "y_parallel_calls", "y_all_calls_index_zero"],
                     chunkings=("recorded", "bytewise"))
    got = verdicts(records)
    for ident in ("y_text_then_tool_call", "y_parallel_calls", "y_all_calls_index_zero"):
        assert got[ident] == "PASS", records[(ident, "recorded")]["message"]
    assert all(r["verdict"] == records[(i, "recorded")]["verdict"] for (i, c), r in records.items())
    assert verdicts(verify(ANTHROPIC, ["y_parallel_tool_use"]))["y_parallel_tool_use"] == "PASS"


def test_text_after_a_tool_call_crashes_its_stream_state():
    # the Chat Completions decoder sends a TextStartChunk only before any tool call, so text
    # after one reaches the response as a text chunk with no text part open
    r = verify(CHAT, ["y_text_after_tool_call"])[("y_text_after_tool_call", "recorded")]
    assert r["verdict"] == "ERROR" and "Received text_chunk while not processing text" in r["message"]


def test_unknown_anthropic_block_types_are_not_implemented():
    r = verify(ANTHROPIC, ["y_unknown_block_and_event_types"])[("y_unknown_block_and_event_types", "recorded")]
    assert r["verdict"] == "ERROR" and "NotImplementedError" in r["message"]


def test_anthropic_input_tokens_are_counted_as_the_wire_counts_them():
    # Mirascope's Anthropic input count includes the cache reads and writes, which it reports apart
    # (cache_read_tokens / cache_write_tokens): the Plan's input_tokens is Anthropic's, without them (1830 here, 1536 read)
    r = verify(ANTHROPIC, ["y_usage_cumulative"])[("y_usage_cumulative", "recorded")]
    assert r["verdict"] == "PASS", r["message"]
