"""The corpus judged: every deliberately broken accumulator must be caught by some trace.

A kit that judges other code must itself be judged (Bowtie's fake implementations,
array-api-tests' meta-tests). ``kit/adapters/mutants`` holds stream handlers for each of the
three wire APIs that each reproduce one documented bug (``research/quirks.md``, or a rule
of ``conformance.md``) on top of a naive base that is correct on the corpus: ``m*`` for
Chat Completions, ``r*`` for Responses, ``a*`` for Anthropic Messages. Here each one is
run, like an implementation under test, over every graded trace of its API (``y`` and
``n``; ``i`` cases are not graded) cut by several chunk plans, and its plan is compared
with the reference's.

- A case *kills* a mutant when the naive base gives the reference plan there and the
  mutant does not (a different plan, or an exception). Requiring the base to agree makes
  sure a mutant is caught for its own bug, not for some unrelated weakness of the base.
- Every mutant must be killed; a survivor means the corpus lacks the behaviour named in
  the mutant's ``NEEDS``.
- The base must agree with the reference on every graded case. It is a second,
  independent reading of the Plan conventions, so a disagreement is a bug in one of them.

The streaming mutants (``s*``) are incremental handlers whose final plan is right where
their bug shows: only ``kit verify``'s streaming checks (a call dispatched early, twice or
late, text held back) catch them, so they are graded with ``kit.verify.engine`` and must
get the verdict they declare (``EXPECTED``); the unbroken incremental base they break
must PASS everywhere.

``python -m tests.test_mutants`` prints the first killing case of every mutant.
"""

from __future__ import annotations

import ast
import functools
import inspect
import sys
from typing import Any, Callable

import pytest

from kit.replay import replay
from kit.trace import Trace, corpus
from kit.adapters import mutants

CHUNKINGS = ("recorded", "event", "bytewise", "random:1")
# Per API, simple traces that the base must get right under every chunk plan, whatever else changes.
SIMPLE_TRACES: dict[str, tuple[str, ...]] = {
    "openai.chat.completions": ("y_text_only", "y_text_then_tool_call", "y_parallel_calls"),
    "openai.responses": ("y_text_only", "y_text_then_function_call", "y_parallel_function_calls"),
    "anthropic.messages": ("y_text_only", "y_text_then_tool_use", "y_parallel_tool_use"),
    "google.generate_content": ("y_text_only", "y_text_then_call", "y_parallel_calls_one_chunk"),
}
APIS = tuple(mutants.APIS)
BASE_CLASSES = {"openai.chat.completions": "NaiveChat", "openai.responses": "NaiveResponses",
                "anthropic.messages": "NaiveAnthropic", "google.generate_content": "NaiveGemini"}

MUTANTS: list[tuple[str, str]] = [(api, name) for api in APIS for name in mutants.mutant_names(api)]

# Mutants the corpus does not kill yet, each with the trace that would. Marked strict xfail:
# the day the trace lands, the XPASS fails the run and the entry must be removed.
KNOWN_SURVIVORS: dict[str, str] = {
    "m52_reads_past_done": "only i_usage_chunk_after_done (not graded) has a chunk after [DONE] that changes the "
                           "Plan: reading it (the usage is the response's own) is implementation-defined",
    "a21_events_after_stop_applied": "only i_events_after_message_stop (not graded) has events after message_stop: "
                                     "no server is known to send them, reading on is implementation-defined",
    "a19_message_stop_required": "only i_message_stop_missing (not graded) ends after its stop reason without "
                                 "message_stop: accepting or reporting such a stream is implementation-defined",
    "g17_unclosed_call_dropped": "only i_streamed_call_open_at_stop (not graded) finishes STOP with a streamed call "
                                 "open: running it is implementation-defined",
    "g21_after_error_applied": "only i_payload_after_error (not graded) has a payload after the error payload: "
                               "using it is implementation-defined",
    "g25_after_finish_dropped": "only i_content_after_finish (not graded) has content after a finishReason: "
                                "keeping it is implementation-defined",
}


