"""The JavaScript/TypeScript maintainer's path (README, "Your TypeScript code, in CI").

The README's two commands are run verbatim, in a folder holding a copy of
examples/typescript/: npm ci (openai-node and the TypeScript compiler, from the lockfile),
tsc, then kit verify of the worker. The verdicts are the README's, and a bug put into the
accumulator is caught. Skipped, with the reason, without node and npm or the npm registry.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "typescript"


def _section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return text.split("### Your TypeScript code, in CI", 1)[1].split("\n### ", 1)[0]


def _commands() -> list[str]:
    block = _section().split("```sh\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip()]


def test_the_readme_section_names_the_example_and_the_workflow():
    build, verify = _commands()
    assert build == "(cd examples/typescript && npm ci && npm run build)"
    assert verify.startswith("kit verify -a 'http[worker=yes,") and "examples/typescript/dist/kit-worker.js" in verify
    workflow = (ROOT / "examples" / "ci" / "typescript.yml").read_text(encoding="utf-8")
    spec = re.search(r"-a '([^']+)'", verify).group(1)
    # the workflow runs the same worker, from the project's root instead of the clone's
    assert spec.replace("examples/typescript/", "") in workflow
    for path in ("src/accumulate.ts", "src/kit-worker.ts", "package.json", "package-lock.json", "tsconfig.json"):
        assert (EXAMPLE / path).is_file(), path


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are needed (the README's commands run them)")
    home = tmp_path_factory.mktemp("ts")
    shutil.copytree(EXAMPLE, home / "examples" / "typescript", ignore=shutil.ignore_patterns("node_modules", "dist"))
    build = _commands()[0]
    proc = subprocess.run(build, shell=True, cwd=home, capture_output=True, text=True, timeout=300)
    if proc.returncode != 0 and ("ENOTFOUND" in proc.stderr or "EAI_AGAIN" in proc.stderr
                                 or "ECONNREFUSED" in proc.stderr):
        pytest.skip(f"the npm registry is not reachable: {proc.stderr.strip().splitlines()[-1]}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    return home


def _verify(home: Path, *extra: str) -> tuple[int, dict[str, str]]:
    command = _commands()[1].replace("kit verify", f"{sys.executable} -m kit verify", 1)
    out = home / "verdicts.jsonl"
    proc = subprocess.run(f"{command} --no-repro -q --json {out} {' '.join(extra)}", shell=True, cwd=home,
                          capture_output=True, text=True, timeout=300, env={**os.environ, "NODE_PATH": ""})
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    worst: dict[str, str] = {}
    order = ["PASS", "INFO", "SKIP", "NONSTRICT", "FAIL", "TIMEOUT", "ERROR"]
    for r in map(json.loads, out.read_text(encoding="utf-8").splitlines()):
        if r.get("type") == "verdict":
            old = worst.get(r["trace"], "PASS")
            worst[r["trace"]] = max(old, r["verdict"], key=order.index)
    return proc.returncode, worst


def test_the_readme_commands_grade_the_accumulator_as_the_readme_says(built):
    status, worst = _verify(built)
    assert status == 1 and (built / "kit-summary.md").read_text(encoding="utf-8").startswith("## kit verify")
    failing = sorted(t for t, v in worst.items() if v in ("FAIL", "ERROR", "TIMEOUT"))
    said = re.search(r"fails (\d+) of the (\d+) Chat traces", _section())
    assert said and (int(said.group(1)), int(said.group(2))) == (len(failing), len(worst)), failing
    assert "y_refusal" in failing
    for trace in ("y_text_only", "y_text_then_tool_call", "y_parallel_calls", "y_parallel_interleaved"):
        assert worst[trace] == "PASS", trace


def test_a_bug_put_into_the_accumulator_is_caught(built):
    source = built / "examples" / "typescript" / "src" / "accumulate.ts"
    good = source.read_text(encoding="utf-8")
    assert 'call.arguments += fragment.function?.arguments ?? "";' in good
    try:
        # the classic mistake: each fragment replaces the arguments instead of extending them
        source.write_text(good.replace("call.arguments += ", "call.arguments = "), encoding="utf-8")
        subprocess.run("npm run build", shell=True, cwd=source.parents[1], check=True, capture_output=True, timeout=120)
        _, worst = _verify(built, "--trace", "y_parallel_calls", "--trace", "y_text_only")
        assert worst == {"y_parallel_calls": "FAIL", "y_text_only": "PASS"}
    finally:
        source.write_text(good, encoding="utf-8")
        subprocess.run("npm run build", shell=True, cwd=source.parents[1], capture_output=True, timeout=120)
