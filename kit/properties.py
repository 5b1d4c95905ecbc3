"""Property-test helpers: grade an implementation on a drawn trace, keep what breaks it.

Call :func:`conforms` inside your own hypothesis test, with traces and chunk plans drawn
from :mod:`kit.strategies`::

    from hypothesis import given
    import kit.properties
    from kit import strategies as ks

    @given(ks.traces(api="openai.chat.completions"), ks.chunk_plans())
    def test_my_handler(trace, plan):
        kit.properties.conforms(my_handler, trace, chunking=plan)

When the implementation does not conform, the failing trace is *promoted*: written as a
trace file (``kit-trace/1``, provenance ``{"kind": "promoted", ...}``) under
``.kit/promoted/`` (or ``$KIT_PROMOTE_DIR``, or ``promote_dir=``), and the assertion
message ends with the command that runs that case again (``kit verify --adapter ...
--traces FILE --chunking PLAN``). ``kit promote FILE --to traces/<api>/`` adds it to a
corpus for good.

This module imports neither hypothesis nor pytest at the top level.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import platform
import re
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["conforms", "promote_trace", "adapter_for", "PROMOTE_DIR", "PROMOTE_ENV"]

PROMOTE_DIR = os.path.join(".kit", "promoted")
PROMOTE_ENV = "KIT_PROMOTE_DIR"

# test id -> the file this process last promoted for it (replaced by the next one, so a
# hypothesis run leaves the example it reports, not every example it shrank through)
_LAST_PROMOTED: dict[str, Path] = {}


# -- adapters ---------------------------------------------------------------------------------


def _importable_spec(fn: Any) -> str | None:
    """``py:module:qualname`` when importing it gives back ``fn`` (or the function it wraps)."""
    module = getattr(fn, "__module__", None)
    qualname = getattr(fn, "__qualname__", None)
    if not module or not qualname or "<" in qualname or module == "__main__":
        return None
    try:
        obj: Any = importlib.import_module(module)
        for part in qualname.split("."):
            obj = getattr(obj, part)
    except Exception:  # noqa: BLE001 - not importable: no spec
        return None
    if obj is fn or getattr(obj, "__func__", None) is getattr(fn, "__func__", fn) or \
            getattr(obj, "__wrapped__", None) is fn:
        return f"py:{module}:{qualname}"
    return None


def adapter_for(impl: Any, *, timeout: float = 10.0) -> tuple[Any, str | None, bool]:
    """``(adapter, spec or None, owned)`` for ``impl``: a callable following the ``py:``
    contract (``f(reads)`` / ``f(reads, sink, *, api)``), an adapter spec string
    (``"py:pkg.mod:handle"``, ``"exec:..."``, ``"reference"``) or an adapter object.
    ``spec`` is what ``kit verify --adapter`` takes to run it again (None for a callable
    that cannot be imported by name); ``owned``: the caller closes the adapter."""
    from .adapters import Adapter, load_adapter  # noqa: PLC0415
    from .adapters.python import PyAdapter  # noqa: PLC0415
    from .errors import UsageError  # noqa: PLC0415

    if isinstance(impl, Adapter):
        return impl, impl.spec, False
    if isinstance(impl, str):
        return load_adapter(impl, timeout=timeout), impl, True
    if not callable(impl):
        raise UsageError(f"{impl!r} is neither a callable, an adapter spec nor an adapter")
    spec = _importable_spec(impl)
    adapter = PyAdapter.from_callable(impl, timeout=timeout)
    if spec is not None:
        adapter.spec = spec  # what `kit verify --adapter` takes to run it again
    return adapter, spec, True


# -- promotion ----------------------------------------------------------------------------------


def _slug(text: str, limit: int = 60) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return s[:limit].strip("-") or "case"


def _current_test() -> str | None:
    current = os.environ.get("PYTEST_CURRENT_TEST")
    if current:
        return current.rsplit(" ", 1)[0]  # "tests/test_x.py::test_y (call)"
    return None


def _hypothesis_info() -> dict[str, Any] | None:
    """The running hypothesis example: version and the reproduction blob (best effort)."""
    try:
        from hypothesis import __version__ as version  # noqa: PLC0415
        from hypothesis.control import current_build_context, currently_in_test_context  # noqa: PLC0415
    except ImportError:
        return None
    if not currently_in_test_context():
        return None
    info: dict[str, Any] = {"version": version}
    try:
        from hypothesis.core import encode_failure  # noqa: PLC0415

        blob = encode_failure(current_build_context().data.choices).decode("ascii")
        info["blob"] = blob
        info["reproduce"] = f"@reproduce_failure({version!r}, {blob.encode()!r})"
    except Exception:  # noqa: BLE001 - internals differ between versions: the blob is optional
        pass
    return info


def _versions(hyp: dict[str, Any] | None) -> dict[str, str]:
    from . import __version__  # noqa: PLC0415

    out = {"kit": __version__, "python": platform.python_version()}
    if hyp:
        out["hypothesis"] = hyp["version"]
    return out


def _content_hash(trace: Any) -> str:
    return hashlib.sha256(trace.api.encode() + b"\0" + trace.body).hexdigest()[:12]


def promote_trace(trace: Any, *, chunking: str = "recorded", directory: str | os.PathLike | None = None,
                  record: dict[str, Any] | None = None, adapter: str | None = None,
                  key: str | None = None) -> Path:
    """Write ``trace`` as a trace file with provenance ``{"kind": "promoted", ...}`` (the
    hypothesis blob when one is running, the versions, the chunk plan, the adapter and
    verdict, the trace's own provenance as ``origin``) and return its path.

    The file goes to ``directory``, else ``$KIT_PROMOTE_DIR``, else ``.kit/promoted/``;
    its name is ``<key>--<content hash>.json`` (``key``: the current pytest test, or
    ``hypothesis`` inside a hypothesis test run outside pytest), else ``<trace id>.json``.
    Within one process, a new file for the same key replaces the previous one, so a
    hypothesis run leaves the (shrunk) example it reports, not every one it tried.
    Written atomically; the result loads with :func:`kit.load` (schema-valid)."""
    from .trace import from_json  # noqa: PLC0415

    base = Path(directory if directory is not None else os.environ.get(PROMOTE_ENV) or PROMOTE_DIR)
    base.mkdir(parents=True, exist_ok=True)
    hyp = _hypothesis_info()
    key = key or _current_test() or ("hypothesis" if hyp is not None else None)
    doc = trace.to_json()
    digest = _content_hash(trace)
    if not doc["description"]:
        doc["description"] = f"promoted counterexample {trace.id}"
    provenance: dict[str, Any] = {"kind": "promoted", "versions": _versions(hyp), "chunking": chunking,
                                  "kit_version": _versions(None)["kit"]}
    if adapter:
        provenance["adapter"] = adapter
    if record is not None:
        provenance["verdict"] = {k: record.get(k) for k in ("verdict", "rule", "check", "message")}
    if hyp is not None:
        provenance["hypothesis"] = hyp
    if key and key != "hypothesis":
        provenance["test"] = key
    seed = trace.provenance.get("seed")
    provenance["seed"] = seed if isinstance(seed, int) else None
    provenance["origin"] = dict(trace.provenance)
    doc["provenance"] = provenance
    from_json(doc)  # never write a file the kit cannot load
    path = base / (f"{_slug(key)}--{digest}.json" if key else f"{_slug(trace.id, 120)}.json")
    fd, tmp = tempfile.mkstemp(prefix=".promote-", suffix=".tmp", dir=base)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    if key:
        previous = _LAST_PROMOTED.get(key)
        if previous is not None and previous != path and previous.exists():
            previous.unlink()
        _LAST_PROMOTED[key] = path
    return path


# -- conforms -------------------------------------------------------------------------------------


def _traces(trace_or_none: Any, api: str | None) -> list[Any]:
    from .adapters import api_name  # noqa: PLC0415
    from .errors import UsageError  # noqa: PLC0415
    from .trace import Trace, corpus, find, from_body, load  # noqa: PLC0415

    want = api_name(api) if api else None
    if trace_or_none is None:
        return corpus(api=want)
    if isinstance(trace_or_none, Trace):
        t = trace_or_none
    elif isinstance(trace_or_none, (bytes, bytearray)):
        t = from_body(bytes(trace_or_none), api=want, id="body")
    elif isinstance(trace_or_none, os.PathLike) or (isinstance(trace_or_none, str) and (
            os.path.exists(trace_or_none) or trace_or_none.endswith((".json", ".sse")))):
        t = load(trace_or_none, api=want)
    elif isinstance(trace_or_none, str):
        t = find(trace_or_none)
    else:
        raise UsageError(f"{trace_or_none!r}: expected a kit.Trace, a bundled trace id, a path or body bytes")
    if want is not None and t.api != want:
        raise UsageError(f"{t.name}: the trace is {t.api}, not {want}")
    return [t]


def _rerun(spec: str | None, path: str, chunking: str) -> str:
    plan = f" --chunking {chunking}" if chunking not in ("events",) else ""
    if spec:
        quoted = spec if re.fullmatch(r"[A-Za-z0-9_.:+=,\[\]/-]+", spec) else "'" + spec.replace("'", "'\\''") + "'"
        return f"kit verify --adapter {quoted} --traces {path}{plan}"
    return f"kit replay {path}{plan}"


def conforms(impl: Any, trace_or_none: Any = None, *, chunking: str = "recorded", api: str | None = None,
             strict: bool = False, timeout: float = 10.0, promote: bool = True,
             promote_dir: str | os.PathLike | None = None) -> list[dict[str, Any]]:
    """Grade ``impl`` on a trace as ``kit verify`` does; raise :class:`AssertionError` unless
    it conforms. Returns the verdict records (one per trace).

    - ``impl``: a callable following the ``py:`` adapter contract (``f(reads)`` returning a
      Plan, or ``f(reads, sink, *, api)`` reporting output events; capabilities from
      ``__kit__`` / ``@kit.adapters.implementation``), an adapter spec string
      (``"py:mypkg.stream:handle"``, ``"exec:node impl.js"``, ``"reference"``) or an
      adapter object.
    - ``trace_or_none``: a :class:`kit.Trace` (e.g. drawn from
      :func:`kit.strategies.traces`), a bundled trace id, a path, raw body bytes (with
      ``api``), or None: every bundled corpus trace (of ``api`` when given).
    - ``chunking``: the chunk plan (e.g. drawn from :func:`kit.strategies.chunk_plans`).
    - FAIL, ERROR, TIMEOUT (and NONSTRICT when ``strict``) fail: the message is the
      verdict (:func:`kit.verify.format.format_verdict`: rule id, expected vs actual,
      input position) followed by where the trace was promoted and, last, the one command
      that runs the case again: ``kit verify --adapter SPEC --traces FILE --chunking
      PLAN``, or ``kit replay FILE --chunking PLAN`` for a callable that cannot be
      imported by name (a function defined inside a test). A trace that already is a
      file (loaded from a path) is not copied: the command names that file.
    - SKIP (the trace is outside what ``impl`` declares): inside a hypothesis test the
      example is rejected (``hypothesis.reject()``), so hypothesis draws another; outside
      one the SKIP record is returned.
    """
    __tracebackhide__ = True
    from .trace import parse_chunking  # noqa: PLC0415
    from .verify.engine import FAILING, verify_case  # noqa: PLC0415
    from .verify.format import format_verdict  # noqa: PLC0415

    parse_chunking(chunking)
    traces = _traces(trace_or_none, api)
    adapter, spec, owned = adapter_for(impl, timeout=timeout)
    records: list[dict[str, Any]] = []
    failures: list[tuple[dict[str, Any], Any]] = []
    try:
        for t in traces:
            rec = verify_case(adapter, t, chunking)
            records.append(rec)
            if rec["verdict"] in FAILING or (strict and rec["verdict"] == "NONSTRICT"):
                failures.append((rec, t))
    finally:
        if owned:
            adapter.close()
    if not failures:
        if len(records) == 1 and records[0]["verdict"] == "SKIP":
            _reject_if_in_hypothesis()
        return records
    rec, t = failures[0]
    lines = format_verdict(rec).split("\n")
    if lines and lines[-1].lstrip().startswith(("replay:", "repro:")):
        lines.pop()  # the bundled-trace replay line does not fit a generated trace: ours follows
    if len(failures) > 1:
        lines.append(f"  ({len(failures) - 1} more of {len(records)} traces fail too)")
    if t.path and t.path.endswith(".json") and os.path.isfile(t.path):
        where = t.path
    elif promote:
        where = promote_trace(t, chunking=rec["chunking"] if rec["chunking"] != "events" else chunking,
                              directory=promote_dir, record=rec, adapter=spec).as_posix()
        lines.append(f"  promoted: {where} (kit promote {where} --to traces/{t.api}/ keeps it)")
    else:
        where = None
    if where is None:
        lines.append(f"  replay: kit replay {t.name}")
    else:
        if spec is None:
            lines.append(f"  ({adapter.name} cannot be imported by name; the reference's view of the case:)")
        lines.append("  re-run: " + _rerun(spec, where, rec["chunking"]))
    raise AssertionError("\n".join(lines))


def _reject_if_in_hypothesis() -> None:
    try:
        from hypothesis import reject  # noqa: PLC0415
        from hypothesis.control import currently_in_test_context  # noqa: PLC0415
    except ImportError:
        return
    if currently_in_test_context():
        reject()
