"""``kit import SOURCE... --to DIR``: existing recordings -> trace files, one per streaming
interaction.

Sources:

- **VCR cassettes**: vcrpy's YAML and JSON serializers (pytest-recording keeps them as
  ``cassettes/<module>/<test>.yaml``), Ruby VCR's ``http_interactions`` and go-vcr's YAML
  (``request.url``, ``response.code`` beside a ``status`` string such as ``200 OK``). The
  response body as recorded (a string, ``!!binary`` bytes or ``base64_string``), decompressed
  when its ``content-encoding`` says gzip or deflate. YAML is loaded with a safe loader (PyYAML,
  the ``import`` extra): no tag can construct an object.
- **HAR files** (HTTP Archive 1.2): ``log.entries[].response.content`` (``text``, with
  ``encoding: base64``).
- **raw ``.sse`` bodies**, a file or a folder of them.

An interaction is a stream when its response is ``text/event-stream`` or its body looks
like SSE; the others are skipped, and said so. The API comes from the request path
(``/chat/completions``, ``/responses``, ``/messages``, Gemini's and Vertex AI's
``…/models/<model>:streamGenerateContent``), else ``--api``, else the body. The provider
comes from the host, the model from the request body (Gemini: from the path). The
class from a ``y_`` / ``n_`` / ``i_`` name prefix, else ``--class`` (``auto``: ``y`` when
the reference replays it without error diagnostics, else ``n``); a trace must behave as
its class says. No read boundaries are known, so ``reads`` stays absent (the ``recorded``
chunk plan cuts by event). The request (method, URL, headers, body) and the response
headers are redacted, the whole trace goes through :func:`kit.secrets.guard` (a trace in
which a key survives is skipped, not written), a body already in DIR is skipped, and each
trace is written atomically under a fresh id (``<class>_<cassette name>_<interaction>``,
unique in DIR) with provenance ``imported``.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import json
import re
import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

from ._options import api_option
from .errors import KitError, TraceError, UsageError, missing, not_json, unreadable

__all__ = ["Found", "Outcome", "ImportReport", "import_sources", "import_command"]

FORMATS = ("vcr", "har", "sse")
CLASSES = ("y", "n", "i", "auto")
SUFFIXES = (".yaml", ".yml", ".json", ".har", ".sse")
INSTALL_HINT = "pip install 'toolstream-kit[import]'"

# response headers that describe the bytes on the wire, not the (decoded) body the trace keeps
_WIRE_HEADERS = {"content-encoding", "content-length", "transfer-encoding"}
_SSE_FIELD = re.compile(rb"^(data|event|id|retry)\s*:|^:", re.M)


@dataclass
class Found:
    """One streaming interaction read from a source, before it becomes a trace."""

    source: str                    # the file name (provenance keeps nothing more)
    label: str                     # how the summary names it: "<path> interaction N"
    format: str                    # vcr | har | sse
    interaction: int | None
    name: str                      # the id's slug comes from this
    body: bytes
    path_api: str | None = None    # the API the request path says
    request: dict[str, Any] | None = None
    response: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # more provenance: provider, model


@dataclass
class Outcome:
    label: str
    imported: bool
    reason: str = ""               # why it was skipped
    kind: str = ""                 # not streaming | unknown API | secret found | duplicate | class | ...
    path: Path | None = None
    api: str | None = None
    id: str | None = None


@dataclass
class ImportReport:
    outcomes: list[Outcome] = field(default_factory=list)
    dry_run: bool = False

    @property
    def imported(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.imported]

    @property
    def skipped(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.imported]

    @property
    def exit_code(self) -> int:
        """5 a trace was skipped because a secret survived redaction; 1 another stream was
        not imported, or there was no stream at all; else 0."""
        if any(o.kind == "secret found" for o in self.outcomes):
            return 5
        if self.failed or not any(o.imported or o.kind == "duplicate" for o in self.outcomes):
            return 1
        return 0

    @property
    def failed(self) -> list[Outcome]:
        """Streams that were not imported for a reason other than already being there."""
        return [o for o in self.skipped if o.kind not in ("not streaming", "duplicate", "not a recording")]

    def lines(self) -> list[str]:
        verb = "would import" if self.dry_run else "imported"
        out = []
        for o in self.outcomes:
            if o.imported:
                out.append(f"{verb}: {o.path.as_posix() if o.path else o.id} ({o.api}, from {o.label})")
            else:
                out.append(f"skipped: {o.label}: {o.reason}")
        kinds: dict[str, int] = {}
        for o in self.skipped:
            kinds[o.kind] = kinds.get(o.kind, 0) + 1
        tail = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
        out.append(f"{len(self.imported)} {verb}, {len(self.skipped)} skipped" + (f" ({tail})" if tail else "")
                   + (" (dry run: nothing written)" if self.dry_run else ""))
        return out


class _Skip(Exception):
    def __init__(self, kind: str, reason: str):
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


# -- reading sources ---------------------------------------------------------------------------


def _files(source: str) -> list[tuple[Path, bool]]:
    """The files of a source, each with whether the user named it (a folder's files that
    are not recordings are skipped; a named one is an error)."""
    p = Path(source)
    if not p.exists():
        raise missing(source)
    if p.is_file():
        return [(p, True)]
    files = sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUFFIXES
                   and not any(part.startswith(".") for part in f.relative_to(p).parts))
    return [(f, False) for f in files]


def _looks_like_sse(body: bytes) -> bool:
    head = body[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    return bool(head) and _SSE_FIELD.match(head) is not None


def _sniff(path: Path, raw: bytes) -> str | None:
    suffix = path.suffix.lower()
    if suffix == ".sse":
        return "sse"
    if suffix in (".yaml", ".yml"):
        return "yaml"
    if suffix in (".json", ".har"):
        return "json"
    head = raw[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if _looks_like_sse(raw):
        return "sse"
    if head.startswith(b"{"):
        return "json"
    if re.search(rb"^(---\s*\n)?\s*(http_)?interactions\s*:", head, re.M):
        return "yaml"
    return None


def _load_json(path: Path, raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError as exc:  # not UTF-8, or not JSON
        raise not_json(path.as_posix(), exc) from None


def _yaml_loader() -> Any:
    try:
        import yaml  # noqa: PLC0415
    except ImportError:
        raise UsageError(f"reading YAML cassettes needs PyYAML: {INSTALL_HINT}") from None
    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(base):  # type: ignore[misc, valid-type]
        """The safe loader plus the harmless Python tags old vcrpy cassettes carry (strings,
        tuples, a BytesIO request body rebuilt from its bytes); any other tag is refused."""

    def as_str(loader: Any, node: Any) -> str:
        return loader.construct_scalar(node)

    def as_list(loader: Any, node: Any) -> list:
        return loader.construct_sequence(node)

    def as_bytes(loader: Any, node: Any) -> bytes:
        state = (loader.construct_mapping(node, deep=True).get("state") or [b""])
        data = state[0] if state else b""
        return data.encode("utf-8") if isinstance(data, str) else bytes(data or b"")

    for tag in ("python/str", "python/unicode"):
        Loader.add_constructor(f"tag:yaml.org,2002:{tag}", as_str)
    Loader.add_constructor("tag:yaml.org,2002:python/tuple", as_list)
    Loader.add_constructor("tag:yaml.org,2002:python/object/new:_io.BytesIO", as_bytes)
    return yaml, Loader


def _load_yaml(path: Path, raw: bytes) -> Any:
    yaml, loader = _yaml_loader()
    try:
        return yaml.load(raw, Loader=loader)  # noqa: S506 - a safe loader (SafeLoader subclass)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark is not None else ""
        raise TraceError(f"invalid YAML{where}: {problem}", path=path.as_posix()) from None


def read_source(path: Path, *, named: bool = True) -> list[Found | Outcome]:
    """The streaming interactions of one file, in order, with an outcome for each one
    skipped."""
    where = path.as_posix()
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise unreadable(where, exc) from None
    kind = _sniff(path, raw)
    if kind == "sse":
        return [Found(source=path.name, label=where, format="sse", interaction=None, name=path.stem, body=raw)]
    if kind is None:
        if not named:
            return [Outcome(where, False, "not a VCR cassette, HAR file or SSE body", "not a recording")]
        raise TraceError("unknown format: not a VCR cassette (YAML or JSON), a HAR file or a raw SSE body",
                         path=where)
    doc = _load_yaml(path, raw) if kind == "yaml" else _load_json(path, raw)
    if isinstance(doc, dict) and isinstance(doc.get("log"), dict) and isinstance(doc["log"].get("entries"), list):
        return _har(path, doc["log"]["entries"])
    if isinstance(doc, dict) and isinstance(doc.get("interactions"), list):
        return _vcr(path, doc["interactions"])
    if isinstance(doc, dict) and isinstance(doc.get("http_interactions"), list):
        return _vcr(path, doc["http_interactions"])
    if isinstance(doc, dict) and doc.get("format") == "kit-trace/1":
        why = "already a kit trace (kit promote adds one to a corpus)"
    else:
        why = "unknown format: not a VCR cassette (no `interactions`) or a HAR file (no `log.entries`)"
    if not named:
        return [Outcome(where, False, why, "not a recording")]
    raise TraceError(why, path=where)


# -- VCR ---------------------------------------------------------------------------------------


def _headers(h: Any) -> dict[str, str]:
    """Headers as one string per name: a VCR mapping (values may be lists) or a HAR list."""
    out: dict[str, str] = {}
    if isinstance(h, dict):
        items = h.items()
    elif isinstance(h, list):
        items = ((e.get("name"), e.get("value")) for e in h if isinstance(e, dict))
    else:
        return out
    for k, v in items:
        if not isinstance(k, str):
            continue
        vals = v if isinstance(v, list) else [v]
        text = ", ".join(str(x) for x in vals if x is not None)
        out[k] = f"{out[k]}, {text}" if k in out else text
    return out


def _get(headers: dict[str, str], name: str) -> str:
    for k, v in headers.items():
        if k.lower() == name:
            return v
    return ""


def _as_bytes(value: Any, where: str) -> bytes:
    if value is None:
        return b""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass")
    if isinstance(value, dict):
        if value.get("base64_string") is not None:
            try:
                return base64.b64decode(value["base64_string"])
            except (binascii.Error, ValueError):
                raise _Skip("unreadable", f"{where}: base64_string is not valid base64") from None
        return _as_bytes(value.get("string"), where)
    raise _Skip("unreadable", f"{where}: a body of type {type(value).__name__}")


def _decode(body: bytes, encoding: str) -> bytes:
    """The body as the client read it, undoing its content-encoding (gzip, deflate)."""
    codings = [c.strip().lower() for c in encoding.split(",") if c.strip() and c.strip().lower() != "identity"]
    if not codings:
        return body
    out = body
    try:
        for c in reversed(codings):
            if c in ("gzip", "x-gzip"):
                out = gzip.decompress(out)
            elif c == "deflate":
                try:
                    out = zlib.decompress(out)
                except zlib.error:
                    out = zlib.decompress(out, -zlib.MAX_WBITS)
            else:
                raise _Skip("unreadable", f"content-encoding {c} is not supported (gzip and deflate are)")
    except (OSError, EOFError, zlib.error):
        if _looks_like_sse(body):  # recorded already decoded, the header left as it was
            return body
        raise _Skip("unreadable", f"content-encoding {encoding} but the body does not decompress") from None
    return out


# the provider a request's host names: the host itself or a subdomain of it; Vertex AI's regional
# hosts put the region before a dash (``us-central1-aiplatform.googleapis.com``), its global one has none
_PROVIDERS = (("api.openai.com", "openai"), ("openai.azure.com", "azure-openai"), ("api.anthropic.com", "anthropic"),
              ("openrouter.ai", "openrouter"), ("api.groq.com", "groq"), ("api.mistral.ai", "mistral"),
              ("api.deepseek.com", "deepseek"), ("generativelanguage.googleapis.com", "gemini"),
              ("aiplatform.googleapis.com", "vertex"))


def provider_of_host(host: str) -> str | None:
    """The provider whose API ``host`` serves (``None`` when it is none of the known ones)."""
    host = host.lower()
    for suffix, provider in _PROVIDERS:
        if host == suffix or host.endswith("." + suffix) or (provider == "vertex" and host.endswith("-" + suffix)):
            return provider
    return None


def model_of(url: str, request_body: Any) -> str | None:
    """The model a request names: its body's ``model``, else (Gemini, where the model is a
    resource in the path: ``…/models/<model>:streamGenerateContent``) the URL's."""
    from .trace import GEMINI_PATH  # noqa: PLC0415

    if isinstance(request_body, dict) and isinstance(request_body.get("model"), str):
        return request_body["model"]
    m = GEMINI_PATH.search(urlsplit(url).path.rstrip("/"))
    return m.group(2) if m else None


