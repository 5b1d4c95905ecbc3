"""Report formats of ``kit verify``, generated from its verdict records only.

``kit verify --json`` writes one JSON object per line (format ``kit-verify/1``): a
``run`` record, one ``verdict`` record per case (adapter x trace x chunk plan) and a
``summary`` record. Those records are the source of truth; everything here is a pure
function of a list of them:

- :func:`read_records`: parse the JSON lines back;
- :func:`summary_table`: the plain-text terminal summary;
- :func:`junit_xml`: JUnit XML for CI test reporters (GitLab, Jenkins, GitHub);
- :func:`markdown`: a CI step summary (``$GITHUB_STEP_SUMMARY``);
- :func:`html`: one self-contained page, a matrix of cases x adapters with the wire view
  of each trace;
- :func:`write_report`: one of these written to a file (the only writing done here).

A verdict with ``known`` set and a FAIL, ERROR or TIMEOUT verdict is an *expected*
failure: it is reported, but it does not make the run fail. A verdict with ``known`` set
and a PASS is an unexpected pass ("XPASS"): the expectation is stale.
"""

from __future__ import annotations

import html as _html
import json
import os
import re
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Iterable

from .format import format_plan, format_position, format_verdict

__all__ = [
    "VERDICTS", "FORMATS", "read_records", "summary_table", "junit_xml", "markdown", "html",
    "render", "write_report",
]

FORMAT = "kit-verify/1"
VERDICTS = ("PASS", "NONSTRICT", "FAIL", "ERROR", "TIMEOUT", "SKIP", "INFO")
FAILING = ("FAIL", "ERROR", "TIMEOUT")
# worst first: the colour of a cell whose chunk plans disagree, and the order of failures
_SEVERITY = {"ERROR": 0, "TIMEOUT": 1, "FAIL": 2, "XPASS": 3, "XFAIL": 4, "NONSTRICT": 5, "INFO": 6, "SKIP": 7,
             "PASS": 8}
_SHORT = {"PASS": "P", "NONSTRICT": "N", "FAIL": "F", "ERROR": "E", "TIMEOUT": "T", "SKIP": "S", "INFO": "I",
          "XFAIL": "xF", "XPASS": "XP"}
_VERDICT_FIELDS = ("adapter", "trace", "api", "chunking", "verdict")

Record = dict[str, Any]


# -- reading -------------------------------------------------------------------------------------


def read_records(path_or_lines: str | os.PathLike | Iterable[str | bytes]) -> list[Record]:
    """Parse ``kit verify --json`` output: a file path, the text itself, or an iterable of lines.

    A string is taken as text when it contains a newline or starts with ``{``, else as a
    path. Blank lines are skipped. A line that is not a JSON object, or a verdict record
    missing a required field or carrying an unknown verdict, raises :class:`ValueError`
    naming the line number (1-based).
    """
    source = ""
    if isinstance(path_or_lines, os.PathLike) or (
            isinstance(path_or_lines, str) and "\n" not in path_or_lines
            and not path_or_lines.lstrip().startswith("{")):
        source = f"{os.fspath(path_or_lines)}: "
        with open(path_or_lines, encoding="utf-8") as f:
            lines: Iterable[str | bytes] = f.read().splitlines()
    elif isinstance(path_or_lines, (str, bytes)):
        text = path_or_lines.decode("utf-8") if isinstance(path_or_lines, bytes) else path_or_lines
        lines = text.splitlines()
    else:
        lines = path_or_lines
    records: list[Record] = []
    for number, line in enumerate(lines, 1):
        if isinstance(line, bytes):
            try:
                line = line.decode("utf-8")
            except UnicodeDecodeError:
                raise ValueError(f"{source}line {number}: not UTF-8 text") from None
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{source}line {number}: invalid JSON at column {exc.colno}: {exc.msg}") from None
        if type(doc) is not dict:
            raise ValueError(f"{source}line {number}: expected a JSON object, got {type(doc).__name__}")
        kind = doc.get("type")
        if type(kind) is not str:
            raise ValueError(f"{source}line {number}: a record needs a string `type`")
        if kind == "run" and doc.get("format") not in (None, FORMAT):
            raise ValueError(f"{source}line {number}: format {doc.get('format')!r} is not {FORMAT}")
        if kind == "verdict":
            for key in _VERDICT_FIELDS:
                if type(doc.get(key)) is not str:
                    raise ValueError(f"{source}line {number}: a verdict record needs a string `{key}`")
            if doc["verdict"] not in VERDICTS:
                raise ValueError(f"{source}line {number}: unknown verdict {doc['verdict']!r} "
                                 f"(expected one of {', '.join(VERDICTS)})")
        records.append(doc)
    return records


# -- shared helpers ------------------------------------------------------------------------------


def _verdicts(records: Iterable[Record]) -> list[Record]:
    """The verdict records (shallow copies), each with its outcome under ``"_outcome"``.

    The outcome is the verdict, except XFAIL for a known failure, and XPASS for a case
    listed as known that passed (PASS or NONSTRICT) while no case of the same adapter and
    trace failed with the same reason: a known failure of one chunk plan does not make
    the other plans of the trace XPASS.
    """
    records = list(records)
    run = _first(records, "run") or {}
    declared = {a.get("name"): set(a.get("apis") or ()) for a in run.get("adapters") or [] if isinstance(a, dict)}
    # a case of an API the adapter does not declare is left out of every report: a Chat-only
    # adapter has no Anthropic row, rather than a row of SKIPs
    out = [dict(r) for r in records if r.get("type") == "verdict"
           and not (r["verdict"] == "SKIP" and r.get("adapter") in declared and declared[r["adapter"]]
                    and r.get("api") not in declared[r["adapter"]])]
    failing = {(r["adapter"], r["api"], r["trace"], r["known"]) for r in out if r.get("known") and r["verdict"] in FAILING}
    for r in out:
        v = r["verdict"]
        if r.get("known") and v in FAILING:
            v = "XFAIL"
        elif r.get("known") and v in ("PASS", "NONSTRICT") \
                and (r["adapter"], r["api"], r["trace"], r["known"]) not in failing:
            v = "XPASS"
        r["_outcome"] = v
    return out


def _first(records: Iterable[Record], kind: str) -> Record | None:
    for r in records:
        if r.get("type") == kind:
            return r
    return None


def _outcome(r: Record) -> str:
    return r["_outcome"]


