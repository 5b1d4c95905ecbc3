"""Haystack chat generators (haystack-ai, anthropic-haystack): run(streaming_callback=...) -> replies[0]."""

from __future__ import annotations

import pytest

pytest.importorskip("haystack", reason="haystack-ai is not installed (kit matrix builds its environment)")

from tests.thirdparty.smoke import actual_commands, verdicts, verify  # noqa: E402

MODULE = "kit.adapters.thirdparty.haystack_generators"
CHAT = f"client[name=haystack-openai]:{MODULE}:openai_chat"
RESPONSES = f"client[name=haystack-openai-responses]:{MODULE}:openai_responses"
ANTHROPIC = f"client[name=haystack-anthropic]:{MODULE}:anthropic_chat"


def test_chat_passes_and_joins_repeated_names_and_drops_invalid_calls():
    records = verify(CHAT, ["y_text_then_tool_call", "y_parallel_calls", "y_usage_only_final_chunk",
                            "y_id_name_repeated_every_fragment", "n_arguments_concatenated_objects"])
    got = verdicts(records)
    for ok in ("y_text_then_tool_call", "y_parallel_calls", "y_usage_only_final_chunk"):
        assert got[ok] == "PASS", records[(ok, "recorded")]["message"]
    # haystack appends tool_name on every fragment (generators/utils.py: name += tool_name)
    r = records[("y_id_name_repeated_every_fragment", "recorded")]
    assert r["verdict"] == "FAIL" and r["actual"] == "read_file" * 4
    # a call whose arguments are not JSON is dropped with a warning: its ToolCall.arguments (a dict)
    # cannot hold it (holds_invalid_arguments=no), so dropping it is right, and a note says so
    r = records[("n_arguments_concatenated_objects", "recorded")]
    assert r["verdict"] == "PASS" and any("not valid JSON" in n for n in r["notes"]), r


def test_responses_orders_calls_by_item_id():
    records = verify(RESPONSES, ["y_text_then_function_call", "y_parallel_function_calls"])
    assert records[("y_text_then_function_call", "recorded")]["verdict"] == "PASS"
    # tool calls are sorted by their fc_ item id, not kept in stream order
    r = records[("y_parallel_function_calls", "recorded")]
    ids = [c["call_id"] for c in actual_commands(r) if c["type"] == "DO"]
    stream = [c["call_id"] for c in r["plans"]["expected"]["choices"][0]["commands"] if c["type"] == "DO"]
    assert r["verdict"] == "FAIL" and sorted(ids) == sorted(stream) and ids != stream


def test_anthropic_via_base_url_env_and_prefilled_input_ignored():
    records = verify(ANTHROPIC, ["y_text_then_tool_use", "y_parallel_tool_use", "y_input_prefilled_no_deltas"])
    assert records[("y_text_then_tool_use", "recorded")]["verdict"] == "PASS"
    assert records[("y_parallel_tool_use", "recorded")]["verdict"] == "PASS"
    # the tool_use block's own input is ignored: only input_json_delta fragments count
    r = records[("y_input_prefilled_no_deltas", "recorded")]
    assert r["verdict"] == "FAIL" and r["path"].endswith("parameters") and r["actual"] == {}


def test_anthropic_input_tokens_are_counted_as_the_wire_counts_them():
    # Haystack's Anthropic input count includes the cache reads and writes, which it reports apart
    # (its usage dict): the Plan's input_tokens is Anthropic's, without them (1830 here, 1536 read)
    r = verify(ANTHROPIC, ["y_usage_cumulative"])[("y_usage_cumulative", "recorded")]
    assert r["verdict"] == "PASS", r["message"]


def test_responses_failed_status_in_meta_is_the_error():
    # response.failed: Haystack gives no finish reason, but meta is the failed response (status,
    # error): reported as the error; a top-level error event never reaches the ChatMessage
    records = verify(RESPONSES, ["n_response_failed", "n_error_event_flat"])
    assert records[("n_response_failed", "recorded")]["verdict"] == "PASS", \
        records[("n_response_failed", "recorded")]["message"]
    r = records[("n_error_event_flat", "recorded")]
    assert r["verdict"] == "FAIL" and {d["field"] for d in r["differences"]} == {"finish_reason", "error"}
