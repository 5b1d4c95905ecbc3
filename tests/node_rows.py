"""What the tests of the matrix's JavaScript rows share: a Node environment checked as committed,
built for the test where node and npm are (``kit matrix build``: npm ci from the lockfile; a skip
with the reason otherwise), and a registered row run on a few traces with ``kit verify``."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kit import matrix
from kit.adapters.thirdparty import by_name

ROOT = Path(__file__).resolve().parents[1]
API_OPTION = {"openai.chat.completions": "chat", "openai.responses": "responses", "anthropic.messages": "anthropic"}


def check_pinned(env_name: str, packages: tuple[str, ...]) -> matrix.Env:
    """The environment as committed: ``packages`` among its dependencies, every dependency an exact
    version that is the lockfile's, every locked package with its integrity hash and able to run on
    Node 20 (the matrix's Node)."""
    env = matrix.load_envs(ROOT)[env_name]
    assert env.kind == "node" and env.lock.name == "package-lock.json" and env.lock.exists()
    spec = json.loads(env.spec.read_text(encoding="utf-8"))
    lock = json.loads(env.lock.read_text(encoding="utf-8"))
    assert spec.get("private") is True and set(packages) <= set(spec["dependencies"])
    for name, version in spec["dependencies"].items():
        assert version[:1].isdigit() and set(version) <= set("0123456789."), f"{name}: {version!r} is not exact"
        assert lock["packages"][""]["dependencies"][name] == version, f"{name}: the lockfile is not package.json's"
        assert lock["packages"][f"node_modules/{name}"]["version"] == version
    for path, entry in lock["packages"].items():
        if path:  # npm ci installs each locked package by its hash
            assert entry.get("integrity", "").startswith("sha512-"), path
        wanted = (entry.get("engines") or {}).get("node", "") if isinstance(entry.get("engines"), dict) else ""
        assert all(int(major) <= 20 for major in re.findall(r">=\s*(\d+)", wanted)), f"{path}: engines {wanted}"
    assert env.requirements == [f"{n}@{v}" for n, v in spec["dependencies"].items()]
    return env


def built(env_name: str, packages: tuple[str, ...]) -> matrix.Env:
    """The environment with ``packages`` installed, built here if need be; else skip with the reason."""
    env = matrix.load_envs(ROOT)[env_name]
    if shutil.which("node") is None:
        pytest.skip("node is not on PATH")
    if not all((env.node_modules / p / "package.json").exists() for p in packages):
        if shutil.which("npm") is None:
            pytest.skip(f"npm is not on PATH (kit matrix build {env_name} needs it)")
        try:
            matrix.build_env(env, ROOT, echo=lambda _line: None)
        except Exception as exc:  # noqa: BLE001 - e.g. no registry: the reason is the skip
            pytest.skip(f"the {env_name} environment could not be built (kit matrix build {env_name}): {exc}")
        env = matrix.load_envs(ROOT)[env_name]
    return env


def verify_row(name: str, env: matrix.Env, api: str, traces: tuple[str, ...] | list[str], *,
               validate: bool = True) -> dict[str, dict]:
    """kit verify of the registered row ``name`` on these traces of ``api`` (recorded plan, the
    worker spec the matrix runs): the verdict record by trace."""
    cmd = [sys.executable, "-m", "kit", "verify", "-a", by_name()[name].spec, "--api", API_OPTION.get(api, api),
           "--chunking", "recorded", "--no-repro", "--json", "-", "--quiet"]
    if validate:
        cmd.append("--validate-protocol")
    for t in traces:
        cmd += ["--trace", t]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=ROOT,
                          env={**os.environ, "NODE_PATH": str(env.node_modules)})
    out = {}
    for line in proc.stdout.splitlines():
        r = json.loads(line)
        if r.get("type") == "verdict":
            out[r["trace"]] = r
    assert set(out) == set(traces), proc.stderr[-2000:]
    return out


def said(r: dict) -> str:
    return f"{r['verdict']} {r.get('message') or ''}"
