"""kit matrix: environments, running adapters, the published report, the README paragraph,
the GitHub Action's scripts, and the client: adapter kind underneath."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kit import matrix
from kit.adapters import load_adapter
from kit.adapters.thirdparty import ADAPTERS, ThirdParty
from kit.cli import main
from kit.errors import UsageError
from kit.trace import corpus
from kit.verify.engine import verify_case

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def current_env(tmp_path: Path, name: str = "here") -> matrix.Env:
    """The test's own environment, seen as a matrix environment."""
    spec = tmp_path / f"{name}.in"
    spec.write_text("openai\n")
    env = matrix.Env(name, ["openai"], spec, spec.with_suffix(".txt"), Path(sys.prefix))
    if not env.kit.exists():
        pytest.skip(f"no kit executable beside {sys.executable} (install the project into this environment)")
    return env


# -- the committed results and what is generated from them ------------------------------------------------


def test_published_docs_are_in_sync_with_the_committed_results():
    changed = matrix.write_report(ROOT, check=True)
    assert changed == [], f"{changed} differ from what matrix/results generates: run kit matrix report"


def test_committed_results_cover_every_registered_adapter_and_only_those():
    results = matrix.load_results(ROOT)
    names = [r[0]["matrix"]["adapter"] for r in results]
    assert sorted(names) == sorted(a.name for a in ADAPTERS)
    for records in results:
        run, summary = records[0], records[-1]
        assert run["format"] == "kit-verify/1" and summary["type"] == "summary"
        meta = run["matrix"]
        assert meta["version"], f"{meta['adapter']}: no library version recorded"
        verdicts = [r for r in records if r["type"] == "verdict"]
        assert verdicts, meta["adapter"]
        # the default chunk plans over the corpus of each declared API (a trace added to the
        # corpus since is picked up by the next kit matrix run; a trace removed must not linger)
        apis = set(run["adapters"][0]["apis"])
        have = {(t.api, t.id) for t in corpus() if t.api in apis}
        got = {(r["api"], r["trace"]) for r in verdicts}
        assert got <= have, f"{meta['adapter']}: results for traces not in the corpus: {sorted(got - have)[:5]}"
        assert len(got) >= 0.9 * len(have), f"{meta['adapter']}: results cover {len(got)} of {len(have)} traces"
        assert {r["chunking"] for r in verdicts} == {"recorded", "event", "bytewise"}
        for r in verdicts:
            assert not os.path.isabs(r["trace_path"] or ""), "absolute path in published results"
            if r["verdict"] in matrix.FAILING:
                # a rule, or (a Plan difference no rule of the trace governs) a note that says so
                assert r["rule"] or any("no rule" in n for n in r["notes"]), \
                    f"{meta['adapter']} {r['trace']}: a red cell without a rule or a note why"
                assert r["repro_command"].startswith(f"kit verify -a {meta['adapter']} --trace {r['trace']}")


def test_report_is_a_pure_function_of_the_results():
    results = matrix.load_results(ROOT)
    assert matrix.markdown_report(results) == matrix.markdown_report(results)
    md = matrix.markdown_report(results)
    for records in results:
        meta = records[0]["matrix"]
        assert f"#### {meta['adapter']}" in md
        for r in records:
            if r.get("type") == "verdict" and r["verdict"] in matrix.FAILING:
                assert f"`{r['trace']}`" in md
                assert f"[`{r['rule']}`]" in md if r["rule"] else "no rule of the trace governs" in md


