"""A verification run: adapters x traces x chunk plans -> verdict records, in a stable order.

The run yields a ``run`` record, one ``verdict`` record per case (trace-major: every
adapter's verdicts for a trace sit together) and a ``summary`` record. It applies the
expectations file (known failures), writes a repro file for every failure, and checks
that each adapter's plan does not depend on the chunk plan.
"""

from __future__ import annotations

import datetime as _dt
import fnmatch
import hashlib
import json
import os
import platform
import re
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, Iterator

from .. import __version__
from ..adapters import Adapter
from ..errors import TraceError, read_json
from ..trace import Trace
from .engine import FAILING, VERDICTS, chunk_dependence, prepare, record, run_case

__all__ = ["Expectations", "Run", "write_repro", "load_repro", "parse_shard", "shard_units", "merge_shards",
           "REPRO_FORMAT", "RECORD_FORMAT"]

RECORD_FORMAT = "kit-verify/1"
REPRO_FORMAT = "kit-repro/1"
EXPECTATIONS_FORMAT = "kit-expectations/1"


class Expectations:
    """Known failures: ``{"format": "kit-expectations/1", "known": [{"adapter", "trace", "api"?,
    "chunking"?, "verdict"?, "reason"}]}``. ``adapter``, ``trace`` and ``chunking`` are
    shell-style patterns (``*``); ``verdict`` names the failing verdict expected (any of
    FAIL/ERROR/TIMEOUT when omitted); ``reason`` is required."""

    def __init__(self, entries: list[dict[str, Any]], path: str = "<expectations>") -> None:
        self.path = path
        self.entries = entries
        self.failures = [0] * len(entries)  # failing records each entry explained
        self.passes = [0] * len(entries)  # passing records it matched

    @classmethod
    def load(cls, path: str) -> "Expectations":
        doc = read_json(path)  # a missing or non-JSON file: the wording every command uses (exit 3)
        if not isinstance(doc, dict) or not isinstance(doc.get("known"), list):
            raise TraceError(f'expected {{"format": "{EXPECTATIONS_FORMAT}", "known": [...]}}', path=path, pointer="")
        for i, e in enumerate(doc["known"]):
            def bad(message: str, i: int = i) -> TraceError:
                return TraceError(message, path=path, pointer=f"/known/{i}")

            if not isinstance(e, dict) or not isinstance(e.get("reason"), str) or not e["reason"].strip():
                raise bad("each known failure needs a non-empty `reason`")
            if not isinstance(e.get("trace"), str) or not isinstance(e.get("adapter"), str):
                raise bad("each known failure names an `adapter` and a `trace` (patterns allowed)")
            unknown = set(e) - {"adapter", "trace", "api", "chunking", "verdict", "reason"}
            if unknown:
                raise bad(f"unknown keys {sorted(unknown)}")
            if e.get("verdict") is not None and e["verdict"] not in FAILING:
                raise bad(f"verdict {e['verdict']!r}; a known failure is one of {', '.join(FAILING)}")
        return cls(doc["known"], path)

    def match(self, rec: dict[str, Any]) -> str | None:
        for i, e in enumerate(self.entries):
            if not fnmatch.fnmatchcase(rec["adapter"], e["adapter"]):
                continue
            if not fnmatch.fnmatchcase(rec["trace"], e["trace"]):
                continue
            if e.get("api") and e["api"] != rec["api"]:
                continue
            if e.get("chunking") and not fnmatch.fnmatchcase(rec["chunking"], e["chunking"]):
                continue
            if rec["verdict"] in FAILING and e.get("verdict") and e["verdict"] != rec["verdict"]:
                continue
            if rec["verdict"] in FAILING:
                self.failures[i] += 1
            elif rec["verdict"] in ("PASS", "NONSTRICT"):
                self.passes[i] += 1
            return e["reason"]
        return None

    def entry_for(self, adapter: str, trace: str, api: str, chunking: str) -> dict[str, Any] | None:
        """The first entry that names this case, whatever its verdict turns out to be."""
        for e in self.entries:
            if (fnmatch.fnmatchcase(adapter, e["adapter"]) and fnmatch.fnmatchcase(trace, e["trace"])
                    and (not e.get("api") or e["api"] == api)
                    and (not e.get("chunking") or fnmatch.fnmatchcase(chunking, e["chunking"]))):
                return e
        return None

    def fixed(self) -> list[dict[str, Any]]:
        """Known failures that no longer fail anywhere in the run but did run (XPASS)."""
        return [e for e, f, p in zip(self.entries, self.failures, self.passes) if not f and p]

    def unused(self) -> list[dict[str, Any]]:
        """Entries that matched no case of the run at all."""
        return [e for e, f, p in zip(self.entries, self.failures, self.passes) if not f and not p]

    @staticmethod
    def from_records(records: list[dict[str, Any]]) -> dict[str, Any]:
        """An expectations document listing every failure of a run (to adopt the kit gradually)."""
        today = _dt.date.today().isoformat()
        seen, known = set(), []
        for r in records:
            if r.get("type") != "verdict" or r["verdict"] not in FAILING:
                continue
            key = (r["adapter"], r["api"], r["trace"], r["verdict"])
            if key in seen:
                continue
            seen.add(key)
            known.append({"adapter": r["adapter"], "api": r["api"], "trace": r["trace"], "verdict": r["verdict"],
                          "reason": f"failing on {today}: {r['message']}"})
        return {"format": EXPECTATIONS_FORMAT, "known": known}


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_")[:80] or "adapter"