def _mutant_params() -> list[Any]:
    return [pytest.param(api, name, id=name,
                         marks=pytest.mark.xfail(strict=True, reason=KNOWN_SURVIVORS[name]))
            if name in KNOWN_SURVIVORS else pytest.param(api, name, id=name) for api, name in MUTANTS]


def _base(api: str) -> Callable[..., dict]:
    return mutants.base(api).accumulate


@functools.lru_cache(maxsize=None)
def graded_traces(api: str) -> tuple[Trace, ...]:
    return tuple(t for t in corpus(api=api) if t.cls in ("y", "n"))


@functools.lru_cache(maxsize=None)
def case(api: str, trace_id: str, chunking: str) -> tuple[tuple[bytes, ...], dict[str, Any]]:
    """The reads of one (trace, chunk plan) case and the reference plan for them."""
    trace = next(t for t in graded_traces(api) if t.id == trace_id)
    return tuple(trace.chunks(chunking)), replay(trace, chunking=chunking).plan


def cases(api: str) -> list[tuple[str, str]]:
    return [(t.id, chunking) for t in graded_traces(api) for chunking in CHUNKINGS]


def outcome(accumulate: Callable[..., dict], reads: tuple[bytes, ...]) -> Any:
    """The implementation's plan, or the exception it raised (a caught mutant)."""
    try:
        return accumulate(iter(reads))
    except Exception as exc:  # noqa: BLE001 - any crash is an outcome
        return exc


@functools.lru_cache(maxsize=None)
def base_agrees(api: str, trace_id: str, chunking: str) -> bool:
    reads, expected = case(api, trace_id, chunking)
    return outcome(_base(api), reads) == expected


def first_kill(api: str, name: str) -> tuple[str, str, str] | None:
    """The first case that kills mutant ``name``: (trace, chunk plan, how), or None."""
    accumulate = mutants.load(name).accumulate
    for trace_id, chunking in cases(api):
        reads, expected = case(api, trace_id, chunking)
        got = outcome(accumulate, reads)
        if got == expected or not base_agrees(api, trace_id, chunking):
            continue
        how = f"raised {type(got).__name__}" if isinstance(got, Exception) else "wrong plan"
        return trace_id, chunking, how
    return None


def _diff(expected: dict, got: Any) -> str:
    if isinstance(got, Exception):
        return f"raised {type(got).__name__}: {got}"
    from kit.plan import canonical_json  # noqa: PLC0415

    return f"expected {canonical_json(expected)}\n     got {canonical_json(got)}"


# -- the corpus is there -------------------------------------------------------------------


@pytest.mark.parametrize("api", APIS)
def test_graded_corpus_is_present(api: str) -> None:
    ids = {t.id for t in graded_traces(api)}
    assert ids, f"no graded ({api}) traces in the bundled corpus: the mutants cannot be judged"
    missing = [t for t in SIMPLE_TRACES[api] if t not in ids]
    assert not missing, f"the simple {api} traces {missing} are not in the bundled corpus (renamed?)"


# -- the bases ------------------------------------------------------------------------------


@pytest.mark.parametrize("api,trace_id", [(api, t) for api in APIS for t in SIMPLE_TRACES[api]])
def test_naive_base_gets_simple_traces_right(api: str, trace_id: str) -> None:
    """The base is a correct accumulator for the simple cases, under every chunk plan."""
    for chunking in CHUNKINGS:
        reads, expected = case(api, trace_id, chunking)
        got = outcome(_base(api), reads)
        assert got == expected, f"naive {api} base on {trace_id} ({chunking}):\n{_diff(expected, got)}"


