"""LangChain.js rows of the matrix (kit/adapters/node/langchain.mjs, environment matrix/envs/node_langchain/).

The environment and registration tests need neither node nor npm. The grading tests run the three rows
from the clone's built environment (`kit matrix build node_langchain`, built here with npm ci when node
and npm are present) on a few traces each, with the recorded chunk plan, and skip with the reason where
node is not on PATH or the environment cannot be built.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kit import matrix
from kit.adapters.thirdparty import by_name

ROOT = Path(__file__).resolve().parents[1]
ROWS = {"chat": "langchain-js-openai-chat", "responses": "langchain-js-openai-responses",
        "anthropic": "langchain-js-anthropic"}
PACKAGES = ("@langchain/core", "@langchain/openai", "@langchain/anthropic")


def _env() -> matrix.Env:
    return matrix.load_envs(ROOT)["node_langchain"]


# -- the environment, as committed ----------------------------------------------------------------------------


def test_the_langchain_environment_is_pinned_exactly_by_its_lockfile():
    env = _env()
    assert env.kind == "node" and env.lock.name == "package-lock.json" and env.lock.exists()
    spec = json.loads(env.spec.read_text(encoding="utf-8"))
    lock = json.loads(env.lock.read_text(encoding="utf-8"))
    assert set(spec["dependencies"]) == set(PACKAGES)
    for name, version in spec["dependencies"].items():
        assert version[:1].isdigit(), f"{name}: {version!r} is a range, not an exact version"
        assert lock["packages"][""]["dependencies"][name] == version, f"{name}: the lockfile is not package.json's"
        assert lock["packages"][f"node_modules/{name}"]["version"] == version
        # the matrix runs on Node 20: every pinned LangChain package must accept it
        engines = lock["packages"][f"node_modules/{name}"].get("engines", {}).get("node", "")
        assert engines in ("", ">=18", ">=20"), f"{name} {version} requires node {engines}"
    assert env.requirements == [f"{n}@{v}" for n, v in spec["dependencies"].items()]


def test_the_rows_are_registered_with_the_langchain_program():
    rows = by_name()
    for api, name in ROWS.items():
        row = rows[name]
        assert row.env == "node_langchain" and row.library == "LangChain.js"
        assert row.spec.startswith("http[worker=yes,") and f"apis={api}," in row.spec and f"name={name}]" in row.spec
        program = row.http.split("kit.adapters.node ", 1)[1].split()[0]
        assert program == "langchain" and (ROOT / "kit" / "adapters" / "node" / "langchain.mjs").is_file()
    assert rows["langchain-js-openai-chat"].distribution == "npm:@langchain/openai"
    assert rows["langchain-js-anthropic"].distribution == "npm:@langchain/anthropic"
    # the SDKs the rows read the stream through, by their rows' distributions
    assert rows["langchain-js-openai-responses"].sits_on == ("npm:openai",)
    assert rows["langchain-js-anthropic"].sits_on == ("npm:@anthropic-ai/sdk",)
    # text and calls are apart on the OpenAI APIs (content string / text blocks beside tool_calls)
    assert "ordered=no" in rows["langchain-js-openai-chat"].spec
    assert "ordered=no" in rows["langchain-js-openai-responses"].spec
    assert "ordered=yes" in rows["langchain-js-anthropic"].spec


# -- the program, against the replay server --------------------------------------------------------------------


def _built() -> matrix.Env:
    env = _env()
    if shutil.which("node") is None:
        pytest.skip("node is not on PATH")
    if not all((env.node_modules / p / "package.json").exists() for p in PACKAGES):
        if shutil.which("npm") is None:
            pytest.skip("npm is not on PATH (kit matrix build node_langchain needs it)")
        try:
            matrix.build_env(env, ROOT, echo=lambda _line: None)
        except Exception as exc:  # noqa: BLE001 - e.g. no registry: the reason is the skip
            pytest.skip(f"the node_langchain environment could not be built (kit matrix build node_langchain): {exc}")
        env = _env()
    return env


def _verify(api: str, *traces: str) -> dict[str, dict]:
    """kit verify of the registered row of `api` on these traces (recorded plan): the verdict records by trace.
    Read leniently, as `kit matrix run` reads it: a finish reason outside the Plan's vocabulary (LangChain's
    concatenated "tool_callsstop") is the library's answer, graded, not a protocol error of the program."""
    env = _built()
    cmd = [sys.executable, "-m", "kit", "verify", "-a", by_name()[ROWS[api]].spec, "--api", api,
           "--chunking", "recorded", "--no-repro", "--json", "-", "--quiet"]
    for t in traces:
        cmd += ["--trace", t]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "NODE_PATH": str(env.node_modules)})
    out = {}
    for line in proc.stdout.splitlines():
        r = json.loads(line)
        if r.get("type") == "verdict":
            out[r["trace"]] = r
    assert set(out) == set(traces), proc.stderr[-2000:]
    return out


def test_chat_passes_text_and_calls_and_a_concatenated_finish_reason_is_a_failure():
    got = _verify("chat", "y_text_only", "y_text_then_tool_call", "y_parallel_calls", "y_two_finish_reasons")
    for t in ("y_text_only", "y_text_then_tool_call", "y_parallel_calls"):
        assert got[t]["verdict"] == "PASS", got[t]["message"]
    # two finish_reason chunks: AIMessageChunk.concat joins the strings of response_metadata
    bad = got["y_two_finish_reasons"]
    assert bad["verdict"] == "FAIL" and bad["path"] == "choices[0].finish_reason"
    assert bad["actual"] == "tool_callsstop", bad["message"]


def test_responses_passes_custom_and_computer_calls_and_crashes_with_the_frame_that_raised():
    got = _verify("responses", "y_custom_tool_call", "y_computer_call", "y_completed_output_null",
                  "n_response_failed")
    for t in ("y_custom_tool_call", "y_computer_call"):
        assert got[t]["verdict"] == "PASS", got[t]["message"]
    crash = got["y_completed_output_null"]
    assert crash["verdict"] == "ERROR" and crash["check"] == "crash"
    assert "TypeError:" in crash["message"] and "(at responses.js:" in crash["message"]
    assert "convertResponsesMessageToAIMessage" in crash["message"]
    # response.failed is passed over: no error and no finish, a broken stream accepted silently
    failed = got["n_response_failed"]
    assert failed["verdict"] == "FAIL" and failed["path"] == "choices[0].finish_reason"
    assert failed["expected"] == "error" and failed["actual"] is None


def test_anthropic_passes_a_tool_call_and_over_counts_output_tokens():
    got = _verify("anthropic", "y_tool_use_start_without_input", "y_text_only")
    assert got["y_tool_use_start_without_input"]["verdict"] == "PASS", got["y_tool_use_start_without_input"]["message"]
    # message_start's output_tokens (3) is added to message_delta's cumulative count (27)
    bad = got["y_text_only"]
    assert bad["verdict"] == "FAIL" and bad["path"] == "usage.output_tokens"
    assert (bad["expected"], bad["actual"]) == (27, 30), bad["message"]
    assert [d["field"] for d in bad["differences"]] == ["usage"]
