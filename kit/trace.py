"""Trace files (format ``kit-trace/1``) and chunk plans.

A trace keeps a streamed response body byte for byte together with where the network
split it (``reads``), so a replay can hand an implementation exactly the reads it got.
Chunk plans re-split the same bytes in other ways; a correct consumer's result does not
depend on the plan.

Loading validates the file against ``schemas/trace.schema.json`` and the rule catalogue;
a bad file raises :class:`kit.errors.TraceError` naming the file and the JSON pointer.
Raw ``.sse`` bodies (a bare response body) load too; their API comes from the caller.
"""

from __future__ import annotations

import base64
import json
import random
import re
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import Any, Iterator

from . import rules as _rules
from ._resources import corpus_dir, schema
from .errors import TraceError, UsageError, missing, not_json, unreadable

__all__ = ["APIS", "API_ALIASES", "api_name", "CHUNK_PLANS", "Trace", "load", "chunk", "iter_chunks", "parse_chunking", "corpus", "find"]

FORMAT = "kit-trace/1"
APIS = ("openai.chat.completions", "openai.responses", "anthropic.messages", "google.generate_content")
API_ALIASES = {"chat": APIS[0], "responses": APIS[1], "anthropic": APIS[2], "messages": APIS[2], "gemini": APIS[3],
               "google": APIS[3]}
CHUNK_PLANS = ("recorded", "event", "bytewise", "fixed:N", "random:SEED", "whole")
RANDOM_MAX_READ = 40


@dataclass
class Trace:
    id: str
    api: str
    cls: str
    body: bytes
    reads: list[int] | None = None
    read_times: list[float] | None = None
    rules: list[str] = field(default_factory=list)
    description: str = ""
    provenance: dict[str, Any] = field(default_factory=dict)
    request: dict[str, Any] | None = None
    response: dict[str, Any] | None = None
    truncated: bool = False
    path: str | None = None
    tags: list[str] = field(default_factory=list)
    dialect: str | None = None  # a kit.dialects id; None: the provider's documented contract

    def chunks(self, plan: str = "recorded") -> list[bytes]:
        """The body cut into reads by a chunk plan (see :func:`chunk`)."""
        return chunk(self.body, plan, reads=self.reads)

    @property
    def name(self) -> str:
        return f"{self.api}/{self.id}"

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "format": FORMAT,
            "id": self.id,
            "api": self.api,
            "class": self.cls,
            "description": self.description,
            **({"dialect": self.dialect} if self.dialect else {}),
            "rules": list(self.rules),
            "provenance": dict(self.provenance),
        }
        if self.request is not None:
            doc["request"] = self.request
        if self.response is not None:
            doc["response"] = self.response
        try:
            text = self.body.decode("utf-8")
        except UnicodeDecodeError:
            doc["body_base64"] = base64.b64encode(self.body).decode("ascii")
            if self.reads is not None:
                doc["reads"] = list(self.reads)
        else:
            if self.reads is not None and len(self.reads) > 1 and _utf8_boundaries(self.body, self.reads):
                ends = self.reads[1:] + [len(self.body)]
                doc["body"] = [self.body[a:b].decode("utf-8") for a, b in zip(self.reads, ends)]
            else:
                doc["body"] = text
                if self.reads is not None:
                    doc["reads"] = list(self.reads)
        if self.read_times is not None:
            doc["read_times"] = list(self.read_times)
        if self.truncated:
            doc["truncated"] = True
        if self.tags:
            doc["tags"] = list(self.tags)
        return doc


def _utf8_boundaries(body: bytes, offsets: list[int]) -> bool:
    """True when no offset falls inside a multi-byte UTF-8 character."""
    return all(o >= len(body) or (body[o] & 0xC0) != 0x80 for o in offsets)


# -- loading ---------------------------------------------------------------------------------


