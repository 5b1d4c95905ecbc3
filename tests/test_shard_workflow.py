"""The sharded GitHub Actions example (examples/ci/sharded-verify.yml) runs the real CLI:
its shard commands and its merge command, run here as the workflow writes them (with the
bundled reference adapter as ADAPTER), give the report of one unsharded run."""

from __future__ import annotations

import fnmatch
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

yaml = pytest.importorskip("yaml")

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / "examples" / "ci" / "sharded-verify.yml"
BIN = Path(sys.executable).parent


def _expand(command: str, values: dict[str, str]) -> str:
    """Replace the ``${{ ... }}`` expressions the workflow uses; any other is a test failure."""
    def one(m: re.Match) -> str:
        key = m.group(1).strip()
        assert key in values, f"the workflow uses ${{{{ {key} }}}}, which this test does not know"
        return values[key]

    return re.sub(r"\$\{\{(.*?)\}\}", one, command)


def _step(job: dict, needle: str) -> dict:
    steps = [s for s in job["steps"] if needle in str(s.get("run", ""))]
    assert len(steps) == 1, f"one step of the job runs {needle!r}"
    return steps[0]


def _run(command: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-e", "-o", "pipefail", "-c", command], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_the_sharded_workflow_runs_the_real_cli(tmp_path):
    if not (BIN / "kit").exists():
        pytest.skip(f"no kit executable beside {sys.executable}")
    doc = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    verify, report = doc["jobs"]["verify"], doc["jobs"]["report"]
    assert report["needs"] == "verify" and report.get("if") == "always()"
    shards = verify["strategy"]["matrix"]["shard"]
    assert shards == list(range(1, len(shards) + 1)) and len(shards) >= 2
    env = {**os.environ, **{k: str(v) for k, v in doc["env"].items()},
           "ADAPTER": "reference", "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
           "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md")}
    # the verify jobs, one per shard, each in its own folder (its own machine)
    shard_cmd, upload = _step(verify, "kit verify"), next(s for s in verify["steps"]
                                                          if "upload-artifact" in s.get("uses", ""))
    download = next(s for s in report["steps"] if "download-artifact" in s.get("uses", ""))
    into = tmp_path / "merge-job"
    (into / download["with"]["path"]).mkdir(parents=True)
    for i in shards:
        values = {"matrix.shard": str(i), "strategy.job-total": str(len(shards))}
        machine = tmp_path / f"shard-{i}"
        machine.mkdir()
        res = _run(_expand(shard_cmd["run"], values), machine, env)
        assert res.returncode == 0, res.stderr
        artifact = _expand(upload["with"]["name"], values)
        assert fnmatch.fnmatchcase(artifact, download["with"]["pattern"])
        written = machine / _expand(upload["with"]["path"], values)
        assert written.is_file()
        shutil.copy(written, into / download["with"]["path"] / written.name)  # merge-multiple: one folder
    # the report job
    merge_cmd = _step(report, "--merge")["run"]
    res = _run(_expand(merge_cmd, {}), into, env)
    assert res.returncode == 0, res.stderr
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert "**PASSED**" in summary
    for name in re.findall(r"--(?:junit|html) (\S+)", merge_cmd):
        assert (into / name).is_file()
    # the same as one unsharded run with the workflow's options
    whole = _run(f'kit verify -a "$ADAPTER" $KIT_OPTIONS --quiet --markdown {tmp_path / "whole.md"}', tmp_path, env)
    assert whole.returncode == 0, whole.stderr

    def untimed(text: str) -> str:
        return re.sub(r"\d+\.\d s\b|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "X", text)

    assert untimed(summary) == untimed((tmp_path / "whole.md").read_text(encoding="utf-8"))
    assert re.search(r"PASSED\*\*: \d{3,} cases", summary)


def _action(tmp_path: Path, cwd: Path, **inputs: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
           "GITHUB_STEP_SUMMARY": str(cwd / "summary.md"), "GITHUB_OUTPUT": str(cwd / "output"),
           "RUNNER_TEMP": str(cwd), **inputs}
    return subprocess.run(["bash", str(ROOT / ".ci" / "action-verify")], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=120)


def test_the_action_runs_shards_and_merges_them(tmp_path):
    if not (BIN / "kit").exists():
        pytest.skip(f"no kit executable beside {sys.executable}")
    doc = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert {"shard", "json", "merge"} <= set(doc["inputs"])
    step = next(s for s in doc["runs"]["steps"] if ".ci/action-verify" in s.get("run", ""))
    assert {"KIT_SHARD", "KIT_JSON", "KIT_MERGE"} <= set(step["env"])
    folder = tmp_path / "shards"
    folder.mkdir()
    for i in (1, 2):
        job = tmp_path / f"job{i}"
        job.mkdir()
        res = _action(tmp_path, job, KIT_ADAPTER="openai-chat-create", KIT_ARGS="--api chat --trace y_all_calls* "
                      "--trace y_text_only --chunking recorded", KIT_SHARD=f"{i}/2", KIT_JSON=f"shard-{i}.jsonl")
        assert res.returncode in (0, 1), res.stderr
        assert f"shard {i}/2 of the run" in (job / "summary.md").read_text()
        shutil.copy(job / f"shard-{i}.jsonl", folder)
    merge = tmp_path / "merge"
    merge.mkdir()
    res = _action(tmp_path, merge, KIT_MERGE=str(folder), KIT_JUNIT="junit.xml")
    assert res.returncode == 1, res.stderr  # openai-chat-create fails y_all_calls_index_zero
    summary = (merge / "summary.md").read_text()
    assert "**FAILED**" in summary and "shard" not in summary
    assert (merge / "output").read_text() == "status=1\n" and (merge / "junit.xml").is_file()
    res = _action(tmp_path, merge)  # neither adapter nor merge
    assert res.returncode == 2 and "adapter" in res.stderr
