"""kit.strategies as a public API: what each strategy guarantees, checked."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st

from kit import strategies as ks
from kit.replay import replay
from kit.rules import RULES_BY_ID
from kit.script import Reasoning, Script, Text, Tool
from kit.trace import corpus, from_json

APIS = ["openai.chat.completions", "openai.responses", "anthropic.messages", "google.generate_content"]


def fast(n: int = 20) -> settings:
    return settings(max_examples=n, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def _strict_errors(trace) -> set[str]:
    return {d.rule for d in replay(trace, chunking="whole", profile="strict").errors}


@pytest.mark.parametrize("dialect", ["strict", "provider", None])
@pytest.mark.parametrize("api", APIS)
@fast()
@given(data=st.data())
def test_generated_y_traces_replay_clean_and_their_plan_is_chunk_invariant(api, dialect, data):
    trace = data.draw(ks.traces(api=api, dialect=dialect, classes="y"), label="trace")
    plans = data.draw(st.lists(ks.chunk_plans(), min_size=1, max_size=2), label="chunkings")
    assert trace.cls == "y" and trace.id.startswith("y_generated_") and trace.api == api
    base = replay(trace, chunking="whole")
    assert not base.errors, [str(d) for d in base.errors]
    for plan in plans:
        assert replay(trace, chunking=plan).plan == base.plan
    # strict profile: only the departures the trace says it exercises; none in the strict dialect
    assert _strict_errors(trace) <= set(trace.rules)
    prov = trace.provenance
    assert prov["kind"] == "synthetic" and prov["generator"] == "kit.strategies.traces"
    assert prov["rules"] == trace.rules and prov["fault"] is None
    if dialect is not None:
        assert prov["dialect"] == dialect or (dialect == "provider" and prov["dialect"] == "strict")
    if prov["dialect"] == "strict":
        assert not _strict_errors(trace)
    assert all(r in RULES_BY_ID for r in trace.rules)
    again = from_json(json.loads(json.dumps(trace.to_json())))  # schema-valid, round-trips
    assert again.body == trace.body and again.rules == trace.rules and again.cls == "y"


@pytest.mark.parametrize("api", APIS)
@fast()
@given(data=st.data())
def test_generated_n_traces_are_reported_broken_with_their_fault_rule_first(api, data):
    trace = data.draw(ks.traces(api=api, classes="n"), label="trace")
    plan = data.draw(ks.chunk_plans(), label="chunking")
    assert trace.cls == "n" and trace.provenance["fault"] in ("error", "invalid-arguments", "truncated")
    base = replay(trace, chunking="whole")
    assert trace.rules[0] in {d.rule for d in base.errors}
    assert replay(trace, chunking=plan).plan == base.plan
    from_json(trace.to_json())


@pytest.mark.parametrize("api", APIS)
@pytest.mark.parametrize("fault", ["error", "invalid-arguments", "truncated"])
def test_every_fault_kind_is_generated_for_every_api(api, fault):
    """Each (API, fault) can be drawn: searched for (hypothesis.find), so the check does not
    depend on which examples one hypothesis version happens to draw first."""
    found = find(ks.traces(api=api, classes="n"), lambda t: t.provenance["fault"] == fault,
                 settings=settings(max_examples=2000, deadline=None, database=None,
                                   suppress_health_check=list(HealthCheck)))
    assert found.api == api and found.cls == "n"


@fast(30)
@given(ks.scripts())
def test_scripts_without_an_api_are_portable(script):
    assert all(isinstance(x, (Text, Tool)) for x in script.steps)
    assert script.finish is None and script.usage is None and script.error is None


SCRIPT_FEATURES = {
    "reasoning": lambda s: any(isinstance(x, Reasoning) for x in s.steps),
    "usage": lambda s: s.usage is not None,
    "length": lambda s: s.finish == "length",
    "content_filter": lambda s: s.finish == "content_filter",
    "error": lambda s: s.error is not None,
    "invalid-arguments": lambda s: ks.script_fault(s) == "invalid-arguments",
    "parallel": lambda s: any(isinstance(a, Tool) and isinstance(b, Tool) for a, b in zip(s.steps, s.steps[1:])),
}


@pytest.mark.parametrize("feature", sorted(SCRIPT_FEATURES))
def test_scripts_with_an_api_say_more(feature):
    """Each feature can be drawn (searched for, whatever order a hypothesis version draws in)."""
    find(ks.scripts(api="chat", faults=True), SCRIPT_FEATURES[feature],
         settings=settings(max_examples=2000, deadline=None, database=None, suppress_health_check=list(HealthCheck)))


def test_script_extensions_render_in_every_api():
    script = Script([Text("a"), Reasoning("thinking"), Text("b"), Tool("noop", '{"x": 1}', "call_1")])
    for api in APIS:
        trace = ks.make_trace(api, script, _default(api))
        (choice,) = replay(trace).plan["choices"]
        assert [c["type"] for c in choice["commands"]][-1] == "DO"
        assert "thinking" not in json.dumps(choice["commands"])  # reasoning never in a SAY
    broken = Script([Text("a")], error={"type": "server_error", "message": "boom"})
    for api in APIS:
        trace = ks.make_trace(api, broken, _default(api))
        assert trace.cls == "n" and trace.rules[0] in {d.rule for d in replay(trace).errors}
        assert replay(trace).plan["choices"][0]["finish_reason"] == "error"
    cut = Script([Text("hello")], finish="length")
    for api in APIS:
        assert replay(ks.make_trace(api, cut, _default(api))).plan["choices"][0]["finish_reason"] == "length"


def _default(api):
    from kit.script import AnthropicDialect, ChatDialect, GeminiDialect, ResponsesDialect

    return {"openai.chat.completions": ChatDialect(), "openai.responses": ResponsesDialect(),
            "anthropic.messages": AnthropicDialect(), "google.generate_content": GeminiDialect()}[api]


def _check_mutation(trace, mutated, plan):
    last = mutated.provenance["mutations"][-1]
    label, effect = last["mutation"], last["effect"]
    assert ks.MUTATIONS[label][1] == effect
    assert mutated.provenance["mutated_from"] == trace.id
    base = replay(trace, chunking="whole")
    whole = replay(mutated, chunking="whole")
    assert replay(mutated, chunking=plan).plan == whole.plan, label  # still chunk-invariant
    if effect == "plan":
        assert whole.plan == base.plan, label
        assert mutated.cls == trace.cls
        assert bool(whole.errors) == (trace.cls == "n"), (label, [str(d) for d in whole.errors])
    else:
        assert label == "truncate" and trace.cls == "y" and mutated.cls == "n"
        assert mutated.rules[0] in {d.rule for d in whole.errors}
    from_json(json.loads(json.dumps(mutated.to_json())))
    return label


@fast(60)
@given(data=st.data())
def test_mutations_of_generated_traces_keep_their_claimed_invariant(data):
    trace = data.draw(ks.traces(), label="trace")
    mutated = data.draw(ks.mutations(trace), label="mutated")
    _check_mutation(trace, mutated, data.draw(ks.chunk_plans(), label="chunking"))


GRADED = [t for t in corpus() if t.cls in "yn"]


@fast(40)
@given(data=st.data())
def test_mutations_of_corpus_traces_keep_their_claimed_invariant(data):
    trace = data.draw(st.sampled_from(GRADED), label="trace")
    mutated = data.draw(ks.mutations(trace), label="mutated")
    _check_mutation(trace, mutated, data.draw(ks.chunk_plans(), label="chunking"))


@pytest.mark.parametrize("api", ["openai.chat.completions", "google.generate_content"])
@pytest.mark.parametrize("label", sorted(ks.MUTATIONS))
def test_each_mutation_on_its_own(label, api):
    from kit.script import GeminiDialect

    script = Script([Text("Sure! "), Tool("get_weather", '{"location":"Berlin"}', "call_1"),
                     Tool("search", '{"q":"x"}', "call_2")])
    # Gemini's contract has no [DONE]: a proxy's sentinel gives drop-done something to drop
    dialect = GeminiDialect(done=True) if api == "google.generate_content" else _default(api)
    trace = ks.make_trace(api, script, dialect)

    @settings(max_examples=5, deadline=None, derandomize=True, database=None)
    @given(ks.mutations(trace, only=[label]), ks.chunk_plans())
    def check(mutated, plan):
        assert _check_mutation(trace, mutated, plan) == label
        assert mutated.body != trace.body or label == "recut"

    check()


def test_mutations_refuse_unknown_labels():
    with pytest.raises(ValueError, match="unknown mutation"):
        ks.mutations(GRADED[0], only=["shuffle"])


def test_chunk_plans_are_valid():
    from kit.trace import parse_chunking

    @settings(max_examples=30, deadline=None, derandomize=True, database=None)
    @given(ks.chunk_plans())
    def check(plan):
        assert parse_chunking(plan) == plan

    check()


def test_kit_ci_profile_is_registered_and_loadable():
    ks.register_profiles()
    ks.register_profiles()  # idempotent
    profile = settings.get_profile("kit-ci")
    assert profile.derandomize is True
    assert profile.max_examples == 50
    assert profile.deadline is None
    assert HealthCheck.too_slow in profile.suppress_health_check
    assert profile.print_blob is True
    runs = []

    @settings(profile)
    @given(st.integers())
    def use(n):
        runs.append(n)

    use()
    assert 0 < len(runs) <= 50


def test_the_kit_modules_a_user_imports_do_not_import_hypothesis():
    code = ("import sys, kit, kit.cli, kit.properties, kit.promote, kit.verify.engine; "
            "bad = [m for m in ('hypothesis', 'kit.strategies') if m in sys.modules]; "
            "print(bad); sys.exit(1 if bad else 0)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_old_names_still_work():
    for name in ("texts", "scripts", "chat_dialects", "chat_streams", "responses_dialects", "responses_streams",
                 "anthropic_dialects", "anthropic_streams", "gemini_dialects", "gemini_streams", "streams",
                 "chunk_plans"):
        assert name in ks.__all__ and callable(getattr(ks, name)) or name == "texts"
    assert isinstance(ks.texts, st.SearchStrategy)


# -- Gemini: what render_gemini sends, part by part ------------------------------------------------


def _gemini_chunks(body: bytes) -> list[dict]:
    assert b"\r\n\r\n" in body and b"[DONE]" not in body  # the contract: CRLF framing, no sentinel
    return [json.loads(line[6:]) for line in body.decode().split("\r\n") if line.startswith("data: ")]


def _calls(chunks: list[dict]) -> list[dict]:
    return [p["functionCall"] for c in chunks for p in c["candidates"][0]["content"]["parts"] if "functionCall" in p]


def test_json_paths_are_rfc_9535():
    from kit.script import json_path

    assert json_path(["location"]) == "$.location"
    assert json_path(["a b", 0, "é", "_x1"]) == "$['a b'][0].é._x1"
    assert json_path(["1a", "it's", "tab\there", "\x1f"]) == "$['1a']['it\\'s']['tab\\there']['\\u001f']"
    assert json_path(["location", 2], bracket=True) == "$['location'][2]"


def test_gemini_streamed_call_opens_continues_and_closes():
    from kit.script import GeminiDialect, render_gemini

    script = Script([Tool("get_weather", '{"location": "Paris", "days": 3, "metric": true}', "fc_1")])
    body = render_gemini(script, GeminiDialect(streamed_args=True, args_split=3))
    chunks = _gemini_chunks(body)
    assert _calls(chunks) == [
        {"name": "get_weather", "id": "fc_1", "willContinue": True},
        {"partialArgs": [{"jsonPath": "$.location", "stringValue": "Par", "willContinue": True}], "willContinue": True},
        {"partialArgs": [{"jsonPath": "$.location", "stringValue": "is"}], "willContinue": True},
        {"partialArgs": [{"jsonPath": "$.days", "numberValue": 3}], "willContinue": True},
        {"partialArgs": [{"jsonPath": "$.metric", "boolValue": True}], "willContinue": True},
        {},
    ]
    assert chunks[-1]["candidates"][0]["finishReason"] == "STOP" and "usageMetadata" in chunks[-1]
    points = ks.truncation_points("gemini", body)  # after each event before the one with the finish
    assert len(points) == len(chunks) - 1 and body[:points[-1]].endswith(b"\r\n\r\n")
    cut = ks.make_trace("gemini", script, GeminiDialect(streamed_args=True, args_split=3), truncate_at=points[-1])
    (choice,) = replay(cut).plan["choices"]
    assert cut.rules[0] == "gem-truncated" and choice["finish_reason"] is None
    assert choice["commands"][0]["dispatched"] is False  # still open when the stream ended
    whole = ks.make_trace("gemini", script, GeminiDialect())
    streamed = ks.make_trace("gemini", script, GeminiDialect(streamed_args=True, args_split=3))
    assert replay(streamed).plan == replay(whole).plan
    (do,) = replay(streamed).plan["choices"][0]["commands"]
    assert do["arguments"] == '{"location":"Paris","days":3,"metric":true}' and do["call_id"] == "fc_1"
    assert "gem-partial-args" in streamed.rules and "gem-partial-args" not in whole.rules


def test_gemini_closing_forms_and_an_unclosed_call():
    from kit.script import GeminiDialect, render_gemini

    script = Script([Text("ok"), Tool("search", '{"q": "x"}', "fc_1")])
    last = _calls(_gemini_chunks(render_gemini(script, GeminiDialect(streamed_args=True, close_in_last=True))))
    assert last[-1] == {"partialArgs": [{"jsonPath": "$.q", "stringValue": "x"}]}  # no willContinue: closed
    opened = _calls(_gemini_chunks(render_gemini(script, GeminiDialect(streamed_args=True, open_with_args=True,
                                                                         unclosed=True))))
    assert opened == [{"name": "search", "id": "fc_1", "willContinue": True,
                       "partialArgs": [{"jsonPath": "$.q", "stringValue": "x"}]}]
    dialect = GeminiDialect(streamed_args=True, unclosed=True)
    trace = ks.make_trace("gemini", script, dialect)
    assert "gem-call-unclosed" in trace.rules and not ks.is_strict("gemini", dialect)
    assert trace.provenance["dialect"] == "provider"
    result = replay(trace)
    assert "gem-call-unclosed" in {d.rule for d in result.diagnostics}
    assert [c["type"] for c in result.plan["choices"][0]["commands"]] == ["SAY", "DO"]


def test_gemini_parallel_calls_share_a_chunk_and_stay_apart():
    from kit.script import GeminiDialect, render_gemini

    script = Script([Tool("a", '{"x": 1}', "c1"), Tool("b", "", "c2"), Tool("c", '{"y": [1, 2]}', "c3")])
    dialect = GeminiDialect(calls="together", ids=False)
    chunks = _gemini_chunks(render_gemini(script, dialect))
    assert len(chunks) == 1 and len(chunks[0]["candidates"][0]["content"]["parts"]) == 3
    assert _calls(chunks)[1] == {"name": "b"}  # no args: a no-argument call (gem-args-missing)
    trace = ks.make_trace("gemini", script, dialect)
    assert {"gem-call-whole", "gem-call-id", "gem-args-missing"} <= set(trace.rules)
    commands = replay(trace).plan["choices"][0]["commands"]
    assert [(c["action"], c["call_id"], c["arguments"]) for c in commands] == [
        ("a", None, '{"x":1}'), ("b", None, "{}"), ("c", None, '{"y":[1,2]}')]


def test_gemini_arguments_with_an_empty_container_are_sent_whole():
    """partialArgs has no value for an empty object or list: such a call goes whole."""
    from kit.script import GeminiDialect, gemini_streamed, render_gemini

    tool = Tool("f", '{"a": [], "b": 1}', "c1")
    dialect = GeminiDialect(streamed_args=True)
    assert not gemini_streamed(tool, dialect)
    assert _calls(_gemini_chunks(render_gemini(Script([tool]), dialect))) == [
        {"name": "f", "id": "c1", "args": {"a": [], "b": 1}}]
    assert "gem-partial-args" not in ks.make_trace("gemini", Script([tool]), dialect).rules


def test_gemini_finish_usage_and_errors():
    from kit.script import GeminiDialect, Reasoning, render_gemini

    script = Script([Reasoning("hmm"), Text("hi")], usage=(5, 20))
    chunks = _gemini_chunks(render_gemini(script, GeminiDialect(finish="own_chunk", usage="trailing",
                                                                signature="empty_text")))
    assert chunks[0]["candidates"][0]["content"]["parts"] == [{"text": "hmm", "thought": True}]
    assert chunks[-2]["candidates"][0]["finishReason"] == "STOP" and "usageMetadata" not in chunks[-2]
    assert chunks[-1] == {"usageMetadata": {"promptTokenCount": 5, "candidatesTokenCount": 17, "totalTokenCount": 25,
                                            "thoughtsTokenCount": 3}, "modelVersion": "gemini-test",
                          "responseId": "script-response"}
    plan = replay(ks.make_trace("gemini", script, GeminiDialect(finish="own_chunk", usage="trailing"))).plan
    assert plan["usage"] == {"input_tokens": 5, "output_tokens": 20}
    assert plan["choices"][0]["commands"] == [{"type": "SAY", "text": "hi"}]
    for finish, reason in (("length", "MAX_TOKENS"), ("content_filter", "SAFETY")):
        cut = Script([Text("hello")], finish=finish)
        assert _gemini_chunks(render_gemini(cut))[-1]["candidates"][0]["finishReason"] == reason
        assert replay(ks.make_trace("gemini", cut, GeminiDialect())).plan["choices"][0]["finish_reason"] == finish
    failed = ks.make_trace("gemini", Script([Text("a")], error={"type": "rate_limit_exceeded", "message": "slow"}),
                           GeminiDialect())
    assert json.loads(failed.body.decode().split("\r\n")[-3][6:]) == {
        "error": {"code": 429, "message": "slow", "status": "RESOURCE_EXHAUSTED"}}
    assert replay(failed).plan["error"]["type"] == "RESOURCE_EXHAUSTED"