def test_report_explains_every_failure_with_rule_and_repro(tmp_path):
    run = {"type": "run", "format": "kit-verify/1", "kit": "0.1.0", "started": "2026-01-02T03:04:05Z",
           "versions": {"python": "3.11.7"}, "chunkings": ["recorded", "event"],
           "adapters": [{"name": "lib-chat", "apis": ["openai.chat.completions"], "omits": ["usage"]}],
           "matrix": {"adapter": "lib-chat", "library": "lib", "distribution": "lib", "version": "1.2.3",
                      "env": "lib", "usage": "lib.stream()"}}

    def v(trace, chunking, verdict, **kw):
        base = {"type": "verdict", "adapter": "lib-chat", "trace": trace, "trace_path": None,
                "api": "openai.chat.completions", "class": trace[0], "chunking": chunking, "verdict": verdict,
                "rule": None, "check": "plan", "message": "matches the reference", "path": None, "expected": None,
                "actual": None, "position": None, "notes": [], "known": None, "repro": None, "seconds": 0.0}
        base.update(kw)
        return base

    records = [run,
               v("y_a", "recorded", "PASS"), v("y_a", "event", "PASS"),
               v("y_b", "recorded", "FAIL", rule="chat-tool-header-once", path="choices[0].commands[0].call_id",
                 expected="call_1", actual="call_1call_1", message="choices[0]...: expected..."),
               v("y_b", "event", "FAIL", rule="chat-tool-header-once", path="choices[0].commands[0].call_id",
                 expected="call_1", actual="call_1call_1", message="choices[0]...: expected..."),
               v("y_c", "bytewise", "ERROR", rule="chat-tool-index-missing", check="crash",
                 message="crashed on a valid stream: TypeError: bad (at lib.py:3 in f)"),
               {"type": "summary", "seconds": 1.0}]
    md = matrix.markdown_report([records])
    # cells, not records: y_a PASS, y_b FAIL (both plans), y_c ERROR (its one plan)
    assert "| lib | Python | lib 1.2.3 | [`lib-chat`](#lib-chat) | Chat Completions | 1 |  | 1 | 1 |" in md
    assert 'reports the call id "call_1call_1" instead of "call_1"' in md
    assert "repro: `kit verify -a lib-chat --trace y_b`" in md  # fails under every plan: no --chunking
    assert "repro: `kit verify -a lib-chat --trace y_c --chunking bytewise`" in md
    assert "raises on this valid stream: TypeError: bad (at lib.py:3 in f)" in md
    assert "What its result cannot express is not graded: it has no usage (not compared)." in md
    assert "Results recorded 2026-01-02" in md
    block = matrix.readme_block([records])
    assert "generated 2026-01-02 with lib 1.2.3" in block and "2 of 3 graded cells of libraries fail" in block


def test_plain_words():
    assert matrix.plain({"verdict": "TIMEOUT"}).startswith("hangs")
    assert "silently" in matrix.plain({"verdict": "FAIL", "check": "fault-reported"})
    assert "cut off" in matrix.plain({"verdict": "FAIL", "path": "choices[0].commands[1].dispatched",
                                      "expected": False, "actual": True})
    assert matrix.plain({"verdict": "FAIL", "path": "choices[0].commands", "expected": ["a", "b"],
                         "actual": ["a"]}).startswith("gives other commands: 1 instead of 2")


def test_html_matrix_letters_identical_behaviours():
    html = matrix.html_report(matrix.load_results(ROOT), ROOT)
    assert html.startswith("<!DOCTYPE html>") and "toolstream-kit compatibility matrix" in html
    assert "[A]" in html  # at least two libraries fail some trace the same way
    assert "<table class=\"wire\">" in html  # the wire view of the traces


def test_readme_paragraph_needs_its_markers(tmp_path):
    with pytest.raises(UsageError, match="no <!-- kit matrix"):
        matrix._replace_block("# no markers\n", "x")


# -- environments and selection -----------------------------------------------------------------------------


