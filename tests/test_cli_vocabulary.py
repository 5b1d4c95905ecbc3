"""One vocabulary across the ``kit`` commands (issue 13, item 5).

- every ``--api`` option takes the short and the full names, and words an unknown name the
  same way;
- ``--api`` naming another API than a trace's is a usage error, in every command that takes
  a trace and ``--api``; for a raw body it chooses how the body is read;
- a missing file, a file that is not JSON and a file against its schema give the same
  one-line wording and exit code 3 in every command that reads files;
- ``kit --help`` shows whole descriptions, ``kit`` alone shows the help and exits 0,
  ``kit verify --help`` lists every adapter kind;
- ``kit serve``'s bare ``/v1`` URLs serve a typical stream (text, then a tool call).
"""

from __future__ import annotations

import json
import re
import urllib.request
from dataclasses import replace
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from kit._options import ApiType
from kit.cli import main
from kit.errors import TraceError
from kit.replay import replay
from kit.trace import APIS, API_ALIASES, corpus, find, from_json, load

ROOT = Path(__file__).resolve().parent.parent
SHORT = {"chat": "openai.chat.completions", "responses": "openai.responses", "anthropic": "anthropic.messages"}


def _kit(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, [str(a) for a in args], env=env)


def _trace_file(tmp_path: Path, ident: str = "y_text_only", api: str = "chat") -> Path:
    t = find(ident, api=api)
    path = tmp_path / f"{t.id}.json"
    path.write_text(json.dumps(t.to_json()), encoding="utf-8")
    return path


def _sse_file(tmp_path: Path, ident: str = "y_text_only", api: str = "chat") -> Path:
    path = tmp_path / "body.sse"
    path.write_bytes(find(ident, api=api).body)
    return path


def _repro_file(tmp_path: Path, ident: str = "y_text_only", api: str = "chat") -> Path:
    path = tmp_path / "repro.json"
    doc = {"format": "kit-repro/1", "adapter": "reference", "chunking": "recorded",
           "trace": find(ident, api=api).to_json()}
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _commands() -> dict[str, click.Command]:
    """Every command and subcommand of ``kit``, by its full name (lazy ones loaded)."""
    out: dict[str, click.Command] = {}

    def walk(group: click.Group, prefix: str) -> None:
        ctx = click.Context(group)
        for name in group.list_commands(ctx):
            cmd = group.get_command(ctx, name)
            out[f"{prefix}{name}"] = cmd
            if isinstance(cmd, click.Group):
                walk(cmd, f"{prefix}{name} ")

    walk(main, "")
    return out


# -- 1. --api: the short names and the full names, everywhere ------------------------------------


def test_every_api_option_is_the_shared_type_and_help_shows_the_short_names():
    found = []
    for name, cmd in _commands().items():
        for p in cmd.params:
            if "--api" in getattr(p, "opts", ()):
                found.append(name)
                assert isinstance(p.type, ApiType), f"kit {name} --api is not the shared API type"
                help_text = " ".join(cmd.get_help(click.Context(cmd, info_name=name)).split())
                assert "[chat|responses|anthropic|gemini]" in help_text, name
    # the commands that take --api today; a new one is checked by the loop above
    assert {"replay", "lint", "verify", "promote", "import", "record"} <= set(found), found


def test_every_short_name_maps_to_its_full_name():
    t = ApiType()
    for short, full in SHORT.items():
        assert API_ALIASES[short] == full
        assert t.convert(short, None, None) == full and t.convert(full, None, None) == full


UNKNOWN_API = [
    ["replay", "y_text_only", "--api", "klingon"],
    ["lint", "y_text_only", "--api", "klingon"],
    ["verify", "--api", "klingon"],
    ["promote", "x.json", "--to", "out", "--api", "klingon"],
    ["import", "x.sse", "--to", "out", "--api", "klingon"],
    ["record", "--api", "klingon", "--model", "m", "--prompt", "p"],
    ["serve", "--default", "klingon=y_text_only"],
]


def test_an_unknown_api_is_worded_the_same_in_every_command():
    reasons = set()
    for args in UNKNOWN_API:
        r = _kit(*args)
        assert r.exit_code == 2, (args, r.output)
        m = re.search(r"Error: Invalid value for '--(?:api|default)': (.*)", r.stderr)
        assert m, (args, r.stderr)
        reasons.add(m.group(1))
    assert len(reasons) == 1, reasons
    (reason,) = reasons
    assert reason.startswith("unknown API 'klingon'; expected chat, responses, anthropic or gemini")
    assert all(api in reason for api in APIS)


