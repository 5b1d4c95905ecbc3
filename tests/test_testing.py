"""kit.testing: the fixtures, kit.cases and kit.assert_conforms, as people use them in their own tests."""

from __future__ import annotations

import doctest
import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import kit
from kit.adapters.builtin import reference
import kit.testing as kt
from kit.adapters import Adapter, load_adapter
from kit.adapters.python import PyAdapter
from kit.errors import TraceError, UsageError

pytest_plugins = ["pytester"]

REPO = Path(__file__).resolve().parent.parent
CHAT = "openai.chat.completions"


# -- implementations used below -------------------------------------------------------------


def plan_only(reads, *, api):
    """Correct, not incremental: the reference's Plan."""
    return kit.replay_reads(api, list(reads)).plan


def streaming(reads, sink, *, api):
    """Correct and incremental: the reference fed read by read, its outputs reported at once."""
    return reference(reads, sink, api=api)


def buffered(reads, sink, *, api):
    """Right Plan, but every output event held back until the end of the stream."""
    result = kit.replay_reads(api, list(reads), keep_outputs=True)
    for out in result.outputs:
        sink(out)
    return result.plan


def crashes(reads):
    for _ in reads:
        raise RuntimeError("boom")


def hangs(reads):
    time.sleep(3)


def chat_only(reads, *, api):
    return kit.replay_reads(api, list(reads)).plan


chat_only.__kit__ = {"apis": ["chat"]}


# -- import cost -----------------------------------------------------------------------------


def test_import_kit_testing_is_light():
    heavy = ("kit.reference", "kit.verify", "kit.trace", "kit.adapters", "hypothesis", "syrupy", "jsonschema",
             "openai", "click")
    code = f"import sys, kit.testing; print(','.join(m for m in {heavy!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert out.stdout.strip() == ""


def test_docstring_examples_run():
    result = doctest.testmod(kt, optionflags=doctest.ELLIPSIS, report=False)
    assert result.attempted >= 10
    assert result.failed == 0


# -- the helpers -----------------------------------------------------------------------------


def test_load_trace_by_id_api_id_path_and_trace():
    t = kt.load_trace("y_parallel_interleaved")
    assert t.name == f"{CHAT}/y_parallel_interleaved"
    assert kt.load_trace(f"{CHAT}/y_text_only").name == f"{CHAT}/y_text_only"
    assert kt.load_trace(t) is t
    from_path = kt.load_trace(REPO / "traces" / CHAT / "y_text_only.json")
    assert from_path.body == kt.load_trace(f"{CHAT}/y_text_only").body
    assert kt.load_trace(str(REPO / "traces" / CHAT / "y_text_only.json")).id == "y_text_only"


def test_load_trace_errors():
    with pytest.raises(UsageError, match="several APIs"):
        kt.load_trace("y_text_only")
    with pytest.raises(UsageError, match="no bundled trace"):
        kt.load_trace("y_no_such_trace")
    with pytest.raises(TraceError, match="no such file"):
        kt.load_trace("missing/mine.json")
    with pytest.raises(TypeError):
        kt.load_trace(42)


def test_load_trace_raw_body_relative_to_base(tmp_path):
    body = kt.load_trace(f"{CHAT}/y_text_only").body
    (tmp_path / "y_mine.sse").write_bytes(body)
    t = kt.load_trace("y_mine.sse", base=tmp_path)
    assert (t.api, t.cls, t.body) == (CHAT, "y", body)


def test_chunks_cut_the_body():
    t = kt.load_trace("y_parallel_interleaved")
    assert kt.chunks(t) == t.chunks("recorded")
    assert kt.chunks(t, "bytewise") == [bytes([b]) for b in t.body]
    assert b"".join(kt.chunks("y_parallel_interleaved", "random:3")) == t.body
    with pytest.raises(UsageError, match="unknown chunk plan"):
        kt.chunks(t, "sideways")


def test_events_are_the_parsed_feed():
    evs = kt.events(f"{CHAT}/y_text_only")
    assert evs[-1] == "[DONE]"
    assert all(isinstance(e, dict) for e in evs[:-1])
    texts = "".join(c["delta"].get("content") or "" for e in evs[:-1] for c in e["choices"])
    plan = kt.reference(f"{CHAT}/y_text_only").plan
    assert texts == plan["choices"][0]["commands"][0]["text"]
    # the events feed kit verify gives an events adapter is the same list
    from kit.verify.engine import prepare

    case, _ = prepare(kt.load_trace(f"{CHAT}/y_text_only"), "bytewise")
    assert [e if e == "[DONE]" else json.loads(e) for e in case.events] == evs