def test_every_registered_adapter_has_an_environment_and_a_smoke_test():
    envs = matrix.load_envs(ROOT)
    assert {a.env for a in ADAPTERS} <= set(envs)
    tests = {p.stem for p in (ROOT / "tests" / "thirdparty").glob("test_*.py")}
    for a in ADAPTERS:
        if a.bundled:
            continue
        if a.http:  # a program in another language: its environment is locked, its smoke test is tests/test_node*.py
            assert envs[a.env].kind == "node" and envs[a.env].lock.exists(), f"{a.env}: no lockfile"
            assert list((ROOT / "tests").glob("test_node*.py")), f"{a.name}: no tests/test_node*.py"
            continue
        module = a.target.split(":")[0]
        assert f"test_{module}" in tests, f"{a.name}: no tests/thirdparty/test_{module}.py"
        assert envs[a.env].lock.exists(), f"{a.env}: no pins (kit matrix build --upgrade {a.env})"


def test_select_by_env_and_adapter():
    envs = matrix.load_envs(ROOT)
    chosen_envs, chosen = matrix.select(envs, ["sdk"], [])
    assert [e.name for e in chosen_envs] == ["sdk"] and {a.env for a in chosen} == {"sdk"}
    chosen_envs, chosen = matrix.select(envs, [], ["anthropic-messages-stream"])
    assert [a.name for a in chosen] == ["anthropic-messages-stream"] and [e.name for e in chosen_envs] == ["sdk"]
    with pytest.raises(UsageError, match="unknown environment nope"):
        matrix.select(envs, ["nope"], [])
    with pytest.raises(UsageError, match="unknown adapter nope"):
        matrix.select(envs, [], ["nope"])


def test_find_root(tmp_path):
    assert matrix.find_root(ROOT / "kit") == ROOT
    with pytest.raises(UsageError, match="no toolstream-kit clone"):
        matrix.find_root(tmp_path)


def test_build_is_skipped_when_nothing_changed(tmp_path):
    env = current_env(tmp_path)
    env.dir = tmp_path / "venv"
    (env.dir / "bin").mkdir(parents=True)
    for exe in ("python", "kit"):
        (env.dir / "bin" / exe).write_text("")
    (env.dir / "kit-matrix-stamp").write_text(matrix._stamp(env, ROOT))
    assert matrix.build_env(env, ROOT, echo=lambda _: None) == "up to date"


# -- running ------------------------------------------------------------------------------------------------


def test_run_adapter_publishes_records(tmp_path):
    env = current_env(tmp_path)
    entry = ThirdParty("openai-chat-create", "", "openai SDK", "openai", env.name, "the guide's loop", bundled=True)
    res = matrix.run_adapter(entry, env, ROOT, chunking="recorded")
    assert res["ok"], res["error"]
    records = res["records"]
    run = records[0]
    assert run["matrix"]["version"] and run["matrix"]["library"] == "openai SDK"
    verdicts = [r for r in records if r["type"] == "verdict"]
    assert {r["api"] for r in verdicts} == {"openai.chat.completions"}  # only the API it declares
    failing = [r for r in verdicts if r["verdict"] in matrix.FAILING]
    assert failing and all(r["repro_command"] == f"kit verify -a openai-chat-create --trace {r['trace']} "
                           "--chunking recorded" for r in failing)
    assert all(r["trace_path"].startswith("traces/openai.chat.completions/") for r in verdicts)


@pytest.mark.parametrize("where, expected", [
    # a kit installed in a venv inside the clone (the README's quick start): the corpus, not .venv/...
    (".venv/lib/python3.11/site-packages/kit/_corpus/openai.chat.completions/y_a.json",
     "traces/openai.chat.completions/y_a.json"),
    ("traces/anthropic.messages/n_b.json", "traces/anthropic.messages/n_b.json"),  # the checkout's own corpus
    ("mine/_corpus/y_c.json", "mine/_corpus/y_c.json"),  # a folder of the user's named _corpus: left alone
])
def test_published_trace_paths(tmp_path, where, expected):
    assert matrix._relative(str(tmp_path / where), tmp_path) == expected


def test_a_trace_outside_the_clone_is_published_by_name(tmp_path):
    assert matrix._relative(str(tmp_path / "elsewhere" / "y_d.json"), tmp_path / "clone") == "y_d.json"