def _failed(r: Record) -> bool:
    """An unexpected failure: one that fails the run."""
    return r["verdict"] in FAILING and not r.get("known")


def _order(values: Iterable[str], preferred: Iterable[str] = ()) -> list[str]:
    """Distinct values, those named in ``preferred`` first in that order, the rest as they appear."""
    present = list(dict.fromkeys(values))
    wanted = set(present)
    first = [v for v in dict.fromkeys(preferred) if v in wanted]
    return first + [v for v in present if v not in set(first)]


def _adapters(records: list[Record], verdicts: list[Record]) -> list[str]:
    run = _first(records, "run") or {}
    declared = [a.get("name") for a in run.get("adapters") or [] if isinstance(a, dict)]
    return _order([r["adapter"] for r in verdicts], [a for a in declared if isinstance(a, str)])


def _chunkings(records: list[Record], verdicts: list[Record]) -> list[str]:
    run = _first(records, "run") or {}
    return _order([r["chunking"] for r in verdicts], [c for c in run.get("chunkings") or [] if isinstance(c, str)])


def _counts(verdicts: Iterable[Record]) -> dict[tuple[str, str], Counter]:
    """Verdict counts per (adapter, api), in order of appearance."""
    out: dict[tuple[str, str], Counter] = {}
    for r in verdicts:
        out.setdefault((r["adapter"], r["api"]), Counter())[r["verdict"]] += 1
    return out


def _overall(records: list[Record], verdicts: list[Record]) -> tuple[bool, str]:
    """(ok, one line): the run's result as the records tell it."""
    failed = sum(_failed(r) for r in verdicts)
    known = sum(_outcome(r) == "XFAIL" for r in verdicts)
    xpass = sum(_outcome(r) == "XPASS" for r in verdicts)
    summary = _first(records, "summary") or {}
    ok = failed == 0
    for key in ("exit", "unexpected_failures"):  # the run's own word, when it gave one
        if type(summary.get(key)) is int:
            ok = summary[key] == 0
            break
    adapters = len({r["adapter"] for r in verdicts})
    bits = [f"{len(verdicts)} case{'s' if len(verdicts) != 1 else ''}",
            f"{adapters} adapter{'s' if adapters != 1 else ''}"]
    if failed:
        bits.append(f"{failed} failing")
    if known:
        bits.append(f"{known} known failure{'s' if known != 1 else ''}")
    if xpass:
        bits.append(f"{xpass} unexpected pass{'es' if xpass != 1 else ''} (XPASS)")
    stopped = summary.get("stopped")
    if isinstance(stopped, dict):
        n = stopped.get("maxfail")
        bits.append(("stopped at the first failure" if n == 1 else f"stopped after {n} failures")
                    + f" (-x/--maxfail): {_plural(stopped.get('not_run') or 0, 'case')} not run")
    shard = (_first(records, "run") or {}).get("shard")
    if isinstance(shard, dict):  # kit verify --shard: this part of a run (kit verify --merge makes the whole)
        bits.append(f"shard {shard.get('index')}/{shard.get('count')} of the run")
    unloadable = _unloadable(records)
    if unloadable:
        ok = False
        bits.append(f"{_plural(len(unloadable), 'trace file')} not loaded")
    if isinstance(summary.get("seconds"), (int, float)):
        bits.append(f"{summary['seconds']:.1f} s")
    return ok, ("PASSED" if ok else "FAILED") + ": " + ", ".join(bits)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _unloadable(records: list[Record]) -> list[Record]:
    """The trace files the run could not load (``summary.unloadable``)."""
    summary = _first(records, "summary") or {}
    return [u for u in summary.get("unloadable") or [] if isinstance(u, dict) and u.get("message")]


def _others(records: list[Record]) -> str:
    run = _first(records, "run") or {}
    return "no other trace to grade" if run.get("traces") == 0 else "the other traces were graded"


def result_limits(a: dict[str, Any]) -> list[str]:
    """What an adapter's result cannot express, from its description in the run record
    (:meth:`kit.adapters.Adapter.describe`), one phrase each: those parts are not graded."""
    return ([] if a.get("multi_choice", True) or "multi_choice" in (a.get("assumed") or [])
            else ["holds one choice (a stream of several is graded on the choice it takes)"]) + \
        ([] if a.get("ordered", True) else ["does not order text against calls (the two are compared apart)"]) + \
        ([] if a.get("marks_undispatched", True)
         else ["cannot mark a call not to be run (a call a cut stream left incomplete may be dropped or "
               "flagged invalid)"]) + \
        ([] if a.get("holds_invalid_arguments", True)
         else ["cannot hold a call whose arguments are not valid JSON (it may drop or flag one)"]) + \
        (["gives a refusal as its text (expected there)"] if a.get("refusal_as_text") else []) + \
        ([f"has no {', '.join(a['omits'])} (not compared)"] if a.get("omits") else []) + \
        ([f"can request only the tool calls {'+'.join(a['call_types'])} (streams with another kind are SKIP)"]
         if a.get("call_types") is not None else [])


def assumed_notes(records: list[Record], *, hint: bool = False) -> list[str]:
    """One sentence per adapter that leaves its APIs or multi-choice support undeclared
    (``assumed`` in the run record), e.g. ``py:m:f declares nothing: assumed all APIs,
    multi_choice=yes``; ``hint`` adds how to declare them."""
    run = _first(records, "run") or {}
    notes = []
    for a in run.get("adapters") or []:
        if not isinstance(a, dict):
            continue
        keys = [k for k in ("apis", "multi_choice") if k in (a.get("assumed") or [])]
        if not keys:
            continue
        said = (["all APIs"] if "apis" in keys else []) + (
            [f"multi_choice={'no' if a.get('multi_choice') is False else 'yes'}"] if "multi_choice" in keys else [])
        head = "declares nothing" if len(keys) == 2 else f"declares no {'APIs' if keys == ['apis'] else 'multi_choice'}"
        note = f"{a.get('name')} {head}: assumed {', '.join(said)}"
        if hint:
            kind, them = a.get("kind"), "them" if len(keys) == 2 else "it"
            if kind in ("py", "client"):
                note += (f' (declare {them} on the function: f.__kit__ = {{"apis": ["chat"], "multi_choice": False}}, '
                         f"or in the spec: {kind}[apis=chat,multi_choice=no]:...)")
            elif isinstance(kind, str):
                note += f" (declare {them} in the spec: {kind}[apis=chat,multi_choice=no]:...)"
        notes.append(note)
    for a in run.get("adapters") or []:  # what each result cannot express, hence is not graded
        said = result_limits(a) if isinstance(a, dict) else []
        if said:
            notes.append(f"{a.get('name')}'s result {'; '.join(said)} (conformance.md 8.3)")
    return notes


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def _one_line(text: Any, n: int = 200) -> str:
    """One line of plain text: line breaks become spaces, other control characters \\xNN."""
    text = "" if text is None else str(text)
    text = text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ").replace("\t", " ")
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    return text if len(text) <= n else text[: n - 3] + "..."


