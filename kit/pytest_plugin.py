"""toolstream-kit's pytest plugin: the conformance corpus as test items in any project.

Loaded through the ``pytest11`` entry point ``kit`` (``-p no:kit`` turns it off). Nothing
heavy is imported until an option asks for it: a project that installs the kit but does
not use it pays for the option definitions only.

With ``--kit-adapter SPEC`` (or the ``kit_adapter`` ini key) the plugin adds one test item
per (adapter, trace, chunk plan), named so ``-k`` can pick them::

    kit[py:mypkg.stream:handle]/openai.chat.completions/y_parallel_interleaved[bytewise]

and grades each with the engine ``kit verify`` uses. Selection is pytest's: plain ``pytest``
has every item; once the command line names test paths or node ids, only the kit items one
of them names (an id as printed, or a prefix ending at a part: ``kit[ADAPTER]``,
``kit[ADAPTER]/API``, ``kit[ADAPTER]/API/TRACE``), which the plugin takes out of pytest's
collection arguments. With a ``py:`` adapter the rootdir goes first on ``sys.path`` for the
run (``py:`` modules resolve there). Verdicts map onto outcomes: PASS →
passed; FAIL/ERROR/TIMEOUT → failed with the verdict's text (rule, expected vs actual,
input position, repro command); SKIP → skipped; NONSTRICT and INFO → passed, noted in
the report and the terminal summary (``--kit-nonstrict-fails`` fails NONSTRICT); known
failures from ``--kit-expectations`` → xfail (an unexpected pass fails under
``--kit-strict-expectations``). ``--kit-report PATH`` writes the verdict records as JSON
lines (format ``kit-verify/1``, as ``kit verify --json``), merged from pytest-xdist workers.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import pytest

from kit.testing import (  # noqa: F401 - the fixtures
    kit_chunks, kit_events, kit_http_client, kit_reference, kit_server, kit_trace,
)

DEFAULT_CHUNKING = "recorded,event,bytewise"
_RECORDS = pytest.StashKey[list]()
_STATE = pytest.StashKey[dict]()
# which kit items the command line selects: None every one; else the kit ids and prefixes it named
_SELECTION = pytest.StashKey["list[str] | None"]()
_ROOT = pytest.StashKey[str]()  # the rootdir, when the plugin put it on sys.path for py: adapters

# option name -> (ini type, help); every option has an ini key kit_<name> for pyproject.toml
_OPTIONS: dict[str, tuple[str, str]] = {
    "adapter": ("linelist", "implementation under test: py:MODULE:ATTR, exec:COMMAND or a bundled adapter "
                            "(repeatable; adds the conformance items, kit[ADAPTER]/API/TRACE[PLAN]; "
                            "naming test paths selects them only by such ids)"),
    "traces": ("string", "a folder of traces, one trace file, or a glob (default: the bundled corpus)"),
    "trace": ("linelist", "only these trace ids (patterns allowed; repeatable)"),
    "api": ("linelist", "only this wire API: chat, responses, anthropic, gemini or the full name (repeatable)"),
    "class": ("linelist", "only this trace class: y, n or i (repeatable)"),
    "rule": ("linelist", "only traces that exercise this rule id (repeatable)"),
    "chunking": ("string", f"comma-separated chunk plans (default: {DEFAULT_CHUNKING})"),
    "expectations": ("string", "known failures with reasons (kit-expectations/1 JSON): xfail"),
    "strict-expectations": ("bool", "a known failure that passes (XPASS) fails the run"),
    "nonstrict-fails": ("bool", "NONSTRICT (buffered text, late dispatch) fails instead of passing"),
    "report": ("string", "write the verdict records as JSON lines (kit-verify/1) to this path"),
    "timeout": ("string", "seconds per case (default 10)"),
    "isolate": ("bool", "run py: adapters in a child process, killed on timeout or crash"),
    "repro-dir": ("string", "where failures write repro files (default .kit/repro; 'none' for none)"),
    "record-mode": ("string", "kit_http_client: none (default: replay only), once, new_episodes, all, rewrite"),
}
_LISTS = {"adapter", "trace", "api", "class", "rule"}
_FLAGS = {"strict-expectations", "nonstrict-fails", "isolate"}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("kit", "toolstream-kit: conformance of streamed tool-call handlers")
    for name, (ini_type, text) in _OPTIONS.items():
        dest = "kit_" + name.replace("-", "_")
        if name in _LISTS:
            group.addoption(f"--kit-{name}", dest=dest, action="append", default=[], metavar=name.upper(), help=text)
        elif name in _FLAGS:
            group.addoption(f"--kit-{name}", dest=dest, action="store_true", default=None, help=text)
        else:
            group.addoption(f"--kit-{name}", dest=dest, default=None, metavar=name.upper(), help=text)
        parser.addini(dest, text, type=ini_type, default=[] if ini_type == "linelist" else None)


def _option(config: pytest.Config, name: str) -> Any:
    """A command-line value, else the ini value."""
    dest = "kit_" + name.replace("-", "_")
    value = config.getoption(dest)
    if name in _LISTS:
        return list(value) or list(config.getini(dest) or [])
    if value is not None:
        return value
    ini = config.getini(dest)
    if name in _FLAGS:
        return bool(ini)
    return ini if ini not in ("", []) else None


def _specs(config: pytest.Config) -> list[str]:
    """The adapter specs, readable before the command line is fully parsed."""
    early = getattr(config.known_args_namespace, "kit_adapter", None)
    return list(config.getoption("kit_adapter") or early or config.getini("kit_adapter") or [])


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> None:
    """With a ``py:`` adapter, the rootdir is importable for the whole run: the plugin loads
    ``py:mypkg.stream:handle`` from there, and the project's conftest files and test
    modules can import ``mypkg`` too (as ``kit verify`` imports from the current directory).
    Taken off sys.path again when the run ends."""
    if not any(spec.startswith(("py:", "py[")) for spec in _specs(early_config)):
        return
    root = str(early_config.rootpath)
    early_config.stash[_ROOT] = root
    if root not in sys.path:
        sys.path.insert(0, root)
        early_config.add_cleanup(lambda: sys.path.remove(root) if root in sys.path else None)


def _is_kit_id(arg: str, invocation_dir: Any) -> bool:
    """``kit[ADAPTER]...`` as a command-line argument is a kit item id or prefix, unless a
    file or folder has that name."""
    return arg.startswith("kit[") and not os.path.exists(os.path.join(invocation_dir, arg.split("::")[0]))


def _holds_rootdir(arg: str, config: pytest.Config) -> bool:
    """A path argument naming the rootdir or a folder above it (``pytest .`` at the project's
    root) selects everything, as plain ``pytest`` does; a test file, a node id or a subfolder
    does not select the kit items."""
    if config.option.pyargs or "::" in arg:
        return False
    from pathlib import Path  # noqa: PLC0415

    path = Path(config.invocation_params.dir, arg).resolve()
    root = Path(config.rootpath).resolve()
    return path.is_dir() and (path == root or path in root.parents)


def _select(config: pytest.Config) -> None:
    """Which kit items this run has: every one unless the command line names test paths or
    node ids; then the kit ids and prefixes among them (taken out of ``config.args``, where
    pytest would refuse them as paths). Runs in every pytest-xdist worker too (they parse
    the same command line)."""
    selection: list[str] | None = None
    if config.args_source == pytest.Config.ArgsSource.ARGS:
        here = str(config.invocation_params.dir)
        kit_ids = [a for a in config.args if _is_kit_id(a, here)]
        others = [a for a in config.args if not _is_kit_id(a, here)]
        if kit_ids and not _specs(config):
            raise pytest.UsageError(f"toolstream-kit: {kit_ids[0]} names a kit item, but no adapter is configured "
                                    "(--kit-adapter or the kit_adapter ini key)")
        config.args[:] = others  # only kit ids: no test file is collected
        if not any(_holds_rootdir(a, config) for a in others):
            selection = [a.rstrip("/") for a in kit_ids]
    config.stash[_SELECTION] = selection


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "kit: a toolstream-kit conformance case (generated from --kit-adapter)")
    config.stash[_RECORDS] = []
    _select(config)
    if _wants_profile(config):  # only then: hypothesis's plugin is always loaded, kit.strategies is not cheap
        from kit import strategies  # noqa: PLC0415

        register = getattr(strategies, "register_profiles", None)
        if register is not None:
            register()


def _wants_profile(config: pytest.Config) -> bool:
    try:
        return config.getoption("hypothesis_profile", None) == "kit-ci"
    except ValueError:
        return False


# the kit-ci profile must exist before hypothesis's own plugin loads it in its pytest_configure
pytest_configure = pytest.hookimpl(tryfirst=True)(pytest_configure)


def pytest_report_header(config: pytest.Config) -> str | None:
    adapters = _option(config, "adapter")
    if not adapters:
        return None
    return f"toolstream-kit: {len(adapters)} adapter(s): {', '.join(adapters)}"


# -- collection ---------------------------------------------------------------------------------


def _traces(config: pytest.Config) -> list:
    """The traces --kit-traces names (a folder, a file or a glob), filtered by the options."""
    import glob  # noqa: PLC0415

    from kit.errors import UsageError  # noqa: PLC0415
    from kit.trace import load  # noqa: PLC0415
    from kit.verify.command import select_traces  # noqa: PLC0415

    source = _option(config, "traces")
    ids, apis, classes, rules = (tuple(_option(config, n)) for n in ("trace", "api", "class", "rule"))
    if source and any(ch in source for ch in "*?[") and not os.path.exists(source):
        files = sorted(p for p in glob.glob(source, recursive=True) if p.endswith((".json", ".sse")))
        if not files:
            raise UsageError(f"--kit-traces {source!r} matches no .json or .sse file")
        return select_traces(None, ids, apis, classes, rules, traces=[load(p) for p in files])
    return select_traces(source, ids, apis, classes, rules)


def _setup(config: pytest.Config) -> dict | None:
    """Adapters, traces, chunk plans and expectations, loaded once per process."""
    if _STATE in config.stash:
        return config.stash[_STATE]
    specs = _option(config, "adapter")
    if not specs:
        config.stash[_STATE] = None  # type: ignore[assignment]
        return None
    import contextlib  # noqa: PLC0415

    from kit.adapters import load_adapter  # noqa: PLC0415
    from kit.adapters.python import importing_from  # noqa: PLC0415
    from kit.errors import KitError  # noqa: PLC0415
    from kit.verify.command import _chunkings  # noqa: PLC0415
    from kit.verify.runner import Expectations  # noqa: PLC0415

    try:
        timeout = float(_option(config, "timeout") or 10)
    except ValueError:
        raise pytest.UsageError(f"--kit-timeout {_option(config, 'timeout')!r}: not a number of seconds") from None
    root = config.stash.get(_ROOT, None)
    try:
        adapters = []
        for spec in specs:
            with importing_from(root) if root else contextlib.nullcontext():
                a = load_adapter(spec, timeout=timeout, isolate=bool(_option(config, "isolate")))
            if any(b.name == a.name for b in adapters):
                raise pytest.UsageError(f"--kit-adapter: two adapters are named {a.name!r}; give one a name=... option")
            adapters.append(a)
        chunkings = _chunkings(_option(config, "chunking") or DEFAULT_CHUNKING)
        traces = _traces(config)
        path = _option(config, "expectations")
        expectations = Expectations.load(path) if path else None
    except KitError as exc:
        raise pytest.UsageError(f"toolstream-kit: {exc.one_line()}") from None
    repro = _option(config, "repro-dir") or os.path.join(".kit", "repro")
    state = {"adapters": adapters, "traces": traces, "chunkings": chunkings, "expectations": expectations,
             "repro_dir": None if repro == "none" else repro, "prepared": {}}
    config.stash[_STATE] = state
    return state


class KitCollector(pytest.Collector):
    """The items of one adapter (created directly; nothing to collect from files)."""

    def collect(self) -> list:  # pragma: no cover - items are added by the plugin
        return []


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list) -> None:
    selection = config.stash.get(_SELECTION, None)
    if selection == []:
        return  # the command line names tests, none of them a kit item: the adapters are not even loaded
    state = _setup(config)
    if state is None:
        return
    wanted = set(selection or ())
    used: set[str] = set()
    strict = bool(_option(config, "strict-expectations"))
    for adapter in state["adapters"]:
        collector = KitCollector.from_parent(session, name=f"kit[{adapter.name}]", nodeid=f"kit[{adapter.name}]")
        feed_events = adapter.capabilities.feed == "events"
        mine: list = []
        for trace in state["traces"]:
            if trace.api not in adapter.capabilities.apis:
                continue  # an API the adapter does not declare: no items (as the reports leave them out)
            for chunking in (state["chunkings"][:1] if feed_events else state["chunkings"]):
                label = "events" if feed_events else chunking
                name = f"{trace.api}/{trace.id}[{label}]"
                if selection is not None:
                    # an id selects itself and its prefixes that end a part: adapter, API, trace
                    head = f"kit[{adapter.name}]"
                    ids = {head, f"{head}/{trace.api}", f"{head}/{trace.api}/{trace.id}", f"{head}/{name}"}
                    if not ids & wanted:
                        continue
                    used |= ids & wanted
                item = KitItem.from_parent(collector, name=name, nodeid=f"kit[{adapter.name}]/{name}",
                                           adapter=adapter, trace=trace, chunking=chunking)
                item.add_marker(pytest.mark.kit)
                known = state["expectations"].entry_for(adapter.name, trace.id, trace.api, label) \
                    if state["expectations"] is not None else None
                if known is not None:
                    raises = _RAISES.get(known.get("verdict")) or KitCaseFailed
                    item.add_marker(pytest.mark.xfail(reason=f"known failure: {known['reason']}", strict=strict,
                                                      raises=raises))
                mine.append(item)
        items.extend(mine)
        # counted as collected (the terminal's "collected N items", --co, the deselected count)
        config.hook.pytest_collectreport(report=pytest.CollectReport(collector.nodeid, "passed", None, mine))
    missing = [arg for arg in selection or () if arg not in used]
    if missing:
        raise pytest.UsageError(f"toolstream-kit: not found: {missing[0]} (no kit item has this id or prefix with "
                                "this run's --kit-* options; `pytest --collect-only -q -m kit` lists the ids)")


# -- items ----------------------------------------------------------------------------------------


class KitCaseFailed(AssertionError):
    """A case whose verdict fails the test; its text is the verdict's."""


