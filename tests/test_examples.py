"""The examples in examples/ graded against the reference, the way `kit verify` will.

- the bot planner (py:, incremental): its Plan and the Plan of its events equal the
  reference's on every single-choice y_ Chat Completions trace, and every text delta
  reached the sink before the read after the one that carried it was pulled;
- the naive Responses handler: runs a tool with arguments that differ from the call's
  final arguments (the bug it exists to show);
- the Node.js program (exec:): its Plan equals the reference's on every y_ trace of the
  two APIs it handles, with no protocol violation (skipped when `node` is not on PATH).
"""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import Any

import pytest

from kit.adapters import Case, Outcome, load_adapter
from kit.plan import build_plan
from kit.replay import replay
from kit.sse import SSEDecoder
from kit.trace import Trace, corpus
from kit.verify import compare_plans

from .conftest import REPO

CHAT, RESPONSES, ANTHROPIC = "openai.chat.completions", "openai.responses", "anthropic.messages"
CHUNKINGS = ("recorded", "bytewise")
BOT = "py:examples.bot_planner.kit_adapter:handle"
NAIVE = "py:examples.naive_responses.handler:handle"
NODE = "exec:node examples/node/accumulate.js"


@lru_cache(maxsize=None)
def traces(api: str) -> dict[str, Trace]:
    return {t.id: t for t in corpus(api=api)}


def y_traces(api: str) -> list[Trace]:
    return [t for t in traces(api).values() if t.cls == "y"]


@lru_cache(maxsize=None)
def reference(api: str, trace_id: str, chunking: str) -> Any:
    return replay(traces(api)[trace_id], chunking=chunking, timeline=True)


def run(adapter: Any, trace: Trace, chunking: str) -> Outcome:
    return adapter.run(Case(trace.id, trace.api, chunking, trace.chunks(chunking)))


def text_deadlines(trace: Trace, chunking: str) -> list[tuple[int, int]]:
    """``(characters of visible text so far, latest pulled count)`` per reference text
    delta: the reference emitted it while handling read ``Step.read``, so an incremental
    implementation must have reported it before pulling the read after that one. An event
    the decoder could only dispatch at end of stream is due once the end was seen."""
    reads = trace.chunks(chunking)
    decoder = SSEDecoder()
    dispatched_while_reading = sum(len(decoder.feed(r)) for r in reads)
    result = reference(trace.api, trace.id, chunking)
    out, total = [], 0
    for step in result.timeline:
        at_end = step.sse is None or step.sse.index >= dispatched_while_reading
        due = len(reads) + 1 if at_end else step.read + 1
        for e in step.outputs:
            if e.type == "text.delta":
                total += len(e.text)
                out.append((total, due))
    return out


def late_text(outcome: Outcome, deadlines: list[tuple[int, int]]) -> list[str]:
    problems, total, k = [], 0, 0
    for position, e in outcome.outputs or []:
        if e.type != "text.delta" or not e.text:
            continue
        total += len(e.text)
        while k < len(deadlines) and deadlines[k][0] < total:
            k += 1
        if k == len(deadlines):
            problems.append(f"text {e.text!r} beyond the reference's text")
            break
        if position > deadlines[k][1]:
            problems.append(f"text {e.text!r} reported after {position} reads were pulled; "
                            f"the reference had it after {deadlines[k][1]}")
    return problems


# -- the bot planner ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def bot():
    adapter = load_adapter(BOT)
    yield adapter
    adapter.close()


def test_bot_planner_declares_its_capabilities(bot):
    caps = bot.capabilities
    assert (caps.feed, caps.apis, caps.incremental, caps.multi_choice) == ("bytes", (CHAT,), True, False)
    assert bot.skip_reason(RESPONSES) is not None and bot.skip_reason(CHAT) is None  # a multi-choice stream is graded too


BOT_CASES = [(t, ch) for t in y_traces(CHAT) for ch in CHUNKINGS]


@pytest.mark.parametrize("trace,chunking", BOT_CASES, ids=[f"{t.id}-{ch}" for t, ch in BOT_CASES])
def test_bot_planner_agrees_with_the_reference(bot, trace, chunking):
    ref = reference(CHAT, trace.id, chunking)
    out = run(bot, trace, chunking)
    assert out.error is None and not out.protocol and not out.rejected
    if len(ref.plan["choices"]) > 1:  # it declares one choice: it takes choice 0 whole, and nothing else
        assert [c["index"] for c in out.plan["choices"]] == [0]
        assert compare_plans(ref.plan, out.plan, multi_choice=False) == []
        return
    assert out.plan == ref.plan
    assert build_plan(CHAT, (e for _, e in out.outputs)) == ref.plan
    assert late_text(out, text_deadlines(trace, chunking)) == []


