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
    (["replay", "--all", "/definitely/not/here"], 3, "no such file or folder"),
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


# -- lazy subcommands (bench/README.md: start-up) --------------------------------------------------


def test_replay_does_not_import_other_commands(tmp_path):
    """Resolving and running `kit replay` imports none of the other commands' modules."""
    p = tmp_path / "s.sse"
    p.write_bytes(GOOD)
    code = ("import sys, click\n"
            "from kit.cli import main\n"
            "ctx = click.Context(main)\n"
            "assert main.get_command(ctx, 'replay') is not None\n"
            "try:\n"
            f"    main(['replay', '--api', 'openai.chat.completions', '--json', {str(p)!r}])\n"
            "except SystemExit as exc:\n"
            "    assert exc.code == 0, exc.code\n"
            "heavy = ['kit.record', 'kit.serve', 'kit.serve_command', 'kit.matrix', 'kit.matrix_command',\n"
            "         'kit.importers', 'kit.promote', 'kit.verify', 'kit.verify.command', 'http.server', 'ssl',\n"
            "         'jsonschema']\n"
            "print(sorted(m for m in heavy if m in sys.modules))\n")
    p2 = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert p2.returncode == 0, p2.stderr
    assert p2.stdout.strip().splitlines()[-1] == "[]"


def test_help_lists_every_command_without_importing_them():
    """`kit --help` lists every command with the summary its own help gives, importing none."""
    code = ("import sys, click\n"
            "from click.testing import CliRunner\n"
            "from kit.cli import main\n"
            "out = CliRunner().invoke(main, ['--help']).output\n"
            "print(sorted(m for m in ('kit.record', 'kit.verify', 'kit.matrix_command', 'kit.importers',\n"
            "                         'kit.promote', 'kit.serve_command') if m in sys.modules))\n")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "[]"
    lazy_help = invoke("--help").output
    import click

    ctx = click.Context(main)
    names = main.list_commands(ctx)
    assert {"verify", "promote", "import", "serve", "record", "matrix", "replay", "lint", "docs"} <= set(names)
    for name in main.lazy_commands:
        cmd = main.get_command(ctx, name)  # imports it: its own help, not the registered summary
        for limit in (45, 1000):
            shown = click.Command(name, help=main.lazy_commands[name][2]).get_short_help_str(limit)
            assert shown == cmd.get_short_help_str(limit), f"kit.cli's summary of `{name}` differs from its help"
    assert invoke("--help").output == lazy_help  # the same listing once every command is loaded
    for name in names:
        assert f"  {name} " in lazy_help


def test_lazy_command_runs_and_shows_its_own_help():
    r = invoke("promote", "--help")
    assert r.exit_code == 0 and "promote [OPTIONS]" in r.output
    r = invoke("no-such-command")
    assert r.exit_code == 2 and "No such command" in r.output
