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
    (("--expectations", "/nonexistent/known.json"), "cannot read"),
    (("--mutants", "--adapter", "reference"), "takes no --adapter"),
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
