"""``kit matrix``: the compatibility matrix of third-party LLM clients, built reproducibly.

Run from a clone of toolstream-kit (it installs that clone into each environment)::

    kit matrix build [ENV...] [--upgrade]   one virtual environment per library
    kit matrix run [ENV...] [-a NAME]       kit verify for every bundled third-party adapter
    kit matrix report                       docs/compatibility.md and docs/compatibility.html
    kit matrix                              all three

Layout (relative to the clone's root):

- ``matrix/envs/<env>.in``: the environment's top-level requirements, one per line;
- ``matrix/envs/<env>.txt``: its pinned versions (``pip freeze``), used as pip constraints,
  so a rebuild gets the same versions; ``build --upgrade`` re-resolves and rewrites it, the
  deliberate way to move to new releases;
- ``matrix/envs/<env>/package.json`` and ``package-lock.json``: a Node environment (its
  packages pinned exactly by the committed lockfile), built with ``npm ci``; its adapters
  are ``http:`` programs run by the clone's own kit with ``NODE_PATH`` pointing at the
  environment's ``node_modules``. Without ``node`` and ``npm`` on PATH it is skipped, with
  that reason, by ``build`` and ``run`` (the Python environments still build and run);
- ``matrix/results/<adapter>.jsonl``: each adapter's ``kit verify`` records (format
  ``kit-verify/1``), with the library's version in the run record; the committed results
  the report is generated from;
- ``.kit/matrix/envs/<env>/``: the environments themselves (not committed).

Which adapters run in which environment is the registry
:data:`kit.adapters.thirdparty.ADAPTERS`. No provider network is used: every adapter talks
to the kit's loopback replay server, and provider credentials are removed from the
environment of every run.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

from .errors import TraceError, UsageError, not_json, unreadable

__all__ = ["Env", "find_root", "load_envs", "build_env", "run_adapter", "run_matrix", "load_results", "shard",
           "markdown_report", "html_report", "write_report", "analyse", "load_upstream", "DEFAULT_ENVS_DIR"]

DEFAULT_ENVS_DIR = Path(".kit") / "matrix" / "envs"
RESULTS_DIR = Path("matrix") / "results"
ENVS_SPEC_DIR = Path("matrix") / "envs"
DOC_MD = Path("docs") / "compatibility.md"
DOC_HTML = Path("docs") / "compatibility.html"
VERDICT_ORDER = ("PASS", "NONSTRICT", "FAIL", "ERROR", "TIMEOUT", "SKIP", "INFO")
FAILING = ("FAIL", "ERROR", "TIMEOUT")
_CREDENTIALS = ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "OPENAI_ADMIN_KEY", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID",
                "ANTHROPIC_AUTH_TOKEN", "AZURE_OPENAI_API_KEY", "OPENROUTER_API_KEY", "GROQ_API_KEY",
                "GEMINI_API_KEY", "GOOGLE_API_KEY", "MISTRAL_API_KEY", "HF_TOKEN", "LANGSMITH_API_KEY")


# -- where things are ---------------------------------------------------------------------------------


def find_root(start: str | os.PathLike | None = None) -> Path:
    """The clone's root: the nearest folder upwards with ``pyproject.toml`` and ``matrix/envs``."""
    here = Path(start or os.getcwd()).resolve()
    for p in (here, *here.parents):
        if (p / "pyproject.toml").is_file() and (p / ENVS_SPEC_DIR).is_dir():
            return p
    raise UsageError(f"kit matrix: no toolstream-kit clone at or above {here} (looked for pyproject.toml and "
                     f"{ENVS_SPEC_DIR}/); run it from a clone, or give --root")


@dataclass
class Env:
    """One matrix environment."""

    name: str
    requirements: list[str]
    spec: Path  # matrix/envs/<name>.in
    lock: Path  # matrix/envs/<name>.txt
    dir: Path  # the virtual environment
    # "python" (a virtual environment from <name>.in/.txt) or "node" (npm ci from
    # <name>/package.json and package-lock.json, run by the kit that runs kit matrix)
    kind: str = "python"

    @property
    def python(self) -> Path:
        if self.kind == "node":
            return Path(sys.executable)
        return self.dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")

    @property
    def kit(self) -> Path:
        return self.dir / ("Scripts/kit.exe" if os.name == "nt" else "bin/kit")

    def kit_command(self) -> list[str]:
        """How to run the kit in this environment."""
        if self.kind == "node":
            return [sys.executable, "-m", "kit"]
        return [str(self.kit)]

    @property
    def node_modules(self) -> Path:
        return self.dir / "node_modules"

    @property
    def built(self) -> bool:
        if self.kind == "node":
            return self.node_modules.is_dir() and (self.dir / "kit-matrix-stamp").exists()
        return self.python.exists() and self.kit.exists()

    def missing_tools(self) -> str | None:
        """Why this environment cannot be built or run on this machine (None: it can)."""
        if self.kind != "node":
            return None
        absent = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
        return f"{' and '.join(absent)} not on PATH" if absent else None


def _requirements(path: Path) -> list[str]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            out.append(line)
    return out


def _node_requirements(path: Path) -> list[str]:
    """The dependencies of a Node environment's ``package.json``, as ``name@version``."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise unreadable(path, exc) from None
    except ValueError as exc:
        raise not_json(path, exc) from None
    deps = doc.get("dependencies") if isinstance(doc, dict) else None
    if not isinstance(deps, dict) or not deps:
        raise TraceError("a matrix Node environment lists its packages under \"dependencies\"", path=str(path))
    return [f"{name}@{version}" for name, version in deps.items()]


def load_envs(root: Path, envs_dir: Path | None = None) -> dict[str, Env]:
    """Every environment ``matrix/envs/*.in`` (Python) and ``matrix/envs/*/package.json``
    (Node) defines, by name."""
    base = envs_dir if envs_dir is not None else root / DEFAULT_ENVS_DIR
    out = {}
    for spec in sorted((root / ENVS_SPEC_DIR).glob("*.in")):
        name = spec.stem
        out[name] = Env(name, _requirements(spec), spec, spec.with_suffix(".txt"), base / name)
    for spec in sorted((root / ENVS_SPEC_DIR).glob("*/package.json")):
        name = spec.parent.name
        if name in out:
            raise UsageError(f"kit matrix: environment {name} is defined twice ({name}.in and {name}/package.json)")
        out[name] = Env(name, _node_requirements(spec), spec, spec.with_name("package-lock.json"), base / name,
                        kind="node")
    if not out:
        raise UsageError(f"kit matrix: no environments in {root / ENVS_SPEC_DIR} (expected <env>.in files or "
                         "<env>/package.json)")
    return out


def adapters_of(envs: dict[str, Env]) -> list[Any]:
    """The registry's third-party adapters whose environment exists, in registry order."""
    from .adapters.thirdparty import ADAPTERS  # noqa: PLC0415

    missing = sorted({a.env for a in ADAPTERS} - set(envs))
    if missing:
        raise UsageError(f"kit matrix: the adapter registry names environments with no matrix/envs/<env>.in: "
                         f"{', '.join(missing)}")
    return list(ADAPTERS)


def select(envs: dict[str, Env], names: Iterable[str], adapter_names: Iterable[str]) -> tuple[list[Env], list[Any]]:
    """The environments and adapters a command line selects (ENV names, ``-a`` adapter names)."""
    names, adapter_names = list(names), list(adapter_names)
    adapters = adapters_of(envs)
    by_name = {a.name: a for a in adapters}
    unknown = [n for n in names if n not in envs]
    if unknown:
        raise UsageError(f"kit matrix: unknown environment {', '.join(unknown)}; expected one of {', '.join(envs)}")
    unknown = [n for n in adapter_names if n not in by_name]
    if unknown:
        raise UsageError(f"kit matrix: unknown adapter {', '.join(unknown)}; expected one of {', '.join(by_name)}")
    chosen = [by_name[n] for n in adapter_names] if adapter_names else \
        [a for a in adapters if not names or a.env in names]
    env_names = names or sorted({a.env for a in chosen}, key=list(envs).index)
    if adapter_names:
        env_names = sorted({a.env for a in chosen} | set(names), key=list(envs).index)
    return [envs[n] for n in env_names], chosen


def shard(adapters: list[Any], index: int, count: int) -> list[Any]:
    """The adapters of shard ``index`` of ``count`` (``kit matrix run --shard I/N``): dealt
    round-robin in registry order, so each adapter is in exactly one shard, the shards
    differ by at most one adapter, and an environment's adapters (often alike in speed,
    e.g. litellm's three) are spread over the shards. The split depends only on the chosen
    adapters and N: every machine given the same command computes the same one. Each
    adapter writes its own results file, so the shards' files copied into one folder are
    the results of one run."""
    from .adapters.thirdparty import ADAPTERS  # noqa: PLC0415

    rank = {a.name: i for i, a in enumerate(ADAPTERS)}
    ordered = sorted(adapters, key=lambda a: (rank.get(a.name, len(rank)), a.name))
    return [a for k, a in enumerate(ordered) if k % count == index - 1]


