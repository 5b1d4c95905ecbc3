"""``kit verify``: the command line of the grading engine (registered in :mod:`kit.cli`)."""

from __future__ import annotations

import fnmatch
import json
import math
import os
import sys
import warnings
from typing import Any

import click

from .._options import api_option
from .._options import shard as _shard
from ..errors import UsageError

EXIT_OK, EXIT_FAILURES, EXIT_USAGE, EXIT_TRACE = 0, 1, 2, 3

VERIFY_EXIT_CODES = """\b
Exit codes:
  0   every case passed, or was NONSTRICT, INFO, SKIP or a known failure
  1   a FAIL, ERROR or TIMEOUT not in the expectations file; with
      --strict-expectations also a known failure that now passes; with
      --nonstrict-fails also a NONSTRICT; with --mutants a surviving mutant;
      with --repro a repro still fails
  2   usage error (bad adapter spec, an exec: program that cannot be run,
      bad option, no trace selected; --merge: a shard missing or given twice,
      files of different runs, a shard that did not finish)
  3   a trace file could not be loaded (the other traces are still graded), or
      the --expectations, --repro or --merge file (missing, not JSON, against
      its shape)
  70  internal error (a bug in the kit; KIT_DEBUG=1 shows the traceback)
"""

DEFAULT_CHUNKINGS = "recorded,event,bytewise"


def _seconds(ctx: Any, param: Any, value: float) -> float:
    if not math.isfinite(value) or value <= 0:
        raise click.BadParameter(f"{value:g}; give a number of seconds above 0")
    return value


def _chunkings(value: str) -> list[str]:
    from ..trace import parse_chunking

    plans = [p.strip() for p in value.split(",") if p.strip()]
    if not plans:
        raise UsageError("--chunking: give at least one chunk plan")
    return [parse_chunking(p) for p in plans]


def select_traces(source: str | None, ids: tuple[str, ...], apis: tuple[str, ...], classes: tuple[str, ...],
                  rules: tuple[str, ...], *, traces: list | None = None, dialects: tuple[str, ...] = ()) -> list:
    """The traces of ``source`` (default: the bundled corpus; or the given ``traces``) that
    every given filter keeps. ``dialects``: dialect ids or patterns; ``none`` keeps the
    traces of the provider's documented contract (no dialect)."""
    from ..adapters import api_name
    from ..rules import RULES_BY_ID
    from ..trace import corpus

    traces = corpus(source) if traces is None else list(traces)
    listing = f"kit replay --all {source}" if source else "kit replay --all"
    if apis:
        wanted = {api_name(a) for a in apis}
        traces = [t for t in traces if t.api in wanted]
    if classes:
        traces = [t for t in traces if t.cls in classes]
    if rules:
        unknown = [r for r in rules if r not in RULES_BY_ID and not any(ch in r for ch in "*?[")]
        if unknown:
            raise UsageError(f"--rule {unknown[0]!r}: no such rule (conformance.md lists them)")
        traces = [t for t in traces if any(fnmatch.fnmatchcase(tr, r) for r in rules for tr in t.rules)]
    if dialects:
        from ..dialects import DIALECTS_BY_ID  # noqa: PLC0415

        unknown = [d for d in dialects if d != "none" and d not in DIALECTS_BY_ID and not any(ch in d for ch in "*?[")]
        if unknown:
            raise UsageError(f"--dialect {unknown[0]!r}: no such dialect (kit dialects lists them; 'none' is the "
                             "provider's documented contract)")
        traces = [t for t in traces if any(t.dialect is None if d == "none" else
                                           t.dialect is not None and fnmatch.fnmatchcase(t.dialect, d) for d in dialects)]
    if ids:
        def keep(t: Any) -> bool:
            return any(fnmatch.fnmatchcase(t.id, i) or fnmatch.fnmatchcase(t.name, i) for i in ids)

        missing = [i for i in ids if not any(fnmatch.fnmatchcase(t.id, i) or fnmatch.fnmatchcase(t.name, i)
                                             for t in traces)]
        traces = [t for t in traces if keep(t)]
        if missing and not traces:
            raise UsageError(f"--trace {missing[0]!r} selects no trace ({listing} lists them)")
    if not traces:
        raise UsageError("the filters select no trace")
    return traces