@pytest.mark.parametrize("api", APIS)
def test_naive_base_agrees_with_reference_on_graded_corpus(api: str) -> None:
    """Two independent readings of the Plan conventions give the same plans.

    A failure is a bug in the base (kit/adapters/mutants/_naive*.py) or in the reference: the
    mutants are only credited with kills where the two agree.
    """
    wrong = []
    for trace_id, chunking in cases(api):
        if not base_agrees(api, trace_id, chunking):
            reads, expected = case(api, trace_id, chunking)
            wrong.append(f"{trace_id} ({chunking}):\n{_diff(expected, outcome(_base(api), reads))}")
    assert not wrong, f"the naive {api} base and the reference disagree on:\n" + "\n".join(wrong)


def test_bases_are_self_contained() -> None:
    """The bases are user code too: nothing from the kit."""
    for module in {mutants.base(api) for api in APIS}:
        _assert_no_kit_imports(module.__name__, inspect.getsource(module))


# -- the mutants --------------------------------------------------------------------------


def _assert_no_kit_imports(name: str, source: str) -> None:
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            assert not node.module.split(".")[0] == "kit", f"{name} imports {node.module}"
        if isinstance(node, ast.Import):
            assert all(a.name.split(".")[0] != "kit" for a in node.names), f"{name} imports the kit"


@pytest.mark.parametrize("api", APIS)
def test_there_are_mutants(api: str) -> None:
    names = mutants.mutant_names(api)
    assert len(names) >= 10, (api, names)
    assert set(KNOWN_SURVIVORS) <= {n for _, n in MUTANTS}, "KNOWN_SURVIVORS names a mutant that does not exist"


@pytest.mark.parametrize("api,name", [pytest.param(api, name, id=name) for api, name in MUTANTS])
def test_mutant_is_self_contained(api: str, name: str) -> None:
    """Mutants are naive user code: no kit imports, a quirk cited, one `accumulate` function."""
    module = mutants.load(name)
    _assert_no_kit_imports(name, inspect.getsource(module))
    assert module.__doc__ and module.QUIRK.split("/")[0] in module.__doc__, f"{name}: cite the quirk in the docstring"
    assert module.NEEDS, f"{name}: say which corpus behaviour kills it"
    assert callable(module.accumulate) and list(inspect.signature(module.accumulate).parameters) == ["reads"]
    if hasattr(module, "Mutant"):
        base_class = getattr(mutants.base(api), BASE_CLASSES[api])
        assert issubclass(module.Mutant, base_class), f"{name} must break the {api} base ({base_class.__name__})"



# -- the mutants as adapters (``kit verify``'s mutation score) ----------------------------


def test_specs_name_every_mutant() -> None:
    everything = mutants.specs()
    per_api = [s for api in APIS for s in mutants.specs(api)]
    assert sorted(everything) == sorted(set(per_api)), "specs() and specs(api) disagree"
    names = [n for _, n in MUTANTS] + mutants.streaming_names()
    assert everything == [mutants.spec(n) for n in names]
    assert mutants.spec("m08_dispatch_on_index_switch") == (
        "py[name=mutant:m08_dispatch_on_index_switch]:kit.adapters.mutants.m08_dispatch_on_index_switch:accumulate")


@pytest.mark.parametrize("api,name", [pytest.param(api, name, id=name) for api, name in MUTANTS])
def test_mutant_loads_as_an_adapter(api: str, name: str) -> None:
    """``load_adapter`` accepts the spec and reads the declared API from the plain ``__kit__`` dict."""
    from kit.adapters import load_adapter, parse_spec  # noqa: PLC0415

    spec = mutants.spec(name)
    kind, options, target = parse_spec(spec)
    assert (kind, options, target) == ("py", {"name": f"mutant:{name}"},
                                       f"kit.adapters.mutants.{name}:accumulate")
    assert mutants.load(name).accumulate.__kit__ == {"apis": [api]}  # a plain dict: no kit import
    adapter = load_adapter(spec)
    assert adapter.name == f"mutant:{name}"
    assert adapter.capabilities.apis == (api,)
    assert adapter.capabilities.feed == "bytes" and not adapter.capabilities.incremental
    assert adapter.capabilities.multi_choice
    assert adapter.skip_reason(api) is None
    assert all(adapter.skip_reason(other) for other in APIS if other != api)


