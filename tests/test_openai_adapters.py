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
