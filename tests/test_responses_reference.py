"""OpenAI Responses reference: behaviour per rule (each test names the rule it checks)."""

from __future__ import annotations

import pytest

from .helpers import replay_api, rules, single_choice_commands, typed_sse

API = "openai.responses"


def sse(*events: dict, lines: bool = True, done: bool = False, numbered: bool = True) -> bytes:
    return typed_sse(*events, lines=lines, done=done, numbered=numbered)


def run(body: bytes, chunking: str = "whole", profile: str = "lenient"):
    return replay_api(API, body, chunking, profile)


cmds = single_choice_commands


CREATED = {"type": "response.created", "response": {"id": "resp_1", "status": "in_progress", "output": []}}


def completed(output=None, usage=None):
    return {"type": "response.completed", "response": {"id": "resp_1", "status": "completed", "output": output,
                                                       "usage": usage or {"input_tokens": 3, "output_tokens": 5}}}


def call_added(i, call_id="call_1", name="f", args=""):
    return {"type": "response.output_item.added", "output_index": i,
            "item": {"type": "function_call", "id": f"fc_{i}", "call_id": call_id, "name": name, "arguments": args}}


def call_done(i, call_id="call_1", name="f", args="{}", status="completed"):
    return {"type": "response.output_item.done", "output_index": i,
            "item": {"type": "function_call", "id": f"fc_{i}", "call_id": call_id, "name": name, "arguments": args,
                     "status": status}}


def args_delta(i, d, item_id=None):
    return {"type": "response.function_call_arguments.delta", "output_index": i, "item_id": item_id or f"fc_{i}", "delta": d}


def args_done(i, a):
    return {"type": "response.function_call_arguments.done", "output_index": i, "item_id": f"fc_{i}", "arguments": a}


def text_delta(i, d, item_id=None):
    return {"type": "response.output_text.delta", "output_index": i, "item_id": item_id or f"msg_{i}",
            "content_index": 0, "delta": d}


def msg_added(i):
    return {"type": "response.output_item.added", "output_index": i,
            "item": {"type": "message", "id": f"msg_{i}", "role": "assistant", "content": []}}


def msg_done(i, text):
    return {"type": "response.output_item.done", "output_index": i,
            "item": {"type": "message", "id": f"msg_{i}", "role": "assistant",
                     "content": [{"type": "output_text", "text": text}]}}


def test_dispatch_at_item_done_never_at_added():
    """resp-dispatch-at-item-done: the done event comes after every argument delta."""
    body = sse(CREATED, call_added(0), args_delta(0, '{"a":'), args_delta(0, "1}"), args_done(0, '{"a":1}'),
               call_done(0, args='{"a":1}'), completed())
    r = run(body, "bytewise")
    kinds = [e.type for e in r.outputs]
    assert kinds.index("tool_call.done") > max(i for i, k in enumerate(kinds) if k == "tool_call.arguments.delta")
    assert cmds(r) == [("DO", ("call_1", "f", {"a": 1}, True))]
    assert r.plan["choices"][0]["finish_reason"] == "tool_calls"


@pytest.mark.parametrize("events", [
    [call_added(0), args_done(0, '{"k":2}'), call_done(0, args='{"k":2}')],
    [call_added(0), call_done(0, args='{"k":2}')],
    [call_added(0, args='{"k":2}'), call_done(0, args="")],
], ids=["done-event", "item-done", "added-only"])
def test_arguments_without_deltas(events):
    """resp-arguments-source: arguments from the finished item, the .done event or the added item."""
    r = run(sse(CREATED, *events, completed()))
    assert cmds(r) == [("DO", ("call_1", "f", {"k": 2}, True))]
    assert not r.errors


def test_final_arguments_win_and_difference_reported():
    """resp-arguments-mismatch."""
    r = run(sse(CREATED, call_added(0), args_delta(0, '{"a":1}'), args_done(0, '{"a":2}'), call_done(0, args='{"a":2}'),
                completed()))
    assert cmds(r)[0][1][2] == {"a": 2}
    assert "resp-arguments-mismatch" in rules(r)