@pytest.mark.parametrize("api", APIS)
def test_bases_load_as_adapters(api: str) -> None:
    from kit.adapters import load_adapter  # noqa: PLC0415

    adapter = load_adapter(f"py:{mutants.base(api).__name__}:accumulate")
    assert adapter.capabilities.apis == (api,) and not adapter.capabilities.incremental

@pytest.mark.parametrize("api,name", _mutant_params())
def test_mutant_is_killed(api: str, name: str) -> None:
    """Some graded (trace, chunk plan) case tells the mutant apart from the reference."""
    module = mutants.load(name)
    kill = first_kill(api, name)
    assert kill is not None, (
        f"{api} mutant {name} ({module.QUIRK}: {module.__doc__.splitlines()[0]}) survives all "
        f"{len(cases(api))} graded cases ({len(graded_traces(api))} traces x {', '.join(CHUNKINGS)}): "
        f"the corpus lacks {module.NEEDS}"
    )



# -- streaming mutants: the plan is right, only the streaming checks catch them -------------

STREAMING: list[tuple[str, str]] = [(mutants.apis_of(n)[0], n) for n in mutants.streaming_names()]
STREAMING_CLASSES = {"openai.chat.completions": "StreamingChat", "openai.responses": "StreamingResponses",
                     "anthropic.messages": "StreamingAnthropic", "google.generate_content": "StreamingGemini"}
VERIFY_CHUNKING = "event"  # one SSE event per read: every lag shows


def _streaming_params() -> list[Any]:
    return [pytest.param(api, name, id=name) for api, name in STREAMING]


def run_streaming(accumulate: Callable[..., Any], api: str, reads: tuple[bytes, ...]) -> tuple[Any, list[dict]]:
    """``(plan, events)`` of an incremental implementation."""
    events: list[dict] = []
    return accumulate(iter(reads), events.append, api=api), events


def _verify_engine() -> Any:
    try:
        from kit.verify import engine  # noqa: PLC0415
    except ImportError:
        engine = None
    if engine is None or not hasattr(engine, "verify_case"):
        pytest.skip("kit.verify not landed")
    return engine


def _trace(api: str, trace_id: str) -> Trace:
    return next(t for t in graded_traces(api) if t.id == trace_id)


def test_there_are_streaming_mutants() -> None:
    names = mutants.streaming_names()
    assert len(names) >= 6, names
    assert {api for api, _ in STREAMING} == set(APIS)


def test_streaming_base_is_self_contained() -> None:
    from kit.adapters.mutants import _streaming  # noqa: PLC0415

    _assert_no_kit_imports(_streaming.__name__, inspect.getsource(_streaming))


@pytest.mark.parametrize("api", APIS)
def test_streaming_base_reports_its_plan(api: str) -> None:
    """The incremental base returns the naive base's plan and its events build that same plan."""
    from kit.adapters.mutants import _streaming  # noqa: PLC0415
    from kit.events import from_json  # noqa: PLC0415
    from kit.plan import build_plan  # noqa: PLC0415

    wrong = []
    for trace_id, chunking in cases(api):
        reads, _ = case(api, trace_id, chunking)
        plan, events = run_streaming(_streaming.accumulate, api, reads)
        built = build_plan(api, [from_json(e) for e in events])
        if not (plan == built == outcome(_base(api), reads)):
            wrong.append(f"{trace_id} ({chunking})")
    assert not wrong, f"the incremental {api} base disagrees with itself or the naive base on: {wrong}"


