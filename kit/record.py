"""``kit record``: real streams in, as trace files.

Two ways in, one recording path:

- ``kit record --api chat --model M --prompt TEXT``: one streaming request through the
  official SDK (openai for Chat Completions and Responses, OpenAI, Azure OpenAI, OpenRouter
  or any compatible base URL; anthropic for Messages), or for Gemini (the Gemini API or
  Vertex AI) over plain HTTP: the google-genai SDK is no dependency of the kit, and a
  ``streamGenerateContent?alt=sse`` request is one POST with a key or token header, which
  the same httpx client the openai SDK brings makes without hiding anything;
- ``kit record --proxy --upstream URL``: a loopback HTTP proxy; any client, in any
  language, pointed at it is forwarded to the upstream, and each streamed
  (``text/event-stream``) response is written as a trace.

Both capture through the HTTP client's own transport hook: :class:`RecordingTransport`
wraps the real httpx transport (``httpx.Client(transport=RecordingTransport(...))``, given to
the SDK as its ``http_client``) and sees every read of the response body as the network
delivered it: bytes, offset, time. Nothing is monkeypatched. The request asks for
``accept-encoding: identity``, so what is recorded is the body as sent (a gzip or deflate
body that comes anyway is recorded decoded).

Then: the request, response headers and URL are redacted (:mod:`kit.secrets`), the trace
gets its class from the reference (``y_`` when it replays without error diagnostics, ``n_``
when cut off or broken), and :func:`kit.secrets.guard` scans the whole document before an
atomic write (temp file + rename): a secret in it and nothing is written (exit 5).

Guards: an idle timeout (no byte for S seconds) and a maximum duration; a stream cut off
(connection dropped, idle timeout, maximum duration) is kept, ``truncated: true``, with the
error in ``provenance.error``.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import sys
import tempfile
import threading
import time
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import click

from ._options import api_option
from .errors import KitError, TraceError, UsageError, read_json, unwritable
from .serve import LoopbackServer

__all__ = ["Capture", "RecordingTransport", "RecordingProxy", "RecordError", "record", "record_request",
           "build_request", "trace_from_capture", "write_trace", "PROVIDERS"]

EXIT_RECORD_FAILED = 1
DEFAULT_DIR = ".kit/recorded"


@dataclass(frozen=True)
class Provider:
    name: str
    sdk: str | None               # "openai" or "anthropic"; None: plain HTTP (Gemini, Vertex AI)
    key_envs: tuple[str, ...]     # where the key comes from: the first variable set wins
    base_url: str | None          # None: the SDK's default (or --base-url)

    def key(self) -> str | None:
        return next((os.environ[n] for n in self.key_envs if os.environ.get(n)), None)

    @property
    def key_names(self) -> str:
        return " or ".join(self.key_envs)


GEMINI = "google.generate_content"
PROVIDERS = {
    "openai": Provider("openai", "openai", ("OPENAI_API_KEY",), None),
    "azure": Provider("azure", "openai", ("AZURE_OPENAI_API_KEY",), None),
    "openrouter": Provider("openrouter", "openai", ("OPENROUTER_API_KEY",), "https://openrouter.ai/api/v1"),
    "compatible": Provider("compatible", "openai", ("OPENAI_API_KEY",), None),
    "anthropic": Provider("anthropic", "anthropic", ("ANTHROPIC_API_KEY",), None),
    # google-genai's order: GOOGLE_API_KEY wins when both are set
    "gemini": Provider("gemini", None, ("GOOGLE_API_KEY", "GEMINI_API_KEY"), "https://generativelanguage.googleapis.com"),
    # an OAuth access token (gcloud auth print-access-token); the host is the location's
    "vertex": Provider("vertex", None, ("GOOGLE_CLOUD_ACCESS_TOKEN",), None),
}
AZURE_API_VERSION = "2024-10-21"
ANTHROPIC_MAX_TOKENS = 1024
# the versions Google's REST references use (google-genai 3.x sends v1 and v1beta1: --api-version)
GEMINI_API_VERSION = "v1beta"
VERTEX_API_VERSION = "v1"
VERTEX_LOCATION = "global"       # Vertex AI's global endpoint (aiplatform.googleapis.com)

HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
                        "trailers", "transfer-encoding", "upgrade", "proxy-connection"})


class RecordError(KitError):
    """Nothing could be recorded: the server answered an error status, could not be reached,
    or did not stream (exit code 1)."""

    exit_code = EXIT_RECORD_FAILED


class RecordingStopped(Exception):
    """Raised into the client's read loop when the maximum duration is reached."""


# -- capture -----------------------------------------------------------------------------------


@dataclass
class Capture:
    """One HTTP exchange as the transport saw it."""

    method: str
    url: str
    request_headers: list[tuple[str, str]]
    request_body: bytes
    started: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    t0: float = field(default_factory=time.monotonic)
    status: int | None = None
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytearray = field(default_factory=bytearray)
    reads: list[int] = field(default_factory=list)
    read_times: list[float] = field(default_factory=list)
    error: str | None = None
    complete: bool = False
    finished: float | None = None

    def add(self, data: bytes) -> None:
        if not data:
            return
        self.reads.append(len(self.body))
        self.read_times.append(round(time.monotonic() - self.t0, 6))
        self.body += data

    @property
    def elapsed(self) -> float:
        return (self.finished or time.monotonic()) - self.t0

    def header(self, name: str) -> str | None:
        for k, v in self.response_headers:
            if k.lower() == name:
                return v
        return None

    @property
    def is_stream(self) -> bool:
        return (self.header("content-type") or "").split(";")[0].strip().lower() == "text/event-stream"

    @property
    def truncated(self) -> bool:
        return not self.complete


def _decoder(encoding: str | None):
    enc = (encoding or "").strip().lower()
    if enc in ("", "identity"):
        return None
    if enc in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if enc == "deflate":
        return zlib.decompressobj()
    raise RecordError(f"the server sent a {enc}-encoded body although asked for identity; cannot record it")


_STREAM_CLASSES: dict[Any, type] = {}


