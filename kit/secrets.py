"""Secrets never reach disk: redaction, then a scan that fails closed.

Two layers, applied to everything the kit writes from the outside world (``kit record``,
``kit import``, ``kit promote``):

1. **Redaction** of what is ours to change: request and response headers
   (:func:`redact_headers`), query parameters (:func:`redact_url`) and JSON fields whose
   name says they carry a credential (:func:`redact_json`). Values become ``"<redacted>"``.
   A response body is never redacted: it is kept byte for byte.
2. **A scan** of the whole trace document (:func:`scan`): every string, the body decoded
   (``body_base64`` too), against provider key patterns and the caller's ``extra``
   regexes. :func:`guard` raises :class:`SecretFound` when anything is found, so the file
   is not written. A finding names the JSON pointer (and the byte offset in the body) and
   the pattern, with a masked excerpt only: the secret itself never appears in a message.

The patterns want a boundary before the key (no letter, digit, ``_``, ``-``, ``+`` or
``/``), so a base64 blob (a thinking signature, encrypted content) that happens to contain
``AKIA`` does not count; ``scan`` reports nothing on the bundled corpus.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from .errors import KitError

__all__ = ["REDACTED", "PATTERNS", "Finding", "SecretFound", "redact_headers", "redact_url", "redact_json",
           "redact_text", "scan", "guard", "compile_extra"]

REDACTED = "<redacted>"

# -- redaction ---------------------------------------------------------------------------------

SENSITIVE_HEADERS = frozenset({
    "authorization", "proxy-authorization", "api-key", "x-api-key", "cookie", "set-cookie",
    "openai-organization", "openai-project", "anthropic-organization-id", "x-goog-api-key",
    "x-auth-token", "x-amz-security-token", "cf-access-client-secret",
})
# any other header whose name has one of these words (x-portkey-api-key, x-openrouter-token, ...)
_HEADER_WORDS = re.compile(r"(?:^|[-_])(?:api[-_]?key|key|secret|token|auth|authorization|cookie|password|"
                           r"credential|credentials|signature|session)(?:$|[-_])", re.IGNORECASE)
# response headers that carry nothing secret although their names look like it
_HEADER_ALLOW = frozenset({
    "x-ratelimit-limit-tokens", "x-ratelimit-remaining-tokens", "x-ratelimit-reset-tokens",
    "anthropic-ratelimit-tokens-limit", "anthropic-ratelimit-tokens-remaining", "anthropic-ratelimit-tokens-reset",
    "anthropic-ratelimit-input-tokens-limit", "anthropic-ratelimit-input-tokens-remaining",
    "anthropic-ratelimit-input-tokens-reset", "anthropic-ratelimit-output-tokens-limit",
    "anthropic-ratelimit-output-tokens-remaining", "anthropic-ratelimit-output-tokens-reset",
})

SENSITIVE_PARAMS = frozenset({
    "key", "api_key", "api-key", "apikey", "token", "access_token", "refresh_token", "id_token", "auth",
    "sig", "signature", "secret", "client_secret", "password", "code", "x-amz-signature", "x-amz-credential",
    "x-amz-security-token", "x-goog-signature", "x-goog-credential",
})

# JSON field names: split into words (snake, kebab, camel case); a word from this set marks a
# credential. "tokens" (max_tokens, input_tokens) is not "token".
_FIELD_WORDS = frozenset({"key", "apikey", "secret", "token", "password", "passwd", "authorization",
                          "credential", "credentials", "cookie"})
_FIELD_ALLOW = frozenset({"prompt_cache_key", "cache_key", "idempotency_key", "key_id", "partition_key"})
_WORD_SPLIT = re.compile(r"[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])")


def _header_is_sensitive(name: str) -> bool:
    n = name.lower()
    if n in SENSITIVE_HEADERS:
        return True
    if n in _HEADER_ALLOW or "ratelimit" in n:
        return False
    return bool(_HEADER_WORDS.search(n))


def redact_headers(headers: Mapping[str, Any] | Iterable[tuple[str, Any]] | None) -> dict[str, str]:
    """The headers as a dict of strings (names lowercased, repeated headers joined with
    ``", "``), the values of credential-carrying headers replaced by ``"<redacted>"``."""
    out: dict[str, str] = {}
    if headers is None:
        return out
    items = headers.multi_items() if hasattr(headers, "multi_items") else (
        headers.items() if isinstance(headers, Mapping) else headers)
    for name, value in items:
        if isinstance(name, bytes):
            name = name.decode("latin-1")
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        key = str(name).lower()
        value = REDACTED if _header_is_sensitive(key) else str(value)
        out[key] = value if key not in out or value == REDACTED else f"{out[key]}, {value}"
    return out


def redact_url(url: str) -> str:
    """``url`` with the values of credential query parameters (``key``, ``api_key``,
    ``token``, ``sig``, ...) and any password in the authority replaced by ``<redacted>``;
    everything else unchanged, byte for byte."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, host = netloc.rpartition("@")
        user, sep, _pw = userinfo.partition(":")
        netloc = f"{user}:{REDACTED}@{host}" if sep else f"{REDACTED}@{host}"
    query = parts.query
    if query:
        pieces = []
        for piece in query.split("&"):
            name, eq, value = piece.partition("=")
            if eq and unquote(name).lower() in SENSITIVE_PARAMS and value:
                value = quote(REDACTED)
            pieces.append(f"{name}{eq}{value}")
        query = "&".join(pieces)
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def _field_is_sensitive(name: str) -> bool:
    if name.lower() in _FIELD_ALLOW:
        return False
    words = [w.lower() for w in _WORD_SPLIT.split(name) if w]
    if any(w in _FIELD_WORDS for w in words):
        return True
    joined = "".join(words)
    return joined in ("apikey", "accesstoken", "authtoken", "secretkey", "privatekey")