def _json(value: Any) -> str:
    """Pretty JSON for expected/actual (the kit's canonical key order)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, indent=2)


def _repro(r: Record) -> str | None:
    if r.get("repro"):
        return f"kit verify --repro {r['repro']}"
    return r.get("repro_command") or None  # a command line that re-runs the case (kit matrix results)


def _details(r: Record) -> str:
    """What went wrong in a case, as plain text: the verdict as the pytest plugin and
    ``assert_conforms`` show it (:func:`kit.verify.format.format_verdict`), and the trace file."""
    text = format_verdict(r)
    return text + f"\n  trace: {r['trace_path']}" if r.get("trace_path") else text


def _failure_groups(verdicts: list[Record], chunkings: list[str], pick) -> list[tuple[Record, list[str], int]]:
    """Records chosen by ``pick`` grouped by (adapter, api, trace, verdict, rule):
    [(first record, its chunk plans, number of cases)], worst first."""
    groups: dict[tuple, list[Record]] = {}
    for r in verdicts:
        if pick(r):
            groups.setdefault((r["adapter"], r["api"], r["trace"], r["verdict"], r.get("rule")), []).append(r)
    rank = {c: i for i, c in enumerate(chunkings)}
    out = []
    for members in groups.values():
        plans = sorted({m["chunking"] for m in members}, key=lambda c: (rank.get(c, len(rank)), c))
        out.append((members[0], plans, len(members)))
    return out


# -- terminal summary --------------------------------------------------------------------------------


def summary_table(records: list[Record], *, max_failures: int = 20) -> str:
    """The terminal summary: verdict counts per adapter and API, then the failures.

    One row per (adapter, api) with a count per verdict and a total row per adapter, then
    one line per failing trace (its chunk plans listed together), at most ``max_failures``
    lines, then the overall result. Plain text, aligned, no colour.
    """
    verdicts = _verdicts(records)
    if not verdicts:
        return "\n".join(["No cases were run.", *_tail_notes(records)]).rstrip("\n")
    counts = _counts(verdicts)
    adapters = _adapters(records, verdicts)
    chunkings = _chunkings(records, verdicts)
    known = Counter(r["adapter"] for r in verdicts if _outcome(r) == "XFAIL")
    xpass = Counter(r["adapter"] for r in verdicts if _outcome(r) == "XPASS")
    extra = [("known", known)] if known else []
    extra += [("XPASS", xpass)] if xpass else []
    header = ["adapter", "api", *VERDICTS, "total", *(name for name, _ in extra)]
    rows: list[list[str]] = []
    for adapter in adapters:
        apis = [api for (a, api) in counts if a == adapter]
        total: Counter = Counter()
        for api in sorted(apis):
            c = counts[(adapter, api)]
            total.update(c)
            rows.append([adapter, api, *(str(c[v]) for v in VERDICTS), str(sum(c.values())),
                         *("" for _ in extra)])
        rows.append([adapter, "(all)", *(str(total[v]) for v in VERDICTS), str(sum(total.values())),
                     *(str(counter[adapter]) for _, counter in extra)])
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        out = [cells[i].ljust(widths[i]) if i < 2 else cells[i].rjust(widths[i]) for i in range(len(cells))]
        return "  ".join(out).rstrip()

    lines = [line(header), line(["-" * w for w in widths])]
    previous = None
    for row in rows:
        if previous is not None and row[0] != previous:
            lines.append("")
        lines.append(line(row))
        previous = row[0]

    failures = _failure_groups(verdicts, chunkings, _failed)
    xpasses = _failure_groups(verdicts, chunkings, lambda r: _outcome(r) == "XPASS")
    failures.sort(key=lambda g: (adapters.index(g[0]["adapter"]), _SEVERITY[g[0]["verdict"]],
                                 g[0]["api"], g[0]["trace"]))
    entries = []
    for r, plans, _n in failures:
        why = f"{r['rule']}: " if r.get("rule") else (f"{r['check']}: " if r.get("check") else "")
        entries.append([r["adapter"], r["trace"], "[" + ", ".join(plans) + "]", r["verdict"],
                        why + _first_and_more(r, 120)])
    for r, plans, _n in xpasses:
        entries.append([r["adapter"], r["trace"], "[" + ", ".join(plans) + "]", "XPASS",
                        "passes but is listed as known: " + _one_line(r.get("known"), 100)])
    if entries:
        n_cases = sum(n for _, _, n in failures)
        lines.append("")
        title = f"Failures ({n_cases} case{'s' if n_cases != 1 else ''}):" if failures else "Unexpected passes:"
        lines.append(title)
        shown = entries[:max(max_failures, 0)]
        w = [max(len(e[i]) for e in shown) for i in range(4)] if shown else [0] * 4
        for e in shown:
            lines.append("  " + "  ".join(e[i].ljust(w[i]) for i in range(4)) + "  " + e[4])
        if len(entries) > len(shown):
            lines.append(f"  ... and {len(entries) - len(shown)} more (see --json)")
    lines += _tail_notes(records)
    ok, result = _overall(records, verdicts)
    lines.append("")
    lines.append(result)
    return "\n".join(lines)


def _first_and_more(r: Record, n: int) -> str:
    """The message on one line of at most ``n`` characters, keeping its "(+N more differences)"."""
    message = r.get("message") or ""
    more = len([d for d in r.get("differences") or [] if isinstance(d, dict)]) - 1
    suffix = f" (+{more} more difference{'s' if more != 1 else ''})" if more > 0 else ""
    if suffix and message.endswith(suffix):
        return _one_line(message[: -len(suffix)], n - len(suffix)) + suffix
    return _one_line(message, n)


def _tail_notes(records: list[Record]) -> list[str]:
    """The terminal lines about trace files not loaded and capabilities assumed."""
    lines = []
    unloadable = _unloadable(records)
    if unloadable:
        lines += ["", f"Not loaded ({_plural(len(unloadable), 'trace file')}; {_others(records)}):"]
        lines += [f"  {_one_line(u['message'], 300)}" for u in unloadable]
    notes = assumed_notes(records, hint=True)
    if notes:
        lines.append("")
        lines += [f"note: {n}" for n in notes]
    return lines


# -- JUnit XML -------------------------------------------------------------------------------------

# XML 1.0 allows TAB, LF, CR and these ranges; anything else (other C0 controls, lone
# surrogates, U+FFFE/U+FFFF) makes the document invalid, so it is written out as \\xNN.
_XML_BAD = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(value: Any) -> str:
    text = "" if value is None else str(value)
    return _XML_BAD.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}",
                        text)


def _seconds(value: Any) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0 else 0.0


def _timestamp(run: Record | None) -> str:
    """The run's start as the JUnit schema's xs:dateTime without a zone (UTC)."""
    started = (run or {}).get("started")
    if isinstance(started, str) and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z?", started):
        return started.rstrip("Z")
    return "1970-01-01T00:00:00"


def junit_xml(records: list[Record]) -> str:
    """JUnit XML: ``<testsuites>`` with one ``<testsuite>`` per adapter, one ``<testcase>`` per case.

    FAIL is a ``<failure type=RULE>``, ERROR and TIMEOUT an ``<error>``, SKIP a
    ``<skipped>``, a known failure ``<skipped message="known failure: ...">``; NONSTRICT and
    INFO pass, with their message and notes in ``<system-out>``.
    """
    verdicts = _verdicts(records)
    run = _first(records, "run")
    stamp = _timestamp(run)
    root = ET.Element("testsuites", name="kit verify")
    totals = Counter()
    total_time = 0.0
    by_adapter: dict[str, list[Record]] = defaultdict(list)
    for r in verdicts:
        by_adapter[r["adapter"]].append(r)
    specs = {a.get("name"): a for a in (run or {}).get("adapters") or [] if isinstance(a, dict)}
    for index, adapter in enumerate(_adapters(records, verdicts)):
        cases = by_adapter[adapter]
        suite = ET.SubElement(root, "testsuite", name=_xml_text(adapter))
        info = specs.get(adapter)
        if info:
            props = ET.SubElement(suite, "properties")
            for key in ("spec", "kind", "feed", "apis", "incremental", "multi_choice", "ordered",
                        "marks_undispatched", "omits", "assumed"):
                if key in info:
                    value = info[key]
                    text = ",".join(map(str, value)) if isinstance(value, list) else (
                        json.dumps(value) if isinstance(value, bool) else str(value))
                    ET.SubElement(props, "property", name=key, value=_xml_text(text))
        counts = Counter()
        suite_time = 0.0
        for r in cases:
            seconds = _seconds(r.get("seconds"))
            suite_time += seconds
            case = ET.SubElement(suite, "testcase", classname=_xml_text(f"{adapter}.{r['api']}"),
                                 name=_xml_text(f"{r['trace']}[{r['chunking']}]"), time=f"{seconds:.6f}")
            outcome = _outcome(r)
            message = _xml_text(_one_line(r.get("message"), 500))
            if outcome == "XFAIL":
                counts["skipped"] += 1
                el = ET.SubElement(case, "skipped", message=_xml_text(f"known failure: {_one_line(r['known'], 300)}"))
                el.text = _xml_text(_details(r))
            elif r["verdict"] == "FAIL":
                counts["failures"] += 1
                el = ET.SubElement(case, "failure", message=message, type=_xml_text(r.get("rule") or r.get("check") or "FAIL"))
                el.text = _xml_text(_details(r))
            elif r["verdict"] in ("ERROR", "TIMEOUT"):
                counts["errors"] += 1
                el = ET.SubElement(case, "error", message=message,
                                   type=_xml_text(r["verdict"] if r["verdict"] == "TIMEOUT"
                                                  else (r.get("rule") or r.get("check") or "ERROR")))
                el.text = _xml_text(_details(r))
            elif r["verdict"] == "SKIP":
                counts["skipped"] += 1
                ET.SubElement(case, "skipped", message=message)
            elif r["verdict"] in ("NONSTRICT", "INFO") or outcome == "XPASS" or r.get("notes"):
                head = {"NONSTRICT": "NONSTRICT (right plan, not streamed as it arrived)",
                        "INFO": "INFO (implementation-defined: recorded, not graded)"}.get(r["verdict"], r["verdict"])
                if outcome == "XPASS":
                    head = f"XPASS: listed as a known failure ({_one_line(r['known'], 300)}) but passes"
                out = ET.SubElement(case, "system-out")
                out.text = _xml_text(head + "\n" + _details(r))
        tests = len(cases)
        for key in ("failures", "errors", "skipped"):
            suite.set(key, str(counts[key]))
            totals[key] += counts[key]
        suite.set("tests", str(tests))
        suite.set("time", f"{suite_time:.6f}")
        suite.set("timestamp", stamp)
        suite.set("hostname", "localhost")
        suite.set("id", str(index))
        suite.set("package", _xml_text(adapter))
        totals["tests"] += tests
        total_time += suite_time
    unloadable = _unloadable(records)
    if unloadable:  # as pytest reports a file it could not collect: an error per file
        suite = ET.SubElement(root, "testsuite", name="trace files", tests=str(len(unloadable)), failures="0",
                              errors=str(len(unloadable)), skipped="0", time="0.000000", timestamp=stamp,
                              hostname="localhost", id=str(len(by_adapter)), package="trace files")
        for u in unloadable:
            case = ET.SubElement(suite, "testcase", classname="trace files", name=_xml_text(u.get("path") or "?"),
                                 time="0.000000")
            el = ET.SubElement(case, "error", message=_xml_text(_one_line(u["message"], 500)), type="TraceError")
            el.text = _xml_text(u["message"])
        totals["tests"] += len(unloadable)
        totals["errors"] += len(unloadable)
    for key in ("tests", "failures", "errors", "skipped"):
        root.set(key, str(totals[key]))
    summary = _first(records, "summary")
    if summary is not None and isinstance(summary.get("seconds"), (int, float)):
        total_time = _seconds(summary["seconds"])
    root.set("time", f"{total_time:.6f}")
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# -- Markdown ------------------------------------------------------------------------------------


def _md(value: Any) -> str:
    """A table cell: no raw HTML, no pipes, no line breaks."""
    text = _html.escape("" if value is None else str(value), quote=False)
    text = text.replace("\\", "\\\\").replace("|", "\\|").replace("`", "\\`")
    return "<br>".join(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))


def _md_code(value: str) -> str:
    """A code span in a table cell (a pipe inside is still escaped, as GFM requires)."""
    text = " ".join(value.split()).replace("|", "\\|")
    fence = "``" if "`" in text else "`"
    return f"{fence} {text} {fence}" if fence == "``" else f"`{text}`"


def _md_list(items: list[str], limit: int) -> str:
    shown = ", ".join(_md(i) for i in items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def markdown(records: list[Record], *, max_traces: int = 12) -> str:
    """A CI step summary: the result, the counts per adapter and API, the failures by rule."""
    verdicts = _verdicts(records)
    ok, result = _overall(records, verdicts)
    run = _first(records, "run") or {}
    lines = ["## kit verify", ""]
    word, _, rest = result.partition(": ")
    lines.append(f"**{word}**: {_md(rest)}")
    unloadable = _unloadable(records)
    if unloadable:
        lines += ["", f"{_plural(len(unloadable), 'trace file')} could not be loaded ({_others(records)}):", ""]
        lines += [f"- {_md(u['message'])}" for u in unloadable]
    notes = assumed_notes(records)
    if notes:
        lines += [""] + [f"Note: {_md(n)}" + ("  " if i < len(notes) - 1 else "") for i, n in enumerate(notes)]
    if not verdicts:
        return "\n".join(lines) + "\n"
    chunkings = _chunkings(records, verdicts)
    meta = []
    if run.get("kit"):
        meta.append(f"kit {_md(run['kit'])}")
    if run.get("started"):
        meta.append(f"started {_md(run['started'])}")
    meta.append("chunk plans: " + ", ".join(_md(c) for c in chunkings))
    lines += ["", " · ".join(meta), ""]
    lines.append("| adapter | api | " + " | ".join(VERDICTS) + " | total |")
    lines.append("|---|---|" + "---:|" * (len(VERDICTS) + 1))
    counts = _counts(verdicts)
    adapters = _adapters(records, verdicts)
    for adapter in adapters:
        for api in sorted(api for (a, api) in counts if a == adapter):
            c = counts[(adapter, api)]
            cells = [(f"**{c[v]}**" if c[v] and v in FAILING else str(c[v])) for v in VERDICTS]
            lines.append(f"| {_md(adapter)} | {_md(api)} | " + " | ".join(cells) + f" | {sum(c.values())} |")
        apis = [api for (a, api) in counts if a == adapter]
        if len(apis) > 1:
            total = sum((counts[(adapter, api)] for api in apis), Counter())
            lines.append(f"| {_md(adapter)} | (all) | " + " | ".join(str(total[v]) for v in VERDICTS)
                         + f" | {sum(total.values())} |")
    for adapter in adapters:
        mine = [r for r in verdicts if r["adapter"] == adapter]
        failing = [r for r in mine if _failed(r)]
        known = [r for r in mine if _outcome(r) == "XFAIL"]
        xpass = [r for r in mine if _outcome(r) == "XPASS"]
        if not (failing or known or xpass):
            continue
        lines += ["", f"### {_md(adapter)}", ""]
        if failing:
            by_rule: dict[str, list[Record]] = {}
            for r in sorted(failing, key=lambda r: (_SEVERITY[r["verdict"]], r["api"], r["trace"])):
                by_rule.setdefault(r.get("rule") or f"({r.get('check') or r['verdict'].lower()})", []).append(r)
            lines.append("| rule | cases | traces | example | repro |")
            lines.append("|---|---:|---|---|---|")
            for rule, rs in sorted(by_rule.items(), key=lambda kv: (-len(kv[1]), kv[0])):
                traces = list(dict.fromkeys(r["trace"] for r in rs))
                example = next((r for r in rs if r.get("repro")), rs[0])
                message = f"{example['verdict']} {example['trace']} [{example['chunking']}]: " \
                          + _first_and_more(example, 200)
                repro = _md_code(_repro(example)) if _repro(example) else ""
                lines.append(f"| {_md(rule)} | {len(rs)} | {_md_list(traces, max_traces)} | {_md(message)} | {repro} |")
        if known:
            reasons = Counter(r.get("rule") or r.get("check") or r["verdict"] for r in known)
            lines += ["", f"{len(known)} known failure{'s' if len(known) != 1 else ''} (expected): "
                      + ", ".join(f"{_md(k)} ×{n}" for k, n in sorted(reasons.items()))]
        if xpass:
            traces = list(dict.fromkeys(f"{r['trace']} [{r['chunking']}]" for r in xpass))
            lines += ["", f"{len(xpass)} unexpected pass{'es' if len(xpass) != 1 else ''} (XPASS; "
                      "remove them from the expectations file): " + _md_list(traces, max_traces)]
    return "\n".join(lines) + "\n"


# -- HTML -------------------------------------------------------------------------------------------

_CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.5em;margin:0 0 .3em}h2{font-size:1.2em;margin:1.6em 0 .4em}
.ok{color:#176b1d}.bad{color:#b3141b}
table{border-collapse:collapse;margin:.4em 0}
th,td{border:1px solid #ccc;padding:2px 6px;vertical-align:top;text-align:left}
th{background:#f3f3f3;position:sticky;top:0}
td.n{text-align:right}
table.matrix td.cell{min-width:5.5em}
tr.cluster td{border-top:2px solid #666}
.v-PASS{background:#c8efc8}.v-NONSTRICT{background:#e6f3a6}.v-FAIL{background:#f6a9a9}
.v-ERROR{background:#e0662f;color:#fff}.v-TIMEOUT{background:#f1b35b}.v-SKIP{background:#e2e2e2;color:#555}
.v-INFO{background:#bcd7f5}.v-XFAIL{background:repeating-linear-gradient(45deg,#f6d0d0,#f6d0d0 4px,#fff 4px,#fff 8px)}
.v-XPASS{background:#c9a7ef}.v-none{background:#fff;color:#999}
.mark{display:inline-block;padding:0 3px;margin:1px;border-radius:3px;font-size:11px;border:1px solid #0002}
details>summary{cursor:pointer}
.box{background:#fff;color:#222;border:1px solid #999;padding:4px 6px;margin:3px 0;font-size:12px;max-width:60em}
pre{margin:2px 0;white-space:pre-wrap;word-break:break-all;font-size:12px}
table.wire td{font:12px/1.3 ui-monospace,monospace}
table.wire td.data{max-width:50em;white-space:pre-wrap;word-break:break-all}
.muted{color:#777}
.hide-pass tr.allpass{display:none}
"""

