"""The ``kit`` command line.

Exit codes (also in ``kit --help`` and README):

  0  success: the stream replayed cleanly / every trace behaved as its class says /
     no error-severity diagnostics
  1  findings: ``replay`` of a stream with error diagnostics (truncated, in-band error,
     invalid arguments); ``replay --all`` with a trace that did not behave as its class
     says (a ``y_`` trace with errors, an ``n_`` trace without); ``lint`` with errors
  2  usage error (bad option, unknown chunk plan, unknown API, no such trace id, --api
     naming another API than the trace's, an output file that cannot be written)
  3  an input file could not be loaded: missing, unreadable, not JSON, against its schema
     (the message names the file and JSON pointer; the same words in every command)
  4  the stream broke the reference in a way it cannot go on from
  5  a secret survived redaction (``record``, ``import``, ``promote``): nothing written
  70 internal error in the kit (a bug: please report it; KIT_DEBUG=1 shows the traceback)
"""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from . import __version__
from ._options import api_option
from .errors import KitError, UsageError

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_TRACE, EXIT_STREAM, EXIT_INTERNAL = 0, 1, 2, 3, 4, 70

EXIT_CODES_HELP = """\b
Exit codes:
  0   success
  1   findings (stream errors, a trace not behaving as its class, lint errors)
  2   usage error
  3   an input file could not be loaded (missing, not JSON, against its schema)
  4   the stream broke the reference
  5   a secret survived redaction: nothing written
  70  internal error (a bug in the kit; KIT_DEBUG=1 shows the traceback)
"""

class KitGroup(click.Group):
    """Turns every KitError into one line and its exit code; never a traceback.

    Commands added with :meth:`add_lazy_command` are imported on first use, so a command
    costs only its own imports (``kit replay`` does not load ``kit record``'s HTTP server
    or ``kit verify``'s engine); ``kit --help`` shows their summaries without importing them.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands: dict[str, tuple[str, str, str]] = {}

    def add_lazy_command(self, name: str, target: str, summary: str) -> None:
        """Register the command ``name`` found at ``target`` (``"module:attribute"``, the
        module relative to this package) without importing it. ``summary`` is the first
        paragraph of its help, shown by ``kit --help`` (a test keeps the two the same)."""
        module, _, attr = target.partition(":")
        self.lazy_commands[name] = (module, attr, " ".join(summary.split()))

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy_commands:
            import importlib  # noqa: PLC0415

            module, attr, _ = self.lazy_commands[cmd_name]
            self.add_command(getattr(importlib.import_module(module, __package__), attr), cmd_name)
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list of ``--help``, without importing the lazy commands."""
        rows: list[tuple[str, click.Command]] = []
        for name in self.list_commands(ctx):
            cmd = self.commands.get(name)
            if cmd is None:
                cmd = click.Command(name, help=self.lazy_commands[name][2])
            if not cmd.hidden:
                rows.append((name, cmd))
        if rows:
            # each description whole (its first sentence), wrapped, never cut off with "..."
            with formatter.section("Commands"):
                formatter.write_dl([(name, cmd.get_short_help_str(sys.maxsize)) for name, cmd in rows])

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # `kit` alone shows the help and succeeds (click's own behaviour is exit code 2)
        if not args and self.no_args_is_help and not ctx.resilient_parsing:
            click.echo(ctx.get_help(), color=ctx.color)
            ctx.exit(EXIT_OK)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        for stream in (sys.stdout, sys.stderr):
            # text from a stream can hold a lone surrogate (JSON spells one as "\ud800") that
            # UTF-8 cannot encode: it is written as that escape instead of failing the command
            if isinstance(stream, io.TextIOWrapper) and stream.errors in ("strict", "surrogateescape"):
                stream.reconfigure(errors="backslashreplace")
        try:
            return super().invoke(ctx)
        except KitError as exc:
            click.echo(f"kit: {exc.one_line()}", err=True)
            ctx.exit(exc.exit_code)
        except BrokenPipeError:
            # the reader went away (kit replay ... | head): not an error
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            ctx.exit(EXIT_OK)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except Exception as exc:  # a bug in the kit
            if os.environ.get("KIT_DEBUG"):
                raise
            msg = " ".join(f"{type(exc).__name__}: {exc}".split())
            click.echo(f"kit: internal error: {msg}; please report it (KIT_DEBUG=1 shows the traceback)", err=True)
            ctx.exit(EXIT_INTERNAL)