def _stream_class(httpx: Any) -> type:
    """A ``SyncByteStream`` of the client's own httpx module (``httpx`` or ``httpx2``) that
    records every read of the wrapped stream into a :class:`Capture`."""
    cls = _STREAM_CLASSES.get(httpx)
    if cls is not None:
        return cls

    class RecordingStream(httpx.SyncByteStream):
        def __init__(self, inner: Any, capture: Capture, transport: "RecordingTransport") -> None:
            self._inner, self._capture, self._transport = inner, capture, transport
            self._decode = _decoder(capture.header("content-encoding"))

        def __iter__(self):
            cap, tr = self._capture, self._transport
            try:
                for data in self._inner:
                    cap.add(self._decode.decompress(data) if self._decode is not None else data)
                    if tr.on_read is not None:
                        tr.on_read(cap)
                    yield data
                    if tr.max_duration is not None and cap.elapsed > tr.max_duration:
                        cap.error = f"maximum duration reached ({tr.max_duration:g} s); the recording was stopped"
                        raise RecordingStopped(cap.error)
                if self._decode is not None:
                    cap.add(self._decode.flush())
                cap.complete = True
            except RecordingStopped:
                raise
            except BaseException as exc:
                if cap.error is None:
                    timed_out = "Timeout" in type(exc).__name__
                    if timed_out and tr.max_duration is not None and cap.elapsed >= tr.max_duration * 0.99:
                        cap.error = f"maximum duration reached ({tr.max_duration:g} s); the recording was stopped"
                    else:
                        cap.error = _describe(exc, tr.idle_timeout)
                raise
            finally:
                cap.finished = time.monotonic()

        def close(self) -> None:
            if self._capture.finished is None:
                self._capture.finished = time.monotonic()
                if self._capture.error is None and not self._capture.complete:
                    self._capture.error = "the client stopped reading before the end of the body"
            if hasattr(self._inner, "close"):
                self._inner.close()

    _STREAM_CLASSES[httpx] = RecordingStream
    return RecordingStream


def _describe(exc: BaseException, idle_timeout: float | None) -> str:
    name = type(exc).__name__
    if "Timeout" in name and idle_timeout is not None:
        return f"idle timeout: no data for {idle_timeout:g} s ({name})"
    text = " ".join(str(exc).split())
    from .secrets import redact_text  # noqa: PLC0415

    return redact_text(f"{name}: {text}" if text else name)


class RecordingTransport:
    """An httpx transport (``httpx`` or ``httpx2``, whichever the SDK uses) that wraps the
    real one and records each exchange: the request as sent, the status and headers, every
    read of the body with its byte offset and time. ``exchanges`` lists the captures."""

    def __init__(self, inner: Any, *, idle_timeout: float | None = None, max_duration: float | None = None,
                 on_read: Callable[[Capture], None] | None = None) -> None:
        self.inner = inner
        self.idle_timeout = idle_timeout
        self.max_duration = max_duration
        self.on_read = on_read
        self.exchanges: list[Capture] = []

    def handle_request(self, request: Any) -> Any:
        httpx = sys.modules[type(request).__module__.split(".")[0]]
        request.headers["accept-encoding"] = "identity"  # record the body as sent, not compressed
        body = request.read() if hasattr(request, "read") else b""
        cap = Capture(request.method, str(request.url),
                      [(k.decode("latin-1") if isinstance(k, bytes) else k, v.decode("latin-1") if isinstance(v, bytes) else v)
                       for k, v in request.headers.raw], bytes(body or b""))
        self.exchanges.append(cap)
        try:
            response = self.inner.handle_request(request)
        except BaseException as exc:
            cap.error = _describe(exc, self.idle_timeout)
            cap.finished = time.monotonic()
            raise
        cap.status = response.status_code
        cap.response_headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw]
        response.stream = _stream_class(httpx)(response.stream, cap, self)
        return response

    def close(self) -> None:
        self.inner.close()

    def __enter__(self) -> "RecordingTransport":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


# -- from a capture to a trace -----------------------------------------------------------------


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:60].strip("_")


def _redacted_request(cap: Capture, extra) -> dict[str, Any]:
    from .secrets import redact_headers, redact_json, redact_text, redact_url  # noqa: PLC0415

    req: dict[str, Any] = {"method": cap.method, "url": redact_text(redact_url(cap.url), extra=extra),
                           "headers": {k: redact_text(v, extra=extra) for k, v in redact_headers(cap.request_headers).items()}}
    if cap.request_body:
        try:
            req["json"] = redact_json(json.loads(cap.request_body), extra=extra)
        except ValueError:
            req["body"] = redact_text(cap.request_body.decode("utf-8", "replace"), extra=extra)
    return req


def _response_headers(cap: Capture) -> dict[str, str]:
    from .secrets import redact_headers  # noqa: PLC0415

    return {k: v for k, v in redact_headers(cap.response_headers).items() if k not in HOP_BY_HOP}


def _versions(sdk: str | None) -> dict[str, str]:
    from . import __version__  # noqa: PLC0415

    out = {"kit_version": __version__}
    if sdk:
        try:
            out["sdk"] = f"{sdk} {importlib.import_module(sdk).__version__}"
        except (ImportError, AttributeError):
            pass
    return out


