"""Fixtures and helpers for your own tests.

The kit's pytest plugin registers the four fixtures; without the plugin (``-p no:kit``),
put ``pytest_plugins = ["kit.testing"]`` in your ``conftest.py``. ``kit.cases`` and
``kit.assert_conforms`` are plain functions and work either way. A test module using
all of them::

    import pytest

    import kit


    def handle(reads, *, api):  # your implementation: byte reads in, a Plan document out
        return kit.replay_reads(api, list(reads)).plan


    @kit.cases(api="chat", cls="y", ids="y_parallel*")
    @pytest.mark.parametrize("chunking", ["recorded", "bytewise"])
    def test_handle_conforms(trace, chunking):
        kit.assert_conforms(handle, trace, chunking)  # fails with the verdict's text


    def test_what_the_reference_makes_of_it(kit_trace, kit_chunks, kit_events, kit_reference):
        trace = kit_trace("openai.chat.completions/y_parallel_interleaved")
        assert b"".join(kit_chunks(trace, "bytewise")) == trace.body
        assert kit_events(trace)[-1] == "[DONE]"
        result = kit_reference(trace)
        assert [c["action"] for c in result.plan["choices"][0]["commands"]] == ["search_flights", "search_hotels"]
        assert result.outputs[-1].type == "message.done"

Each fixture is a factory (call it with a trace) whose plain-function twin can be used
outside pytest: :func:`load_trace`, :func:`chunks`, :func:`events`, :func:`reference`.
Wherever a trace is taken, it may be a :class:`kit.Trace`, a bundled trace's id
(``y_text_only``, or ``api/id`` when the id is in several APIs) or a path to a trace file
or a raw ``.sse`` body.

This module is imported by the pytest plugin when pytest starts, in every project that
installs the kit: at the top level it imports only pytest and the standard library; the
kit's modules are imported when a fixture or helper is first used.
"""

from __future__ import annotations

import copy
import fnmatch
import json
import functools
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import pytest

if TYPE_CHECKING:  # pragma: no cover
    from .replay import Replay
    from .trace import Trace

__all__ = [
    "kit_trace", "kit_chunks", "kit_events", "kit_reference",
    "load_trace", "chunks", "events", "reference", "assert_conforms", "cases",
]

DONE = "[DONE]"  # what events() gives for the `data: [DONE]` sentinel (kit.adapters.DONE)


# -- helpers ---------------------------------------------------------------------------------


def _is_trace(obj: Any) -> bool:
    from .trace import Trace  # noqa: PLC0415

    return isinstance(obj, Trace)


def load_trace(ref: Any, *, api: str | None = None, base: str | os.PathLike | None = None) -> Trace:
    """A trace from a :class:`kit.Trace` (returned as is), a bundled trace's id, or a path.

    A string that names an existing file (relative to the current directory, else to
    ``base``) or ends in ``.json`` / ``.sse`` is a path; anything else is a bundled id:
    ``y_text_only`` or ``openai.chat.completions/y_text_only``. ``api`` is the wire API
    of a raw ``.sse`` body (detected when not given).

    >>> from kit.testing import load_trace
    >>> load_trace("y_parallel_interleaved").name
    'openai.chat.completions/y_parallel_interleaved'
    >>> load_trace("anthropic.messages/y_text_only").cls
    'y'
    """
    if _is_trace(ref):
        return ref
    from .trace import find, load  # noqa: PLC0415

    if isinstance(ref, os.PathLike):
        path = Path(ref)
        if not path.is_absolute() and not path.exists() and base is not None and (Path(base) / path).exists():
            path = Path(base) / path
        return load(path, api=api)
    if not isinstance(ref, str):
        raise TypeError(f"expected a Trace, a trace id or a path, not {type(ref).__name__}")
    path = Path(ref)
    if path.is_file():
        return load(path, api=api)
    if base is not None and not path.is_absolute() and (Path(base) / path).is_file():
        return load(Path(base) / path, api=api)
    if path.suffix in (".json", ".sse") or path.is_absolute():
        return load(path, api=api)  # raises TraceError: no such file
    kind, _, tid = ref.rpartition("/")
    matches = [t for t in _corpus(None) if t.id == tid and (not kind or t.api == kind)]
    if len(matches) == 1:
        return copy.copy(matches[0])  # the bundled corpus is loaded once per process
    return find(ref)  # raises UsageError: unknown id, or in several APIs


