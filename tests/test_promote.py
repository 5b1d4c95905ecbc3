"""kit.properties.conforms (grading inside a property test, promoting counterexamples) and
`kit promote`."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings

import kit
import kit.properties
from kit import strategies as ks
from kit.adapters import mutants
from kit.adapters.builtin import reference
from kit.cli import main
from kit.script import ChatDialect, Script, Text, Tool
from kit.trace import load

CHAT = "openai.chat.completions"
FAST = dict(deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))


def forgets_calls(reads, *, api):
    """A broken implementation: the reference's plan without its tool calls."""
    plan = kit.replay_reads(api, list(reads)).plan
    for choice in plan["choices"]:
        choice["commands"] = [c for c in choice["commands"] if c["type"] != "DO"]
    return plan


def _text_after_tool() -> kit.Trace:
    script = Script([Text("Let me check. "), Tool("get_weather", '{"city":"Oslo"}', "call_1"), Text("Done.")])
    return ks.make_trace(CHAT, script, ChatDialect())


def _command(message: str) -> list[str]:
    last = message.strip().splitlines()[-1].strip()
    assert last.startswith("re-run: kit "), message
    return shlex.split(last[len("re-run: kit "):])


def _promoted(message: str) -> Path:
    line = next(x for x in message.splitlines() if x.strip().startswith("promoted: "))
    return Path(line.split("promoted: ", 1)[1].split(" (", 1)[0])


# -- conforms ----------------------------------------------------------------------------------


@pytest.mark.parametrize("api", ["chat", "responses", "anthropic"])
def test_the_reference_conforms_on_generated_traces(api, tmp_path):
    @settings(max_examples=15, **FAST)
    @given(ks.traces(api=api), ks.chunk_plans())
    def check(trace, plan):
        (rec,) = kit.properties.conforms(reference, trace, chunking=plan, promote_dir=tmp_path)
        assert rec["verdict"] == "PASS", rec

    check()
    assert not list(tmp_path.iterdir())  # nothing promoted


def test_conforms_takes_specs_ids_and_the_whole_corpus():
    (rec,) = kit.properties.conforms("reference", "y_parallel_interleaved", chunking="bytewise")
    assert rec["verdict"] == "PASS"
    records = kit.properties.conforms("reference", api="anthropic")
    assert records and all(r["verdict"] in ("PASS", "INFO") for r in records)
    assert {r["api"] for r in records} == {"anthropic.messages"}


def test_a_mutant_fails_with_the_rule_and_a_promoted_file_that_kit_verify_reproduces(tmp_path, monkeypatch):
    monkeypatch.setenv("KIT_PROMOTE_DIR", str(tmp_path / "promoted"))
    monkeypatch.chdir(tmp_path)
    m07 = mutants.load("m07_text_after_tool_merged").accumulate
    trace = _text_after_tool()
    with pytest.raises(AssertionError) as err:
        kit.properties.conforms(m07, trace, chunking="bytewise")
    message = str(err.value)
    assert message.startswith("FAIL chat-text-after-tool: ")
    path = _promoted(message)
    assert path.is_file() and path.parent == tmp_path / "promoted"
    promoted = load(path)
    assert promoted.body == trace.body and promoted.cls == "y"
    prov = promoted.provenance
    assert prov["kind"] == "promoted" and prov["chunking"] == "bytewise"
    assert prov["adapter"] == "py:kit.adapters.mutants.m07_text_after_tool_merged:accumulate"
    assert prov["versions"]["kit"] == kit.__version__ and prov["origin"]["generator"] == "kit.strategies.traces"
    assert prov["verdict"]["rule"] == "chat-text-after-tool"
    args = _command(message)
    assert args[:2] == ["verify", "--adapter"] and args[-2:] == ["--chunking", "bytewise"]
    r = CliRunner().invoke(main, args + ["--no-repro"])
    assert r.exit_code == 1, r.output
    assert "FAIL" in r.output and "chat-text-after-tool" in r.output


def test_inside_hypothesis_the_reported_example_is_promoted_with_its_blob(tmp_path):
    @settings(max_examples=60, **FAST)
    @given(ks.traces(api="chat", classes="y", max_steps=4), ks.chunk_plans())
    def test_mine(trace, plan):
        kit.properties.conforms(forgets_calls, trace, chunking=plan, promote_dir=tmp_path)

    with pytest.raises(AssertionError) as err:
        test_mine()
    message = str(err.value)
    assert message.startswith("FAIL chat-")
    files = list(tmp_path.iterdir())
    assert len(files) == 1  # the shrunk example replaced the ones before it
    assert _promoted(message) == files[0]
    prov = load(files[0]).provenance
    assert prov["hypothesis"]["blob"] and prov["hypothesis"]["version"]
    assert prov["test"].endswith("test_inside_hypothesis_the_reported_example_is_promoted_with_its_blob")
    args = _command(message)
    assert args[2] == "py:tests.test_promote:forgets_calls"
    r = CliRunner().invoke(main, args + ["--no-repro"])
    assert r.exit_code == 1 and "FAIL" in r.output, r.output


