"""The LangChain chat-model adapters (``langchain-openai``, ``langchain-anthropic``):
``bind_tools``, ``stream``, add the chunks up."""

from __future__ import annotations

import pytest

pytest.importorskip("langchain_openai", reason="langchain-openai is not installed (kit matrix builds its environment)")
pytest.importorskip("langchain_anthropic",
                    reason="langchain-anthropic is not installed (kit matrix builds its environment)")

from tests.thirdparty.smoke import difference, verdicts, verify  # noqa: E402

MODULE = "kit.adapters.thirdparty.langchain_models"
CHAT = f"client[name=langchain-openai-chat]:{MODULE}:openai_chat"
RESPONSES = f"client[name=langchain-openai-responses]:{MODULE}:openai_responses"
ANTHROPIC = f"client[name=langchain-anthropic]:{MODULE}:anthropic_messages"


def test_chat_completions_passes_and_merges_repeated_headers_into_the_name():
    records = verify(CHAT, ["y_text_then_tool_call", "y_parallel_calls", "y_usage_only_final_chunk",
                            "y_id_name_repeated_every_fragment", "y_tool_fragment_without_function",
                            "n_arguments_concatenated_objects"])
    got = verdicts(records)
    for ok in ("y_text_then_tool_call", "y_parallel_calls", "y_usage_only_final_chunk"):
        assert got[ok] == "PASS", records[(ok, "recorded")]["message"]
    # merge_dicts concatenates every string field of tool-call chunks with the same index: the name too
    name = records[("y_id_name_repeated_every_fragment", "recorded")]
    assert name["verdict"] == "FAIL" and name["path"].endswith("action")
    assert name["actual"] == "read_file" * 4
    # a fragment with "function": null is an AttributeError in langchain-openai's delta conversion
    crash = records[("y_tool_fragment_without_function", "recorded")]
    assert crash["verdict"] == "ERROR" and "AttributeError" in crash["message"] and "base.py" in crash["message"]
    # parse_partial_json keeps the first object of '{...}{...}': a valid call where the reference has none
    two = records[("n_arguments_concatenated_objects", "recorded")]
    assert two["verdict"] == "FAIL" and two["path"].endswith("parameters") and isinstance(two["actual"], dict)


def test_responses_passes_with_server_tools_and_ignores_finished_arguments():
    records = verify(RESPONSES, ["y_two_messages_around_call", "y_web_search_with_citations", "y_remote_mcp_call",
                                 "y_arguments_without_deltas", "y_completed_output_null"])
    got = verdicts(records)
    for ok in ("y_two_messages_around_call", "y_web_search_with_citations", "y_remote_mcp_call"):
        assert got[ok] == "PASS", records[(ok, "recorded")]["message"]
    # arguments come only from output_item.added and the deltas, never from the finished item
    late = records[("y_arguments_without_deltas", "recorded")]
    assert late["verdict"] == "FAIL" and late["path"].endswith("parameters") and late["actual"] == {}
    # "output": null in response.completed is a TypeError while building the final metadata
    null = records[("y_completed_output_null", "recorded")]
    assert null["verdict"] == "ERROR" and "TypeError" in null["message"]
    assert "_construct_lc_result_from_responses_api" in null["message"]


def test_responses_reads_who_runs_a_call_from_the_block_but_not_the_declared_tools():
    records = verify(RESPONSES, ["y_tool_search_client", "y_tool_search_server_then_call",
                                 "y_xai_x_search_as_custom_calls", "y_hosted_shell_call"])
    # the tool_search_call block keeps its item's execution: the client's search is a DO, the
    # server's a server tool
    for ok in ("y_tool_search_client", "y_tool_search_server_then_call"):
        assert records[(ok, "recorded")]["verdict"] == "PASS", records[(ok, "recorded")]["message"]
    # the response's tools are not kept: xAI's X search under custom_tool_call is in tool_calls, a DO
    xai = records[("y_xai_x_search_as_custom_calls", "recorded")]
    assert xai["verdict"] == "FAIL" and "DO x_keyword_search(" in difference(xai, "commands[0]")["actual"]
    # a shell_call item is not kept at all (not in its content block list): the server tool is lost
    shell = records[("y_hosted_shell_call", "recorded")]
    assert shell["verdict"] == "FAIL" and difference(shell, "server_tools[0]")["actual"] is None


def test_anthropic_passes_and_takes_input_tokens_only_from_message_delta():
    records = verify(ANTHROPIC, ["y_parallel_tool_use", "y_text_after_server_tool_then_client_tool",
                                 "y_thinking_then_tool_use", "y_text_then_tool_use"],
                     chunkings=("recorded", "bytewise"))
    got = verdicts(records)
    for ok in ("y_parallel_tool_use", "y_text_after_server_tool_then_client_tool", "y_thinking_then_tool_use"):
        assert got[ok] == "PASS", records[(ok, "recorded")]["message"]
    # message_start's usage is dropped; this trace's message_delta has no input_tokens -> 0
    usage = records[("y_text_then_tool_use", "recorded")]
    assert usage["verdict"] == "FAIL" and usage["path"] == "usage.input_tokens" and usage["actual"] == 0
    assert all(r["verdict"] == records[(i, "recorded")]["verdict"] for (i, c), r in records.items())


def test_anthropic_input_tokens_are_counted_as_the_wire_counts_them():
    # LangChain's Anthropic input count includes the cache reads and writes, which it reports apart
    # (input_token_details): the Plan's input_tokens is Anthropic's, without them (1830 here, 1536 read)
    r = verify(ANTHROPIC, ["y_usage_cumulative"])[("y_usage_cumulative", "recorded")]
    assert r["verdict"] == "PASS", r["message"]