def trace_from_capture(cap: Capture, *, api: str, provider: str, base_url: str | None, model: str | None,
                       sdk: str | None = None, ident: str | None = None, extra=(), kind: str = "recorded") -> Any:
    """The :class:`kit.Trace` of a captured streamed response, redacted and classed."""
    from .replay import replay  # noqa: PLC0415
    from .secrets import redact_text, redact_url  # noqa: PLC0415
    from .trace import Trace  # noqa: PLC0415

    body = bytes(cap.body)
    created = cap.started.strftime("%Y-%m-%dT%H:%M:%SZ")
    provenance: dict[str, Any] = {"kind": kind, "provider": provider, "model": model,
                                  "base_url": redact_text(redact_url(base_url), extra=extra) if base_url else None,
                                  "created": created, **_versions(sdk)}
    try:
        import httpx2 as _h  # noqa: PLC0415
    except ImportError:  # pragma: no cover - older SDKs use httpx
        _h = None
    if _h is not None:
        provenance["http_client"] = f"httpx2 {_h.__version__}"
    if cap.error:
        provenance["error"] = cap.error
    trace = Trace(id="recording", api=api, cls="y", body=body, reads=list(cap.reads) or None,
                  read_times=list(cap.read_times) or None, provenance=provenance,
                  request=_redacted_request(cap, extra),
                  response={"status": cap.status or 0, "headers": _response_headers(cap)},
                  truncated=cap.truncated)
    errors = replay(trace, chunking="whole").errors if body else ["empty"]
    trace.cls = "n" if cap.truncated or errors else "y"
    slug = _slug(ident) if ident else ""
    if slug[:2] in ("y_", "n_", "i_"):
        slug = slug[2:]
    if not slug:
        slug = f"{_slug(model or provider) or 'stream'}_{cap.started.strftime('%Y%m%d_%H%M%S')}"
    trace.id = f"{trace.cls}_{slug}"
    what = f"{api} stream recorded from {provider} ({model or 'model unknown'}) on {created[:10]}"
    if cap.truncated:
        what += f"; cut off after {len(body)} bytes: {cap.error or 'the body did not end'}"
    elif errors:
        what += f"; the reference reports errors: {', '.join(sorted({d.rule for d in errors}))}"
    trace.description = what
    return trace


def write_trace(trace: Any, *, out: str | Path | None = None, to: str | Path | None = None, extra=()) -> Path:
    """Scan, then write ``trace`` atomically (temp file + rename) to ``out``, or to
    ``to/<id>.json`` (``_2``, ``_3``... when taken). Raises :class:`kit.secrets.SecretFound`
    and writes nothing when a secret is in it."""
    from .secrets import guard  # noqa: PLC0415
    from .trace import from_json  # noqa: PLC0415

    doc = trace.to_json()
    from_json(doc, path=f"<recording {trace.id}>")  # the schema: never write a file the kit cannot load
    guard(doc, extra=extra, what=f"recording {trace.id}")
    if out is not None:
        path = Path(out)
    else:
        folder = Path(to if to is not None else DEFAULT_DIR)
        path = folder / f"{trace.id}.json"
        n = 1
        while path.exists():
            n += 1
            path = folder / f"{trace.id}_{n}.json"
        if n > 1:
            trace.id = f"{trace.id}_{n}"
            doc["id"] = trace.id
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise unwritable(path.as_posix(), exc) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        raise unwritable(path.as_posix(), exc) from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


# -- progress ----------------------------------------------------------------------------------


class Progress:
    """One line on stderr while recording: bytes, reads, seconds (rewritten in place on a
    terminal, about once a second otherwise)."""

    def __init__(self, stream: Any = None, label: str = "recording") -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.label = label
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last = 0.0
        self._lock = threading.Lock()

    def line(self, cap: Capture) -> str:
        return f"kit record: {self.label}: {len(cap.body):,} bytes, {len(cap.reads)} reads, {cap.elapsed:.1f} s"

    def __call__(self, cap: Capture) -> None:
        if not cap.is_stream:
            return  # an error body, not a recording
        now = time.monotonic()
        with self._lock:
            if now - self._last < (0.1 if self.tty else 1.0):
                return
            self._last = now
            self.stream.write(("\r" + self.line(cap) + "\x1b[K") if self.tty else self.line(cap) + "\n")
            self.stream.flush()

    def done(self, cap: Capture, what: str) -> None:
        with self._lock:
            end = "\r\x1b[K" if self.tty else ""
            self.stream.write(f"{end}{self.line(cap)}: {what}\n")
            self.stream.flush()


# -- one request through the SDK ---------------------------------------------------------------


def _sdk_httpx(sdk: str) -> Any:
    """The httpx module the SDK takes as ``http_client`` (``httpx2`` for openai >= 3). The
    google-genai SDK (``google.genai``) takes a client of either as ``HttpOptions(httpx_client=...)``:
    plain httpx where it is installed."""
    if sdk == "google.genai":
        importlib.import_module(sdk)  # the SDK itself must be there, as for the others
        for name in ("httpx", "httpx2"):
            try:
                return importlib.import_module(name)
            except ImportError:
                continue
        raise UsageError("the google-genai SDK is installed without httpx or httpx2")
    base = importlib.import_module(f"{sdk}._base_client")
    mod = getattr(base, "httpx2", None) or getattr(base, "httpx", None)
    if mod is None:  # pragma: no cover - every SDK version has one of them
        raise UsageError(f"cannot tell which httpx module the {sdk} SDK uses")
    return mod


def _chat_tool_to(api: str, tool: dict[str, Any]) -> dict[str, Any]:
    """A Chat Completions function tool in another API's shape; other tools unchanged."""
    fn = tool.get("function") if tool.get("type") == "function" else None
    if not isinstance(fn, dict):
        return tool
    if api == GEMINI:  # a FunctionDeclaration; no parameters for none (an empty OBJECT schema is refused)
        decl = {"name": fn.get("name"), "description": fn.get("description", "")}
        params = fn.get("parameters")
        if isinstance(params, dict) and (params.get("properties") or params.get("type") != "object"):
            decl["parameters"] = params
        return decl
    if api == "openai.responses":
        return {"type": "function", "name": fn.get("name"), "description": fn.get("description", ""),
                "parameters": fn.get("parameters", {"type": "object", "properties": {}})}
    if api == "anthropic.messages":
        return {"name": fn.get("name"), "description": fn.get("description", ""),
                "input_schema": fn.get("parameters", {"type": "object", "properties": {}})}
    return tool


