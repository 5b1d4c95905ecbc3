"""Chat Completions reference: behaviour per rule (each test names the rule it checks)."""

from __future__ import annotations

import pytest

from kit import events as ev
from kit.errors import StreamError
from kit.reference.chat import CHOICE_TRANSITIONS, STREAM_TRANSITIONS, ChatReference
from kit.rules import RULES_BY_ID

from .helpers import body, chunk_obj, commands, frag, run, rules, tools

CHUNKINGS = ["whole", "event", "bytewise", "random:7"]


def text(s: str, **kw):
    return chunk_obj({"content": s}, **kw)


def test_text_then_tool_call_plan():
    """Basic shape: SAY then DO, finish tool_calls, arguments assembled from fragments."""
    b = body(text("Let me "), text("check."),
             tools(frag(0, id="call_1", name="get_weather", type_="function")),
             tools(frag(0, args='{"location":')), tools(frag(0, args='"Berlin"}')),
             chunk_obj({}, finish="tool_calls"))
    for c in CHUNKINGS:
        r = run(b, c)
        assert commands(r) == [("SAY", "Let me check."), ("DO", "call_1", "get_weather", {"location": "Berlin"})]
        assert r.plan["choices"][0]["finish_reason"] == "tool_calls"
        assert not r.diagnostics or all(d.severity == "info" for d in r.diagnostics)


def test_dispatch_only_at_finish_not_on_index_switch():
    """chat-dispatch-at-finish: the done events come with the finish chunk, after every fragment."""
    b = body(tools(frag(0, id="a", name="f", type_="function"), frag(1, id="b", name="g", type_="function")),
             tools(frag(0, args='{"x":')), tools(frag(1, args='{"y":')),
             tools(frag(0, args="1}")), tools(frag(1, args="2}")),
             chunk_obj({}, finish="tool_calls"))
    r = run(b, "event")
    kinds = [e.type for e in r.outputs]
    first_done = kinds.index("tool_call.done")
    assert "tool_call.arguments.delta" not in kinds[first_done:]
    dones = [e for e in r.outputs if e.type == "tool_call.done"]
    assert [(d.call_id, d.parameters) for d in dones] == [("a", {"x": 1}), ("b", {"y": 2})]
    assert kinds[-1] == "message.done"


def test_interleaved_fragments_routed_by_index():
    """chat-interleaved-fragments: 0,1,0,1 fragments go to their own calls."""
    b = body(tools(frag(0, id="a", name="f", type_="function", args='{"q":')),
             tools(frag(1, id="b", name="g", type_="function", args='{"r":')),
             tools(frag(0, args='"x"}')), tools(frag(1, args='"y"}')), chunk_obj({}, finish="tool_calls"))
    assert commands(run(b)) == [("DO", "a", "f", {"q": "x"}), ("DO", "b", "g", {"r": "y"})]


def test_repeated_id_and_name_set_once():
    """chat-tool-header-once: repeated id/name/type are not appended (no `call_1call_1`)."""
    b = body(*[tools(frag(0, id="call_1", name="read_file", type_="function", args=a)) for a in ['{"p', 'ath":"/', 'x"}']],
             chunk_obj({}, finish="tool_calls"))
    r = run(b)
    assert commands(r) == [("DO", "call_1", "read_file", {"path": "/x"})]
    assert "chat-tool-header-once" in rules(r)


def test_all_calls_at_index_zero_with_new_ids_are_separate_calls():
    """chat-tool-index-reused: index 0 reused by a new id and name opens a new call."""
    b = body(tools(frag(0, id="call_a", name="write", type_="function", args='{"f":"a"}')),
             tools(frag(0, id="call_b", name="write", type_="function", args='{"f":"b"}')),
             chunk_obj({}, finish="tool_calls"))
    r = run(b)
    assert commands(r) == [("DO", "call_a", "write", {"f": "a"}), ("DO", "call_b", "write", {"f": "b"})]
    assert "chat-tool-index-reused" in rules(r)


def test_different_id_without_name_is_a_placeholder():
    """chat-tool-id-conflict: a continuation with another id and no name continues the call."""
    b = body(tools(frag(0, id="call_a", name="f", type_="function", args='{"a":')), tools(frag(0, id="null", args="1}")),
             chunk_obj({}, finish="tool_calls"))
    r = run(b)
    assert commands(r) == [("DO", "call_a", "f", {"a": 1})]
    assert "chat-tool-id-conflict" in rules(r)


def test_known_id_at_other_index_goes_to_that_call():
    b = body(tools(frag(0, id="a", name="f", type_="function", args='{"a":')),
             tools(frag(1, id="b", name="g", type_="function", args='{"b":2}')),
             tools(frag(1, id="a", args="1}")), chunk_obj({}, finish="tool_calls"))
    assert commands(run(b)) == [("DO", "a", "f", {"a": 1}), ("DO", "b", "g", {"b": 2})]