@pytest.mark.parametrize("short, full", sorted(SHORT.items()))
def test_replay_and_lint_take_both_names(short, full, tmp_path):
    ident = "y_text_only"
    a = _kit("replay", ident, "--api", short, "--json")
    b = _kit("replay", ident, "--api", full, "--json")
    assert a.exit_code == b.exit_code == 0, a.output + b.output
    assert a.stdout == b.stdout and json.loads(a.stdout)["api"] == full
    path = _trace_file(tmp_path, ident, short)
    a, b = _kit("lint", path, "--api", short), _kit("lint", path, "--api", full)
    assert a.exit_code == b.exit_code and a.stdout == b.stdout and a.exit_code in (0, 1), a.output


def test_verify_takes_both_names():
    args = ["verify", "--trace", "y_text_only", "--chunking", "whole", "-q", "--no-repro", "--json", "-"]
    runs = {name: _kit(*args, "--api", name) for name in ("responses", "openai.responses")}
    apis = set()
    for name, r in runs.items():
        assert r.exit_code == 0, r.output
        records = [json.loads(line) for line in r.stdout.splitlines() if line.strip()]
        apis |= {rec["api"] for rec in records if rec.get("type") == "verdict"}
    assert apis == {"openai.responses"}


def test_promote_and_import_take_both_names(tmp_path):
    body = _sse_file(tmp_path, "y_text_only", "anthropic")
    for n, name in enumerate(("anthropic", "anthropic.messages")):
        r = _kit("promote", body, "--to", tmp_path / f"p{n}", "--api", name)
        assert r.exit_code == 0, r.output
        assert load(r.stdout.strip()).api == "anthropic.messages"
        r = _kit("import", body, "--to", tmp_path / f"i{n}", "--api", name)
        assert r.exit_code == 0, r.output
        (written,) = (tmp_path / f"i{n}").glob("*.json")
        assert load(written).api == "anthropic.messages"


def test_record_takes_both_names():
    # no key: the message names the key of the API the option was understood as
    for name in ("anthropic", "anthropic.messages"):
        r = _kit("record", "--api", name, "--model", "m", "--prompt", "p", env={"ANTHROPIC_API_KEY": ""})
        assert r.exit_code == 2 and "set ANTHROPIC_API_KEY" in r.stderr, r.output
    for name in ("chat", "openai.chat.completions"):
        r = _kit("record", "--api", name, "--model", "m", "--prompt", "p", env={"OPENAI_API_KEY": ""})
        assert r.exit_code == 2 and "set OPENAI_API_KEY" in r.stderr, r.output


def test_serve_default_takes_both_names():
    for name in ("chat", "openai.chat.completions"):
        r = _kit("serve", "--default", f"{name}=no_such_trace", "--port", "0")
        assert r.exit_code == 2 and "no openai.chat.completions trace 'no_such_trace'" in r.stderr, r.output


# -- 2. --api naming another API than the trace's -------------------------------------------------


def _mismatch(r, ident: str) -> None:
    lines = [x for x in r.stderr.splitlines() if x.strip()]
    assert r.exit_code == 2, r.output
    assert len(lines) == 1 and "Traceback" not in r.output, r.output
    assert lines[0] == f"kit: {ident}: the trace is openai.chat.completions, not anthropic.messages", lines


@pytest.mark.parametrize("command", ["replay", "lint"])
def test_api_of_another_trace_is_a_usage_error(command, tmp_path):
    trace, repro = _trace_file(tmp_path), _repro_file(tmp_path)
    for ident in (str(trace), str(repro), "y_text_then_tool_call"):
        _mismatch(_kit(command, ident, "--api", "anthropic"), ident)
    # the same trace with its own API (short or full name) replays
    for ident in (str(trace), str(repro), "y_text_then_tool_call"):
        assert _kit(command, ident, "--api", "chat").exit_code in (0, 1)


def test_promote_with_the_api_of_another_trace_is_a_usage_error(tmp_path):
    for path in (_trace_file(tmp_path), _repro_file(tmp_path)):
        _mismatch(_kit("promote", path, "--to", tmp_path / "out", "--api", "anthropic"), str(path))
    assert not (tmp_path / "out").exists()


