"""``kit serve``: a loopback replay server, OpenAI-, Anthropic- and Gemini-compatible.

Every trace is served at its own base URL, ``http://127.0.0.1:PORT/t/<api>/<trace-id>/v1``
(also ``/t/<trace-id>/v1`` when the id is unique; ``<trace-id>@<chunk plan>`` fixes the
chunk plan in the URL; a Gemini trace's base URL has no ``/v1``: Google's clients add the
version themselves), so an unmodified client pointed at that
base URL gets the trace's exact bytes: ``POST …/chat/completions``, ``…/responses``,
``…/messages``, ``…/v1beta/models/<model>:streamGenerateContent`` (any version, and Vertex AI's
``…/v1/projects/P/locations/L/publishers/google/models/<model>:streamGenerateContent``)
answer ``200 text/event-stream`` with a real HTTP/1.1 chunked body, one
chunk and one flush per read of the chunk plan, paced by the timing. The bare
``/v1/…`` URL serves a default trace per API (:func:`default_traces`: a typical stream, text
then a tool call). ``GET /`` lists the traces and their URLs.

Per request (query parameter, or header ``kit-…``), reproducibly:

- ``chunking=PLAN`` (``kit-chunking``): any plan ``kit replay`` takes (default: the server's);
- ``timing=none|recorded|scale:X`` (``kit-timing``);
- ``fault=...`` (``kit-fault``): ``drop=N`` closes the connection after N body bytes (no
  final chunk); ``stall=S`` stops for S seconds after the first read; ``status=429``
  answers 429 with ``retry-after`` and a JSON error before any stream; ``status=500``
  likewise; ``malformed`` inserts an event whose data is not JSON after the first read.

Every request is logged (``requests``: method, path, headers, body, trace, fault) so a
test can assert what the client sent. The server binds to 127.0.0.1 unless told
otherwise, serves clients concurrently (a thread each) and shuts down cleanly.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from .errors import UsageError
from .trace import ENDPOINTS, GEMINI_PATH, Trace, parse_chunking

__all__ = ["LoopbackServer", "ReplayServer", "ENDPOINTS", "default_traces", "parse_fault", "parse_timing"]

TYPICAL_TAG = "typical"

_BY_ENDPOINT = {v: k for k, v in ENDPOINTS.items()}
GEMINI = "google.generate_content"


def base_path(api: str) -> str:
    """What a client's base URL ends with after the server's root or a trace's ``/t/…`` prefix:
    ``/v1`` (OpenAI's and Anthropic's clients add the endpoint), nothing for Gemini (Google's
    clients add ``/v1beta/models/…`` themselves)."""
    return "" if api == GEMINI else "/v1"


def endpoint_path(api: str, model: str = "gemini-2.5-flash") -> str:
    """The request path a client POSTs to for ``api``, after the base URL."""
    if api == GEMINI:
        return f"/v1beta/{ENDPOINTS[api].format(model=model)}"
    return f"/{ENDPOINTS[api]}"


def parse_timing(value: str) -> float | None:
    """``none`` -> None; ``recorded`` -> 1.0; ``scale:X`` -> X."""
    if value == "none":
        return None
    if value == "recorded":
        return 1.0
    if value.startswith("scale:"):
        try:
            x = float(value[6:])
        except ValueError:
            x = -1.0
        if x >= 0:
            return x
    raise UsageError(f"timing {value!r}; expected none, recorded or scale:X (X >= 0)")


def parse_fault(value: str | None) -> dict[str, Any]:
    """``drop=N`` | ``stall=S`` | ``status=429|500|...`` | ``malformed`` -> a dict."""
    if not value:
        return {}
    out: dict[str, Any] = {}
    for part in filter(None, (p.strip() for p in value.split(","))):
        key, _, arg = part.partition("=")
        try:
            if key == "drop":
                out["drop"] = int(arg)
                if out["drop"] < 0:
                    raise ValueError
            elif key == "stall":
                out["stall"] = float(arg)
                if out["stall"] < 0:
                    raise ValueError
            elif key == "status":
                out["status"] = int(arg)
                if not 400 <= out["status"] <= 599:
                    raise ValueError
            elif key == "malformed" and not arg:
                out["malformed"] = True
            else:
                raise ValueError
        except ValueError:
            raise UsageError(f"fault {part!r}; expected drop=N, stall=SECONDS, status=4xx|5xx or malformed") from None
    return out


def _text_then_call(trace: Trace) -> bool:
    """The reference's Plan of ``trace`` is one choice: text, then one tool call."""
    from .replay import replay  # noqa: PLC0415

    choices = replay(trace, chunking="whole").plan.get("choices") or []
    return len(choices) == 1 and [c.get("type") for c in choices[0].get("commands") or []] == ["SAY", "DO"]