def test_missing_index_routes_by_id_then_last_call():
    """chat-tool-index-missing: no index: by id, new id+name opens, else the last call."""
    b = body(tools(frag(None, id="a", name="f", type_="function", args='{"x":')),
             tools(frag(None, args="1}")),
             tools(frag(None, id="b", name="g", type_="function", args="{}")),
             chunk_obj({}, finish="tool_calls"))
    r = run(b)
    assert commands(r) == [("DO", "a", "f", {"x": 1}), ("DO", "b", "g", {})]
    assert "chat-tool-index-missing" in rules(r)


def test_index_starting_at_one():
    """chat-tool-index-dense: indexes are keys, not list positions."""
    b = body(text("Hi."), tools(frag(1, id="t", name="f", type_="function", args="{}")), chunk_obj({}, finish="tool_calls"))
    r = run(b)
    assert commands(r) == [("SAY", "Hi."), ("DO", "t", "f", {})]
    assert "chat-tool-index-dense" in rules(r)


def test_name_conflict_keeps_first_and_reports():
    """chat-tool-name-conflict."""
    b = body(tools(frag(0, id="a", name="edit_ex", type_="function")), tools(frag(0, name="isting_file", args="{}")),
             chunk_obj({}, finish="tool_calls"))
    r = run(b)
    assert commands(r) == [("DO", "a", "edit_ex", {})]
    assert "chat-tool-name-conflict" in rules(r)


@pytest.mark.parametrize("args,expected,rule", [
    ("", {}, "chat-arguments-empty"),
    ("  ", {}, "chat-arguments-empty"),
    ({"command": "ls"}, {"command": "ls"}, "chat-arguments-string"),
])
def test_argument_conventions(args, expected, rule):
    """chat-arguments-empty / chat-arguments-string: "" -> {}, an object is that value."""
    b = body(tools(frag(0, id="a", name="f", type_="function", args=args)), chunk_obj({}, finish="tool_calls"))
    r = run(b)
    assert commands(r) == [("DO", "a", "f", expected)]
    assert rule in rules(r)


def test_null_arguments_ignored():
    b = body(tools(frag(0, id="a", name="f", type_="function", args=None)), tools(frag(0, args='{"k":1}')),
             chunk_obj({}, finish="tool_calls"))
    r = run(b)
    assert commands(r) == [("DO", "a", "f", {"k": 1})]
    assert "chat-arguments-string" in rules(r)


def test_invalid_final_arguments_never_repaired():
    """chat-arguments-json: parameters null, invalid_arguments, raw string kept, an error."""
    b = body(tools(frag(0, id="a", name="f", type_="function", args='{"location":"Berlin"')), chunk_obj({}, finish="tool_calls"))
    r = run(b)
    (do,) = r.plan["choices"][0]["commands"]
    assert do["parameters"] is None and do["invalid_arguments"] is True and do["arguments"] == '{"location":"Berlin"'
    assert any(d.rule == "chat-arguments-json" and d.severity == "error" for d in r.diagnostics)


def test_truncated_stream_is_an_error_and_calls_not_dispatched():
    """chat-truncated: no finish, no [DONE]: error; the call is in the plan but not dispatched."""
    b = body(tools(frag(0, id="a", name="f", type_="function", args='{"loc')), done=False)
    r = run(b, "bytewise")
    assert not [e for e in r.outputs if e.type == "tool_call.done"]
    (do,) = r.plan["choices"][0]["commands"]
    assert do["dispatched"] is False
    assert r.plan["choices"][0]["finish_reason"] is None
    assert any(d.rule == "chat-truncated" and d.severity == "error" for d in r.diagnostics)


def test_empty_stream_is_truncated():
    r = run(b"")
    assert "chat-truncated" in rules(r)


def test_done_without_finish_dispatches_with_null_finish():
    """chat-finish-reason-missing: [DONE] completes the choice; finish null, not invented."""
    b = body(tools(frag(0, id="0", name="f", type_="function", args="{}")))
    r = run(b)
    assert commands(r) == [("DO", "0", "f", {})]
    assert r.plan["choices"][0]["finish_reason"] is None
    assert "chat-finish-reason-missing" in rules(r)
    assert not r.errors


def test_no_done_but_finished_is_fine():
    """chat-done-sentinel: not needed when every choice finished (a warning only)."""
    r = run(body(text("ok", finish="stop"), done=False))
    assert commands(r) == [("SAY", "ok")]
    assert "chat-done-sentinel" in rules(r) and not r.errors