def chunks(trace: Any, chunking: str = "recorded") -> list[bytes]:
    """The byte reads of ``trace`` cut by a chunk plan (``recorded``, ``event``,
    ``bytewise``, ``fixed:N``, ``random:SEED``, ``whole``): what a network client hands
    your code.

    >>> from kit.testing import chunks
    >>> reads = chunks("openai.chat.completions/y_text_only", "fixed:16")
    >>> {len(r) for r in reads[:-1]}
    {16}
    """
    return load_trace(trace).chunks(chunking)


def events(trace: Any) -> list[Any]:
    """The parsed API events of ``trace``: each SSE event's data parsed as JSON, in order,
    ``"[DONE]"`` for the ``data: [DONE]`` sentinel. This is the feed the kit gives an
    implementation declared with ``feed="events"`` (it does not depend on the chunk
    plan). Raises :class:`ValueError` when an event's data is not JSON (some ``n_``
    traces), naming the event.

    >>> from kit.testing import events
    >>> evs = events("openai.chat.completions/y_text_only")
    >>> evs[0]["object"], evs[-1]
    ('chat.completion.chunk', '[DONE]')
    """
    import json  # noqa: PLC0415

    from .verify.engine import prepare  # noqa: PLC0415 - the same events kit verify feeds

    t = load_trace(trace)
    case, _ = prepare(t, "recorded")
    if case.events is None:
        raise ValueError(f"{t.name}: {case.events_problem}")
    return [DONE if e == DONE else json.loads(e) for e in case.events]


def reference(trace: Any, chunking: str = "recorded") -> Replay:
    """What the reference makes of ``trace`` cut by ``chunking``: a :class:`kit.Replay`
    with ``.plan`` (the Plan document), ``.outputs`` (the output events, in order:
    ``TextDelta``, ``ToolCallDone``, ...) and ``.diagnostics``.

    >>> from kit.testing import reference
    >>> result = reference("openai.chat.completions/y_text_only", "bytewise")
    >>> result.plan["choices"][0]["finish_reason"], result.outputs[-1].type
    ('stop', 'message.done')
    """
    from .replay import replay  # noqa: PLC0415

    return replay(load_trace(trace), chunking=chunking, keep_outputs=True)


# -- assert_conforms -------------------------------------------------------------------------


def _adapter(impl: Any, timeout: float) -> tuple[Any, bool]:
    """``(adapter, whether we made it and must close it)``: one way for every helper."""
    from .properties import adapter_for  # noqa: PLC0415

    adapter, _, owned = adapter_for(impl, timeout=timeout)
    return adapter, owned


def assert_conforms(impl: Any, trace: Any, chunking: str = "recorded", *, strict: bool = False,
                    timeout: float = 10.0) -> dict[str, Any]:
    """Grade ``impl`` on ``trace`` cut by ``chunking``, as ``kit verify`` does, and fail the
    test unless it conforms.

    ``impl`` is a callable following the ``py:`` contract (``f(reads)`` or
    ``f(reads, sink, *, api)``, capabilities from its ``__kit__`` or
    ``@kit.adapters.implementation``), an adapter spec (``"py:mypkg.stream:handle"``,
    ``"exec:node impl.js"``, ``"reference"``) or an adapter object. ``trace`` is a
    :class:`kit.Trace`, a bundled id or a path.

    - FAIL, ERROR, TIMEOUT (and NONSTRICT when ``strict``): raises :class:`AssertionError`
      whose message is the verdict as ``kit verify`` and the pytest plugin print it
      (rule id, expected vs actual, every difference, both Plans, input position);
    - SKIP (outside what ``impl`` declares): ``pytest.skip`` with the reason;
    - otherwise (PASS, NONSTRICT, INFO) returns the verdict record (a dict, ``kit verify
      --json``'s ``verdict`` object).

    >>> import kit
    >>> kit.assert_conforms("reference", "y_parallel_interleaved", "bytewise")["verdict"]
    'PASS'
    >>> def lazy(reads):  # forgets every tool call
    ...     plan = kit.replay_reads("openai.chat.completions", list(reads)).plan
    ...     plan["choices"][0]["commands"] = []
    ...     return plan
    >>> kit.assert_conforms(lazy, "y_parallel_interleaved")
    Traceback (most recent call last):
    AssertionError: FAIL chat-interleaved-fragments: py:...lazy on openai.chat.completions/y_parallel_interleaved [recorded]
    ...
    """
    __tracebackhide__ = True
    from .trace import parse_chunking  # noqa: PLC0415
    from .verify.engine import FAILING, verify_case  # noqa: PLC0415
    from .verify.format import format_verdict  # noqa: PLC0415

    t = load_trace(trace)
    parse_chunking(chunking)
    adapter, own = _adapter(impl, timeout)
    try:
        rec = verify_case(adapter, t, chunking)
    finally:
        if own:
            adapter.close()
    verdict = rec["verdict"]
    if verdict in FAILING or (strict and verdict == "NONSTRICT"):
        raise AssertionError(format_verdict(rec))
    if verdict == "SKIP":
        pytest.skip(f"{t.name} [{rec['chunking']}]: {rec['message']}")
    return rec


