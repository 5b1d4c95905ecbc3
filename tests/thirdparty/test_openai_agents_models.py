"""openai-agents' ``Model.stream_response`` (the layer ``Runner.run_streamed`` calls)."""

from __future__ import annotations

import pytest

pytest.importorskip("agents", reason="openai-agents is not installed (kit matrix builds its environment)")

from tests.thirdparty.smoke import actual_commands, verdicts, verify  # noqa: E402

MODULE = "client:kit.adapters.thirdparty.openai_agents_models"


def test_chat_converter_passes_and_merges_the_text_around_a_call():
    records = verify(f"{MODULE}:chat", ["y_text_then_tool_call", "y_parallel_calls", "y_text_after_tool_call",
                                        "y_arguments_as_object"])
    got = verdicts(records)
    assert got["y_text_then_tool_call"] == "PASS", records[("y_text_then_tool_call", "recorded")]["message"]
    assert got["y_parallel_calls"] == "PASS"
    # ChatCmplStreamHandler keeps one output_text part (ordered=no): the text after the call joins the
    # text before it, which is all that result can say, and all the text is kept
    r = records[("y_text_after_tool_call", "recorded")]
    assert r["verdict"] == "PASS", r["message"]
    r = records[("y_arguments_as_object", "recorded")]
    assert r["verdict"] == "ERROR" and "TypeError" in r["message"] and "chatcmpl_stream_handler.py" in r["message"]


def test_responses_passes_server_and_custom_tools_and_rejects_an_incomplete_turn():
    records = verify(f"{MODULE}:responses", ["y_custom_tool_call", "y_code_interpreter_then_function_call",
                                             "y_computer_call", "y_incomplete_max_output_tokens_text",
                                             "y_item_done_missing"])
    got = verdicts(records)
    for ident in ("y_custom_tool_call", "y_code_interpreter_then_function_call", "y_computer_call"):
        assert got[ident] == "PASS", (ident, records[(ident, "recorded")]["message"])
    # stream_response raises ModelBehaviorError on response.incomplete, even with the text it streamed
    r = records[("y_incomplete_max_output_tokens_text", "recorded")]
    assert r["verdict"] == "ERROR" and "ModelBehaviorError" in r["message"] and "openai_responses.py" in r["message"]
    # the final response is response.completed's as sent (output: []), nothing is accumulated
    r = records[("y_item_done_missing", "recorded")]
    assert r["verdict"] == "FAIL" and r["plans"]["actual"]["choices"] == []


def test_responses_who_runs_a_call_is_read_per_item():
    # the final Response keeps each item (its execution, environment, name) and the declared tools:
    # a client tool search is a DO, a hosted shell call and xAI's X search under custom_tool_call
    # are the server's, a local shell call a DO
    ids = ["y_tool_search_client", "y_tool_search_server_then_call", "y_hosted_shell_call", "y_shell_call_local",
           "y_xai_x_search_as_custom_calls"]
    records = verify(f"{MODULE}:responses", ids)
    for ident in ids:
        assert records[(ident, "recorded")]["verdict"] == "PASS", (ident, records[(ident, "recorded")]["message"])