def _more_provenance(url: str, request_body: Any) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    provider = provider_of_host(urlsplit(url).hostname or "")
    if provider is not None:
        extra["provider"] = provider
    model = model_of(url, request_body)
    if model is not None:
        extra["model"] = model
    return extra


def _request_body(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(raw).decode("ascii")}
    try:
        return json.loads(text)
    except ValueError:
        return text


def _interaction(path: Path, n: int, fmt: str, method: Any, url: Any, req_headers: dict[str, str], req_body: Any,
                 status: Any, resp_headers: dict[str, str], body: bytes, content_type: str) -> Found:
    from .trace import api_from_path  # noqa: PLC0415

    label = f"{path.as_posix()} interaction {n}"
    if not (content_type.lower().startswith("text/event-stream") or _looks_like_sse(body)):
        if isinstance(url, str) and ":streamGenerateContent" in url and body.lstrip()[:1] == b"[":
            # without ?alt=sse, Gemini streams a JSON array, not events: nothing a trace can keep as sent
            raise _Skip("not streaming", "a Gemini stream without alt=sse (a JSON array, not SSE)")
        raise _Skip("not streaming", f"not a stream ({content_type or 'no content-type'})")
    if not body.strip():
        raise _Skip("empty", "an empty stream")
    url = url if isinstance(url, str) else ""
    parsed = _request_body(req_body) if isinstance(req_body, bytes) else req_body
    request = {"method": str(method or "POST").upper(), "url": url, "headers": req_headers, "body": parsed}
    response: dict[str, Any] = {"headers": {k: v for k, v in resp_headers.items() if k.lower() not in _WIRE_HEADERS}}
    if isinstance(status, int) and 100 <= status <= 599:
        response["status"] = status
    return Found(source=path.name, label=label, format=fmt, interaction=n, name=f"{path.stem}_{n}", body=body,
                 path_api=api_from_path(urlsplit(url).path), request=request, response=response,
                 extra=_more_provenance(url, parsed))