def test_run_adapter_reports_an_adapter_that_cannot_load(tmp_path):
    env = current_env(tmp_path)
    entry = ThirdParty("broken", "no_such_module:fn", "x", "x", env.name, "-")
    res = matrix.run_adapter(entry, env, ROOT)
    assert not res["ok"] and "cannot load the adapter" in res["error"] and "no_such_module" in res["error"]


def test_run_matrix_writes_results_and_progress(tmp_path):
    env = current_env(tmp_path)
    entry = ThirdParty("openai-chat-create", "", "openai SDK", "openai", env.name, "loop", bundled=True)
    lines: list[str] = []
    failed, seconds = matrix.run_matrix([env], [entry], ROOT, jobs=1, chunking="recorded",
                                        results_dir=tmp_path / "results", echo=lines.append)
    assert failed == []
    written = (tmp_path / "results" / "openai-chat-create.jsonl").read_text().splitlines()
    assert json.loads(written[0])["matrix"]["adapter"] == "openai-chat-create"
    assert any(line.startswith("  openai-chat-create (openai ") and "PASS" in line for line in lines)


def test_cli_usage_errors_exit_2(tmp_path):
    r = CliRunner().invoke(main, ["matrix", "--root", str(ROOT), "run", "no-such-env"])
    assert r.exit_code == 2 and "unknown environment no-such-env" in r.output
    r = CliRunner().invoke(main, ["matrix", "--root", str(tmp_path), "report"])
    assert r.exit_code == 2 and "no toolstream-kit clone" in r.output


def test_cli_report_check():
    r = CliRunner().invoke(main, ["matrix", "--root", str(ROOT), "report", "--check"])
    assert r.exit_code == 0, r.output


# -- the client: adapter kind --------------------------------------------------------------------------------


def _trace(ident):
    return next(t for t in corpus() if t.id == ident)


def test_client_adapter_that_never_requests_is_its_own_error():
    a = load_adapter("client:tests.impls:client_never_requests")
    try:
        r = verify_case(a, _trace("y_parallel_calls"))
    finally:
        a.close()
    assert r["verdict"] == "ERROR" and r["rule"] == "plan-protocol" and "never requested" in r["message"]


def test_client_adapter_omits_leave_parts_ungraded():
    t = next(t for t in corpus() if t.id == "y_usage_only_final_chunk")
    graded = load_adapter("client:tests.impls:client_no_usage")
    omitted = load_adapter("client[omits=usage]:tests.impls:client_no_usage")
    try:
        assert verify_case(graded, t)["verdict"] == "FAIL"
        assert verify_case(omitted, t)["verdict"] == "PASS"
        assert omitted.describe()["omits"] == ["usage"]
    finally:
        graded.close()
        omitted.close()


def test_client_adapter_raising_is_the_librarys_answer():
    a = load_adapter("client:tests.impls:client_raises")
    try:
        y = verify_case(a, _trace("y_parallel_calls"))
        n = verify_case(a, _trace("n_truncated_mid_arguments"))
    finally:
        a.close()
    assert y["verdict"] == "ERROR" and "crashed on a valid stream: ValueError: library says no" in y["message"]
    assert n["verdict"] == "PASS" and n["check"] == "fault-reported"


def test_omits_must_be_known():
    with pytest.raises(UsageError, match="omits 'colour'"):
        load_adapter("client[omits=colour]:tests.impls:client_no_usage")


# -- the GitHub Action ---------------------------------------------------------------------------------------


def _action_env(tmp_path: Path, **kw: str) -> dict[str, str]:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
           "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"), "GITHUB_OUTPUT": str(tmp_path / "output"),
           "RUNNER_TEMP": str(tmp_path)}
    env.update(kw)
    return env


