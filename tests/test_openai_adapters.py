"""The bundled openai SDK adapters (``kit/adapters/openai_sdk.py``) run through the adapter contract."""

from __future__ import annotations

import json

import pytest

openai = pytest.importorskip("openai")

from kit.adapters import DONE, Case, load_adapter  # noqa: E402
from kit.adapters import openai_sdk  # noqa: E402
from kit.replay import replay  # noqa: E402
from kit.sse import SSEDecoder  # noqa: E402
from kit.trace import corpus  # noqa: E402

CHAT = "openai.chat.completions"
RESPONSES = "openai.responses"

SIMPLE = {
    CHAT: ["y_text_only", "y_text_then_tool_call", "y_parallel_calls", "y_refusal"],
    RESPONSES: ["y_text_only", "y_text_then_function_call", "y_parallel_function_calls", "y_refusal"],
}
ADAPTERS = {
    "openai-chat-state": (CHAT, SIMPLE[CHAT] + ["y_two_choices"]),
    "openai-chat-client": (CHAT, SIMPLE[CHAT] + ["y_two_choices"]),
    "openai-chat-create": (CHAT, ["y_text_only", "y_text_then_tool_call", "y_parallel_calls"]),
    "openai-responses-state": (RESPONSES, SIMPLE[RESPONSES]),
    "openai-responses-client": (RESPONSES, SIMPLE[RESPONSES]),
}


def trace(api: str, ident: str):
    found = [t for t in corpus(api=api) if t.id == ident]
    assert found, f"{api}/{ident} is not in the corpus"
    return found[0]


def events_feed(reads: list[bytes]) -> list:
    """Each SSE event's data as the events feed carries it (``DONE`` for the sentinel)."""
    decoder = SSEDecoder()
    sses = [s for r in reads for s in decoder.feed(r)] + list(decoder.close())
    out = []
    for sse in sses:
        if sse.data.strip() == "[DONE]":
            out.append(DONE)
        else:
            json.loads(sse.data)  # the simple traces are all JSON
            out.append(sse.data)
    return out


def case(t, chunking: str) -> Case:
    reads = t.chunks(chunking)
    return Case(t.id, t.api, chunking, reads, events_feed(reads))


@pytest.fixture(scope="module")
def adapters():
    loaded = {name: load_adapter(name, timeout=60) for name in ADAPTERS}
    yield loaded
    for a in loaded.values():
        a.close()


@pytest.mark.parametrize("chunking", ["recorded", "bytewise"])
@pytest.mark.parametrize("name,ident", [(n, i) for n, (_, ids) in ADAPTERS.items() for i in ids])
def test_plan_matches_reference_on_simple_traces(adapters, name, ident, chunking):
    api, _ = ADAPTERS[name]
    t = trace(api, ident)
    adapter = adapters[name]
    outcome = adapter.run(case(t, chunking))
    assert outcome.error is None, outcome.error
    assert not outcome.protocol, outcome.protocol
    expected = replay(t, chunking=chunking).plan
    assert outcome.plan == expected
    if adapter.capabilities.incremental:
        # the events reported through the sink make the same plan as the one returned
        from kit.plan import build_plan

        assert build_plan(api, [e for _, e in outcome.outputs]) == expected


def test_capabilities_as_registered():
    caps = {name: load_adapter(name).capabilities for name in ADAPTERS}
    assert caps["openai-chat-state"].feed == "events" and caps["openai-chat-state"].incremental
    assert caps["openai-chat-client"].feed == "bytes" and caps["openai-chat-client"].incremental
    assert not caps["openai-chat-create"].incremental and not caps["openai-chat-create"].multi_choice
    assert caps["openai-responses-state"].apis == (RESPONSES,)
    assert caps["openai-responses-client"].apis == (RESPONSES,) and caps["openai-responses-client"].incremental


@pytest.mark.parametrize("name,api,ident", [
    ("openai-chat-client", CHAT, "y_text_then_tool_call"),
    ("openai-responses-client", RESPONSES, "y_text_then_function_call"),
])
def test_client_variants_pull_reads_lazily(adapters, name, api, ident):
    t = trace(api, ident)
    c = case(t, "event")
    assert len(c.reads) > 5
    outcome = adapters[name].run(c)
    assert outcome.error is None, outcome.error
    positions = [p for p, _ in outcome.outputs]
    assert positions, "no output events"
    # the first text arrived long before the body was read to its end
    assert positions[0] < len(c.reads) // 2
    assert positions == sorted(positions)


def test_sdk_exception_propagates_from_the_client():
    t = trace(CHAT, "n_in_band_error_midstream")
    seen: list = []
    with pytest.raises(openai.APIError):
        openai_sdk.chat_client_stream(iter(t.chunks("recorded")), seen.append, api=CHAT)


def test_sdk_exception_propagates_from_the_state():
    body = [json.dumps({"type": "response.output_item.added", "output_index": 0, "sequence_number": 0,
                        "item": {"type": "message", "id": "msg_1", "role": "assistant", "content": []}})]
    with pytest.raises(RuntimeError, match="response.created"):
        openai_sdk.responses_stream_state(iter([json.loads(b) for b in body]), [].append, api=RESPONSES)


def test_sdk_exception_is_recorded_as_rejected(adapters):
    t = trace(CHAT, "n_in_band_error_midstream")
    outcome = adapters["openai-chat-client"].run(case(t, "recorded"))
    assert outcome.rejected and outcome.plan is None
    assert "APIError" in outcome.error


# -- what the SDK gives, mapped without glue of the adapter's own (issue 14, item 5) -----------