def test_api_picks_among_bundled_traces_with_the_same_id():
    # y_text_only is in every API: --api says which one
    for short, full in SHORT.items():
        r = _kit("replay", "y_text_only", "--api", short, "--json")
        assert r.exit_code == 0 and json.loads(r.stdout)["api"] == full


def test_api_still_chooses_how_a_raw_body_is_read(tmp_path):
    body = _sse_file(tmp_path, "y_text_only", "chat")
    detected = _kit("replay", body, "--json")
    assert detected.exit_code == 0 and "detected openai.chat.completions" in detected.stderr
    given = _kit("replay", body, "--json", "--api", "chat")
    assert given.exit_code == 0 and "detected" not in given.stderr
    assert json.loads(given.stdout) == json.loads(detected.stdout)
    forced = _kit("replay", body, "--json", "--api", "responses")  # read as Responses: it is not one
    assert forced.exit_code != 2 and json.loads(forced.stdout)["api"] == "openai.responses"
    assert json.loads(forced.stdout) != json.loads(given.stdout)


def test_import_skips_an_interaction_whose_path_names_another_api(tmp_path):
    t = find("y_text_only", api="chat")
    har = {"log": {"entries": [{
        "request": {"method": "POST", "url": "https://api.openai.com/v1/chat/completions", "headers": [],
                    "postData": {"mimeType": "application/json", "text": "{}"}},
        "response": {"status": 200, "headers": [{"name": "content-type", "value": "text/event-stream"}],
                     "content": {"mimeType": "text/event-stream", "text": t.body.decode()}}}]}}
    path = tmp_path / "rec.har"
    path.write_text(json.dumps(har), encoding="utf-8")
    other = _kit("import", path, "--to", tmp_path / "a", "--api", "anthropic")
    assert other.exit_code == 1 and "openai.chat.completions, not --api anthropic.messages" in other.stdout
    assert not list((tmp_path / "a").glob("*.json"))
    same = _kit("import", path, "--to", tmp_path / "b", "--api", "chat")
    assert same.exit_code == 0 and len(list((tmp_path / "b").glob("*.json"))) == 1, same.output


# -- 3. missing and broken files: one wording, exit code 3 -----------------------------------------


def _reader_commands(path: str, tmp: Path) -> dict[str, list[str]]:
    """Each command (and option) that reads the file ``path``."""
    return {
        "replay": ["replay", path],
        "lint": ["lint", path],
        "verify --traces": ["verify", "--traces", path, "-q", "--no-repro"],
        "verify --expectations": ["verify", "--expectations", path, "--trace", "y_text_only", "-q", "--no-repro"],
        "verify --repro": ["verify", "--repro", path],
        "serve": ["serve", path, "--port", "0", "--list"],
        "import": ["import", path, "--to", str(tmp / "imported")],
        "promote": ["promote", path, "--to", str(tmp / "promoted")],
        "record --request": ["record", "--api", "chat", "--model", "m", "--request", path],
        "record --tools": ["record", "--api", "chat", "--model", "m", "--prompt", "p", "--tools", path],
    }


READERS = list(_reader_commands("x", Path(".")))
RECORD_ENV = {"OPENAI_API_KEY": "sk-test-not-used"}


def _one_error_line(r) -> str:
    lines = [x for x in r.stderr.splitlines() if x.strip()]
    assert "Traceback" not in r.output, r.output
    assert len(lines) == 1, r.output
    return lines[0]


def _file_error(command: str, r) -> str:
    """The error line of a command that could not load a file, as ``kit: PATH...: WHY``. ``kit
    verify --traces`` grades the files that load and lists the others in its report, each
    with the same words (``  PATH...: WHY``); every other command stops with one line."""
    if command == "verify --traces":
        listed = [x.strip() for x in r.stdout.splitlines() if x.startswith("  ") and ": " in x]
        assert len(listed) == 1 and "Traceback" not in r.output, r.output
        return f"kit: {listed[0]}"
    return _one_error_line(r)


@pytest.mark.parametrize("command", READERS)
def test_a_missing_file_is_worded_the_same_everywhere(command, tmp_path):
    path = str(tmp_path / "missing.json")
    r = _kit(*_reader_commands(path, tmp_path)[command], env=RECORD_ENV)
    assert r.exit_code == 3, r.output
    assert _one_error_line(r) == f"kit: {path}: no such file or folder"