def test_events_of_a_trace_with_non_json_data():
    with pytest.raises(ValueError, match="y_data_non_json_keepalive: SSE event 1 .* is not JSON"):
        kt.events(f"{CHAT}/y_data_non_json_keepalive")


def test_reference_outputs_and_plan():
    r = kt.reference("y_parallel_interleaved", "bytewise")
    assert r.chunking == "bytewise"
    assert [o.action for o in r.outputs if o.type == "tool_call.done"] == ["search_flights", "search_hotels"]
    assert r.plan == kit.replay(kt.load_trace("y_parallel_interleaved")).plan


# -- from_callable ---------------------------------------------------------------------------


def test_py_adapter_from_callable():
    a = PyAdapter.from_callable(streaming)
    assert isinstance(a, Adapter)
    assert a.name == f"py:{__name__}:streaming"
    assert a.capabilities.incremental and a.capabilities.feed == "bytes"
    b = PyAdapter.from_callable(chat_only, name="mine", timeout=1.5)
    assert (b.name, b.capabilities.apis, b.timeout) == ("mine", (CHAT,), 1.5)
    with pytest.raises(UsageError, match="not callable"):
        PyAdapter.from_callable(3)


# -- assert_conforms -------------------------------------------------------------------------


@pytest.mark.parametrize("impl", [plan_only, streaming, "reference", f"py:{__name__}:streaming"])
def test_assert_conforms_passes(impl):
    rec = kit.assert_conforms(impl, "y_parallel_interleaved", "bytewise")
    assert rec["verdict"] == "PASS"
    assert rec["chunking"] == "bytewise"


def test_assert_conforms_takes_an_adapter_and_leaves_it_open():
    adapter = load_adapter("reference")
    closed = []
    adapter.close = lambda: closed.append(True)  # type: ignore[method-assign]
    assert kit.assert_conforms(adapter, kt.load_trace("y_parallel_interleaved"))["verdict"] == "PASS"
    assert closed == []


def test_assert_conforms_fail_message_is_the_verdict():
    from kit.adapters.mutants import load

    mutant = load("m08_dispatch_on_index_switch").accumulate
    with pytest.raises(AssertionError) as info:
        kit.assert_conforms(mutant, "y_parallel_interleaved")
    text = str(info.value)
    assert text.startswith("FAIL chat-interleaved-fragments: py:kit.adapters.mutants.m08_dispatch_on_index_switch:")
    assert "on openai.chat.completions/y_parallel_interleaved [recorded]" in text
    assert 'expected: {\n' in text and '"destination": "LIS"' in text
    assert "actual:   {}" in text
    from kit.verify.engine import verify_case
    from kit.verify.format import format_verdict

    rec = verify_case(PyAdapter.from_callable(mutant), kt.load_trace("y_parallel_interleaved"), "recorded")
    assert text == format_verdict(rec)


def test_assert_conforms_error_and_timeout():
    with pytest.raises(AssertionError, match=r"(?s)^ERROR.*crashed on a valid stream: RuntimeError: boom"):
        kit.assert_conforms(crashes, f"{CHAT}/y_text_only")
    start = time.perf_counter()
    with pytest.raises(AssertionError, match=r"(?s)^TIMEOUT.*no result after 0.2 s"):
        kit.assert_conforms(hangs, f"{CHAT}/y_text_only", timeout=0.2)
    assert time.perf_counter() - start < 2


def test_assert_conforms_nonstrict_fails_only_when_strict():
    rec = kit.assert_conforms(buffered, f"{CHAT}/y_text_only", "event")
    assert (rec["verdict"], rec["rule"]) == ("NONSTRICT", "plan-text-streamed")
    with pytest.raises(AssertionError, match=r"(?s)^NONSTRICT plan-text-streamed: .*text buffered"):
        kit.assert_conforms(buffered, f"{CHAT}/y_text_only", "event", strict=True)


def test_assert_conforms_skip_and_info():
    with pytest.raises(pytest.skip.Exception, match="declares the APIs openai.chat.completions, not anthropic"):
        kit.assert_conforms(chat_only, "anthropic.messages/y_text_only")
    info = next(t for t in kit.corpus(api=CHAT) if t.cls == "i")
    assert kit.assert_conforms(plan_only, info)["verdict"] == "INFO"


