"""The rules every client adapter shares (``kit.adapters.client``): how a library's finish
reason, Responses status, ids and names, and usage become the Plan's, the one way the
references read them. Pure functions: they run without any third-party library."""

from __future__ import annotations

import pytest

from kit.adapters.client import (PlanOf, content_text, finish_reason, latest, name_or_none, plan_usage,
                                responses_finish)
from kit.reference.responses import INCOMPLETE_REASONS

CHAT = "openai.chat.completions"
RESPONSES = "openai.responses"
ANTHROPIC = "anthropic.messages"


@pytest.mark.parametrize("status,reason,calls,expected", [
    ("completed", None, True, "tool_calls"),
    ("completed", None, False, "stop"),
    ("incomplete", "max_output_tokens", False, "length"),
    ("incomplete", "content_filter", True, "content_filter"),
    ("incomplete", "some_new_reason", False, "incomplete"),  # as the reference: not kept raw
    ("incomplete", None, False, "incomplete"),
    ("failed", None, False, "error"),
    ("in_progress", None, True, None),  # no terminal response: the finish of a stream that never ended
    (None, None, False, None),
])
def test_responses_finish_reads_a_status_as_the_reference_reads_the_terminal_event(status, reason, calls, expected):
    assert responses_finish(status, reason, calls=calls) == expected


def test_responses_finish_maps_every_reason_the_reference_maps():
    for reason, mapped in INCOMPLETE_REASONS.items():
        assert responses_finish("incomplete", reason, calls=False) == mapped


def test_latest_keeps_what_an_earlier_chunk_said():
    assert latest(["", None, "tool_calls", None]) == "tool_calls"  # a usage-only final chunk erases nothing
    assert latest(["stop", "length"]) == "length"
    assert latest([None, ""]) is None
    assert latest(iter([])) is None


@pytest.mark.parametrize("value,expected", [("", None), (None, None), ("get_weather", "get_weather"), (7, "7")])
def test_an_empty_id_or_name_is_absent(value, expected):
    assert name_or_none(value) == expected
    plan = PlanOf(CHAT).call(value, value, "{}").plan()
    command = plan["choices"][0]["commands"][0]
    assert command["call_id"] == expected and command["action"] == expected


def test_cache_tokens_come_out_of_an_anthropic_total_only():
    # a library that counts Anthropic input OpenAI-style (input + cache reads + cache writes)
    assert plan_usage(ANTHROPIC, 3366, 12, cache_read=1536, cache_write=0, cache_in_input=True) == \
        {"input_tokens": 1830, "output_tokens": 12}
    assert plan_usage(ANTHROPIC, 3366, 12, cache_read=1000, cache_write=536, cache_in_input=True) == \
        {"input_tokens": 1830, "output_tokens": 12}
    # a library that keeps Anthropic's own meaning: nothing to take out
    assert plan_usage(ANTHROPIC, 1830, 12, cache_read=1536) == {"input_tokens": 1830, "output_tokens": 12}
    # on OpenAI's APIs the wire's input count already includes cached input
    for api in (CHAT, RESPONSES):
        assert plan_usage(api, 3366, 12, cache_read=1536, cache_in_input=True) == \
            {"input_tokens": 3366, "output_tokens": 12}
    # counts that are not integers are left out; nothing at all is no usage, never zeros
    assert plan_usage(CHAT, None, 5) == {"output_tokens": 5}
    assert plan_usage(CHAT, None, None) is None
    assert PlanOf(ANTHROPIC).usage(3366, 12, cache_read=1536, cache_in_input=True).plan()["usage"] == \
        {"input_tokens": 1830, "output_tokens": 12}


def test_finish_reason_maps_library_vocabularies_and_keeps_what_has_no_counterpart():
    assert finish_reason("function_call") == "tool_calls"
    assert finish_reason("end_turn") == "stop"
    assert finish_reason("max_output_tokens") == "length"
    assert finish_reason("") is None and finish_reason(None) is None
    assert finish_reason("eos") == "eos"


@pytest.mark.parametrize("content,expected", [
    ("Hello", ["Hello"]),
    ("", []),
    (None, []),
    ([{"type": "thinking", "thinking": "hmm"}, {"type": "text", "text": "Two"}], ["Two"]),
    ([{"type": "text", "text": "a"}, {"type": "text", "text": 3}, "b", {"type": "text", "text": "c"}], ["a", "c"]),
    ({"type": "text", "text": "x"}, []),
])
def test_content_text_reads_a_string_or_the_text_parts_of_a_list(content, expected):
    assert content_text(content) == expected


def test_a_call_not_dispatched_keeps_what_arrived():
    p = PlanOf(RESPONSES)
    p.call("call_1", "lookup", '{"q": "par', dispatched=False)
    p.call("call_2", "lookup", '{"q": "x"}')
    commands = p.plan()["choices"][0]["commands"]
    assert commands[0]["dispatched"] is False and commands[0]["arguments"] == '{"q": "par'
    assert commands[1].get("dispatched", True) is True and commands[1]["parameters"] == {"q": "x"}
