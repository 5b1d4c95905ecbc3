"""``py:package.module:attr`` — an implementation called in-process.

The simplest target is ``f(reads) -> dict``: it gets an iterator of byte reads and
returns a Plan document. A target may also take a *sink* (a second positional parameter,
or one named ``sink``) and report output events through it as it reads; an ``api``
keyword parameter gets the wire API's name. Capabilities come from
:func:`kit.adapters.implementation`, else they are inferred: bytes feed, every API,
incremental when it takes a sink.

The kit controls the input iterator, so it knows how many inputs had been pulled when
each output event arrived: that is what streaming behaviour is graded on.

Calls run in a worker thread with a timeout (a hung call is reported as TIMEOUT and left
behind); ``isolate`` runs them in a child process instead, which is killed on timeout.
"""

from __future__ import annotations

import contextlib
import contextvars
import importlib
import inspect
import json
import os
import sys
import threading
import time
import traceback
from typing import Any, Callable, Iterator

from ..errors import UsageError
from ..events import EVENT_TYPES, from_json
from . import DONE, Adapter, Capabilities, Case, Outcome, apply_options

__all__ = ["PyAdapter", "importing_from", "resolve", "takes_sink", "run_callable", "origin_of", "KIT_ADAPTER"]


_ROOT: contextvars.ContextVar[str | None] = contextvars.ContextVar("kit_py_root", default=None)


@contextlib.contextmanager
def importing_from(directory: str | os.PathLike) -> Iterator[None]:
    """``py:`` adapters loaded inside resolve their modules relative to ``directory``
    instead of the current directory (the pytest plugin: pytest's rootdir), in this
    process and in the child process of ``isolate``."""
    token = _ROOT.set(os.path.abspath(directory))
    try:
        yield
    finally:
        _ROOT.reset(token)


def resolve(target: str, spec: str, root: str | None = None) -> Callable:
    """The callable ``package.module:attr`` names. Modules resolve relative to ``root``
    (default: the directory of :func:`importing_from`, else the current directory), which
    goes first on ``sys.path`` unless it is on it already."""
    module_name, colon, attr = target.partition(":")
    if not colon or not module_name or not attr:
        raise UsageError(f"adapter {spec!r}: expected py:package.module:attr")
    root = root or _ROOT.get()
    directory = os.path.abspath(root) if root else os.getcwd()
    if directory not in sys.path and (root or "" not in sys.path):  # "" on sys.path is the current directory
        sys.path.insert(0, directory)
    try:
        obj: Any = importlib.import_module(module_name)
    except Exception as exc:  # noqa: BLE001 - any import failure is the user's to see
        raise UsageError(f"adapter {spec!r}: cannot import {module_name}: {type(exc).__name__}: {exc}") from None
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise UsageError(f"adapter {spec!r}: {module_name} has no attribute {attr!r}") from None
    if not callable(obj):
        raise UsageError(f"adapter {spec!r}: {module_name}:{attr} is not callable")
    return obj


def _parameters(fn: Callable) -> list[inspect.Parameter]:
    try:
        return list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return []


def takes_sink(fn: Callable) -> bool:
    params = _parameters(fn)
    if any(p.name == "sink" for p in params):
        return True
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) >= 2 and positional[1].name != "api"


def _takes_api(fn: Callable) -> bool:
    return any(p.name == "api" or p.kind == p.VAR_KEYWORD for p in _parameters(fn))


class Feed:
    """The input iterator handed to an implementation: counts what it pulled."""

    __slots__ = ("items", "pulled", "decode")

    def __init__(self, items: list[Any], decode: bool) -> None:
        self.items = items
        self.pulled = 0  # inputs handed out; len(items) + 1 once the end was seen
        self.decode = decode

    def __iter__(self) -> Iterator[Any]:
        return self

    def __next__(self) -> Any:
        n = self.pulled
        if n >= len(self.items):
            self.pulled = len(self.items) + 1
            raise StopIteration
        self.pulled = n + 1
        item = self.items[n]
        if self.decode and item is not DONE:
            return json.loads(item)  # a fresh object each time: the implementation may mutate it
        return item