def _plan_of(adapters, name: str, api: str, ident: str) -> dict:
    outcome = adapters[name].run(case(trace(api, ident), "recorded"))
    assert outcome.error is None, outcome.error
    return outcome.plan


def _calls(plan: dict) -> list[dict]:
    return [c for c in plan["choices"][0]["commands"] if c["type"] == "DO"]


@pytest.mark.parametrize("name,api,ident", [
    ("openai-chat-state", CHAT, "n_tool_call_without_name"),
    ("openai-chat-client", CHAT, "n_tool_call_without_name"),
    ("openai-chat-create", CHAT, "n_tool_call_without_name"),
    ("openai-responses-state", RESPONSES, "n_function_call_without_name"),
    ("openai-responses-client", RESPONSES, "n_function_call_without_name"),
])
def test_a_name_the_wire_leaves_empty_is_null_as_the_reference_reads_it(adapters, name, api, ident):
    plan = _plan_of(adapters, name, api, ident)
    expected = replay(trace(api, ident), chunking="recorded").plan
    assert [c["action"] for c in _calls(expected)] == [None]
    assert [c["action"] for c in _calls(plan)] == [None]
    assert plan == expected


@pytest.mark.parametrize("name", ["openai-responses-state", "openai-responses-client"])
def test_a_call_item_the_sdk_finishes_incomplete_is_not_dispatched(adapters, name):
    t = trace(RESPONSES, "n_incomplete_mid_arguments")
    plan = _plan_of(adapters, name, RESPONSES, t.id)
    (call,) = _calls(plan)
    assert call["dispatched"] is False and call["invalid_arguments"] is True
    assert plan == replay(t, chunking="recorded").plan


def test_an_incomplete_item_without_deltas_keeps_the_arguments_it_carries():
    def event(n: int, doc: dict) -> dict:
        return {**doc, "sequence_number": n}

    response = {"id": "resp_1", "object": "response", "created_at": 1, "status": "in_progress", "model": "m",
                "output": [], "parallel_tool_calls": True, "tool_choice": "auto", "tools": []}
    item = {"type": "function_call", "id": "fc_1", "call_id": "call_1", "name": "save", "arguments": '{"a": 1',
            "status": "incomplete"}
    body = [event(0, {"type": "response.created", "response": response}),
            event(1, {"type": "response.output_item.done", "output_index": 0, "item": item}),
            event(2, {"type": "response.incomplete", "response": {**response, "status": "incomplete",
                                                                  "incomplete_details": {"reason": "max_output_tokens"},
                                                                  "output": [item]}})]
    plan = openai_sdk.responses_stream_state(iter(body), [].append, api=RESPONSES)
    assert _calls(plan) == [{"type": "DO", "call_id": "call_1", "action": "save", "arguments": '{"a": 1',
                             "parameters": None, "invalid_arguments": True, "dispatched": False}]
    assert plan["choices"][0]["finish_reason"] == "length"


def test_list_content_through_create_is_read_from_its_text_parts(adapters):
    t = trace(CHAT, "y_content_parts_thinking")
    plan = _plan_of(adapters, "openai-chat-create", CHAT, t.id)
    assert plan == replay(t, chunking="recorded").plan
    assert "Two trains" not in json.dumps(plan)  # the thinking parts are not text


# the SDK's models type delta.content as a string: pydantic warns when it dumps a list there
@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings:UserWarning")
@pytest.mark.parametrize("name", ["openai-chat-state", "openai-chat-client"])
def test_list_content_through_the_stream_helper_is_what_the_sdk_accumulates(adapters, name):
    # the helper passes a list delta on in its content.delta event but leaves it out of the
    # message it accumulates: the text graded is the SDK's, not a TypeError of the adapter
    t = trace(CHAT, "y_content_parts_thinking")
    plan = _plan_of(adapters, name, CHAT, t.id)
    client = openai_sdk._client(iter(t.chunks("recorded")))
    with client.chat.completions.stream(model="kit", messages=[{"role": "user", "content": "hi"}]) as stream:
        for _ in stream:
            pass
        sdk_text = stream.get_final_completion().choices[0].message.content
    assert [c["text"] for c in plan["choices"][0]["commands"] if c["type"] == "SAY"] == [sdk_text]
    assert sdk_text != replay(t, chunking="recorded").plan["choices"][0]["commands"][0]["text"]


def test_create_runs_the_guides_loop_as_written(adapters):
    # OpenAI's function-calling guide (Streaming, Chat Completions) keeps the first fragment of
    # each index and then appends every fragment's arguments to it, the first one's included
    t = trace(CHAT, "y_whole_call_with_finish_same_chunk")
    client = openai_sdk._client(iter(t.chunks("recorded")))
    final_tool_calls: dict = {}
    for chunk in client.chat.completions.create(model="kit", messages=[], stream=True):
        if not chunk.choices:
            continue
        for tool_call in chunk.choices[0].delta.tool_calls or []:
            index = tool_call.index
            if index not in final_tool_calls:
                final_tool_calls[index] = tool_call
            final_tool_calls[index].function.arguments += tool_call.function.arguments
    guide = [final_tool_calls[i].function.arguments for i in sorted(final_tool_calls)]
    plan = _plan_of(adapters, "openai-chat-create", CHAT, t.id)
    assert [c["arguments"] for c in _calls(plan)] == guide
    expected = [c["arguments"] for c in _calls(replay(t, chunking="recorded").plan)]
    assert guide == [a * 2 for a in expected]  # what the guide's loop does to a whole first fragment