_JS = ("document.getElementById('only-failing').addEventListener('change',function(e){"
       "document.body.classList.toggle('hide-pass',e.target.checked)});")

_MAX_WIRE_EVENTS = 400
_MAX_WIRE_DATA = 2000


def _e(value: Any) -> str:
    return _html.escape(_xml_text(value), quote=True)


def _wire_view(path: str | None, api: str, root: Path | None, cache: dict) -> str:
    """The trace's SSE events: number, byte offset, event name, what it carries, the data."""
    if not path:
        return '<p class="muted">No trace file in the records (trace_path is null).</p>'
    key = (path, api)
    if key in cache:
        return cache[key]
    from ..report import _DESCRIBE, _short  # noqa: PLC0415 - kept off the import path
    from ..sse import decode  # noqa: PLC0415
    from ..trace import load  # noqa: PLC0415

    p = Path(path)
    if root is not None and not p.is_absolute():
        p = root / p
    if not p.is_file():
        out = f'<p class="muted">Trace file {_e(path)} not found; no wire view.</p>'
        cache[key] = out
        return out
    try:
        trace = load(p, api=None if p.suffix == ".json" else api)
    except Exception as exc:  # a bad trace file must not stop the report
        out = f'<p class="muted">Cannot load {_e(path)}: {_e(exc)}</p>'
        cache[key] = out
        return out
    events, diagnostics = decode(trace.body)
    describe = _DESCRIBE.get(trace.api)
    parts = [f"<p>{_e(trace.name)} (class {_e(trace.cls)}): {len(trace.body)} bytes in "
             f"{len(trace.reads) if trace.reads is not None else 'unrecorded'} reads, {len(events)} SSE events"
             f"{' (truncated)' if trace.truncated else ''}. {_e(trace.description)}"]
    if trace.rules:
        parts.append(" Rules: " + ", ".join(f"<code>{_e(r)}</code>" for r in trace.rules) + ".")
    parts.append("</p>")
    parts.append('<table class="wire"><tr><th>#</th><th>offset</th><th>event</th><th>what</th><th>data</th></tr>')
    for ev in events[:_MAX_WIRE_EVENTS]:
        what = (describe(ev.data) if describe else None) or _short(ev.data)
        data = ev.data if len(ev.data) <= _MAX_WIRE_DATA else ev.data[:_MAX_WIRE_DATA] + f"... ({len(ev.data)} chars)"
        parts.append(f'<tr><td class="n">{ev.index}</td><td class="n">{ev.offset}</td><td>{_e(ev.event)}</td>'
                     f'<td>{_e(what)}</td><td class="data">{_e(data)}</td></tr>')
    if len(events) > _MAX_WIRE_EVENTS:
        parts.append(f'<tr><td colspan="5" class="muted">... and {len(events) - _MAX_WIRE_EVENTS} more events</td></tr>')
    parts.append("</table>")
    if diagnostics:
        parts.append("<p>SSE diagnostics:</p><ul>" + "".join(f"<li>{_e(d)}</li>" for d in diagnostics) + "</ul>")
    out = "".join(parts)
    cache[key] = out
    return out