def test_action_is_a_composite_action_running_the_scripts():
    yaml = pytest.importorskip("yaml", reason="PyYAML is in the test extra")
    doc = yaml.safe_load((ROOT / "action.yml").read_text())
    assert doc["runs"]["using"] == "composite"
    assert doc["inputs"]["adapter"]["required"] is False and "merge" in doc["inputs"]["adapter"]["description"]
    runs = " ".join(s.get("run", "") for s in doc["runs"]["steps"])
    assert ".ci/action-install" in runs and ".ci/action-verify" in runs


def test_action_verify_passes_and_writes_the_summary(tmp_path):
    proc = subprocess.run(["bash", str(ROOT / ".ci" / "action-verify")], capture_output=True, text=True,
                          cwd=tmp_path, env=_action_env(tmp_path, KIT_ADAPTER="reference",
                                                        KIT_ARGS="--api chat --trace y_parallel* --chunking recorded"))
    assert proc.returncode == 0, proc.stderr
    summary = (tmp_path / "summary.md").read_text()
    assert summary.startswith("## kit verify") and "**PASSED**: 2 cases" in summary
    assert (tmp_path / "output").read_text() == "status=0\n"


def test_action_verify_fails_the_step_and_still_writes_the_summary(tmp_path):
    proc = subprocess.run(["bash", str(ROOT / ".ci" / "action-verify")], capture_output=True, text=True,
                          cwd=tmp_path, env=_action_env(tmp_path, KIT_ADAPTER="openai-chat-create",
                                                        KIT_ARGS="--trace y_all_calls_index_zero --chunking recorded",
                                                        KIT_JUNIT="junit.xml"))
    assert proc.returncode == 1
    assert "**FAILED**" in (tmp_path / "summary.md").read_text()
    assert (tmp_path / "output").read_text() == "status=1\n"
    assert (tmp_path / "junit.xml").read_text().startswith("<?xml")


# -- cells, and recipes apart from libraries (issue 14, item 4) ---------------------------------------


def _synthetic(adapter: str, verdicts: dict[str, dict[str, str]], *, library: str = "lib",
               recipe: str | None = None) -> list[dict]:
    """A results file: ``verdicts`` is {trace: {chunking: verdict}}; a failing record differs in
    its call id (the same difference under every plan)."""
    meta = {"adapter": adapter, "library": library, "distribution": library, "version": "1.0", "env": "x",
            "usage": f"{adapter}.stream()"}
    if recipe is not None:
        meta["recipe"] = recipe
    run = {"type": "run", "format": "kit-verify/1", "kit": "0.1.0", "started": "2026-01-02T03:04:05Z",
           "versions": {"python": "3.11.7"},
           "chunkings": list(dict.fromkeys(c for plans in verdicts.values() for c in plans)),
           "adapters": [{"name": adapter, "apis": ["openai.chat.completions"]}], "matrix": meta}
    out = [run]
    for trace, plans in verdicts.items():
        for chunking, verdict in plans.items():
            bad = verdict == "FAIL"
            out.append({"type": "verdict", "adapter": adapter, "trace": trace, "trace_path": None,
                        "api": "openai.chat.completions", "class": "y", "chunking": chunking, "verdict": verdict,
                        "rule": "chat-tool-header-once" if bad else None, "check": "plan",
                        "message": "differs" if bad else "matches the reference",
                        "path": "choices[0].commands[0].call_id" if bad else None,
                        "expected": "call_1" if bad else None, "actual": "call_1call_1" if bad else None,
                        "notes": [], "known": None, "repro": None, "seconds": 0.0})
    return out + [{"type": "summary", "seconds": 1.0}]