def test_assert_conforms_usage_errors():
    with pytest.raises(UsageError, match="unknown chunk plan"):
        kit.assert_conforms(plan_only, "y_parallel_interleaved", "sideways")
    with pytest.raises(UsageError, match="expected py:MODULE:ATTR"):
        kit.assert_conforms("nonsense", "y_parallel_interleaved")
    with pytest.raises(UsageError, match="neither a callable"):
        kit.assert_conforms(42, "y_parallel_interleaved")


# -- cases -----------------------------------------------------------------------------------


def _params(mark):
    (argname, values), kwargs = mark.args, mark.kwargs
    return argname, values, kwargs["ids"]


def test_cases_selects_and_names():
    argname, values, ids = _params(kit.cases(api="chat", ids="y_parallel*"))
    assert argname == "trace"
    assert ids == [f"{CHAT}/y_parallel_calls", f"{CHAT}/y_parallel_interleaved"]
    assert [v.name for v in values] == ids
    every = [t for t in kit.corpus() if t.cls == "y"]
    assert _params(kit.cases())[2] == [t.name for t in every]  # default: every y trace
    _, _, n_ids = _params(kit.cases(api=["chat", "anthropic"], cls="n"))
    assert n_ids and all(i.split("/")[1].startswith("n_") for i in n_ids)
    assert {i.split("/")[0] for i in n_ids} == {CHAT, "anthropic.messages"}
    _, _, all_ids = _params(kit.cases(api="responses", cls=None))
    assert {i.split("/")[1][:2] for i in all_ids} == {"y_", "n_", "i_"}


def test_cases_by_rule_and_argname():
    argname, values, _ = _params(kit.cases(rule="chat-interleaved-fragments", argname="t"))
    assert argname == "t"
    assert values and all("chat-interleaved-fragments" in v.rules for v in values)
    _, pattern, _ = _params(kit.cases(rule="chat-interleaved-*"))
    assert {v.name for v in values} <= {v.name for v in pattern}


def test_cases_from_a_folder_beside_the_test_module(tmp_path, monkeypatch):
    body = kt.load_trace(f"{CHAT}/y_text_only").body
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "y_hello.sse").write_bytes(body)
    (tmp_path / "mine" / "n_cut.sse").write_bytes(body[:300])
    monkeypatch.chdir(tmp_path)
    assert _params(kit.cases(traces="mine"))[2] == [f"{CHAT}/y_hello"]
    assert _params(kit.cases(traces=tmp_path / "mine", cls="n"))[2] == [f"{CHAT}/n_cut"]


def test_cases_that_select_nothing_say_so():
    with pytest.raises(UsageError, match=r"kit.cases\(api='chat', cls='y', ids='y_nope\*'\) selects no trace"):
        kit.cases(api="chat", ids="y_nope*")
    with pytest.raises(UsageError, match="no such rule"):
        kit.cases(rule="chat-no-such-rule")
    with pytest.raises(UsageError, match="cls='x'"):
        kit.cases(cls="x")
    with pytest.raises(UsageError, match="unknown API"):
        kit.cases(api="gopher")


# -- in a user's test project (pytester) ------------------------------------------------------


def _run(pytester, *args):
    return pytester.runpytest("-p", "no:cacheprovider", *args)


def test_module_docstring_example_runs(pytester):
    doc = kt.__doc__
    start = doc.index("    import pytest\n")
    end = doc.index("\nEach fixture is a factory")
    pytester.makepyfile(test_example=textwrap.dedent(doc[start:end]))
    result = _run(pytester, "-p", "kit.testing", "-v")
    result.assert_outcomes(passed=5)
    result.stdout.fnmatch_lines(["*test_handle_conforms?bytewise-openai.chat.completions/y_parallel_interleaved? PASSED*"])