def _case_box(r: Record, plans: list[str]) -> str:
    """The details of one case (or of identical cases under several chunk plans)."""
    rows = [f"<b>{_e(r['verdict'])}</b> under {_e(', '.join(plans))}: {_e(r.get('message'))}"]
    if r.get("known"):
        rows.append(f"<br>known failure: {_e(r['known'])}")
    if r.get("rule"):
        rows.append(f"<br>rule <code>{_e(r['rule'])}</code>")
    if r.get("check"):
        rows.append(f" (check {_e(r['check'])})")
    differences = [d for d in r.get("differences") or [] if isinstance(d, dict)]
    if differences:  # every difference, with the rule that governs it (records before kit-verify/1
        # carried only the first: those show it as below)
        rows.append(f"<br>{_plural(len(differences), 'difference')}:"
                    '<table class="diffs"><tr><th>path</th><th>expected</th><th>actual</th><th>rule</th></tr>'
                    + "".join(f"<tr><td><code>{_e(d.get('path') or 'plan')}</code></td>"
                              f"<td><pre>{_e(_json(d.get('expected')))}</pre></td>"
                              f"<td><pre>{_e(_json(d.get('actual')))}</pre></td>"
                              f"<td>{'<code>' + _e(d['rule']) + '</code>' if d.get('rule') else _e(d.get('note') or 'none')}"
                              "</td></tr>" for d in differences) + "</table>")
        if r.get("plans") is None and not r.get("path") and r.get("actual") is not None:  # an INFO: its whole Plan
            rows.append(f"actual:<pre>{_e(_json(r.get('actual')))}</pre>")
    else:
        if r.get("path"):
            rows.append(f"<br>path <code>{_e(r['path'])}</code>")
        if r.get("expected") is not None or r.get("actual") is not None:
            rows.append(f"<br>expected:<pre>{_e(_json(r.get('expected')))}</pre>actual:<pre>{_e(_json(r.get('actual')))}</pre>")
    plans = r.get("plans")
    if isinstance(plans, dict):
        rows.append('<table class="plans"><tr><th>expected Plan</th><th>actual Plan</th></tr><tr>'
                    + "".join(f"<td><pre>{_e(chr(10).join(format_plan(plans.get(side))))}</pre></td>"
                              for side in ("expected", "actual")) + "</tr></table>")
    if r.get("position") is not None:
        rows.append(f"<br>position: {_e(format_position(r['position']))}")
    notes = r.get("notes") or []
    if notes:
        rows.append("<ul>" + "".join(f"<li>{_e(n)}</li>" for n in notes) + "</ul>")
    if _repro(r):
        rows.append(f"<br>repro: <code>{_e(_repro(r))}</code>")
    return '<div class="box">' + "".join(rows) + "</div>"


