"""``kit matrix run --shard I/N``: the adapters dealt over N machines; their results files
copied together give the report of one run."""

from __future__ import annotations

import dataclasses
import re
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kit import matrix
from kit.adapters.thirdparty import ADAPTERS
from kit.cli import main
from kit.trace import corpus

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("n", [1, 2, 3, 4, 7, 40])
def test_every_adapter_is_in_exactly_one_shard(n):
    parts = [matrix.shard(list(ADAPTERS), i, n) for i in range(1, n + 1)]
    names = [a.name for part in parts for a in part]
    assert sorted(names) == sorted(a.name for a in ADAPTERS) and len(set(names)) == len(names)
    sizes = [len(p) for p in parts]
    assert max(sizes) - min(sizes) <= 1
    # the order the adapters are chosen in does not change the split
    assert [matrix.shard(list(reversed(ADAPTERS)), i, n) for i in range(1, n + 1)] == parts


def test_an_environments_adapters_are_spread_over_the_shards():
    litellm = [a.name for a in ADAPTERS if a.env == "litellm"]
    assert len(litellm) >= 2
    homes = {i for i in (1, 2) for a in matrix.shard(list(ADAPTERS), i, 2) if a.name in litellm}
    assert homes == {1, 2}


def test_bad_shard_is_a_usage_error_naming_the_option():
    for cmd in ("run", "build"):
        r = CliRunner().invoke(main, ["matrix", "--root", str(ROOT), cmd, "--shard", "3/2"])
        assert r.exit_code == 2 and "--shard" in r.output and "1 <= I <= N" in r.output


def _untimed(text: str) -> str:
    return re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "T", text)


def test_shards_copied_together_report_as_one_run(tmp_path):
    """Two adapters of the test's own environment (one with failures) on a few traces:
    one run, and two shards written to two folders (two machines) and copied into one."""
    spec = tmp_path / "here.in"
    spec.write_text("openai\n")
    env = matrix.Env("here", ["openai"], spec, spec.with_suffix(".txt"), Path(sys.prefix))
    if not env.kit.exists():
        pytest.skip(f"no kit executable beside {sys.executable} (install the project into this environment)")
    names = ("openai-chat-create", "anthropic-messages-stream")
    entries = [dataclasses.replace(a, env=env.name) for n in names for a in ADAPTERS if a.name == n]
    assert len(entries) == 2
    traces = tmp_path / "traces"
    traces.mkdir()
    for t in corpus():
        if t.id in ("y_all_calls_index_zero", "y_text_only", "n_max_tokens_mid_tool_input", "y_parallel_interleaved"):
            shutil.copy(t.path, traces / f"{t.api}--{t.id}.json")
    echo: list[str] = []
    common = dict(jobs=2, chunking="recorded,bytewise", echo=echo.append, traces=str(traces))
    failed, _ = matrix.run_matrix([env], entries, ROOT, results_dir=tmp_path / "one", **common)
    assert failed == []
    merged = tmp_path / "merged"
    merged.mkdir()
    for i in (1, 2):
        part = matrix.shard(entries, i, 2)
        assert len(part) == 1
        failed, _ = matrix.run_matrix([env], part, ROOT, results_dir=tmp_path / f"machine{i}", **common)
        assert failed == [] and sorted(p.stem for p in (tmp_path / f"machine{i}").glob("*.jsonl")) \
            == sorted(a.name for a in part)
        for f in (tmp_path / f"machine{i}").glob("*.jsonl"):
            shutil.copy(f, merged / f.name)
    one, joined = matrix.load_results(ROOT, tmp_path / "one"), matrix.load_results(ROOT, merged)
    assert [r[0]["matrix"]["adapter"] for r in joined] == [r[0]["matrix"]["adapter"] for r in one]
    assert sum(r["type"] == "verdict" and r["verdict"] in matrix.FAILING for res in one for r in res) > 0
    assert _untimed(matrix.markdown_report(joined)) == _untimed(matrix.markdown_report(one))
    assert _untimed(matrix.html_report(joined, ROOT)) == _untimed(matrix.html_report(one, ROOT))
    assert _untimed(matrix.readme_block(joined)) == _untimed(matrix.readme_block(one))


def test_cli_runs_only_the_shards_adapters(tmp_path):
    """kit matrix run --shard 2/2 of two adapters of the sdk environment (here: the test's own
    environment) runs the second in registry order and writes only its results."""
    if not (Path(sys.prefix) / "bin" / "kit").exists():
        pytest.skip(f"no kit executable beside {sys.executable}")
    (tmp_path / "envs").mkdir()
    (tmp_path / "envs" / "sdk").symlink_to(Path(sys.prefix), target_is_directory=True)
    traces = tmp_path / "traces"
    traces.mkdir()
    t = next(t for t in corpus() if t.id == "y_all_calls_index_zero" and t.api == "openai.chat.completions")
    shutil.copy(t.path, traces / "y_all_calls_index_zero.json")
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["matrix", "--root", str(ROOT), "--envs-dir", str(tmp_path / "envs"), "run",
                                  "-a", "openai-chat-create", "-a", "openai-chat-client", "--shard", "2/2",
                                  "--chunking", "recorded", "--results", str(out), "--traces", str(traces)])
    first, second = [a.name for a in ADAPTERS if a.name in ("openai-chat-create", "openai-chat-client")]
    assert r.exit_code == 0, r.output
    assert f"shard 2/2: 1 of 2 adapters ({second})" in r.output
    assert [p.stem for p in out.glob("*.jsonl")] == [second]