def redact_json(obj: Any, *, extra: Iterable[str | re.Pattern[str]] = ()) -> Any:
    """A copy of ``obj`` in which every scalar value under a field whose name says it carries
    a credential (``api_key``, ``secret``, ``token``, ``password``, ``authorization``...;
    not ``max_tokens``) is ``"<redacted>"``, recursively; and in every other string, any
    match of a key pattern (or of ``extra``) replaced by ``<redacted>``."""
    patterns = _patterns(extra)

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: (REDACTED if _field_is_sensitive(str(k)) and not isinstance(v, (dict, list)) and v not in (None, "")
                        else walk(v)) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, str):
            return redact_text(value, extra=(), _patterns=patterns)
        return value

    return walk(obj)


def redact_text(text: str, *, extra: Iterable[str | re.Pattern[str]] = (), _patterns=None) -> str:
    """``text`` with every match of a key pattern (and of ``extra``) replaced by ``<redacted>``."""
    for _name, rx in _patterns if _patterns is not None else _patterns_of(extra):
        if rx.search(text):
            text = rx.sub(REDACTED, text)
    return text


# -- the scan ----------------------------------------------------------------------------------

# A key pattern wants a boundary before the key: not inside a longer token or base64 blob
# (the character before it is not one of _X). The boundary is checked behind the key's fixed
# prefix, `sk-ant-(?<!_X sk-ant-)`, which means the same as `(?<!_X)sk-ant-` but lets the
# regular expression engine jump from one occurrence of the prefix to the next instead of
# trying the look-behind at every character (a 30 MB body: 0.03 s a pattern, not 0.5 s).
_X = r"[A-Za-z0-9_+/-]"
_E = r"(?![A-Za-z0-9_-])"


def _key(prefix: str) -> str:
    """``prefix`` (fixed width) with nothing of _X before it."""
    return prefix + "(?<!" + _X + prefix + ")"


PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple((name, re.compile(rx)) for name, rx in (
    ("anthropic-key", _key("sk-ant-") + r"[A-Za-z0-9_-]{16,}"),
    ("openrouter-key", _key("sk-or-") + r"[A-Za-z0-9_-]{16,}"),
    ("openai-key", _key("sk-") + r"(?!ant-|or-)(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{16,}"),
    ("groq-key", _key("gsk_") + r"[A-Za-z0-9]{20,}"),
    ("xai-key", _key("xai-") + r"[A-Za-z0-9]{20,}"),
    ("google-api-key", _key("AIza") + r"[0-9A-Za-z_-]{35}" + _E),
    ("google-oauth-token", _key(r"ya29\.") + r"[0-9A-Za-z_-]{20,}"),
    ("aws-access-key-id", _key("(?:AKIA|ASIA)") + r"[0-9A-Z]{16}" + _E),
    ("github-token", "(?:" + _key("gh[pousr]_") + r"[A-Za-z0-9]{36}|" + _key("github_pat_") + r"[A-Za-z0-9_]{22,})"),
    ("slack-token", _key("xox[abposr]-") + r"[A-Za-z0-9-]{10,}"),
    ("jwt", _key("eyJ") + r"[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"),
    # a bearer credential: 16+ token characters with at least one digit (not prose), any
    # case. `[Bb][Ee][Aa][Rr][Ee][Rr]` is `(?i)bearer` (no other character folds to b, e, a
    # or r), with `\b` checked behind it; the rest keeps (?i), under which the classes also
    # take the few characters that fold to ASCII letters (the Kelvin sign, long s, ...)
    ("bearer-token", r"[Bb][Ee][Aa][Rr][Ee][Rr](?<!\w[Bb][Ee][Aa][Rr][Ee][Rr])"
                     r"(?i:\s+(?=[A-Za-z0-9._~+/-]*[0-9])[A-Za-z0-9._~+/-]{16,}=*)"),
))