def _signature(r: Record) -> tuple:
    return (r["verdict"], r.get("known") or None, r.get("rule"), r.get("check"), r.get("message"), r.get("path"),
            json.dumps(r.get("expected"), sort_keys=True), json.dumps(r.get("actual"), sort_keys=True),
            json.dumps(r.get("differences"), sort_keys=True), json.dumps(r.get("plans"), sort_keys=True))


def behaviour(cases: list[Record]) -> str | None:
    """What an adapter did on a trace, as a key: cells with the same key behaved identically
    (same verdicts, same difference from the reference, or the same exception type); None
    for an all-PASS or empty cell."""
    if not cases or all(r["verdict"] == "PASS" for r in cases):
        return None
    parts = []
    for r in sorted(cases, key=lambda r: r["chunking"]):
        message = r.get("message") or ""
        if r["verdict"] in ("ERROR", "TIMEOUT"):  # the exception type and where, not the wording
            message = message.split(":", 2)[1].strip() if message.count(":") >= 2 else message
        key = [r["verdict"], r.get("path"), r.get("actual"),
               message if r["verdict"] != "FAIL" or r.get("path") is None else None]
        if r.get("differences"):  # every difference, not only the first (records that carry them)
            key.append([[d.get("path"), d.get("actual")] for d in r["differences"] if isinstance(d, dict)])
        parts.append(json.dumps(key, sort_keys=True))
    return "|".join(parts)


