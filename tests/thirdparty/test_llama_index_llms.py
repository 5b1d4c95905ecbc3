"""LlamaIndex LLM adapters (``llama-index-openai``, ``llama-index-openai-responses``,
``llama-index-anthropic``): a few traces pass, and characteristic failures have the library's
cause."""

from __future__ import annotations

import pytest

pytest.importorskip("llama_index.llms.openai", reason="llama-index-llms-openai is not installed "
                    "(kit matrix builds its environment)")

from tests.thirdparty.smoke import verdicts, verify  # noqa: E402

MODULE = "kit.adapters.thirdparty.llama_index_llms"
CHAT = f"client[name=llama-index-openai]:{MODULE}:openai_chat"
RESPONSES = f"client[name=llama-index-openai-responses]:{MODULE}:openai_responses"
ANTHROPIC = f"client[name=llama-index-anthropic]:{MODULE}:anthropic_messages"


def test_chat_streams_pass_and_repeated_ids_are_concatenated():
    records = verify(CHAT, ["y_text_then_tool_call", "y_parallel_calls", "y_keepalive_comments",
                            "y_id_name_repeated_every_fragment", "n_arguments_concatenated_objects"])
    got = verdicts(records)
    assert got["y_text_then_tool_call"] == "PASS", records[("y_text_then_tool_call", "recorded")]["message"]
    assert got["y_parallel_calls"] == "PASS"
    assert got["y_keepalive_comments"] == "PASS"
    # update_tool_calls appends every fragment's id (and name) to the call's
    ids = records[("y_id_name_repeated_every_fragment", "recorded")]
    assert ids["verdict"] == "FAIL" and ids["path"].endswith("call_id")
    assert ids["actual"].startswith(ids["expected"] * 2)
    # get_tool_calls_from_response turns arguments it cannot parse into {} and dispatches them
    bad = records[("n_arguments_concatenated_objects", "recorded")]
    assert bad["verdict"] == "FAIL" and bad["path"].endswith("parameters") and bad["actual"] == {}


def test_chat_keeps_the_finish_reason_before_a_usage_only_final_chunk():
    # LlamaIndex keeps no finish reason: each ChatResponse's raw chunk has its own, and the
    # last chunk (choices: []) has none; what the earlier chunks said is the finish
    records = verify(CHAT, ["y_usage_only_final_chunk", "y_usage_before_empty_final_chunk"])
    for ident in ("y_usage_only_final_chunk", "y_usage_before_empty_final_chunk"):
        assert records[(ident, "recorded")]["verdict"] == "PASS", records[(ident, "recorded")]["message"]


def test_responses_reads_the_last_event_only():
    records = verify(RESPONSES, ["y_text_then_function_call", "y_parallel_function_calls",
                                 "y_reasoning_done_after_completed", "y_message_content_null"])
    got = verdicts(records)
    assert got["y_text_then_function_call"] == "PASS", records[("y_text_then_function_call", "recorded")]["message"]
    assert got["y_parallel_function_calls"] == "PASS"
    # each streamed ChatResponse holds only its own event: an event after response.completed
    # leaves the last one (what LlamaIndex's agent reads) without the completed output
    late = records[("y_reasoning_done_after_completed", "recorded")]
    assert late["verdict"] == "FAIL" and ".commands" in late["path"]  # the finish is read, the text is lost
    null = records[("y_message_content_null", "recorded")]
    assert null["verdict"] == "ERROR" and "TypeError" in null["message"] and "responses.py" in null["message"]


def test_responses_keeps_the_order_of_text_and_calls():
    # the completed output's blocks are in output order (SAY, DO, SAY); LlamaIndex's own
    # _parse_response_output extends the message with every text block so far at each message
    # item, so the second SAY repeats the first one's text before its own
    records = verify(RESPONSES, ["y_two_messages_around_call"])
    record = records[("y_two_messages_around_call", "recorded")]
    assert record["verdict"] == "FAIL" and record["path"] == "choices[0].commands[2].text", record["message"]
    first = record["plans"]["expected"]["choices"][0]["commands"][0]["text"]
    assert record["actual"].startswith(first) and record["actual"].endswith(record["expected"])


def test_anthropic_reads_the_blocks_in_order():
    anthropic = pytest.importorskip("anthropic")
    if int(anthropic.__version__.split(".")[0]) >= 2:
        pytest.skip("llama-index-llms-anthropic builds anthropic.types.MessageParam(...), a typing.Union "
                    "in anthropic>=2 (TypeError before any request); the matrix env pins anthropic<2")
    records = verify(ANTHROPIC, ["y_text_then_tool_use", "y_parallel_tool_use", "y_stop_sequence",
                                 "y_delta_type_mismatch", "y_tool_use_start_without_input",
                                 "y_web_search_citations"])
    got = verdicts(records)
    assert got["y_text_then_tool_use"] == "PASS", records[("y_text_then_tool_use", "recorded")]["message"]
    assert got["y_parallel_tool_use"] == "PASS"
    assert got["y_stop_sequence"] == "PASS"
    # the message's blocks, read one by one: no "\n" that message.content puts between text blocks
    cited = records[("y_web_search_citations", "recorded")]
    assert cited["verdict"] == "PASS" and not cited["notes"], (cited["message"], cited["notes"])
    # a stray text delta in the tool block becomes a TextBlock of its own after the call (a note)
    stray = records[("y_delta_type_mismatch", "recorded")]
    assert stray["verdict"] == "PASS" and any("whitespace-only SAY" in n for n in stray["notes"]), stray["notes"]
    # a tool_use start without `input` gives ToolCallBlock(tool_kwargs=None): pydantic rejects it
    start = records[("y_tool_use_start_without_input", "recorded")]
    assert start["verdict"] == "ERROR" and "ValidationError" in start["message"]
