"""The planner's own tests, written the way a user of toolstream-kit writes them.

The conformance corpus itself runs through the kit's pytest plugin (``kit_adapter`` in
``pyproject.toml``); these are the tests a team adds next to it: snapshots of the Plans
it makes, a property test over generated streams, and a closer look at the traces of the
rule the planner had to get right.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings

import kit
import kit.properties
from kit import strategies as ks
from kit.snapshot import PlanSnapshotExtension

from bot_planner_adapter import handle

CHAT = "openai.chat.completions"


def plan_of(reads, api=CHAT):
    """What the planner makes of a stream (its tool calls dispatched nowhere)."""
    return handle(iter(reads), lambda event: None, api=api)


@pytest.mark.parametrize("trace_id", ["y_parallel_interleaved", "y_text_then_tool_call", "y_refusal",
                                      "n_truncated_mid_arguments"])
def test_plan_snapshot(trace_id, kit_trace, kit_chunks, snapshot):
    """The Plan, kept under tests/__snapshots__/ (``--snapshot-update`` rewrites it)."""
    trace = kit_trace(f"{CHAT}/{trace_id}")
    assert plan_of(kit_chunks(trace, "bytewise")) == snapshot(extension_class=PlanSnapshotExtension)


@kit.cases(api="chat", rule="chat-interleaved-fragments")
@pytest.mark.parametrize("chunking", ["fixed:7", "random:1"])
def test_interleaved_fragments(trace, chunking):
    """Fragments of parallel calls arrive interleaved: each call gets only its own."""
    kit.assert_conforms(handle, trace, chunking)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(trace=ks.traces(api=CHAT, dialect="provider"), chunking=ks.chunk_plans())
def test_generated_streams(trace, chunking):
    """Any stream the strategies draw (text and tool calls in any order, real providers'
    dialects, broken streams too), cut any way: the planner does what the reference does.
    A failure writes the shrunk trace under .kit/promoted/ and prints the command that
    runs it again."""
    kit.properties.conforms(handle, trace, chunking=chunking)


def test_reference_and_planner_agree_on_one_trace(kit_trace, kit_chunks, kit_reference):
    trace = kit_trace("y_parallel_interleaved")
    assert plan_of(kit_chunks(trace, "random:3")) == kit_reference(trace).plan