def _vcr(path: Path, interactions: list) -> list[Found | Outcome]:
    out: list[Found | Outcome] = []
    for n, item in enumerate(interactions):
        label = f"{path.as_posix()} interaction {n}"
        try:
            if not isinstance(item, dict) or not isinstance(item.get("response"), dict):
                raise _Skip("unreadable", "no response in this interaction")
            req = item.get("request") if isinstance(item.get("request"), dict) else {}
            resp = item["response"]
            headers = _headers(resp.get("headers"))
            status = resp.get("status")
            # vcrpy and Ruby VCR: status: {code, message}; go-vcr: status: "200 OK", code: 200
            code = status.get("code") if isinstance(status, dict) else resp.get("code", status)
            body = _decode(_as_bytes(resp.get("body"), "response body"), _get(headers, "content-encoding"))
            out.append(_interaction(
                path, n, "vcr", req.get("method"), req.get("uri") or req.get("url"), _headers(req.get("headers")),
                # pydantic-ai's cassettes keep a JSON request body as `parsed_body`
                req["parsed_body"] if req.get("body") is None and "parsed_body" in req
                else _as_bytes(req.get("body"), "request body"),
                code, headers, body, _get(headers, "content-type")))
        except _Skip as skip:
            out.append(Outcome(label, False, skip.reason, skip.kind))
    return out