def _cell(cases: list[Record], rank: dict[str, int], tag: str = "") -> tuple[str, tuple]:
    """One matrix cell (an adapter's cases of a trace): its HTML and its pattern for clustering.
    ``tag`` labels cells that behave identically within a row (A, B, ...)."""
    if not cases:
        return '<td class="cell v-none">-</td>', ("-",)
    cases = sorted(cases, key=lambda r: (rank.get(r["chunking"], len(rank)), r["chunking"]))
    outcomes = [_outcome(r) for r in cases]
    worst = min(outcomes, key=_SEVERITY.__getitem__)
    if len(set(outcomes)) == 1:
        label = f"{outcomes[0]}" + (f" ×{len(cases)}" if len(cases) > 1 else "") + (f" [{tag}]" if tag else "")
        marks = ""
        pattern: tuple = (outcomes[0],)
    else:
        label = worst + (f" [{tag}]" if tag else "")
        marks = "<br>" + "".join(f'<span class="mark v-{o}" title="{_e(r["chunking"])}: {_e(o)}">'
                                 f'{_e(r["chunking"])} {_SHORT[o]}</span>'
                                 for r, o in zip(cases, outcomes))
        pattern = tuple(zip((r["chunking"] for r in cases), outcomes))
    title = _e(", ".join(f"{r['chunking']}: {o}" for r, o in zip(cases, outcomes)))
    interesting = [r for r in cases if r["verdict"] != "PASS" or r.get("known") or r.get("notes")]
    if not interesting:
        return f'<td class="cell v-{worst}" title="{title}">{_e(label)}{marks}</td>', pattern
    grouped: dict[tuple, tuple[Record, list[str]]] = {}
    for r in interesting:
        grouped.setdefault(_signature(r), (r, []))[1].append(r["chunking"])
    boxes = "".join(_case_box(r, plans) for r, plans in grouped.values())
    return (f'<td class="cell v-{worst}" title="{title}"><details><summary>{_e(label)}{marks}</summary>'
            f"{boxes}</details></td>"), pattern