class Sink:
    """Where an implementation reports output events (event tuples or their JSON form)."""

    def __init__(self, feed: Feed) -> None:
        self.feed = feed
        self.outputs: list[tuple[int, Any]] = []
        self.problems: list[str] = []
        self.open = True

    def __call__(self, event: Any) -> None:
        if not self.open:
            return
        if isinstance(event, dict):
            try:
                event = from_json(event)
            except ValueError as exc:
                self.problems.append(f"output event {len(self.outputs)}: {exc}")
                return
        elif getattr(event, "type", None) not in EVENT_TYPES or not hasattr(event, "_asdict"):
            self.problems.append(f"output event {len(self.outputs)}: {type(event).__name__} is not an output event")
            return
        self.outputs.append((self.feed.pulled, event))

    # the list-like spelling, for implementations that collect into a list
    append = emit = __call__


def _where(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return ""
    f = frames[-1]
    return f" (at {os.path.basename(f.filename)}:{f.lineno} in {f.name})"


KIT_ADAPTER = "kit-adapter"  # origin package of a frame in kit/adapters/**: the adapter's or recipe's own code


def _norm(path: str) -> str:
    return os.path.normcase(os.path.realpath(path))


def _under(path: str, directory: str) -> bool:
    return path == directory or path.startswith(directory.rstrip(os.sep) + os.sep)


def _places() -> tuple[list[str], list[str], str]:
    """(site-packages folders, standard-library folders, the kit package's folder), normalised."""
    import sysconfig  # noqa: PLC0415

    paths = sysconfig.get_paths()
    site = {paths.get("purelib"), paths.get("platlib")}
    site |= {p for p in sys.path if p and os.path.basename(p.rstrip("/\\")) in ("site-packages", "dist-packages")}
    stdlib = {paths.get("stdlib"), paths.get("platstdlib")}
    kit_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return ([_norm(p) for p in site if p], [_norm(p) for p in stdlib if p], _norm(kit_dir))


def _frame_origin(filename: str, module: str | None, line: int, function: str,
                  places: tuple[list[str], list[str], str]) -> dict[str, Any] | None:
    """Where one traceback frame is, as an origin; None for a frame that is not third-party
    code (the standard library, the kit's own package outside ``kit/adapters``, generated
    code such as ``<string>``)."""
    site, stdlib, kit_dir = places
    if not filename or filename.startswith("<"):
        return None
    path = _norm(filename)
    if _under(path, kit_dir):  # first: an installed kit lives in site-packages
        rel = os.path.relpath(path, os.path.dirname(kit_dir)).replace(os.sep, "/")
        if not rel.startswith("kit/adapters/"):
            return None  # the kit's own machinery: walk on outwards
        return {"package": KIT_ADAPTER, "file": rel, "line": line, "function": function}
    in_site = [d for d in site if _under(path, d)]
    if not in_site and any(_under(path, d) for d in stdlib):
        return None  # the standard library (site-packages may lie inside its folder)
    # third-party: relative to the deepest sys.path folder that holds it (site-packages, or
    # wherever a py: module was imported from), else spelled from the module's dotted name
    bases = in_site or [d for d in (_norm(p) for p in sys.path if p) if _under(path, d)]
    if bases:
        rel = os.path.relpath(path, max(bases, key=len)).replace(os.sep, "/")
    elif module and module != "__main__":
        head = module.split(".")
        name = os.path.basename(path)
        rel = "/".join(head + [name] if name == "__init__.py" else head[:-1] + [name])
    else:
        rel = os.path.basename(path)
    top = rel.split("/", 1)[0]
    package = (module.split(".", 1)[0] if module and module != "__main__" else "") or top.removesuffix(".py")
    if module and module.count(".") and _namespace(package):  # google.genai, not google
        package = ".".join(module.split(".", 2)[:2])
    return {"package": package, "file": rel, "line": line, "function": function}


def _namespace(name: str) -> bool:
    """Whether the imported top-level package ``name`` is a namespace package (``google``,
    shared by google-genai, google-auth, ...): its packages are named by two parts."""
    mod = sys.modules.get(name)
    return mod is not None and getattr(mod, "__file__", None) is None and hasattr(mod, "__path__")


def origin_of(exc: BaseException) -> dict[str, Any] | None:
    """Where an implementation's exception comes from: the innermost frame of its traceback
    in third-party code, ``{"package", "file", "line", "function", "exception"}``. Frames of
    the standard library (``sysconfig`` paths) and of the kit's own package are passed over
    outwards (a ``json.decoder`` error is placed at the library code that called it); a
    frame in ``kit/adapters/`` is the adapter's or recipe's own code (package
    ``kit-adapter``, file relative to the kit's folder). ``file`` is relative to the
    site-packages folder (or the ``sys.path`` folder) it is in: never an absolute path.

    An exception raised from another (``raise ... from``, or raised while handling it: a
    library wrapping the SDK's error in its own type) is placed where the innermost such
    exception was raised, when its traceback has a third-party frame; ``exception`` names
    the type raised there. A suppressed context (``from None``) and the end of an iteration
    (``StopIteration``) are not followed. None when no frame qualifies."""
    places = _places()
    chain: list[BaseException] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append(current)
        nxt = current.__cause__ if current.__cause__ is not None else \
            (None if current.__suppress_context__ else current.__context__)
        # the end of an iteration is control flow, not a failure that another one wraps
        current = None if isinstance(nxt, (StopIteration, StopAsyncIteration, GeneratorExit)) else nxt
    for raised in reversed(chain):  # the innermost cause first
        frames: list[tuple[Any, int]] = []
        tb = raised.__traceback__
        while tb is not None:
            frames.append((tb.tb_frame, tb.tb_lineno))
            tb = tb.tb_next
        for frame, line in reversed(frames):
            code = frame.f_code
            module = frame.f_globals.get("__name__") if isinstance(frame.f_globals.get("__name__"), str) else None
            found = _frame_origin(code.co_filename, module, line, code.co_name, places)
            if found is not None:
                found["exception"] = type(raised).__name__
                return found
    return None


def run_callable(fn: Callable, caps: Capabilities, case: Case, api: str) -> Outcome:
    """Run one case in the calling thread."""
    items = case.reads if caps.feed == "bytes" else case.events
    if items is None:
        return Outcome(skip=case.events_problem or "no events feed for this case")
    feed = Feed(items, decode=caps.feed == "events")
    sink = Sink(feed)
    args: list[Any] = [feed]
    kwargs: dict[str, Any] = {}
    if takes_sink(fn):
        if any(p.name == "sink" and p.kind == p.KEYWORD_ONLY for p in _parameters(fn)):
            kwargs["sink"] = sink
        else:
            args.append(sink)
    if _takes_api(fn):
        kwargs["api"] = api
    out = Outcome(inputs=len(items))
    start = time.perf_counter()
    try:
        result = fn(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - the implementation's failure is its result
        out.rejected = True
        out.error = f"{type(exc).__name__}: {exc}{_where(exc)}"
        out.origin = origin_of(exc)
        result = None
    out.seconds = time.perf_counter() - start
    sink.open = False
    out.pulled = feed.pulled
    out.outputs = sink.outputs if (sink.outputs or caps.incremental) else None
    out.protocol = sink.problems
    if result is not None:
        if isinstance(result, dict) and result.get("type") == "plan":
            out.plan = result
        else:
            out.protocol.append(f"returned {type(result).__name__}, not a Plan document (a dict with type 'plan')")
    return out


def declared(fn: Callable, spec: str) -> Capabilities:
    """The capabilities ``fn`` declares: ``fn.__kit__`` is a :class:`Capabilities` (from
    :func:`kit.adapters.implementation`) or a plain dict with the same keys, so code that
    must not import the kit can declare them too. Undeclared: bytes feed, every API,
    incremental when it takes a sink."""
    caps = getattr(fn, "__kit__", None)
    if isinstance(caps, Capabilities):
        return caps
    if isinstance(caps, dict):
        unknown = set(caps) - {"feed", "apis", "incremental", "multi_choice", "omits", "ordered",
                              "marks_undispatched", "call_types", "holds_invalid_arguments", "refusal_as_text"}
        if unknown:
            raise UsageError(f"adapter {spec!r}: __kit__ has unknown keys {sorted(unknown)}")
        doc = dict(caps)
        if isinstance(doc.get("apis"), str):
            doc["apis"] = (doc["apis"],)
        doc.setdefault("incremental", takes_sink(fn))
        return Capabilities(**{k: tuple(v) if k in ("apis", "omits", "call_types") and v is not None
                               and not isinstance(v, str) else v
                               for k, v in doc.items()})
    return Capabilities(incremental=takes_sink(fn))


class PyAdapter(Adapter):
    kind = "py"

    def __init__(self, spec: str, target: str, options: dict[str, str], *, name: str | None,
                 timeout: float, isolate: bool) -> None:
        root = _ROOT.get()
        fn = resolve(target, spec, root)
        caps = declared(fn, spec)
        caps = apply_options(spec, caps, options)
        super().__init__(spec, name or f"py:{target}", caps, timeout=timeout)
        self.fn = fn
        self.target = target
        self.isolate = isolate
        self.root = root
        self._worker: Any = None

    @classmethod
    def from_callable(cls, fn: Callable, *, name: str | None = None, timeout: float = 10.0) -> "PyAdapter":
        """An adapter for a callable you already hold (a function defined in a test, a
        bound method, a callable object), with the capabilities it declares
        (:func:`declared`). It runs in a worker thread like any ``py:`` target; it cannot
        be isolated in a child process (that needs an importable ``py:`` spec)."""
        if not callable(fn):
            raise UsageError(f"{fn!r} is not callable")
        module = getattr(fn, "__module__", None) or "?"
        qualname = getattr(fn, "__qualname__", None) or type(fn).__qualname__
        target = f"{module}:{qualname}"
        spec = f"py:{target}"
        self = cls.__new__(cls)
        Adapter.__init__(self, spec, name or spec, declared(fn, spec), timeout=timeout)
        self.fn = fn
        self.target = target
        self.isolate = False
        self.root = None
        self._worker = None
        return self

    def run(self, case: Case) -> Outcome:
        if self.isolate:
            if self._worker is None:
                from ._worker import WorkerClient  # noqa: PLC0415

                self._worker = WorkerClient(self.spec, root=self.root)
            return self._worker.run(case, self.timeout)
        box: list[Outcome] = []

        def call() -> None:
            try:
                box.append(run_callable(self.fn, self.capabilities, case, case.api))
            except BaseException as exc:  # noqa: BLE001 - SystemExit, KeyboardInterrupt in the implementation
                box.append(Outcome(rejected=True, error=f"{type(exc).__name__}: {exc}", origin=origin_of(exc)))

        worker = threading.Thread(target=call, name=f"kit-adapter-{case.trace_id}", daemon=True)
        worker.start()
        worker.join(self.timeout)
        if worker.is_alive():
            return Outcome(timeout=True, error=f"no result after {self.timeout:g} s (the call was left running; "
                           "isolate=yes runs it in a child process that is killed)")
        return box[0]

    def close(self) -> None:
        if self._worker is not None:
            self._worker.close()
            self._worker = None
