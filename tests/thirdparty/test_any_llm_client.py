"""any-llm (``any-llm-sdk``): completion(stream=True) + ChatCompletionAccumulator, and responses(stream=True)."""

from __future__ import annotations

import pytest

pytest.importorskip("any_llm", reason="any-llm-sdk is not installed (kit matrix builds its environment)")

from tests.thirdparty.smoke import difference, verdicts, verify  # noqa: E402

MODULE = "kit.adapters.thirdparty.any_llm_client"
CHAT = f"client[name=any-llm-openai]:{MODULE}:chat_stream"
ANTHROPIC = f"client[name=any-llm-anthropic]:{MODULE}:anthropic_stream"
RESPONSES = f"client[name=any-llm-responses]:{MODULE}:responses_stream"


def test_chat_passes_and_strict_chunk_validation_crashes():
    records = verify(CHAT, ["y_text_then_tool_call", "y_parallel_calls", "y_two_choices", "y_choice_index_missing"])
    got = verdicts(records)
    for ok in ("y_text_then_tool_call", "y_parallel_calls", "y_two_choices"):
        assert got[ok] == "PASS", records[(ok, "recorded")]["message"]
    # any-llm re-validates every OpenAI chunk into its own pydantic ChatCompletionChunk
    r = records[("y_choice_index_missing", "recorded")]
    assert r["verdict"] == "ERROR" and "ValidationError" in r["message"]


def test_anthropic_conversion_passes_and_maps_unknown_stops_to_stop():
    records = verify(ANTHROPIC, ["y_text_then_tool_use", "y_parallel_tool_use", "y_pause_turn",
                                 "y_usage_cumulative"])
    assert records[("y_text_then_tool_use", "recorded")]["verdict"] == "PASS"
    assert records[("y_parallel_tool_use", "recorded")]["verdict"] == "PASS"
    # stop reasons without an OpenAI counterpart fall through to "stop"
    r = records[("y_pause_turn", "recorded")]
    assert r["verdict"] == "FAIL" and difference(r, "finish_reason")["actual"] == "stop"
    assert records[("y_usage_cumulative", "recorded")]["verdict"] == "PASS"


def test_responses_recipe_passes_parallel_calls():
    records = verify(RESPONSES, ["y_text_then_function_call", "y_parallel_function_calls"])
    assert verdicts(records) == {"y_text_then_function_call": "PASS", "y_parallel_function_calls": "PASS"}


def test_anthropic_input_tokens_are_counted_as_the_wire_counts_them():
    # any-llm's Anthropic input count includes the cache reads and writes, which it reports apart
    # (prompt_tokens_details): the Plan's input_tokens is Anthropic's, without them (1830 here, 1536 read)
    r = verify(ANTHROPIC, ["y_usage_cumulative"])[("y_usage_cumulative", "recorded")]
    assert r["verdict"] == "PASS", r["message"]