USER_TESTS = '''
import pytest

import kit
from kit.adapters.mutants import load

BROKEN = load("m08_dispatch_on_index_switch").accumulate


def handle(reads, sink, *, api):
    decoder, machine = kit.SSEDecoder(), kit.reference_for(api)
    for read in reads:
        for sse in decoder.feed(read):
            for out in machine.feed(sse):
                sink(out)
    for sse in decoder.close():
        for out in machine.feed(sse):
            sink(out)
    for out in machine.close(decoder.stray):
        sink(out)
    return machine.plan()


handle.__kit__ = {"apis": ["chat"]}


@kit.cases(api="chat", ids="y_parallel*")
@pytest.mark.parametrize("chunking", ["recorded", "bytewise"])
def test_mine(trace, chunking):
    kit.assert_conforms(handle, trace, chunking)


@kit.cases(api="anthropic", ids="y_text_only")
def test_mine_skips_other_apis(trace):
    kit.assert_conforms(handle, trace)


@kit.cases(api="chat", ids="y_parallel_interleaved")
def test_broken(trace):
    kit.assert_conforms(BROKEN, trace)


def test_fixtures(kit_trace, kit_chunks, kit_events, kit_reference):
    trace = kit_trace("openai.chat.completions/y_parallel_interleaved")
    assert b"".join(kit_chunks(trace, "bytewise")) == trace.body
    assert kit_events(trace)[-1] == "[DONE]"
    assert kit_reference(trace).plan["choices"][0]["finish_reason"] == "tool_calls"
    mine = kit_trace("bodies/y_mine.sse")  # beside this test file
    assert mine.api == "openai.chat.completions"
    assert kit_chunks(mine) == kit_chunks(trace, "event")
'''


@pytest.fixture
def user_project(pytester):
    pytester.makepyfile(test_user=USER_TESTS)
    (pytester.path / "bodies").mkdir()
    (pytester.path / "bodies" / "y_mine.sse").write_bytes(kt.load_trace(f"{CHAT}/y_parallel_interleaved").body)
    return pytester


def _check_user_outcomes(result):
    result.assert_outcomes(passed=5, failed=1, skipped=1)
    out = result.stdout.str()
    assert "test_mine[recorded-openai.chat.completions/y_parallel_calls] PASSED" in out
    assert "test_mine_skips_other_apis[anthropic.messages/y_text_only] SKIPPED" in out
    result.stdout.fnmatch_lines([
        "*AssertionError: FAIL chat-interleaved-fragments: py:kit.adapters.mutants.m08_dispatch_on_index_switch:"
        "accumulate on openai.chat.completions/y_parallel_interleaved ?recorded?",
        "*  at choices?0?.commands?0?.parameters:",
        "*    expected: {",
        '*      "destination": "LIS",',
        "*    actual:   {}",
        "*  replay: kit replay openai.chat.completions/y_parallel_interleaved --chunking recorded",
    ])
    result.stdout.fnmatch_lines(["SKIPPED *declares the APIs openai.chat.completions, not anthropic.messages*"])
    result.stdout.fnmatch_lines(["FAILED test_user.py::test_broken?openai.chat.completions/y_parallel_interleaved?*"])


def test_user_project_with_the_fixtures_as_a_plugin(user_project):
    _check_user_outcomes(_run(user_project, "-p", "kit.testing", "-v", "-rfs"))


def test_user_project_with_the_fixtures_from_a_conftest(user_project):
    user_project.makeconftest("from kit.testing import kit_trace, kit_chunks, kit_events, kit_reference\n")
    _check_user_outcomes(_run(user_project, "-v", "-rfs"))


def test_user_project_selects_cases_with_k(user_project):
    result = _run(user_project, "-p", "kit.testing", "-k", "y_parallel_interleaved and bytewise")
    result.assert_outcomes(passed=1, deselected=6)


def test_without_the_fixtures_a_test_errors(pytester):
    pytester.makepyfile("def test_x(kit_trace):\n    pass\n")
    result = _run(pytester, "-p", "no:kit")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'kit_trace' not found*"])


def test_readme_section_runs(pytester):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Use the kit in your own tests"):readme.index("## Replaying and linting")]
    code = section[section.index("```python\n") + len("```python\n"):section.index("```\n\nA FAIL")]
    # mypkg.stream:handle is the bot planner of examples/ (chat only, one choice)
    pkg = pytester.mkpydir("mypkg")
    for name in ("planner.py", "kit_adapter.py"):
        (pkg / name).write_text((REPO / "examples" / "bot_planner" / name).read_text(encoding="utf-8"))
    (pkg / "stream.py").write_text("from .kit_adapter import handle\n")
    (pytester.path / "tests").mkdir()
    (pytester.path / "tests" / "test_stream.py").write_text(code)
    pytester.syspathinsert()
    result = _run(pytester, "-p", "kit.testing", "-rs")
    chat_y = [t for t in kit.corpus(api=CHAT) if t.cls == "y"]
    assert any(t.id == "y_two_choices" for t in chat_y)  # one choice declared, still graded: it takes choice 0
    result.assert_outcomes(passed=2 * len(chat_y) + 1)