def load_traces(source: str | None, apis: tuple[str, ...] = ()) -> tuple[list, list[dict[str, Any]]]:
    """``(traces, problems)``: every trace file under ``source`` (a folder or one file;
    default: the bundled corpus) that loads, and one problem ``{"path", "pointer",
    "message"}`` per file that does not (bad JSON, a schema violation, a raw body whose API
    cannot be told), so one bad file does not stop the others. A raw body whose API
    cannot be detected is read as the API of ``apis`` when exactly one is given."""
    from pathlib import Path

    from ..adapters import api_name
    from ..errors import KitError, missing
    from ..trace import corpus, load

    if source is None:
        return corpus(), []
    base = Path(source)
    if base.is_file():
        files = [base]
    elif base.is_dir():
        files = sorted(p for p in base.rglob("*") if p.is_file() and p.suffix in (".json", ".sse"))
    else:
        raise missing(source)  # the words and exit code (3) of every command
    wanted = {api_name(a) for a in apis}
    only_api = next(iter(wanted)) if len(wanted) == 1 else None
    traces, problems = [], []
    for p in files:
        try:
            try:
                traces.append(load(p))
            except UsageError:
                if p.suffix == ".json" or only_api is None:
                    raise
                traces.append(load(p, api=only_api))  # the --api given says what the body is
        except KitError as exc:
            problems.append({"path": getattr(exc, "path", None) or p.as_posix(),
                             "pointer": getattr(exc, "pointer", None), "message": exc.one_line()})
    return sorted(traces, key=lambda t: (t.api, t.id)), problems


def _write(path: str, text: str) -> None:
    if path == "-":
        click.echo(text, nl=not text.endswith("\n"))
        return
    tmp = f"{path}.tmp"
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        raise UsageError(f"{path}: cannot write: {exc.strerror}") from None


@click.command(epilog=VERIFY_EXIT_CODES, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--adapter", "-a", "adapters", multiple=True, metavar="SPEC",
              help="Implementation under test: py:MODULE:ATTR, exec:COMMAND, http:COMMAND, client:MODULE:ATTR "
                   "or a bundled adapter's name (the list above; --list-adapters). Repeat to build a matrix. "
                   "Default: reference.")
@click.option("--traces", "source", metavar="PATH",
              help="A folder of traces or one trace file (default: the bundled corpus). A file that cannot be "
                   "loaded is reported (exit 3); the other traces are still graded.")
@click.option("--trace", "-t", "ids", multiple=True, metavar="ID", help="Only these trace ids (patterns like 'y_parallel*'; repeatable).")
@api_option("--api", "apis", multiple=True, help="Only this wire API (repeatable)")
@click.option("--class", "classes", multiple=True, type=click.Choice(["y", "n", "i"]), help="Only this trace class (repeatable).")
@click.option("--rule", "rules", multiple=True, metavar="RULE", help="Only traces that exercise this rule id (repeatable; patterns allowed).")
@click.option("--dialect", "dialects", multiple=True, metavar="ID",
              help="Only traces of this dialect of a compatible server (repeatable; patterns allowed; 'none': only "
                   "the providers' documented contract). kit dialects lists them.")
@click.option("--chunking", default=DEFAULT_CHUNKINGS, show_default=True, metavar="PLANS",
              help="Comma-separated chunk plans: recorded, event, bytewise, fixed:N, random:SEED, whole.")
@click.option("--timeout", default=10.0, show_default=True, metavar="SECONDS", type=float, callback=_seconds,
              help="Per case (above 0).")