def _gemini_tools(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Gemini's ``tools``: the Chat function tools as one ``{"functionDeclarations": [...]}``
    tool; anything else (``{"googleSearch": {}}``, a whole Gemini tool) as it is."""
    converted = [_chat_tool_to(GEMINI, t) for t in items]
    decls = [d for t, d in zip(items, converted) if d is not t]
    rest = [t for t, d in zip(items, converted) if d is t]
    return ([{"functionDeclarations": decls}] if decls else []) + rest


def build_request(api: str, *, model: str | None, prompt: str | None = None, tools: str | None = None,
                  request: str | None = None, max_tokens: int | None = None, provider: str = "openai") -> dict[str, Any]:
    """The JSON body of the streaming request (``stream`` forced on).

    Gemini streams by its endpoint (``:streamGenerateContent?alt=sse``), not by a field, and
    names the model in the URL: its body has no ``stream``, and ``model`` here is where the
    request takes the URL's model from (it is not sent in the body). ``max_tokens``:
    Anthropic's ``max_tokens`` (default 1024, the field is required), Gemini's
    ``generationConfig.maxOutputTokens`` when given (Gemini 2.5 counts thinking in it: a low
    default would cut the answer)."""
    if (prompt is None) == (request is None):
        raise UsageError("give --prompt TEXT or --request FILE (one of them)")
    if request is not None:
        if tools is not None:
            raise UsageError("--tools goes with --prompt; put the tools in the --request file")
        body = read_json(request)
        if not isinstance(body, dict):
            raise TraceError("a JSON object (the request body) expected", path=request, pointer="")
        body = dict(body)
        if model:
            body["model"] = model
        if not body.get("model"):
            raise UsageError("give --model (the --request file has no \"model\")")
        if api == "anthropic.messages":
            body.setdefault("max_tokens", max_tokens or ANTHROPIC_MAX_TOKENS)
        if api != GEMINI:
            body["stream"] = True
        return body
    if not model:
        raise UsageError("give --model")
    if api == "openai.chat.completions":
        body = {"model": model, "messages": [{"role": "user", "content": prompt}], "stream": True}
        if provider in ("openai", "azure", "openrouter"):
            body["stream_options"] = {"include_usage": True}
    elif api == "openai.responses":
        body = {"model": model, "input": prompt, "stream": True}
    elif api == GEMINI:
        body = {"model": model, "contents": [{"role": "user", "parts": [{"text": prompt}]}]}
        if max_tokens is not None:
            body["generationConfig"] = {"maxOutputTokens": max_tokens}
    else:
        body = {"model": model, "max_tokens": max_tokens or ANTHROPIC_MAX_TOKENS,
                "messages": [{"role": "user", "content": prompt}], "stream": True}
    if tools is not None:
        doc = read_json(tools)
        items = doc.get("tools") if isinstance(doc, dict) else doc
        if not isinstance(items, list) or not all(isinstance(t, dict) for t in items):
            raise TraceError("a JSON list of tools (or {\"tools\": [...]}) expected", path=tools, pointer="")
        body["tools"] = _gemini_tools(items) if api == GEMINI else [_chat_tool_to(api, t) for t in items]
    return body


def _check_pairing(provider: Provider, api: str) -> None:
    """A provider records its own APIs: Gemini's presets Gemini, the SDK presets theirs."""
    if provider.sdk is None and api != GEMINI:
        raise UsageError(f"--provider {provider.name} records --api gemini, not {api}")
    if provider.sdk is not None and api == GEMINI:
        raise UsageError(f"--api gemini needs --provider gemini or vertex, not {provider.name}")
    if provider.sdk == "anthropic" and api != "anthropic.messages":
        raise UsageError(f"--provider anthropic records --api anthropic, not {api}")
    if provider.sdk == "openai" and api == "anthropic.messages":
        raise UsageError(f"--api anthropic needs --provider anthropic, not {provider.name}")


def _client(provider: Provider, api: str, *, base_url: str | None, api_version: str | None, http_client: Any,
            timeout: Any, headers: dict[str, str]) -> Any:
    key = provider.key()
    if key is None and provider.name != "compatible":
        raise UsageError(f"set {provider.key_names} (the API key of --provider {provider.name})")
    if provider.name == "compatible" and not (base_url or os.environ.get("OPENAI_BASE_URL")):
        raise UsageError("--provider compatible needs --base-url URL (the server's OpenAI-style base URL, .../v1)")
    common = dict(http_client=http_client, timeout=timeout, max_retries=0, default_headers=headers or None)
    try:
        sdk = importlib.import_module(provider.sdk)
    except ImportError:
        raise UsageError(f"--provider {provider.name} needs the {provider.sdk} package: pip install {provider.sdk}") from None
    if provider.name == "anthropic":
        if base_url and base_url.rstrip("/").endswith("/v1"):
            base_url = base_url.rstrip("/")[:-3]  # the anthropic SDK adds /v1/messages itself
        return sdk.Anthropic(api_key=key, base_url=base_url, **common)
    if provider.name == "azure":
        endpoint = base_url or os.environ.get("AZURE_OPENAI_ENDPOINT")
        if not endpoint:
            raise UsageError("--provider azure needs --base-url https://<resource>.openai.azure.com "
                             "(or AZURE_OPENAI_ENDPOINT)")
        version = api_version or os.environ.get("OPENAI_API_VERSION") or AZURE_API_VERSION
        return sdk.AzureOpenAI(api_key=key, azure_endpoint=endpoint, api_version=version, **common)
    return sdk.OpenAI(api_key=key or "kit-no-key", base_url=base_url or provider.base_url, **common)


def _create(client: Any, api: str, body: dict[str, Any]) -> Any:
    """``with_streaming_response.create(...)`` of the API's resource; fields the SDK's
    signature does not name go in ``extra_body``."""
    import inspect  # noqa: PLC0415

    resource = {"openai.chat.completions": lambda: client.chat.completions, "openai.responses": lambda: client.responses,
                "anthropic.messages": lambda: client.messages}[api]()
    create = resource.with_streaming_response.create
    named = set(inspect.signature(resource.create).parameters)
    kwargs = {k: v for k, v in body.items() if k in named}
    extra = {k: v for k, v in body.items() if k not in named}
    if extra:
        kwargs["extra_body"] = extra
    return create(**kwargs)


def _status_message(cap: Capture | None, exc: object) -> str:
    from .secrets import redact_text  # noqa: PLC0415

    detail = ""
    if cap is not None and cap.body:
        try:
            doc = json.loads(bytes(cap.body))
            err = doc.get("error") if isinstance(doc, dict) else None
            detail = (err.get("message") if isinstance(err, dict) else None) or json.dumps(doc)[:200]
        except ValueError:
            detail = bytes(cap.body[:200]).decode("utf-8", "replace")
    detail = detail or str(exc)
    return redact_text(" ".join(str(detail).split()))[:300]


def record_request(api: str, body: dict[str, Any], *, provider: str = "openai", base_url: str | None = None,
                   api_version: str | None = None, headers: dict[str, str] | None = None,
                   idle_timeout: float = 60.0, max_duration: float = 600.0, progress: Progress | None = None,
                   ident: str | None = None, extra=(), project: str | None = None,
                   location: str | None = None) -> Any:
    """Make the streaming request ``body`` through the SDK of ``provider`` and return the
    recorded :class:`kit.Trace` (not written). Raises :class:`RecordError` when nothing
    could be recorded (error status, no connection, not a stream). Gemini (``--provider
    gemini`` or ``vertex``) is one plain HTTP request instead (:func:`_record_google`)."""
    prov = PROVIDERS[provider]
    _check_pairing(prov, api)
    if prov.sdk is None:
        return _record_google(prov, body, base_url=base_url, api_version=api_version, project=project,
                              location=location, headers=dict(headers or {}), idle_timeout=idle_timeout,
                              max_duration=max_duration, progress=progress, ident=ident, extra=extra)
    try:
        httpx = _sdk_httpx(prov.sdk)
    except ImportError:
        raise UsageError(f"--provider {provider} needs the {prov.sdk} package: pip install {prov.sdk}") from None
    read = min(idle_timeout, max_duration)
    timeout = httpx.Timeout(connect=min(30.0, max_duration), read=read, write=30.0, pool=30.0)
    transport = RecordingTransport(httpx.HTTPTransport(), idle_timeout=idle_timeout, max_duration=max_duration,
                                   on_read=progress)
    with httpx.Client(transport=transport, timeout=timeout) as http_client:
        client = _client(prov, api, base_url=base_url, api_version=api_version, http_client=http_client,
                         timeout=timeout, headers=dict(headers or {}))
        sdk = importlib.import_module(prov.sdk)
        try:
            with _create(client, api, body) as response:
                try:
                    for _ in response.iter_bytes():
                        pass
                except (RecordingStopped, Exception):  # noqa: BLE001 - kept: the capture says what happened
                    pass
        except sdk.APIStatusError as exc:
            cap = transport.exchanges[-1] if transport.exchanges else None
            raise RecordError(f"{_where(cap, base_url)} answered HTTP {exc.status_code}: {_status_message(cap, exc)}; "
                              "nothing recorded") from None
        except sdk.APIConnectionError as exc:
            raise _no_response(transport, base_url, exc) from None
    cap = _stream_capture(transport, base_url)
    base = str(client.base_url)
    trace = trace_from_capture(cap, api=api, provider=provider, base_url=base, model=body.get("model"),
                               sdk=prov.sdk, ident=ident, extra=extra)
    if progress is not None:
        progress.done(cap, "cut off: " + cap.error if cap.truncated else "complete")
    return trace


def google_url(provider: Provider, model: str, *, base_url: str | None = None, api_version: str | None = None,
               project: str | None = None, location: str | None = None) -> tuple[str, str]:
    """The ``streamGenerateContent?alt=sse`` URL of ``model`` and the base URL it is under:
    the Gemini API's ``{base}/v1beta/models/{model}:…``, or Vertex AI's
    ``{base}/v1/projects/{project}/locations/{location}/publishers/google/models/{model}:…``
    (base ``https://{location}-aiplatform.googleapis.com``, ``https://aiplatform.googleapis.com``
    for the global location). Project and location come from the arguments, else
    GOOGLE_CLOUD_PROJECT and GOOGLE_CLOUD_LOCATION (google-genai's variables), the location
    defaulting to ``global``."""
    from urllib.parse import quote  # noqa: PLC0415

    name = quote(model[len("models/"):] if model.startswith("models/") else model, safe="-._~@")
    if provider.name == "gemini":
        base = (base_url or provider.base_url or "").rstrip("/")
        return f"{base}/{api_version or GEMINI_API_VERSION}/models/{name}:streamGenerateContent?alt=sse", base
    project = project or os.environ.get("GOOGLE_CLOUD_PROJECT")
    if not project:
        raise UsageError("--provider vertex needs --project ID (or GOOGLE_CLOUD_PROJECT)")
    location = location or os.environ.get("GOOGLE_CLOUD_LOCATION") or VERTEX_LOCATION
    host = "aiplatform.googleapis.com" if location == "global" else f"{location}-aiplatform.googleapis.com"
    base = (base_url or f"https://{host}").rstrip("/")
    path = (f"projects/{quote(project, safe='')}/locations/{quote(location, safe='')}/publishers/google/models/"
            f"{name}:streamGenerateContent?alt=sse")
    return f"{base}/{api_version or VERTEX_API_VERSION}/{path}", base


def _plain_httpx() -> Any:
    """The httpx module for a request without an SDK: the one the openai SDK brings (a kit
    dependency), else plain httpx."""
    try:
        return _sdk_httpx("openai")
    except ImportError:  # pragma: no cover - openai is a dependency
        import httpx as mod  # noqa: PLC0415

        return mod


def _record_google(provider: Provider, body: dict[str, Any], *, base_url: str | None, api_version: str | None,
                   project: str | None, location: str | None, headers: dict[str, str], idle_timeout: float,
                   max_duration: float, progress: Progress | None, ident: str | None, extra) -> Any:
    """One Gemini streaming request over plain HTTP, recorded by the same transport hook as
    the SDKs' requests: the key in ``x-goog-api-key`` (Gemini API) or a bearer token
    (Vertex AI), never in the URL; the model in the URL, not in the body."""
    key = provider.key()
    if key is None:
        hint = " (e.g. $(gcloud auth print-access-token))" if provider.name == "vertex" else ""
        raise UsageError(f"set {provider.key_names}{hint} (the {'access token' if hint else 'API key'} of "
                         f"--provider {provider.name})")
    model = body.get("model")
    wire = {k: v for k, v in body.items() if k != "model"}
    url, base = google_url(provider, str(model), base_url=base_url, api_version=api_version, project=project,
                           location=location)
    auth = {"x-goog-api-key": key} if provider.name == "gemini" else {"authorization": f"Bearer {key}"}
    httpx = _plain_httpx()
    timeout = httpx.Timeout(connect=min(30.0, max_duration), read=min(idle_timeout, max_duration), write=30.0, pool=30.0)
    transport = RecordingTransport(httpx.HTTPTransport(), idle_timeout=idle_timeout, max_duration=max_duration,
                                   on_read=progress)
    with httpx.Client(transport=transport, timeout=timeout) as client:
        try:
            with client.stream("POST", url, json=wire, headers={**auth, **headers}) as response:
                if response.status_code >= 400:
                    try:
                        response.read()
                    except Exception:  # noqa: BLE001 - the status says enough
                        pass
                    cap = transport.exchanges[-1]
                    raise RecordError(f"{_where(cap, url)} answered HTTP {response.status_code}: "
                                      f"{_status_message(cap, response.reason_phrase)}; nothing recorded")
                try:
                    for _ in response.iter_bytes():
                        pass
                except (RecordingStopped, Exception):  # noqa: BLE001 - kept: the capture says what happened
                    pass
        except httpx.TransportError as exc:
            raise _no_response(transport, url, exc) from None
    cap = _stream_capture(transport, url)
    trace = trace_from_capture(cap, api=GEMINI, provider=provider.name, base_url=base, model=str(model), sdk=None,
                               ident=ident, extra=extra)
    trace.provenance["notes"] = "recorded over plain HTTP (no SDK: google-genai is not a kit dependency)"
    if progress is not None:
        progress.done(cap, "cut off: " + cap.error if cap.truncated else "complete")
    return trace


def _no_response(transport: RecordingTransport, url: str | None, exc: BaseException) -> RecordError:
    """The error of a request that got no response: where, and why (the transport's words)."""
    cap = transport.exchanges[-1] if transport.exchanges else None
    why = cap.error if cap is not None and cap.error else type(exc).__name__
    return RecordError(f"{_where(cap, url)}: no response ({why}); nothing recorded")


def _stream_capture(transport: RecordingTransport, url: str | None) -> Capture:
    """The request's capture; an error when the answer was not a stream."""
    cap = transport.exchanges[-1]
    if not cap.is_stream:
        raise RecordError(f"{_where(cap, url)} answered {cap.status} with content-type "
                          f"{cap.header('content-type') or '(none)'}, not a stream; nothing recorded")
    return cap


def _where(cap: Capture | None, base_url: str | None) -> str:
    from .secrets import redact_url  # noqa: PLC0415

    return redact_url(cap.url if cap is not None else (base_url or "the server"))


# -- the recording proxy -----------------------------------------------------------------------


def _api_of(path: str, body: bytes) -> str | None:
    from .trace import api_from_path, detect_api  # noqa: PLC0415

    return api_from_path(path) or detect_api(body)


def _provider_of(upstream: str) -> str:
    host = (re.match(r"^[a-z]+://([^/:]+)", upstream.lower()) or [None, ""])[1]
    for needle, name in (("openai.azure.com", "azure"), ("api.openai.com", "openai"), ("anthropic.com", "anthropic"),
                         ("openrouter.ai", "openrouter"), ("generativelanguage.googleapis.com", "gemini"),
                         ("aiplatform.googleapis.com", "vertex")):
        if host.endswith(needle):
            return name
    return "compatible"


class RecordingProxy(LoopbackServer):
    """A loopback HTTP proxy to ``upstream``: every request is forwarded (``upstream`` +
    the request's path), the response streamed back read by read as it arrives, and each
    streamed (``text/event-stream``) response written as a trace into ``to``.

    ``written`` lists the paths written, ``refused`` the :class:`kit.secrets.SecretFound`
    of responses not written; ``echo`` gets one line per trace."""

    def __init__(self, upstream: str, *, host: str = "127.0.0.1", port: int = 0, to: str | Path = DEFAULT_DIR,
                 idle_timeout: float = 60.0, max_duration: float = 600.0, extra=(),
                 echo: Callable[[str], None] | None = None, max_requests: int | None = None) -> None:
        if not re.match(r"^https?://[^/]+", upstream):
            raise UsageError(f"--upstream {upstream!r}: an http:// or https:// URL expected")
        from .secrets import compile_extra  # noqa: PLC0415

        compile_extra(extra)  # a bad regex is a usage error now, not at the first request
        self.upstream = upstream.rstrip("/")
        self.host, self.port, self.to = host, port, Path(to)
        self.idle_timeout, self.max_duration, self.extra = idle_timeout, max_duration, tuple(extra)
        self.echo = echo or (lambda line: None)
        self.max_requests = max_requests
        self.provider = _provider_of(upstream)
        self.written: list[Path] = []
        self.refused: list[KitError] = []
        self.handled = 0
        self._lock = threading.Lock()
        self.done = threading.Event()
        self._httpx = None

    def start(self) -> "RecordingProxy":
        try:
            self._httpx = _sdk_httpx("openai")
        except ImportError:  # pragma: no cover - openai is a dependency
            import httpx as mod  # noqa: PLC0415

            self._httpx = mod
        return self._listen(type("Handler", (_ProxyHandler,), {"proxy": self}), "kit record --proxy")

    def _finished(self, cap: Capture, path: str, body: bytes) -> None:
        """A response has ended (or been cut off): write it when it was a stream."""
        if cap.is_stream and cap.status is not None and cap.status < 400:
            from .importers import model_of  # noqa: PLC0415

            api = _api_of(path, bytes(cap.body))
            try:
                doc = json.loads(body) if body else None
            except ValueError:
                doc = None
            model = model_of(path, doc)  # the body's, or (Gemini) the path's
            if api is None:
                self.echo(f"kit record: {cap.method} {path}: a stream of an unknown API; not written")
            else:
                with self._lock:
                    self._write(cap, api, model)
        with self._lock:
            self.handled += 1
            if self.max_requests is not None and self.handled >= self.max_requests:
                self.done.set()

    def _write(self, cap: Capture, api: str, model: str | None) -> None:
        trace = trace_from_capture(cap, api=api, provider=self.provider, base_url=self.upstream, model=model,
                                   sdk=None, extra=self.extra)
        trace.provenance["notes"] = "recorded through kit record --proxy"
        try:
            p = write_trace(trace, to=self.to, extra=self.extra)
        except KitError as exc:
            self.refused.append(exc)
            self.echo(f"kit: {exc.one_line()}")
            return
        self.written.append(p)
        state = f"cut off: {cap.error}" if cap.truncated else "complete"
        self.echo(f"kit record: {p.as_posix()} ({api}, {len(cap.body)} bytes in {len(cap.reads)} reads, "
                  f"{cap.elapsed:.1f} s, {state})")


def _proxy_handler_base():
    from http.server import BaseHTTPRequestHandler  # noqa: PLC0415

    return BaseHTTPRequestHandler


class _ProxyHandler(_proxy_handler_base()):  # type: ignore[misc]
    protocol_version = "HTTP/1.1"
    proxy: RecordingProxy

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("transfer-encoding") or "").lower():
            out = bytearray()
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return bytes(out)
                out += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("content-length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _forward(self) -> None:
        px = self.proxy
        httpx = px._httpx
        body = self._read_body()
        headers = [(k, v) for k, v in self.headers.items()
                   if k.lower() not in HOP_BY_HOP and k.lower() not in ("host", "content-length")]
        url = px.upstream + self.path
        timeout = httpx.Timeout(connect=min(30.0, px.max_duration), read=min(px.idle_timeout, px.max_duration),
                                write=30.0, pool=30.0)
        transport = RecordingTransport(httpx.HTTPTransport(), idle_timeout=px.idle_timeout,
                                       max_duration=px.max_duration)
        self.close_connection = True
        with httpx.Client(transport=transport, timeout=timeout) as client:
            try:
                response = client.send(client.build_request(self.command, url, headers=headers, content=body),
                                       stream=True)
            except Exception as exc:  # noqa: BLE001 - the upstream could not be reached: a 502, as proxies do
                cap = transport.exchanges[-1] if transport.exchanges else None
                why = cap.error if cap is not None and cap.error else type(exc).__name__
                msg = json.dumps({"error": {"type": "proxy_error", "message": f"kit record --proxy: {why}"}}).encode()
                self.send_response(502)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(msg)))
                self.send_header("connection", "close")
                self.end_headers()
                self.wfile.write(msg)
                if cap is not None:
                    px._finished(cap, self.path, body)
                return
            cap = transport.exchanges[-1]
            try:
                self._relay(response)
            finally:
                response.close()
                px._finished(cap, self.path, body)

    def _relay(self, response: Any) -> None:
        length = response.headers.get("content-length")
        chunked = length is None or "chunked" in (response.headers.get("transfer-encoding") or "").lower()
        self.send_response_only(response.status_code, response.reason_phrase or None)
        for k, v in response.headers.multi_items():
            if k.lower() in HOP_BY_HOP or (chunked and k.lower() == "content-length"):
                continue
            self.send_header(k, v)
        if chunked:
            self.send_header("transfer-encoding", "chunked")
        self.send_header("connection", "close")
        self.end_headers()
        self.wfile.flush()
        try:
            for data in response.iter_raw():
                if not data:
                    continue
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n" if chunked else data)
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return  # the client went away
        except Exception:  # noqa: BLE001 - the upstream broke off: break off too, as it did
            self._abort()
            return
        if chunked:
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()

    def _abort(self) -> None:
        import socket  # noqa: PLC0415

        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    do_POST = do_GET = do_PUT = do_PATCH = do_DELETE = _forward  # noqa: N815