def default_traces(traces: list[Trace]) -> dict[str, Trace]:
    """The trace the bare ``/v1/…`` URL serves, per API: the one tagged ``typical`` (the
    bundled corpus tags one per API: text, then a tool call); else the first ``y_`` trace
    (by id) whose reference Plan is one choice of text then one tool call; else the first
    ``y_`` trace; else the first trace."""
    by_api: dict[str, list[Trace]] = {}
    for t in sorted(traces, key=lambda t: (t.api, t.id)):
        by_api.setdefault(t.api, []).append(t)
    out: dict[str, Trace] = {}
    for api, group in by_api.items():
        valid = [t for t in group if t.cls == "y"]
        out[api] = (next((t for t in group if TYPICAL_TAG in t.tags), None)
                    or next((t for t in valid if _text_then_call(t)), None)
                    or (valid or group)[0])
    return out


_GOOGLE_STATUS = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
                  429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED"}
_ERRORS = {429: ("rate_limit_error", "Rate limit reached (fault injected by kit serve)"),
           500: ("server_error", "The server had an error (fault injected by kit serve)")}


class LoopbackServer:
    """A threaded HTTP server on ``host:port`` (0: a free port) run in the background: what
    the replay server and ``kit record``'s proxy share. Subclasses call :meth:`_listen` with
    their request handler class from ``start()``."""

    host: str
    port: int
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    def _listen(self, handler: type, what: str) -> Any:
        try:
            self._server = ThreadingHTTPServer((self.host, self.port), handler)
        except OSError as exc:
            raise UsageError(f"{what}: cannot listen on {self.host}:{self.port}: {exc.strerror}") from None
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name=what.replace(" ", "-"), daemon=True)
        self._thread.start()
        return self

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def __enter__(self) -> Any:
        return self.start()  # type: ignore[attr-defined]

    def __exit__(self, *exc: Any) -> None:
        self.stop()


