"""Every real recorded Chat Completions stream in ../shared/real-traces replays cleanly
and yields the tool names and call ids its manifest lists (skipped with a reason when the
shared folder is absent)."""

from __future__ import annotations

import pytest

from kit.replay import replay
from kit.trace import load

from .conftest import REAL_TRACES

API_DIRS = {"chat_completions": "openai.chat.completions", "responses": "openai.responses",
            "anthropic_messages": "anthropic.messages"}

# The manifest names finish reasons as each wire API does; the Plan normalises them.
FINISH = {"completed": None, "end_turn": "stop", "stop_sequence": "stop", "tool_use": "tool_calls",
          "max_tokens": "length", "pause_turn": "incomplete", "refusal": "content_filter"}


def _entries():
    import json

    manifest = REAL_TRACES / "manifest.json"
    if not manifest.is_file():
        return [pytest.param(None, marks=pytest.mark.skip(reason="../shared/real-traces is absent"), id="absent")]
    return [pytest.param(e, id=e["file"]) for e in json.loads(manifest.read_text()) if e["api"] in API_DIRS]


@pytest.mark.real_traces
@pytest.mark.parametrize("entry", _entries())
def test_real_trace_replays_with_manifest_calls(entry):
    trace = load(REAL_TRACES / entry["file"], api=API_DIRS[entry["api"]])
    results = {plan: replay(trace, chunking=plan) for plan in ("recorded", "bytewise", "random:11", "whole")}
    plans = {plan: r.plan for plan, r in results.items()}
    first = plans["recorded"]
    assert all(p == first for p in plans.values()), "plan depends on the chunk plan"
    dos = [c for ch in first["choices"] for c in ch["commands"] if c["type"] == "DO"]
    assert [d["action"] for d in dos] == entry["tool_names"]
    assert [d["call_id"] for d in dos] == entry["tool_call_ids"]
    if "stop_reason:max_tokens" in entry["quirks"]:  # the limit cut the tool input: never dispatched
        assert [d.get("dispatched", True) for d in dos] == [False]
    else:
        assert all(d.get("dispatched", True) and not d.get("invalid_arguments") for d in dos)
    finishes = sorted({ch["finish_reason"] for ch in first["choices"] if ch["finish_reason"] not in (None, "error")})
    if entry["api"] == "responses":  # "completed": tool_calls with a DO, else stop
        expected = ["tool_calls" if dos else "stop"] if entry["finish"] == ["completed"] else sorted(set(entry["finish"]))
    else:
        expected = sorted({FINISH.get(f, f) for f in entry["finish"]})
    assert finishes == expected
    if entry["has_text"]:
        assert any(c["type"] == "SAY" for ch in first["choices"] for c in ch["commands"])
    for quirk in entry["quirks"]:
        if quirk.startswith("server_tools:") or quirk.startswith("non_function_items:"):
            assert any(ch["server_tools"] for ch in first["choices"]), "server tools must be listed, never DO"
    errors = {d.rule for d in results["recorded"].errors}
    if "error_object_in_stream" in entry["quirks"]:
        assert errors == {"chat-in-band-error"} and first["error"] is not None
    elif "stop_reason:max_tokens" in entry["quirks"]:  # the tool input was cut: reported, not repaired
        assert errors == {"anth-input-json"} and dos[0].get("invalid_arguments") is True
    else:
        assert errors == set(), errors


@pytest.mark.real_traces
def test_cli_replays_the_real_chat_folder():
    from click.testing import CliRunner

    from kit.cli import main

    folder = REAL_TRACES / "chat_completions"
    if not folder.is_dir():
        pytest.skip("../shared/real-traces is absent")
    r = CliRunner().invoke(main, ["replay", "--all", str(folder), "--api", "openai.chat.completions"])
    assert r.exit_code == 0, r.output
    count = len(list(folder.glob("*.sse")))
    assert f"{count} traces (0 y, 0 n, {count} i)" in r.output
    assert "Traceback" not in r.output