# -- the command -------------------------------------------------------------------------------

RECORD_EXIT_CODES = """\b
Exit codes:
  0   recorded and written (a stream cut off mid-way too: kept, truncated, n_)
  1   nothing recorded: an HTTP error status, no connection, not a stream
  2   usage error (bad option, missing key variable, an output path that cannot be written)
  3   the --request or --tools file could not be loaded (missing, not JSON, wrong shape)
  5   a secret survived redaction: nothing written (the message names the field and pattern)
  70  internal error (a bug in the kit; KIT_DEBUG=1 shows the traceback)
"""


def _header(value: str) -> tuple[str, str]:
    name, sep, val = value.partition(":")
    if not sep or not name.strip():
        raise UsageError(f"--header {value!r}: NAME: VALUE expected")
    return name.strip(), val.strip()


@click.command(epilog=RECORD_EXIT_CODES, context_settings={"help_option_names": ["-h", "--help"]})
@api_option(help="Wire API of the request")
@click.option("--model", "-m", metavar="M", help="The model (overrides the --request file's).")
@click.option("--prompt", "-p", metavar="TEXT", help="The user message.")
@click.option("--tools", metavar="FILE", help="JSON list of tools (the API's shape; Chat function tools are converted).")
@click.option("--request", "request_file", metavar="FILE", help="A whole JSON request body instead of --prompt.")
@click.option("--provider", type=click.Choice(sorted(PROVIDERS)),
              help="Preset: base URL and key variable (default: openai; anthropic for --api anthropic; gemini for "
                   "--api gemini, vertex for Vertex AI).")
