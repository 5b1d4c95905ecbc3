"""The ``kit matrix`` command group (the work is in :mod:`kit.matrix`)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from ._options import shard as _shard

MATRIX_EXIT_CODES = """\b
Exit codes:
  0  done
  1  an adapter did not run (its error is printed; its previous results are kept),
     or with report --check: docs/compatibility.* differ from what the results generate
  2  usage error (unknown environment or adapter, not in a clone, pip or npm failed)
  3  a results folder or file could not be loaded (missing, not JSON lines)
"""


def _root(value: str | None) -> Path:
    from .matrix import find_root  # noqa: PLC0415

    return find_root(value)


def _existing(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A folder or file the option reads: missing is the same error as in every command (exit 3)."""
    if value is not None and not Path(value).exists():
        from .errors import missing  # noqa: PLC0415

        raise missing(value)
    return value


def _sharded(chosen: list, shard: tuple[int, int] | None, envs: list) -> tuple[list, list]:
    """The adapters of the shard and the environments they need (all of them without a shard)."""
    from .matrix import shard as deal  # noqa: PLC0415

    if shard is None:
        return chosen, envs
    mine = deal(chosen, *shard)
    needed = {a.env for a in mine}
    _echo(f"shard {shard[0]}/{shard[1]}: {len(mine)} of {len(chosen)} adapters"
          + (f" ({', '.join(a.name for a in mine)})" if mine else ""))
    return mine, [e for e in envs if e.name in needed]


def _echo(line: str) -> None:
    click.echo(line, err=True)


@click.group(invoke_without_command=True, epilog=MATRIX_EXIT_CODES,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--root", metavar="DIR", help="The toolstream-kit clone (default: found from the current folder).")
@click.option("--envs-dir", metavar="DIR", help="Where the environments live (default: <root>/.kit/matrix/envs).")
@click.option("--jobs", "-j", default=2, show_default=True, metavar="N", help="Adapters run at the same time.")
@click.pass_context
def matrix(ctx: click.Context, root: str | None, envs_dir: str | None, jobs: int) -> None:
    """The compatibility matrix of third-party LLM clients: build, run, report.

    With no subcommand: build every environment (only what changed), run every adapter,
    and regenerate docs/compatibility.md and docs/compatibility.html. Needs a clone of
    toolstream-kit and the package registry (to build the environments); no provider
    network is used.

    \b
    Examples:
      kit matrix                         everything
      kit matrix build litellm           one environment (pins from matrix/envs/litellm.txt)
      kit matrix build --upgrade litellm re-resolve and rewrite its pins
      kit matrix run -a litellm-chat     one adapter; then: kit matrix report
      kit matrix report --check          are the docs what the results generate?

    \b
    Sharded over machines (e.g. a CI job matrix; README, "Sharding"):
      kit matrix build --shard 2/4 && kit matrix run --shard 2/4 --results out/
      then copy every shard's out/*.jsonl into matrix/results/ and: kit matrix report
    """
    ctx.obj = {"root": root, "envs_dir": envs_dir, "jobs": jobs}
    if ctx.invoked_subcommand is None:
        ctx.invoke(build)
        ctx.invoke(run)
        ctx.invoke(report)


def _envs(ctx: click.Context) -> tuple[Path, dict]:
    from .matrix import load_envs  # noqa: PLC0415

    obj = ctx.obj or {}
    root = _root(obj.get("root"))
    envs_dir = Path(obj["envs_dir"]).resolve() if obj.get("envs_dir") else None
    return root, load_envs(root, envs_dir)


@matrix.command()
@click.argument("envs", nargs=-1)
@click.option("--adapter", "-a", "adapters", multiple=True, metavar="NAME", help="The environments of these adapters.")
@click.option("--upgrade", is_flag=True, help="Resolve the requirements afresh and rewrite matrix/envs/<env>.txt.")
@click.option("--rebuild", is_flag=True, help="Delete and recreate the environments.")
@click.option("--shard", metavar="I/N", callback=_shard,
              help="Only the environments the adapters of kit matrix run --shard I/N need.")
@click.pass_context
def build(ctx: click.Context, envs: tuple[str, ...] = (), adapters: tuple[str, ...] = (), upgrade: bool = False,
          rebuild: bool = False, shard: tuple[int, int] | None = None) -> None:
    """Create or update the environments (default: all), pinned by matrix/envs/<env>.txt.

    A Node environment (matrix/envs/<env>/package.json) is built with npm ci from its
    committed package-lock.json; without node or npm on PATH it is skipped, with that reason.
    """
    from .matrix import build_env, select  # noqa: PLC0415

    root, defined = _envs(ctx)
    chosen, picked = select(defined, envs, adapters)
    _, chosen = _sharded(picked, shard, chosen)
    _echo(f"kit matrix build: {len(chosen)} environments in {chosen[0].dir.parent if chosen else '-'}")
    for n, env in enumerate(chosen, 1):
        t0 = time.perf_counter()
        did = build_env(env, root, upgrade=upgrade, rebuild=rebuild, echo=_echo)
        _echo(f"[{n}/{len(chosen)}] {env.name}: {did} ({time.perf_counter() - t0:.0f}s)")


@matrix.command()
@click.argument("envs", nargs=-1)
@click.option("--adapter", "-a", "adapters", multiple=True, metavar="NAME", help="Only these adapters.")
@click.option("--timeout", default=10.0, show_default=True, metavar="SECONDS", type=float, help="Per case.")
@click.option("--chunking", default="recorded,event,bytewise", show_default=True, metavar="PLANS",
              help="The chunk plans (as kit verify takes them).")
@click.option("--results", "results_dir", metavar="DIR", help="Where results go (default: <root>/matrix/results).")
@click.option("--traces", metavar="DIR", callback=_existing, help="Another folder of traces than the bundled corpus (e.g. imported real "
              "recordings; use with --results elsewhere, then kit matrix gaps).")
@click.option("--shard", metavar="I/N", callback=_shard,
              help="Only the I-th of N parts of the adapters (dealt round-robin in registry order, the same on every "
                   "machine); copy the shards' results files together, then kit matrix report.")
@click.pass_context
def run(ctx: click.Context, envs: tuple[str, ...] = (), adapters: tuple[str, ...] = (), timeout: float = 10.0,
        chunking: str = "recorded,event,bytewise", results_dir: str | None = None, traces: str | None = None,
        shard: tuple[int, int] | None = None) -> None:
    """Run kit verify for every adapter (default: all) in its environment; write its results."""
    from .matrix import run_matrix, select  # noqa: PLC0415

    root, defined = _envs(ctx)
    chosen_envs, chosen = select(defined, envs, adapters)
    chosen, chosen_envs = _sharded(chosen, shard, chosen_envs)
    jobs = (ctx.obj or {}).get("jobs") or 2
    _echo(f"kit matrix run: {len(chosen)} adapters in {len(chosen_envs)} environments, {jobs} at a time")
    failed, seconds = run_matrix(chosen_envs, chosen, root, jobs=jobs, timeout=timeout, chunking=chunking,
                                 results_dir=Path(results_dir).resolve() if results_dir else None, echo=_echo,
                                 tty=sys.stderr.isatty(), traces=traces)
    _echo(f"kit matrix run: {len(chosen) - len(failed)}/{len(chosen)} adapters ran in {seconds:.0f}s")
    if failed:
        _echo(f"did not run: {', '.join(failed)}")
        ctx.exit(1)


@matrix.command()
@click.option("--check", is_flag=True, help="Exit 1 when docs/compatibility.* are not what the results generate.")
@click.option("--results", "results_dir", metavar="DIR", callback=_existing,
              help="Results to read (default: <root>/matrix/results).")
@click.pass_context
def report(ctx: click.Context, check: bool = False, results_dir: str | None = None) -> None:
    """Generate docs/compatibility.md and docs/compatibility.html from the results."""
    from .matrix import write_report  # noqa: PLC0415

    root = _root((ctx.obj or {}).get("root"))
    changed = write_report(root, Path(results_dir).resolve() if results_dir else None, check=check)
    if check:
        if changed:
            _echo(f"out of date: {', '.join(changed)} (run kit matrix report)")
            ctx.exit(1)
        _echo("docs/compatibility.md and docs/compatibility.html match the results")
        return
    _echo(f"wrote {', '.join(changed)}" if changed else "docs/compatibility.* already up to date")


@matrix.command()
@click.argument("other", metavar="RESULTS_DIR", callback=_existing)
@click.option("--json", "as_json", is_flag=True, help="One JSON line per gap.")
@click.pass_context
def gaps(ctx: click.Context, other: str, as_json: bool) -> None:
    """What the corpus misses: failures in RESULTS_DIR (kit matrix run --traces ... --results
    RESULTS_DIR, e.g. on real recordings) of a kind no failure of the same adapter on the
    corpus shows. Each is a case to author into the corpus. Exit 1 when there are any."""
    import json  # noqa: PLC0415

    from .matrix import gaps as find_gaps  # noqa: PLC0415
    from .matrix import load_results  # noqa: PLC0415

    root = _root((ctx.obj or {}).get("root"))
    found = find_gaps(load_results(root, Path(other).resolve()), load_results(root))
    for g in found:
        if as_json:
            click.echo(json.dumps(g))
        else:
            click.echo(f"{g['adapter']}: {', '.join(g['traces'])}: {g['example']} (rule {g['rule']})")
    _echo(f"{len(found)} kinds of failure on those traces that the corpus does not show")
    ctx.exit(1 if found else 0)