def versions() -> dict[str, str]:
    out = {"kit": __version__, "python": platform.python_version()}
    for name in ("openai", "anthropic"):
        try:
            from importlib.metadata import version  # noqa: PLC0415

            out[name] = version(name)
        except Exception:  # noqa: BLE001 - not installed
            pass
    return out


def write_repro(directory: str | Path, adapter: Adapter, trace: Trace, rec: dict[str, Any]) -> str:
    """A self-contained repro file: the adapter spec, the whole trace, the chunk plan, the
    verdict record (with every difference and both graded Plans when the Plans differ) and
    the versions. ``kit verify --repro FILE`` replays it."""
    folder = Path(directory) / _slug(adapter.name)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{_slug(trace.api)}--{_slug(trace.id)}--{_slug(rec['chunking'])}.json"
    doc = {"format": REPRO_FORMAT, "adapter": adapter.spec, "adapter_name": adapter.name,
           "chunking": rec["chunking"], "verdict": {k: v for k, v in rec.items() if k != "repro"},
           "versions": versions(), "trace": trace.to_json(),
           "replay": f"kit verify --repro {path.as_posix()}"}
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path.as_posix()


def load_repro(path: str) -> tuple[dict[str, Any], Trace]:
    from ..trace import from_json  # noqa: PLC0415

    doc = read_json(path)  # a missing or non-JSON file: the wording every command uses (exit 3)
    if not isinstance(doc, dict) or doc.get("format") != REPRO_FORMAT:
        raise TraceError(f"not a {REPRO_FORMAT} file", path=path)
    trace = from_json(doc.get("trace"), path=f"{path}#/trace")
    return doc, trace