def load(path: str | Path, *, api: str | None = None) -> Trace:
    """Load a trace file (``.json``) or a raw response body (``.sse`` or anything else)."""
    p = Path(path)
    if not p.exists():
        raise missing(path)
    if p.is_dir():
        raise TraceError("is a folder, not a trace (use --all DIR to replay a folder)", path=str(path))
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise unreadable(path, exc) from None
    if api is not None:
        api = _api_name(api)
    if p.suffix == ".json":
        trace = from_json_bytes(raw, path=str(path))
        if api is not None and api != trace.api:
            raise UsageError(f"{path}: the trace is {trace.api}, not {api}")
        return trace
    return from_body(raw, api=api, id=p.stem, path=str(path))


def from_body(body: bytes, *, api: str | None, id: str = "body", path: str | None = None) -> Trace:
    """A raw SSE body as a trace. Its class is the prefix of its id (``y_``, ``n_``, ``i_``, as
    for trace files: name a body ``y_....sse`` to have it graded), else ``i``: nothing is
    known about it."""
    if api is None:
        api = detect_api(body)
        if api is None:
            raise UsageError(f"{path or id}: cannot tell the wire API of a raw body; give --api (chat, responses, "
                             "anthropic or gemini)")
    else:
        api = _api_name(api)
    cls = id[0] if id[:2] in ("y_", "n_", "i_") else "i"
    return Trace(id=id, api=api, cls=cls, body=body, description=f"raw body {path or id}",
                 provenance={"kind": "imported"}, path=path)


_DETECT = (
    ("anthropic.messages", re.compile(rb'"type"\s*:\s*"(message_start|content_block_start|content_block_delta)"')),
    ("openai.responses", re.compile(rb'"type"\s*:\s*"response\.[a-z_.]+"')),
    ("openai.chat.completions", re.compile(rb'"(object"\s*:\s*"chat\.completion\.chunk|choices)"')),
    # a GenerateContentResponse: candidates with content parts, or the usage / prompt feedback it may carry alone
    ("google.generate_content", re.compile(rb'"(candidates"\s*:\s*\[|usageMetadata"\s*:|promptFeedback"\s*:)')),
)


# The HTTP endpoint of each wire API, relative to the base URL (``…/v1``). Gemini's is a method of
# a model resource (:data:`GEMINI_PATH`): ``…/v1beta/models/<model>:streamGenerateContent``.
ENDPOINTS = {"openai.chat.completions": "chat/completions", "openai.responses": "responses",
             "anthropic.messages": "messages", "google.generate_content": "models/{model}:streamGenerateContent"}
# The path of a Gemini stream request: the Gemini API's (``v1beta/models/M:streamGenerateContent``,
# also ``v1``, ``v1alpha``) and Vertex AI's (``v1/projects/P/locations/L/publishers/google/models/M:…``)
GEMINI_PATH = re.compile(r"(?:^|/)(?:(v1(?:alpha|beta)?\d*)/)?(?:projects/[^/]+/locations/[^/]+/publishers/[^/]+/)?"
                         r"(?:tuned)?models/([^/:]+):streamGenerateContent$")


def api_from_path(url_or_path: str) -> str | None:
    """The wire API a request URL or path is for (``…/chat/completions``,
    ``…/models/<model>:streamGenerateContent`` and so on), or None."""
    path = url_or_path.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    if GEMINI_PATH.search(path):
        return "google.generate_content"
    for api, endpoint in ENDPOINTS.items():
        if path.endswith("/" + endpoint):
            return api
    return None


def detect_api(body: bytes) -> str | None:
    """Guess the wire API of a raw body from its first kilobytes (``None`` when unsure)."""
    head = body[:16384]
    for api, pattern in _DETECT:
        if pattern.search(head):
            return api
    return None


def from_json_bytes(raw: bytes, *, path: str | None = None) -> Trace:
    try:
        doc = json.loads(raw)
    except ValueError as exc:  # not UTF-8, or not JSON
        raise not_json(path or "<trace>", exc) from None
    return from_json(doc, path=path)


def api_name(value: str) -> str:
    """A full wire-API name from a name or its short alias (``chat``, ``responses``, ``anthropic``,
    ``gemini``).

    Every ``--api`` option of the command line goes through here (:mod:`kit._options`), so an
    unknown name is worded the same way everywhere."""
    if value in APIS:
        return value
    try:
        return API_ALIASES[value]
    except KeyError:
        raise UsageError(f"unknown API {value!r}; expected chat, responses, anthropic or gemini "
                         f"(or a full name: {', '.join(APIS)})") from None