class KitFail(KitCaseFailed):
    pass


class KitError(KitCaseFailed):
    pass


class KitTimeout(KitCaseFailed):
    pass


class KitNonstrict(KitCaseFailed):
    pass


_RAISES = {"FAIL": KitFail, "ERROR": KitError, "TIMEOUT": KitTimeout}


class KitItem(pytest.Item):
    def __init__(self, *, adapter: Any, trace: Any, chunking: str, **kw: Any) -> None:
        super().__init__(**kw)
        self.adapter = adapter
        self.trace = trace
        self.chunking = chunking
        self.record: dict | None = None

    def runtest(self) -> None:
        from kit.verify.engine import prepare, run_case  # noqa: PLC0415
        from kit.verify.format import format_verdict  # noqa: PLC0415
        from kit.verify.runner import write_repro  # noqa: PLC0415

        state = self.config.stash[_STATE]
        key = (self.trace.path or self.trace.name, self.trace.body, self.chunking)
        cache = state["prepared"]
        if key not in cache:
            if len(cache) > 512:
                cache.clear()
            cache[key] = prepare(self.trace, self.chunking)
        import warnings  # noqa: PLC0415

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rec, _ = run_case(self.adapter, self.trace, self.chunking, prepared=cache[key])
        for m in self.iter_markers("xfail"):
            rec["known"] = m.kwargs.get("reason", "").removeprefix("known failure: ")
        verdict = rec["verdict"]
        if verdict in _RAISES and state["repro_dir"] is not None:
            rec["repro"] = write_repro(state["repro_dir"], self.adapter, self.trace, rec)
        self.record = rec
        self.config.stash[_RECORDS].append(rec)
        self.user_properties.append(("kit_verdict", verdict))
        if rec.get("rule"):
            self.user_properties.append(("kit_rule", rec["rule"]))
        if verdict in _RAISES:
            raise _RAISES[verdict](format_verdict(rec))
        if verdict == "SKIP":
            pytest.skip(rec["message"])
        if verdict in ("NONSTRICT", "INFO"):
            self.user_properties.append(("kit_note", f"{verdict}: {rec['message']}"))
            if verdict == "NONSTRICT" and _option(self.config, "nonstrict-fails"):
                raise KitNonstrict(format_verdict(rec))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, KitCaseFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Any, int | None, str]:
        return (self.trace.path or "kit"), None, f"kit[{self.adapter.name}] {self.trace.api}/{self.trace.id} [{self.chunking}]"