# -- cases -----------------------------------------------------------------------------------


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


@functools.lru_cache(maxsize=8)
def _corpus(root: str | None) -> tuple[Any, ...]:
    from .trace import corpus  # noqa: PLC0415

    return tuple(corpus(root))


def _caller_dir(depth: int) -> str | None:
    try:
        filename = sys._getframe(depth).f_globals.get("__file__")
    except ValueError:  # pragma: no cover - no such frame
        return None
    return os.path.dirname(os.path.abspath(filename)) if filename else None


def cases(api: Any = None, cls: Any = "y", rule: Any = None, ids: Any = None, traces: Any = None,
          argname: str = "trace") -> pytest.MarkDecorator:
    """Parametrise a test over corpus traces: the test gets each :class:`kit.Trace` as
    ``argname``, with ids a person can type in ``-k``
    (``openai.chat.completions/y_text_only``).

    - ``api``: a wire API or its alias (``chat``, ``responses``, ``anthropic``), or several;
    - ``cls``: trace class(es) ``y`` (default: streams with a known right answer), ``n``,
      ``i``; ``None`` for all;
    - ``rule``: only traces that exercise this rule id (patterns like ``chat-*`` allowed);
    - ``ids``: only these trace ids or ``api/id`` (patterns like ``y_parallel*`` allowed);
    - ``traces``: a folder of traces or one trace file instead of the bundled corpus (a
      relative path that is not under the current directory is taken from the test
      module's folder).

    Filters that select no trace raise :class:`kit.UsageError` (a typo would otherwise
    silently skip the test). Stack it with other parametrisations::

        @kit.cases(api="chat", rule="chat-interleaved-fragments")
        @pytest.mark.parametrize("chunking", ["recorded", "event", "bytewise"])
        def test_fragments(trace, chunking):
            kit.assert_conforms("py:mypkg.stream:handle", trace, chunking)
    """
    from .adapters import api_name  # noqa: PLC0415
    from .errors import UsageError  # noqa: PLC0415
    from .rules import RULES_BY_ID  # noqa: PLC0415

    root = None
    if traces is not None:
        path = Path(traces)
        if not path.is_absolute() and not path.exists():
            here = _caller_dir(2)
            if here is not None and (Path(here) / path).exists():
                path = Path(here) / path
        root = str(path.resolve())
    selected = list(_corpus(root))
    apis = {api_name(a) for a in _strings(api)}
    if apis:
        selected = [t for t in selected if t.api in apis]
    classes = _strings(cls)
    bad = [c for c in classes if c not in ("y", "n", "i")]
    if bad:
        raise UsageError(f"kit.cases: cls={bad[0]!r}; expected y, n or i")
    if classes:
        selected = [t for t in selected if t.cls in classes]
    rules = _strings(rule)
    unknown = [r for r in rules if r not in RULES_BY_ID and not any(ch in r for ch in "*?[")]
    if unknown:
        raise UsageError(f"kit.cases: rule={unknown[0]!r}: no such rule (conformance.md lists them)")
    if rules:
        selected = [t for t in selected if any(fnmatch.fnmatchcase(tr, r) for r in rules for tr in t.rules)]
    names = _strings(ids)
    if names:
        selected = [t for t in selected
                    if any(fnmatch.fnmatchcase(t.id, i) or fnmatch.fnmatchcase(t.name, i) for i in names)]
    if not selected:
        said = ", ".join(f"{k}={v!r}" for k, v in (("api", api), ("cls", cls), ("rule", rule), ("ids", ids),
                                                  ("traces", traces)) if v is not None)
        raise UsageError(f"kit.cases({said}) selects no trace (kit replay --all lists them)")
    return pytest.mark.parametrize(argname, selected, ids=[t.name for t in selected])


# -- fixtures --------------------------------------------------------------------------------


def _test_dir(request: Any) -> str | None:
    path = getattr(request, "path", None)
    return str(path.parent) if path is not None else None