def test_text_after_tool_call_opens_new_say():
    """chat-text-after-tool."""
    b = body(text("Let me check."), tools(frag(0, id="a", name="f", type_="function", args="{}")), text("Done."),
             chunk_obj({}, finish="tool_calls"))
    assert commands(run(b)) == [("SAY", "Let me check."), ("DO", "a", "f", {}), ("SAY", "Done.")]


def test_text_and_tool_call_in_same_delta_text_first():
    """chat-content-and-tools-same-delta."""
    b = body(chunk_obj({"content": "Sure.", "tool_calls": [frag(0, id="a", name="f", type_="function", args="{}")]}),
             chunk_obj({}, finish="tool_calls"))
    assert commands(run(b)) == [("SAY", "Sure."), ("DO", "a", "f", {})]


def test_empty_tool_calls_list_keeps_text():
    """chat-empty-tool-calls."""
    b = body(chunk_obj({"content": "Hel", "tool_calls": []}), chunk_obj({"content": "lo", "tool_calls": []}, finish="stop"))
    assert commands(run(b)) == [("SAY", "Hello")]


def test_reasoning_and_refusal_are_not_say():
    """chat-reasoning / chat-refusal."""
    b = body(chunk_obj({"reasoning_content": "thinking"}), chunk_obj({"reasoning": "more"}),
             chunk_obj({"refusal": "I can't "}), chunk_obj({"refusal": "help."}, finish="stop"))
    r = run(b)
    assert commands(r) == []
    assert r.plan["choices"][0]["refusal"] == "I can't help."
    assert [e.text for e in r.outputs if e.type == "reasoning.delta"] == ["thinking", "more"]


def test_reasoning_does_not_split_a_say():
    b = body(text("a"), chunk_obj({"reasoning_content": "r"}), text("b", finish="stop"))
    assert commands(run(b)) == [("SAY", "ab")]


def test_content_parts():
    """chat-content-parts: text parts are SAY, thinking parts are reasoning."""
    b = body(chunk_obj({"content": [{"type": "thinking", "thinking": [{"type": "text", "text": "hmm"}]}]}),
             chunk_obj({"content": [{"type": "text", "text": "Answer"}]}), text(".", finish="stop"))
    r = run(b)
    assert commands(r) == [("SAY", "Answer.")]
    assert [e.text for e in r.outputs if e.type == "reasoning.delta"] == ["hmm"]
    assert "chat-content-parts" in rules(r)


def test_two_choices_kept_apart():
    """chat-multiple-choices: choices interleave and may arrive out of order."""
    b = body(text("B", index=1), text("A", index=0), tools(frag(0, id="x", name="f", type_="function", args="{}"), index=1),
             text("A2", index=0, finish="stop"), chunk_obj({}, index=1, finish="tool_calls"))
    r = run(b)
    assert commands(r, 0) == [("SAY", "AA2")]
    assert commands(r, 1) == [("SAY", "B"), ("DO", "x", "f", {})]
    assert [c["finish_reason"] for c in r.plan["choices"]] == ["stop", "tool_calls"]


def test_in_band_error_chunk():
    """chat-in-band-error: error object inside the stream, finish error."""
    b = body(text("Par"), {"id": "g", "object": "chat.completion.chunk", "error": {"code": 502, "message": "upstream"},
                           "choices": [{"index": 0, "delta": {"content": ""}, "finish_reason": "error"}]}, done=False)
    r = run(b)
    assert r.plan["error"] == {"type": None, "code": 502, "message": "upstream"}
    assert r.plan["choices"][0]["finish_reason"] == "error"
    assert "chat-in-band-error" in {d.rule for d in r.errors}


def test_error_event_without_finish():
    """chat-in-band-error: `event: error` frame, then EOF: finish error, not truncated."""
    b = body(text("x"), "event: error\ndata: {\"error\":{\"message\":\"boom\",\"type\":\"invalid_request_error\"}}\n\n", done=False)
    r = run(b)
    assert r.plan["error"]["message"] == "boom"
    assert r.plan["choices"][0]["finish_reason"] == "error"
    assert "chat-truncated" not in rules(r)


def test_usage_last_non_null_wins_and_x_groq():
    """chat-usage."""
    b = body(text("a", usage={"prompt_tokens": 1, "completion_tokens": 1}), text("b", usage=None, finish="stop"),
             {"object": "chat.completion.chunk", "choices": [], "usage": {"prompt_tokens": 3, "completion_tokens": 4}})
    r = run(b)
    assert r.plan["usage"] == {"input_tokens": 3, "output_tokens": 4}
    r = run(body(text("a", finish="stop", x_groq={"usage": {"prompt_tokens": 5, "completion_tokens": 6}})))
    assert r.plan["usage"] == {"input_tokens": 5, "output_tokens": 6}