class ReplayServer(LoopbackServer):
    """Serve ``traces`` on ``host:port`` (0: a free port) until :meth:`stop`."""

    def __init__(self, traces: list[Trace], *, host: str = "127.0.0.1", port: int = 0, chunking: str = "recorded",
                 timing: str = "none", default: dict[str, str] | None = None, log: Any = None) -> None:
        if not traces:
            raise UsageError("no traces to serve")
        self.traces = list(traces)
        self.chunking = parse_chunking(chunking)
        self.timing = timing
        parse_timing(timing)
        self.host, self.port = host, port
        self.log = log  # a callable taking one line per request, or None
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._by_api_id = {(t.api, t.id): t for t in self.traces}
        self._by_id: dict[str, list[Trace]] = {}
        for t in self.traces:
            self._by_id.setdefault(t.id, []).append(t)
        self.defaults: dict[str, Trace] = default_traces(self.traces)
        for api, ident in (default or {}).items():
            t = self._by_api_id.get((api, ident))
            if t is None:
                raise UsageError(f"--default: no {api} trace {ident!r} to serve")
            self.defaults[api] = t
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def add(self, trace: Trace) -> None:
        """Serve one more trace (also while running); a trace with the same API and id is replaced."""
        with self._lock:
            old = self._by_api_id.get((trace.api, trace.id))
            if old is not None:
                self.traces = [trace if t is old else t for t in self.traces]
                self._by_id[trace.id] = [trace if t is old else t for t in self._by_id[trace.id]]
                for api, t in list(self.defaults.items()):
                    if t is old:
                        self.defaults[api] = trace
            else:
                self.traces.append(trace)
                self._by_id.setdefault(trace.id, []).append(trace)
                self.defaults.setdefault(trace.api, trace)
            self._by_api_id[(trace.api, trace.id)] = trace

    # -- life cycle --------------------------------------------------------------------------

    def start(self) -> "ReplayServer":
        return self._listen(type("Handler", (_Handler,), {"replay": self}), "kit serve")

    def url_for(self, trace: Trace, chunking: str | None = None) -> str:
        """The base URL (``…/v1``) an OpenAI or Anthropic client uses to get ``trace``; with
        ``chunking``, that chunk plan is part of the URL (``…/<trace-id>@bytewise/v1``), for
        clients that cannot send a query parameter or header."""
        plan = f"@{parse_chunking(chunking)}" if chunking else ""
        return f"{self.base_url}/t/{trace.api}/{trace.id}{plan}{base_path(trace.api)}"

    # -- routing ----------------------------------------------------------------------------------

    def route(self, path: str) -> tuple[Trace | None, str, str | None, str | None]:
        """``(trace, endpoint, error, chunking in the path or None)`` for a request path."""
        trace, endpoint, error = self._route(path)
        plan = None
        parts = [p for p in path.split("/") if p]
        if parts[:1] == ["t"]:
            for p in parts[1:3]:
                if "@" in p:
                    plan = p.split("@", 1)[1]
        return trace, endpoint, error, plan

    def _route(self, path: str) -> tuple[Trace | None, str, str | None]:
        parts = [p for p in path.split("/") if p]
        if len(parts) >= 2 and parts[0] == "t":
            rest = [p.split("@", 1)[0] if i < 2 else p for i, p in enumerate(parts[1:])]
            if len(rest) >= 2 and (rest[0], rest[1]) in self._by_api_id:
                trace, rest = self._by_api_id[(rest[0], rest[1])], rest[2:]
            elif rest[0] in self._by_id:
                found = self._by_id[rest[0]]
                if len(found) > 1:
                    return None, "", (f"trace id {rest[0]!r} is in {len(found)} APIs; use /t/<api>/{rest[0]}/v1")
                trace, rest = found[0], rest[1:]
            else:
                return None, "", f"no trace {'/'.join(rest[:2])!r} here (GET / lists them)"
        else:
            trace, rest = None, parts
        endpoint = "/".join(rest)
        if GEMINI_PATH.search(endpoint):
            api = GEMINI
        else:
            if rest[:1] == ["v1"]:
                rest = rest[1:]
            endpoint = "/".join(rest)
            api = _BY_ENDPOINT.get(endpoint)
        if api is None:
            return None, endpoint, (f"unknown endpoint /{endpoint}; POST …/chat/completions, …/responses, …/messages "
                                    "or …/v1beta/models/<model>:streamGenerateContent")
        if trace is None:
            trace = self.defaults.get(api)
            if trace is None:
                return None, endpoint, f"no {api} trace to serve by default"
        elif trace.api != api:
            return None, endpoint, (f"trace {trace.id!r} is an {trace.api} stream; POST …{endpoint_path(trace.api)}")
        return trace, endpoint, None

    def index(self) -> dict[str, Any]:
        return {"object": "kit.serve", "traces": [{"api": t.api, "id": t.id, "class": t.cls,
                                                   "base_url": self.url_for(t)} for t in self.traces],
                "defaults": {api: t.id for api, t in self.defaults.items()}}

    def _record(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self.requests.append(entry)
        if self.log is not None:
            fault = f" fault {entry['fault']}" if entry.get("fault") else ""
            self.log(f"{entry['method']} {entry['path']} -> {entry['status']} "
                     f"{entry.get('trace') or ''} [{entry.get('chunking') or '-'}]{fault}")


class _Handler(BaseHTTPRequestHandler):
    replay: ReplayServer
    protocol_version = "HTTP/1.1"
    server_version = "kit-serve"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - BaseHTTPRequestHandler's name
        pass  # the server's own log says it better

    def _json(self, status: int, doc: Any, extra: dict[str, str] | None = None) -> None:
        body = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.send_header("connection", "close")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True

    def _body(self) -> bytes:
        length = int(self.headers.get("content-length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        url = urlsplit(self.path)
        self._json(200, self.replay.index())
        self.replay._record({"method": "GET", "path": url.path, "headers": dict(self.headers), "body": "",
                             "status": 200, "trace": None})

    def do_POST(self) -> None:  # noqa: N802
        srv = self.replay
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        body = self._body()
        entry: dict[str, Any] = {"method": "POST", "path": url.path, "query": query, "headers": dict(self.headers),
                                 "body": body.decode("utf-8", "replace"), "time": time.time()}
        trace, endpoint, error, path_plan = srv.route(unquote(url.path))
        if error is not None:
            entry.update(status=404, error=error)
            srv._record(entry)
            return self._json(404, {"error": {"type": "not_found_error", "message": f"kit serve: {error}"}})
        try:
            chunking = parse_chunking(query.get("chunking") or self.headers.get("kit-chunking") or path_plan
                                      or srv.chunking)
            timing = parse_timing(query.get("timing") or self.headers.get("kit-timing") or srv.timing)
            fault = parse_fault(query.get("fault") or self.headers.get("kit-fault"))
        except UsageError as exc:
            entry.update(status=400, error=str(exc))
            srv._record(entry)
            return self._json(400, {"error": {"type": "invalid_request_error", "message": f"kit serve: {exc}"}})
        entry.update(trace=f"{trace.api}/{trace.id}", chunking=chunking, fault=fault or None)  # type: ignore[union-attr]
        if "status" in fault:
            status = fault["status"]
            kind, message = _ERRORS.get(status, ("api_error", f"HTTP {status} (fault injected by kit serve)"))
            extra = {"retry-after": "1"} if status == 429 else {}
            entry["status"] = status
            srv._record(entry)
            if trace.api == GEMINI:  # type: ignore[union-attr] - Google's error body
                doc = {"error": {"code": status, "message": message, "status": _GOOGLE_STATUS.get(status, "UNKNOWN")}}
            else:
                doc = {"error": {"type": kind, "message": message, "code": None}}
            return self._json(status, doc, extra)
        entry["status"] = 200
        srv._record(entry)
        self._stream(trace, chunking, timing, fault)  # type: ignore[arg-type]

    def _stream(self, trace: Trace, chunking: str, timing: float | None, fault: dict[str, Any]) -> None:
        reads = trace.chunks(chunking)
        times = trace.read_times if (timing and trace.read_times and chunking == "recorded") else None
        self.send_response(200)
        self.send_header("content-type", "text/event-stream; charset=utf-8")
        self.send_header("cache-control", "no-cache")
        self.send_header("transfer-encoding", "chunked")
        self.send_header("connection", "close")
        self.send_header("x-kit-trace", f"{trace.api}/{trace.id}")
        self.end_headers()
        self.close_connection = True
        sent = 0
        start = time.monotonic()
        drop = fault.get("drop")
        try:
            for n, data in enumerate(reads):
                if times is not None and n < len(times):
                    delay = start + times[n] * (timing or 0) - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)
                if drop is not None and sent + len(data) >= drop:
                    data = data[: drop - sent]
                    if data:
                        self._chunk(data)
                    self.wfile.flush()
                    return self._abort()
                self._chunk(data)
                sent += len(data)
                if n == 0 and fault.get("malformed"):
                    self._chunk(b"data: {this is not json\n\n")
                if n == 0 and fault.get("stall"):
                    self.wfile.flush()
                    time.sleep(fault["stall"])
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client went away: nothing to finish

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _abort(self) -> None:
        """Close the connection mid-body, as a proxy or a crashed server does."""
        import socket  # noqa: PLC0415

        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.close_connection = True
