"""The pytest plugin, run the way users run it (pytester): options, outcomes, reports, xdist."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytest_plugins = ["pytester"]

CHAT_ONE = ("--kit-api", "chat", "--kit-chunking", "recorded", "-p", "no:cacheprovider")
BROKEN = '''
from kit.adapters import implementation


def crashes(reads, api):
    raise RuntimeError("kaput")


def hangs(reads, api):
    import time
    time.sleep(30)


@implementation(apis=["chat"], multi_choice=False)
def chat_only(reads, api):
    from kit.adapters.builtin import reference_plan
    return reference_plan(reads, api)
'''


@pytest.fixture
def project(pytester):
    pytester.makepyfile(test_user="def test_users_own_test():\n    assert 1 + 1 == 2\n")
    pytester.makepyfile(impls=BROKEN)
    pytester.syspathinsert()
    return pytester


def outcomes(result) -> dict:
    return result.parseoutcomes()


def test_without_an_adapter_nothing_is_added(project):
    r = project.runpytest("-p", "no:cacheprovider")
    assert outcomes(r) == {"passed": 1}
    assert "= toolstream-kit =" not in r.stdout.str() and "adapter(s)" not in r.stdout.str()


def test_reference_passes_every_case(project):
    from kit.trace import corpus

    r = project.runpytest("--kit-adapter", "reference", *CHAT_ONE)
    n = len(corpus(api="openai.chat.completions"))
    assert outcomes(r) == {"passed": n + 1}
    r.stdout.fnmatch_lines(["*toolstream-kit*", "reference*openai.chat.completions*", "PASSED: * cases*"])


def test_mutant_fails_with_rule_expected_actual_and_repro(project):
    spec = "py:kit.adapters.mutants.m08_dispatch_on_index_switch:accumulate"
    r = project.runpytest("--kit-adapter", spec, *CHAT_ONE, "-k", "interleaved")
    assert outcomes(r).get("failed") == 1, r.stdout.str()
    r.stdout.fnmatch_lines([
        f"FAIL chat-interleaved-fragments: {spec} on openai.chat.completions/y_parallel_interleaved [[]recorded[]]",
        "*choices[[]0[]].commands[[]0[]].parameters*",
        "*expected: {*", "*actual:   {}*",
        "*repro: kit verify --repro .kit/repro/*",
        f"FAILED kit[[]{spec}[]]/openai.chat.completions/y_parallel_interleaved[[]recorded[]]*",
    ])
    assert "Traceback" not in r.stdout.str()
    assert list((project.path / ".kit" / "repro").rglob("*.json"))


def test_crash_timeout_skip_map_to_failed_failed_skipped(project):
    r = project.runpytest("--kit-adapter", "py:impls:crashes", *CHAT_ONE, "--kit-trace", "y_text_only")
    assert outcomes(r) == {"failed": 1, "passed": 1}
    r.stdout.fnmatch_lines(["ERROR*: py:impls:crashes on openai.chat.completions/y_text_only*",
                            "*crashed on a valid stream: RuntimeError: kaput (at impls.py:*"])
    r = project.runpytest("--kit-adapter", "py:impls:hangs", *CHAT_ONE, "--kit-trace", "y_text_only",
                          "--kit-timeout", "0.3")
    assert outcomes(r) == {"failed": 1, "passed": 1}
    r.stdout.fnmatch_lines(["TIMEOUT*: py:impls:hangs on*", "*no result after 0.3 s*"])
    # one choice declared: still graded on a stream of two (taking one whole, or all, is right)
    r = project.runpytest("--kit-adapter", "py:impls:chat_only", *CHAT_ONE, "--kit-trace", "y_two_choices", "-rs")
    assert outcomes(r) == {"passed": 2}
    # an API the adapter does not declare gives no items at all
    r = project.runpytest("--kit-adapter", "py:impls:chat_only", "--kit-api", "responses", "-p", "no:cacheprovider")
    assert outcomes(r) == {"passed": 1}


def test_nonstrict_passes_unless_asked(project):
    args = ("--kit-adapter", "py:tests.impls:buffered_text", *CHAT_ONE, "--kit-trace", "y_text_only")
    project.syspathinsert(str(__import__("pathlib").Path(__file__).resolve().parent.parent))
    assert outcomes(project.runpytest(*args)) == {"passed": 2}
    r = project.runpytest(*args, "--kit-nonstrict-fails")
    assert outcomes(r) == {"failed": 1, "passed": 1}
    r.stdout.fnmatch_lines(["NONSTRICT plan-text-streamed*"])


def test_expectations_xfail_and_strict_xpass(project):
    known = project.path / "known.json"
    known.write_text(json.dumps({"format": "kit-expectations/1", "known": [
        {"adapter": "py:impls:crashes", "trace": "y_text_only", "reason": "upstream bug #1"},
        {"adapter": "reference", "trace": "y_text_only", "reason": "fixed since"},
    ]}))
    r = project.runpytest("--kit-adapter", "py:impls:crashes", *CHAT_ONE, "--kit-trace", "y_text_only",
                          "--kit-expectations", str(known), "-rx")
    assert outcomes(r) == {"xfailed": 1, "passed": 1}
    r.stdout.fnmatch_lines(["*known failure: upstream bug #1*"])
    base = ("--kit-adapter", "reference", *CHAT_ONE, "--kit-trace", "y_text_only", "--kit-expectations", str(known))
    assert outcomes(project.runpytest(*base)) == {"xpassed": 1, "passed": 1}
    r = project.runpytest(*base, "--kit-strict-expectations")
    assert outcomes(r) == {"failed": 1, "passed": 1}
    r.stdout.fnmatch_lines(["*XPASS(strict)*known failure: fixed since*"])


def test_ini_keys_in_pyproject_and_k_selection(project):
    project.makepyprojecttoml('''
[tool.pytest.ini_options]
kit_adapter = ["reference"]
kit_api = ["anthropic"]
kit_chunking = "bytewise"
kit_trace = ["y_text_*"]
''')
    r = project.runpytest("-p", "no:cacheprovider", "--collect-only", "-q")
    lines = [ln for ln in r.stdout.lines if ln.startswith("kit[")]
    assert lines and all(ln.startswith("kit[reference]/anthropic.messages/y_text_") and ln.endswith("[bytewise]")
                         for ln in lines)
    r = project.runpytest("-p", "no:cacheprovider", "-k", "y_text_only and bytewise")
    assert outcomes(r) == {"passed": 1, "deselected": len(lines)}


def test_strict_markers_and_marker_selection(project):
    r = project.runpytest("--kit-adapter", "reference", *CHAT_ONE, "--kit-trace", "y_text_only", "--strict-markers",
                          "-m", "not kit")
    assert outcomes(r) == {"passed": 1, "deselected": 1}


def test_report_has_the_kit_verify_schema(project):
    from kit.adapters import load_adapter
    from kit.trace import corpus
    from kit.verify import Run

    report = project.path / "verdicts.jsonl"
    spec = "py:kit.adapters.mutants.m07_text_after_tool_merged:accumulate"
    project.runpytest("--kit-adapter", spec, *CHAT_ONE, "--kit-report", str(report))
    recs = [json.loads(line) for line in report.read_text().splitlines()]
    assert recs[0]["type"] == "run" and recs[0]["format"] == "kit-verify/1" and recs[-1]["type"] == "summary"
    mine = {(r["trace"], r["verdict"], r["rule"], r["message"]) for r in recs[1:-1]}
    run = Run([load_adapter(spec)], corpus(api="openai.chat.completions"), ["recorded"])
    theirs = {(r["trace"], r["verdict"], r["rule"], r["message"]) for r in run.records() if r["type"] == "verdict"}
    assert mine == theirs  # one grading engine
    assert any(v == "FAIL" for _, v, _, _ in mine)


def test_bad_adapter_is_a_usage_error(project):
    r = project.runpytest("--kit-adapter", "py:nowhere_at_all:f", "-p", "no:cacheprovider")
    assert r.ret == pytest.ExitCode.USAGE_ERROR
    r.stderr.fnmatch_lines(["*toolstream-kit: adapter 'py:nowhere_at_all:f': cannot import nowhere_at_all*"])


def test_xdist_gives_the_same_outcomes_and_one_merged_report(project):
    pytest.importorskip("xdist", reason="pytest-xdist is not installed (pip install '.[test]')")
    spec = "py:kit.adapters.mutants.m08_dispatch_on_index_switch:accumulate"
    common = ("--kit-adapter", spec, "--kit-api", "chat", "--kit-chunking", "recorded,bytewise", "-p",
              "no:cacheprovider")
    serial = project.runpytest_subprocess(*common, "--kit-report", "serial.jsonl")
    parallel = project.runpytest_subprocess(*common, "-n", "2", "--kit-report", "parallel.jsonl")
    assert outcomes(serial) == outcomes(parallel) and outcomes(serial)["failed"] == 4

    def verdicts(name):
        lines = (project.path / name).read_text().splitlines()
        return [{k: v for k, v in json.loads(x).items() if k != "seconds"} for x in lines[1:-1]]

    assert verdicts("serial.jsonl") == verdicts("parallel.jsonl")
    parallel.stdout.fnmatch_lines(["*toolstream-kit*", "FAILED: * cases, 1 adapter, 4 failing*"])
    # the workers parse the same command line: a pasted id selects the same items there
    picked = project.runpytest_subprocess(*common, "-n", "2", f"kit[{spec}]/openai.chat.completions/y_parallel_interleaved")
    assert outcomes(picked) == {"failed": 2}


def test_plugin_can_be_disabled(project, monkeypatch):
    r = project.runpytest_subprocess("-p", "no:kit", "--kit-adapter", "reference")
    assert r.ret == pytest.ExitCode.USAGE_ERROR  # the option no longer exists
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    r = project.runpytest_subprocess("-p", "no:cacheprovider")
    assert outcomes(r) == {"passed": 1}


def test_loading_the_plugin_imports_nothing_heavy():
    code = ("import sys, kit.pytest_plugin; heavy = [m for m in ('kit.reference', 'kit.verify', 'kit.adapters', "
            "'hypothesis', 'syrupy', 'jsonschema', 'openai', 'click') if m in sys.modules]; print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""


def test_traces_glob_class_rule_isolate_and_repro_dir(project):
    from kit._resources import corpus_dir

    glob = str(corpus_dir() / "anthropic.messages" / "n_*.json")
    r = project.runpytest("--kit-adapter", "reference", "--kit-traces", glob, "--kit-chunking", "whole",
                          "--collect-only", "-q", "-p", "no:cacheprovider")
    ids = [ln for ln in r.stdout.lines if ln.startswith("kit[")]
    assert ids and all("/anthropic.messages/n_" in i for i in ids)
    r = project.runpytest("--kit-adapter", "reference", "--kit-class", "i", "--kit-rule", "chat-*",
                          "--kit-chunking", "whole", "--collect-only", "-q", "-p", "no:cacheprovider")
    ids = [ln for ln in r.stdout.lines if ln.startswith("kit[")]
    assert ids and all("/openai.chat.completions/i_" in i for i in ids)
    r = project.runpytest("--kit-adapter", "py:impls:crashes", *CHAT_ONE, "--kit-trace", "y_text_only",
                          "--kit-isolate", "--kit-repro-dir", "none")
    assert outcomes(r) == {"failed": 1, "passed": 1}
    r.stdout.fnmatch_lines(["*RuntimeError: kaput*", "*replay: kit replay openai.chat.completions/y_text_only*"])
    assert not (project.path / ".kit").exists()


# -- the plugin behaves like pytest: selection, pasted ids, --lf/--ff/--sw, -x, -k, plain layouts ---------------

M08 = "py:kit.adapters.mutants.m08_dispatch_on_index_switch:accumulate"


def kit_ids(result) -> list[str]:
    return [ln for ln in result.stdout.lines if ln.startswith("kit[")]


def literal(text: str) -> str:
    """text as an fnmatch pattern that matches only itself ([ and ] are pattern syntax)."""
    return "".join(f"[{ch}]" if ch in "[]*?" else ch for ch in text)


def failed_ids(result) -> set[str]:
    return {ln.split(" ", 1)[1].split(" - ")[0] for ln in result.stdout.lines if ln.startswith("FAILED ")}


@pytest.fixture
def configured(project):
    """kit_adapter in the ini, as a project has it: plain `pytest` runs the corpus items too."""
    project.makepyprojecttoml('''
[tool.pytest.ini_options]
kit_adapter = ["reference"]
kit_api = ["chat"]
kit_chunking = "recorded,bytewise"
kit_trace = ["y_text_*"]
''')
    return project


def test_naming_tests_runs_only_them_and_pasted_ids_run_exactly_those(configured):
    everything = configured.runpytest("-p", "no:cacheprovider", "--collect-only", "-q")
    ids = kit_ids(everything)
    assert len(ids) >= 4 and all(i.endswith(("[recorded]", "[bytewise]")) for i in ids)
    assert outcomes(configured.runpytest("-p", "no:cacheprovider")) == {"passed": len(ids) + 1}
    assert outcomes(configured.runpytest("-p", "no:cacheprovider", ".")) == {"passed": len(ids) + 1}  # the rootdir
    # a test file or a node id: that test only, no corpus item
    assert outcomes(configured.runpytest("-p", "no:cacheprovider", "test_user.py::test_users_own_test")) == {"passed": 1}
    assert outcomes(configured.runpytest("-p", "no:cacheprovider", "test_user.py")) == {"passed": 1}

    def selected(*args):
        r = configured.runpytest("-p", "no:cacheprovider", "--collect-only", "-q", *args)
        assert r.ret == pytest.ExitCode.OK, r.stdout.str() + r.stderr.str()
        return [ln for ln in r.stdout.lines if ln.startswith(("kit[", "test_user.py"))]

    assert selected(ids[0]) == [ids[0]]  # one pasted id: that item alone, no test file collected
    assert selected(ids[-1], "test_user.py", ids[0]) == ["test_user.py::test_users_own_test", ids[0], ids[-1]]
    trace = ids[0].rsplit("[", 1)[0]  # kit[reference]/openai.chat.completions/y_text_...: every chunk plan
    assert selected(trace) == [i for i in ids if i.startswith(trace + "[")] and len(selected(trace)) == 2
    assert selected("kit[reference]/openai.chat.completions/") == ids
    assert selected("kit[reference]") == ids
    r = configured.runpytest("-p", "no:cacheprovider", ids[0], "-v")
    assert outcomes(r) == {"passed": 1}
    r.stdout.fnmatch_lines([f"{literal(ids[0])} PASSED*"])


def test_unknown_kit_id_is_a_usage_error_naming_it(configured, project):
    for arg in ("kit[reference]/openai.chat.completions/y_no_such_trace[recorded]", "kit[reference]/anthropic.messages",
                "kit[reference]/openai.chat.completions/y_text_only[random:3]", "kit[somebody-else]"):
        r = configured.runpytest("-p", "no:cacheprovider", arg)
        assert r.ret == pytest.ExitCode.USAGE_ERROR, arg
        r.stderr.fnmatch_lines([f"ERROR: toolstream-kit: not found: {literal(arg)} (no kit item has this id or prefix*"])
        assert "Traceback" not in r.stdout.str() + r.stderr.str()
    (project.path / "pyproject.toml").unlink()  # no adapter at all
    r = project.runpytest("-p", "no:cacheprovider", "kit[reference]/openai.chat.completions")
    assert r.ret == pytest.ExitCode.USAGE_ERROR
    r.stderr.fnmatch_lines(["ERROR: toolstream-kit: kit[[]reference[]]/openai.chat.completions names a kit item, "
                            "but no adapter is configured*"])


def test_a_failure_printed_can_be_pasted_back(project):
    r = project.runpytest("--kit-adapter", M08, *CHAT_ONE)
    failed = sorted(failed_ids(r))
    assert len(failed) == 2 and all(f.startswith(f"kit[{M08}]/") for f in failed)
    again = project.runpytest("--kit-adapter", M08, *CHAT_ONE, *failed)
    assert outcomes(again) == {"failed": 2}
    assert sorted(failed_ids(again)) == failed


def test_last_failed_failed_first_stepwise_and_exitfirst(project):
    project.makepyfile(test_broken="def test_broken():\n    assert False\n")
    args = ("--kit-adapter", M08, "--kit-api", "chat", "--kit-chunking", "recorded")  # the cache plugin on
    first = project.runpytest(*args)
    failed = failed_ids(first)
    counts = outcomes(first)
    assert counts["failed"] == 3 and "test_broken.py::test_broken" in failed
    # --lf: the failed kit items and the failed ordinary test, nothing else
    lf = project.runpytest(*args, "--lf")
    assert failed_ids(lf) == failed
    assert outcomes(lf)["failed"] == 3 and "passed" not in outcomes(lf)
    lf.stdout.fnmatch_lines(["run-last-failure: rerun previous 3 failures*"])
    # --ff: the failures first, then the rest
    ff = project.runpytest(*args, "--ff", "-v", "-p", "no:randomly")
    ran = [ln.split(" ")[0] for ln in ff.stdout.lines if ln.endswith("]") and (" PASSED " in ln or " FAILED " in ln)]
    assert set(ran[:3]) == failed and len(ran) == counts["failed"] + counts["passed"]
    # -x stops at the first failure, a kit item's too
    x = project.runpytest(*args, "-x", f"kit[{M08}]")
    assert outcomes(x)["failed"] == 1 and outcomes(x).get("passed", 0) < counts["passed"] - 1
    x.stdout.fnmatch_lines(["*stopping after 1 failures*"])
    # --sw: stops at the first failure, and the next run starts from it
    project.runpytest(*args, f"kit[{M08}]", "--sw")
    sw = project.runpytest(*args, f"kit[{M08}]", "--sw")
    assert outcomes(sw)["failed"] == 1 and outcomes(sw)["deselected"] > 0
    sw.stdout.fnmatch_lines(["stepwise: skipping * already passed items*"])
    import re

    counted = re.search(r"collected (\d+) items / (\d+) deselected / (\d+) selected", sw.stdout.str())
    total, deselected, chosen = map(int, counted.groups())  # the kit items (not the 2 test files') are counted
    assert total == counts["passed"] + counts["failed"] - 2 and deselected == outcomes(sw)["deselected"] and chosen == total - deselected


def test_k_selects_by_adapter_api_trace_and_plan(project):
    args = ("-p", "no:cacheprovider", "--collect-only", "-q", "--kit-adapter", "reference", "--kit-adapter",
            "py:impls:chat_only", "--kit-api", "chat", "--kit-api", "anthropic", "--kit-trace", "y_text_only",
            "--kit-chunking", "recorded,bytewise")
    every = kit_ids(project.runpytest(*args))
    assert len(every) == 6  # reference: 2 APIs x 2 plans; chat_only: chat x 2 plans

    def picked(expr):
        return kit_ids(project.runpytest(*args, "-k", expr))

    assert picked("chat_only") == [i for i in every if i.startswith("kit[py:impls:chat_only]")] and picked("chat_only")
    assert picked("anthropic") == [i for i in every if "/anthropic.messages/" in i] and len(picked("anthropic")) == 2
    assert picked("reference and bytewise and openai.chat.completions") == [
        "kit[reference]/openai.chat.completions/y_text_only[bytewise]"]
    assert picked("y_text_only and not recorded") == [i for i in every if i.endswith("[bytewise]")]


PLAIN_STREAM = '''
from kit.adapters.builtin import reference_plan


def handle(reads, api):
    return reference_plan(reads, api)


handle.__kit__ = {"apis": ["openai.chat.completions"], "multi_choice": False}
'''

PLAIN_TEST = '''
import pytest

import kit
from mypkg.stream import handle


@kit.cases(api="chat", ids="y_text_only")
@pytest.mark.parametrize("chunking", ["recorded", "bytewise"])
def test_handle_conforms(trace, chunking):
    kit.assert_conforms(handle, trace, chunking)
'''


def test_a_plain_layout_works_with_the_pytest_command(pytester, monkeypatch):
    """mypkg/ at the project's root, kit_adapter in pyproject.toml, no pythonpath setting:
    the `pytest` command (sys.path without the current directory) imports mypkg, from the
    root and from a subfolder, in the plugin and in the project's own test modules."""
    import shutil
    from pathlib import Path

    script = shutil.which("pytest", path=str(Path(sys.executable).parent))
    if script is None:
        pytest.skip("no pytest console script beside this interpreter")
    (pytester.path / "mypkg").mkdir()
    (pytester.path / "mypkg" / "__init__.py").write_text("")
    (pytester.path / "mypkg" / "stream.py").write_text(PLAIN_STREAM)
    (pytester.path / "tests").mkdir()
    (pytester.path / "tests" / "test_stream.py").write_text(PLAIN_TEST)
    pytester.makepyprojecttoml('''
[tool.pytest.ini_options]
kit_adapter = ["py:mypkg.stream:handle"]
kit_trace = ["y_text_*"]
kit_chunking = "recorded"
''')
    monkeypatch.delenv("PYTHONPATH", raising=False)
    n = len([t for t in __import__("kit").corpus(api="openai.chat.completions") if t.id.startswith("y_text_")])
    r = pytester.run(script, "-p", "no:cacheprovider")
    assert outcomes(r) == {"passed": n + 2}, r.stdout.str() + r.stderr.str()
    monkeypatch.chdir(pytester.path / "tests")
    r = pytester.run(script, "-p", "no:cacheprovider", "--kit-isolate")  # the child process imports from the rootdir
    assert outcomes(r) == {"passed": n + 2}, r.stdout.str() + r.stderr.str()