# -- building environments -------------------------------------------------------------------------------


def _stamp(env: Env, root: Path) -> str:
    h = hashlib.sha256()
    h.update(sys.version.encode())
    h.update(env.spec.read_bytes())
    if env.lock.exists():
        h.update(env.lock.read_bytes())
    h.update((root / "pyproject.toml").read_bytes())
    return h.hexdigest()


def _pip(env: Env, args: list[str], what: str) -> str:
    cmd = [str(env.python), "-m", "pip", "--disable-pip-version-check", "--no-input", *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "PIP_NO_INPUT": "1"})
    if proc.returncode != 0:
        tail = [line for line in (proc.stderr or proc.stdout).strip().splitlines() if line.strip()][-3:]
        raise UsageError(f"kit matrix build {env.name}: {what} failed (pip exit {proc.returncode}): "
                         + " / ".join(t.strip() for t in tail))
    return proc.stdout


def _npm(env: Env, args: list[str], what: str) -> None:
    proc = subprocess.run(["npm", *args, "--no-audit", "--no-fund"], capture_output=True, text=True, cwd=env.dir,
                          env={**os.environ, "npm_config_update_notifier": "false"})
    if proc.returncode != 0:
        tail = [line for line in (proc.stderr or proc.stdout).strip().splitlines() if line.strip()][-3:]
        raise UsageError(f"kit matrix build {env.name}: {what} failed (npm exit {proc.returncode}): "
                         + " / ".join(t.strip() for t in tail))


def _up_to_date(env: Env, root: Path) -> bool:
    """The environment is built, from the spec and pins it was last built from."""
    stamp_file = env.dir / "kit-matrix-stamp"
    return env.built and stamp_file.exists() and stamp_file.read_text().strip() == _stamp(env, root)


def _build_node(env: Env, root: Path, *, upgrade: bool, rebuild: bool, echo: Callable[[str], None]) -> str:
    """A Node environment: ``npm ci`` from the committed ``package.json`` and
    ``package-lock.json`` (with ``upgrade``, or no lockfile yet: ``npm install``, and the
    lockfile it writes is copied back)."""
    why = env.missing_tools()
    if why:
        return f"skipped: {why} (a Node environment needs both)"
    stamp_file = env.dir / "kit-matrix-stamp"
    if not upgrade and not rebuild and _up_to_date(env, root):
        return "up to date"
    if rebuild and env.dir.exists():
        shutil.rmtree(env.dir)
    env.dir.mkdir(parents=True, exist_ok=True)
    stamp_file.unlink(missing_ok=True)
    shutil.copyfile(env.spec, env.dir / "package.json")
    had_lock = env.lock.exists()
    fresh = upgrade or not had_lock
    if fresh:
        (env.dir / "package-lock.json").unlink(missing_ok=True)
        echo(f"  {env.name}: npm install {' '.join(env.requirements)}")
        _npm(env, ["install"], "npm install")
        shutil.copyfile(env.dir / "package-lock.json", env.lock)
        echo(f"  {env.name}: wrote {env.lock.relative_to(root)}")
    else:
        shutil.copyfile(env.lock, env.dir / "package-lock.json")
        echo(f"  {env.name}: npm ci {' '.join(env.requirements)} (pinned by {env.spec.parent.name}/{env.lock.name})")
        _npm(env, ["ci"], "npm ci")
    stamp_file.write_text(_stamp(env, root) + "\n")
    if fresh:
        return "upgraded, lockfile rewritten" if had_lock else "built, lockfile written"
    return "built"


def build_env(env: Env, root: Path, *, upgrade: bool = False, rebuild: bool = False,
              echo: Callable[[str], None] = print) -> str:
    """Create or update one environment; returns what was done (``up to date``, ``built``,
    ``upgraded``, or for a Node environment without node/npm ``skipped: ...``). The clone
    is installed editable, the requirements under the pins of ``<env>.txt``; with
    ``upgrade`` (or no pins yet) they are resolved afresh and the pins rewritten."""
    if env.kind == "node":
        return _build_node(env, root, upgrade=upgrade, rebuild=rebuild, echo=echo)
    stamp_file = env.dir / "kit-matrix-stamp"
    if not upgrade and not rebuild and _up_to_date(env, root):
        return "up to date"
    if rebuild and env.dir.exists():
        shutil.rmtree(env.dir)
    if not env.python.exists():
        echo(f"  {env.name}: creating {env.dir}")
        proc = subprocess.run([sys.executable, "-m", "venv", str(env.dir)], capture_output=True, text=True)
        if proc.returncode != 0:
            raise UsageError(f"kit matrix build {env.name}: python -m venv failed: {proc.stderr.strip()[-300:]}")
    had_pins = env.lock.exists()
    fresh = upgrade or not had_pins
    args = ["install", "-q", "-e", str(root), *env.requirements]
    if fresh:
        args.insert(1, "--upgrade")
    else:
        args += ["-c", str(env.lock)]
    echo(f"  {env.name}: pip install {' '.join(env.requirements)}" + ("" if fresh else f" (pinned by {env.lock.name})"))
    _pip(env, args, "pip install")
    if fresh:
        frozen = _pip(env, ["freeze", "--exclude-editable"], "pip freeze")
        pins = sorted((line for line in frozen.splitlines()
                       if line.strip() and not line.startswith("#") and not line.lower().startswith("toolstream-kit")),
                      key=str.lower)
        env.lock.write_text(f"# pins of the {env.name} matrix environment, written by `kit matrix build --upgrade "
                            f"{env.name}`\n# requirements: {env.spec.name}; Python {sys.version.split()[0]}\n"
                            + "\n".join(pins) + "\n", encoding="utf-8")
        echo(f"  {env.name}: wrote {len(pins)} pins to {env.lock.relative_to(root)}")
    stamp_file.write_text(_stamp(env, root) + "\n")
    if fresh:
        return "upgraded, pins rewritten" if had_pins else "built, pins written"
    return "built"


# -- running -------------------------------------------------------------------------------------------


def _clean_environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _CREDENTIALS and not k.endswith("_API_KEY")}
    for name in ("NO_PROXY", "no_proxy"):
        env[name] = f"{env[name]},127.0.0.1,localhost" if env.get(name) else "127.0.0.1,localhost"
    env.pop("PYTHONPATH", None)
    return env