_api_name = api_name


def _clip(message: str, limit: int = 200) -> str:
    """``message`` cut to about ``limit`` characters, at a space: never in the middle of a word
    (a first word longer than ``limit`` is kept whole)."""
    if len(message) <= limit:
        return message
    at = message.rfind(" ", 0, limit + 1)
    if at <= 0:
        at = message.find(" ", limit)
        if at < 0:
            return message
    return message[:at].rstrip(",;:") + " ..."


# -- validation of large arrays ------------------------------------------------------------------
#
# jsonschema checks each array item on its own, at about 9 µs an item: a trace whose `reads`
# held a million bad offsets took over a minute to be rejected. The validator of trace files is
# jsonschema's Draft 2020-12 validator with one keyword replaced, `items`: for the simple item
# schemas of the kit (`{"type": "integer", "minimum": 0}`, strings with a pattern, ...) it finds,
# with kit._schemacheck.ItemCheck (the same check the quick schema check uses), the items that
# may be invalid with whole-array operations and a plain loop, and asks jsonschema
# about those only, so every error is jsonschema's own. Of the invalid items of one array it
# reports the first two and the last: errors of one array's items differ only in the index,
# `best_match` takes the greatest path (the last item) and, under `oneOf`/`anyOf`, looks at the
# two smallest (the first two), so it picks the same error as over every item.
# tests/test_trace.py runs both validators on generated arrays and compares what they report.


_ITEM_CHECKS: dict[int, tuple[Any, Any]] = {}  # id(item schema) -> (schema, its ItemCheck or None)


def _fast_items(validator: Any, items: Any, instance: Any, schema: Any) -> Any:
    """The ``items`` keyword of :func:`_trace_validator` (see above)."""
    import jsonschema  # noqa: PLC0415

    from ._schemacheck import ItemCheck  # noqa: PLC0415

    entry = _ITEM_CHECKS.get(id(items))
    if entry is None or entry[0] is not items:
        entry = _ITEM_CHECKS[id(items)] = (items, ItemCheck.of(items))
    check = entry[1]
    if type(instance) is not list or check is None or "prefixItems" in schema:
        yield from jsonschema.Draft202012Validator.VALIDATORS["items"](validator, items, instance, schema)
        return
    if not instance or check.whole(instance):
        return
    chosen: list[int] = []
    for i in check.invalid(instance):  # the first two invalid items ...
        chosen.append(i)
        if len(chosen) == 2:
            break
    for i in check.invalid(instance, reverse=True):  # ... and the last
        if i > chosen[-1]:
            chosen.append(i)
        break
    for i in chosen:
        yield from validator.descend(instance[i], items, path=i)


_VALIDATOR: list[Any] = []


def _trace_validator() -> Any:
    """The validator of trace files: Draft 2020-12 with the ``items`` keyword above."""
    if not _VALIDATOR:
        import jsonschema  # noqa: PLC0415

        cls = jsonschema.validators.extend(jsonschema.Draft202012Validator, {"items": _fast_items})
        _VALIDATOR.append(cls(schema("trace")))
    return _VALIDATOR[0]


def _pointer(parts) -> str:
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts) if parts else ""


