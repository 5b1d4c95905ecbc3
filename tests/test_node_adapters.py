"""The Node environments of the matrix and the bundled Node programs (kit/adapters/node/).

The environment tests need neither node nor npm. The program tests run openai-node from the
clone's built environment (`kit matrix build node_openai`) and skip, with the reason, where
node is not on PATH or that environment is not built.
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
from kit.errors import TraceError

ROOT = Path(__file__).resolve().parents[1]
ROW = by_name()["openai-node-chat"]


def _env() -> matrix.Env:
    return matrix.load_envs(ROOT)["node_openai"]


# -- the environment, as committed ----------------------------------------------------------------------------


def test_the_node_environment_is_pinned_exactly_by_its_lockfile():
    env = _env()
    assert env.kind == "node" and env.lock.name == "package-lock.json" and env.lock.exists()
    spec = json.loads(env.spec.read_text(encoding="utf-8"))
    lock = json.loads(env.lock.read_text(encoding="utf-8"))
    for name, version in spec["dependencies"].items():
        assert version[:1].isdigit(), f"{name}: {version!r} is a range, not an exact version"
        assert lock["packages"][""]["dependencies"][name] == version, f"{name}: the lockfile is not package.json's"
        assert lock["packages"][f"node_modules/{name}"]["version"] == version
    assert env.requirements == [f"{n}@{v}" for n, v in spec["dependencies"].items()]


def test_the_registered_row_runs_in_the_node_environment():
    assert ROW.env == "node_openai" and ROW.distribution == "npm:openai"
    assert ROW.spec.startswith("http[") and "name=openai-node-chat" in ROW.spec
    module = ROW.http.split("kit.adapters.node ", 1)[1].split()[0]
    assert (ROOT / "kit" / "adapters" / "node" / f"{module}.mjs").is_file()


def test_without_node_the_environment_is_skipped_with_the_reason(tmp_path, monkeypatch):
    env = matrix.Env("node_x", ["openai@1.0.0"], _env().spec, _env().lock, tmp_path / "node_x", kind="node")
    monkeypatch.setattr(shutil, "which", lambda tool: None if tool == "node" else "/bin/" + tool)
    assert env.missing_tools() == "node not on PATH"
    did = matrix.build_env(env, ROOT, echo=lambda line: None)
    assert did.startswith("skipped: node not on PATH")
    assert not (tmp_path / "node_x").exists()
    res = matrix.run_adapter(ROW, env, ROOT)
    assert res["ok"] is False and res["skipped"] is True and "node not on PATH" in res["error"]


def test_a_node_environment_without_dependencies_is_a_clear_error(tmp_path):
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "matrix" / "envs" / "bad").mkdir(parents=True)
    (tmp_path / "matrix" / "envs" / "bad" / "package.json").write_text('{"name": "x"}')
    with pytest.raises(TraceError, match="dependencies"):
        matrix.load_envs(tmp_path)


# -- the program, against the replay server --------------------------------------------------------------------


def _built() -> matrix.Env:
    env = _env()
    if shutil.which("node") is None:
        pytest.skip("node is not on PATH")
    if not (env.node_modules / "openai" / "package.json").exists():
        # node and npm are here: build it as `kit matrix build node_openai` would (npm ci from the lockfile)
        if shutil.which("npm") is None:
            pytest.skip("npm is not on PATH (kit matrix build node_openai needs it)")
        try:
            matrix.build_env(env, ROOT, echo=lambda _line: None)
        except Exception as exc:  # noqa: BLE001 - e.g. no registry: the reason is the skip
            pytest.skip(f"the node_openai environment could not be built (kit matrix build node_openai): {exc}")
        env = _env()
    return env


def _verify(env: matrix.Env, *traces: str) -> dict[str, str]:
    """kit verify of the registered row on these chat traces (recorded plan): verdict and message by trace."""
    cmd = [sys.executable, "-m", "kit", "verify", "-a", ROW.spec, "--api", "chat", "--chunking", "recorded",
           "--no-repro", "--validate-protocol", "--json", "-", "--quiet"]
    for t in traces:
        cmd += ["--trace", t]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "NODE_PATH": str(env.node_modules)})
    out = {}
    for line in proc.stdout.splitlines():
        r = json.loads(line)
        if r.get("type") == "verdict":
            out[r["trace"]] = f"{r['verdict']} {r.get('message') or ''}"
    assert set(out) == set(traces), proc.stderr[-2000:]
    return out


def test_openai_node_passes_text_and_parallel_calls():
    got = _verify(_built(), "y_text_only", "y_text_then_tool_call", "y_parallel_calls", "y_refusal")
    assert all(v.startswith("PASS") for v in got.values()), got


def test_openai_node_failures_are_graded_with_the_frame_that_raised():
    # what the library does wrong is its answer: a done event said twice is a second dispatch,
    # an exception inside the package is a crash named with its frame
    got = _verify(_built(), "y_two_finish_reasons", "y_tool_index_starts_at_one")
    assert got["y_two_finish_reasons"].startswith("FAIL") and "dispatched twice" in got["y_two_finish_reasons"]
    assert got["y_tool_index_starts_at_one"].startswith("ERROR"), got
    assert "TypeError:" in got["y_tool_index_starts_at_one"] and "(at " in got["y_tool_index_starts_at_one"]