# -- HAR ---------------------------------------------------------------------------------------


def _har(path: Path, entries: list) -> list[Found | Outcome]:
    out: list[Found | Outcome] = []
    for n, entry in enumerate(entries):
        label = f"{path.as_posix()} interaction {n}"
        try:
            if not isinstance(entry, dict) or not isinstance(entry.get("response"), dict):
                raise _Skip("unreadable", "no response in this entry")
            req = entry.get("request") if isinstance(entry.get("request"), dict) else {}
            resp = entry["response"]
            content = resp.get("content") if isinstance(resp.get("content"), dict) else {}
            text = content.get("text")
            if content.get("encoding") == "base64" and isinstance(text, str):
                try:
                    body = base64.b64decode(text)
                except (binascii.Error, ValueError):
                    raise _Skip("unreadable", "content.text is not valid base64") from None
            else:
                body = _as_bytes(text, "content.text")
            headers = _headers(resp.get("headers"))
            post = req.get("postData") if isinstance(req.get("postData"), dict) else {}
            mime = content.get("mimeType") or _get(headers, "content-type")
            out.append(_interaction(
                path, n, "har", req.get("method"), req.get("url"), _headers(req.get("headers")),
                _as_bytes(post.get("text"), "postData.text"), resp.get("status"), headers, body, str(mime or "")))
        except _Skip as skip:
            out.append(Outcome(label, False, skip.reason, skip.kind))
    return out