def test_counts_are_cells_and_plans_are_named_only_where_they_differ():
    all3 = {"recorded": "FAIL", "event": "FAIL", "bytewise": "FAIL"}
    records = _synthetic("lib-chat", {"y_same": all3, "y_split": {"recorded": "PASS", "event": "PASS",
                                                                     "bytewise": "FAIL"},
                                      "y_ok": {"recorded": "PASS", "event": "PASS", "bytewise": "PASS"}})
    c = matrix.cell_counts(records)
    assert c == {"FAIL": 2, "PASS": 1}  # 4 failing records, 2 failing cells
    assert matrix.cell_verdict([{"verdict": "PASS"}, {"verdict": "ERROR"}, {"verdict": "FAIL"}]) == "ERROR"
    md = matrix.markdown_report([records])
    assert "| 1 |  | 2 |" in md and "Libraries: 2 of 3 graded cells fail" in md
    assert "(2 cells)" in md
    per_library = md.split("\n## Per library\n", 1)[1]
    same = next(line for line in per_library.splitlines() if "`y_same`" in line)
    assert "recorded" not in same and "bytewise" not in same and same.strip().startswith("- `y_same` FAIL: ")
    assert "repro: `kit verify -a lib-chat --trace y_same`\n" in md + "\n"
    split = next(line for line in per_library.splitlines() if "`y_split`" in line)
    assert "(bytewise)" in split and "PASS (recorded, event)" in split
    assert "repro: `kit verify -a lib-chat --trace y_split --chunking bytewise`" in md
    assert "2 of 3 graded cells of libraries fail" in matrix.readme_block([records])


def test_a_recipe_row_is_listed_as_a_recipe_not_among_libraries(tmp_path):
    lib = _synthetic("lib-chat", {"y_a": {"recorded": "FAIL", "event": "FAIL"}})
    recipe = _synthetic("guide-loop", {"y_a": {"recorded": "PASS", "event": "PASS"},
                                       "y_b": {"recorded": "FAIL", "event": "FAIL"}},
                        library="some SDK", recipe="the guide's loop over some SDK")
    md = matrix.markdown_report([lib, recipe])
    libraries, recipes = md.split("\n## Recipes on top of an SDK\n", 1)
    assert "#### guide-loop" in recipes and "#### guide-loop" not in libraries
    assert "#### lib-chat" in libraries and "#### lib-chat" not in recipes
    assert "Recipe: the guide's loop over some SDK." in recipes
    assert "repro: `kit verify -a guide-loop --trace y_b`" in recipes
    summary = md.split("### Libraries", 1)[1].split("### Recipes on top of an SDK", 1)
    assert "[`guide-loop`]" not in summary[0] and "[`guide-loop`]" in summary[1]
    assert "1 libraries through 1 adapters, and 1 recipe on top of an SDK" in md
    assert "Libraries: 1 of 1 graded cells fail (FAIL, ERROR or TIMEOUT). Recipes on top of an SDK: 1 of 2 graded cells fail." in md
    block = matrix.readme_block([lib, recipe])
    assert "1 libraries through 1 adapters, and 1 recipe on top of an SDK (guide-loop)" in block
    assert "1 of 1 graded cells of libraries fail, and 1 of 2 of recipes" in block
    html = matrix.html_report([lib, recipe], tmp_path)
    assert '<th colspan="1">libraries</th><th colspan="1">recipes on top of an SDK</th>' in html
    assert "recipe on top of an SDK (the guide&#x27;s loop over some SDK)" in html or \
        "recipe on top of an SDK (the guide's loop over some SDK)" in html


def test_the_registry_marks_recipes():
    recipes = {a.name for a in ADAPTERS if a.recipe}
    assert "openai-chat-create" in recipes  # the function-calling guide's loop over create(stream=True)
    assert not {"openai-chat-client", "openai-responses-client", "anthropic-messages-stream"} & recipes
    results = {r[0]["matrix"]["adapter"]: r for r in matrix.load_results(ROOT)}
    assert matrix.recipe_of(results["openai-chat-create"]) and not matrix.recipe_of(results["litellm-chat"])



def test_the_language_column_comes_from_the_distribution():
    assert matrix.language("npm:openai") == "JavaScript"
    assert matrix.language("pydantic-ai-slim") == "Python"
