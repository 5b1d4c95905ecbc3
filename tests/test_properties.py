"""Property tests: chunk-plan invariance and agreement with an independent oracle."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kit import strategies as ks
from kit.replay import replay, replay_reads
from kit.script import Reasoning, Script, Text, Tool, gemini_streamed, render_gemini
from kit.trace import chunk, corpus

API = "openai.chat.completions"


def oracle(script: Script, api: str = API, dialect=None) -> list[dict]:
    """The commands a script means, written without the reference: runs of text are one
    SAY, each tool call one DO with its arguments parsed ("" -> {}). Gemini sends
    arguments as an object, so its DO carries their compact JSON ("{}" for none) and the
    call id only when the dialect sends ids (a missing id is null, not a fault); a relay's
    string ``args`` (gem-args-object) is kept as the text it is."""
    gemini = api == "google.generate_content"
    commands: list[dict] = []
    for step in script.steps:
        if isinstance(step, Reasoning):  # never a SAY, and it does not split one
            continue
        if isinstance(step, Text):
            if commands and commands[-1]["type"] == "SAY":
                commands[-1]["text"] += step.text
            else:
                commands.append({"type": "SAY", "text": step.text})
        else:
            assert isinstance(step, Tool)
            parameters = json.loads(step.arguments) if step.arguments else {}
            arguments = step.arguments
            call_id = step.call_id
            if gemini:
                call_id = step.call_id if dialect.ids else None
                if not (dialect.args_string and arguments and not gemini_streamed(step, dialect)):
                    arguments = json.dumps(parameters, ensure_ascii=False, separators=(",", ":"))
            commands.append({"type": "DO", "call_id": call_id, "action": step.name, "arguments": arguments,
                             "parameters": parameters})
    return commands


def finish(script: Script, api: str) -> str:
    """Gemini has no tool-call finish: STOP ends a response with calls too."""
    if api == "google.generate_content" and script.finish_reason == "tool_calls":
        return "stop"
    return script.finish_reason


APIS = ["openai.chat.completions", "openai.responses", "anthropic.messages", "google.generate_content"]


@pytest.mark.parametrize("api", APIS)
@given(data=st.data())
def test_reference_agrees_with_oracle_in_every_dialect(api, data):
    script, dialect, body = data.draw(ks.streams(api), label="stream")
    plan = data.draw(ks.chunk_plans(), label="chunking")
    result = replay_reads(api, chunk(body, plan))
    (choice,) = result.plan["choices"]
    assert choice["commands"] == oracle(script, api, dialect), (dialect, plan)
    assert choice["finish_reason"] == finish(script, api)
    assert not result.errors, [str(d) for d in result.errors]
    if api == "openai.chat.completions":
        assert (result.plan["usage"] is not None) == (dialect.usage != "none")
    else:
        assert result.plan["usage"] == {"input_tokens": 7, "output_tokens": 11}


@given(data=st.data())
def test_gemini_reference_agrees_with_oracle_on_rich_scripts(data):
    """Gemini scripts with reasoning (thought parts), usage and every finish the scripts
    draw: thoughts are never SAY nor split one, MAX_TOKENS is length, SAFETY content_filter,
    and usage is the last usageMetadata, thoughts counted as output."""
    api = "google.generate_content"
    script = data.draw(ks.scripts(api), label="script")
    dialect = data.draw(ks.gemini_dialects(), label="dialect")
    plan = data.draw(ks.chunk_plans(), label="chunking")
    result = replay_reads(api, chunk(render_gemini(script, dialect), plan))
    (choice,) = result.plan["choices"]
    assert choice["commands"] == oracle(script, api, dialect)
    assert choice["finish_reason"] == finish(script, api)
    assert result.plan["usage"] == dict(zip(("input_tokens", "output_tokens"), script.usage or (7, 11)))
    assert not result.errors, [str(d) for d in result.errors]


@pytest.mark.parametrize("api", APIS)
@given(data=st.data())
def test_chunking_never_changes_events_or_plan(api, data):
    _, _, body = data.draw(ks.streams(api), label="stream")
    plans = data.draw(st.lists(ks.chunk_plans(), min_size=2, max_size=3), label="chunkings")
    runs = [replay_reads(api, chunk(body, p), keep_outputs=True) for p in plans]
    first = runs[0]
    for r in runs[1:]:
        assert r.plan == first.plan
        assert r.outputs == first.outputs
        assert [(d.rule, d.event) for d in r.diagnostics] == [(d.rule, d.event) for d in first.diagnostics]


@settings(max_examples=25)
@given(st.data())
def test_every_corpus_trace_is_chunk_invariant(data):
    traces = corpus()
    trace = data.draw(st.sampled_from(traces), label="trace")
    plan = data.draw(ks.chunk_plans(), label="chunking")
    base = replay(trace, chunking="whole", keep_outputs=True)
    other = replay(trace, chunking=plan, keep_outputs=True)
    assert other.plan == base.plan
    assert other.outputs == base.outputs