def test_a_callable_that_cannot_be_imported_gets_the_replay_command(tmp_path):
    def local(reads, *, api):
        return forgets_calls(reads, api=api)

    with pytest.raises(AssertionError) as err:
        kit.properties.conforms(local, _text_after_tool(), promote_dir=tmp_path)
    last = str(err.value).splitlines()[-1].strip()
    path = _promoted(str(err.value))
    assert last == f"re-run: kit replay {path.as_posix()} --chunking recorded"
    assert path.is_file()


def test_strict_counts_nonstrict_and_skips_are_rejected_in_hypothesis(tmp_path):
    buffered = mutants.load("s02_text_buffered").accumulate
    trace = ks.make_trace(CHAT, Script([Text("Hello there, this is a longer text.")]), ChatDialect())
    (rec,) = kit.properties.conforms(buffered, trace, chunking="event", promote_dir=tmp_path)
    assert rec["verdict"] == "NONSTRICT"
    with pytest.raises(AssertionError, match="^NONSTRICT plan-text-streamed"):
        kit.properties.conforms(buffered, trace, chunking="event", strict=True, promote_dir=tmp_path)

    @kit.adapters.implementation(apis=["chat"])
    def chat_only(reads, *, api):
        return kit.replay_reads(api, list(reads)).plan

    ran = []

    @settings(max_examples=10, **FAST)
    @given(ks.traces())
    def check(trace):
        kit.properties.conforms(chat_only, trace, promote_dir=tmp_path)
        ran.append(trace.api)

    check()
    assert ran and set(ran) == {CHAT}


# -- kit promote -----------------------------------------------------------------------------


def _cli(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def promoted(tmp_path) -> Path:
    with pytest.raises(AssertionError) as err:
        kit.properties.conforms(forgets_calls, _text_after_tool(), promote_dir=tmp_path / "promoted")
    return _promoted(str(err.value))


def test_promote_adds_the_trace_under_a_fresh_id(promoted, tmp_path):
    folder = tmp_path / "traces" / CHAT
    r = _cli("promote", str(promoted), "--to", str(folder))
    assert r.exit_code == 0, r.output
    new = Path(r.output.strip())
    assert new.parent == folder and new.name.startswith("y_promoted_") and new.suffix == ".json"
    t = load(new)
    assert t.id == new.stem and t.body == load(promoted).body
    assert t.provenance["kind"] == "promoted" and "hypothesis" not in t.provenance  # no hypothesis run made it
    assert t.provenance["chunking"] == "recorded" and t.provenance["promoted_from"] == load(promoted).id
    r = _cli("promote", str(promoted), "--to", str(folder.parent / "other"), "--name", "Text after a tool call")
    assert r.exit_code == 0, r.output
    assert Path(r.output.strip()).name == "y_text_after_a_tool_call.json"
    r = _cli("replay", "--all", str(tmp_path / "traces"))
    assert r.exit_code == 0, r.output


def test_promote_refuses_duplicates_and_taken_names(promoted, tmp_path):
    folder = tmp_path / CHAT
    assert _cli("promote", str(promoted), "--to", str(folder), "--name", "first").exit_code == 0
    r = _cli("promote", str(promoted), "--to", str(folder))
    assert r.exit_code == 2 and "already has this trace, as 'y_first'" in r.output
    other = tmp_path / "other.json"
    doc = json.loads(promoted.read_text())
    doc["body"] = ": another trace\n\n" + doc["body"] if isinstance(doc["body"], str) else \
        [": another trace\n\n"] + doc["body"]
    other.write_text(json.dumps(doc))
    r = _cli("promote", str(other), "--to", str(folder), "--name", "y_first")
    assert r.exit_code == 2 and "already has a trace 'y_first'" in r.output
    (folder / "y_taken.json").write_text("{}")  # a name is taken even by a file that is not a trace
    r = _cli("promote", str(other), "--to", str(folder), "--name", "taken")
    assert r.exit_code == 2 and "y_taken" in r.output
    assert (folder / "y_taken.json").read_text() == "{}"


def test_promote_errors_are_one_line_with_exit_codes(promoted, tmp_path):
    r = _cli("promote", str(tmp_path / "missing.json"), "--to", str(tmp_path / "c"))
    assert r.exit_code == 3 and "no such file" in r.output and "Traceback" not in r.output
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "kit-trace/1", "id": "y_x", "api": CHAT, "class": "y"}))
    r = _cli("promote", str(bad), "--to", str(tmp_path / "c"))
    assert r.exit_code == 3 and "bad.json" in r.output
    r = _cli("promote", str(promoted), "--to", str(tmp_path / "openai.responses"))
    assert r.exit_code == 2 and "is the folder of openai.responses" in r.output
    r = _cli("promote", str(promoted), "--to", str(tmp_path / "c"), "--name", "n_wrong_class")
    assert r.exit_code == 2 and "class" in r.output
    lying = tmp_path / "lying.json"
    doc = json.loads(promoted.read_text())
    doc["class"], doc["id"] = "n", "n_" + doc["id"][2:]
    lying.write_text(json.dumps(doc))
    r = _cli("promote", str(lying), "--to", str(tmp_path / "c"))
    assert r.exit_code == 1 and "must behave as its class says" in r.output
    r = _cli("promote", str(promoted))
    assert r.exit_code == 2 and "--to" in r.output
    for line in (tmp_path / "c").glob("*"):
        pytest.fail(f"nothing should have been written: {line}")