def test_delta_after_arguments_done_ignored():
    """resp-delta-after-done: a stray `}` after .done never reaches the arguments."""
    r = run(sse(CREATED, call_added(0), args_delta(0, '{"a":1}'), args_done(0, '{"a":1}'), args_delta(0, "}"),
                call_done(0, args='{"a":1}'), completed()))
    assert cmds(r)[0][1][2] == {"a": 1}
    assert "resp-delta-after-done" in rules(r)


def test_missing_added_events_and_rotating_item_ids():
    """resp-item-added-missing / resp-item-id-mismatch: routed by output_index."""
    r = run(sse(CREATED, text_delta(0, "Hel", "msg_a"), text_delta(0, "lo", "msg_b"), msg_done(0, "Hello"), completed()))
    assert cmds(r) == [("SAY", "Hello")]
    assert {"resp-item-added-missing", "resp-item-id-mismatch"} <= rules(r)


def test_each_message_item_is_its_own_say():
    """resp-message-say: two message items are two SAYs, a call between them in order."""
    r = run(sse(CREATED, msg_added(0), text_delta(0, "One."), msg_done(0, "One."), call_added(1), call_done(1),
                msg_added(2), text_delta(2, "Two."), msg_done(2, "Two."), msg_added(3), text_delta(3, "Three."),
                msg_done(3, "Three."), completed()))
    assert cmds(r) == [("SAY", "One."), ("DO", ("call_1", "f", {}, True)), ("SAY", "Two."), ("SAY", "Three.")]


def test_text_only_in_item_done():
    r = run(sse(CREATED, msg_added(0), msg_done(0, "Only here."), completed()))
    assert cmds(r) == [("SAY", "Only here.")]


def test_sequence_numbers_missing_or_gapped():
    """resp-sequence-number."""
    r = run(sse(CREATED, msg_added(0), text_delta(0, "x"), msg_done(0, "x"), completed(), numbered=False))
    assert "resp-sequence-number" in rules(r) and not r.errors
    gapped = [{**e, "sequence_number": n * 5} for n, e in enumerate([CREATED, msg_added(0), msg_done(0, "x"), completed()])]
    assert "resp-sequence-number" in rules(run(sse(*gapped)))


def test_completed_without_output_builds_from_items():
    """resp-completed-output."""
    r = run(sse(CREATED, call_added(0), call_done(0, args='{"x":1}'), completed(output=None)))
    assert cmds(r) == [("DO", ("call_1", "f", {"x": 1}, True))]
    assert "resp-completed-output" in rules(r)


def test_item_only_in_completed_output():
    r = run(sse(CREATED, completed(output=[{"type": "function_call", "id": "fc_0", "call_id": "call_9", "name": "g",
                                             "arguments": "{}"}])))
    assert cmds(r) == [("DO", ("call_9", "g", {}, True))]


@pytest.mark.parametrize("error", [
    {"type": "error", "code": "server_error", "message": "boom", "param": None},
    {"type": "error", "error": {"type": "too_many_requests", "code": "rate", "message": "boom"}},
], ids=["flat", "nested"])
def test_both_error_shapes(error):
    """resp-error: finish error, open calls not dispatched."""
    r = run(sse(CREATED, call_added(0), args_delta(0, '{"a"'), error))
    assert r.plan["error"]["message"] == "boom"
    assert r.plan["choices"][0]["finish_reason"] == "error"
    assert cmds(r)[0][1][3] is False
    assert "resp-error" in {d.rule for d in r.errors}


def test_failed_response():
    r = run(sse(CREATED, {"type": "response.failed", "response": {"status": "failed",
                                                                  "error": {"code": "server_error", "message": "x"}}}))
    assert r.plan["choices"][0]["finish_reason"] == "error" and r.plan["error"]["code"] == "server_error"


@pytest.mark.parametrize("reason,finish", [("max_output_tokens", "length"), ("content_filter", "content_filter"),
                                           ("other", "incomplete")])