def from_json(doc: Any, *, path: str | None = None) -> Trace:
    from ._schemacheck import surely_valid  # noqa: PLC0415

    error = None
    if not surely_valid("trace", doc):  # a quick yes for a valid file; jsonschema words the errors
        import jsonschema  # noqa: PLC0415 - kept off the import path of `import kit`

        error = jsonschema.exceptions.best_match(_trace_validator().iter_errors(doc))
    if error is not None:
        message = error.message
        if error.validator == "oneOf" and not error.absolute_path:
            message = "needs exactly one of `body` and `body_base64`"
        else:
            message = _clip(message)
        raise TraceError(message, path=path, pointer=_pointer(error.absolute_path))
    for i, rule in enumerate(doc["rules"]):
        if rule not in _rules.RULES_BY_ID:
            raise TraceError(f"unknown rule id {rule!r} (see conformance.md)", path=path, pointer=f"/rules/{i}")
    dialect = doc.get("dialect")
    if dialect is not None:
        from .dialects import DIALECTS_BY_ID  # noqa: PLC0415

        if dialect not in DIALECTS_BY_ID:
            raise TraceError(f"unknown dialect id {dialect!r} (`kit dialects` lists the registry)", path=path,
                             pointer="/dialect")
    reads = doc.get("reads")
    if "body_base64" in doc:
        try:
            body = base64.b64decode(doc["body_base64"], validate=True)
        except ValueError:
            raise TraceError("not valid base64", path=path, pointer="/body_base64") from None
    elif isinstance(doc["body"], list):
        if reads is not None:
            raise TraceError("`reads` must be absent when `body` is a list of reads", path=path, pointer="/reads")
        pieces = doc["body"]
        text = "".join(pieces)
        try:
            body = text.encode("utf-8")
        except UnicodeEncodeError:  # _utf8 says which piece, and where
            for i, piece in enumerate(pieces):
                _utf8(piece, path, f"/body/{i}")
            raise
        # each read's offset: the byte lengths of the pieces before it (characters, for ASCII)
        sizes = map(len, pieces[:-1]) if text.isascii() else (len(p.encode("utf-8")) for p in pieces[:-1])
        reads = list(accumulate(sizes, initial=0))
    else:
        body = _utf8(doc["body"], path, "/body")
    if reads is not None:
        if set(map(type, reads)) != {int}:  # 5.0 is an integer to the schema; offsets are ints
            reads = [int(r) for r in reads]
        _check_reads(reads, len(body), path)
    times = doc.get("read_times")
    if times is not None and (reads is None or len(times) != len(reads)):
        raise TraceError("`read_times` needs one time per read", path=path, pointer="/read_times")
    return Trace(
        id=doc["id"], api=doc["api"], cls=doc["class"], body=body, reads=reads, read_times=times,
        rules=list(doc["rules"]), description=doc["description"], provenance=doc["provenance"],
        request=doc.get("request"), response=doc.get("response"), truncated=doc.get("truncated", False),
        path=path, tags=list(doc.get("tags") or []), dialect=dialect,
    )