def html(records: list[Record], *, root: str | os.PathLike | None = None, title: str = "kit verify",
         per_api_adapters: bool = False, groups: dict[str, str] | None = None) -> str:
    """One self-contained HTML page: a matrix of cases (rows) x adapters (columns) per API.

    Rows with the same verdict pattern across adapters sit together (worst first); a
    trace's chunk plans share one cell, with per-plan marks when they disagree. Within a
    row, failing cells that behaved identically (:func:`behaviour`) carry the same letter.
    Non-PASS cells open to the details; each trace opens to its wire view (its SSE
    events), read from ``trace_path`` (relative paths are taken from ``root``, default the
    current folder). ``per_api_adapters``: each API's table has only the adapters that
    ran traces of that API (a matrix of many single-API adapters). ``groups``: a label per
    adapter (e.g. libraries vs recipes, ``kit matrix report``): the columns are headed by
    their group, and the counts count cells (one trace under every chunk plan, its worst
    verdict) rather than records.
    """
    verdicts = _verdicts(records)
    run = _first(records, "run") or {}
    ok, result = _overall(records, verdicts)
    adapters = _adapters(records, verdicts)
    chunkings = _chunkings(records, verdicts)
    rank = {c: i for i, c in enumerate(chunkings)}
    base = Path(root) if root is not None else None
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>{_e(title)}: {'PASSED' if ok else 'FAILED'}</title>", f"<style>{_CSS}</style></head><body>",
           f"<h1>{_e(title)}</h1>", f'<p class="{"ok" if ok else "bad"}"><b>{_e(result)}</b></p>']
    meta = []
    if run.get("kit"):
        meta.append(f"kit {_e(run['kit'])}")
    if run.get("started"):
        meta.append(f"started {_e(run['started'])}")
    if chunkings:
        meta.append("chunk plans: " + _e(", ".join(chunkings)))
    if meta:
        out.append("<p>" + " · ".join(meta) + "</p>")
    unloadable = _unloadable(records)
    if unloadable:
        out.append(f'<p class="bad">{_plural(len(unloadable), "trace file")} could not be loaded '
                   f"({_e(_others(records))}):</p><ul>"
                   + "".join(f"<li><code>{_e(u['message'])}</code></li>" for u in unloadable) + "</ul>")
    for note in assumed_notes(records):
        out.append(f"<p>Note: {_e(note)}</p>")
    specs = [a for a in run.get("adapters") or [] if isinstance(a, dict)]
    if specs:
        out.append("<table><tr><th>adapter</th><th>spec</th><th>kind</th><th>feed</th><th>apis</th>"
                   "<th>incremental</th><th>multi choice</th><th>ordered</th><th>marks undispatched</th>"
                   "<th>omits</th></tr>")
        for a in specs:
            apis = a.get("apis")
            out.append("<tr>" + "".join(f"<td>{_e(x)}</td>" for x in (
                a.get("name"), a.get("spec"), a.get("kind"), a.get("feed"),
                ", ".join(map(str, apis)) if isinstance(apis, list) else apis,
                a.get("incremental"), a.get("multi_choice"), a.get("ordered", True), a.get("marks_undispatched", True),
                ", ".join(a.get("omits") or []) or "-")) + "</tr>")
        out.append("</table>")
    # counts
    if groups:
        worst_of: dict[tuple[str, str, str], str] = {}
        for r in verdicts:
            key = (r["adapter"], r["api"], r["trace"])
            if key not in worst_of or _SEVERITY.get(r["verdict"], 99) < _SEVERITY.get(worst_of[key], 99):
                worst_of[key] = r["verdict"]
        counts = {}
        for (adapter, api, _), verdict in worst_of.items():
            counts.setdefault((adapter, api), Counter())[verdict] += 1
    else:
        counts = _counts(verdicts)
    if counts:
        out.append("<h2>Counts" + (" (cells: a trace under every chunk plan, graded by its worst plan)" if groups
                                   else "") + "</h2><table><tr>" + ("<th>group</th>" if groups else "")
                   + "<th>adapter</th><th>api</th>"
                   + "".join(f'<th class="v-{v}">{v}</th>' for v in VERDICTS) + "<th>total</th></tr>")
        for adapter in adapters:
            for api in sorted(api for (a, api) in counts if a == adapter):
                c = counts[(adapter, api)]
                out.append("<tr>" + (f"<td>{_e(groups.get(adapter, ''))}</td>" if groups else "")
                           + f"<td>{_e(adapter)}</td><td>{_e(api)}</td>"
                           + "".join(f'<td class="n">{c[v] or ""}</td>' for v in VERDICTS)
                           + f'<td class="n">{sum(c.values())}</td></tr>')
        out.append("</table>")
    out.append('<p><label><input type="checkbox" id="only-failing"> show only rows that are not all PASS</label>'
               ' · legend: ' + "".join(f'<span class="mark v-{v}">{v}</span>'
                                       for v in (*VERDICTS, "XFAIL", "XPASS"))
               + ' (XFAIL: a known failure; XPASS: listed as known but passes; [A], [B]: cells of a row that '
               'behaved identically)</p>')
    # the matrix, one table per API
    cells: dict[tuple[str, str], dict[str, list[Record]]] = defaultdict(lambda: defaultdict(list))
    info: dict[tuple[str, str], Record] = {}
    for r in verdicts:
        key = (r["api"], r["trace"])
        cells[key][r["adapter"]].append(r)
        if key not in info or (not info[key].get("trace_path") and r.get("trace_path")):
            info[key] = r
    wire_cache: dict = {}
    for api in sorted({api for api, _ in cells}):
        rows = []
        columns = adapters
        if per_api_adapters:
            ran = {a for k in cells if k[0] == api for a, recs in cells[k].items()
                   if any(r["verdict"] != "SKIP" or r.get("check") != "capability" or "declares the APIs" not in
                          (r.get("message") or "") for r in recs)}
            columns = [a for a in adapters if a in ran]
        for key in (k for k in cells if k[0] == api):
            keys = [behaviour(cells[key].get(a, [])) for a in columns]
            shared = [k for k, n in Counter(k for k in keys if k is not None).items() if n > 1]
            letters = {k: chr(ord("A") + i) if i < 26 else str(i) for i, k in enumerate(shared)}
            rendered = [_cell(cells[key].get(a, []), rank, letters.get(k, "")) for a, k in zip(columns, keys)]
            pattern = tuple(p for _, p in rendered)
            bad = sum(1 for a in columns for r in cells[key].get(a, []) if _outcome(r) != "PASS")
            rows.append((pattern, bad, key, rendered))
        freq = Counter(p for p, *_ in rows)
        worst = {}
        for pattern, bad, *_ in rows:
            worst[pattern] = max(worst.get(pattern, 0), bad)
        # clusters of identical patterns: the most non-PASS first, then the biggest cluster
        rows.sort(key=lambda row: (-worst[row[0]], -freq[row[0]], repr(row[0]), row[2][1]))
        out.append(f"<h2>{_e(api)} ({len(rows)} traces)</h2>")
        out.append('<table class="matrix">')
        if groups:
            spans: list[list] = []
            for a in columns:
                if spans and spans[-1][0] == groups.get(a, ""):
                    spans[-1][1] += 1
                else:
                    spans.append([groups.get(a, ""), 1])
            out.append('<tr><th colspan="2"></th>' + "".join(f'<th colspan="{n}">{_e(g)}</th>' for g, n in spans)
                       + "</tr>")
        out.append('<tr><th>trace</th><th>class</th>'
                   + "".join(f"<th>{_e(a)}</th>" for a in columns) + "</tr>")
        previous = None
        for pattern, bad, key, rendered in rows:
            r0 = info[key]
            classes = (["cluster"] if previous is not None and pattern != previous else []) + (
                ["allpass"] if bad == 0 else [])
            previous = pattern
            wire = _wire_view(r0.get("trace_path"), api, base, wire_cache)
            out.append(f'<tr class="{" ".join(classes)}"><td><details><summary>{_e(key[1])}</summary>'
                       f"{wire}</details></td><td>{_e(r0.get('class'))}</td>"
                       + "".join(html_cell for html_cell, _ in rendered) + "</tr>")
        out.append("</table>")
    out.append(f"<script>{_JS}</script></body></html>")
    return "\n".join(out) + "\n"


# -- writing -------------------------------------------------------------------------------------

FORMATS = {"text": summary_table, "junit": junit_xml, "markdown": markdown, "html": html}
_SUFFIXES = {".txt": "text", ".xml": "junit", ".md": "markdown", ".html": "html", ".htm": "html"}


def render(records: list[Record], fmt: str) -> str:
    """A report by format name: ``text``, ``junit``, ``markdown`` or ``html``."""
    try:
        return FORMATS[fmt](records)
    except KeyError:
        raise ValueError(f"unknown report format {fmt!r}; expected one of {', '.join(FORMATS)}") from None


def write_report(path: str | os.PathLike, records: list[Record], fmt: str | None = None) -> str:
    """Write a report to ``path`` (format from ``fmt`` or the file suffix); returns the format used."""
    if fmt is None:
        fmt = _SUFFIXES.get(Path(path).suffix.lower())
        if fmt is None:
            raise ValueError(f"{os.fspath(path)}: cannot tell the report format from the suffix; "
                             f"use one of {', '.join(_SUFFIXES)}")
    text = render(records, fmt)
    with open(path, "w", encoding="utf-8", errors="backslashreplace", newline="\n") as f:
        f.write(text)
    return fmt