@click.option("--isolate", is_flag=True, help="Run py: adapters in a child process, killed on timeout or crash.")
@click.option("--jobs", "-j", default=0, metavar="N", type=int, help="Cases of exec: and http: adapters run at once (an http worker pool holds as many workers; default: CPU count).")
@click.option("--validate-protocol", is_flag=True, help="Check every line an exec: program prints against schemas/protocol.schema.json.")
@click.option("--json", "json_path", metavar="PATH", help="Write the verdict records as JSON lines ('-' for stdout).")
@click.option("--junit", "junit_path", metavar="PATH", help="Write JUnit XML.")
@click.option("--markdown", "markdown_path", metavar="PATH", help="Write a Markdown summary ('-' for stdout; e.g. >> $GITHUB_STEP_SUMMARY).")
@click.option("--html", "html_path", metavar="PATH", help="Write an HTML matrix with expected vs actual and the wire view.")
@click.option("--expectations", metavar="FILE", help="Known failures with reasons (kit-expectations/1 JSON).")
@click.option("--strict-expectations", is_flag=True, help="Fail when a known failure passes now (remove it from the file).")
@click.option("--write-expectations", metavar="FILE", help="Write this run's failures as an expectations file.")
@click.option("--nonstrict-fails", is_flag=True, help="Count NONSTRICT (buffered text, late dispatch) as a failure.")
@click.option("--repro-dir", default=".kit/repro", show_default=True, metavar="DIR", help="Where failures write repro files.")
@click.option("--no-repro", is_flag=True, help="Write no repro files.")
@click.option("--repro", "repro_file", metavar="PATH",
              help="Replay a repro file, or every repro file in a folder (e.g. .kit/repro), and show the verdicts.")
@click.option("--exitfirst", "-x", is_flag=True, help="Stop at the first FAIL, ERROR or TIMEOUT not in the expectations file.")
@click.option("--maxfail", default=0, metavar="N", type=click.IntRange(min=0),
              help="Stop after N FAILs, ERRORs or TIMEOUTs not in the expectations file (0: never).")
@click.option("--last-failed", "--lf", "last_failed", is_flag=True,
              help="Re-run only the cases that failed in the last run (kept in .kit/lastfailed.json); "
                   "all of them when none of the selected cases failed.")
@click.option("--cache-clear", is_flag=True, help="Forget the last run's failures (.kit/lastfailed.json) first.")
@click.option("--mutants", is_flag=True, help="Run the bundled mutants (broken implementations) and report the mutation score.")
@click.option("--list-adapters", is_flag=True, help="List the bundled adapters and exit.")
@click.option("--shard", metavar="I/N", callback=_shard,
              help="Run only the I-th of N parts of the cases (the same split on every machine); "
                   "write --json, then merge the N files with --merge.")
@click.option("--merge", "merge_paths", multiple=True, metavar="PATH",
              help="Run nothing: read the --json records of all shards of a run (files, or folders of *.jsonl; "
                   "repeatable) and write the reports and exit status of that run as one.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar; only the summary.")