def _utf8(text: str, path: str | None, pointer: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:  # JSON can spell a lone surrogate ("\\ud800"); UTF-8 cannot
        raise TraceError(f"a lone surrogate {text[exc.start]!r} at character {exc.start} is not text "
                         "(use body_base64 for a body that is not UTF-8)", path=path, pointer=pointer) from None


def _check_reads(reads: list[int], size: int, path: str | None) -> None:
    if size and (not reads or reads[0] != 0):
        raise TraceError("the first read must start at offset 0", path=path, pointer="/reads/0")
    if all(map(int.__lt__, reads, reads[1:])) and (len(reads) < 2 or reads[-1] < size):
        return  # in order and inside the body (C loops); else the loop below finds where not
    for i in range(1, len(reads)):
        if reads[i] <= reads[i - 1]:
            raise TraceError(f"read offsets must increase ({reads[i]} after {reads[i - 1]})", path=path, pointer=f"/reads/{i}")
        if reads[i] >= size:
            raise TraceError(f"read offset {reads[i]} is past the end of the {size}-byte body", path=path, pointer=f"/reads/{i}")


# -- chunk plans ------------------------------------------------------------------------------


def parse_chunking(plan: str) -> str:
    """Validate a chunk plan name; returns it unchanged or raises :class:`UsageError`."""
    if plan in ("recorded", "event", "bytewise", "whole"):
        return plan
    kind, _, arg = plan.partition(":")
    if kind == "fixed" and arg.isdigit() and int(arg) > 0:
        return plan
    if kind == "random" and arg.isdigit():
        return plan
    raise UsageError(f"unknown chunk plan {plan!r}; expected one of {', '.join(CHUNK_PLANS)} "
                     "(N a positive whole number, SEED a whole number)")


def chunk(body: bytes, plan: str, *, reads: list[int] | None = None) -> list[bytes]:
    """Cut ``body`` into reads.

    - ``recorded``: the reads as recorded; a body without recorded reads (a raw ``.sse``
      file) is cut as ``event``;
    - ``event``: one read per SSE event, each ending just after the event's blank line;
    - ``bytewise``: one byte per read; ``fixed:N``: N bytes per read;
    - ``random:SEED``: reads of 1 to 40 bytes, reproducible from SEED;
    - ``whole``: the whole body in one read.
    """
    return list(iter_chunks(body, plan, reads=reads))


def iter_chunks(body: bytes, plan: str, *, reads: list[int] | None = None) -> Iterator[bytes]:
    """The reads of :func:`chunk`, made one at a time (only the current one is kept)."""
    parse_chunking(plan)
    return _iter_chunks(body, plan, reads)


def _iter_chunks(body: bytes, plan: str, reads: list[int] | None) -> Iterator[bytes]:
    if not body:
        return
    if plan == "recorded" and reads is None:
        plan = "event"
    if plan == "recorded":
        if reads:
            for a, b in zip(reads, reads[1:]):
                yield body[a:b]
            yield body[reads[-1]:]
    elif plan == "whole":
        yield body
    elif plan == "bytewise":
        for i in range(len(body)):
            yield body[i:i + 1]
    elif plan.startswith("fixed:"):
        n = int(plan[6:])
        for i in range(0, len(body), n):
            yield body[i:i + n]
    elif plan.startswith("random:"):
        import random  # noqa: PLC0415 - only this plan needs it

        rng = random.Random(int(plan[7:]))
        i = 0
        while i < len(body):
            n = rng.randint(1, RANDOM_MAX_READ)
            yield body[i:i + n]
            i += n
    else:  # event
        start = 0
        for end in event_ends(body):
            if end > start:
                yield body[start:end]
                start = end
        if start < len(body):
            yield body[start:]


EVENT_SCAN = 1 << 20  # bytes the event plan's decoder is fed at a time


def event_ends(body: bytes) -> Iterator[int]:
    """Where the ``event`` plan cuts ``body``: just after each event's blank line (after the
    LF of a CRLF, kept together). Found by the SSE decoder, fed a block at a time."""
    from .sse import SSEDecoder  # noqa: PLC0415

    dec = SSEDecoder()
    for i in range(0, len(body), EVENT_SCAN):
        for ev in dec.feed(body[i:i + EVENT_SCAN]):
            yield ev.end + 1 if body[ev.end - 1:ev.end + 1] == b"\r\n" else ev.end


# -- the corpus --------------------------------------------------------------------------------


def corpus(root: str | Path | None = None, *, api: str | None = None) -> list[Trace]:
    """Every trace under ``root`` (default: the bundled corpus), sorted by API and id."""
    base = Path(root) if root is not None else corpus_dir()
    if base.is_file():
        return [load(base, api=api)]
    if not base.is_dir():
        raise missing(base)
    files = sorted(p for p in base.rglob("*") if p.is_file() and p.suffix in (".json", ".sse"))
    if api is not None:
        api = _api_name(api)
    traces = [load(p, api=api if p.suffix != ".json" else None) for p in files]
    if api is not None:
        traces = [t for t in traces if t.api == api]
    return sorted(traces, key=lambda t: (t.api, t.id))


def find(ident: str, *, api: str | None = None) -> Trace:
    """A bundled trace by id (``y_text_only``) or by ``api/id``; ``api`` (a short name too)
    picks among the APIs that have the id, and is an error when the trace is of another API."""
    prefix, _, tid = ident.rpartition("/")
    matches = [t for t in corpus() if t.id == tid and (not prefix or t.api == prefix)]
    if not matches:
        raise UsageError(f"no bundled trace with id {ident!r} (kit replay --all lists them)")
    if api is not None:
        api = _api_name(api)
        same = [t for t in matches if t.api == api]
        if not same:
            raise UsageError(f"{ident}: the trace is {', '.join(sorted({t.api for t in matches}))}, not {api}")
        matches = same
    if len(matches) > 1:
        raise UsageError(f"trace id {ident!r} is in several APIs; say which: "
                         + ", ".join(t.name for t in matches))
    return matches[0]