@pytest.mark.parametrize("api", APIS)
def test_streaming_base_passes_verify(api: str) -> None:
    """The control: the unbroken incremental base streams on time (PASS, no notes)."""
    engine = _verify_engine()
    from kit.adapters import load_adapter  # noqa: PLC0415

    adapter = load_adapter("py[name=mutant:_streaming]:kit.adapters.mutants._streaming:accumulate")
    assert adapter.capabilities.incremental and adapter.capabilities.apis == tuple(mutants.APIS)
    bad = []
    for trace in graded_traces(api):
        for chunking in ("recorded", VERIFY_CHUNKING):
            r = engine.verify_case(adapter, trace, chunking)
            if r["verdict"] != "PASS" or r["notes"]:
                bad.append(f"{trace.id} ({chunking}): {r['verdict']} {r['message']} {r['notes']}")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("api,name", _streaming_params())
def test_streaming_mutant_is_self_contained(api: str, name: str) -> None:
    """Kit-free, a quirk or rule cited, ``accumulate(reads, sink, *, api)`` declared incremental."""
    from kit.adapters import load_adapter  # noqa: PLC0415
    from kit.adapters.mutants import _streaming  # noqa: PLC0415

    module = mutants.load(name)
    _assert_no_kit_imports(name, inspect.getsource(module))
    assert module.__doc__ and module.QUIRK.split("/")[0] in module.__doc__, f"{name}: cite the quirk in the docstring"
    assert module.NEEDS and module.SHOWN_BY and module.EXPECTED in ("NONSTRICT", "FAIL")
    params = inspect.signature(module.accumulate).parameters
    assert list(params) == ["reads", "sink", "api"] and params["api"].kind is inspect.Parameter.KEYWORD_ONLY
    assert module.accumulate.__kit__ == {"apis": [api], "incremental": True}
    assert issubclass(module.Mutant, getattr(_streaming, STREAMING_CLASSES[api]))
    caps = load_adapter(mutants.spec(name)).capabilities
    assert caps.apis == (api,) and caps.incremental and caps.feed == "bytes"


@pytest.mark.parametrize("api,name", _streaming_params())
def test_streaming_mutant_gets_the_plan_right(api: str, name: str) -> None:
    """Where its bug shows, the final plan is the reference's (only the streaming checks can
    catch it), and every event it reports is a valid output event."""
    from kit.events import from_json  # noqa: PLC0415

    module = mutants.load(name)
    for trace_id in module.SHOWN_BY:
        for chunking in CHUNKINGS:
            reads, expected = case(api, trace_id, chunking)
            plan, events = run_streaming(module.accumulate, api, reads)
            assert plan == expected, f"{name} on {trace_id} ({chunking}):\n{_diff(expected, plan)}"
            assert events, f"{name} reported no events on {trace_id} ({chunking})"
            for event in events:
                from_json(event)  # raises ValueError on a malformed event


@pytest.mark.parametrize("api,name", _streaming_params())
def test_streaming_mutant_gets_its_verdict(api: str, name: str) -> None:
    """``kit verify`` catches the streaming bug: the expected verdict on every trace it shows on."""
    engine = _verify_engine()
    from kit.adapters import load_adapter  # noqa: PLC0415

    module = mutants.load(name)
    adapter = load_adapter(mutants.spec(name))
    for trace_id in module.SHOWN_BY:
        r = engine.verify_case(adapter, _trace(api, trace_id), VERIFY_CHUNKING)
        assert r["verdict"] == module.EXPECTED, (
            f"{name} on {trace_id} ({VERIFY_CHUNKING}): {r['verdict']} ({r['rule']}: {r['message']}), "
            f"expected {module.EXPECTED}")
        assert r["check"] == "streaming", r


def first_streaming_kill(api: str, name: str) -> tuple[str, str, str] | None:
    """The first graded case ``kit verify`` does not PASS the streaming mutant on:
    (trace, chunk plan, verdict and rule), or None."""
    from kit.adapters import load_adapter  # noqa: PLC0415
    from kit.verify import engine  # noqa: PLC0415

    adapter = load_adapter(mutants.spec(name))
    for trace_id, chunking in cases(api):
        r = engine.verify_case(adapter, _trace(api, trace_id), chunking)
        if r["verdict"] != "PASS":
            return trace_id, chunking, f"{r['verdict']} {r['rule']}"
    return None