@pytest.fixture
def kit_trace(request: Any) -> Callable[..., Trace]:
    """Load a trace: ``kit_trace("y_parallel_interleaved")``,
    ``kit_trace("openai.chat.completions/y_text_only")`` or ``kit_trace("traces/mine.json")``
    (a relative path is looked up in the current directory, then beside the test file;
    ``kit_trace("body.sse", api="chat")`` for a raw body)::

        def test_loads(kit_trace):
            trace = kit_trace("y_parallel_interleaved")
            assert trace.api == "openai.chat.completions" and trace.cls == "y"
    """
    base = _test_dir(request)

    def factory(ref: Any, *, api: str | None = None) -> Trace:
        if api is not None:
            from .adapters import api_name  # noqa: PLC0415

            api = api_name(api)
        return load_trace(ref, api=api, base=base)

    return factory


@pytest.fixture
def kit_chunks(request: Any) -> Callable[..., list[bytes]]:
    """The byte reads of a trace cut by a chunk plan, ``kit_chunks(trace, chunking="recorded")``
    (see :func:`chunks`)::

        def test_my_parser_is_chunk_proof(kit_chunks):
            whole = my_parse(kit_chunks("y_parallel_interleaved", "whole"))
            assert my_parse(kit_chunks("y_parallel_interleaved", "bytewise")) == whole
    """
    base = _test_dir(request)

    def factory(trace: Any, chunking: str = "recorded") -> list[bytes]:
        return load_trace(trace, base=base).chunks(chunking)

    return factory


@pytest.fixture
def kit_events(request: Any) -> Callable[[Any], list[Any]]:
    """The parsed API events of a trace, ``kit_events(trace)`` (see :func:`events`)::

        def test_my_accumulator(kit_events):
            evs = kit_events("openai.chat.completions/y_text_only")
            assert evs[-1] == "[DONE]"
            assert my_accumulate(evs[:-1])["content"] == "..."
    """
    base = _test_dir(request)

    def factory(trace: Any) -> list[Any]:
        return events(load_trace(trace, base=base))

    return factory


@pytest.fixture
def kit_reference(request: Any) -> Callable[..., Replay]:
    """The reference's output events and Plan for a trace, ``kit_reference(trace,
    chunking="recorded")`` (see :func:`reference`)::

        def test_same_plan_as_the_reference(kit_chunks, kit_reference):
            expected = kit_reference("y_parallel_interleaved").plan
            assert my_handler(kit_chunks("y_parallel_interleaved", "bytewise")) == expected
    """
    base = _test_dir(request)

    def factory(trace: Any, chunking: str = "recorded") -> Replay:
        return reference(load_trace(trace, base=base), chunking)

    return factory


# -- kit_server ------------------------------------------------------------------------------


@pytest.fixture
def kit_server() -> Any:
    """A started :class:`kit.serve.ReplayServer` on a free loopback port, serving the bundled
    corpus; stopped after the test. Point a real client at ``kit_server.url_for(trace)``::

        def test_my_client(kit_server, kit_trace):
            trace = kit_trace("openai.chat.completions/y_parallel_interleaved")
            client = openai.OpenAI(api_key="test", base_url=kit_server.url_for(trace))
            ...                                  # your code, unmodified, against the trace
            assert kit_server.requests[-1]["path"].endswith("/chat/completions")

    Per request, ``?chunking=``, ``?fault=`` (or ``kit-chunking`` / ``kit-fault`` headers)
    choose the chunk plan and inject faults (``drop=N``, ``stall=S``, ``status=429``, ...).
    """
    from .serve import ReplayServer  # noqa: PLC0415
    from .trace import corpus  # noqa: PLC0415

    server = ReplayServer(corpus()).start()
    try:
        yield server
    finally:
        server.stop()


# -- kit_http_client: record modes -----------------------------------------------------------

RECORD_MODES = ("none", "once", "new_episodes", "all", "rewrite")


def _record_mode(config: Any) -> str:
    value = config.getoption("kit_record_mode", None) or config.getini("kit_record_mode") or "none"
    if value not in RECORD_MODES:
        raise pytest.UsageError(f"--kit-record-mode {value!r}; expected one of {', '.join(RECORD_MODES)}")
    return value