@click.group(cls=KitGroup, epilog=EXIT_CODES_HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="toolstream-kit")
def main() -> None:
    """toolstream-kit: replay streamed LLM responses with tool calls through a reference
    accumulator, and check implementations against it.

    Quick look: `kit verify` grades the bundled reference over the bundled corpus;
    `kit verify --adapter py:mypkg.stream:handle` grades your implementation instead.
    """


# The other commands live in their own modules, imported only when the command runs (or
# its own --help is asked for). Each summary is the first paragraph of the command's help.
main.add_lazy_command(
    "verify", ".verify.command:verify",
    "Grade implementations against the reference, trace by trace, chunk plan by chunk plan.")
main.add_lazy_command(
    "promote", ".promote:promote",
    "Add the trace FILE (a promoted counterexample from .kit/promoted/, a repro file, or any "
    "trace file) to the corpus folder DIR under a fresh stable id, and print the new file's path.")
main.add_lazy_command(
    "import", ".importers:import_command",
    "Convert recordings into trace files in DIR, one per streaming interaction: VCR cassettes "
    "(vcrpy YAML or JSON, pytest-recording's cassettes/ folders), HAR files and raw .sse bodies, "
    "or folders of them.")
main.add_lazy_command(
    "serve", ".serve_command:serve",
    "Serve traces to real clients: a replay server that speaks all four wire APIs.")
main.add_lazy_command(
    "record", ".record:record",
    "Record one real streaming response as a trace file (or, with --proxy, every streamed "
    "response of any client pointed at a local proxy).")
main.add_lazy_command(
    "matrix", ".matrix_command:matrix",
    "The compatibility matrix of third-party LLM clients: build, run, report.")
main.add_lazy_command(
    "dialects", ".dialects_command:dialects",
    "List the registered dialects: how compatible servers depart from the providers' contract.")


# -- replay ----------------------------------------------------------------------------------


def _chunking(ctx, param, value):
    from .trace import parse_chunking

    try:
        return parse_chunking(value)
    except UsageError as exc:
        raise click.BadParameter(str(exc)) from None


@main.command(epilog=EXIT_CODES_HELP)
@click.argument("trace", required=False)
@click.option("--all", "all_", is_flag=True, help="Replay every trace in TRACE (a folder; default: the bundled corpus).")
@api_option(help="Wire API of a raw .sse body (detected from the content when omitted); for a trace file, a "
                "repro file or a bundled id, the API it must be (another is a usage error); with --all, only "
                "traces of this API")
@click.option("--chunking", default="recorded", show_default=True, callback=_chunking, metavar="PLAN",
              help="How to cut the body into reads: recorded, event, bytewise, fixed:N, random:SEED, whole "
                   "(recorded on a raw .sse body, which has no recorded reads: event).")
@click.option("--profile", type=click.Choice(["lenient", "strict"]), default="lenient", show_default=True,
              help="lenient tolerates real-world dialects (warnings); strict reports them as errors.")
@click.option("--json", "as_json", is_flag=True, help="Print the Plan document (with --all: one JSON line per trace).")
@click.option("--quiet", "-q", is_flag=True, help="With --all: print only traces that did not behave as their class says.")
def replay(trace: str | None, all_: bool, api: str | None, chunking: str, profile: str, as_json: bool, quiet: bool) -> None:
    """Replay TRACE through the reference and show what happened.

    TRACE is a trace file (.json), a raw SSE body (.sse, with --api or detected), or the
    id of a bundled trace (e.g. y_text_then_tool_call). Without --json it prints a
    timeline (each SSE event and the output events it caused), the final Plan and the
    diagnostics.
    """
    from .replay import replay as run

    if all_:
        sys.exit(_replay_all(trace, api, chunking, profile, as_json, quiet))
    if trace is None:
        raise UsageError("give a TRACE (file or bundled trace id), or --all")
    t = _load(trace, api)
    result = run(t, chunking=chunking, profile=profile, timeline=not as_json)
    if as_json:
        from .plan import canonical_json

        click.echo(canonical_json(result.plan, indent=2))
    else:
        from .report import timeline

        click.echo(timeline(t, result))
    sys.exit(EXIT_FINDINGS if result.errors else EXIT_OK)