def kill_table(api: str) -> list[tuple[str, str, str]]:
    """(mutant, quirk, first killing case) for every mutant of ``api``."""
    rows = []
    for name in mutants.mutant_names(api):
        kill = first_kill(api, name)
        where = f"{kill[0]} / {kill[1]} ({kill[2]})" if kill else "SURVIVES"
        rows.append((name, mutants.load(name).QUIRK, where))
    return rows


def streaming_kill_table() -> list[tuple[str, str, str]]:
    """(mutant, quirk, first case kit verify does not PASS) for every streaming mutant."""
    try:
        from kit.verify import engine  # noqa: F401, PLC0415
    except ImportError:
        return [(n, mutants.load(n).QUIRK, "kit.verify not landed") for _, n in STREAMING]
    rows = []
    for api, name in STREAMING:
        kill = first_streaming_kill(api, name)
        where = f"{kill[0]} / {kill[1]} ({kill[2]})" if kill else "SURVIVES"
        rows.append((name, mutants.load(name).QUIRK, where))
    return rows


def _print_table(title: str, rows: list[tuple[str, str, str]]) -> int:
    width = max(len(r[0]) for r in rows)
    qwidth = max(len(r[1]) for r in rows)
    print(f"== {title}: {len(rows)} mutants, {sum(r[2] != 'SURVIVES' for r in rows)} killed")
    for name, quirk, where in rows:
        print(f"{name:<{width}}  {quirk:<{qwidth}}  {where}")
    print()
    return sum(r[2] == "SURVIVES" for r in rows)


if __name__ == "__main__":
    survivors = 0
    for api in APIS:
        survivors += _print_table(api, kill_table(api))
    survivors += _print_table("streaming (kit verify, first case not PASS)", streaming_kill_table())
    sys.exit(1 if survivors else 0)


# Mutants whose plans differ from the reference's on the corpus only in what `kit verify` no
# longer grades (conformance.md 8.3), so it lets them pass (with a note). Strict both ways: a
# mutant that the engine catches again must leave this list.
VERIFY_SURVIVORS: dict[str, str] = {
    "mutant:r27_text_from_done_event": "on y_text_done_differs_from_deltas the done text differs from the "
                                       "deltas only in trailing whitespace: a note, not a difference; where it "
                                       "differs in words (i_text_done_missing_tail) which text to keep is "
                                       "implementation-defined",
    "mutant:a20_delta_type_unchecked": "on y_delta_type_mismatch the misplaced text_delta is a lone newline: "
                                       "a whitespace-only SAY, a note; keeping misplaced words apart as text "
                                       "(i_text_delta_on_tool_block) is implementation-defined",
    "mutant:m52_reads_past_done": "a chunk after [DONE] that changes the Plan is shown only by "
                                  "i_usage_chunk_after_done: reading it is implementation-defined",
    "mutant:a21_events_after_stop_applied": "events after message_stop are shown only by i_events_after_message_stop: "
                                            "reading on is implementation-defined",
    "mutant:a19_message_stop_required": "a stream that ends after its stop reason without message_stop is shown "
                                        "only by i_message_stop_missing: accepting it or reporting it as cut is "
                                        "implementation-defined (no server is known to send it)",
    "mutant:g17_unclosed_call_dropped": "a streamed call open at a STOP finish is shown only by "
                                        "i_streamed_call_open_at_stop: running it is implementation-defined",
    "mutant:g21_after_error_applied": "a payload after the error payload is shown only by i_payload_after_error: "
                                      "using it is implementation-defined",
    "mutant:g25_after_finish_dropped": "content after a finishReason is shown only by i_content_after_finish: "
                                       "keeping it is implementation-defined",
}


