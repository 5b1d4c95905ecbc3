"""The Gemini reference (kit/reference/gemini.py) on streams built here, piece by piece: call
identity and both argument forms, RFC 9535 paths, conflicts, ends, usage, and its fast path
(the common chunks) against the general one."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings

import kit.strategies as ks
from kit.reference.gemini import CALL_TRANSITIONS, FINISH_REASONS, GeminiReference, parse_json_path
from kit.replay import replay
from kit.trace import Trace, corpus

API = "google.generate_content"
USAGE = {"promptTokenCount": 12, "candidatesTokenCount": 7, "thoughtsTokenCount": 5, "totalTokenCount": 24}


def stream(*payloads: object, eol: str = "\r\n") -> Trace:
    body = "".join(f"data: {json.dumps(p)}{eol}{eol}" for p in payloads).encode()
    return Trace(id="y_built", api=API, cls="y", body=body)


def chunk(*parts: dict, finish: str | None = None, index: int | None = 0, **extra: object) -> dict:
    cand: dict = {"content": {"role": "model", "parts": list(parts)}}
    if index is not None:
        cand["index"] = index
    if finish:
        cand["finishReason"] = finish
    return {"candidates": [cand], **extra}


def call(**fields: object) -> dict:
    return {"functionCall": fields}


def arg(path: str, **value: object) -> dict:
    return {"jsonPath": path, **value}


def plan_of(*payloads: object) -> tuple[dict, list[str]]:
    result = replay(stream(*payloads))
    return result.plan, [d.rule for d in result.diagnostics]


def dos(plan: dict, choice: int = 0) -> list[dict]:
    return [c for c in plan["choices"][choice]["commands"] if c["type"] == "DO"]


def test_parallel_calls_of_one_tool_are_two_calls_without_ids():
    plan, rules = plan_of(chunk(call(name="read", args={"p": "a"}), call(name="read", args={"p": "b"}), finish="STOP"))
    assert [(d["call_id"], d["action"], d["parameters"]) for d in dos(plan)] == [
        (None, "read", {"p": "a"}), (None, "read", {"p": "b"})]
    assert plan["choices"][0]["finish_reason"] == "stop"
    assert "gem-call-id" in rules and "gem-finish-stop-with-calls" in rules


def test_a_call_without_args_is_a_call_with_none():
    plan, rules = plan_of(chunk(call(name="now", id="c1"), finish="STOP"))
    assert dos(plan) == [{"type": "DO", "call_id": "c1", "action": "now", "arguments": "{}", "parameters": {}}]
    assert "gem-args-missing" in rules and "gem-call-id" not in rules


def test_thoughts_and_signatures_are_never_text():
    plan, _ = plan_of(chunk({"text": "planning", "thought": True}, {"text": "", "thoughtSignature": "c2ln"},
                            {"text": "Hello"}, finish="STOP"))
    assert plan["choices"][0]["commands"] == [{"type": "SAY", "text": "Hello"}]


def test_streamed_arguments_are_assembled_by_path_and_dispatched_at_the_last_part():
    plan, rules = plan_of(
        chunk(call(name="write", willContinue=True)),
        chunk(call(partialArgs=[arg("$.path", stringValue="a.txt"), arg("$.body", stringValue="he", willContinue=True)],
                   willContinue=True)),
        chunk(call(partialArgs=[arg("$.body", stringValue="llo", willContinue=True)], willContinue=True)),
        chunk(call(partialArgs=[arg("$.body", stringValue="!"), arg("$['opts'][1].n", numberValue=2),
                                arg("$.x", nullValue="NULL_VALUE"), arg("$.é", boolValue=True)])),
        chunk(finish="STOP"))
    (do,) = dos(plan)
    assert do["parameters"] == {"path": "a.txt", "body": "hello!", "opts": [None, {"n": 2}], "x": None, "é": True}
    assert json.loads(do["arguments"]) == do["parameters"] and "dispatched" not in do
    assert "gem-partial-args" in rules and "gem-call-unclosed" not in rules


def test_a_long_streamed_string_is_kept_whole():
    pieces = [f"{i:05d}" for i in range(3000)]
    payloads = [chunk(call(name="w", willContinue=True))]
    payloads += [chunk(call(partialArgs=[arg("$.s", stringValue=p, willContinue=True)], willContinue=True))
                 for p in pieces]
    payloads += [chunk(call(), finish="STOP")]
    plan, _ = plan_of(*payloads)
    assert dos(plan)[0]["parameters"] == {"s": "".join(pieces)}


@pytest.mark.parametrize("entries, why", [
    ([arg("$.tags[", stringValue="x")], "does not name an argument"),
    ([arg("$.a", stringValue="x"), arg("$.a.b", numberValue=1)], "names a member of a str"),
    ([arg("$.a.b", numberValue=1), arg("$.a", stringValue="x")], "replaces the dict"),
    ([arg("$.a", stringValue="x", numberValue=1)], "2 values"),
    ([arg("$", numberValue=1)], "does not name an argument"),
])
def test_a_partial_argument_that_cannot_be_placed_makes_the_call_invalid(entries, why):
    result = replay(stream(chunk(call(name="f", partialArgs=entries, willContinue=True)), chunk(call(), finish="STOP")))
    (do,) = dos(result.plan)
    assert do["parameters"] is None and do["invalid_arguments"] is True
    assert any(d.rule == "gem-partial-args-path" and why in d.message for d in result.diagnostics)


def test_a_streamed_call_left_open_by_max_tokens_is_not_dispatched_but_keeps_what_came():
    plan, rules = plan_of(chunk(call(name="w", partialArgs=[arg("$.p", stringValue="src/", willContinue=True)],
                                     willContinue=True)),
                          chunk(finish="MAX_TOKENS"))
    (do,) = dos(plan)
    assert do["dispatched"] is False and do["parameters"] == {"p": "src/"}
    assert plan["choices"][0]["finish_reason"] == "length" and "gem-call-unclosed" not in rules


def test_a_streamed_call_open_at_stop_is_closed_there():
    plan, rules = plan_of(chunk(call(name="w", partialArgs=[arg("$.p", stringValue="x")], willContinue=True)),
                          chunk(finish="STOP"))
    assert "dispatched" not in dos(plan)[0] and "gem-call-unclosed" in rules


def test_a_continuation_without_an_open_call_is_ignored():
    plan, rules = plan_of(chunk(call(partialArgs=[arg("$.p", stringValue="x")], willContinue=True)), chunk(finish="STOP"))
    assert dos(plan) == [] and "gem-call-orphan" in rules


def test_a_cut_stream_and_an_error_payload():
    plan, rules = plan_of(chunk({"text": "Hi"}))
    assert plan["choices"][0]["finish_reason"] is None and "gem-truncated" in rules
    plan, rules = plan_of(chunk({"text": "Hi"}), {"error": {"code": 429, "message": "quota", "status": "RESOURCE_EXHAUSTED"}},
                          chunk({"text": "more"}))
    assert plan["error"] == {"type": "RESOURCE_EXHAUSTED", "code": 429, "message": "quota"}
    assert plan["choices"][0]["finish_reason"] == "error" and plan["choices"][0]["commands"] == [{"type": "SAY", "text": "Hi"}]
    assert "gem-after-error" in rules


def test_a_blocked_prompt_and_usage_with_left_out_counts():
    plan, rules = plan_of({"promptFeedback": {"blockReason": "SAFETY"}, "usageMetadata": {"promptTokenCount": 9}})
    assert plan["choices"] == [{"index": 0, "finish_reason": "content_filter", "commands": [], "refusal": None,
                                "server_tools": []}]
    assert plan["usage"] == {"input_tokens": 9, "output_tokens": 0} and "gem-prompt-blocked" in rules


def test_usage_is_the_last_and_counts_thoughts_as_output():
    plan, _ = plan_of(chunk({"text": "a"}, usageMetadata={"promptTokenCount": 12}),
                      chunk({"text": "b"}, finish="STOP", usageMetadata=USAGE), {"modelVersion": "m"})
    assert plan["usage"] == {"input_tokens": 12, "output_tokens": 12}


def test_candidates_by_index_and_server_tools():
    plan, _ = plan_of({"candidates": [{"content": {"parts": [{"text": "a"}]}},
                                      {"index": 1, "content": {"parts": [{"executableCode": {"code": "1+1"}}]}}]},
                      {"candidates": [{"index": 1, "content": {"parts": [{"text": "b"}]}, "finishReason": "STOP",
                                       "groundingMetadata": {"webSearchQueries": ["q"]}},
                                      {"index": 0, "finishReason": "SAFETY"}]})
    first, second = plan["choices"]
    assert first["commands"] == [{"type": "SAY", "text": "a"}] and first["finish_reason"] == "content_filter"
    assert second["commands"] == [{"type": "SAY", "text": "b"}]
    assert [t["type"] for t in second["server_tools"]] == ["code_execution", "google_search"]


def test_every_documented_finish_is_in_the_plan_vocabulary():
    from kit.plan import FINISH_REASONS as VOCABULARY

    assert set(FINISH_REASONS.values()) <= set(VOCABULARY)
    assert FINISH_REASONS["STOP"] == "stop" and FINISH_REASONS["MALFORMED_FUNCTION_CALL"] == "error"


def test_the_call_table_has_every_move():
    states = {s for s, _ in CALL_TRANSITIONS}
    inputs = {i for _, i in CALL_TRANSITIONS}
    assert {(s, i) for s in states for i in inputs} == set(CALL_TRANSITIONS)


@pytest.mark.parametrize("path, steps", [
    ("$.a.b[0].c", ["a", "b", 0, "c"]), ("$['a b']", ["a b"]), ('$["q\\"x"]', ['q"x']), ("$['it\\'s']", ["it's"]),
    ("$['\\u001f']", ["\x1f"]), ("$.名前", ["名前"]), ("$", []), ("$[01]", None), ("$.a-b", None), ("a.b", None),
    ("$['x\\q']", None),
])
def test_json_paths_as_rfc_9535_writes_them(path, steps):
    assert parse_json_path(path) == steps


def _both(trace: Trace, chunking: str) -> None:
    fast = replay(trace, chunking=chunking)
    slow_machine = GeminiReference._fast_chunk
    GeminiReference._fast_chunk = lambda self, obj: None  # type: ignore[method-assign]
    try:
        slow = replay(trace, chunking=chunking)
    finally:
        GeminiReference._fast_chunk = slow_machine  # type: ignore[method-assign]
    assert fast.plan == slow.plan
    assert [(d.rule, d.message, d.event) for d in fast.diagnostics] == [
        (d.rule, d.message, d.event) for d in slow.diagnostics]


@pytest.mark.parametrize("trace", [t for t in corpus() if t.api == API], ids=lambda t: t.id)
def test_the_fast_path_is_the_general_path_on_the_corpus(trace):
    _both(trace, "random:5")


@settings(max_examples=150, suppress_health_check=list(HealthCheck), deadline=None)
@given(ks.traces(api=API))
def test_the_fast_path_is_the_general_path_on_generated_streams(trace):
    _both(trace, "recorded")


def test_a_streamed_call_opened_after_the_finish_and_never_closed_keeps_what_came():
    plan, rules = plan_of(chunk({"text": "ok"}, finish="STOP"),
                          chunk(call(name="w", partialArgs=[arg("$.p", stringValue="x")], willContinue=True)))
    (do,) = dos(plan)
    assert do["dispatched"] is False and do["parameters"] == {"p": "x"} and "gem-after-finish" in rules


def test_an_error_sent_as_bare_json_lines_is_the_stream_s_error():
    """Google interrupts a stream with the error object pretty-printed over lines without data:."""
    body = (b'data: {"candidates": [{"content": {"parts": [{"text": "Once"}]}}]}\r\n\r\n'
            b'{\r\n  "error": {\r\n    "code": 503,\r\n    "message": "overloaded",\r\n    "status": "UNAVAILABLE"\r\n'
            b'  }\r\n}\r\n')
    trace = Trace(id="n_raw", api=API, cls="n", body=body)
    for chunking in ("recorded", "bytewise", "random:2"):
        result = replay(trace, chunking=chunking)
        assert result.plan["error"] == {"type": "UNAVAILABLE", "code": 503, "message": "overloaded"}
        assert result.plan["choices"][0]["finish_reason"] == "error"
        assert [d.rule for d in result.diagnostics].count("sse-unknown-field") == 7
    # stray lines that are no error object change nothing
    plain = Trace(id="n_junk", api=API, cls="n", body=b'data: {"candidates": []}\n\nnot json\n')
    assert replay(plain).plan["error"] is None