# -- making traces -----------------------------------------------------------------------------


def _existing_bodies(folder: Path) -> dict[tuple[str, bytes], str]:
    """(api, body) -> id of the traces already in ``folder``."""
    from .trace import load  # noqa: PLC0415

    out: dict[tuple[str, bytes], str] = {}
    for p in sorted(folder.glob("*.json")) if folder.is_dir() else ():
        try:
            t = load(p)
        except KitError:
            continue
        out.setdefault((t.api, t.body), t.id)
    return out


def _class_of(found: Found, cls: str, trace: Any) -> str:
    from .promote import _check_class  # noqa: PLC0415
    from .replay import replay  # noqa: PLC0415

    prefix = found.name[:2].lower()
    if prefix in ("y_", "n_", "i_"):
        chosen = prefix[0]
    elif cls != "auto":
        chosen = cls
    else:
        return "n" if replay(trace, chunking="whole").errors else "y"
    trace.cls = chosen
    try:
        _check_class(trace, found.label)
    except KitError as exc:
        raise _Skip("class", exc.one_line().split(": ", 1)[-1]) from None
    return chosen


def _slug_of(found: Found) -> str:
    from .promote import _slug  # noqa: PLC0415

    name = found.name
    if name[:2].lower() in ("y_", "n_", "i_"):
        name = name[2:]
    return _slug(name) or "imported"


def import_sources(sources: list[str] | tuple[str, ...], to: str | Path, *, api: str | None = None,
                   cls: str = "auto", dry_run: bool = False, redact_extra: tuple[str, ...] = ()) -> ImportReport:
    """Import every streaming interaction of ``sources`` into the folder ``to``.

    Every source is read before anything is written: a source that cannot be read raises
    (:class:`TraceError`, :class:`UsageError`) and nothing is imported."""
    from .promote import _ids_in  # noqa: PLC0415
    from .trace import _api_name  # noqa: PLC0415

    if api is not None:
        api = _api_name(api)
    if cls not in CLASSES:
        raise UsageError(f"unknown class {cls!r}; expected one of {', '.join(CLASSES)}")
    from . import secrets  # noqa: PLC0415

    secrets.compile_extra(redact_extra)  # a bad regex is a usage error, before anything is read
    folder = Path(to)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"--to {folder.as_posix()}: not a folder")
    if not sources:
        raise UsageError("give at least one SOURCE (a cassette, a HAR file, an .sse body or a folder of them)")

    report = ImportReport(dry_run=dry_run)
    items: list[Found | Outcome] = []
    for source in sources:
        for path, named in _files(source):
            items.extend(read_source(path, named=named))
    used = _ids_in(folder)
    bodies = _existing_bodies(folder)
    for item in items:
        if isinstance(item, Outcome):
            report.outcomes.append(item)
            continue
        try:
            report.outcomes.append(_one(item, folder, api=api, cls=cls, dry_run=dry_run, extra=tuple(redact_extra),
                                        secrets=secrets, used=used, bodies=bodies))
        except _Skip as skip:
            report.outcomes.append(Outcome(item.label, False, skip.reason, skip.kind))
    return report