class Run:
    """Adapters x traces x chunk plans. Iterate :meth:`records` for the records in order.

    ``maxfail``: stop after that many failures not in the expectations file (0: never);
    the cases after it are not run, and the summary says how many. ``select``: when given,
    only the cases ``(adapter name, api, trace id, chunk plan)`` it returns True for are
    run (``kit verify --last-failed``); an adapter fed events has the chunk plan ``events``.
    ``unloadable``: the trace files that could not be loaded (``{"path", "pointer",
    "message"}``), listed in the summary record. ``shard``: ``(I, N)`` runs only the I-th
    of N parts of the cases (:func:`shard_units`); the run record still counts the whole
    run's traces and cases, and its ``shard`` field says which part this is and how big.
    """

    def __init__(self, adapters: list[Adapter], traces: list[Trace], chunkings: list[str], *,
                 expectations: Expectations | None = None, repro_dir: str | None = None, jobs: int = 1,
                 stop_at_first_failure: bool = False, maxfail: int = 0,
                 select: Callable[[str, str, str, str], bool] | None = None,
                 unloadable: list[dict[str, Any]] | None = None, shard: tuple[int, int] | None = None) -> None:
        self.adapters = adapters
        self.chunkings = chunkings
        self.expectations = expectations
        self.repro_dir = repro_dir
        self.jobs = max(1, jobs)
        self.stop_at_first_failure = stop_at_first_failure
        self.maxfail = max(0, maxfail)
        self.select = select
        self.shard = shard
        self.in_shard: set[tuple[str, str, str]] | None = None
        # the whole run's traces and cases, whichever shard this is (the run record counts them)
        self.all_traces = len(traces) if select is None else sum(1 for t in traces if self._cases(t))
        self.all_cases = (len(traces) * sum(self.cases_per_trace(a) for a in adapters) if select is None
                          else sum(len(self._cases(t)) for t in traces))
        if shard is not None:
            self.in_shard = shard_units(adapters, traces, *shard)
        self.trace_digest = _trace_digest(traces) if shard is not None else None
        self.traces = [t for t in traces if self._cases(t)] if select is not None or shard is not None else traces
        self.counts: dict[str, dict[str, int]] = {a.name: dict.fromkeys(VERDICTS, 0) for a in adapters}
        self.known = 0
        self.unexpected = 0
        self.failed: set[str] = set()
        self.graded = 0
        self.stopped = False
        self.repro_files: list[str] = []
        self.unloadable = list(unloadable or [])

    def cases_per_trace(self, adapter: Adapter) -> int:
        return 1 if adapter.capabilities.feed == "events" else len(self.chunkings)

    def _cases(self, trace: Trace) -> list[tuple[Adapter, str, str]]:
        """``(adapter, chunk plan, label)`` of every case of ``trace`` this run grades (the
        label is the chunk plan, or ``events`` for an adapter fed events)."""
        out = []
        for adapter in self.adapters:
            events = adapter.capabilities.feed == "events"
            if self.in_shard is not None and (adapter.name, trace.api, trace.id) not in self.in_shard:
                continue
            for c in (self.chunkings[:1] if events else self.chunkings):
                label = "events" if events else c
                if self.select is None or self.select(adapter.name, trace.api, trace.id, label):
                    out.append((adapter, c, label))
        return out

    def _runnable(self) -> int:
        """The cases of the run that are not a SKIP of an API the adapter does not declare
        (the reports leave those out)."""
        return sum(1 for t in self.traces for a, _, _ in self._cases(t) if t.api in a.capabilities.apis)

    @property
    def total(self) -> int:
        if self.select is not None or self.shard is not None:
            return sum(len(self._cases(t)) for t in self.traces)
        return len(self.traces) * sum(self.cases_per_trace(a) for a in self.adapters)

    def header(self) -> dict[str, Any]:
        head = {"type": "run", "format": RECORD_FORMAT, "kit": __version__,
                "started": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "versions": versions(), "adapters": [a.describe() for a in self.adapters],
                "chunkings": list(self.chunkings), "traces": len(self.traces), "cases": self.total}
        if self.shard is not None:  # the whole run's counts; this part's in the shard field
            head.update(traces=self.all_traces, cases=self.all_cases)
            head["shard"] = {"index": self.shard[0], "count": self.shard[1], "traces": len(self.traces),
                             "cases": self.total, "trace_digest": self.trace_digest}
        return head

    def _trace_records(self, trace: Trace, pool: ThreadPoolExecutor | None) -> list[dict[str, Any]]:
        prepared: dict[str, Any] = {}
        jobs: list[tuple[Adapter, str, Any]] = []
        for adapter, c, label in self._cases(trace):
            if self.stop_at_first_failure and adapter.name in self.failed:
                continue
            if trace.api not in adapter.capabilities.apis:  # no need to replay the reference for a SKIP
                jobs.append((adapter, c, (record(adapter, trace, label, "SKIP", check="capability",
                                                 message=adapter.skip_reason(trace.api) or ""), None)))
                continue
            if c not in prepared:
                prepared[c] = prepare(trace, c)
            if pool is not None and adapter.kind in ("exec", "http"):
                jobs.append((adapter, c, pool.submit(run_case, adapter, trace, c, prepared=prepared[c])))
            else:  # run when its turn comes, so that a run stopped early does not run it
                jobs.append((adapter, c, (adapter, trace, c, prepared[c])))
        out: list[dict[str, Any]] = []
        by_adapter: dict[str, tuple[list[dict], dict[str, Any]]] = {}
        for adapter, c, job in jobs:
            if self.stopped:
                if hasattr(job, "cancel"):
                    job.cancel()
                continue
            if hasattr(job, "result"):
                rec, plan = job.result()
            elif isinstance(job[0], dict):
                rec, plan = job
            else:
                rec, plan = run_case(job[0], job[1], job[2], prepared=job[3])
            recs, plans = by_adapter.setdefault(adapter.name, ([], {}))
            recs.append(rec)
            plans[c] = plan
            out.append(rec)
            self._expect(adapter, rec)
        for recs, plans in by_adapter.values():
            chunk_dependence(recs, plans)
        adapters = {a.name: a for a in self.adapters}
        for rec in out:
            self._settle(adapters[rec["adapter"]], trace, rec)
        return out

    def _expect(self, adapter: Adapter, rec: dict[str, Any]) -> None:
        """Apply the expectations file to a fresh record; count it, and stop the run at ``maxfail``."""
        if rec["api"] in adapter.capabilities.apis:
            self.graded += 1
        if self.expectations is not None:
            reason = self.expectations.match(rec)
            if reason is not None:
                rec["known"] = reason
                if rec["verdict"] in FAILING:
                    self.known += 1
        if rec["verdict"] in FAILING and rec["known"] is None:
            self.failed.add(adapter.name)
            self.unexpected += 1
            if self.maxfail and self.unexpected >= self.maxfail:
                self.stopped = True

    def _settle(self, adapter: Adapter, trace: Trace, rec: dict[str, Any]) -> None:
        if rec["verdict"] in FAILING and self.repro_dir is not None:
            rec["repro"] = write_repro(self.repro_dir, adapter, trace, rec)
            self.repro_files.append(rec["repro"])
        self.counts[adapter.name][rec["verdict"]] += 1

    def records(self, progress: Callable[[int], None] | None = None) -> Iterator[dict[str, Any]]:
        start = time.perf_counter()
        yield self.header()
        pool = ThreadPoolExecutor(self.jobs) if self.jobs > 1 and any(a.kind in ("exec", "http") for a in self.adapters) else None
        try:
            for trace in self.traces:
                if self.stopped:
                    break
                recs = self._trace_records(trace, pool)
                yield from recs
                if progress is not None:
                    progress(len(recs) or len(self._cases(trace)))
        finally:
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)
            for a in self.adapters:
                a.close()
        yield self.summary(time.perf_counter() - start)

    def summary(self, seconds: float) -> dict[str, Any]:
        unexpected = sum(self.counts[a][v] for a in self.counts for v in FAILING) - self.known
        out = {"type": "summary", "seconds": round(seconds, 3), "counts": self.counts, "known": self.known,
                "unexpected_failures": unexpected,
                "xpass": self.expectations.fixed() if self.expectations else [],
                "unused_expectations": self.expectations.unused() if self.expectations else [],
                "stopped": ({"maxfail": self.maxfail, "not_run": max(0, self._runnable() - self.graded)}
                            if self.stopped else None),
                "unloadable": self.unloadable}
        if self.shard is not None:  # what merging the shards needs to tell the whole run's XPASS and unused
            e = self.expectations
            out["shard"] = {"index": self.shard[0], "count": self.shard[1], "expectations": [
                {"entry": entry, "failures": f, "passes": p}
                for entry, f, p in (zip(e.entries, e.failures, e.passes) if e else ())]}
        return out