def _version(env: Env, distribution: str) -> str | None:
    if env.kind == "node":  # an npm package, "npm:<name>"
        try:
            package = env.node_modules / distribution.removeprefix("npm:") / "package.json"
            doc = json.loads(package.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return doc.get("version") if isinstance(doc, dict) and isinstance(doc.get("version"), str) else None
    proc = subprocess.run([str(env.python), "-c", "import importlib.metadata as m, sys; print(m.version(sys.argv[1]))",
                           distribution], capture_output=True, text=True)
    return proc.stdout.strip() or None if proc.returncode == 0 else None


def _relative(path: Any, root: Path) -> Any:
    """A trace path as the clone has it: relative to the root; a trace of the corpus bundled
    in an installed kit (``.../kit/_corpus/<api>/<file>``) is ``traces/<api>/<file>``."""
    if not isinstance(path, str) or not os.path.isabs(path):
        return path
    p = Path(path).resolve()
    # the bundled corpus first: an installed kit may live inside the clone (a .venv there)
    parts = p.parts
    for i in range(len(parts) - 2, 0, -1):
        if parts[i] == "_corpus" and parts[i - 1] == "kit":
            return "/".join(("traces", *parts[i + 1:]))
    try:
        return p.relative_to(root).as_posix()
    except ValueError:
        return p.name


def repro_command(adapter: str, trace: str, chunking: str | None = None) -> str:
    """The command that re-runs one case (every chunk plan when ``chunking`` is None)."""
    return f"kit verify -a {adapter} --trace {trace}" + (f" --chunking {chunking}" if chunking else "")


def _show(value: Any, n: int = 60) -> str:
    text = " ".join(json.dumps(value, ensure_ascii=False).split())
    return text if len(text) <= n else text[: n - 3] + "..."


def plain(r: dict[str, Any]) -> str:
    """What went wrong in one failing record, in plain words."""
    verdict, path, message = r["verdict"], r.get("path") or "", r.get("message") or ""
    want, got = r.get("expected"), r.get("actual")
    if verdict == "TIMEOUT":
        return "hangs: no result within the time limit"
    if verdict == "ERROR":
        if r.get("check") == "crash":
            raised = message.split(": ", 1)[1] if ": " in message else message
            return f"raises on this valid stream: {_cut(raised, 160)}"
        return f"the adapter could not run it: {_cut(message, 160)}"
    if r.get("check") == "fault-reported":
        return "turns this broken stream silently into a plan (no error, nothing marked incomplete)"
    if r.get("check") == "streaming" or verdict == "NONSTRICT":
        return _cut(message, 200)
    more = sum(1 for d in r.get("differences") or [] if isinstance(d, dict)) - 1
    said = _plain_difference(path, want, got, message)
    return said + (f" (and {more} more difference{'s' if more != 1 else ''})" if more > 0 else "")


def _plain_difference(path: str, want: Any, got: Any, message: str) -> str:
    leaf = path.rsplit(".", 1)[-1]
    what = {"call_id": "call id", "action": "tool name", "parameters": "arguments", "text": "text",
            "finish_reason": "finish reason", "usage": "usage", "refusal": "refusal", "error": "error",
            "server_tools": "server-side tools"}.get(leaf.split("[", 1)[0])
    if leaf == "dispatched" and want is False:
        return "hands out a call whose arguments the stream cut off, as if it were complete"
    whole = leaf.startswith("commands[") or (path.startswith("choices[") and "." not in path)
    if whole and (want is None) != (got is None) and isinstance(want or got, str):  # one command or choice
        return f"loses {_show(want, 80)}" if got is None else f"adds {_show(got, 80)}"
    if leaf.startswith("commands") or leaf == "choices":
        n_want = len(want) if isinstance(want, list) else "?"
        n_got = len(got) if isinstance(got, list) else "?"
        return f"gives other commands: {n_got} instead of {n_want} ({_show(got, 80)} instead of {_show(want, 80)})"
    if what:
        return f"reports the {what} {_show(got)} instead of {_show(want)}"
    return _cut(message, 200)


@dataclass
class Progress:
    """The cases done so far per running adapter (read from the growing JSON-lines file)."""

    total: dict[str, int]
    files: dict[str, Path]
    done: dict[str, int]

    def count(self, name: str) -> int:
        path = self.files.get(name)
        if path is None:
            return self.done.get(name, 0)
        tmp = Path(f"{path}.tmp")
        try:
            with open(tmp if tmp.exists() else path, "rb") as f:
                return max(0, sum(1 for _ in f) - 1)
        except OSError:
            return 0


def run_adapter(adapter: Any, env: Env, root: Path, *, chunking: str = "recorded,event,bytewise",
                timeout: float = 10.0, limit: float = 1800.0, json_path: Path | None = None,
                traces: str | None = None) -> dict[str, Any]:
    """Run ``kit verify`` for one adapter in its environment; the results document
    ``{"ok", "records", "seconds", "error"}``. Records are rewritten for publishing: trace
    paths relative to the clone, the library and its version in the run record, a repro
    command on every failing record."""
    why = env.missing_tools()
    if why:
        return {"ok": False, "skipped": True, "records": [], "seconds": 0.0,
                "error": f"skipped: {why} (environment {env.name} is a Node environment)"}
    if not env.built:
        return {"ok": False, "records": [], "seconds": 0.0,
                "error": f"environment {env.name} is not built (kit matrix build {env.name})"}
    environment = _clean_environment()
    if env.kind == "node":
        environment["NODE_PATH"] = str(env.node_modules)
    out_path = json_path or Path(tempfile.mkdtemp(prefix="kit-matrix-")) / f"{adapter.name}.jsonl"
    # only the wire APIs the adapter declares (the others would be all SKIP)
    probe = subprocess.run([str(env.python), "-c", "import sys; from kit.adapters import load_adapter; "
                            "print(' '.join(load_adapter(sys.argv[1]).capabilities.apis))", adapter.spec],
                           capture_output=True, text=True, env=environment)
    if probe.returncode != 0 or not probe.stdout.strip():
        last = [line for line in probe.stderr.strip().splitlines() if line.strip()][-1:] or ["no APIs declared"]
        return {"ok": False, "records": [], "seconds": 0.0, "error": f"cannot load the adapter: {last[0].strip()}"}
    cmd = [*env.kit_command(), "verify", "-a", adapter.spec, "--json", str(out_path), "--quiet", "--no-repro",
           "--timeout", f"{timeout:g}", "--chunking", chunking]
    for api in probe.stdout.split():
        cmd += ["--api", api]
    if traces:
        cmd += ["--traces", str(Path(traces).resolve())]
    start = time.perf_counter()
    work = tempfile.mkdtemp(prefix="kit-matrix-cwd-")
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, env=environment, cwd=work, timeout=limit)
        status, stderr = proc.returncode, proc.stderr
    except subprocess.TimeoutExpired:
        status, stderr = -1, f"kit verify did not finish within {limit:g} s"
    finally:
        shutil.rmtree(work, ignore_errors=True)
    seconds = time.perf_counter() - start
    if status not in (0, 1) or not out_path.exists():
        last = [line for line in (stderr or "").strip().splitlines() if line.strip()][-1:] or [f"exit status {status}"]
        return {"ok": False, "records": [], "seconds": seconds, "error": last[0].strip()}
    records = [json.loads(line) for line in out_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    version = _version(env, adapter.distribution)
    for r in records:
        if r.get("type") == "run":
            r["matrix"] = {"adapter": adapter.name, "library": adapter.library, "distribution": adapter.distribution,
                           "version": version, "env": env.name, "usage": adapter.usage,
                           "recipe": getattr(adapter, "recipe", ""), "sits_on": list(getattr(adapter, "sits_on", ()))}
        elif r.get("type") == "verdict":
            r["trace_path"] = _relative(r.get("trace_path"), root)
            r["repro"] = None
            r["seconds"] = 0.0  # timings vary from run to run: not part of the published results
            if r.get("verdict") in FAILING:
                r["repro_command"] = repro_command(adapter.name, r["trace"], r["chunking"])
        elif r.get("type") == "summary":
            r["seconds"] = round(seconds, 1)
    return {"ok": True, "records": records, "seconds": seconds, "error": None}


def counts(records: Iterable[dict[str, Any]]) -> Counter:
    """Verdicts per record (one per trace and chunk plan): the progress line of ``kit matrix run``."""
    return Counter(r["verdict"] for r in records if r.get("type") == "verdict")


# a cell's verdict is the worst of its chunk plans', in the order the HTML matrix colours a cell
_SEVERITY = {"PASS": 0, "SKIP": 1, "INFO": 2, "NONSTRICT": 3, "FAIL": 4, "TIMEOUT": 5, "ERROR": 6}


def cells(records: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """One adapter's verdict records by trace: its cells (adapter x trace), each with the
    records of its chunk plans, in the order they were run."""
    out: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        if r.get("type") == "verdict":
            out.setdefault(r["trace"], []).append(r)
    return out


def cell_verdict(recs: list[dict[str, Any]]) -> str:
    """The verdict of a cell: the worst over its chunk plans."""
    return max((r["verdict"] for r in recs), key=lambda v: _SEVERITY.get(v, len(_SEVERITY)))


def cell_counts(records: Iterable[dict[str, Any]]) -> Counter:
    """Cells per verdict (a cell is one trace under every chunk plan, graded by its worst plan)."""
    return Counter(cell_verdict(recs) for recs in cells(records).values())


def _short_counts(c: Counter) -> str:
    return " ".join(f"{v} {c[v]}" for v in VERDICT_ORDER if c[v])


def run_matrix(envs: list[Env], adapters: list[Any], root: Path, *, jobs: int = 2, timeout: float = 10.0,
               chunking: str = "recorded,event,bytewise", results_dir: Path | None = None,
               echo: Callable[[str], None] = print, tty: bool = False,
               traces: str | None = None) -> tuple[list[str], float]:
    """Run every adapter (``jobs`` at a time), writing ``matrix/results/<adapter>.jsonl``
    (``traces``: another folder of traces than the bundled corpus); returns the names
    that failed to run and the wall time."""
    results = results_dir or root / RESULTS_DIR
    results.mkdir(parents=True, exist_ok=True)
    env_by_name = {e.name: e for e in envs}
    # the slowest first (from the previous results), so the jobs finish together
    def previous(a: Any) -> float:
        path = results / f"{a.name}.jsonl"
        try:
            last = json.loads(path.read_text(encoding="utf-8").strip().splitlines()[-1])
            return float(last.get("seconds") or 0)
        except (OSError, ValueError, IndexError):
            return 0.0

    order = sorted(adapters, key=previous, reverse=True)
    scratch = Path(tempfile.mkdtemp(prefix="kit-matrix-"))
    files = {a.name: scratch / f"{a.name}.jsonl" for a in order}
    running: dict[str, float] = {}
    failed: list[str] = []
    done = [0]
    lock = threading.Lock()
    start = time.perf_counter()
    stop = threading.Event()
    progress = Progress({}, files, {})

    def status_line() -> str:
        with lock:
            now = time.perf_counter()
            parts = [f"{name} {progress.count(name)} cases {now - t0:.0f}s" for name, t0 in running.items()]
        return f"[{done[0]}/{len(order)} adapters, {time.perf_counter() - start:.0f}s] " + "; ".join(parts)

    def ticker() -> None:
        every = 1.0 if tty else 30.0
        while not stop.wait(every):
            line = status_line()
            if tty:
                sys.stderr.write("\r" + line[:150].ljust(150))
                sys.stderr.flush()
            else:
                echo(line)

    def one(a: Any) -> None:
        env = env_by_name[a.env]
        with lock:
            running[a.name] = time.perf_counter()
        res = run_adapter(a, env, root, chunking=chunking, timeout=timeout, json_path=files[a.name], traces=traces)
        with lock:
            running.pop(a.name, None)
            done[0] += 1
        if tty:
            sys.stderr.write("\r" + " " * 150 + "\r")
        if not res["ok"]:
            if res.get("skipped"):  # the machine cannot run it (no node): said, not a failure
                echo(f"  {a.name}: {res['error']}")
                return
            failed.append(a.name)
            echo(f"  {a.name}: did not run: {res['error']}")
            return
        target = results / f"{a.name}.jsonl"
        tmp = target.with_suffix(".jsonl.tmp")
        tmp.write_text("".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in res["records"]),
                       encoding="utf-8")
        os.replace(tmp, target)
        meta = res["records"][0].get("matrix", {}) if res["records"] else {}
        echo(f"  {a.name} ({meta.get('distribution')} {meta.get('version')}): "
             f"{_short_counts(counts(res['records']))} in {res['seconds']:.0f}s")

    tick = threading.Thread(target=ticker, daemon=True)
    tick.start()
    try:
        with ThreadPoolExecutor(max(1, jobs)) as pool:
            list(pool.map(one, order))
    finally:
        stop.set()
        shutil.rmtree(scratch, ignore_errors=True)
    return failed, time.perf_counter() - start


# -- what the corpus misses ---------------------------------------------------------------------------


def behaviour_key(r: dict[str, Any]) -> tuple[Any, ...]:
    """A failing record's kind of wrongness, independent of the trace: verdict, check, the
    Plan field that differs, and for a crash the exception type."""
    leaf = (r.get("path") or "").rsplit(".", 1)[-1].split("[", 1)[0] or None
    exc = None
    if r["verdict"] == "ERROR" and r.get("check") == "crash":
        raised = (r.get("message") or "").split(": ", 2)
        exc = raised[1] if len(raised) > 1 else None
    return (r["verdict"], r.get("check"), leaf, exc)


def gaps(other: list[list[dict[str, Any]]], published: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Failures of an adapter on other traces (e.g. real recordings) whose kind
    (:func:`behaviour_key`) none of its failures on the corpus shows: the cases the corpus
    is missing. One entry per (adapter, kind), with the traces that show it."""
    seen: dict[str, set[tuple[Any, ...]]] = {}
    for records in published:
        name = records[0]["matrix"]["adapter"]
        seen[name] = {behaviour_key(r) for r in records if r.get("type") == "verdict" and r["verdict"] in FAILING}
    out: dict[tuple[str, tuple[Any, ...]], dict[str, Any]] = {}
    for records in other:
        name = records[0]["matrix"]["adapter"]
        for r in records:
            if r.get("type") != "verdict" or r["verdict"] not in FAILING:
                continue
            key = behaviour_key(r)
            if key in seen.get(name, set()):
                continue
            entry = out.setdefault((name, key), {"adapter": name, "kind": list(key), "traces": [], "example": plain(r),
                                                 "rule": r.get("rule")})
            if r["trace"] not in entry["traces"]:
                entry["traces"].append(r["trace"])
    return list(out.values())


# -- the report ---------------------------------------------------------------------------------------


def _json_lines(path: Path) -> list[Any]:
    """The records of a JSON-lines file; a file that cannot be read or a line that is not JSON
    is a :class:`~kit.errors.TraceError` worded as in every command (exit 3)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise unreadable(path, exc) from None
    except UnicodeDecodeError as exc:
        raise not_json(path, exc) from None
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                out.append(json.loads(line))
            except ValueError as exc:
                raise TraceError(f"line {number}: invalid JSON at column {getattr(exc, 'colno', '?')}: "
                                 f"{getattr(exc, 'msg', exc)}", path=str(path)) from None
    return out


def load_results(root: Path, results_dir: Path | None = None) -> list[list[dict[str, Any]]]:
    """Each committed results file's records, in registry order (unknown adapters last)."""
    from .adapters.thirdparty import ADAPTERS  # noqa: PLC0415

    directory = results_dir or root / RESULTS_DIR
    rank = {a.name: i for i, a in enumerate(ADAPTERS)}
    files = sorted(directory.glob("*.jsonl"), key=lambda p: (rank.get(p.stem, len(rank)), p.stem))
    out = []
    for path in files:
        records = _json_lines(path)
        if not records or not isinstance(records[0], dict) or records[0].get("type") != "run" \
                or "matrix" not in records[0]:
            raise TraceError("not a kit matrix results file (its first line is not a run record with 'matrix')",
                             path=str(path))
        out.append(records)
    if not out:
        raise UsageError(f"kit matrix report: no results in {directory} (kit matrix run writes them)")
    return out


_API_SHORT = {"openai.chat.completions": "Chat Completions", "openai.responses": "Responses",
              "anthropic.messages": "Anthropic Messages", "google.generate_content": "Gemini"}


def _md(text: Any) -> str:
    s = "" if text is None else " ".join(str(text).split())
    return s.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def _cut(text: Any, n: int = 220) -> str:
    s = " ".join(str(text or "").split())
    return s if len(s) <= n else s[: n - 3] + "..."


def _apis(records: list[dict[str, Any]]) -> list[str]:
    run = records[0]
    apis = []
    for a in run.get("adapters") or []:
        apis.extend(a.get("apis") or [])
    return apis


def _when(all_results: list[list[dict[str, Any]]]) -> tuple[str, str]:
    dates = sorted(str(r[0].get("started") or "") for r in all_results)
    return (dates[0][:10], dates[-1][:10]) if dates else ("?", "?")


def _rule_text(rule_id: str | None) -> str:
    from .rules import RULES_BY_ID  # noqa: PLC0415

    r = RULES_BY_ID.get(rule_id or "")
    return r.requirement if r is not None else ""


def _failure_groups(records: list[dict[str, Any]]) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """``{rule: {trace: [records]}}`` of the failing (or late) cells: each cell with the records
    of all its chunk plans, under the rule of its first plan that has the cell's verdict."""
    groups: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(dict)
    for trace, recs in cells(records).items():
        verdict = cell_verdict(recs)
        if verdict in FAILING + ("NONSTRICT",):
            worst = next(r for r in recs if r["verdict"] == verdict)
            groups[worst.get("rule") or NO_RULE][trace] = recs
    return groups


NO_RULE = "(no rule)"  # the group of failures whose first difference no rule of the trace governs


def _rule_link(rule: str) -> str:
    if rule == NO_RULE:
        return "no rule of the trace governs the field that differs (each case's notes list the trace's rules)"
    return f"[`{rule}`](../conformance.md#{rule})"


def recipe_of(records: list[dict[str, Any]]) -> str:
    """The documented recipe on top of an SDK that one results file grades ("" for a library's
    own code): the run record's ``matrix.recipe``, else the registry's entry for the adapter."""
    meta = records[0]["matrix"]
    if "recipe" in meta:
        return str(meta.get("recipe") or "")
    from .adapters.thirdparty import by_name  # noqa: PLC0415

    entry = by_name().get(meta["adapter"])
    return entry.recipe if entry is not None else ""


# -- root causes, inherited failures, dialects ------------------------------------------------------------

UPSTREAM = Path("matrix") / "upstream.json"
SDK_OF_API = {"openai.chat.completions": "openai", "openai.responses": "openai", "anthropic.messages": "anthropic",
              "google.generate_content": "google.genai"}
_AT = re.compile(r"^(?:crashed on a valid stream: )?(?:(?:exit )?status \d+: )?(?P<type>[A-Za-z_][\w.]*)(?::.*?)?"
                 r" \(at (?P<file>[^():]+):(?P<line>\d+) in (?P<function>[^()]+)\)\s*$", re.S)
_LINK_KEYS = ("root_cause", "adapter", "library", "trace", "rule", "package", "exception")


def _norm_name(name: Any) -> str:
    return re.sub(r"[-_.]+", "_", str(name or "")).lower()


def sits_on_of(records: list[dict[str, Any]]) -> tuple[str, ...]:
    """The SDKs one results file's library reads the stream through: the run record's
    ``matrix.sits_on``, else the registry's entry for the adapter."""
    meta = records[0]["matrix"]
    if "sits_on" in meta:
        return tuple(meta.get("sits_on") or ())
    from .adapters.thirdparty import by_name  # noqa: PLC0415

    entry = by_name().get(meta["adapter"])
    return tuple(getattr(entry, "sits_on", ()) or ()) if entry is not None else ()


def crash_site(r: dict[str, Any]) -> dict[str, Any] | None:
    """Where a crash record raised: its ``origin`` (package, file, line, function, exception),
    or for a record written before origins, the exception type and the ``(at file:line in
    function)`` part of its message (``package`` None, ``file`` a bare file name)."""
    if r.get("verdict") != "ERROR" or r.get("check") != "crash":
        return None
    origin = r.get("origin")
    if isinstance(origin, dict) and origin.get("file"):
        m = _AT.match(r.get("message") or "")
        raised = m.group("type") if m else None
        return {"package": origin.get("package"), "file": origin.get("file"), "line": origin.get("line"),
                "function": origin.get("function"), "exception": origin.get("exception") or raised}
    m = _AT.match(r.get("message") or "")
    if not m:
        return None
    return {"package": None, "file": m.group("file"), "line": int(m.group("line")), "function": m.group("function"),
            "exception": m.group("type")}


def _fields(recs: list[dict[str, Any]]) -> frozenset[tuple[str, str, str]]:
    """The differences of a cell's FAIL records: (path, expected, actual), over its plans."""
    out = set()
    for r in recs:
        if r.get("verdict") != "FAIL":
            continue
        diffs = [d for d in r.get("differences") or [] if isinstance(d, dict)] or \
            [{"path": r.get("path"), "expected": r.get("expected"), "actual": r.get("actual")}]
        for d in diffs:
            out.add((str(d.get("path")), json.dumps(d.get("expected"), sort_keys=True),
                     json.dumps(d.get("actual"), sort_keys=True)))
    return frozenset(out)


def _leaves(recs: list[dict[str, Any]]) -> str:
    names = set()
    for r in recs:
        for d in r.get("differences") or [{"path": r.get("path")}]:
            if isinstance(d, dict):
                leaf = d.get("field") or (str(d.get("path") or "").rsplit(".", 1)[-1].split("[", 1)[0])
                if leaf:
                    names.add(str(leaf))
    return "+".join(sorted(names)) or "plan"


def load_upstream(root: Path) -> list[dict[str, Any]]:
    """The upstream issue links (``matrix/upstream.json``); each entry ``{"match": {...},
    "url", "title"}``. A missing file is no links; a malformed one is a TraceError (exit 3)."""
    path = root / UPSTREAM
    if not path.exists():
        return []
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise TraceError(f"not JSON: {exc}", path=str(path)) from None
    links = doc.get("links") if isinstance(doc, dict) else None
    if not isinstance(links, list):
        raise TraceError("expected an object with a 'links' list", path=str(path))
    for n, e in enumerate(links):
        problem = upstream_problem(e)
        if problem:
            raise TraceError(f"links[{n}]: {problem}", path=str(path))
    return links


def upstream_problem(e: Any) -> str | None:
    """What is wrong with one upstream entry (None when it is well-formed)."""
    if not isinstance(e, dict) or set(e) - {"match", "url", "title"}:
        return "each entry is an object with match, url and title (and nothing else)"
    if not isinstance(e.get("url"), str) or not re.match(r"^https://github\.com/[\w.-]+/[\w.-]+/(issues|pull)/\d+$",
                                                         e["url"]):
        return f"url {e.get('url')!r} is not a GitHub issue or pull request address"
    if not isinstance(e.get("title"), str) or not e["title"].strip():
        return "title must be a non-empty string"
    match = e.get("match")
    if not isinstance(match, dict) or not match or set(match) - set(_LINK_KEYS):
        return f"match must be a non-empty object with keys among {', '.join(_LINK_KEYS)}"
    for k, v in match.items():
        values = v if isinstance(v, list) else [v]
        if not values or not all(isinstance(x, str) and x for x in values):
            return f"match.{k} must be a string or a list of strings"
    return None


def _matches(entry: dict[str, Any], cell: dict[str, Any]) -> bool:
    for k, v in entry["match"].items():
        values = v if isinstance(v, list) else [v]
        if cell.get(k) not in values:
            return False
    return True


@dataclass
class Analysis:
    """Every failing cell's root cause and column, and the root causes."""

    cells: dict[tuple[str, str], dict[str, Any]]  # (adapter, trace) -> cell facts
    causes: dict[str, dict[str, Any]]  # root cause id -> {id, kind, cells, ...}


def _anchor(cause_id: str) -> str:
    return "rc-" + hashlib.sha1(cause_id.encode("utf-8")).hexdigest()[:10]


TRANSPORT_RULES = frozenset({"anth-event-name", "resp-event-name", "anth-event-json", "resp-event-json",
                             "chat-data-json"})
"""Rules decided by an SDK's SSE layer (its ``Stream`` decodes the events and routes them by
name) rather than by what a library builds from the events: with the ``sse-`` rules, the
only FAILs a library that reads the stream through that SDK can inherit from it."""


def _unread(recs: list[dict[str, Any]]) -> bool:
    """Every failing record of a cell differs only in usage the library did not report at all
    (none where the reference has counts): on a dialect trace, a vendor field it does not read
    (a dialect incompatibility), not data it changed."""
    failing = [r for r in recs if r["verdict"] in FAILING]
    return bool(failing) and all(
        r["verdict"] == "FAIL" and r.get("differences")
        and all(d.get("field") == "usage" and d.get("actual") is None for d in r["differences"]) for r in failing)


def _transport(rule: str | None) -> bool:
    return bool(rule) and (rule.startswith("sse-") or rule in TRANSPORT_RULES)


def analyse(all_results: list[list[dict[str, Any]]], links: list[dict[str, Any]] | None = None) -> Analysis:
    """Group the failing cells of every adapter into root causes.

    A crash's root cause is the code that raised: the origin's file and function and the
    exception type (a record without an origin: the ``(at file:line in function)`` of its
    message), shared across libraries when it lies in an SDK the library sits on (or the
    SDK's own package), else named after the library. A FAIL's is the library, the rule
    (or check) and the fields that differ. A cell is **inherited** from an SDK when its
    library sits on that SDK and (crash) the origin is inside the SDK, or, without an
    origin, the SDK's own row raises the same exception at the same place on the same
    trace; (FAIL) the rule broken is one the SDK's SSE layer decides (:data:`TRANSPORT_RULES`,
    ``sse-*``) and the SDK's own row fails the same trace too. The
    SDK's own row is the row, not a recipe, of the distribution named like the SDK, on the
    same wire API. A cell's column: ``dialect`` for an ERROR on a trace with a dialect,
    else ``inherited``, else its verdict."""
    links = links or []
    rows = {res[0]["matrix"]["adapter"]: res for res in all_results}
    cells_of = {name: cells(res) for name, res in rows.items()}
    sdk_rows: dict[tuple[str, str], str] = {}
    for name, res in rows.items():
        meta = res[0]["matrix"]
        if not recipe_of(res):
            for api in _apis(res):
                sdk_rows.setdefault((_norm_name(meta["distribution"]), api), name)
    facts: dict[tuple[str, str], dict[str, Any]] = {}

    def own_id(name: str, trace: str) -> tuple[str, str, dict[str, Any] | None]:
        """(root cause id, kind, crash site) of one failing cell, before inheritance."""
        res = rows[name]
        meta = res[0]["matrix"]
        recs = cells_of[name][trace]
        verdict = cell_verdict(recs)
        worst = next(r for r in recs if r["verdict"] == verdict)
        library = meta["library"]
        if verdict == "ERROR":
            site = crash_site(worst)
            if site is None:
                return f"{library}: {worst.get('check') or 'error'} {_cut(worst.get('message'), 60)}", "ERROR", None
            pkg = site["package"]
            where = f"{site['file']}:{site['function']} {site['exception']}"
            shared = pkg is not None and (pkg in sits_on_of(res) or pkg == _norm_name(meta["distribution"])
                                          or pkg == "kit-adapter")
            return (where if shared else f"{library}: {where}"), "ERROR", site
        if verdict == "TIMEOUT":
            return f"{library}: hangs ({name})", "TIMEOUT", None
        return f"{library}: {worst.get('rule') or worst.get('check')} [{_leaves(recs)}]", "FAIL", None

    for name, res in rows.items():
        meta = res[0]["matrix"]
        sits = sits_on_of(res)
        for trace, recs in cells_of[name].items():
            verdict = cell_verdict(recs)
            if verdict not in FAILING:
                continue
            worst = next(r for r in recs if r["verdict"] == verdict)
            cause, kind, site = own_id(name, trace)
            inherited, criterion = None, None
            for sdk in sits:
                sdk_name = sdk_rows.get((_norm_name(sdk), worst.get("api")))
                if verdict == "ERROR" and site is not None and site["package"] == sdk:
                    inherited, criterion = sdk, f"raised inside {sdk} ({site['file']}:{site['line']})"
                    break  # its id is already the place in the SDK
                elif sdk_name and sdk_name != name and trace in cells_of[sdk_name]:
                    theirs = cells_of[sdk_name][trace]
                    their_verdict = cell_verdict(theirs)
                    if verdict == "ERROR" and site is not None and site["package"] is None and their_verdict == "ERROR":
                        their_site = crash_site(next(r for r in theirs if r["verdict"] == "ERROR"))
                        if their_site and (their_site["file"], their_site["function"], their_site["exception"]) == \
                                (site["file"], site["function"], site["exception"]):
                            inherited = sdk
                            criterion = (f"{sdk_name}, the SDK's own row, raises the same {site['exception']} in "
                                         f"{site['file']}:{site['function']} on this trace")
                    elif verdict == "FAIL" and their_verdict in FAILING and _transport(worst.get("rule")):
                        inherited = sdk
                        criterion = (f"the stream is lost in {sdk}'s SSE layer, which the library reads it through "
                                     f"(rule {worst.get('rule')}), and {sdk_name}, the SDK's own row, fails this trace "
                                     "too")
                if inherited:
                    if sdk_name and sdk_name != name and trace in cells_of[sdk_name] and \
                            cell_verdict(cells_of[sdk_name][trace]) == verdict:
                        cause = own_id(sdk_name, trace)[0]
                    break
            dialect = next((r.get("dialect") for r in recs if r.get("dialect")), None)
            column = "dialect" if (dialect and (verdict == "ERROR" or _unread(recs))) else \
                ("inherited" if inherited else verdict)
            facts[(name, trace)] = {
                "adapter": name, "library": meta["library"], "trace": trace, "verdict": verdict, "kind": kind,
                "rule": worst.get("rule"), "root_cause": cause,
                # the package the failure is charged to: the SDK it is inherited from, the crash's
                # origin, else the library's own distribution
                "package": inherited or (site or {}).get("package") or _norm_name(meta["distribution"]),
                "exception": (site or {}).get("exception"), "inherited": inherited, "criterion": criterion,
                "dialect": dialect, "column": column, "recipe": bool(recipe_of(res)), "api": worst.get("api"),
                "plain": plain(worst), "repro": repro_command(name, trace)}
    causes: dict[str, dict[str, Any]] = {}
    for key, f in facts.items():
        c = causes.setdefault(f["root_cause"], {"id": f["root_cause"], "anchor": _anchor(f["root_cause"]),
                                                "kinds": set(), "cells": [], "links": []})
        c["kinds"].add(f["kind"])
        c["cells"].append(f)
    for f in facts.values():
        f["links"] = [e for e in links if _matches(e, f)]
    for c in causes.values():
        c["cells"].sort(key=lambda f: (f["inherited"] is not None, f["adapter"], f["trace"]))
        seen = []
        for f in c["cells"]:
            for e in f["links"]:
                if e not in seen:
                    seen.append(e)
        c["links"] = seen
        # a recipe row's cells are the recipe's (a guide's loop over an SDK), not the library's own code
        c["libraries"] = list(dict.fromkeys(f"the recipe {f['adapter']}" if f["recipe"] else f["library"]
                                            for f in c["cells"]))
        c["traces"] = sorted({f["trace"] for f in c["cells"]})
        c["inherited"] = sum(1 for f in c["cells"] if f["inherited"])
        first = next((f for f in c["cells"] if not f["inherited"]), c["cells"][0])
        c["repro"] = first["repro"]
        c["example"] = first["plain"]
    return Analysis(facts, causes)


def columns(records: list[dict[str, Any]], analysis: Analysis) -> Counter:
    """Cells per column of the summary: the verdicts, with ``dialect`` (an ERROR on a dialect
    trace) and ``inherited`` (a failure inherited from an SDK) counted apart."""
    name = records[0]["matrix"]["adapter"]
    out: Counter = Counter()
    for trace, recs in cells(records).items():
        f = analysis.cells.get((name, trace))
        out[f["column"] if f else cell_verdict(recs)] += 1
    return out


def _cause_link(cause_id: str) -> str:
    return f"[`{_md(cause_id)}`](#{_anchor(cause_id)})"


def _links_md(entries: list[dict[str, Any]]) -> str:
    return ", ".join(f"[{_md(e['title'])}]({e['url']})" for e in entries)


def _root_cause_section(analysis: Analysis) -> list[str]:
    if not analysis.causes:
        return []
    causes = sorted(analysis.causes.values(), key=lambda c: (-len(c["cells"]), c["id"]))
    n_inh = sum(c["inherited"] for c in causes)
    out = ["## Root causes", "",
           f"The {sum(len(c['cells']) for c in causes)} failing cells of every row come from {len(causes)} root "
           f"causes, each listed once. A crash's root cause is the code that raised: the file and function of the "
           f"innermost frame of the traceback in third-party code and the exception type (the standard library and "
           f"the kit passed over; `kit-adapter` is the kit's own adapter or recipe code; results recorded before "
           f"origins were kept give the place in the message: a bare file name, the library named in front). A "
           f"FAIL's root cause is the library, the rule and the fields that differ. {n_inh} cells are **inherited**: "
           f"their library reads the stream through an SDK (`sits_on` in `kit/adapters/thirdparty/`) and either the "
           f"crash was raised inside that SDK, or the SDK's own row raises the same exception at the same place, or "
           f"the stream is lost in the SDK's SSE layer (a rule of SSE framing or event decoding) and the SDK's own "
           f"row fails that trace too; each such cell says which.", "",
           "| root cause | cells | inherited | what fails | cells affected | repro | upstream |",
           "|---|---:|---:|---|---|---|---|"]
    for c in causes:
        adapters: dict[str, list[str]] = {}
        for f in c["cells"]:
            adapters.setdefault(f["adapter"], []).append(f"`{f['trace']}`" + (" (inherited)" if f["inherited"] else "")
                                                         + (" (dialect)" if f["column"] == "dialect" else ""))
        where = "; ".join(f"`{a}`: {', '.join(ts)}" for a, ts in adapters.items())
        kinds = "/".join(sorted(c["kinds"]))
        out.append(f'| <a id="{c["anchor"]}"></a>`{_md(c["id"])}` | {len(c["cells"])} | {c["inherited"] or ""} | '
                   f"{kinds} in {_md(', '.join(c['libraries']))}: {_md(_cut(c['example'], 200))} | {where} | "
                   f"`{c['repro']}` | {_links_md(c['links'])} |")
    out.append("")
    return out


def _result_limits(adapter: dict[str, Any]) -> list[str]:
    from .verify.reports import result_limits  # noqa: PLC0415

    return result_limits(adapter)


def summary_rows(all_results: list[list[dict[str, Any]]], analysis: Analysis | None = None) -> list[dict[str, Any]]:
    """One row per adapter; ``counts`` are its cells per column: the verdicts, with the
    ``dialect`` and ``inherited`` cells counted apart (see :func:`columns`)."""
    analysis = analysis or analyse(all_results)
    rows = []
    for records in all_results:
        run, meta = records[0], records[0]["matrix"]
        rows.append({"library": meta["library"], "adapter": meta["adapter"], "version": meta.get("version"),
                     "distribution": meta["distribution"], "apis": _apis(records),
                     "counts": columns(records, analysis),
                     "recipe": recipe_of(records), "usage": meta.get("usage"), "env": meta.get("env"),
                     "omits": [o for a in run.get("adapters") or [] for o in a.get("omits") or []],
                     "limits": [x for a in run.get("adapters") or [] if isinstance(a, dict)
                                for x in _result_limits(a)]})
    return rows


# the summary's columns: the verdicts, with the inherited failures and the dialect
# incompatibilities apart (see :func:`analyse`)
COLUMNS = ("PASS", "NONSTRICT", "FAIL", "ERROR", "TIMEOUT", "inherited", "dialect", "SKIP", "INFO")
GRADED = ("PASS", "NONSTRICT", "FAIL", "ERROR", "TIMEOUT", "inherited")  # the pass rate's cells: not dialect
FAILING_COLUMNS = ("FAIL", "ERROR", "TIMEOUT", "inherited")


def _graded(rows: list[dict[str, Any]]) -> tuple[int, int]:
    """(failing cells, graded cells) of some rows: the dialect column is in neither."""
    return (sum(r["counts"][v] for r in rows for v in FAILING_COLUMNS),
            sum(r["counts"][v] for r in rows for v in GRADED))


def language(distribution: str) -> str:
    """The language of a row's library, from its distribution: ``npm:...`` is JavaScript
    (a Node environment), anything else a Python distribution."""
    return "JavaScript" if distribution.startswith("npm:") else "Python"


def _summary_table(rows: list[dict[str, Any]], first: str) -> list[str]:
    out = [f"| {first} | language | version | adapter | wire API | " + " | ".join(COLUMNS) + " | pass rate |",
           "|---|---|---|---|---|" + "---:|" * len(COLUMNS) + "---:|"]
    for r in rows:
        c = r["counts"]
        graded = sum(c[v] for v in GRADED)
        rate = f"{100 * (c['PASS'] + c['NONSTRICT']) / graded:.0f}%" if graded else "-"
        out.append(f"| {_md(r['library'])} | {language(r['distribution'])} | {_md(r['distribution'])} {_md(r['version'])} | "
                   f"[`{r['adapter']}`](#{r['adapter']}) | "
                   f"{', '.join(_API_SHORT.get(a, a) for a in r['apis'])} | "
                   + " | ".join(str(c[v]) if c[v] else "" for v in COLUMNS) + f" | {rate} |")
    return out


def _cell_line(adapter: str, trace: str, recs: list[dict[str, Any]], run_plans: list[str],
               fact: dict[str, Any] | None = None) -> str:
    """One failing cell: what it does, and its repro. Its chunk plans are named only when they
    disagree (then each verdict, or finding, with the plans that gave it); the repro names the
    plan that fails only when the verdicts differ (or the cell ran under fewer plans than the run)."""
    verdict = cell_verdict(recs)
    by_what: dict[str, list[str]] = {}
    for x in recs:
        what = f"{x['verdict']}: {plain(x)}" if x["verdict"] in FAILING + ("NONSTRICT",) else x["verdict"]
        by_what.setdefault(what, []).append(x["chunking"])
    if len(by_what) == 1:
        said = next(iter(by_what))
    else:
        said = "; ".join(f"{what} ({', '.join(plans)})" for what, plans in by_what.items())
    narrow = len({x["verdict"] for x in recs}) > 1 or not set(run_plans) <= {x["chunking"] for x in recs}
    plan = next(x["chunking"] for x in recs if x["verdict"] == verdict) if narrow else None
    cause = ""
    if fact is not None:
        if fact["inherited"]:
            cause = (f"  \n    inherited from {_md(fact['inherited'])}: root cause {_cause_link(fact['root_cause'])} "
                     f"({_md(fact['criterion'])})")
        else:
            cause = f"  \n    root cause {_cause_link(fact['root_cause'])}"
        if fact["column"] == "dialect":
            cause += f"; a dialect incompatibility (dialect `{_md(fact['dialect'])}`), not a contract failure"
        if fact["links"]:
            cause += f"; upstream: {_links_md(fact['links'])}"
    return f"  - `{trace}` {_md(said)}{cause}  \n    repro: `{repro_command(adapter, trace, plan)}`"


def _short_columns(c: Counter) -> str:
    return " ".join(f"{v} {c[v]}" for v in COLUMNS if c[v])


def _adapter_sections(members: list[tuple[dict[str, Any], list[dict[str, Any]]]], analysis: Analysis) -> list[str]:
    out: list[str] = []
    for row, records in members:
        c = row["counts"]
        out += [f"#### {row['adapter']}", ""]
        if row["recipe"]:
            out += [f"Recipe: {_md(row['recipe'])}.", ""]
        out.append(f"{_md(row['usage'])} ({', '.join(_API_SHORT.get(a, a) for a in row['apis'])}): "
                   f"{sum(c.values())} cells, {_short_columns(c)}.")
        if row["limits"]:
            out.append(f"What its result cannot express is not graded: it {'; '.join(map(_md, row['limits']))}.")
        groups = _failure_groups(records)
        if not groups:
            out += ["", "No failing cell.", ""]
            continue
        out.append("")
        for rule, traces in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            out.append(f"- **{_rule_link(rule)}** ({len(traces)} cell{'s' if len(traces) != 1 else ''})"
                       + (f": {_md(_rule_text(rule))}" if rule != NO_RULE else ""))
            for trace, recs in sorted(traces.items()):
                out.append(_cell_line(row["adapter"], trace, recs, records[0].get("chunkings") or [],
                                      analysis.cells.get((row["adapter"], trace))))
        out.append("")
    return out


def markdown_report(all_results: list[list[dict[str, Any]]], links: list[dict[str, Any]] | None = None) -> str:
    """``docs/compatibility.md``: a pure function of the results and the upstream links (and
    of the registry's ``recipe`` and ``sits_on`` fields for results that do not record them)."""
    analysis = analyse(all_results, links)
    rows = summary_rows(all_results, analysis)
    first, last = _when(all_results)
    lib_rows = [r for r in rows if not r["recipe"]]
    recipe_rows = [r for r in rows if r["recipe"]]
    libraries = list(dict.fromkeys(r["library"] for r in lib_rows))
    apis = sorted({a for r in rows for a in r["apis"]}, key=list(_API_SHORT).index)
    runs = [r[0] for r in all_results]
    kit_versions = sorted({str(r.get("kit")) for r in runs})
    pythons = sorted({str((r.get("versions") or {}).get("python")) for r in runs})
    chunkings = runs[0].get("chunkings") or []
    total_cells = sum(sum(r["counts"].values()) for r in rows)
    lib_bad, lib_graded = _graded(lib_rows)
    rec_bad, rec_graded = _graded(recipe_rows)
    recipes_said = (f", and {len(recipe_rows)} recipe{'s' if len(recipe_rows) != 1 else ''} on top of an SDK"
                    if recipe_rows else "")
    languages = sorted({language(r["distribution"]) for r in lib_rows + recipe_rows}, key=lambda x: x != "Python")
    out = [
        f"# Compatibility matrix: streamed tool calls in {' and '.join(languages) or 'Python'} LLM clients",
        "",
        "<!-- generated by `kit matrix report` from matrix/results/*.jsonl; do not edit by hand -->",
        "",
        f"{len(libraries)} libraries through {len(lib_rows)} adapters{recipes_said}: {total_cells} cells over the "
        f"kit's corpus ({', '.join(_API_SHORT[a] for a in apis)}). A cell is one adapter on one trace, run under "
        f"the chunk plans {', '.join(chunkings)}; its verdict is the worst of its plans', and the counts below "
        f"count cells. Results recorded {first}" + (f" to {last}" if last != first else "")
        + f" with kit {', '.join(kit_versions)} on Python {', '.join(pythons)}; library versions are in the table "
        f"(pinned in `matrix/envs/*.txt`).",
        "",
        "Each adapter drives the unmodified library the way its documentation shows for streaming with tools, "
        "against the kit's loopback replay server, and maps the library's final result onto the kit's Plan "
        "(see `kit/adapters/thirdparty/`). Verdicts: **PASS** same Plan as the reference; **NONSTRICT** same Plan, "
        "streamed late; **FAIL** a different Plan (or an invalid stream turned silently into one); **ERROR** the "
        "library raised on a valid stream; **TIMEOUT**; **SKIP** outside what the adapter declares (e.g. several "
        "choices); **INFO** an implementation-defined trace. On an `n_` trace, raising is the right answer.",
        "",
        "Contract and dialect: a `y_` trace is either the provider's documented contract (or a first-party "
        "recording) or a registered **dialect** of a compatible server (`kit dialects`). A crash or a clean refusal "
        "on a dialect trace counts in the **dialect** column (the library does not support that server), not as "
        "ERROR, and so does usage a dialect sends only in a vendor field that the library does not report at all; "
        "any other FAIL stays a FAIL on any trace (data lost or changed silently). Inherited: most libraries read "
        "the stream through the openai or anthropic SDK; a failure that comes from the SDK (raised inside it, or "
        "the stream lost in the SDK's SSE layer, which the SDK's own row fails too) counts in the **inherited** "
        "column and is listed "
        "once under its [root cause](#root-causes) with every row it reaches. Recipes: rows that grade a documented "
        "recipe over an SDK rather than a library's own code are listed apart.",
        "",
        "Every failing cell below names the rule it breaks (see [conformance.md](../conformance.md)) and the command "
        "that reproduces it; a chunk plan is named only where the plans of a cell disagree (and the command then "
        "runs the plan that fails). Run it where the library is installed, e.g. in the matrix environment "
        "(`kit matrix build ENV`, then `.kit/matrix/envs/ENV/bin/kit verify ...`). "
        "[compatibility.html](compatibility.html) is the same data as a matrix of traces x libraries, cells "
        "clustered by identical behaviour, each opening expected vs actual and the wire view.",
        "",
        "Rebuild: `kit matrix` (builds the environments, runs every adapter, regenerates this page).",
        "",
        "## Summary",
        "",
        f"Libraries: {lib_bad} of {lib_graded} graded cells fail (FAIL, ERROR or TIMEOUT)."
        + (f" Recipes on top of an SDK: {rec_bad} of {rec_graded} graded cells fail." if recipe_rows else "")
        + f" Of the libraries' failing cells, {sum(r['counts']['inherited'] for r in lib_rows)} are inherited from "
        f"an SDK; {sum(r['counts']['dialect'] for r in rows)} dialect incompatibilities are counted apart.",
        "",
        "### Libraries",
        "",
        *_summary_table(lib_rows, "library"),
    ]
    if recipe_rows:
        out += ["", "### Recipes on top of an SDK", "",
                "These rows grade a documented recipe the user assembles over an SDK (a guide's loop, or a library "
                "that passes the SDK's objects through to the user's own assembly), not a library's own code: "
                "a failure is the SDK's or the recipe's.", "",
                *_summary_table(recipe_rows, "SDK or library")]
    out += ["", "Pass rate: PASS + NONSTRICT over the graded cells of the contract: PASS, NONSTRICT, FAIL, ERROR, "
            "TIMEOUT and inherited (an inherited failure still reaches the library's users); the dialect column, "
            "SKIP and INFO left out.", ""]
    # the worst rules across libraries (recipes apart)
    per_rule: dict[str, set[str]] = defaultdict(set)
    per_rule_cells: Counter = Counter()
    for row, records in zip(rows, all_results):
        if row["recipe"]:
            continue
        for rule, traces in _failure_groups(records).items():
            if rule != NO_RULE:
                per_rule[rule].add(row["library"])
                per_rule_cells[rule] += len(traces)
    if per_rule:
        out += ["## The rules most libraries break", "",
                "Over the libraries' rows (recipes apart): the libraries with at least one cell failing the rule, "
                "and those cells.", "",
                "| rule | libraries | cells | what the rule requires |", "|---|---:|---:|---|"]
        for rule, libs in sorted(per_rule.items(), key=lambda kv: (-len(kv[1]), -per_rule_cells[kv[0]], kv[0]))[:15]:
            out.append(f"| [`{rule}`](../conformance.md#{rule}) | {len(libs)} | {per_rule_cells[rule]} | "
                       f"{_md(_rule_text(rule))} |")
        out.append("")
    out += _root_cause_section(analysis)
    for heading, part in (("Per library", lib_rows), ("Recipes on top of an SDK", recipe_rows)):
        if not part:
            continue
        out += [f"## {heading}", ""]
        names = {r["adapter"] for r in part}
        for lib in dict.fromkeys(r["library"] for r in part):
            members = [(r, rec) for r, rec in zip(rows, all_results) if r["library"] == lib and r["adapter"] in names]
            versions = sorted({f"{r['distribution']} {r['version']}" for r, _ in members})
            out += [f"### {lib}" + (" (recipes)" if heading != "Per library" else ""), "",
                    f"Version: {', '.join(versions)}.", ""]
            out += _adapter_sections(members, analysis)
    return "\n".join(out).rstrip("\n") + "\n"


def _cause_note(fact: dict[str, Any]) -> str:
    said = (f"inherited from {fact['inherited']} ({fact['criterion']}): root cause {fact['root_cause']}"
            if fact["inherited"] else f"root cause {fact['root_cause']}")
    if fact["column"] == "dialect":
        said += f"; a dialect incompatibility (dialect {fact['dialect']}), not a contract failure"
    if fact["links"]:
        said += "; upstream: " + ", ".join(f"{e['title']} {e['url']}" for e in fact["links"])
    return said


def _root_cause_html(analysis: Analysis) -> str:
    from html import escape  # noqa: PLC0415

    if not analysis.causes:
        return ""
    causes = sorted(analysis.causes.values(), key=lambda c: (-len(c["cells"]), c["id"]))
    out = ['<h2 id="root-causes">Root causes</h2>',
           f"<p>The failing cells of every row, grouped by the code that fails ({len(causes)} root causes); "
           "inherited: cells of a library that come from the SDK it reads the stream through. "
           "docs/compatibility.md explains the grouping.</p>",
           '<table class="causes"><tr><th>root cause</th><th>cells</th><th>inherited</th><th>libraries</th>'
           "<th>example</th><th>repro</th><th>upstream</th></tr>"]
    for c in causes:
        links = ", ".join(f'<a href="{escape(e["url"])}">{escape(e["title"])}</a>' for e in c["links"])
        out.append(f'<tr id="{c["anchor"]}"><td><code>{escape(c["id"])}</code></td><td>{len(c["cells"])}</td>'
                   f"<td>{c['inherited'] or ''}</td><td>{escape(', '.join(c['libraries']))}</td>"
                   f"<td>{escape(_cut(c['example'], 160))}</td><td><code>{escape(c['repro'])}</code></td>"
                   f"<td>{links}</td></tr>")
    out.append("</table>")
    return "\n".join(out) + "\n"


def html_report(all_results: list[list[dict[str, Any]]], root: Path,
                links: list[dict[str, Any]] | None = None) -> str:
    """``docs/compatibility.html``: every verdict of every adapter in one matrix; libraries'
    columns first, then the recipes', each group labelled; counts are cells. Each failing
    record's notes name its root cause (inherited or not, dialect, upstream links); the root
    causes follow the matrix."""
    from .verify.reports import html  # noqa: PLC0415

    analysis = analyse(all_results, links)

    records: list[dict[str, Any]] = []
    adapters = []
    groups: dict[str, str] = {}
    ordered = sorted(all_results, key=lambda res: bool(recipe_of(res)))  # stable: registry order within a group
    for res in ordered:
        run, meta = res[0], res[0]["matrix"]
        recipe = recipe_of(res)
        for a in run.get("adapters") or []:
            spec = f"{meta['distribution']} {meta.get('version')}: {meta.get('usage')}"
            if recipe:
                spec = f"recipe on top of an SDK ({recipe}); {spec}"
            adapters.append({**a, "spec": spec})
            groups[a.get("name")] = "recipes on top of an SDK" if recipe else "libraries"
        for r in res:
            if r.get("type") != "verdict":
                continue
            fact = analysis.cells.get((meta["adapter"], r["trace"]))
            if fact is not None and r["verdict"] in FAILING:
                r = {**r, "notes": [*(r.get("notes") or []), _cause_note(fact)]}
            records.append(r)
    first, last = _when(all_results)
    run = {"type": "run", "format": "kit-verify/1", "kit": all_results[0][0].get("kit"), "started": last,
           "adapters": adapters, "chunkings": all_results[0][0].get("chunkings")}
    page = html([run, *records], root=root, title="toolstream-kit compatibility matrix", per_api_adapters=True,
                groups=groups)
    at = page.rfind("<script>")
    return page[:at] + _root_cause_html(analysis) + page[at:] if at >= 0 else page


README_BEGIN = "<!-- kit matrix: summary (generated by `kit matrix report`) -->"
README_END = "<!-- kit matrix: end -->"


def readme_block(all_results: list[list[dict[str, Any]]]) -> str:
    """The README's paragraph on the matrix: when, which versions, the headline figures (cells,
    libraries apart from recipes)."""
    rows = summary_rows(all_results)
    first, last = _when(all_results)
    lib_rows = [r for r in rows if not r["recipe"]]
    recipe_rows = [r for r in rows if r["recipe"]]
    libs: dict[str, list[str]] = {}
    for r in rows:
        libs.setdefault(r["library"], [])
        v = f"{r['distribution']} {r['version']}"
        if v not in libs[r["library"]]:
            libs[r["library"]].append(v)
    n_libs = len(dict.fromkeys(r["library"] for r in lib_rows))
    failing = sum(1 for r in lib_rows if any(r["counts"][v] for v in FAILING_COLUMNS))
    bad, total = _graded(lib_rows)
    rec_bad, rec_total = _graded(recipe_rows)
    inherited = sum(r["counts"]["inherited"] for r in lib_rows)
    dialect = sum(r["counts"]["dialect"] for r in rows)
    when = first if first == last else f"{first} to {last}"
    recipes = (f", and {len(recipe_rows)} recipe{'s' if len(recipe_rows) != 1 else ''} on top of an SDK "
               f"({', '.join(r['adapter'] for r in recipe_rows)})" if recipe_rows else "")
    return (f"{README_BEGIN}\n[docs/compatibility.md](docs/compatibility.md) (and [as a matrix](docs/compatibility.html)) "
            f"grades {n_libs} libraries through {len(lib_rows)} adapters{recipes}; generated {when} with "
            + ", ".join(", ".join(v) for v in libs.values())
            + f". A cell is one adapter on one trace, graded by its worst chunk plan. {failing} of the "
            f"{len(lib_rows)} library adapters fail at least one cell; {bad} of {total} graded cells of libraries "
            f"fail" + (f", and {rec_bad} of {rec_total} of recipes" if recipe_rows else "")
            + f". {inherited} of the libraries' failing cells are inherited from the SDK they read the stream "
            f"through, listed once under their root cause"
            + (f"; {dialect} crashes on dialect streams are counted apart" if dialect else "") + f".\n{README_END}")


def _replace_block(text: str, block: str) -> str:
    start, end = text.find(README_BEGIN), text.find(README_END)
    if start < 0 or end < start:
        raise UsageError(f"README.md has no {README_BEGIN} ... {README_END} block to update")
    return text[:start] + block + text[end + len(README_END):]


def write_report(root: Path, results_dir: Path | None = None, *, check: bool = False) -> list[str]:
    """Write (or with ``check``, compare) ``docs/compatibility.md``, ``.html`` and the README's
    matrix paragraph; the paths that changed (with ``check``: that differ from what the
    results generate)."""
    results = load_results(root, results_dir)
    links = load_upstream(root)
    texts = {root / DOC_MD: markdown_report(results, links), root / DOC_HTML: html_report(results, root, links)}
    readme = root / "README.md"
    if readme.exists():
        texts[readme] = _replace_block(readme.read_text(encoding="utf-8"), readme_block(results))
    changed = []
    for path, text in texts.items():
        old = path.read_text(encoding="utf-8") if path.exists() else None
        if old != text:
            changed.append(str(path.relative_to(root)))
            if not check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8", newline="\n")
    return changed
