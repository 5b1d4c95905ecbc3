"""Anthropic Messages reference: behaviour per rule (each test names the rule it checks)."""

from __future__ import annotations

import pytest

from .helpers import replay_api, rules, single_choice_commands, typed_sse

API = "anthropic.messages"


def sse(*events: dict, lines: bool = True, done: bool = False, numbered: bool = False) -> bytes:
    return typed_sse(*events, lines=lines, done=done, numbered=numbered)


def run(body: bytes, chunking: str = "whole", profile: str = "lenient"):
    return replay_api(API, body, chunking, profile)


cmds = single_choice_commands


START = {"type": "message_start", "message": {"id": "msg_1", "role": "assistant", "content": [],
                                              "usage": {"input_tokens": 10, "output_tokens": 1}}}
STOP = {"type": "message_stop"}
PING = {"type": "ping"}


def delta(reason, out_tokens=20, **usage):
    return {"type": "message_delta", "delta": {"stop_reason": reason}, "usage": {"output_tokens": out_tokens, **usage}}


def text_block(i, *pieces, stop=True):
    evs = [{"type": "content_block_start", "index": i, "content_block": {"type": "text", "text": ""}}]
    evs += [{"type": "content_block_delta", "index": i, "delta": {"type": "text_delta", "text": p}} for p in pieces]
    return evs + ([{"type": "content_block_stop", "index": i}] if stop else [])


def tool_block(i, *parts, id="toolu_1", name="f", prefilled=None, stop=True, kind="tool_use", caller=None):
    block = {"type": kind, "id": id, "name": name, "input": prefilled if prefilled is not None else {}}
    if caller is not None:
        block["caller"] = caller
    evs = [{"type": "content_block_start", "index": i, "content_block": block}]
    evs += [{"type": "content_block_delta", "index": i, "delta": {"type": "input_json_delta", "partial_json": p}}
            for p in parts]
    return evs + ([{"type": "content_block_stop", "index": i}] if stop else [])


def test_text_then_tool_use_dispatched_at_block_stop():
    """anth-dispatch-at-block-stop / anth-text-say."""
    body = sse(START, *text_block(0, "Let me ", "check."), *tool_block(1, '{"city":', ' "Paris"}'), delta("tool_use"), STOP)
    r = run(body, "bytewise")
    kinds = [e.type for e in r.outputs]
    assert kinds.index("tool_call.done") > max(i for i, k in enumerate(kinds) if k == "tool_call.arguments.delta")
    assert cmds(r) == [("SAY", "Let me check."), ("DO", ("toolu_1", "f", {"city": "Paris"}, True))]
    assert r.plan["choices"][0]["finish_reason"] == "tool_calls"
    assert r.plan["usage"] == {"input_tokens": 10, "output_tokens": 20}


@pytest.mark.parametrize("parts", [(), ("",), ("  ",)], ids=["no-delta", "empty", "spaces"])
def test_no_argument_tool(parts):
    """anth-input-empty: no or empty partial_json is {}."""
    r = run(sse(START, *tool_block(0, *parts), delta("tool_use"), STOP))
    assert cmds(r) == [("DO", ("toolu_1", "f", {}, True))]
    assert not r.errors


def test_ping_anywhere():
    """anth-ping: a ping between a block's start and its deltas is ignored."""
    evs = tool_block(0, '{"a":1}')
    r = run(sse(START, evs[0], PING, *evs[1:], delta("tool_use"), PING, STOP))
    assert cmds(r) == [("DO", ("toolu_1", "f", {"a": 1}, True))] and "anth-ping" in rules(r)


def test_block_index_gap():
    """anth-block-index: indexes are keys, not positions."""
    think = [{"type": "content_block_start", "index": 0, "content_block": {"type": "thinking", "thinking": ""}},
             {"type": "content_block_delta", "index": 0, "delta": {"type": "thinking_delta", "thinking": "hmm"}},
             {"type": "content_block_stop", "index": 0}]
    r = run(sse(START, *think, *tool_block(2, "{}"), delta("tool_use"), STOP))
    assert cmds(r) == [("DO", ("toolu_1", "f", {}, True))]
    assert "anth-block-index" in rules(r)
    assert [e.text for e in r.outputs if e.type == "reasoning.delta"] == ["hmm"]