def _one(found: Found, folder: Path, *, api: str | None, cls: str, dry_run: bool, extra: tuple[str, ...], secrets: Any,
         used: set[str], bodies: dict[tuple[str, bytes], str]) -> Outcome:
    """Make, check and (unless ``dry_run``) write the trace of one interaction."""
    from . import __version__  # noqa: PLC0415
    from .promote import _ID, _write_new  # noqa: PLC0415
    from .trace import Trace, detect_api, from_json  # noqa: PLC0415

    if api is not None and found.path_api is not None and found.path_api != api:
        raise _Skip("API mismatch", f"the request path is of {found.path_api}, not --api {api}")
    the_api = found.path_api or api or detect_api(found.body)
    if the_api is None:
        raise _Skip("unknown API", "cannot tell the wire API (the request path does not say, nor the body); give --api")
    same = bodies.get((the_api, found.body))
    if same is not None:
        raise _Skip("duplicate", f"the same {the_api} body is already in {folder.as_posix()} as {same!r}")
    provenance: dict[str, Any] = {"kind": "imported", "source": found.source, "format": found.format}
    if found.interaction is not None:
        provenance["interaction"] = found.interaction
    provenance.update(found.extra)
    provenance["kit_version"] = __version__
    what = f"{found.format} interaction {found.interaction}" if found.interaction is not None else "raw body"
    trace = Trace(id="imported", api=the_api, cls="i", body=found.body, description=f"imported from {found.source} ({what})",
                  provenance=provenance)
    trace.cls = _class_of(found, cls, trace)
    if found.request is not None:
        req = dict(found.request)
        req["url"] = secrets.redact_url(req["url"])
        req["headers"] = secrets.redact_headers(req["headers"])
        if req["body"] is not None:
            req["body"] = secrets.redact_json(req["body"], extra=extra)
        trace.request = req
    if found.response is not None:
        resp = dict(found.response)
        resp["headers"] = secrets.redact_headers(resp["headers"])
        trace.response = resp
    base = f"{trace.cls}_{_slug_of(found)}"
    tid, n = base, 1
    while tid in used:
        n += 1
        tid = f"{base}_{n}"
    if not _ID.match(tid):  # pragma: no cover - slugs are made to match
        raise _Skip("unreadable", f"{tid!r} is not a valid trace id")
    trace.id = tid
    doc = trace.to_json()
    try:
        secrets.guard(doc, extra=extra)
    except secrets.SecretFound as exc:
        raise _Skip("secret found", exc.one_line()) from None
    from_json(doc, path=f"{found.label} (as {tid})")  # the schema and the rule catalogue, before writing
    path = folder / f"{tid}.json"
    if not dry_run:
        _write_new(path, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    used.add(tid)
    bodies[(the_api, found.body)] = tid
    return Outcome(found.label, True, path=path, api=the_api, id=tid)


# -- the command -------------------------------------------------------------------------------


@click.command("import")
@click.argument("sources", nargs=-1, required=True, metavar="SOURCE...")
@click.option("--to", "to", required=True, metavar="DIR", help="The folder to write the traces to (created if missing).")
@api_option(help="Wire API of the streams: it decides for bodies whose request path does not say (raw .sse "
                "bodies; detected from the content when omitted), and an interaction whose path names another API "
                "is skipped")
@click.option("--class", "cls", type=click.Choice(CLASSES), default="auto", show_default=True,
              help="Class of bodies without a y_/n_/i_ name prefix; auto: y when the reference replays it without "
                   "errors, else n.")
@click.option("--dry-run", is_flag=True, help="Say what would be imported; write nothing.")
@click.option("--redact-extra", multiple=True, metavar="REGEX",
              help="A further secret pattern for the scan (repeatable).")
def import_command(sources: tuple[str, ...], to: str, api: str | None, cls: str, dry_run: bool,
                   redact_extra: tuple[str, ...]) -> None:
    """Convert recordings into trace files in DIR, one per streaming interaction: VCR
    cassettes (vcrpy YAML or JSON, pytest-recording's cassettes/ folders), HAR files and
    raw .sse bodies, or folders of them.

    Ruby VCR's and go-vcr's cassettes are read too. The API comes from the request path
    (Gemini and Vertex AI: ...:streamGenerateContent), else --api, else the body.

    Prints each trace written and each interaction skipped, with the reason (not a
    stream, unknown API, a secret found, a body already in DIR). YAML cassettes need
    PyYAML (pip install 'toolstream-kit[import]').

    Exit codes: 0 every stream imported (or already in DIR), 1 a stream was skipped
    (unknown API, another API than --api, not behaving as its class says, undecodable) or
    there was no stream at all, 2 usage error, 3 a source could not be read (missing,
    corrupt YAML/JSON, unknown format),
    5 a stream was skipped because a secret survived redaction (the others are written),
    70 internal error.
    """
    report = import_sources(sources, to, api=api, cls=cls, dry_run=dry_run, redact_extra=redact_extra)
    for line in report.lines():
        click.echo(line)
    sys.exit(report.exit_code)