def test_azure_filter_chunks():
    """chat-empty-choices / chat-choice-without-delta."""
    b = body({"id": "", "object": "", "choices": [], "prompt_filter_results": [{"prompt_index": 0}]},
             text("ok"), {"id": "", "object": "", "choices": [{"index": 0, "finish_reason": None, "content_filter_results": {}}]},
             chunk_obj({}, finish="stop"))
    r = run(b)
    assert commands(r) == [("SAY", "ok")]
    assert {"chat-empty-choices", "chat-choice-without-delta", "chat-chunk-object"} <= rules(r)


def test_finish_reason_conflicts():
    """chat-finish-reason-conflict: `stop` with tool calls; a second finish: the last counts."""
    b = body(tools(frag(0, id="a", name="f", type_="function", args="{}")), chunk_obj({}, finish="tool_calls"),
             chunk_obj({}, finish="stop"))
    r = run(b)
    assert r.plan["choices"][0]["finish_reason"] == "stop"
    assert commands(r) == [("DO", "a", "f", {})]
    assert "chat-finish-reason-conflict" in rules(r)
    assert len([e for e in r.outputs if e.type == "tool_call.done"]) == 1


def test_finish_reason_values():
    """chat-finish-reason-value: "" is no finish, function_call is tool_calls, unknown -> null."""
    r = run(body(text("a", finish=""), text("b", finish="function_call")))
    assert r.plan["choices"][0]["finish_reason"] == "tool_calls"
    r = run(body(text("a", finish="eos")))
    assert r.plan["choices"][0]["finish_reason"] is None
    assert "chat-finish-reason-value" in rules(r)


def test_content_after_finish_kept_and_reported():
    """chat-delta-after-finish."""
    r = run(body(text("a", finish="stop"), text("b")))
    assert commands(r) == [("SAY", "ab")]
    assert "chat-delta-after-finish" in rules(r)


def test_events_after_done_ignored_and_reported():
    """chat-after-done."""
    r = run(body(text("a", finish="stop")) + b"data: " + body(text("zzz"), done=False)[6:])
    assert commands(r) == [("SAY", "a")]
    assert "chat-after-done" in rules(r)


def test_non_json_data_skipped():
    """chat-data-json: keep-alive data is reported and skipped."""
    r = run(body("data: keep-alive\n\n", text("a", finish="stop")))
    assert commands(r) == [("SAY", "a")]
    assert "chat-data-json" in rules(r)


def test_call_without_name_is_incomplete():
    """chat-tool-call-incomplete."""
    r = run(body(tools(frag(0, args="{}")), chunk_obj({}, finish="tool_calls")))
    assert "chat-tool-call-incomplete" in {d.rule for d in r.errors}


def test_strict_profile_turns_dialect_into_errors():
    b = body(tools(frag(None, id="a", name="f", type_="function", args="{}")), chunk_obj({}, finish="tool_calls"))
    lenient, strict = run(b), run(b, profile="strict")
    assert lenient.plan == strict.plan
    assert not lenient.errors
    assert {d.rule for d in strict.errors} == {"chat-tool-index-missing"}


def test_feed_after_close_raises_stream_error():
    m = ChatReference()
    m.close()
    with pytest.raises(StreamError) as info:
        m.feed_done()
    assert "rule chat-after-done" in str(info.value)


def test_events_feed_matches_bytes_feed():
    """feed_json/feed_done (parsed events) give the same plan as the bytes path."""
    chunks = [text("Hi"), tools(frag(0, id="a", name="f", type_="function", args="{}")), chunk_obj({}, finish="tool_calls")]
    m = ChatReference()
    out = []
    for c in chunks:
        out += m.feed_json(c)
    out += m.feed_done() + m.close()
    assert m.plan() == run(body(*chunks)).plan
    assert isinstance(out[0], ev.TextDelta)


def test_transition_tables_cite_known_rules_and_are_complete():
    from kit.reference.anthropic import BLOCK_TRANSITIONS, MESSAGE_TRANSITIONS
    from kit.reference.responses import ITEM_TRANSITIONS
    from kit.reference.responses import STREAM_TRANSITIONS as RESP_STREAM

    for table in (STREAM_TRANSITIONS, CHOICE_TRANSITIONS, RESP_STREAM, ITEM_TRANSITIONS, MESSAGE_TRANSITIONS):
        states = {s for s, _ in table}
        inputs = {i for _, i in table}
        for (state, inp), (nxt, rule) in table.items():
            assert rule is None or rule in RULES_BY_ID
        # every non-final state accepts every input
        for s in states - {"CLOSED"}:
            for i in inputs:
                assert (s, i) in table, (s, i)
    # a block can only end while open or stopped (NEW blocks have nothing to end)
    assert {(s, i) for s in ("NEW", "OPEN", "STOPPED") for i in ("start", "delta", "stop")} <= set(BLOCK_TRANSITIONS)
