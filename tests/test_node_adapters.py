"""The Node environments of the matrix and the bundled Node programs (kit/adapters/node/).

The environment tests need neither node nor npm. The program tests run openai-node from the
clone's built environment (`kit matrix build node_openai`) and skip, with the reason, where
node is not on PATH or that environment is not built.
"""

from __future__ import annotations

import shutil

import pytest

from kit import matrix
from kit.adapters.thirdparty import by_name
from kit.errors import TraceError

from .node_rows import ROOT, built, check_pinned, said, verify_row

ROW = by_name()["openai-node-chat"]


def _env() -> matrix.Env:
    return matrix.load_envs(ROOT)["node_openai"]


# -- the environment, as committed ----------------------------------------------------------------------------


def test_the_node_environment_is_pinned_exactly_by_its_lockfile():
    check_pinned("node_openai", ("openai",))


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


def _verify(*traces: str) -> dict[str, str]:
    """kit verify of the registered row on these chat traces (recorded plan): verdict and message by trace."""
    got = verify_row(ROW.name, built("node_openai", ("openai",)), "chat", traces)
    return {t: said(r) for t, r in got.items()}


def test_openai_node_passes_text_and_parallel_calls():
    got = _verify("y_text_only", "y_text_then_tool_call", "y_parallel_calls", "y_refusal")
    assert all(v.startswith("PASS") for v in got.values()), got


def test_openai_node_failures_are_graded_with_the_frame_that_raised():
    # what the library does wrong is its answer: a done event said twice is a second dispatch,
    # an exception inside the package is a crash named with its frame
    got = _verify("y_two_finish_reasons", "y_tool_index_starts_at_one")
    assert got["y_two_finish_reasons"].startswith("FAIL") and "dispatched twice" in got["y_two_finish_reasons"]
    assert got["y_tool_index_starts_at_one"].startswith("ERROR"), got
    assert "TypeError:" in got["y_tool_index_starts_at_one"] and "(at " in got["y_tool_index_starts_at_one"]


def test_the_worker_field_alone_makes_a_row_a_worker():
    from dataclasses import replace

    from kit.adapters.thirdparty import ADAPTERS

    for row in ADAPTERS:
        if row.http:  # the registry's options and command say nothing of workers: the field does
            assert "worker=" not in row.http and "--worker" not in row.http, row.name
            assert row.spec.startswith("http[worker=yes,") and row.spec.endswith(" --worker"), row.name
            one_shot = replace(row, worker=False).spec
            assert "worker" not in one_shot and one_shot == row.spec.replace("worker=yes,", "").removesuffix(" --worker")
        elif not row.bundled:
            assert row.spec.startswith("client[worker=yes,") and "worker" not in replace(row, worker=False).spec