def test_kit_verify_kills_every_mutant():
    """The mutation score `kit verify --mutants` reports is 100% but for :data:`VERIFY_SURVIVORS`:
    the same engine users run finds every other bundled mutant (FAIL, ERROR, TIMEOUT or
    NONSTRICT on some case), and the reference passes every case it grades."""
    from kit.adapters import load_adapter
    from kit.verify import Run

    adapters = [load_adapter(spec) for spec in mutants.specs()]
    run = Run(adapters, corpus(), ["recorded", "event", "bytewise"], stop_at_first_failure=True)
    caught = {r["adapter"] for r in run.records()
              if r["type"] == "verdict" and r["verdict"] in ("FAIL", "ERROR", "TIMEOUT", "NONSTRICT")}
    survivors = sorted(a.name for a in adapters if a.name not in caught)
    assert len(adapters) >= 15 and survivors == sorted(VERIFY_SURVIVORS), survivors


# -- every rule matters: each rule has a mutant that breaks it and a trace that catches it ----
#
# A mutant declares the rules its bug breaks (``BREAKS``). It *proves* a rule when a graded
# trace that exercises the rule (names it, or every trace for a ``plan-*`` rule) kills it:
# ``mutants.rule_kills``. conformance.md ("Every rule has a mutant") shows the same table.

# Rules that no mutant proves yet: "none yet" in conformance.md. This list only shrinks: a rule
# that gains a proving mutant must leave it (the test below fails until it does), and a rule that
# loses its last one fails the run instead of joining it silently.
UNPROVEN_RULES: frozenset[str] = frozenset({
    # a final event without its blank line, and conflicts: only `i_` traces (not graded) show them
    "sse-final-event-unterminated", "chat-tool-name-conflict",
    "chat-delta-after-finish",
    # the reference completes every item at the terminal event, so a late event changes the Plan only
    # by bringing a new item, which is implementation-defined (i_function_call_after_completed)
    "resp-after-terminal",
    # where the final text differs from the deltas in words, or misplaced deltas carry words, which
    # to keep is implementation-defined (i_text_done_missing_tail, i_text_delta_on_tool_block); their
    # y_ traces differ only in whitespace, not graded (8.3)
    "resp-text-mismatch", "anth-delta-type",
    # a stream without message_stop after its stop reason: accepting it or reporting it as cut is
    # implementation-defined (i_message_stop_missing); no server is known to send it
    "anth-message-stop-missing",
    # events after the stream's documented end: ignoring them or reading on is implementation-defined
    # (i_usage_chunk_after_done, i_events_after_message_stop)
    "chat-after-done", "anth-after-stop",
    # Gemini: payloads after an error payload, content after a finishReason: only i_ traces show them
    # (i_payload_after_error, i_content_after_finish); using them is implementation-defined
    "gem-after-error", "gem-after-finish",
})
# (mutant, rule) declarations no graded trace that exercises the rule proves yet, with the trace
# that would. Strict too: a declaration that becomes proven must leave.
UNPROVEN_BREAKS: dict[tuple[str, str], str] = {
    ("r27_text_from_done_event", "resp-text-mismatch"):
        "a graded trace whose final text differs from the deltas in words (today only an i_ trace)",
    ("a20_delta_type_unchecked", "anth-delta-type"):
        "a graded trace whose misplaced delta would corrupt what the Plan shows (today only an i_ trace)",
    ("m52_reads_past_done", "chat-after-done"):
        "a graded trace where reading past [DONE] changes the Plan (today only an i_ trace)",
    ("a21_events_after_stop_applied", "anth-after-stop"):
        "a graded trace where reading past message_stop changes the Plan (today only an i_ trace)",
    ("a19_message_stop_required", "anth-message-stop-missing"):
        "a graded trace that ends after its stop reason without message_stop (today only an i_ trace)",
    ("g17_unclosed_call_dropped", "gem-call-unclosed"):
        "a graded trace whose streamed call is still open at a STOP finish (today only an i_ trace)",
    ("g21_after_error_applied", "gem-after-error"):
        "a graded trace with a payload after an error payload (today only an i_ trace)",
    ("g25_after_finish_dropped", "gem-after-finish"):
        "a graded trace with content after a finishReason (today only an i_ trace)",
}
ALL_MUTANTS: list[str] = [n for _, n in MUTANTS] + mutants.streaming_names()


