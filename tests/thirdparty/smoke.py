"""What every third-party adapter's smoke test uses: run a bundled adapter on named corpus
traces through the real grading engine and get the verdict records back."""

from __future__ import annotations

from typing import Any

from kit.adapters import load_adapter
from kit.trace import corpus
from kit.verify.engine import verify_case


def verify(adapter: str, traces: list[str], chunkings: tuple[str, ...] = ("recorded",),
           timeout: float = 30.0) -> dict[tuple[str, str], dict[str, Any]]:
    """``{(trace id, chunking): verdict record}`` of the bundled adapter ``adapter`` on the
    corpus traces named in ``traces``: an id that exists in one API, or ``api/id``
    (``chat/y_text_only``, ``anthropic/y_refusal``; the key keeps what was given)."""
    from kit.adapters import api_name

    by_id: dict[str, Any] = {}
    for t in corpus():
        by_id.setdefault(t.id, []).append(t)
        by_id.setdefault(f"{t.api}/{t.id}", []).append(t)
    for ident in traces:
        if "/" in ident:
            api, _, short = ident.partition("/")
            by_id.setdefault(ident, [t for t in by_id.get(short, []) if t.api == api_name(api)])
    ad = load_adapter(adapter, timeout=timeout)
    out: dict[tuple[str, str], dict[str, Any]] = {}
    try:
        for ident in traces:
            found = by_id.get(ident) or []
            assert len(found) == 1, f"trace {ident!r} is in {len(found)} APIs of the corpus"
            for chunking in chunkings:
                out[(ident, chunking)] = verify_case(ad, found[0], chunking)
    finally:
        ad.close()
    return out


def verdicts(records: dict[tuple[str, str], dict[str, Any]]) -> dict[str, str]:
    """``{trace id: verdict}`` (the verdict of the first chunk plan run)."""
    seen: dict[str, str] = {}
    for (ident, _), r in records.items():
        seen.setdefault(ident, r["verdict"])
    return seen


def difference(record: dict[str, Any], path_end: str) -> dict[str, Any]:
    """The difference of a verdict record at a path ending with ``path_end``: a record lists
    every difference in ``differences`` (its own ``path``/``expected``/``actual`` are the
    first). Fails the test when there is none."""
    for d in record.get("differences") or [record]:
        if (d.get("path") or "").endswith(path_end):
            return d
    raise AssertionError(f"no difference at *{path_end} in {record.get('differences') or record.get('path')}")


def actual_commands(record: dict[str, Any], choice: int = 0) -> list[dict[str, Any]]:
    """The commands of the implementation's whole Plan a verdict record carries."""
    return record["plans"]["actual"]["choices"][choice]["commands"]