@pytest.mark.parametrize("command", READERS)
def test_a_file_that_is_not_json_is_worded_the_same_everywhere(command, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("not json at all", encoding="utf-8")
    r = _kit(*_reader_commands(str(path), tmp_path)[command], env=RECORD_ENV)
    assert r.exit_code == 3, r.output
    assert _file_error(command, r) == f"kit: {path}: invalid JSON at line 1 column 1: Expecting value"


@pytest.mark.parametrize("command", ["replay", "lint", "verify --traces", "serve", "promote"])
def test_a_trace_against_its_schema_is_worded_the_same_everywhere(command, tmp_path):
    doc = find("y_text_only", api="chat").to_json()
    doc["class"] = "q"
    path = tmp_path / "y_bad.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(TraceError) as info:
        load(path)
    assert "/class" in info.value.one_line()
    r = _kit(*_reader_commands(str(path), tmp_path)[command])
    assert r.exit_code == 3, r.output
    assert _file_error(command, r) == f"kit: {info.value.one_line()}"


@pytest.mark.parametrize("command, content", [
    ("verify --expectations", '{"known": [{"adapter": "a", "trace": "t"}]}'),
    ("verify --repro", '{"format": "something-else"}'),
    ("record --request", "[1, 2]"),
    ("record --tools", '{"tools": 3}'),
])
def test_other_files_against_their_shape_are_exit_3_naming_the_file(command, content, tmp_path):
    path = tmp_path / "shape.json"
    path.write_text(content, encoding="utf-8")
    r = _kit(*_reader_commands(str(path), tmp_path)[command], env=RECORD_ENV)
    assert r.exit_code == 3, r.output
    assert re.match(rf"kit: {re.escape(str(path))}( at /\S*)?: \S", _one_error_line(r))


def test_matrix_results_missing_or_broken(tmp_path):
    missing = tmp_path / "nope"
    for args in (["report", "--check", "--results", missing], ["gaps", missing],
                 ["run", "--traces", missing, "-a", "litellm-chat"]):
        r = _kit("matrix", "--root", ROOT, *args)
        assert r.exit_code == 3 and _one_error_line(r) == f"kit: {missing}: no such file or folder", r.output
    (tmp_path / "res").mkdir()
    (tmp_path / "res" / "x.jsonl").write_text("not json\n", encoding="utf-8")
    r = _kit("matrix", "--root", ROOT, "report", "--check", "--results", tmp_path / "res")
    assert r.exit_code == 3, r.output
    assert _one_error_line(r).startswith(f"kit: {tmp_path / 'res' / 'x.jsonl'}: line 1: invalid JSON")


def test_docs_with_a_missing_file(tmp_path):
    path = tmp_path / "conformance.md"
    r = _kit("docs", "--check", "--file", path)
    assert r.exit_code == 3 and _one_error_line(r).startswith(f"kit: {path}: no such file or folder"), r.output


def test_an_output_path_that_cannot_be_written_is_worded_the_same(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    target = blocker / "sub"  # under a file: no folder can be made there
    r = _kit("promote", _trace_file(tmp_path), "--to", target)
    assert r.exit_code == 2 and re.fullmatch(rf"kit: {re.escape(str(target))}/\S+: cannot write: .+",
                                             _one_error_line(r)), r.output
    r = _kit("verify", "--trace", "y_text_only", "--chunking", "whole", "-q", "--junit", target / "r.xml")
    assert r.exit_code == 2 and _one_error_line(r).startswith(f"kit: {target / 'r.xml'}: cannot write: "), r.output


def test_long_schema_messages_are_not_cut_mid_word():
    doc = find("y_text_only", api="chat").to_json()
    doc["description"] = {"words": " ".join(f"word{i}" for i in range(200))}
    with pytest.raises(TraceError) as info:
        from_json(doc, path="t.json")
    message = str(info.value).split(": ", 1)[1]
    assert message.endswith(" ...") and len(message) < 260
    kept = message[: -len(" ...")]
    full = f"{doc['description']!r} is not of type 'string'"
    assert full.startswith(kept) and full[len(kept)] in " ,;:", (kept[-20:], full[len(kept):][:20])


# -- 4. help -----------------------------------------------------------------------------------------


def _first_sentence(text: str) -> str:
    words = text.split("\n\n")[0].split()
    for i, w in enumerate(words):
        if w.endswith(".") and (i == len(words) - 1 or not words[i + 1][0].islower()):
            return " ".join(words[: i + 1])
    return " ".join(words)


def test_kit_help_shows_whole_command_descriptions():
    r = _kit("--help")
    assert r.exit_code == 0
    section = r.stdout.split("Commands:", 1)[1].split("Exit codes", 1)[0]
    flat = " ".join(section.split())
    assert "..." not in section
    for name in main.list_commands(click.Context(main)):
        cmd = main.get_command(click.Context(main), name)
        assert f"{name} {_first_sentence(cmd.help)}" in flat, name


def test_kit_alone_shows_the_help_and_exits_0():
    alone, asked = _kit(), _kit("--help")
    assert alone.exit_code == 0 and asked.exit_code == 0
    assert alone.stdout == asked.stdout and "Commands:" in alone.stdout


def test_verify_help_lists_every_adapter_kind():
    from kit.adapters import BUILTIN, load_adapter

    text = _kit("verify", "--help").stdout
    block = text.split("Adapters (--adapter SPEC", 1)[1].split("Examples:", 1)[0]
    lines = [x.strip() for x in block.splitlines()[1:] if x.strip()]
    kinds = [x.split()[0] for x in lines if re.match(r"^[a-z]+:\S*\s", x)]
    assert kinds == ["py:MODULE:ATTR", "exec:COMMAND", "http:COMMAND", "client:MODULE:ATTR"]
    # every kind the help names is one load_adapter knows (an unknown kind is a usage error naming it)
    from kit.errors import UsageError

    with pytest.raises(UsageError, match="unknown kind 'nosuch'; expected py, exec, http or client"):
        load_adapter("nosuch:x")
    bundled = next(x for x in lines if x.startswith("NAME"))
    named = re.findall(r"[a-z][a-z0-9-]+(?=,)", bundled.split(":", 1)[1])
    assert named and all(n in BUILTIN for n in named), named


# -- 5. kit serve: the bare /v1 URLs serve a typical stream --------------------------------------------


def _kinds(trace) -> list[list[str]]:
    return [[c["type"] for c in ch["commands"]] for ch in replay(trace, chunking="whole").plan["choices"]]


def test_the_bundled_corpus_tags_one_typical_stream_per_api():
    tagged = [t for t in corpus() if "typical" in t.tags]
    assert sorted(t.api for t in tagged) == sorted(APIS)
    for t in tagged:
        assert t.cls == "y" and _kinds(t) == [["SAY", "DO"]], t.name
        assert not replay(t, chunking="whole", profile="lenient").errors


def test_serve_bare_v1_serves_the_typical_trace():
    from kit.serve import ReplayServer
    from kit.trace import ENDPOINTS

    traces = corpus()
    with ReplayServer(traces) as srv:
        for api, endpoint in ENDPOINTS.items():
            req = urllib.request.Request(f"{srv.base_url}/v1/{endpoint}", data=b"{}", method="POST")
            with urllib.request.urlopen(req, timeout=10) as resp:
                served = resp.headers["x-kit-trace"]
                resp.read()
            (typical,) = [t for t in traces if t.api == api and "typical" in t.tags]
            assert served == typical.name


def test_without_a_tag_the_default_is_a_text_then_call_stream_not_the_first_by_name():
    from kit.serve import default_traces

    untagged = [replace(t, tags=[]) for t in corpus()]
    chosen = default_traces(untagged)
    assert set(chosen) == set(APIS)
    for api, t in chosen.items():
        first_y = min((u for u in untagged if u.api == api and u.cls == "y"), key=lambda u: u.id)
        assert t.cls == "y" and _kinds(t) == [["SAY", "DO"]], t.name
        assert t.id != first_y.id or _kinds(first_y) == [["SAY", "DO"]]
    # a folder with no such stream: the first y_ trace
    only_text = [t for t in untagged if t.id == "y_text_only"]
    assert {t.api: t.id for t in default_traces(only_text).values()} == {t.api: "y_text_only" for t in only_text}


def test_serve_help_documents_the_default():
    text = " ".join(_kit("serve", "--help").stdout.split())
    assert 'tagged "typical"' in text and "text then one tool call" in text