def _replay_transport(httpx: Any, trace: Any, asynchronous: bool) -> Any:
    """A transport of the SDK's own httpx module that answers every request with ``trace``'s
    bytes, cut as recorded (a new response per request)."""
    reads = trace.chunks("recorded")
    headers = {"content-type": "text/event-stream; charset=utf-8", "x-kit-trace": f"{trace.api}/{trace.id}"}

    if asynchronous:
        class AsyncReads(httpx.AsyncByteStream):
            async def __aiter__(self):
                for data in reads:
                    yield data

        class AsyncReplay(httpx.AsyncBaseTransport):
            async def handle_async_request(self, request):
                return httpx.Response(200, headers=headers, stream=AsyncReads(), request=request)

        return AsyncReplay()

    class Reads(httpx.SyncByteStream):
        def __iter__(self):
            yield from reads

    class Replay(httpx.BaseTransport):
        def handle_request(self, request):
            return httpx.Response(200, headers=headers, stream=Reads(), request=request)

    return Replay()


@pytest.fixture
def kit_http_client(request: Any) -> Any:
    """A factory of HTTP clients for the openai, anthropic or google-genai SDK that replay or record streams,
    by ``--kit-record-mode`` (ini ``kit_record_mode``), named as in pytest-recording:

    - ``none`` (default): replay the saved trace; nothing touches the network. A missing
      trace fails the test with the command that records it.
    - ``once`` / ``new_episodes``: replay when the trace exists, else record it (one
      streamed response per name: a new name is a new episode).
    - ``all`` / ``rewrite``: record again, replacing the saved trace.

    Traces live beside the test module, ``kit_traces/<module>/<test>--<name>.json``; a
    recording is redacted and secret-scanned before it is written (nothing is written when
    a secret survives). Your code runs exactly as in production::

        def test_agent(kit_http_client):
            client = openai.OpenAI(http_client=kit_http_client("weather"))
            assert run_agent(client, "Weather in Oslo?").tool_calls[0].name == "get_weather"

    ``kit_http_client(name, sdk="anthropic")`` for the anthropic SDK;
    ``kit_http_client(name, sdk="google.genai")`` for Google's (Gemini, Vertex AI)::

        client = genai.Client(api_key="...", http_options=types.HttpOptions(
            httpx_client=kit_http_client("weather", sdk="google.genai")))

    ``asynchronous=True`` for ``AsyncOpenAI`` / ``AsyncAnthropic`` (google-genai:
    ``httpx_async_client=``).
    """
    from .importers import model_of  # noqa: PLC0415
    from .record import RecordingTransport, _api_of, _provider_of, _sdk_httpx, trace_from_capture, write_trace  # noqa: PLC0415
    from .trace import load  # noqa: PLC0415

    mode = _record_mode(request.config)
    module = Path(str(request.node.path))
    folder = module.parent / "kit_traces" / module.stem
    test = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in request.node.name)
    recorders: list[tuple[Path, Any, str]] = []
    clients: list[Any] = []

    def make(name: str = "stream", *, sdk: str = "openai", asynchronous: bool = False, **client_kwargs: Any) -> Any:
        httpx = _sdk_httpx(sdk)
        path = folder / f"{test}--{name}.json"
        record = mode in ("all", "rewrite") or (mode in ("once", "new_episodes") and not path.exists())
        if not record:
            if not path.exists():
                rel = os.path.relpath(path)
                pytest.fail(f"no recorded stream {rel} (record mode none); record it with:\n"
                            f"  pytest --kit-record-mode=once {request.node.nodeid}", pytrace=False)
            transport = _replay_transport(httpx, load(path), asynchronous)
        else:
            if asynchronous:
                pytest.fail("recording an async client is not supported yet: record with the sync client "
                            "(the saved trace replays into both)", pytrace=False)
            transport = RecordingTransport(httpx.HTTPTransport())
            recorders.append((path, transport, sdk))
        client = (httpx.AsyncClient if asynchronous else httpx.Client)(transport=transport, **client_kwargs)
        clients.append(client)
        return client

    yield make
    for client in clients:
        if hasattr(client, "close"):
            client.close()
    for path, transport, sdk in recorders:
        streams = [c for c in transport.exchanges if c.is_stream]
        if not streams:
            pytest.fail(f"{os.path.relpath(path)}: the test made no streaming request through the client; "
                        "nothing recorded", pytrace=False)
        cap = streams[-1]
        api = _api_of(cap.url, bytes(cap.body)) or "openai.chat.completions"
        try:
            body = json.loads(cap.request_body or b"{}")
        except ValueError:
            body = None
        model = model_of(cap.url, body)  # the body's, or Gemini's in the path
        trace = trace_from_capture(cap, api=api, provider=_provider_of(cap.url), base_url=cap.url.rsplit("/", 1)[0],
                                   model=model, sdk=sdk, ident=f"{test}--{path.stem.split('--', 1)[-1]}")
        write_trace(trace, out=path)
