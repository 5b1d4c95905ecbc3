"""pydantic-ai's direct streamed model requests (``pydantic_ai.direct.model_request_stream``)."""

from __future__ import annotations

import pytest

pytest.importorskip("pydantic_ai", reason="pydantic-ai is not installed (kit matrix builds its environment)")

from tests.thirdparty.smoke import verdicts, verify  # noqa: E402

MODULE = "client:kit.adapters.thirdparty.pydantic_ai_direct"


def test_chat_passes_and_appends_a_repeated_tool_name():
    records = verify(f"{MODULE}:chat", ["y_text_then_tool_call", "y_parallel_calls",
                                        "y_id_name_repeated_every_fragment", "y_usage_on_every_chunk"])
    got = verdicts(records)
    assert got["y_text_then_tool_call"] == "PASS", records[("y_text_then_tool_call", "recorded")]["message"]
    assert got["y_parallel_calls"] == "PASS"
    # the parts manager appends every name fragment (ToolCallPartDelta.tool_name_delta) to the name
    r = records[("y_id_name_repeated_every_fragment", "recorded")]
    assert r["verdict"] == "FAIL" and r["actual"] == "read_file" * 4
    # running usage on every chunk is added up unless openai_continuous_usage_stats is set
    r = records[("y_usage_on_every_chunk", "recorded")]
    assert r["verdict"] == "FAIL" and r["path"] == "usage.input_tokens" and r["actual"] > r["expected"]


def test_responses_finish_is_read_from_the_status_pydantic_ai_keeps():
    records = verify(f"{MODULE}:responses", ["y_web_search_with_citations", "y_remote_mcp_call",
                                             "y_text_then_function_call", "y_parallel_function_calls",
                                             "y_completed_output_null"])
    got = verdicts(records)
    assert got["y_web_search_with_citations"] == "PASS", records[("y_web_search_with_citations", "recorded")]["message"]
    assert got["y_remote_mcp_call"] == "PASS"
    # pydantic-ai maps the status 'completed' to 'stop' whatever the turn holds, and keeps the
    # status in provider_details: the finish is derived from it by the rule every adapter shares
    for ident in ("y_text_then_function_call", "y_parallel_function_calls"):
        assert got[ident] == "PASS", (ident, records[(ident, "recorded")]["message"])
    r = records[("y_completed_output_null", "recorded")]
    assert r["verdict"] == "ERROR" and "TypeError" in r["message"] and "_responses_streaming.py" in r["message"]


def test_anthropic_pause_turn_and_cached_usage_map_and_an_early_event_is_an_assertion():
    records = verify(f"{MODULE}:anthropic", ["y_text_then_tool_use", "y_parallel_tool_use", "y_pause_turn",
                                             "y_usage_cumulative", "y_events_before_message_start"])
    got = verdicts(records)
    for ident in ("y_text_then_tool_use", "y_parallel_tool_use", "y_pause_turn", "y_usage_cumulative"):
        assert got[ident] == "PASS", (ident, records[(ident, "recorded")]["message"])
    r = records[("y_events_before_message_start", "recorded")]
    assert r["verdict"] == "ERROR" and "AssertionError" in r["message"]


def test_a_response_pydantic_ai_marks_incomplete_gives_calls_that_are_not_dispatched():
    # a Responses stream cut before its terminal event: pydantic-ai's ModelResponse.state is
    # 'incomplete', so its tool call is a DO that is not dispatched, as the reference has it
    records = verify(f"{MODULE}:responses", ["responses/n_truncated_mid_arguments"])
    r = records[("responses/n_truncated_mid_arguments", "recorded")]
    assert r["verdict"] == "PASS", r["message"]
    # the Chat model stamps a stream that ended without a finish reason 'complete': the cut
    # call is handed over as a call to run
    chat = verify(f"{MODULE}:chat", ["chat/n_truncated_mid_arguments"])[("chat/n_truncated_mid_arguments", "recorded")]
    assert chat["verdict"] == "FAIL" and any(d["field"] == "dispatched" or d["path"].endswith("dispatched")
                                             for d in chat["differences"]), chat["differences"]