@click.option("--base-url", metavar="URL", help="The API's base URL (compatible servers; Azure: the resource endpoint; "
                                                "Gemini, Vertex AI: the root the versioned path goes under).")
@click.option("--api-version", metavar="V", help=f"Azure OpenAI api-version (default: OPENAI_API_VERSION or {AZURE_API_VERSION}); "
                                                 f"Gemini: the path's version ({GEMINI_API_VERSION}; Vertex AI {VERTEX_API_VERSION}).")
@click.option("--project", metavar="ID", help="Vertex AI: the Google Cloud project (default: GOOGLE_CLOUD_PROJECT).")
@click.option("--location", metavar="L", help=f"Vertex AI: the location (default: GOOGLE_CLOUD_LOCATION or {VERTEX_LOCATION}).")
@click.option("--header", "headers", multiple=True, metavar="'NAME: VALUE'", help="An extra request header (repeatable).")
@click.option("--max-tokens", type=click.IntRange(1), metavar="N",
              help=f"Anthropic's max_tokens (default {ANTHROPIC_MAX_TOKENS}); Gemini's generationConfig.maxOutputTokens "
                   "(default: the model's).")
@click.option("--out", "-o", metavar="FILE", help="Write the trace to FILE.")
@click.option("--to", "to", metavar="DIR", help=f"Write the trace to DIR/<id>.json (default {DEFAULT_DIR}).")
@click.option("--id", "ident", metavar="ID", help="Trace id slug (default: the model and the time); the class prefix is added.")
@click.option("--idle-timeout", type=click.FloatRange(min=0, min_open=True), default=60.0, show_default=True,
              metavar="S", help="Stop when no byte arrives for S seconds (the trace is kept, truncated).")