def compile_extra(extra: Iterable[str | re.Pattern[str]]) -> list[tuple[str, re.Pattern[str]]]:
    """``--redact-extra`` regexes as named patterns; a bad regex is a usage error."""
    from .errors import UsageError  # noqa: PLC0415

    out = []
    for rx in extra:
        if isinstance(rx, re.Pattern):
            out.append((f"extra /{rx.pattern}/", rx))
            continue
        try:
            compiled = re.compile(rx)
        except re.error as exc:
            raise UsageError(f"--redact-extra {rx!r}: not a regular expression ({exc})") from None
        if compiled.search(""):
            raise UsageError(f"--redact-extra {rx!r} matches the empty string")
        out.append((f"extra /{rx}/", compiled))
    return out


def _patterns_of(extra: Iterable[str | re.Pattern[str]]) -> list[tuple[str, re.Pattern[str]]]:
    return list(PATTERNS) + compile_extra(extra)


_patterns = _patterns_of


def _mask(secret: str) -> str:
    """Enough to recognise which key it was, never enough to use it."""
    shown = min(len(secret) // 4, 8)
    return f"{secret[:shown]}…({len(secret)} chars)"


@dataclass(frozen=True)
class Finding:
    """One secret-looking match: where (JSON pointer, and byte offset for the body), which
    pattern, and a masked excerpt."""

    pointer: str
    pattern: str
    excerpt: str
    offset: int | None = None
    note: str = ""

    def __str__(self) -> str:
        where = self.pointer or "/"
        if self.offset is not None:
            where += f" at byte {self.offset}"
        if self.note:
            where += f" ({self.note})"
        return f"{where}: {self.pattern} ({self.excerpt})"


def _scan_text(text: str, pointer: str, patterns, *, byte_offsets: bool = False,
               latin1: bool = False, char_offsets: bool = False) -> list[Finding]:
    found: list[Finding] = []
    taken: list[tuple[int, int]] = []
    for name, rx in patterns:
        for m in rx.finditer(text):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue  # one finding per span: the most specific pattern wins
            taken.append((m.start(), m.end()))
            offset = None
            if byte_offsets:
                offset = m.start() if latin1 else len(text[:m.start()].encode("utf-8"))
            elif char_offsets:
                offset = m.start()
            found.append(Finding(pointer, name, _mask(m.group(0)), offset))
    return found


# the fields that carry streamed text, a piece per event: a key the model writes out arrives
# cut into several deltas, so the body is also scanned as the text those deltas join into
_TEXT_FIELDS = frozenset({"content", "text", "delta", "arguments", "partial_json", "thinking", "refusal",
                          "reasoning", "reasoning_content", "output_text",
                          "stringValue"})  # Gemini's streamed partialArgs string pieces


def _event_text(body: bytes) -> tuple[str, list[tuple[int, int]]]:
    """The streamed text of an SSE body (the text fields of its JSON events, in order,
    joined) and, for each piece, ``(start in that text, byte offset of its event)``."""
    import json  # noqa: PLC0415

    from .sse import SSEDecoder  # noqa: PLC0415

    pieces: list[str] = []
    where: list[tuple[int, int]] = []
    size = 0
    text_fields = _TEXT_FIELDS
    loads = json.loads

    def walk(obj: dict, offset: int) -> None:
        """The string values of an object under a text key, in document order (json.loads's
        exact types: only objects and arrays go deeper)."""
        nonlocal size
        for k, v in obj.items():
            t = type(v)
            if t is str:
                if v and k in text_fields:
                    where.append((size, offset))
                    pieces.append(v)
                    size += len(v)
            elif t is dict:
                walk(v, offset)
            elif t is list:
                walk_list(v, k, offset)

    def walk_list(items: list, key: Any, offset: int) -> None:
        """An array's items, under the key of the array."""
        nonlocal size
        for v in items:
            t = type(v)
            if t is str:
                if v and key in text_fields:
                    where.append((size, offset))
                    pieces.append(v)
                    size += len(v)
            elif t is dict:
                walk(v, offset)
            elif t is list:
                walk_list(v, key, offset)

    def take(events: list) -> None:
        for ev in events:
            data = ev.data
            if not data.startswith(("{", "[")):
                continue
            try:
                doc = loads(data)
            except ValueError:
                continue
            if type(doc) is dict:
                walk(doc, ev.offset)
            elif type(doc) is list:
                walk_list(doc, None, ev.offset)

    dec = SSEDecoder()
    step = 1 << 20  # a block at a time: the events of one block are kept, not the body's
    for i in range(0, len(body), step):
        take(dec.feed(body[i:i + step]))
    take(dec.close())
    return "".join(pieces), where


def _scan_body(body: bytes, pointer: str, patterns, *, latin1: bool) -> list[Finding]:
    """The body as bytes, then as the text its events carry (keys split across deltas)."""
    import bisect  # noqa: PLC0415

    text = body.decode("latin-1") if latin1 else body.decode("utf-8", "replace")
    found = _scan_text(text, pointer, patterns, byte_offsets=True, latin1=latin1)
    if b"data:" not in body:
        return found
    joined, where = _event_text(body)
    if not joined:
        return found
    seen = {(f.pattern, f.excerpt) for f in found}
    starts = [a for a, _ in where]
    for f in _scan_text(joined, pointer, patterns, char_offsets=True):
        if (f.pattern, f.excerpt) in seen:
            continue  # the key is whole in the body too: found there already
        at = where[bisect.bisect_right(starts, f.offset or 0) - 1][1]
        found.append(Finding(pointer, f.pattern, f.excerpt, at, "in the text of the events from there on, split across them"))
    return found


def _pointer(parts: list[Any]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def scan(doc_or_text: Any, *, extra: Iterable[str | re.Pattern[str]] = ()) -> list[Finding]:
    """Every secret-looking string in a trace document (a dict, a :class:`kit.Trace`, or any
    JSON value), or in a text or bytes. The body is scanned whole (a list of reads joined,
    ``body_base64`` decoded), with byte offsets."""
    patterns = _patterns_of(extra)
    if hasattr(doc_or_text, "to_json") and not isinstance(doc_or_text, (dict, list)):
        doc_or_text = doc_or_text.to_json()
    if isinstance(doc_or_text, (bytes, bytearray)):
        return _scan_body(bytes(doc_or_text), "", patterns, latin1=True)
    if isinstance(doc_or_text, str):
        return _scan_text(doc_or_text, "", patterns)
    found: list[Finding] = []

    def walk(value: Any, parts: list[Any]) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                found.extend(_scan_text(str(k), _pointer(parts + [k]) + " (the name)", patterns))
                if not parts and k == "body" and isinstance(v, list) and all(isinstance(s, str) for s in v):
                    found.extend(_scan_body("".join(v).encode("utf-8"), "/body", patterns, latin1=False))
                elif not parts and k == "body" and isinstance(v, str):
                    found.extend(_scan_body(v.encode("utf-8"), "/body", patterns, latin1=False))
                elif not parts and k == "body_base64" and isinstance(v, str):
                    try:
                        raw = base64.b64decode(v, validate=True)
                    except ValueError:
                        found.extend(_scan_text(v, "/body_base64", patterns))
                    else:
                        found.extend(_scan_body(raw, "/body_base64 (decoded)", patterns, latin1=True))
                else:
                    walk(v, parts + [k])
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(v, parts + [i])
        elif isinstance(value, str):
            found.extend(_scan_text(value, _pointer(parts), patterns))

    walk(doc_or_text, [])
    return found


class SecretFound(KitError):
    """A secret survived redaction; nothing was written (exit code 5)."""

    exit_code = 5

    def __init__(self, findings: list[Finding], *, what: str | None = None):
        self.findings = list(findings)
        first = self.findings[0]
        more = f" (and {len(self.findings) - 1} more: " + ", ".join(
            f"{f.pointer}{'' if f.offset is None else f' at byte {f.offset}'} {f.pattern}"
            for f in self.findings[1:4]) + ("..." if len(self.findings) > 4 else "") + ")" \
            if len(self.findings) > 1 else ""
        prefix = f"{what}: " if what else ""
        super().__init__(f"{prefix}a secret survived redaction, nothing written: {first}{more}; "
                         "remove it from the source, or if it is not a secret, the pattern is too wide: please report it")


def guard(doc: Any, *, extra: Iterable[str | re.Pattern[str]] = (), what: str | None = None) -> None:
    """Raise :class:`SecretFound` if :func:`scan` finds anything in ``doc``: call it last,
    right before writing, so that a file with a secret in it is never written."""
    findings = scan(doc, extra=extra)
    if findings:
        raise SecretFound(findings, what=what)