def test_incomplete_response(reason, finish):
    """resp-incomplete: a call cut off by the limit is not dispatched."""
    r = run(sse(CREATED, call_added(0), args_delta(0, '{"a"'),
                {"type": "response.incomplete", "response": {"status": "incomplete",
                                                             "incomplete_details": {"reason": reason}}}))
    assert r.plan["choices"][0]["finish_reason"] == finish
    assert cmds(r)[0][1][3] is False
    assert "resp-incomplete" in rules(r)


def test_truncated_stream():
    """resp-truncated."""
    r = run(sse(CREATED, call_added(0), args_delta(0, '{"a":1}')), "bytewise")
    assert cmds(r)[0][1][3] is False and r.plan["choices"][0]["finish_reason"] is None
    assert "resp-truncated" in {d.rule for d in r.errors}


def test_no_event_lines_and_done_sentinel():
    """resp-event-name / resp-done-sentinel."""
    r = run(sse(CREATED, msg_added(0), text_delta(0, "hi"), msg_done(0, "hi"), completed(), lines=False, done=True))
    assert cmds(r) == [("SAY", "hi")]
    assert {"resp-event-name", "resp-done-sentinel"} <= rules(r) and not r.errors


def test_server_tools_never_do():
    """resp-server-tools."""
    ws = {"type": "web_search_call", "id": "ws_0", "status": "completed", "action": {"type": "search", "query": "q"}}
    r = run(sse(CREATED, {"type": "response.output_item.added", "output_index": 0, "item": {**ws, "status": "in_progress"}},
                {"type": "response.web_search_call.completed", "output_index": 0, "item_id": "ws_0"},
                {"type": "response.output_item.done", "output_index": 0, "item": ws}, completed()))
    assert cmds(r) == []
    assert r.plan["choices"][0]["server_tools"] == [{"type": "web_search_call", "id": "ws_0", "name": None}]
    assert r.plan["choices"][0]["finish_reason"] == "stop"


def test_custom_and_computer_calls():
    custom = {"type": "custom_tool_call", "id": "ct_0", "call_id": "call_c", "name": "shell", "input": "ls -la"}
    computer = {"type": "computer_call", "id": "cu_1", "call_id": "call_u", "action": {"type": "click", "x": 1, "y": 2}}
    r = run(sse(CREATED, {"type": "response.output_item.done", "output_index": 0, "item": custom},
                {"type": "response.output_item.done", "output_index": 1, "item": computer}, completed()))
    assert cmds(r) == [("DO", ("call_c", "shell", "ls -la", True)),
                       ("DO", ("call_u", "computer", {"type": "click", "x": 1, "y": 2}, True))]


def test_refusal_and_reasoning_not_say():
    """resp-refusal / resp-reasoning."""
    r = run(sse(CREATED, {"type": "response.reasoning_summary_text.delta", "output_index": 0, "item_id": "rs_0",
                          "summary_index": 0, "delta": "hmm"},
                msg_added(1), {"type": "response.refusal.delta", "output_index": 1, "item_id": "msg_1",
                               "content_index": 0, "delta": "I can't."},
                {"type": "response.output_item.done", "output_index": 1, "item": {
                    "type": "message", "id": "msg_1", "content": [{"type": "refusal", "refusal": "I can't."}]}},
                completed()))
    assert cmds(r) == [] and r.plan["choices"][0]["refusal"] == "I can't."
    assert [e.text for e in r.outputs if e.type == "reasoning.delta"] == ["hmm"]


def test_strict_profile_turns_dialect_into_errors():
    body = sse(CREATED, msg_added(0), text_delta(0, "x"), msg_done(0, "x"), completed(), numbered=False)
    lenient, strict = run(body), run(body, profile="strict")
    assert lenient.plan == strict.plan and not lenient.errors
    assert "resp-sequence-number" in {d.rule for d in strict.errors}


# -- who runs a call (issue 17) ---------------------------------------------------------------------------------