def test_delta_for_block_never_started():
    """anth-block-not-started: text is kept, a stop for an unknown block ignored."""
    r = run(sse(START, {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "orphan"}},
                {"type": "content_block_stop", "index": 5}, delta("end_turn"), STOP))
    assert cmds(r) == [("SAY", "orphan")]
    assert "anth-block-not-started" in rules(r)


def test_no_event_lines_and_done_sentinel():
    """anth-event-name / anth-done-sentinel: a data-only stream with a gateway's [DONE]."""
    r = run(sse(START, *text_block(0, "hi"), delta("end_turn"), STOP, lines=False, done=True))
    assert cmds(r) == [("SAY", "hi")]
    assert {"anth-event-name", "anth-done-sentinel"} <= rules(r) and not r.errors


def test_error_then_close():
    """anth-error: an error mid tool input, then the connection closes."""
    r = run(sse(START, *tool_block(0, '{"a":', stop=False),
                {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}))
    assert r.plan["error"] == {"type": "overloaded_error", "code": None, "message": "Overloaded"}
    assert r.plan["choices"][0]["finish_reason"] == "error"
    assert cmds(r)[0][1][3] is False


def test_truncated_stream():
    """anth-truncated: no stop reason at all."""
    r = run(sse(START, *tool_block(0, '{"a":1}')), "bytewise")
    assert "anth-truncated" in {d.rule for d in r.errors}
    assert r.plan["choices"][0]["finish_reason"] is None


def test_message_stop_missing_after_stop_reason():
    """anth-message-stop-missing: a warning, the plan is complete."""
    r = run(sse(START, *text_block(0, "ok"), delta("end_turn")))
    assert cmds(r) == [("SAY", "ok")] and r.plan["choices"][0]["finish_reason"] == "stop"
    assert "anth-message-stop-missing" in rules(r) and not r.errors


def test_max_tokens_mid_tool_input_not_dispatched():
    """anth-input-json: the limit cut the input; reported, never dispatched."""
    r = run(sse(START, *tool_block(0, '{"lines": ["a", ', stop=False), delta("max_tokens"), STOP))
    assert cmds(r)[0][1][3] is False and r.plan["choices"][0]["finish_reason"] == "length"
    assert "anth-input-json" in {d.rule for d in r.errors}


def test_malformed_input():
    r = run(sse(START, *tool_block(0, '{"a": 1,,}'), delta("tool_use"), STOP))
    (do,) = r.plan["choices"][0]["commands"]
    assert do["parameters"] is None and do["invalid_arguments"] is True
    assert "anth-input-json" in {d.rule for d in r.errors}


def test_prefilled_input():
    """anth-input-prefilled: used without deltas, replaced by deltas."""
    r = run(sse(START, *tool_block(0, prefilled={"q": "x"}), delta("tool_use"), STOP))
    assert cmds(r) == [("DO", ("toolu_1", "f", {"q": "x"}, True))] and "anth-input-prefilled" in rules(r)
    r = run(sse(START, *tool_block(0, '{"q": "y"}', prefilled={"q": "x"}), delta("tool_use"), STOP))
    assert cmds(r) == [("DO", ("toolu_1", "f", {"q": "y"}, True))]


@pytest.mark.parametrize("reason,finish", [("end_turn", "stop"), ("stop_sequence", "stop"), ("tool_use", "tool_calls"),
                                           ("max_tokens", "length"), ("model_context_window_exceeded", "length"),
                                           ("refusal", "content_filter"), ("pause_turn", "incomplete"),
                                           ("surprise", None)])
def test_stop_reasons(reason, finish):
    """anth-stop-reason."""
    r = run(sse(START, *text_block(0, "x"), delta(reason), STOP))
    assert r.plan["choices"][0]["finish_reason"] == finish
    assert ("anth-stop-reason" in rules(r)) == (finish is None)