# -- sharded runs ---------------------------------------------------------------------------------

_SHARD = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*")


def parse_shard(value: str) -> tuple[int, int]:
    """``"I/N"`` -> ``(I, N)`` with ``1 <= I <= N``; anything else is a :class:`ValueError`
    that says what to give."""
    m = _SHARD.fullmatch(value or "")
    if not m:
        raise ValueError(f"{value!r}; give I/N, e.g. 2/4 (the 2nd of 4 parts)")
    index, count = int(m.group(1)), int(m.group(2))
    if count < 1 or not 1 <= index <= count:
        raise ValueError(f"{value!r}; I/N needs 1 <= I <= N")
    return index, count


def shard_units(adapters: list[Adapter], traces: list[Trace], index: int, count: int) -> set[tuple[str, str, str]]:
    """The ``(adapter name, api, trace id)`` units of shard ``index`` of ``count``.

    A unit is one adapter on one trace, all its chunk plans together (the chunk-invariance
    check compares them). The units are dealt round-robin in adapter-major order over the
    run's sorted trace list: every unit is in exactly one shard, the shards differ by at
    most one unit, and so does each adapter's share of every shard (a slow adapter is
    spread over all of them). The split depends only on the adapters, the traces and N,
    so every machine given the same command computes the same one."""
    units = [(a.name, t.api, t.id) for a in adapters for t in traces]
    return {u for k, u in enumerate(units) if k % count == index - 1}