def created_with(tools):
    return {"type": "response.created", "response": {"id": "resp_1", "status": "in_progress", "output": [],
                                                     "tools": tools}}


def item_added(i, item):
    return {"type": "response.output_item.added", "output_index": i, "item": item}


def item_done(i, item):
    return {"type": "response.output_item.done", "output_index": i, "item": item}


def server_tools(r):
    return [(t["type"], t["name"]) for t in r.plan["choices"][0]["server_tools"]]


def finish(r):
    return r.plan["choices"][0]["finish_reason"]


@pytest.mark.parametrize("item_execution,tool_execution,runner", [
    ("client", None, "client"), ("server", "client", "server"), (None, "client", "client"), (None, None, "server")])
def test_tool_search_runner_is_the_items_execution_else_the_tools(item_execution, tool_execution, runner):
    """resp-tool-search-client: the item's `execution`, else the declared tool's, else the server."""
    tool = {"type": "tool_search", **({"execution": tool_execution} if tool_execution else {})}
    base = {"type": "tool_search_call", "id": "tsc_0", "status": "completed",
            **({"execution": item_execution} if item_execution else {})}
    r = run(sse(created_with([tool]), item_added(0, {**base, "call_id": None, "arguments": {}}),
                item_done(0, {**base, "call_id": "call_ts", "arguments": {"paths": ["crm"]}}), completed()))
    if runner == "client":
        assert cmds(r) == [("DO", ("call_ts", "tool_search", {"paths": ["crm"]}, True))]  # the final call id
        assert finish(r) == "tool_calls" and server_tools(r) == []
        assert "resp-tool-search-client" in rules(r) and not r.errors
    else:
        assert cmds(r) == [] and server_tools(r) == [("tool_search_call", None)] and finish(r) == "stop"


def test_tool_search_arguments_given_as_a_string_are_parsed():
    ts = {"type": "tool_search_call", "id": "tsc_0", "execution": "client", "call_id": "call_ts",
          "arguments": '{"query": "refunds"}'}
    r = run(sse(CREATED, item_done(0, ts), completed()))
    assert cmds(r) == [("DO", ("call_ts", "tool_search", {"query": "refunds"}, True))]


def test_client_tool_search_output_is_not_a_command():
    out = {"type": "tool_search_output", "id": "tso_0", "execution": "client", "call_id": "call_ts", "tools": []}
    r = run(sse(CREATED, item_done(0, out), completed()))
    assert cmds(r) == [] and server_tools(r) == []


SHELL_ACTION = {"commands": ["ls"], "timeout_ms": 1000}


@pytest.mark.parametrize("env,tools,runner", [
    ({"type": "container_reference", "container_id": "cntr_1"}, [], "server"),
    ({"type": "local"}, [{"type": "shell", "environment": {"type": "container_auto"}}], "client"),
    (None, [{"type": "shell", "environment": {"type": "container_auto"}}], "server"),
    (None, [{"type": "shell", "environment": {"type": "local"}}], "client"),
    (None, [], "client")])
def test_shell_call_in_a_hosted_container_is_the_servers(env, tools, runner):
    """resp-server-run-call: the item's environment, else the declared shell tool's."""
    sh = {"type": "shell_call", "id": "sh_0", "call_id": "call_sh", "action": SHELL_ACTION, "status": "completed",
          **({"environment": env} if env else {})}
    r = run(sse(created_with(tools) if tools else CREATED, item_added(0, {**sh, "status": "in_progress"}),
                item_done(0, sh), completed()))
    if runner == "client":
        assert cmds(r) == [("DO", ("call_sh", "shell", SHELL_ACTION, True))] and finish(r) == "tool_calls"
    else:
        assert cmds(r) == [] and server_tools(r) == [("shell_call", None)] and finish(r) == "stop"
        assert "resp-server-run-call" in rules(r) and not r.errors