@click.pass_context
def verify(ctx: click.Context, adapters: tuple[str, ...], source: str | None, ids: tuple[str, ...], apis: tuple[str, ...],
           classes: tuple[str, ...], rules: tuple[str, ...], dialects: tuple[str, ...], chunking: str, timeout: float,
           isolate: bool, jobs: int, validate_protocol: bool, json_path: str | None, junit_path: str | None, markdown_path: str | None,
           html_path: str | None, expectations: str | None, strict_expectations: bool,
           write_expectations: str | None, nonstrict_fails: bool, repro_dir: str, no_repro: bool,
           repro_file: str | None, exitfirst: bool, maxfail: int, last_failed: bool, cache_clear: bool,
           mutants: bool, list_adapters: bool, shard: tuple[int, int] | None, merge_paths: tuple[str, ...],
           quiet: bool) -> None:
    """Grade implementations against the reference, trace by trace, chunk plan by chunk plan.

    With no options it runs the bundled reference adapter over the bundled corpus. Each
    case gets a verdict: PASS, NONSTRICT (right plan, but text buffered or a call
    dispatched late), FAIL (wrong plan, a call dispatched with partial arguments or twice,
    an invalid stream turned silently into a plan), ERROR (crash, protocol violation),
    TIMEOUT, SKIP (an API, feed or kind of tool call the adapter does not declare) or
    INFO (i_ traces). Only what the adapter's result can express is compared: it declares
    the rest (one choice, text unordered against calls, no "do not run" mark, ...), and
    the run's notes list it (conformance.md 8.3).

    \b
    Adapters (--adapter SPEC; options in brackets: exec[apis=chat,timeout=20]:...):
      py:MODULE:ATTR      a Python callable, run in-process (--isolate: in a child process)
      exec:COMMAND        any program: SSE bytes on stdin, JSON lines on stdout
      http:COMMAND        an unmodified client program, pointed at the kit's replay server
                          (http[worker=yes]: started once, serving every case; conformance.md 8.2a)
      client:MODULE:ATTR  a client library, driven in-process over real HTTP
      NAME                a bundled adapter: reference, openai-chat-state, litellm-chat, ...
                          (kit verify --list-adapters lists them)

    \b
    Examples:
      kit verify --adapter py:mypkg.stream:handle
      kit verify --adapter 'exec:node accumulate.js' --api chat --junit report.xml
      kit verify -a openai-chat-state -a openai-chat-client --html matrix.html
      kit verify -a py:mypkg.stream:handle -x          # stop at the first failure
      kit verify -a py:mypkg.stream:handle --lf        # only what failed last time
      kit verify --repro .kit/repro/.../y_parallel_interleaved--bytewise.json
      kit verify --repro .kit/repro                    # every repro file in the folder

    \b
    Sharded (e.g. one CI job per shard, then one merge job):
      kit verify -a py:mypkg.stream:handle --shard 2/4 --json shard-2.jsonl
      kit verify --merge shards/ --markdown - --junit junit.xml   # the report of the whole run
    """
    from ..adapters import BUILTIN, load_adapter

    if list_adapters:
        for name, spec in BUILTIN.items():
            click.echo(f"{name:<28} {spec}")
        click.echo("mutants: kit verify --mutants (or kit.adapters.mutants.specs())")
        sys.exit(EXIT_OK)
    if merge_paths:
        _no_run_options(ctx)
        to_stdout = json_path == "-" or markdown_path == "-"
        records = _merged(merge_paths)
        if json_path:
            _write(json_path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
        sys.exit(_report(records, sys.stderr if to_stdout else sys.stdout, junit_path=junit_path,
                         markdown_path=markdown_path, html_path=html_path, write_expectations=write_expectations,
                         strict_expectations=strict_expectations, nonstrict_fails=nonstrict_fails,
                         written=[p for p in (json_path, junit_path, markdown_path, html_path, write_expectations)
                                  if p and p != "-"], repro_dir=repro_dir))
    if repro_file:
        sys.exit(_replay_repros(repro_file, timeout, isolate, validate_protocol))
    maxfail = 1 if exitfirst else maxfail
    if mutants and (maxfail or last_failed):
        raise UsageError("--mutants runs every mutant until it is killed; it takes no -x, --maxfail or --last-failed")
    if shard and (mutants or last_failed):
        raise UsageError("--shard splits the whole selection; it takes no "
                         + ("--mutants" if mutants else "--last-failed (each machine has its own cache)"))
    plans = _chunkings(chunking)
    to_stdout = json_path == "-" or markdown_path == "-"
    out = sys.stderr if to_stdout else sys.stdout
    loaded_traces, unloadable = load_traces(source, apis)
    # no trace loaded: nothing to grade, but the reports still name the files (exit 3)
    traces = (select_traces(source, ids, apis, classes, rules, traces=loaded_traces, dialects=dialects)
              if loaded_traces or not unloadable else [])
    if mutants:
        if adapters:
            raise UsageError("--mutants runs the bundled mutants; it takes no --adapter")
        from ..adapters.mutants import specs

        adapters = tuple(specs())
    loaded = []
    names = set()
    for spec in adapters or ("reference",):
        a = load_adapter(spec, timeout=timeout, isolate=isolate, validate_protocol=validate_protocol)
        if a.name in names:
            raise UsageError(f"two adapters are named {a.name!r}; give one a name=... option")
        names.add(a.name)
        loaded.append(a)
    from . import cache
    from .runner import Expectations, Run

    exp = Expectations.load(expectations) if expectations else None
    if cache_clear:
        cache.clear()
    select = _last_failed(loaded, traces, plans, out) if last_failed else None
    run = Run(loaded, traces, plans, expectations=exp, repro_dir=None if no_repro else repro_dir,
              jobs=jobs or (os.cpu_count() or 1), stop_at_first_failure=mutants, maxfail=maxfail,
              select=select, unloadable=unloadable, shard=shard)
    with warnings.catch_warnings():  # an implementation's warnings are not the report
        warnings.simplefilter("ignore")
        records = _collect(run, quiet or json_path == "-" or markdown_path == "-",
                           None if json_path in (None, "-") else json_path)
    if not mutants:
        problem = cache.update_failed(records)
        if problem:
            click.echo(f"kit: {problem}", err=True)
    if json_path == "-":
        _write(json_path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    sys.exit(_report(records, out, mutants=[a.name for a in loaded] if mutants else None, junit_path=junit_path,
                     markdown_path=markdown_path, html_path=html_path, write_expectations=write_expectations,
                     strict_expectations=strict_expectations, nonstrict_fails=nonstrict_fails, repro_dir=repro_dir,
                     written=[p for p in (json_path, junit_path, markdown_path, html_path, write_expectations)
                              if p and p != "-"]))


def _report(records: list[dict[str, Any]], out: Any, *, mutants: list[str] | None = None, junit_path: str | None,
            markdown_path: str | None, html_path: str | None, write_expectations: str | None, strict_expectations: bool,
            nonstrict_fails: bool, written: list[str], repro_dir: str) -> int:
    """Write the reports of a run's records (a run's, or the shards' merged) and say what
    happened on ``out``; the exit status of the run (``mutants``: the mutants' names, whose
    score is the status)."""
    from . import reports
    from .runner import Expectations

    summary = records[-1]
    unloadable = summary.get("unloadable") or []
    for path, fmt in ((junit_path, "junit"), (markdown_path, "markdown"), (html_path, "html")):
        if path:
            _write(path, reports.render(records, fmt))
    if write_expectations:
        _write(write_expectations, json.dumps(Expectations.from_records(records), indent=2) + "\n")
    if mutants is not None:
        status = _mutation_score(records, mutants, out)
        for problem in unloadable:
            click.echo(f"not loaded: {problem['message']}", file=out)
    else:
        click.echo(reports.summary_table(records).rstrip("\n"), file=out)
        status = EXIT_FAILURES if summary["unexpected_failures"] else EXIT_OK
    for e in summary["xpass"]:
        click.echo(f"known failure now passes: {e['adapter']} {e['trace']}: {e['reason']}"
                   + (" (--strict-expectations: remove it)" if strict_expectations else ""), file=out)
        if strict_expectations:
            status = EXIT_FAILURES
    for e in summary["unused_expectations"]:
        click.echo(f"expectation matched no case of this run: {e['adapter']} {e['trace']}", file=out)
    if nonstrict_fails and any(r.get("verdict") == "NONSTRICT" for r in records):
        status = EXIT_FAILURES
    if written:
        click.echo("wrote " + ", ".join(written), file=out)
    repro_files = [r["repro"] for r in records if r.get("type") == "verdict" and r.get("repro")]
    if repro_files:
        click.echo(_repro_line(repro_files, repro_dir), file=out)
    if unloadable:
        status = EXIT_TRACE
    return status


# the options --merge takes (the others choose or run cases, which the shards did)
_MERGE_OPTIONS = {"merge_paths", "json_path", "junit_path", "markdown_path", "html_path", "write_expectations",
                  "strict_expectations", "nonstrict_fails", "quiet"}


def _no_run_options(ctx: click.Context) -> None:
    from click.core import ParameterSource

    for param in ctx.command.params:
        if param.name in _MERGE_OPTIONS or ctx.get_parameter_source(param.name) in (None, ParameterSource.DEFAULT):
            continue
        raise UsageError(f"--merge reads the records the shards wrote; it takes no {param.opts[0]} "
                         f"(give it to each kit verify --shard run)")


def _merged(paths: tuple[str, ...]) -> list[dict[str, Any]]:
    """The records of the run whose shards' --json files are ``paths`` (files, or folders
    whose ``*.jsonl`` files are read)."""
    from pathlib import Path

    from ..errors import TraceError, missing
    from .reports import read_records
    from .runner import merge_shards

    files: list[Path] = []
    for p in paths:
        base = Path(p)
        if base.is_dir():
            found = sorted(f for f in base.rglob("*.jsonl") if f.is_file())
            if not found:
                raise UsageError(f"--merge {p}: no *.jsonl files in this folder")
            files += found
        elif base.is_file():
            files.append(base)
        else:
            raise missing(p)
    shards = []
    for f in dict.fromkeys(files):
        try:
            shards.append((f.as_posix(), read_records(f)))
        except ValueError as exc:
            raise TraceError(str(exc).removeprefix(f"{f}: "), path=f.as_posix()) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise TraceError(f"cannot read: {getattr(exc, 'strerror', None) or exc}", path=f.as_posix()) from None
    return merge_shards(shards)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _repro_line(files: list[str], repro_dir: str) -> str:
    """One line: where this run's repro files are, and the command that replays them all."""
    folders = sorted({os.path.dirname(f) for f in files})
    where = folders[0] if len(folders) == 1 else repro_dir.rstrip("/")
    return (f"repro files: {where}/ ({_plural(len(files), 'file')} written; "
            f"kit verify --repro {where} replays them)")


def _last_failed(adapters: list[Any], traces: list[Any], plans: list[str], out: Any) -> Any:
    """The case filter of --last-failed, or None (run everything) when no selected case
    failed last time; either way one line says what was chosen."""
    from .cache import CACHE_FILE, read_failed

    failed, problem = read_failed()
    if problem:
        click.echo(f"kit: {problem}", err=True)
    cases = [(a.name, t.api, t.id, "events" if a.capabilities.feed == "events" else c)
             for t in traces for a in adapters
             for c in (plans[:1] if a.capabilities.feed == "events" else plans)]
    again = [k for k in cases if k in failed]
    if not again:
        click.echo(f"last failed: no selected case failed in the last run ({CACHE_FILE}); "
                   f"running all {_plural(len(cases), 'case')}", file=out)
        return None
    click.echo(f"last failed: re-running {_plural(len(again), 'case')} that failed in the last run "
               f"({len(cases) - len(again)} deselected)", file=out)
    chosen = set(again)
    return lambda adapter, api, trace, chunking: (adapter, api, trace, chunking) in chosen


def _collect(run: Any, quiet: bool, json_path: str | None = None) -> list[dict[str, Any]]:
    """Every record of the run. With ``json_path``, each record is also written to
    ``json_path.tmp`` as it arrives (so a long run can be followed, as ``kit matrix`` does),
    and the file is renamed to ``json_path`` at the end."""
    show = not quiet and sys.stderr.isatty() and run.total >= 50
    out: list[dict[str, Any]] = []
    tmp = f"{json_path}.tmp" if json_path else None
    try:
        f = open(tmp, "w", encoding="utf-8") if tmp else None  # noqa: SIM115 - closed below
    except OSError as exc:
        raise UsageError(f"{json_path}: cannot write: {exc.strerror}") from None
    try:
        def keep(records: Any) -> None:
            for r in records:
                out.append(r)
                if f is not None:
                    f.write(json.dumps(r, ensure_ascii=False) + "\n")
                    f.flush()

        if not show:
            keep(run.records())
        else:
            with click.progressbar(length=run.total, label="verifying", file=sys.stderr, show_pos=True,
                                   item_show_func=lambda _: None) as bar:
                keep(run.records(progress=bar.update))
    finally:
        if f is not None:
            f.close()
    if tmp and json_path:
        try:
            os.replace(tmp, json_path)
        except OSError as exc:
            raise UsageError(f"{json_path}: cannot write: {exc.strerror}") from None
    return out


def _mutation_score(records: list[dict[str, Any]], names: list[str], out: Any) -> int:
    """Killed = some case of the mutant is not PASS/INFO/SKIP."""
    first: dict[str, dict[str, Any]] = {}
    ran: set[str] = set()
    for r in records:
        if r.get("type") != "verdict":
            continue
        if r["verdict"] not in ("SKIP",):
            ran.add(r["adapter"])
        if r["verdict"] in ("FAIL", "ERROR", "TIMEOUT", "NONSTRICT") and r["adapter"] not in first:
            first[r["adapter"]] = r
    live = [n for n in names if n in ran]
    killed = [n for n in live if n in first]
    width = max((len(n) for n in live), default=10)
    for n in live:
        r = first.get(n)
        where = (f"killed by {r['api']}/{r['trace']} [{r['chunking']}]: {r['verdict']} {r['rule'] or ''}"
                 if r else "SURVIVED")
        click.echo(f"{n:<{width}}  {where}", file=out)
    score = len(killed) / len(live) if live else 0.0
    click.echo(f"mutation score: {len(killed)}/{len(live)} killed ({score:.0%})", file=out)
    return EXIT_OK if live and len(killed) == len(live) else EXIT_FAILURES


def _replay_repros(path: str, timeout: float, isolate: bool, validate_protocol: bool) -> int:
    """Replay one repro file, or every ``*.json`` file under a folder (sorted). The exit
    status is 1 when one still fails; when one cannot be replayed (not a repro file, its
    adapter cannot be loaded) the others still run, and the status is that error's."""
    from pathlib import Path

    from ..adapters import load_adapter
    from ..errors import KitError

    base = Path(path)
    if base.is_dir():
        files = sorted(p for p in base.rglob("*.json") if p.is_file())
        if not files:
            raise UsageError(f"--repro {path}: no repro files (*.json) in this folder")
    else:
        files = [base]
    adapters: dict[str, Any] = {}
    status, failing, bad = EXIT_OK, 0, 0
    error_status = EXIT_OK
    try:
        for n, file in enumerate(files):
            if n:
                click.echo()
            try:
                still = _replay_repro(file.as_posix(), adapters, lambda spec: load_adapter(
                    spec, timeout=timeout, isolate=isolate, validate_protocol=validate_protocol))
            except KitError as exc:
                if len(files) == 1:
                    raise
                click.echo(f"kit: {exc.one_line()}", err=True)
                bad += 1
                error_status = max(error_status, exc.exit_code)
                continue
            failing += still
    finally:
        for a in adapters.values():
            a.close()
    if len(files) > 1:
        click.echo(f"\n{_plural(len(files), 'repro file')}: {failing} still failing"
                   + (f", {bad} not replayed" if bad else ""))
    if bad:
        status = error_status
    elif failing:
        status = EXIT_FAILURES
    return status


def _replay_repro(path: str, adapters: dict[str, Any], load: Any) -> bool:
    """Replay one repro file (its adapter is loaded once per spec into ``adapters``);
    True when it still fails."""
    from .engine import FAILING, verify_case
    from .format import format_verdict
    from .runner import load_repro

    doc, trace = load_repro(path)
    spec = doc.get("adapter")
    if not isinstance(spec, str):
        raise UsageError(f"{path}: the repro file names no adapter spec")
    if spec not in adapters:
        adapters[spec] = load(spec)
    adapter = adapters[spec]
    chunking = doc.get("chunking") or "recorded"
    if chunking == "events":
        chunking = "recorded"
    rec = verify_case(adapter, trace, chunking)
    before = doc.get("verdict") or {}
    click.echo(f"repro: {adapter.name} on {trace.api}/{trace.id} [{rec['chunking']}]")
    click.echo(f"  recorded: {before.get('verdict')} {before.get('rule') or ''} {before.get('message', '')}".rstrip())
    click.echo(f"  now:      {rec['verdict']} {rec['rule'] or ''} {rec['message']}".rstrip())
    # the details as every other place shows a verdict (pytest, assert_conforms, JUnit)
    click.echo("\n".join(format_verdict(rec).splitlines()[2:-1]))
    click.echo(f"  the reference on the same reads: kit replay {path} --chunking {chunking}")
    return rec["verdict"] in FAILING