# -- reports: workers, the JSON-lines file, the terminal summary ----------------------------------


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    records = config.stash.get(_RECORDS, [])
    if hasattr(config, "workerinput"):  # a pytest-xdist worker: hand the records to the controller
        config.workeroutput["kit_records"] = json.dumps(records)  # type: ignore[attr-defined]
    state = config.stash.get(_STATE, None)
    if state:
        for a in state["adapters"]:
            a.close()
    if hasattr(config, "workerinput"):
        return
    path = _option(config, "report")
    if path and (records or state):
        _write_report(config, path, records)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """pytest-xdist, on the controller: a worker's records join the run's."""
    raw = getattr(node, "workeroutput", {}).get("kit_records")
    if raw:
        node.config.stash[_RECORDS].extend(json.loads(raw))


def _ordered(records: list[dict]) -> list[dict]:
    return sorted(records, key=lambda r: (r["adapter"], r["api"], r["trace"], r["chunking"]))


def _run_records(config: pytest.Config, records: list[dict]) -> list[dict]:
    from kit.verify.engine import FAILING, VERDICTS  # noqa: PLC0415
    from kit.verify.runner import RECORD_FORMAT, versions  # noqa: PLC0415

    state = _setup(config) or {"adapters": [], "chunkings": [], "traces": []}
    from kit import __version__  # noqa: PLC0415

    import datetime as dt  # noqa: PLC0415

    head = {"type": "run", "format": RECORD_FORMAT, "kit": __version__,
            "started": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), "versions": versions(),
            "adapters": [a.describe() for a in state["adapters"]], "chunkings": list(state["chunkings"]),
            "traces": len(state["traces"]), "cases": len(records), "runner": "pytest"}
    counts: dict[str, dict[str, int]] = {a.name: dict.fromkeys(VERDICTS, 0) for a in state["adapters"]}
    known = 0
    for r in records:
        counts.setdefault(r["adapter"], dict.fromkeys(VERDICTS, 0))[r["verdict"]] += 1
        known += bool(r.get("known")) and r["verdict"] in FAILING
    failing = sum(r["verdict"] in FAILING for r in records) - known
    summary = {"type": "summary", "counts": counts, "known": known, "unexpected_failures": failing,
               "xpass": [], "unused_expectations": []}
    return [head, *_ordered(records), summary]


def _write_report(config: pytest.Config, path: str, records: list[dict]) -> None:
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in _run_records(config, records))
    tmp = f"{path}.tmp.{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(lines)
    os.replace(tmp, path)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):
        return
    records = config.stash.get(_RECORDS, [])
    if not records:
        return
    from kit.verify.reports import summary_table  # noqa: PLC0415

    terminalreporter.section("toolstream-kit")
    terminalreporter.write(summary_table(_run_records(config, records)).rstrip("\n") + "\n")
    path = _option(config, "report")
    if path:
        terminalreporter.write_line(f"verdict records: {path}")