def test_output_item_before_the_call_makes_it_the_servers():
    """resp-server-run-call: an output item with the call's id, earlier in the response."""
    out = {"type": "function_call_output", "id": "fco_0", "call_id": "call_f", "output": "42"}
    r = run(sse(CREATED, item_done(0, out), call_added(1, "call_f"), call_done(1, "call_f"), completed()))
    assert cmds(r) == [] and server_tools(r) == [("function_call", "f")] and finish(r) == "stop"
    assert "resp-server-run-call" in rules(r)


def test_output_item_after_dispatch_is_reported_and_the_do_stands():
    """resp-server-run-call: a DO is not taken back."""
    out = {"type": "shell_call_output", "id": "sho_1", "call_id": "call_sh", "output": []}
    sh = {"type": "shell_call", "id": "sh_0", "call_id": "call_sh", "action": SHELL_ACTION, "status": "completed"}
    r = run(sse(CREATED, item_done(0, sh), item_done(1, out), completed()))
    assert cmds(r) == [("DO", ("call_sh", "shell", SHELL_ACTION, True))] and server_tools(r) == []
    assert "resp-server-run-call" in rules(r) and not r.errors


@pytest.mark.parametrize("tools,runner", [
    ([{"type": "x_search"}], "server"),
    ([{"type": "custom", "name": "x_keyword_search"}], "client"),
    ([{"type": "namespace", "name": "x", "tools": [{"type": "custom", "name": "x_keyword_search"}]}], "client"),
    ([{"type": "x_search"}, {"type": "tool_search"}], "client"),  # a tool search may load it
    (None, "client")])
def test_custom_call_naming_no_declared_tool_is_the_servers(tools, runner):
    """resp-custom-call-undeclared (dialect): xAI's X search as custom_tool_call."""
    ct = {"type": "custom_tool_call", "id": "ctc_0", "call_id": "xs_call_1", "name": "x_keyword_search",
          "input": '{"query":"q"}', "status": "completed"}
    body = sse(created_with(tools) if tools else CREATED, item_added(0, {**ct, "input": ""}),
               {"type": "response.custom_tool_call_input.delta", "output_index": 0, "item_id": "ctc_0",
                "delta": '{"query":"q"}'}, item_done(0, ct), msg_added(1), text_delta(1, "found"),
               msg_done(1, "found"), completed())
    r = run(body)
    if runner == "server":
        assert cmds(r) == [("SAY", "found")] and server_tools(r) == [("custom_tool_call", "x_keyword_search")]
        assert finish(r) == "stop" and "resp-custom-call-undeclared" in rules(r) and not r.errors
        assert "resp-custom-call-undeclared" in {d.rule for d in run(body, profile="strict").errors}
    else:
        assert cmds(r)[0] == ("DO", ("xs_call_1", "x_keyword_search", '{"query":"q"}', True))


def test_function_call_naming_no_declared_tool_stays_a_do():
    r = run(sse(created_with([{"type": "function", "name": "g"}]), call_added(0), call_done(0), completed()))
    assert cmds(r) == [("DO", ("call_1", "f", {}, True))]


def test_item_runner_and_type_level_classification():
    from kit.adapters.client import is_server_tool
    from kit.reference.responses import Tools, is_server_item, item_runner

    assert not is_server_item("tool_search_call") and not is_server_item("shell_call")
    assert is_server_item("mcp_approval_request") and is_server_item("web_search_call")
    assert item_runner({"type": "tool_search_call", "execution": "client"}) == "client"
    assert item_runner({"type": "shell_call", "environment": {"type": "container_reference"}}) == "server"
    assert item_runner({"type": "custom_tool_call", "name": "n"}, Tools([{"type": "x_search"}])) == "server"
    assert item_runner({"type": "message"}) is None and item_runner({"type": "shell_call_output"}) is None
    assert is_server_tool("openai.responses", "shell_call", {"environment": {"type": "container_reference"}})
    assert not is_server_tool("openai.responses", "tool_search_call", {"execution": "client"})
    assert is_server_tool("openai.responses", "tool_search_call", {"execution": "server"})
