"""The anthropic SDK's ``messages.stream()`` adapter (the SDK is in the test extra)."""

from __future__ import annotations

import pytest

pytest.importorskip("anthropic", reason="the anthropic SDK is not installed (pip install '.[test]' has it)")

from tests.thirdparty.smoke import verdicts, verify  # noqa: E402

NAME = "anthropic-messages-stream"


def test_valid_streams_pass_and_a_known_sdk_crash_is_its_error():
    records = verify(NAME, ["y_text_then_tool_use", "y_parallel_tool_use", "y_tool_input_many_fragments", "y_block_index_gap"],
                     chunkings=("recorded", "bytewise"))
    got = verdicts(records)
    assert got["y_text_then_tool_use"] == "PASS", records[("y_text_then_tool_use", "recorded")]["message"]
    assert got["y_parallel_tool_use"] == "PASS"
    assert got["y_tool_input_many_fragments"] == "PASS"
    # the SDK indexes its content list by the block index: a gap is an IndexError inside the SDK
    gap = records[("y_block_index_gap", "recorded")]
    assert gap["verdict"] == "ERROR" and "IndexError" in gap["message"] and "_messages.py" in gap["message"]
    assert all(r["verdict"] == records[(i, "recorded")]["verdict"] for (i, c), r in records.items())


def test_partial_tool_input_is_reported_as_the_sdk_parsed_it():
    r = verify(NAME, ["n_truncated_mid_tool_input"])[("n_truncated_mid_tool_input", "recorded")]
    # the SDK parses the cut block's partial JSON and hands the call over as complete (a
    # ToolUseBlock has no status): marks_undispatched=no, so dropping the call would have been
    # right, and the reference's undispatched DO is left out; the SDK's call is an extra DO
    assert r["verdict"] == "FAIL" and r["path"] == "choices[0].commands[0]" and r["expected"] is None, r["message"]
    assert r["actual"].startswith("DO send_email(")