def test_server_tools_never_do():
    """anth-server-tools."""
    result = [{"type": "content_block_start", "index": 1, "content_block": {
        "type": "web_search_tool_result", "tool_use_id": "srvtoolu_1", "content": []}},
        {"type": "content_block_stop", "index": 1}]
    r = run(sse(START, *tool_block(0, '{"query": "x"}', id="srvtoolu_1", name="web_search", kind="server_tool_use"),
                *result, *text_block(2, "Found it."), delta("end_turn"), STOP))
    assert cmds(r) == [("SAY", "Found it.")]
    assert r.plan["choices"][0]["server_tools"] == [
        {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search"},
        {"type": "web_search_tool_result", "id": "srvtoolu_1", "name": None}]


def test_each_text_block_its_own_say():
    r = run(sse(START, *text_block(0, "One."), *text_block(1, "Two."), delta("end_turn"), STOP))
    assert cmds(r) == [("SAY", "One."), ("SAY", "Two.")]


def test_usage_cumulative_not_added():
    """anth-usage."""
    r = run(sse(START, *text_block(0, "x"), delta(None, 5), delta("end_turn", 9, input_tokens=12), STOP))
    assert r.plan["usage"] == {"input_tokens": 12, "output_tokens": 9}


def test_events_after_stop_ignored():
    """anth-after-stop."""
    r = run(sse(START, *text_block(0, "x"), delta("end_turn"), STOP, *text_block(1, "late")))
    assert cmds(r) == [("SAY", "x")] and "anth-after-stop" in rules(r)


def test_strict_profile_turns_dialect_into_errors():
    body = sse(START, *text_block(0, "hi"), delta("end_turn"), STOP, lines=False)
    lenient, strict = run(body), run(body, profile="strict")
    assert lenient.plan == strict.plan and not lenient.errors
    assert "anth-event-name" in {d.rule for d in strict.errors}


# -- who runs a call, and blocks that arrive whole in message_start (issue 17) ------------------

CODE = {"type": "code_execution_20250825", "tool_id": "srvtoolu_code"}


def start_with(*content, reason=None):
    return {"type": "message_start", "message": {"id": "msg_2", "role": "assistant", "content": list(content),
                                                 "stop_reason": reason, "usage": {"input_tokens": 0, "output_tokens": 0}}}


def whole_call(id="toolu_9", input=None, caller=CODE):
    return {"type": "tool_use", "id": id, "name": "check", "input": {"w": "south"} if input is None else input,
            "caller": caller}


def test_message_start_content_dispatched_at_message_start():
    """anth-message-start-content: a continuation's tool_use is dispatched where it arrives; the
    finish is message.stop_reason, given at message_stop."""
    from kit.reference.anthropic import AnthropicReference

    m = AnthropicReference()
    at_start = [e.type for e in m.feed_json(start_with(whole_call(), reason="tool_use"))]
    assert "tool_call.done" in at_start and "message.done" not in at_start
    at_stop = m.feed_json(STOP)
    assert [(e.type, e.finish_reason) for e in at_stop if e.type == "message.done"] == [("message.done", "tool_calls")]
    r = run(sse(start_with(whole_call(), reason="tool_use"), STOP), "bytewise")
    assert cmds(r) == [("DO", ("toolu_9", "check", {"w": "south"}, True))]
    do = r.plan["choices"][0]["commands"][0]
    assert do["arguments"] == '{"w":"south"}'
    assert r.plan["choices"][0]["finish_reason"] == "tool_calls" and not r.errors
    assert "anth-message-start-content" in rules(r)
    assert "anth-input-prefilled" not in rules(r) and "anth-stop-reason" not in rules(r)


def test_message_start_content_is_the_first_blocks():
    """anth-message-start-content: whole blocks are 0..n-1 in order (text SAY, server tools apart);
    block events continue at index n."""
    server = {"type": "server_tool_use", "id": "srvtoolu_code", "name": "code_execution", "input": {"code": "1"}}
    text = {"type": "text", "text": "Checking."}
    r = run(sse(start_with(text, server, whole_call(input={})), *text_block(3, "Done."), delta("end_turn"), STOP))
    assert cmds(r) == [("SAY", "Checking."), ("DO", ("toolu_9", "check", {}, True)), ("SAY", "Done.")]
    assert r.plan["choices"][0]["server_tools"] == [{"type": "server_tool_use", "id": "srvtoolu_code",
                                                     "name": "code_execution"}]
    assert r.plan["choices"][0]["finish_reason"] == "stop"
    assert "anth-block-index" not in rules(r)
    # a block event at an index the whole blocks hold is a reused index: reported, ignored
    r = run(sse(start_with(text), *text_block(0, "again"), delta("end_turn"), STOP))
    assert cmds(r) == [("SAY", "Checking.")] and "anth-block-index" in rules(r)


def test_message_delta_stop_reason_wins_over_message_start():
    r = run(sse(start_with(whole_call(), reason="tool_use"), delta("end_turn"), STOP))
    assert r.plan["choices"][0]["finish_reason"] == "stop"
    assert cmds(r) == [("DO", ("toolu_9", "check", {"w": "south"}, True))]


def test_message_start_stop_reason_without_message_stop():
    """A stream that ends after a message_start with its stop reason is a finished message
    without message_stop (anth-message-stop-missing), not a truncated one."""
    r = run(sse(start_with(whole_call(), reason="tool_use")))
    assert r.plan["choices"][0]["finish_reason"] == "tool_calls"
    assert "anth-message-stop-missing" in rules(r) and "anth-truncated" not in rules(r)


def test_message_start_content_only_from_the_first_message_start():
    """A message_start after block events (or a second one) adds no blocks."""
    r = run(sse(*text_block(0, "early"), start_with(whole_call()), delta("end_turn"), STOP))
    assert cmds(r) == [("SAY", "early")]
    r = run(sse(START, start_with(whole_call()), *text_block(0, "x"), delta("end_turn"), STOP))
    assert cmds(r) == [("SAY", "x")] and "anth-message-start" in rules(r)


def test_message_start_without_content_unchanged():
    r = run(sse(START, *text_block(0, "x"), delta("end_turn"), STOP))
    assert "anth-message-start-content" not in rules(r)


def test_tool_use_called_by_code_execution_is_a_client_call():
    """anth-tool-use-client: a code execution caller does not make the call the server's; its whole
    input in content_block_start is the documented shape (not reported)."""
    code = tool_block(0, '{"code": "await check()"}', id="srvtoolu_code", name="code_execution",
                      kind="server_tool_use", caller={"type": "direct"})
    call = tool_block(1, prefilled={"w": "north"}, id="toolu_8", name="check", caller=CODE)
    r = run(sse(START, *code, *call, delta("tool_use"), STOP))
    assert cmds(r) == [("DO", ("toolu_8", "check", {"w": "north"}, True))]
    assert [t["type"] for t in r.plan["choices"][0]["server_tools"]] == ["server_tool_use"]
    assert "anth-input-prefilled" not in rules(r)
    # the same pre-filled call made by the model directly is a proxy's habit: reported
    r = run(sse(START, *tool_block(1, prefilled={"w": "north"}, caller={"type": "direct"}), delta("tool_use"), STOP))
    assert "anth-input-prefilled" in rules(r)


def test_server_blocks_never_do_whatever_their_caller():
    """anth-server-tools: MCP connector calls and results, container uploads, a server call made from code."""
    blocks = [
        *tool_block(0, '{"q": 1}', id="mcptoolu_1", name="lookup", kind="mcp_tool_use"),
        {"type": "content_block_start", "index": 1,
         "content_block": {"type": "mcp_tool_result", "tool_use_id": "mcptoolu_1", "content": []}},
        {"type": "content_block_stop", "index": 1},
        *tool_block(2, '{"query": "x"}', id="srvtoolu_2", name="web_search", kind="server_tool_use", caller=CODE),
        {"type": "content_block_start", "index": 3, "content_block": {"type": "container_upload", "file_id": "file_1"}},
        {"type": "content_block_stop", "index": 3},
    ]
    r = run(sse(START, *blocks, *text_block(4, "ok"), delta("end_turn"), STOP))
    assert cmds(r) == [("SAY", "ok")]
    assert [t["type"] for t in r.plan["choices"][0]["server_tools"]] == [
        "mcp_tool_use", "mcp_tool_result", "server_tool_use", "container_upload"]


def test_tool_use_kept_in_a_paused_turn():
    """anth-tool-use-client: a tool_use is a DO whatever the stop reason; pause_turn is the finish."""
    r = run(sse(START, *tool_block(0, '{"a": 1}', caller=CODE), delta("pause_turn"), STOP))
    assert cmds(r) == [("DO", ("toolu_1", "f", {"a": 1}, True))]
    assert r.plan["choices"][0]["finish_reason"] == "incomplete"