@functools.lru_cache(maxsize=None)
def rule_kills(name: str) -> dict[str, list[str]]:
    return mutants.rule_kills(name)


def proving_mutants() -> dict[str, list[str]]:
    """rule id -> the mutants that prove it."""
    out: dict[str, list[str]] = {}
    for name in ALL_MUTANTS:
        for rule_id, traces in rule_kills(name).items():
            if traces:
                out.setdefault(rule_id, []).append(name)
    return out


@pytest.mark.parametrize("name", ALL_MUTANTS)
def test_mutant_declares_the_rules_it_breaks(name: str) -> None:
    from kit.rules import RULES_BY_ID  # noqa: PLC0415

    declared = mutants.breaks(name)
    assert isinstance(mutants.load(name).BREAKS, tuple), f"{name}: BREAKS must be a tuple of rule ids"
    assert len(set(declared)) == len(declared), f"{name}: BREAKS repeats a rule"
    unknown = [r for r in declared if r not in RULES_BY_ID]
    assert not unknown, f"{name}: BREAKS names rules that are not in kit/rules.py: {unknown}"


@pytest.mark.parametrize("name", ALL_MUTANTS)
def test_declared_breaks_are_proven(name: str) -> None:
    """Each rule a mutant says it breaks is shown by a graded trace that exercises the rule."""
    for rule_id, traces in rule_kills(name).items():
        if (name, rule_id) in UNPROVEN_BREAKS:
            assert not traces, f"{name} now proves {rule_id} on {traces}: remove it from UNPROVEN_BREAKS"
            continue
        assert traces, (f"{name} declares it breaks {rule_id}, but no graded trace that exercises "
                        f"{rule_id} catches it (needs {mutants.load(name).NEEDS})")


def test_every_rule_has_a_proving_mutant() -> None:
    """Breaking any rule of the catalogue changes a graded result: a mutant shows it."""
    from kit.rules import RULES, RULES_BY_ID  # noqa: PLC0415

    assert UNPROVEN_RULES <= set(RULES_BY_ID), sorted(UNPROVEN_RULES - set(RULES_BY_ID))
    assert {k[1] for k in UNPROVEN_BREAKS} <= set(RULES_BY_ID)
    proven = proving_mutants()
    lost = [r.id for r in RULES if r.id not in proven and r.id not in UNPROVEN_RULES]
    assert not lost, f"rules with no mutant that breaks them and is caught by a trace that exercises them: {lost}"
    gained = sorted(UNPROVEN_RULES & set(proven))
    assert not gained, f"now proven (by {[proven[r] for r in gained]}): remove {gained} from UNPROVEN_RULES"


def test_rule_kills_needs_the_rule_exercised() -> None:
    """The proof is about the rule: a kill on a trace that does not exercise it does not count."""
    from kit.trace import corpus  # noqa: PLC0415

    chat = [t for t in corpus(api="openai.chat.completions") if t.cls in ("y", "n")]
    # m41 (BOM kept) is killed on the trace that names sse-bom ...
    assert mutants.rule_kills("m41_bom_kept", chat)["sse-bom"] == ["y_bom_before_first_text"]
    # ... and proves nothing once that trace no longer names the rule
    import dataclasses  # noqa: PLC0415

    renamed = [dataclasses.replace(t, rules=[r for r in t.rules if r != "sse-bom"]) for t in chat]
    assert mutants.rule_kills("m41_bom_kept", renamed)["sse-bom"] == []
