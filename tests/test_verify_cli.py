"""`kit verify` on the command line: selection, reports, exit codes, repro, mutants."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from kit.cli import main


def invoke(*args, **kw):
    return CliRunner().invoke(main, list(args), catch_exceptions=False, **kw)


def records(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_help_names_verdicts_and_exit_codes():
    r = invoke("verify", "--help")
    assert r.exit_code == 0
    for word in ("NONSTRICT", "--adapter", "--junit", "--expectations", "--repro", "Exit codes", "70"):
        assert word in r.output


def test_default_is_the_reference_over_the_bundled_corpus_with_three_chunk_plans(tmp_path):
    out = tmp_path / "v.jsonl"
    r = invoke("verify", "--json", str(out), "--no-repro")
    assert r.exit_code == 0, r.output
    recs = records(out.read_text())
    head, verdicts, tail = recs[0], recs[1:-1], recs[-1]
    assert head["type"] == "run" and head["format"] == "kit-verify/1" and head["adapters"][0]["name"] == "reference"
    assert head["chunkings"] == ["recorded", "event", "bytewise"] and head["cases"] == len(verdicts)
    assert {v["verdict"] for v in verdicts} == {"PASS", "INFO"}
    assert tail["type"] == "summary" and tail["unexpected_failures"] == 0
    assert "PASSED" in r.output and "reference" in r.output


def test_selection_by_api_class_rule_and_id():
    r = invoke("verify", "--api", "chat", "--class", "n", "--chunking", "recorded", "--json", "-", "--no-repro")
    verdicts = [x for x in records(r.stdout) if x["type"] == "verdict"]
    assert verdicts and all(v["api"] == "openai.chat.completions" and v["class"] == "n" for v in verdicts)
    r = invoke("verify", "--rule", "chat-interleaved-fragments", "--chunking", "recorded", "--json", "-")
    ids = {x["trace"] for x in records(r.stdout) if x["type"] == "verdict"}
    assert "y_parallel_interleaved" in ids
    r = invoke("verify", "--trace", "y_parallel_*", "--api", "chat", "--chunking", "whole", "--json", "-")
    ids = {x["trace"] for x in records(r.stdout) if x["type"] == "verdict"}
    assert ids and all(i.startswith("y_parallel_") for i in ids)


@pytest.mark.parametrize("args,fragment", [
    (("--adapter", "py:nowhere_at_all:f"), "cannot import"),
    (("--trace", "no_such_trace_anywhere"), "selects no trace"),
    (("--rule", "chat-no-such-rule"), "no such rule"),
    (("--chunking", "sideways"), "chunk plan"),
    (("--api", "klingon"), "unknown API"),
    (("--mutants", "--adapter", "reference"), "takes no --adapter"),
    (("--mutants", "-x"), "takes no -x"),
    (("--mutants", "--lf"), "--last-failed"),
])
def test_usage_errors_are_one_line_exit_2(args, fragment):
    r = CliRunner().invoke(main, ["verify", *args])
    assert r.exit_code == 2, r.output
    assert fragment in r.output and "Traceback" not in r.output


def test_failures_exit_1_with_reports_and_repro(tmp_path):
    junit, md, html = tmp_path / "r.xml", tmp_path / "r.md", tmp_path / "r.html"
    r = invoke("verify", "-a", "py:tests.impls:dispatch_twice", "--api", "chat", "--trace", "y_parallel_calls",
               "--junit", str(junit), "--markdown", str(md), "--html", str(html), "--repro-dir", str(tmp_path / "rep"))
    assert r.exit_code == 1
    assert "plan-dispatch-once" in r.output and "FAILED" in r.output
    suite = ET.parse(junit).getroot().find("testsuite")
    assert int(suite.get("failures")) == 3 and int(suite.get("tests")) == 3
    assert "plan-dispatch-once" in md.read_text() and "kit verify --repro" in md.read_text()
    assert "<details" in html.read_text()
    repros = sorted((tmp_path / "rep").rglob("*.json"))
    assert len(repros) == 3
    again = invoke("verify", "--repro", str(repros[0]))
    assert again.exit_code == 1 and "now:      FAIL plan-dispatch-once" in again.output
    # the repro file is also a trace kit replay reads
    shown = invoke("replay", str(repros[0]), "--chunking", "bytewise")
    assert shown.exit_code == 0 and "DO" in shown.output


def test_expectations_known_failures_and_strict_mode(tmp_path):
    known = tmp_path / "known.json"
    common = ("-a", "py:tests.impls:dispatch_twice", "--api", "chat", "--trace", "y_parallel_calls",
              "--trace", "y_text_only", "--chunking", "recorded", "--no-repro")
    r = invoke("verify", *common, "--write-expectations", str(known))
    assert r.exit_code == 1
    doc = json.loads(known.read_text())
    assert [e["trace"] for e in doc["known"]] == ["y_parallel_calls"]
    r = invoke("verify", *common, "--expectations", str(known))
    assert r.exit_code == 0, r.output
    # the known failure is fixed: strict mode fails until the entry is removed
    doc["known"][0]["adapter"] = "reference"
    known.write_text(json.dumps(doc))
    base = ("-a", "reference", "--api", "chat", "--trace", "y_parallel_calls", "--chunking", "recorded", "--no-repro",
            "--expectations", str(known))
    assert invoke("verify", *base).exit_code == 0
    strict = invoke("verify", *base, "--strict-expectations")
    assert strict.exit_code == 1 and "known failure now passes" in strict.output


def test_nonstrict_fails_switch():
    args = ("verify", "-a", "py:tests.impls:buffered_text", "--api", "chat", "--trace", "y_text_only",
            "--chunking", "recorded", "--no-repro")
    assert invoke(*args).exit_code == 0
    assert invoke(*args, "--nonstrict-fails").exit_code == 1


def test_mutation_score_on_a_slice():
    r = invoke("verify", "--mutants", "--api", "chat", "--trace", "y_parallel_interleaved",
               "--trace", "y_text_after_tool_call", "--chunking", "recorded", "--no-repro")
    assert "mutation score:" in r.output
    assert "killed by openai.chat.completions/y_parallel_interleaved" in r.output  # m08 and s05 at least
    assert "SURVIVED" in r.output and r.exit_code == 1  # two traces cannot kill forty mutants


def test_list_adapters():
    r = invoke("verify", "--list-adapters")
    assert r.exit_code == 0 and "openai-chat-state" in r.output and "reference" in r.output


def test_exec_adapter_end_to_end_in_a_subprocess(tmp_path):
    prog = tmp_path / "impl.py"
    prog.write_text("import os, sys, json\nfrom kit.adapters.builtin import reference_plan\n"
                    "print(json.dumps(reference_plan([sys.stdin.buffer.read()], os.environ['KIT_API'])))\n")
    p = subprocess.run([sys.executable, "-m", "kit.cli", "verify", "-a", f"exec:{sys.executable} {prog}",
                        "--api", "anthropic", "--validate-protocol", "--no-repro", "-q"],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "PASSED" in p.stdout and "Traceback" not in p.stderr


# -- habits (issue 13): fail fast, last failed, repro folders, bad options and files ---------------

FAILING_SLICE = ("-a", "py:tests.impls:dispatch_twice", "--api", "chat", "--chunking", "recorded")


def _verdicts(recs):
    return [x for x in recs if x["type"] == "verdict"]


def _failing(recs):
    return [(x["adapter"], x["api"], x["trace"], x["chunking"]) for x in _verdicts(recs)
            if x["verdict"] in ("FAIL", "ERROR", "TIMEOUT") and not x["known"]]


@pytest.mark.parametrize("option,limit", [(("-x",), 1), (("--exitfirst",), 1), (("--maxfail", "2"), 2)])
def test_exitfirst_and_maxfail_stop_early_with_valid_reports(tmp_path, monkeypatch, option, limit):
    monkeypatch.chdir(tmp_path)
    full = records(invoke("verify", *FAILING_SLICE, "--no-repro", "--json", "-").stdout)
    assert len(_failing(full)) > limit  # the slice fails more often than the limit
    junit, md, html = tmp_path / "r.xml", tmp_path / "r.md", tmp_path / "r.html"
    r = invoke("verify", *FAILING_SLICE, *option, "--no-repro", "--json", str(tmp_path / "v.jsonl"),
               "--junit", str(junit), "--markdown", str(md), "--html", str(html))
    assert r.exit_code == 1, r.output
    recs = records((tmp_path / "v.jsonl").read_text())
    verdicts = _verdicts(recs)
    assert len(_failing(recs)) == limit
    assert _failing(recs)[-1] == (verdicts[-1]["adapter"], verdicts[-1]["api"], verdicts[-1]["trace"],
                                  verdicts[-1]["chunking"])  # nothing graded after the limit
    stopped = recs[-1]["stopped"]
    assert stopped == {"maxfail": limit, "not_run": recs[0]["cases"] - len(verdicts)} and stopped["not_run"] > 0
    said = f"{stopped['not_run']} cases not run"
    assert said in r.output and said in md.read_text() and said in html.read_text()
    suite = ET.parse(junit).getroot()
    assert int(suite.get("tests")) == len(verdicts) and int(suite.get("failures")) == limit


def test_exitfirst_passes_over_known_failures(tmp_path):
    known = tmp_path / "known.json"
    base = ("verify", *FAILING_SLICE, "--no-repro")
    first = _failing(records(invoke(*base, "-x", "--json", "-").stdout))[0]
    known.write_text(json.dumps({"format": "kit-expectations/1", "known": [
        {"adapter": first[0], "trace": first[2], "reason": "a known failure does not stop the run"}]}))
    recs = records(invoke(*base, "-x", "--expectations", str(known), "--json", "-").stdout)
    assert len(_failing(recs)) == 1 and _failing(recs)[0][2] != first[2]
    assert any(v["known"] and v["trace"] == first[2] for v in _verdicts(recs))


def test_maxfail_rejects_negative_values():
    r = CliRunner().invoke(main, ["verify", "--maxfail", "-1"])
    assert r.exit_code == 2 and "--maxfail" in r.output


def test_last_failed_reruns_only_the_cases_that_failed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    first = records(invoke("verify", *FAILING_SLICE, "--no-repro", "--json", "-").stdout)
    failed = set(_failing(first))
    assert failed and len(failed) < len(_verdicts(first))
    cache = json.loads((tmp_path / ".kit" / "lastfailed.json").read_text())
    assert cache["format"] == "kit-lastfailed/1" and len(cache["failed"]) == len(failed)
    r = invoke("verify", *FAILING_SLICE, "--no-repro", "--lf", "--json", "-")
    again = _verdicts(records(r.stdout))
    assert {(v["adapter"], v["api"], v["trace"], v["chunking"]) for v in again} == failed
    assert f"re-running {len(failed)} cases" in r.stderr
    # a case that does not run keeps its state: re-run one failure, then --lf still has them all
    one = sorted(failed)[0]
    invoke("verify", *FAILING_SLICE, "--no-repro", "--trace", one[2])
    again = _verdicts(records(invoke("verify", *FAILING_SLICE, "--no-repro", "--lf", "--json", "-").stdout))
    assert len(again) == len(failed)
    # another adapter never failed here: --lf says so and runs everything it selects
    r = invoke("verify", "-a", "reference", "--api", "chat", "--chunking", "recorded", "--no-repro", "--lf")
    assert r.exit_code == 0 and "no selected case failed in the last run" in r.output
    # --cache-clear forgets the failures
    r = invoke("verify", *FAILING_SLICE, "--no-repro", "--lf", "--cache-clear", "--json", "-")
    assert len(_verdicts(records(r.stdout))) == len(_verdicts(first)) and "running all" in r.stderr


def test_repro_folder_replays_every_file_and_the_terminal_says_where_they_went(tmp_path):
    folder = tmp_path / "rep"
    r = invoke("verify", *FAILING_SLICE, "--trace", "y_parallel_*", "--repro-dir", str(folder))
    assert r.exit_code == 1
    files = sorted(folder.rglob("*.json"))
    assert len(files) >= 2
    line = next(x for x in r.output.splitlines() if x.startswith("repro files: "))
    written = line.split()[2].rstrip("/")
    assert {f.parent.as_posix() for f in files} == {written} and f"{len(files)} files written" in line
    again = invoke("verify", "--repro", written)
    assert again.exit_code == 1
    assert again.output.count("repro: ") == len(files) and f"{len(files)} repro files: {len(files)} still failing" in again.output
    # one file that is not a repro file is reported; the others are still replayed
    (folder / "zz-not-a-repro.json").write_text("{}")
    alone = CliRunner().invoke(main, ["verify", "--repro", str(folder / "zz-not-a-repro.json")])
    mixed = CliRunner().invoke(main, ["verify", "--repro", str(folder)])
    assert alone.exit_code not in (0, 1) and mixed.exit_code == alone.exit_code
    assert mixed.output.count("now:      FAIL") == len(files) and "zz-not-a-repro.json" in mixed.output


@pytest.mark.parametrize("value", ["0", "-1", "-0.5", "nan", "inf"])
def test_timeout_must_be_above_zero(value):
    r = CliRunner().invoke(main, ["verify", "--timeout", value, "--trace", "y_text_only"])
    assert r.exit_code == 2 and "--timeout" in r.output and "Traceback" not in r.output
    r = CliRunner().invoke(main, ["verify", "-a", f"exec[timeout={value}]:{sys.executable} x"])
    assert r.exit_code == 2 and "timeout=" in r.output


def test_exec_program_that_cannot_run_is_one_usage_error(tmp_path):
    script = tmp_path / "impl.sh"
    script.write_text("#!/bin/sh\nexit 0\n")  # not executable
    for spec, words in ((f"exec:no_such_program_kit_{tmp_path.name} --flag", "not found on PATH"),
                        (f"exec:{script}", "is not executable"),
                        (f"exec:{tmp_path / 'missing.sh'}", "no such file")):
        r = CliRunner().invoke(main, ["verify", "-a", spec, "--api", "chat", "--json", str(tmp_path / "v.jsonl")])
        assert r.exit_code == 2, r.output
        assert words in r.output and len(r.output.strip().splitlines()) == 1
        assert not (tmp_path / "v.jsonl").exists()  # no case ran


def test_one_unreadable_trace_file_is_reported_and_the_others_are_graded(tmp_path):
    from kit.trace import corpus

    good = next(t for t in corpus() if t.id == "y_text_only")
    src = tmp_path / "traces"
    src.mkdir()
    (src / "y_text_only.json").write_text(json.dumps(good.to_json()))
    (src / "y_broken.json").write_text('{"format": ')
    doc = good.to_json()
    doc["rules"] = "not a list"
    (src / "y_schema.json").write_text(json.dumps(doc))
    junit = tmp_path / "r.xml"
    r = invoke("verify", "--traces", str(src), "--chunking", "recorded", "--json", str(tmp_path / "v.jsonl"),
               "--junit", str(junit))
    assert r.exit_code == 3, r.output
    recs = records((tmp_path / "v.jsonl").read_text())
    assert [v["trace"] for v in _verdicts(recs)] == ["y_text_only"] and _verdicts(recs)[0]["verdict"] == "PASS"
    problems = {p["path"].rsplit("/", 1)[-1]: p for p in recs[-1]["unloadable"]}
    assert set(problems) == {"y_broken.json", "y_schema.json"}
    assert problems["y_schema.json"]["pointer"] == "/rules"
    # the same words kit replay uses for the same file
    for name, p in problems.items():
        alone = CliRunner().invoke(main, ["replay", str(src / name)])
        assert alone.exit_code == 3 and p["message"] in alone.output and p["message"] in r.output
    assert "2 trace files not loaded" in r.output
    assert ET.parse(junit).getroot().get("errors") == "2"


def test_a_raw_body_of_unknown_api_follows_its_advice(tmp_path):
    src = tmp_path / "traces"
    src.mkdir()
    (src / "n_unknown.sse").write_bytes(b'data: {"x": 1}\n\n')
    r = CliRunner().invoke(main, ["verify", "--traces", str(src), "--chunking", "recorded"])
    assert r.exit_code == 3 and "give --api" in r.output
    r = CliRunner().invoke(main, ["verify", "--traces", str(src), "--chunking", "recorded", "--api", "chat"])
    assert r.exit_code == 0, r.output
    # a --trace that selects nothing points at a listing of the traces it was given
    r = CliRunner().invoke(main, ["verify", "--traces", str(src), "--api", "chat", "--trace", "nothing_like_it"])
    assert r.exit_code == 2 and f"kit replay --all {src}" in r.output


def test_an_adapter_that_declares_nothing_is_said_in_every_report(tmp_path):
    args = ("--api", "chat", "--trace", "y_text_only", "--chunking", "recorded", "--no-repro")
    md, html = tmp_path / "r.md", tmp_path / "r.html"
    r = invoke("verify", "-a", "py:tests.impls:reference_plan", *args, "--json", str(tmp_path / "v.jsonl"),
               "--markdown", str(md), "--html", str(html))
    said = "py:tests.impls:reference_plan declares nothing: assumed all APIs, multi_choice=yes"
    assert r.exit_code == 0 and said in r.output and "__kit__" in r.output
    assert said in md.read_text() and said in html.read_text()
    head = records((tmp_path / "v.jsonl").read_text())[0]
    assert head["adapters"][0]["assumed"] == ["apis", "multi_choice"]
    for spec in ("py[apis=chat,multi_choice=no]:tests.impls:reference_plan", "reference"):
        r = invoke("verify", "-a", spec, *args, "--json", str(tmp_path / "w.jsonl"))
        assert "assumed" not in r.output
        assert records((tmp_path / "w.jsonl").read_text())[0]["adapters"][0]["assumed"] == []
    r = invoke("verify", "-a", "py[apis=chat]:tests.impls:reference_plan", *args)
    assert "declares no multi_choice: assumed multi_choice=yes" in r.output


def test_when_no_trace_file_loads_the_reports_still_name_them(tmp_path):
    src = tmp_path / "traces"
    src.mkdir()
    (src / "y_only.json").write_text("[1, 2")
    junit, md = tmp_path / "r.xml", tmp_path / "r.md"
    r = invoke("verify", "--traces", str(src), "--junit", str(junit), "--markdown", str(md))
    assert r.exit_code == 3, r.output
    assert "y_only.json: invalid JSON" in r.output and "no other trace to grade" in r.output
    root = ET.parse(junit).getroot()
    assert root.get("errors") == "1" and root.find("testsuite/testcase").get("name").endswith("y_only.json")
    assert "y_only.json: invalid JSON" in md.read_text()


def test_cases_not_run_leave_out_apis_the_adapter_does_not_declare():
    args = ("verify", "-a", "py[apis=chat]:tests.impls:dispatch_twice", "--chunking", "recorded", "--no-repro",
            "--json", "-")
    full = _verdicts(records(invoke(*args).stdout))
    chat = [v for v in full if v["api"] == "openai.chat.completions"]
    assert len(chat) < len(full)  # the other APIs are there as SKIPs
    recs = records(invoke(*args, "-x").stdout)
    graded = [v for v in _verdicts(recs) if v["api"] == "openai.chat.completions"]
    assert recs[-1]["stopped"]["not_run"] == len(chat) - len(graded) > 0


def test_dialect_selects_the_contract_or_a_dialect():
    from kit.trace import corpus

    def graded(*args: str) -> set[str]:
        result = CliRunner().invoke(main, ["verify", "-a", "reference-plan", "--chunking", "recorded", "--no-repro",
                                           "--json", "-", "-q", *args])
        assert result.exit_code == 0, result.output
        records = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
        return {r["trace"] for r in records if r.get("type") == "verdict"}

    traces = corpus()
    contract = {t.id for t in traces if t.dialect is None}
    index = {t.id for t in traces if t.dialect and t.dialect.startswith("tool-index")}
    assert contract and index and not contract & index
    assert graded("--dialect", "none") == contract
    assert graded("--dialect", "tool-index*") == index
    assert graded("--dialect", "none", "--dialect", "tool-index*") == contract | index
    result = CliRunner().invoke(main, ["verify", "-a", "reference-plan", "--dialect", "no-such-dialect"])
    assert result.exit_code == 2 and "--dialect 'no-such-dialect': no such dialect (kit dialects" in result.output