def test_bot_planner_covers_the_chat_corpus(bot):
    single = [t for t in y_traces(CHAT) if len(reference(CHAT, t.id, "recorded").plan["choices"]) <= 1]
    assert len(single) >= 45  # all but the multi-choice traces


def test_late_text_is_caught():
    """The streaming check itself: text held back until the end of the body is late."""
    trace = next(t for t in y_traces(CHAT) if t.id == "y_text_only")
    reads = trace.chunks("recorded")
    out = Outcome(outputs=[(len(reads) + 1, o) for o in replay(trace, keep_outputs=True).outputs])
    assert late_text(out, text_deadlines(trace, "recorded"))


def test_bot_planner_runs_no_tool_from_a_failed_stream():
    """conformance.md §2, Dispatch: never from a failed stream, also when [DONE] follows
    the in-band error."""
    from examples.bot_planner.planner import ToolsPlanner, StreamingResponse

    ran = []
    body = (b'data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"c1","type":"function",'
            b'"function":{"name":"rm","arguments":"{}"}}]}}]}\n\n'
            b'data: {"error":{"message":"upstream failed","type":"server_error"}}\n\n'
            b'data: [DONE]\n\n')
    plan = ToolsPlanner(on_action=ran.append).begin_task([body], StreamingResponse())
    assert ran == [] and plan.finish_reason == "error" and plan.error["message"] == "upstream failed"
    assert plan.commands[0].dispatched is False


# -- the naive Responses handler -------------------------------------------------------------

def final_arguments(plan: dict) -> dict[str | None, str]:
    return {c["call_id"]: c["arguments"] for ch in plan["choices"] for c in ch["commands"] if c["type"] == "DO"}


def test_naive_responses_handler_runs_tools_with_partial_arguments():
    adapter = load_adapter(NAIVE)
    assert adapter.capabilities.apis == (RESPONSES,) and adapter.capabilities.incremental
    wrong = []
    for trace in y_traces(RESPONSES):
        for chunking in CHUNKINGS:
            expected = final_arguments(reference(RESPONSES, trace.id, chunking).plan)
            if not any(expected.values()):
                continue  # no call with arguments to get wrong
            out = run(adapter, trace, chunking)
            for _, e in out.outputs or []:
                if e.type == "tool_call.done" and e.call_id in expected and e.arguments != expected[e.call_id]:
                    wrong.append((trace.id, chunking, e.call_id, e.arguments, expected[e.call_id]))
    assert wrong, "the naive handler should dispatch calls before their arguments arrived"
    assert ("y_text_then_function_call", "recorded", "call_FISUfMdXSDnb8Cbh19tHUbd7", "",
            '{"venue":"Munch Museum","city":"Oslo","date":"2026-11-28"}') in wrong


# -- the Node.js program ---------------------------------------------------------------------

needs_node = pytest.mark.skipif(shutil.which("node") is None,
                                reason="node is not on PATH: the exec: example is a Node.js program")
NODE_APIS = (CHAT, ANTHROPIC)
NODE_CASES = [(t, ch) for api in NODE_APIS for t in y_traces(api) for ch in CHUNKINGS]


@pytest.fixture(scope="module")
def node_outcomes(monkeypatch_module):
    """Every case run once, a few processes at a time (one process per case is the
    protocol; starting them is what takes the time)."""
    monkeypatch_module.chdir(REPO)
    adapter = load_adapter(NODE)
    adapter.validate_protocol = True
    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = list(pool.map(lambda case: run(adapter, *case), NODE_CASES))
    return {(t.api, t.id, ch): o for (t, ch), o in zip(NODE_CASES, outcomes)}


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


@needs_node
@pytest.mark.parametrize("trace,chunking", NODE_CASES, ids=[f"{t.api.split('.')[0]}-{t.id}-{ch}" for t, ch in NODE_CASES])
def test_node_program_agrees_with_the_reference(node_outcomes, trace, chunking):
    out = node_outcomes[(trace.api, trace.id, chunking)]
    assert out.error is None and not out.rejected and out.skip is None, out.stderr
    assert out.protocol == []
    assert out.plan == reference(trace.api, trace.id, chunking).plan


@needs_node
def test_node_program_skips_an_api_it_does_not_handle(monkeypatch):
    monkeypatch.chdir(REPO)
    adapter = load_adapter(NODE)
    adapter.validate_protocol = True
    out = run(adapter, y_traces(RESPONSES)[0], "recorded")
    assert out.skip and "openai.responses" in out.skip and out.protocol == []


@needs_node
def test_node_program_rejects_a_body_without_events(monkeypatch):
    monkeypatch.chdir(REPO)
    out = load_adapter(NODE).run(Case("not-sse", CHAT, "whole", [b"<html>502 Bad Gateway</html>\n"]))
    assert out.rejected and "no server-sent event" in out.error