@click.option("--max-duration", type=click.FloatRange(min=0, min_open=True), default=600.0, show_default=True,
              metavar="S", help="Stop after S seconds (the trace is kept, truncated).")
@click.option("--redact-extra", "redact_extra", multiple=True, metavar="REGEX",
              help="Another secret pattern: redacted from the request, refused in the response (repeatable).")
@click.option("--proxy", is_flag=True, help="Run a recording proxy to --upstream instead of making one request.")
@click.option("--upstream", metavar="URL", help="With --proxy: where to forward (e.g. https://api.openai.com).")
@click.option("--host", default="127.0.0.1", show_default=True, help="With --proxy: the address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8788, show_default=True,
              help="With --proxy: the port (0: a free one).")
@click.option("--max-requests", type=click.IntRange(1), metavar="N", help="With --proxy: stop after N requests.")
def record(api, model, prompt, tools, request_file, provider, base_url, api_version, project, location, headers,
           max_tokens, out, to, ident, idle_timeout, max_duration, redact_extra, proxy, upstream, host, port,
           max_requests) -> None:
    """Record one real streaming response as a trace file (or, with --proxy, every
    streamed response of any client pointed at a local proxy).

    \b
      kit record --api chat --model gpt-4o-mini --prompt "Weather in Oslo?" --tools tools.json
      kit record --api anthropic --model claude-sonnet-4-5 --prompt "Hi"
      kit record --api gemini --model gemini-2.5-flash --prompt "Weather in Oslo?" --tools tools.json
      kit record --proxy --upstream https://api.openai.com --to traces-recorded/

    The key comes from OPENAI_API_KEY, AZURE_OPENAI_API_KEY, OPENROUTER_API_KEY,
    ANTHROPIC_API_KEY, GOOGLE_API_KEY or GEMINI_API_KEY (Vertex AI: an access token in
    GOOGLE_CLOUD_ACCESS_TOKEN). The request and headers are redacted, the whole file is
    scanned for secrets before it is written (atomically), and the path is printed.
    """
    from .secrets import compile_extra  # noqa: PLC0415

    compile_extra(redact_extra)
    if out and to:
        raise UsageError("give --out FILE or --to DIR, not both")
    if proxy:
        _run_proxy(upstream, host, port, to or DEFAULT_DIR, idle_timeout, max_duration, redact_extra, max_requests,
                   given={"--api": api, "--model": model, "--prompt": prompt, "--request": request_file,
                          "--out": out, "--id": ident, "--base-url": base_url, "--project": project,
                          "--location": location})
        return
    if upstream:
        raise UsageError("--upstream goes with --proxy")
    if api is None:
        raise UsageError("give --api chat|responses|anthropic|gemini (or --proxy)")
    wire = api  # the full name (the option converts short names)
    provider = provider or {"anthropic.messages": "anthropic", GEMINI: "gemini"}.get(wire, "openai")
    if (project or location) and provider != "vertex":
        raise UsageError(f"--{'project' if project else 'location'} goes with --provider vertex")
    body = build_request(wire, model=model, prompt=prompt, tools=tools, request=request_file, max_tokens=max_tokens,
                         provider=provider)
    progress = Progress()
    trace = record_request(wire, body, provider=provider, base_url=base_url, api_version=api_version,
                           headers=dict(_header(h) for h in headers), idle_timeout=idle_timeout,
                           max_duration=max_duration, progress=progress, ident=ident, extra=redact_extra,
                           project=project, location=location)
    path = write_trace(trace, out=out, to=to, extra=redact_extra)
    click.echo(path.as_posix())


def _run_proxy(upstream, host, port, to, idle_timeout, max_duration, extra, max_requests, given) -> None:
    if not upstream:
        raise UsageError("--proxy needs --upstream URL (e.g. https://api.openai.com)")
    stray = [k for k, v in given.items() if v]
    if stray:
        raise UsageError(f"{stray[0]} does not go with --proxy (the clients make the requests)")
    px = RecordingProxy(upstream, host=host, port=port, to=to, idle_timeout=idle_timeout, max_duration=max_duration,
                        extra=extra, echo=lambda line: click.echo(line, err=line.startswith("kit: ")),
                        max_requests=max_requests)
    px.start()
    example = px.base_url if px.provider in ("gemini", "vertex") else f"{px.base_url}/v1"  # Google's clients add the version
    click.echo(f"kit record: proxy on {px.base_url} -> {px.upstream}; point your client's base URL at it "
               f"(e.g. {example}); traces go to {Path(to).as_posix()}/; Ctrl-C stops", err=True)
    try:
        while not px.done.wait(0.2):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        px.stop()
    click.echo(f"kit record: {len(px.written)} trace(s) written, {len(px.refused)} refused", err=True)
