"""smolagents' ``OpenAIServerModel.generate_stream`` + ``agglomerate_stream_deltas`` adapter."""

from __future__ import annotations

import pytest

pytest.importorskip("smolagents", reason="smolagents is not installed (kit matrix builds its environment)")

from tests.thirdparty.smoke import actual_commands, verdicts, verify  # noqa: E402

NAME = "client[name=smolagents-openai]:kit.adapters.thirdparty.smolagents_models:generate_stream"


def test_valid_streams_pass():
    passing = ["y_usage_only_final_chunk", "y_whole_call_with_finish_same_chunk", "y_id_name_repeated_every_fragment"]
    records = verify(NAME, passing, chunkings=("recorded", "bytewise"))
    got = verdicts(records)
    for ident in passing:
        assert got[ident] == "PASS", records[(ident, "recorded")]["message"]
    assert all(r["verdict"] == records[(i, "recorded")]["verdict"] for (i, c), r in records.items())


def test_a_stream_without_usage_reads_as_zero_tokens():
    # TokenUsage(0, 0) when no chunk carried usage: the plan is right otherwise, and all-zero
    # usage for none is a note, not a difference
    r = verify(NAME, ["y_parallel_calls"])[("y_parallel_calls", "recorded")]
    assert r["verdict"] == "PASS", r["message"]
    assert any(n.startswith("usage:") and '"input_tokens":0' in n for n in r["notes"]), r["notes"]


def test_calls_are_keyed_by_index_alone():
    # agglomerate_stream_deltas raises on a fragment without index, and merges calls that share one
    records = verify(NAME, ["y_tool_index_missing", "y_all_calls_index_zero"])
    missing = records[("y_tool_index_missing", "recorded")]
    assert missing["verdict"] == "ERROR" and "Tool call index is not provided" in missing["message"]
    merged = records[("y_all_calls_index_zero", "recorded")]
    calls = [c for c in actual_commands(merged) if c["type"] == "DO"]
    expected = [c for c in merged["plans"]["expected"]["choices"][0]["commands"] if c["type"] == "DO"]
    assert merged["verdict"] == "FAIL" and len(calls) == 1 < len(expected)


def test_usage_of_every_chunk_is_summed():
    r = verify(NAME, ["y_usage_on_every_chunk"])[("y_usage_on_every_chunk", "recorded")]
    assert r["verdict"] == "FAIL" and r["path"] == "usage.input_tokens" and r["actual"] > r["expected"]