def _load(ident: str, api: str | None):
    from .trace import find, load

    p = Path(ident)
    if p.suffix == ".json" and p.is_file() and _is_repro(p):
        from .verify.runner import load_repro

        trace = load_repro(ident)[1]
        if api is not None and api != trace.api:
            raise UsageError(f"{ident}: the trace is {trace.api}, not {api}")
        return trace
    if p.exists() or p.suffix in (".json", ".sse") or os.sep in ident:
        trace = load(p, api=api)  # a trace file of another API than --api: a usage error
        if api is None and p.suffix != ".json":
            click.echo(f"kit: {ident}: no --api given; detected {trace.api} from the content", err=True)
        return trace
    return find(ident, api=api)


def _is_repro(p: Path) -> bool:
    """A ``kit verify`` repro file (its trace is embedded) rather than a trace."""
    try:
        with open(p, "rb") as f:
            head = f.read(200)
    except OSError:
        return False
    return b'"kit-repro/1"' in head


def _replay_all(folder: str | None, api: str | None, chunking: str, profile: str, as_json: bool, quiet: bool) -> int:
    from .plan import canonical_json
    from .replay import replay as run
    from .report import class_verdict, summary_line
    from .trace import corpus

    traces = corpus(folder, api=api)
    if not traces:
        raise UsageError(f"no traces in {folder or 'the bundled corpus'}")
    bad = 0
    counts = {"y": 0, "n": 0, "i": 0}
    for t in traces:
        result = run(t, chunking=chunking, profile=profile)
        ok, why = class_verdict(t, result)
        counts[t.cls] += 1
        bad += not ok
        if as_json:
            click.echo(canonical_json({"trace": t.name, "class": t.cls, "ok": ok, "plan": result.plan,
                                       "diagnostics": [d.to_json() for d in result.diagnostics]}))
        elif not quiet or not ok:
            click.echo(summary_line(t, result, ok, why))
    if not as_json:
        total = len(traces)
        click.echo(f"{total} traces ({counts['y']} y, {counts['n']} n, {counts['i']} i), chunking {chunking}, "
                   f"profile {profile}: {total - bad} as their class says, {bad} not")
    return EXIT_FINDINGS if bad else EXIT_OK


# -- lint ------------------------------------------------------------------------------------


@main.command(epilog=EXIT_CODES_HELP)
@click.argument("traces", nargs=-1, required=True)
@api_option(help="Wire API of raw .sse bodies (detected when omitted); for trace files, repro files and "
                "bundled ids, the API they must be (another is a usage error)")
@click.option("--profile", type=click.Choice(["lenient", "strict"]), default="strict", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON line per diagnostic.")
def lint(traces: tuple[str, ...], api: str | None, profile: str, as_json: bool) -> None:
    """List where each TRACE departs from the documented contract, with rule ids.

    Exits 1 when any diagnostic is an error under the profile (strict by default: every
    dialect deviation is an error).
    """
    from .replay import replay as run

    errors = 0
    for ident in traces:
        t = _load(ident, api)
        result = run(t, chunking="whole", profile=profile)
        for d in result.diagnostics:
            errors += d.severity == "error"
            if as_json:
                click.echo(json.dumps({"trace": t.path or t.name, **d.to_json()}, ensure_ascii=False))
            else:
                click.echo(f"{t.path or t.name}: {d}")
        if not as_json and not result.diagnostics:
            click.echo(f"{t.path or t.name}: no deviations")
    sys.exit(EXIT_FINDINGS if errors else EXIT_OK)


# -- docs -------------------------------------------------------------------------------------


@main.command()
@click.option("--check", is_flag=True, help="Exit 1 if conformance.md is not what the code generates.")
@click.option("--file", "path", default="conformance.md", show_default=True, type=click.Path(dir_okay=False))
def docs(check: bool, path: str) -> None:
    """Regenerate the generated parts of conformance.md (rule table, state diagrams, rule-to-mutant table)."""
    from .docs import render
    from .errors import missing

    p = Path(path)
    if not p.is_file():
        raise missing(path, hint="run this from the repository's top level")
    old = p.read_text(encoding="utf-8")
    new = render(old)
    if check:
        if new != old:
            click.echo(f"{path} is out of date: run `kit docs`", err=True)
            sys.exit(EXIT_FINDINGS)
        click.echo(f"{path} is up to date")
        return
    if new != old:
        p.write_text(new, encoding="utf-8")
        click.echo(f"{path} regenerated")
    else:
        click.echo(f"{path} already up to date")


if __name__ == "__main__":  # pragma: no cover
    main()
