"""The ``kit dialects`` command: the dialect registry (:mod:`kit.dialects`) and the traces that carry it."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

DIALECTS_EXIT_CODES = """\b
Exit codes:
  0  listed
  2  usage error (an unknown dialect id)
  3  a trace could not be loaded (missing, not JSON, against its schema, an unknown dialect id)
"""


def _carriers(folders: tuple[str, ...]) -> list[tuple[str, Any]]:
    """(where, trace) for every trace of the bundled corpus and of ``folders``, each file once;
    ``where`` is ``bundled`` or the folder as given."""
    from .trace import corpus  # noqa: PLC0415

    seen: set[Path] = set()
    out: list[tuple[str, Any]] = []
    for where, root in [("bundled", None), *((f, f) for f in folders)]:
        for t in corpus(root):
            key = Path(t.path).resolve() if t.path else Path(where, t.api, t.id)
            if key in seen:
                continue
            seen.add(key)
            out.append((where, t))
    return out


def _existing(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> tuple[str, ...]:
    """Folders the command reads: a missing one is the same error as in every command (exit 3)."""
    from .errors import missing  # noqa: PLC0415

    for v in value:
        if not Path(v).exists():
            raise missing(v)
    return value


def _trace_ref(where: str, trace: Any) -> dict[str, Any]:
    ref = {"trace": trace.name, "class": trace.cls}
    if where != "bundled":
        ref["folder"] = where
    return ref


@click.command(epilog=DIALECTS_EXIT_CODES, context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("folders", nargs=-1, callback=_existing)
@click.option("--id", "ident", metavar="ID", help="Only this dialect.")
@click.option("--json", "as_json", is_flag=True, help="One JSON document: every entry with its traces, and counts.")
def dialects(folders: tuple[str, ...], ident: str | None, as_json: bool) -> None:
    """List the registered dialects: how compatible servers depart from the providers' contract.

    A trace with no `dialect` field is the provider's documented contract; one with a
    `dialect` names an entry of this registry (kit/dialects.py): who sends it, how it
    departs from the contract, the evidence, the rules it exercises. Each entry is listed
    with the traces that carry it, from the bundled corpus and from any trace FOLDERS
    (or files) given. A crash or a clean refusal on a dialect trace is a dialect
    incompatibility, reported apart from contract failures (conformance.md §3).

    \b
    Examples:
      kit dialects                          the registry and the bundled traces of each
      kit dialects --id tool-calls-index-zero
      kit dialects my-traces/ --json        with your own trace folder, as JSON
    """
    from .dialects import DIALECTS, DIALECTS_BY_ID  # noqa: PLC0415
    from .errors import UsageError  # noqa: PLC0415

    if ident is not None and ident not in DIALECTS_BY_ID:
        raise UsageError(f"unknown dialect id {ident!r}; `kit dialects` lists them")
    traces = _carriers(folders)
    by_dialect: dict[str, list[tuple[str, Any]]] = {}
    for where, t in traces:
        if t.dialect:
            by_dialect.setdefault(t.dialect, []).append((where, t))
    entries = [d for d in DIALECTS if ident is None or d.id == ident]
    graded = [t for _, t in traces if t.cls == "y"]
    counts = {"dialects": len(DIALECTS), "traces": len(traces), "y_traces": len(graded),
              "y_dialect": sum(1 for t in graded if t.dialect), "y_contract": sum(1 for t in graded if not t.dialect)}
    if as_json:
        doc = {"type": "dialects", "counts": counts,
               "dialects": [{**d.to_json(), "traces": [_trace_ref(w, t) for w, t in by_dialect.get(d.id, [])]}
                            for d in entries]}
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
        return
    for d in entries:
        carriers = by_dialect.get(d.id, [])
        click.echo(f"{d.id}  ({len(carriers)} trace{'s' if len(carriers) != 1 else ''})")
        click.echo(f"  providers: {'; '.join(d.providers)}")
        click.echo(f"  deviation: {d.deviation}")
        click.echo(f"  rules:     {', '.join(d.rules)}")
        names = [t.name + ("" if w == "bundled" else f" ({w})") for w, t in carriers]
        click.echo(f"  traces:    {', '.join(names) if names else '-'}")
        for i, link in enumerate(d.evidence):
            click.echo(f"  {'evidence:' if i == 0 else '':9s}  {link}")
        click.echo("")
    if ident is None:
        click.echo(f"{counts['dialects']} dialects; of {counts['y_traces']} y_ traces, {counts['y_dialect']} carry a "
                   f"dialect and {counts['y_contract']} are the provider's contract")
    sys.stdout.flush()
