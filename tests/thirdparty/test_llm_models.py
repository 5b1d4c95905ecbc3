"""Simon Willison's ``llm`` adapters (``llm-openai``, ``llm-openai-responses``,
``llm-anthropic``): a few traces pass, and characteristic failures have the library's cause."""

from __future__ import annotations

import pytest

pytest.importorskip("llm", reason="llm is not installed (kit matrix builds its environment)")

from tests.thirdparty.smoke import verdicts, verify  # noqa: E402

MODULE = "kit.adapters.thirdparty.llm_models"
CHAT = f"client[name=llm-openai]:{MODULE}:openai_chat"
RESPONSES = f"client[name=llm-openai-responses]:{MODULE}:openai_responses"
ANTHROPIC = f"client[name=llm-anthropic]:{MODULE}:claude_messages"


def test_chat_streams_pass_and_index_zero_calls_crash_in_llm():
    records = verify(CHAT, ["y_text_then_tool_call", "y_parallel_calls", "y_keepalive_comments",
                            "y_all_calls_index_zero", "y_azure_filter_chunks"])
    got = verdicts(records)
    assert got["y_text_then_tool_call"] == "PASS", records[("y_text_then_tool_call", "recorded")]["message"]
    assert got["y_parallel_calls"] == "PASS"
    assert got["y_keepalive_comments"] == "PASS"
    # llm keys streamed calls by `index` only: three calls at index 0 become one argument
    # string of three JSON objects, which its json.loads rejects
    zero = records[("y_all_calls_index_zero", "recorded")]
    assert zero["verdict"] == "ERROR" and "JSONDecodeError: Extra data" in zero["message"]
    # a chunk whose choice has `delta: null` (Azure content-filter chunks) crashes llm's loop
    azure = records[("y_azure_filter_chunks", "recorded")]
    assert azure["verdict"] == "ERROR" and "AttributeError" in azure["message"]
    assert "openai_models.py" in azure["message"]


def test_responses_reads_calls_from_finished_items_and_only_completed_responses():
    records = verify(RESPONSES, ["y_text_then_function_call", "y_parallel_function_calls",
                                 "y_name_only_in_item_added", "y_incomplete_max_output_tokens_text"])
    got = verdicts(records)
    assert got["y_text_then_function_call"] == "PASS", records[("y_text_then_function_call", "recorded")]["message"]
    assert got["y_parallel_function_calls"] == "PASS"
    # llm takes a call's name from its output_item.done only, where this stream leaves it null
    name = records[("y_name_only_in_item_added", "recorded")]
    assert name["verdict"] == "FAIL" and name["path"].endswith("action") and name["actual"] is None
    # llm only reads response.completed: an incomplete response has no status, so no finish
    cut = records[("y_incomplete_max_output_tokens_text", "recorded")]
    assert cut["verdict"] == "FAIL" and cut["path"].endswith("finish_reason") and cut["actual"] is None


def test_anthropic_appends_a_space_after_tool_use():
    records = verify(ANTHROPIC, ["y_max_tokens_in_text", "y_stop_sequence", "y_text_then_tool_use",
                                 "y_thinking_then_tool_use"])
    got = verdicts(records)
    assert got["y_max_tokens_in_text"] == "PASS", records[("y_max_tokens_in_text", "recorded")]["message"]
    assert got["y_stop_sequence"] == "PASS"
    # llm-anthropic yields an extra " " text chunk whenever the message has tool calls; in the
    # message's parts (read in order) it is a TextPart after the call: a whitespace-only SAY,
    # a note, where text() glues it to the text before the call
    for ident, position in (("y_text_then_tool_use", 2), ("y_thinking_then_tool_use", 1)):
        record = records[(ident, "recorded")]
        assert record["verdict"] == "PASS", record["message"]
        assert f'commands[{position}]: a whitespace-only SAY " " is extra' in " ".join(record["notes"]), record["notes"]


def test_text_after_a_call_stays_after_it():
    # response.messages() keeps the stream's order: text, the call, text again
    chat = verify(CHAT, ["y_text_after_tool_call"])[("y_text_after_tool_call", "recorded")]
    assert chat["verdict"] == "PASS", chat["message"]
    responses = verify(RESPONSES, ["y_two_messages_around_call"])
    record = responses[("y_two_messages_around_call", "recorded")]
    assert record["verdict"] == "PASS", record["message"]


def test_responses_invalid_arguments_marker_is_invalid_arguments_in_the_plan():
    # llm stores arguments it cannot parse as {"_raw": text}: the Plan has them as invalid
    # arguments (parameters null), not as the parameters {"_raw": ...}
    records = verify(RESPONSES, ["responses/n_arguments_invalid_json"])
    record = records[("responses/n_arguments_invalid_json", "recorded")]
    assert record["verdict"] == "PASS", record["message"]


def test_the_raw_marker_is_read_back_only_when_it_holds_text_that_is_not_json():
    from kit.adapters.thirdparty.llm_models import _arguments

    assert _arguments({"_raw": '{"path": "a'}) == '{"path": "a'
    assert _arguments({"_raw": "{}"}) == {"_raw": "{}"}  # json.loads accepts it: real arguments
    assert _arguments({"_raw": '{"a', "b": 1}) == {"_raw": '{"a', "b": 1}
    assert _arguments({"path": "a"}) == {"path": "a"}


def test_anthropic_refusal_is_the_plugins_documented_claude_refusal_not_a_crash():
    # llm-anthropic raises ClaudeRefusal on stop_reason "refusal" (its README, "Refusals"), after
    # recording the text and usage: the refusal is the answer, graded as the finish content_filter
    r = verify(ANTHROPIC, ["anthropic/y_refusal"])[("anthropic/y_refusal", "recorded")]
    assert r["verdict"] == "PASS", r["message"]
