"""The CLI: commands, exit codes, and bad input as one line without a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kit.cli import main

from .helpers import body, chunk_obj, frag, tools

GOOD = body(chunk_obj({"content": "Hi"}), tools(frag(0, id="c1", name="f", type_="function", args='{"a":1}')),
            chunk_obj({}, finish="tool_calls"))
TRUNCATED = body(tools(frag(0, id="c1", name="f", type_="function", args='{"a":')), done=False)


def invoke(*args, **kw):
    return CliRunner().invoke(main, list(args), catch_exceptions=False, **kw)


@pytest.fixture
def sse(tmp_path):
    def make(data: bytes, name="s.sse"):
        p = tmp_path / name
        p.write_bytes(data)
        return str(p)
    return make


def test_help_lists_commands_and_exit_codes():
    r = invoke("--help")
    assert r.exit_code == 0
    for word in ("replay", "lint", "Exit codes", "70"):
        assert word in r.output


def test_replay_timeline_and_plan(sse):
    r = invoke("replay", sse(GOOD))
    assert r.exit_code == 0, r.output
    assert "tool_call.done[0] call 0 f(" in r.output and 'DO  f {"a":1}' in r.output and "SAY \"Hi\"" in r.output


def test_replay_json_is_the_plan_document(sse):
    r = invoke("replay", sse(GOOD), "--json", "--chunking", "bytewise")
    doc = json.loads(r.stdout)
    assert "detected openai.chat.completions" in r.stderr
    assert doc["type"] == "plan" and doc["choices"][0]["commands"][1]["parameters"] == {"a": 1}


def test_replay_of_broken_stream_exits_1(sse):
    r = invoke("replay", sse(TRUNCATED), "--api", "openai.chat.completions")
    assert r.exit_code == 1
    assert "rule chat-truncated" in r.output and "(not dispatched)" in r.output


def test_lint_strict_exit_codes(sse):
    clean = invoke("lint", sse(GOOD))
    assert clean.exit_code == 0, clean.output
    dialect = body(tools(frag(None, id="c1", name="f", type_="function", args="{}")), chunk_obj({}, finish="tool_calls"))
    r = invoke("lint", sse(dialect))
    assert r.exit_code == 1 and "rule chat-tool-index-missing" in r.output
    assert invoke("lint", sse(dialect), "--profile", "lenient").exit_code == 0
    js = invoke("lint", sse(dialect), "--json")
    assert json.loads(js.stdout.splitlines()[0])["rule"] == "chat-tool-index-missing"


def test_replay_all_bundled_corpus():
    r = invoke("replay", "--all")
    assert r.exit_code == 0, r.output
    last = r.output.strip().splitlines()[-1]
    assert "as their class says, 0 not" in last


def test_replay_all_reports_trace_not_behaving_as_its_class(tmp_path):
    doc = {"format": "kit-trace/1", "id": "y_actually_truncated", "api": "openai.chat.completions", "class": "y",
           "description": "mislabelled", "rules": [], "provenance": {"kind": "synthetic"}, "body": TRUNCATED.decode()}
    (tmp_path / "y_actually_truncated.json").write_text(json.dumps(doc))
    r = invoke("replay", "--all", str(tmp_path))
    assert r.exit_code == 1
    assert "FAIL y y_actually_truncated" in r.output and "chat-truncated" in r.output


@pytest.mark.parametrize("args,code,words", [
    (["replay", "nope.json"], 3, "no such file"),
    (["replay", "no_such_trace_id"], 2, "no bundled trace"),
    (["replay", "x", "--chunking", "fixed:0"], 2, "unknown chunk plan"),
    (["replay"], 2, "give a TRACE"),
    (["replay", "--all", "/definitely/not/here"], 2, "no such folder"),
])
def test_bad_input_one_line_no_traceback(args, code, words):
    r = CliRunner().invoke(main, args)
    assert r.exit_code == code, r.output
    assert words in r.output
    assert "Traceback" not in r.output


def test_corrupt_trace_file_names_pointer(tmp_path):
    p = tmp_path / "bad.json"
    p.write_text(json.dumps({"format": "kit-trace/1", "id": "Bad Id", "api": "openai.chat.completions", "class": "y",
                             "description": "d", "rules": [], "provenance": {"kind": "synthetic"}, "body": ""}))
    r = CliRunner().invoke(main, ["replay", str(p)])
    assert r.exit_code == 3
    assert f"{p} at /id:" in r.output and "Traceback" not in r.output


def test_internal_error_is_one_line(monkeypatch, sse):
    import importlib

    replay_module = importlib.import_module("kit.replay")

    def boom(*a, **k):
        raise ZeroDivisionError("oops")

    monkeypatch.setattr(replay_module, "replay", boom)
    monkeypatch.delenv("KIT_DEBUG", raising=False)
    r = CliRunner().invoke(main, ["replay", sse(GOOD)])
    assert r.exit_code == 70 and "internal error: ZeroDivisionError: oops" in r.output and "Traceback" not in r.output


def test_docs_check_in_repository():
    repo = Path(__file__).resolve().parent.parent
    r = CliRunner().invoke(main, ["docs", "--check", "--file", str(repo / "conformance.md")])
    assert r.exit_code == 0, r.output


def test_real_subprocess_run(sse):
    """One real process: the console entry point, stdout/stderr and exit code as a user sees them."""
    path = sse(TRUNCATED)
    env = dict(os.environ)
    env.pop("KIT_DEBUG", None)
    p = subprocess.run([sys.executable, "-m", "kit.cli", "replay", path, "--json"], capture_output=True, text=True,
                       env=env, timeout=60)
    assert p.returncode == 1
    assert json.loads(p.stdout)["choices"][0]["commands"][0]["dispatched"] is False
    bad = subprocess.run([sys.executable, "-m", "kit.cli", "replay", path + ".missing"], capture_output=True, text=True,
                         env=env, timeout=60)
    assert bad.returncode == 3 and bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr
