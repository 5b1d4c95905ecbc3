"""``kit promote FILE --to traces/<api>/``: add a trace (a promoted counterexample, or any
trace file) to a corpus folder under a fresh, stable id.

The new id is ``<class>_<slug>``: the slug from ``--name``, else ``promoted_<content hash>``
(unique in the folder). The trace is validated against ``schemas/trace.schema.json`` and
the rule catalogue, must behave as its class says (a ``y`` trace replays without error
diagnostics, an ``n`` trace with one), keeps its provenance, and is written atomically to
``<folder>/<id>.json``; an existing file is never overwritten. The command prints the new
path.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import click

from ._options import api_option
from .errors import KitError, UsageError, unwritable

__all__ = ["promote", "promote_file", "new_id"]

_SLUG = re.compile(r"[^a-z0-9]+")
_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


def _slug(text: str) -> str:
    return _SLUG.sub("_", text.lower()).strip("_")[:80].strip("_")


def _ids_in(folder: Path) -> set[str]:
    """The ids already used in ``folder``: file stems, and the ``id`` of each trace file."""
    ids: set[str] = set()
    for p in folder.iterdir() if folder.is_dir() else ():
        if p.suffix not in (".json", ".sse"):
            continue
        ids.add(p.stem)
        if p.suffix == ".json":
            try:
                doc = json.loads(p.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if isinstance(doc, dict) and isinstance(doc.get("id"), str):
                ids.add(doc["id"])
    return ids


def new_id(trace: Any, folder: Path, name: str | None = None) -> str:
    """A fresh id ``<class>_<slug>`` for ``trace`` in ``folder``.

    With ``name``, the slug is ``name`` lowercased, runs of other characters as ``_`` (a
    leading ``y_`` / ``n_`` / ``i_`` must be the trace's class); an id already used in the
    folder is an error. Without, ``promoted_<first 12 hex digits of the content hash>``,
    with ``_2``, ``_3``... appended in the unlikely case that one is taken."""
    used = _ids_in(folder)
    if name is not None:
        slug = _slug(name)
        if slug[:2] in ("y_", "n_", "i_"):
            if slug[0] != trace.cls:
                raise UsageError(f"--name {name!r} starts with class {slug[0]}_ but the trace is class "
                                 f"{trace.cls} ({trace.cls}_...)")
            slug = slug[2:]
        if not slug:
            raise UsageError(f"--name {name!r} has no letters or digits to make an id from")
        tid = f"{trace.cls}_{slug}"
        if tid in used:
            raise UsageError(f"{folder.as_posix()} already has a trace {tid!r}; choose another --name")
        return tid
    digest = hashlib.sha256(trace.api.encode() + b"\0" + trace.body).hexdigest()[:12]
    base = f"{trace.cls}_promoted_{digest}"
    tid, n = base, 1
    while tid in used:
        n += 1
        tid = f"{base}_{n}"
    return tid


def _same_body_in(folder: Path, trace: Any) -> str | None:
    """The id of a trace in ``folder`` with the same API and body, if there is one."""
    from .trace import load  # noqa: PLC0415

    for p in sorted(folder.glob("*.json")) if folder.is_dir() else ():
        try:
            other = load(p)
        except KitError:
            continue
        if other.api == trace.api and other.body == trace.body:
            return other.id
    return None


def _load(path: str, api: str | None) -> Any:
    from .trace import load  # noqa: PLC0415

    p = Path(path)
    if p.suffix == ".json" and p.is_file():
        try:
            with open(p, "rb") as f:
                head = f.read(200)
        except OSError:
            head = b""
        if b'"kit-repro/1"' in head:  # a kit verify repro file: its trace is embedded
            from .trace import _api_name  # noqa: PLC0415
            from .verify.runner import load_repro  # noqa: PLC0415

            trace = load_repro(path)[1]
            if api is not None and _api_name(api) != trace.api:
                raise UsageError(f"{path}: the trace is {trace.api}, not {_api_name(api)}")
            return trace
    return load(p, api=api)


def _write_new(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically; never replace an existing file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise unwritable(path.as_posix(), exc) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, path)  # atomic, and fails if the name exists
        except FileExistsError:
            raise UsageError(f"{path.as_posix()} already exists; refusing to overwrite it") from None
        except OSError:  # no hard links here: exclusive create, then the content
            try:
                with open(path, "x", encoding="utf-8") as f:
                    f.write(text)
            except FileExistsError:
                raise UsageError(f"{path.as_posix()} already exists; refusing to overwrite it") from None
            except OSError as exc:
                raise unwritable(path.as_posix(), exc) from None
    except OSError as exc:  # writing the temporary file
        raise unwritable(path.as_posix(), exc) from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def promote_file(source: str, to: str, *, name: str | None = None, description: str | None = None,
                 api: str | None = None) -> Path:
    """Add the trace in ``source`` to the corpus folder ``to``; returns the new file's path."""
    from .trace import APIS, from_json  # noqa: PLC0415

    trace = _load(source, api)
    folder = Path(to)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"--to {to}: not a folder")
    if folder.name in APIS and folder.name != trace.api:
        raise UsageError(f"{source}: the trace is {trace.api}; {to} is the folder of {folder.name}")
    if trace.cls not in ("y", "n", "i"):  # pragma: no cover - the schema says so
        raise UsageError(f"{source}: unknown class {trace.cls!r}")
    _check_class(trace, source)
    same = _same_body_in(folder, trace)
    if same is not None:
        raise UsageError(f"{source}: {to} already has this trace, as {same!r}")
    tid = new_id(trace, folder, name)
    if not _ID.match(tid):  # pragma: no cover - slugs are made to match
        raise UsageError(f"{tid!r} is not a valid trace id")
    doc = trace.to_json()
    doc["id"] = tid
    if description:
        doc["description"] = description
    provenance = dict(doc.get("provenance") or {})
    if "kind" not in provenance:  # pragma: no cover - a loaded trace has one
        provenance["kind"] = "promoted"
    if trace.id != tid:
        provenance.setdefault("promoted_from", trace.id)
    doc["provenance"] = provenance
    from_json(doc, path=f"{source} (as {tid})")  # the schema and the rule catalogue, before writing
    from .secrets import guard  # noqa: PLC0415

    guard(doc, what=source)  # fails closed: a secret in it and nothing is written (exit 5)
    path = folder / f"{tid}.json"
    _write_new(path, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    return path


def _check_class(trace: Any, source: str) -> None:
    from .replay import replay  # noqa: PLC0415
    from .report import class_verdict  # noqa: PLC0415

    ok, why = class_verdict(trace, replay(trace, chunking="whole"))
    if not ok:
        raise KitError(f"{source}: a {trace.cls}_ trace must behave as its class says, and this one does not "
                         f"({why}); a corpus would fail `kit replay --all`")


@click.command()
@click.argument("file")
@click.option("--to", "to", required=True, metavar="DIR",
              help="The corpus folder to add it to, e.g. traces/openai.chat.completions/ (created if missing).")
@click.option("--name", metavar="SLUG", help="Id slug: the new id is <class>_<slug> (default: promoted_<content hash>).")
@click.option("--description", metavar="TEXT", help="Replace the trace's description.")
@api_option(help="Wire API of a raw .sse body (detected from the content when omitted); for a trace "
                "file or a repro file, the API it must be (another is a usage error)")
def promote(file: str, to: str, name: str | None, description: str | None, api: str | None) -> None:
    """Add the trace FILE (a promoted counterexample from .kit/promoted/, a repro file,
    or any trace file) to the corpus folder DIR under a fresh stable id, and print the
    new file's path.

    The trace is validated against schemas/trace.schema.json, must behave as its class
    says, keeps its provenance, and is written atomically; an existing file is never
    overwritten. Exit codes: 0 added, 1 the trace does not behave as its class says,
    2 usage error (the id or the trace is already there, a folder of another API),
    3 FILE could not be loaded, 5 a secret (an API key, a token) is in it: nothing written.
    """
    path = promote_file(file, to, name=name, description=description, api=api)
    click.echo(path.as_posix())