def _trace_digest(traces: list[Trace]) -> str:
    """A fingerprint of the run's traces (ids and contents): shards of one run share it."""
    h = hashlib.sha256()
    for t in traces:
        h.update(json.dumps(t.to_json(), sort_keys=True, ensure_ascii=False).encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()[:16]


_SAME_RUN = ("format", "kit", "versions", "adapters", "chunkings", "traces", "cases")


def merge_shards(shards: list[tuple[str, list[dict[str, Any]]]]) -> list[dict[str, Any]]:
    """The records of one run, from the ``--json`` records of all its shards
    (``[(file name, records)]``, any order): the run record of the whole run (the earliest
    start), every verdict in the order a single run gives them, and one summary (counts
    added up, the expectations' XPASS and unused entries over all shards, the longest
    shard's seconds). One file of an unsharded run is returned as it is.

    Raises :class:`~kit.errors.UsageError` naming the file when a shard is missing or
    given twice, a file did not finish (no summary record) or is not of the same run
    (another kit version, versions of the libraries, adapters, chunk plans or traces), and
    :class:`~kit.errors.TraceError` when a file's records do not start with a run record."""
    from ..errors import UsageError  # noqa: PLC0415

    if not shards:
        raise UsageError("--merge: no files given")
    heads: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    for name, records in shards:
        if not records or records[0].get("type") != "run":
            raise TraceError("not kit verify --json output (its first record is not a run record)", path=name)
        if records[-1].get("type") != "summary":
            raise UsageError(f"{name}: has no summary record (the run did not finish); run that shard again")
        heads.append((name, records[0], records[-1]))
    sharded = [(n, h) for n, h, _ in heads if isinstance(h.get("shard"), dict)]
    if not sharded:
        if len(shards) == 1:
            return list(shards[0][1])
        raise UsageError(f"--merge: {heads[0][0]} and {heads[1][0]} are not shards "
                         f"(kit verify --shard I/N writes them)")
    if len(sharded) != len(heads):
        plain = next(n for n, h, _ in heads if not isinstance(h.get("shard"), dict))
        raise UsageError(f"--merge: {plain} is not a shard (kit verify --shard I/N), {sharded[0][0]} is")
    name0, head0 = sharded[0]
    count = head0["shard"].get("count")
    seen: dict[int, str] = {}
    for name, head in sharded:
        shard = head["shard"]
        if shard.get("count") != count:
            raise UsageError(f"--merge: {name} is shard {shard.get('index')}/{shard.get('count')}, "
                             f"{name0} one of {count}: shards of different runs")
        for key in _SAME_RUN:
            if head.get(key) != head0.get(key):
                raise UsageError(f"--merge: {name} and {name0} are shards of different runs (their `{key}` differ)")
        if shard.get("trace_digest") != head0["shard"].get("trace_digest"):
            raise UsageError(f"--merge: {name} and {name0} are shards of different runs (their traces differ)")
        if shard.get("index") in seen:
            raise UsageError(f"--merge: shard {shard.get('index')}/{count} is given twice "
                             f"({seen[shard['index']]}, {name})")
        seen[shard.get("index")] = name
    for name, _, summary in heads:
        if summary.get("unloadable") != heads[0][2].get("unloadable"):
            raise UsageError(f"--merge: {name} and {heads[0][0]} are shards of different runs "
                             f"(the trace files they could not load differ)")
    missing = [i for i in range(1, (count if isinstance(count, int) else 0) + 1) if i not in seen]
    if missing:
        raise UsageError(f"--merge: shard{'s' if len(missing) > 1 else ''} "
                         f"{', '.join(f'{i}/{count}' for i in missing)} missing ({len(seen)} of {count} given)")
    run = {k: v for k, v in head0.items() if k != "shard"}
    run["started"] = min(str(h.get("started") or "") for _, h in sharded) or head0.get("started")
    names = [a.get("name") for a in head0.get("adapters") or [] if isinstance(a, dict)]
    rank = {n: i for i, n in enumerate(names)}
    verdicts = [r for _, records in shards for r in records if r.get("type") == "verdict"]
    # the order of a single run: trace by trace (sorted by API and id), adapter by adapter,
    # chunk plan by chunk plan (a unit's records stay together, in their order: the sort is stable)
    verdicts.sort(key=lambda r: (str(r.get("api")), str(r.get("trace")), rank.get(r.get("adapter"), len(rank))))
    summaries = [s for _, _, s in heads]
    counts = {n: dict.fromkeys(VERDICTS, 0) for n in names}
    for s in summaries:
        for adapter, by_verdict in (s.get("counts") or {}).items():
            for v, n in by_verdict.items():
                counts.setdefault(adapter, dict.fromkeys(VERDICTS, 0))[v] = counts[adapter].get(v, 0) + n
    # an expectations entry is XPASS when no shard failed it and one passed it; unused when none matched it
    tallies: list[list[Any]] = []
    for s in summaries:
        for i, e in enumerate(s["shard"].get("expectations") or []):
            if i == len(tallies):
                tallies.append([e.get("entry"), 0, 0])
            tallies[i][1] += e.get("failures") or 0
            tallies[i][2] += e.get("passes") or 0
    stopped = [s["stopped"] for s in summaries if isinstance(s.get("stopped"), dict)]
    summary = {"type": "summary", "seconds": max(float(s.get("seconds") or 0) for s in summaries), "counts": counts,
               "known": sum(s.get("known") or 0 for s in summaries),
               "unexpected_failures": sum(s.get("unexpected_failures") or 0 for s in summaries),
               "xpass": [e for e, f, p in tallies if not f and p],
               "unused_expectations": [e for e, f, p in tallies if not f and not p],
               "stopped": ({"maxfail": stopped[0].get("maxfail"),
                            "not_run": sum(s.get("not_run") or 0 for s in stopped)} if stopped else None),
               "unloadable": summaries[0].get("unloadable") or []}
    return [run, *verdicts, summary]
