"""examples/pytest_project, run as its users run it: `python -m pytest` in its own folder.

The project is copied (with the bot planner it tests, which lives beside it) into a
temporary folder, so its snapshots and hypothesis database are never touched here.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import kit

REPO = Path(__file__).resolve().parent.parent
CHAT = "openai.chat.completions"
ADAPTER = "py:bot_planner_adapter:handle"
CHUNKINGS = ("recorded", "event", "bytewise")

BROKEN_ADAPTER = '''
from examples.bot_planner.kit_adapter import handle as _planner


def handle(reads, sink, *, api="openai.chat.completions"):
    """The planner, but it forgets every tool call in the Plan it returns."""
    plan = _planner(reads, sink, api=api)
    for choice in plan["choices"]:
        choice["commands"] = [c for c in choice["commands"] if c["type"] != "DO"]
    return plan


handle.__kit__ = _planner.__kit__
'''


@pytest.fixture
def project(tmp_path: Path) -> Path:
    examples = tmp_path / "examples"
    examples.mkdir()
    shutil.copy(REPO / "examples" / "__init__.py", examples)
    ignore = shutil.ignore_patterns("__pycache__", ".hypothesis", ".kit", ".pytest_cache")
    shutil.copytree(REPO / "examples" / "bot_planner", examples / "bot_planner", ignore=ignore)
    shutil.copytree(REPO / "examples" / "pytest_project", examples / "pytest_project", ignore=ignore)
    return examples / "pytest_project"


def run(project: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_ADDOPTS", "PYTHONPATH", "PYTEST_XDIST_WORKER")}
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-v", "-rs", *args],
                          cwd=project, env=env, capture_output=True, text=True, timeout=300)


def outcomes(stdout: str) -> dict[str, int]:
    last = stdout.strip().splitlines()[-1]
    return {word: int(n) for n, word in re.findall(r"(\d+) (passed|failed|skipped|errors?|xfailed|xpassed)", last)}


def _expected_counts() -> tuple[int, int]:
    chat = [t for t in kit.corpus(api=CHAT)]
    fragments = [t for t in chat if t.cls == "y" and "chat-interleaved-fragments" in t.rules]
    kit_items = len(CHUNKINGS) * len(chat)  # one choice declared: multi-choice streams are graded too
    own = 4 + 2 * len(fragments) + 1 + 1  # snapshots, kit.cases x 2 chunk plans, property, fixtures
    return kit_items + own, 0


def test_the_example_project_passes(project: Path):
    result = run(project)
    assert result.returncode == 0, result.stdout + result.stderr
    passed, skipped = _expected_counts()
    assert outcomes(result.stdout) == {"passed": passed, **({"skipped": skipped} if skipped else {})}
    out = result.stdout
    for chunking in CHUNKINGS:  # the plugin's items, from kit_adapter in pyproject.toml
        assert f"kit[{ADAPTER}]/{CHAT}/y_parallel_interleaved[{chunking}] PASSED" in out
    assert f"kit[{ADAPTER}]/{CHAT}/y_two_choices[bytewise] PASSED" in out  # it takes choice 0 whole
    assert "anthropic.messages" not in out.split("short test summary")[0]  # kit_api = chat
    # the project's own tests: snapshots, kit.cases + kit.assert_conforms, the property test, the fixtures
    for line in ("tests/test_planner.py::test_plan_snapshot[y_parallel_interleaved] PASSED",
                 f"tests/test_planner.py::test_interleaved_fragments[fixed:7-{CHAT}/y_parallel_interleaved] PASSED",
                 "tests/test_planner.py::test_generated_streams PASSED",
                 "tests/test_planner.py::test_reference_and_planner_agree_on_one_trace PASSED"):
        assert line in out
    assert "4 snapshots passed" in out


def test_the_example_project_fails_a_broken_planner(project: Path):
    (project / "bot_planner_adapter.py").write_text(BROKEN_ADAPTER, encoding="utf-8")
    result = run(project, "--kit-chunking", "bytewise", "--kit-repro-dir", "none")
    assert result.returncode == 1, result.stdout + result.stderr
    counts = outcomes(result.stdout)
    assert counts["failed"] > 0 and counts["passed"] > 0
    out = result.stdout
    assert f"kit[{ADAPTER}]/{CHAT}/y_parallel_interleaved[bytewise] FAILED" in out
    assert f"tests/test_planner.py::test_interleaved_fragments[fixed:7-{CHAT}/y_parallel_interleaved] FAILED" in out
    assert "tests/test_planner.py::test_plan_snapshot[y_parallel_interleaved] FAILED" in out
    assert "tests/test_planner.py::test_generated_streams FAILED" in out
    # the verdict's text, with the rule and expected vs actual
    # (every difference, each charged to the rule of this trace that governs tool calls)
    assert f"FAIL chat-interleaved-fragments: {ADAPTER} on {CHAT}/y_parallel_interleaved [bytewise]" in out
    assert "at choices[0].commands[0]:" in out and "actual:   null" in out
    assert "missing DO search_hotels" in out and "all 2, each with the rule that governs it" in out
