"""The cases that failed in the last ``kit verify`` run, for ``--last-failed``.

The state is one JSON file, ``.kit/lastfailed.json`` in the current folder (``.kit/`` also
holds the repro files; keep it out of version control, as pytest's ``.pytest_cache``)::

    {"format": "kit-lastfailed/1",
     "failed": [{"adapter": "py:mypkg.stream:handle", "api": "openai.chat.completions",
                 "trace": "y_parallel_calls", "chunking": "bytewise"}, ...]}

Every run updates it as pytest updates its own: a case that fails now (FAIL, ERROR or
TIMEOUT not in the expectations file) is added, a case that ran and did not fail is
removed, a case that did not run keeps its state. A run of ``--mutants`` leaves it alone.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Iterable

from .engine import FAILING

__all__ = ["CACHE_FILE", "LASTFAILED_FORMAT", "Key", "read_failed", "update_failed", "clear"]

CACHE_FILE = os.path.join(".kit", "lastfailed.json")
LASTFAILED_FORMAT = "kit-lastfailed/1"
_FIELDS = ("adapter", "api", "trace", "chunking")

Key = tuple[str, str, str, str]  # (adapter name, api, trace id, chunk plan or "events")


def read_failed(path: str | os.PathLike = CACHE_FILE) -> tuple[set[Key], str | None]:
    """``(failed cases, problem)``: the cases the file lists, and why it could not be read
    (None when it was read, or does not exist: then no case failed last time)."""
    p = Path(path)
    if not p.exists():
        return set(), None
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        return set(), f"{p.as_posix()}: cannot read: {getattr(exc, 'strerror', None) or exc}"
    except ValueError as exc:
        return set(), f"{p.as_posix()}: not JSON: {exc}"
    if not isinstance(doc, dict) or doc.get("format") != LASTFAILED_FORMAT or not isinstance(doc.get("failed"), list):
        return set(), f'{p.as_posix()}: not a {LASTFAILED_FORMAT} file'
    failed: set[Key] = set()
    for entry in doc["failed"]:
        if isinstance(entry, dict) and all(isinstance(entry.get(k), str) for k in _FIELDS):
            failed.add(tuple(entry[k] for k in _FIELDS))  # type: ignore[arg-type]
    return failed, None


def update_failed(records: Iterable[dict[str, Any]], path: str | os.PathLike = CACHE_FILE) -> str | None:
    """Record which cases of this run failed; None, or why the file could not be written."""
    failed, _ = read_failed(path)
    for r in records:
        if r.get("type") != "verdict":
            continue
        key = (r["adapter"], r["api"], r["trace"], r["chunking"])
        if r["verdict"] in FAILING and not r.get("known"):
            failed.add(key)
        else:
            failed.discard(key)
    doc = {"format": LASTFAILED_FORMAT, "failed": [dict(zip(_FIELDS, k)) for k in sorted(failed)]}
    p = Path(path)
    tmp = p.with_name(f"{p.name}.{os.getpid()}.tmp")  # runs in parallel (kit matrix) do not share one
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
        os.replace(tmp, p)
    except OSError as exc:
        try:
            tmp.unlink()
        except OSError:
            pass
        return f"{p.as_posix()}: cannot write the last-failed cache: {exc.strerror or exc}"
    return None


def clear(path: str | os.PathLike = CACHE_FILE) -> None:
    """Forget the last run (``--cache-clear``)."""
    try:
        Path(path).unlink()
    except OSError:  # absent, or not ours to remove: the run goes on with what is there
        pass
