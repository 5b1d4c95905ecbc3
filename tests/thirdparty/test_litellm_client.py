"""litellm's adapters: ``completion(stream=True)`` + ``stream_chunk_builder`` (Chat
Completions and Anthropic Messages) and ``responses(stream=True)``."""

from __future__ import annotations

import pytest

pytest.importorskip("litellm", reason="litellm is not installed (kit matrix builds its environment)")

from tests.thirdparty.smoke import actual_commands, verdicts, verify  # noqa: E402

CHAT = "client:kit.adapters.thirdparty.litellm_client:chat_stream"
RESPONSES = "client:kit.adapters.thirdparty.litellm_client:responses_stream"
ANTHROPIC = "client:kit.adapters.thirdparty.litellm_client:anthropic_stream"


def test_chat_rebuilds_calls_and_invents_usage():
    records = verify(CHAT, ["y_usage_only_final_chunk", "y_usage_on_every_chunk", "y_whole_call_with_finish_same_chunk",
                            "y_parallel_calls", "y_all_calls_index_zero", "y_data_non_json_keepalive"])
    got = verdicts(records)
    for ident in ("y_usage_only_final_chunk", "y_usage_on_every_chunk", "y_whole_call_with_finish_same_chunk"):
        assert got[ident] == "PASS", records[(ident, "recorded")]["message"]
    # the calls are right, but a stream without usage comes back with usage 0/0 (the
    # wrapper's calculate_total_usage default on the last chunk, kept by stream_chunk_builder):
    # all-zero usage for none is a note, not a difference
    usage = records[("y_parallel_calls", "recorded")]
    assert usage["verdict"] == "PASS", usage["message"]
    assert any(n.startswith("usage:") and '"input_tokens":0' in n for n in usage["notes"]), usage["notes"]
    # tool-call fragments are merged by index alone: three calls all at index 0 become one
    merged = records[("y_all_calls_index_zero", "recorded")]
    assert merged["verdict"] == "FAIL" and len([c for c in actual_commands(merged) if c["type"] == "DO"]) == 1
    # a non-JSON `data:` line fails the OpenAI SDK stream litellm reads through
    keepalive = records[("y_data_non_json_keepalive", "recorded")]
    assert keepalive["verdict"] == "ERROR" and "Expecting value" in keepalive["message"]


def test_anthropic_translation_passes_tools_but_loses_text_after_a_non_json_line():
    records = verify(ANTHROPIC, ["y_text_then_tool_use", "y_parallel_tool_use", "y_tool_input_many_fragments",
                                 "y_data_not_json", "y_web_search_citations"], chunkings=("recorded", "bytewise"))
    got = verdicts(records)
    assert got["y_text_then_tool_use"] == "PASS", records[("y_text_then_tool_use", "recorded")]["message"]
    assert got["y_parallel_tool_use"] == "PASS"
    assert got["y_tool_input_many_fragments"] == "PASS"
    # after `data: keep-alive` the iterator only accumulates "partial JSON" that never parses:
    # the rest of the stream is dropped without an error
    lost = records[("y_data_not_json", "recorded")]
    assert lost["verdict"] == "FAIL" and actual_commands(lost) == []
    # the server-side web_search (server_tool_use) comes back as an ordinary tool call
    search = records[("y_web_search_citations", "recorded")]
    assert search["verdict"] == "FAIL" and any(c["type"] == "DO" and c["action"] == "web_search"
                                               for c in actual_commands(search))
    assert all(r["verdict"] == records[(i, "recorded")]["verdict"] for (i, c), r in records.items())


def test_responses_final_response_and_a_crash_on_an_event_without_type():
    records = verify(RESPONSES, ["y_text_then_function_call", "y_parallel_function_calls", "y_custom_tool_call",
                                 "y_non_event_payloads", "y_completed_output_null"])
    got = verdicts(records)
    for ident in ("y_text_then_function_call", "y_parallel_function_calls", "y_custom_tool_call"):
        assert got[ident] == "PASS", records[(ident, "recorded")]["message"]
    crash = records[("y_non_event_payloads", "recorded")]
    assert crash["verdict"] == "ERROR" and "AttributeError" in crash["message"] and "'type'" in crash["message"]
    # the final response is the server's response.completed as it came: with `output: null`
    # nothing of what was streamed is in it
    empty = records[("y_completed_output_null", "recorded")]
    assert empty["verdict"] == "FAIL"


def test_anthropic_input_tokens_are_counted_as_the_wire_counts_them():
    # litellm's Anthropic input count includes the cache reads and writes, which it reports apart
    # (prompt_tokens_details): the Plan's input_tokens is Anthropic's, without them (1830 here, 1536 read)
    r = verify(ANTHROPIC, ["y_usage_cumulative"])[("y_usage_cumulative", "recorded")]
    assert r["verdict"] == "PASS", r["message"]


def test_responses_who_runs_a_call_is_read_per_item():
    # the terminal response keeps each item whole and the declared tools: a client tool search is
    # a DO, a hosted shell call (its output in the same response) and xAI's X search under
    # custom_tool_call are server tools, a local shell call a DO
    ids = ["y_tool_search_client", "y_hosted_shell_call", "y_shell_call_local", "y_xai_x_search_as_custom_calls"]
    records = verify(RESPONSES, ids)
    for ident in ids:
        assert records[(ident, "recorded")]["verdict"] == "PASS", records[(ident, "recorded")]["message"]
