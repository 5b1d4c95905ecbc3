"""Every bundled trace: well-formed metadata, the reference treats it as its class says,
its Plan does not depend on the chunk plan, and the Plan matches its snapshot."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest

from kit._resources import schema
from kit.replay import replay
from kit.rules import RULES
from kit.snapshot import PlanSnapshotExtension
from kit.trace import corpus

TRACES = corpus()
IDS = [f"{t.api}.{t.id}" for t in TRACES]
PLAN_VALIDATOR = jsonschema.Draft202012Validator(schema("plan"))


@pytest.mark.parametrize("api,least", [("openai.chat.completions", 35), ("openai.responses", 20),
                                       ("anthropic.messages", 20),
                                       ("google.generate_content", 35)])
def test_corpus_size(api, least):
    traces = [t for t in TRACES if t.api == api]
    assert len(traces) >= least
    assert {t.cls for t in traces} == {"y", "n", "i"}


@pytest.mark.parametrize("trace", TRACES, ids=IDS)
def test_metadata(trace):
    assert Path(trace.path).stem == trace.id
    assert Path(trace.path).parent.name == trace.api
    assert trace.id.startswith(trace.cls + "_")
    if trace.provenance["kind"] == "synthetic":
        assert trace.provenance.get("evidence"), "a synthetic trace cites the behaviour it models"


@pytest.mark.parametrize("trace", TRACES, ids=IDS)
def test_reference_treats_trace_as_its_class_says(trace):
    result = replay(trace)
    errors = {d.rule for d in result.errors}
    if trace.cls == "y":
        assert not errors, [str(d) for d in result.errors]
    elif trace.cls == "n":
        assert errors, "an invalid trace must produce an error diagnostic"
        assert errors & set(trace.rules), f"its errors {errors} are not among its rules {trace.rules}"
    observed = {d.rule for d in result.diagnostics} | {d.rule for d in replay(trace, profile="strict").diagnostics}
    missing = observed - set(trace.rules)
    assert not missing, f"diagnostics {sorted(missing)} are not listed in the trace's rules"


@pytest.mark.parametrize("trace", TRACES, ids=IDS)
def test_plan_is_valid_and_chunk_invariant(trace):
    base = replay(trace, keep_outputs=True)
    PLAN_VALIDATOR.validate(base.plan)
    for plan in ("event", "bytewise", "whole", "fixed:5", "random:1", "random:2"):
        other = replay(trace, chunking=plan, keep_outputs=True)
        assert other.plan == base.plan, plan
        assert other.outputs == base.outputs, plan


@pytest.mark.parametrize("trace", TRACES, ids=IDS)
def test_plan_snapshot(trace, snapshot):
    assert replay(trace).plan == snapshot(extension_class=PlanSnapshotExtension)


@pytest.mark.parametrize("api", ["sse", "openai.chat.completions", "openai.responses", "anthropic.messages",
                                 "google.generate_content"])
def test_every_rule_is_exercised_by_a_trace(api):
    """Each rule has a trace that lists it (the traces conformance.md names for it)."""
    listed = {r for t in TRACES for r in t.rules}
    missing = sorted(r.id for r in RULES if r.api == api and r.id not in listed)
    assert not missing, missing


EVENT_VALIDATOR = jsonschema.Draft202012Validator(schema("events"))


@pytest.mark.parametrize("trace", TRACES, ids=IDS)
def test_output_events_match_their_schema(trace):
    from kit.events import from_json, to_json

    result = replay(trace, keep_outputs=True)
    for event in result.outputs:
        doc = to_json(event)
        EVENT_VALIDATOR.validate(doc)
        assert from_json(doc) == event
