"""Reference accumulator for Google Gemini streams (``streamGenerateContent?alt=sse``).

Theory of operation
-------------------
A Gemini stream is a sequence of SSE events whose data is each a whole
``GenerateContentResponse``: ``candidates`` (each with ``content.parts``, and on its last
chunk a ``finishReason``), ``usageMetadata``, ``promptFeedback``, ``modelVersion``. There is no
terminator: the stream ends after the chunk that finishes the candidates (often one more
chunk with usage alone), so a stream is whole when every candidate it opened finished. An
error inside the stream is a payload ``{"error": {...}}``. The Gemini API and Vertex AI send
the same shapes; the framing is CRLF.

A text part is visible text (SAY), unless ``thought: true`` (reasoning, never SAY);
``thoughtSignature`` is opaque and never text. A ``functionCall`` part is a client call (DO) in
one of two forms:

- **whole** (the usual form): ``{"name", "args"}`` with an optional ``id``; ``args`` is an object,
  absent for a call without arguments. Several parts in one chunk are several calls. A whole call
  is complete where it arrives and is dispatched there.
- **streamed** (Vertex AI, Gemini 3, ``streamFunctionCallArguments``): a part
  ``{"name", "willContinue": true}`` opens the call; parts without a name carry ``partialArgs``
  (``jsonPath`` and one typed value; consecutive string values of one path are appended while
  the entry says ``willContinue``) and the call ends at a part without ``willContinue`` (an
  empty ``functionCall``, or the last entries). The arguments are assembled by path into an
  object; the call is dispatched at its last part.

Call identity is the ``id`` when the part has one, else the call's position among its
candidate's calls (``call``): a missing id is normal here, not a fault.

Two levels of state, each with every legal move in one table below:

- the **stream**: ``BEFORE`` the first payload, ``STREAMING``, ``FAILED`` after an error payload
  (later payloads are reported and ignored), ``CLOSED`` at ``close()``.
- each candidate's **streamed call**: ``IDLE`` or ``OPEN`` (a streamed call is being assembled).

Finish per candidate from its last ``finishReason`` (:data:`FINISH_REASONS`); a candidate that
never finished when the stream ends is a cut stream (finish null, an open streamed call not
dispatched). Usage from the last ``usageMetadata``. Code execution parts and Google Search / URL
context grounding are server tools, never DO or SAY.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .. import events as ev
from ..plan import parse_arguments
from ..sse import SSEEvent
from ._base import Machine, Undecodable, decode

__all__ = ["GeminiReference", "STREAM_TRANSITIONS", "CALL_TRANSITIONS", "API", "FINISH_REASONS", "SERVER_PARTS", "SEARCH_SIGNS", "usage_of",
           "parse_json_path", "server_tool_of_part"]

API = "google.generate_content"

BEFORE, STREAMING, FAILED, CLOSED = "BEFORE", "STREAMING", "FAILED", "CLOSED"
IDLE, OPEN = "IDLE", "OPEN"

# Stream inputs: a response chunk, an error payload, `[DONE]`, a payload that is not an
# object, end of stream.
STREAM_TRANSITIONS: dict[tuple[str, str], tuple[str, str | None]] = {
    (BEFORE, "chunk"): (STREAMING, None),
    (BEFORE, "error"): (FAILED, "gem-error"),
    (BEFORE, "sentinel"): (BEFORE, "gem-done-sentinel"),
    (BEFORE, "invalid"): (BEFORE, "gem-data-json"),
    (BEFORE, "close"): (CLOSED, None),
    (STREAMING, "chunk"): (STREAMING, None),
    (STREAMING, "error"): (FAILED, "gem-error"),
    (STREAMING, "sentinel"): (STREAMING, "gem-done-sentinel"),
    (STREAMING, "invalid"): (STREAMING, "gem-data-json"),
    (STREAMING, "close"): (CLOSED, None),
    (FAILED, "chunk"): (FAILED, "gem-after-error"),
    (FAILED, "error"): (FAILED, "gem-after-error"),
    (FAILED, "sentinel"): (FAILED, "gem-done-sentinel"),
    (FAILED, "invalid"): (FAILED, "gem-after-error"),
    (FAILED, "close"): (CLOSED, None),
}

# A candidate's streamed call. Inputs: a whole functionCall part, a part that opens a streamed
# call, a part that continues it (``willContinue``), its last part, the candidate's finish, its
# finish by MAX_TOKENS (the arguments were cut off), the end of the stream (cut or failed).
CALL_TRANSITIONS: dict[tuple[str, str], tuple[str, str | None]] = {
    (IDLE, "whole"): (IDLE, None),
    (IDLE, "open"): (OPEN, None),
    (IDLE, "more"): (IDLE, "gem-call-orphan"),
    (IDLE, "last"): (IDLE, "gem-call-orphan"),
    (IDLE, "finish"): (IDLE, None),
    (IDLE, "cut"): (IDLE, None),
    (IDLE, "end"): (IDLE, None),
    (OPEN, "whole"): (IDLE, "gem-call-unclosed"),
    (OPEN, "open"): (OPEN, "gem-call-unclosed"),
    (OPEN, "more"): (OPEN, None),
    (OPEN, "last"): (IDLE, None),
    (OPEN, "finish"): (IDLE, "gem-call-unclosed"),
    (OPEN, "cut"): (IDLE, "gem-partial-args"),
    (OPEN, "end"): (IDLE, None),
}

FINISH_REASONS: dict[str, str | None] = {
    "STOP": "stop",
    "MAX_TOKENS": "length",
    "SAFETY": "content_filter",
    "RECITATION": "content_filter",
    "LANGUAGE": "content_filter",
    "BLOCKLIST": "content_filter",
    "PROHIBITED_CONTENT": "content_filter",
    "SPII": "content_filter",
    "IMAGE_SAFETY": "content_filter",
    "IMAGE_PROHIBITED_CONTENT": "content_filter",
    "IMAGE_RECITATION": "content_filter",
    "MODEL_ARMOR": "content_filter",
    "ESCALATION": "content_filter",
    "MALFORMED_FUNCTION_CALL": "error",
    "UNEXPECTED_TOOL_CALL": "error",
    "TOO_MANY_TOOL_CALLS": "error",
    "MISSING_THOUGHT_SIGNATURE": "error",
    "MALFORMED_RESPONSE": "error",
    "OTHER": "incomplete",
    "IMAGE_OTHER": "incomplete",
    "NO_IMAGE": "incomplete",
    "CONTINUATION": "incomplete",
    "FINISH_REASON_UNSPECIFIED": None,
}
"""``finishReason`` in the Plan's vocabulary. Gemini has no finish of its own for tool calls: a
candidate that calls tools finishes ``STOP`` (``stop``). The reasons of an unusable call
(``MALFORMED_FUNCTION_CALL`` and the like) carry no call to dispatch and give ``error``."""

MALFORMED = frozenset(k for k, v in FINISH_REASONS.items() if v == "error")
SERVER_PARTS = {"executableCode": "code_execution", "codeExecutionResult": "code_execution_result"}
# the fields of a candidate's groundingMetadata that show a Google Search the server ran
SEARCH_SIGNS = ("webSearchQueries", "groundingChunks", "searchEntryPoint")
_VALUE_KEYS = ("stringValue", "numberValue", "boolValue", "nullValue", "structValue", "listValue")
# RFC 9535 segments: `.name` (member-name-shorthand: name-first is ALPHA, "_" or any character
# from U+0080 on), `[N]`, `['name']`, `["name"]` (the quoted body with the RFC's escapes)
_PATH_STEP = re.compile(r"\.([A-Za-z_\u0080-\U0010ffff][A-Za-z0-9_\u0080-\U0010ffff]*)|\[(0|[1-9]\d*)\]"
                        r"|\[\s*'((?:[^'\\]|\\.)*)'\s*\]|\[\s*\"((?:[^\"\\]|\\.)*)\"\s*\]")
_PATHS: dict[str, tuple[str | int, ...]] = {}  # parsed jsonPaths: a stream names the same few again and again
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_new = tuple.__new__


def usage_of(prompt: Any, candidates: Any, thoughts: Any, total: Any) -> dict[str, int] | None:
    """The Plan's usage from a ``usageMetadata``'s counts (``gem-usage``): input the prompt's,
    output the candidates' plus the thoughts'; beside the counts it carries, one left out is 0
    (proto3 JSON omits zeros). None when no count is an integer."""
    if type(prompt) is not int and type(candidates) is not int and type(thoughts) is not int and type(total) is not int:
        return None
    return {"input_tokens": prompt if type(prompt) is int else 0,
            "output_tokens": (candidates if type(candidates) is int else 0) + (thoughts if type(thoughts) is int else 0)}


def parse_json_path(path: Any) -> list[str | int] | None:
    """The steps of a ``partialArgs`` ``jsonPath`` (RFC 9535 normalised paths: ``$``, ``.name``,
    ``['name']``, ``[0]``): member names and list indexes, or None when it does not parse."""
    if type(path) is not str or not path.startswith("$"):
        return None
    steps: list[str | int] = []
    pos, end = 1, len(path)
    while pos < end:
        m = _PATH_STEP.match(path, pos)
        if m is None:
            return None
        name, index, single, double = m.groups()
        if index is not None:
            steps.append(int(index))
        elif name is not None:
            steps.append(name)
        else:
            member = _unquote(single if single is not None else double, "'" if single is not None else '"')
            if member is None:
                return None
            steps.append(member)
        pos = m.end()
    return steps


def _unquote(body: str, quote: str) -> str | None:
    """A quoted member name's body, its escapes decoded as RFC 9535 §2.3.1.2 says (JSON's, and
    ``\\'``), by way of the JSON string of the same name; None when an escape is not one of them."""
    if "\\" not in body:
        return body
    text: list[str] = []
    i = 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            text.append("'" if nxt == "'" else c + nxt)  # JSON has no \'
            i += 2
            continue
        text.append('\\"' if c == '"' else c)  # a bare " of a single-quoted name
        i += 1
    try:
        value = json.loads('"' + "".join(text) + '"')
    except ValueError:
        return None
    return value if type(value) is str else None


def server_tool_of_part(part: Any) -> str | None:
    """The server tool a content part is (``code_execution``, ``code_execution_result``), or None."""
    if type(part) is not dict:
        return None
    for key, kind in SERVER_PARTS.items():
        if key in part:
            return kind
    return None


class _Conflict(ValueError):
    """A partial argument that cannot be placed in what is assembled."""


class _Streamed:
    """A streamed call being assembled."""

    __slots__ = ("ordinal", "id", "name", "args", "last_path", "last_continues", "invalid", "pending", "pending_at")

    def __init__(self, ordinal: int, call_id: str | None, name: str | None) -> None:
        self.ordinal = ordinal
        self.id = call_id
        self.name = name
        self.args: dict[str, Any] = {}
        self.last_path: tuple | None = None
        self.last_continues = False
        # the string at `last_path` while its pieces keep coming: joined into the arguments
        # (``pending_at``: its container and key there) once anything else happens to the call,
        # so a long streamed string costs its length, not its length squared
        self.pending: list[str] | None = None
        self.pending_at: tuple[Any, Any] = (None, None)
        self.invalid = False

    def flush(self) -> None:
        """Join the pieces of the string being streamed into the arguments."""
        if self.pending is not None:
            node, step = self.pending_at
            node[step] = "".join(self.pending)
            self.pending = None


class _Candidate:
    __slots__ = ("index", "calls", "call_state", "open", "finished", "finish", "grounded", "has_calls")

    def __init__(self, index: int) -> None:
        self.index = index
        self.calls = 0
        self.call_state = IDLE
        self.open: _Streamed | None = None
        self.finished = False
        self.finish: str | None = None
        self.grounded: set[str] = set()
        self.has_calls = False


class GeminiReference(Machine):
    """The reference state machine for ``google.generate_content`` streams."""

    api = API

    def __init__(self, *, profile: str = "lenient") -> None:
        super().__init__(profile=profile)
        self.state = BEFORE
        self._candidates: dict[int, _Candidate] = {}
        self._usage: dict[str, int] | None = None
        self._blocked = False
        self._usage_seen: dict | None = None
        self._raw_error = False  # the error came as bare JSON lines (stray)

    # -- public API -------------------------------------------------------------------------

    def feed(self, sse: SSEEvent) -> list[Any]:
        """One SSE event from the decoder (its ``event:`` name, if any, is not used)."""
        self._event, self._offset = sse.index, sse.offset
        data = sse.data
        if data.strip() == "[DONE]":
            return self._input("sentinel", None)
        try:
            obj = decode(data)
        except Undecodable as exc:
            return self._input("invalid", str(exc))
        return self.feed_json(obj, event=sse.index, offset=sse.offset)

    def feed_json(self, obj: Any, *, event: int | None = None, offset: int | None = None) -> list[Any]:
        """One decoded payload."""
        self._event, self._offset = event, offset
        if type(obj) is not dict:
            return self._input("invalid", f"payload is a JSON {type(obj).__name__}, not a GenerateContentResponse object")
        if self.state is STREAMING:
            fast = self._fast_chunk(obj)
            if fast is not None:
                return fast
        if "error" in obj and "candidates" not in obj and type(obj["error"]) is dict:
            return self._input("error", obj)
        return self._input("chunk", obj)

    def _fast_chunk(self, obj: dict) -> list[Any] | None:
        """The chunks most of a stream is made of, one candidate with one part that is
        plain text or a streamed call's continuation, and usage: exactly what the general path
        does for them (the same events, no diagnostic), without its walk. ``None`` when
        anything is unusual."""
        candidates = obj.get("candidates")
        if type(candidates) is not list or len(candidates) != 1 or "promptFeedback" in obj or "error" in obj:
            return None
        doc = candidates[0]
        if (type(doc) is not dict or "finishReason" in doc or "groundingMetadata" in doc
                or "urlContextMetadata" in doc):
            return None
        index = doc.get("index")
        if index is None:
            if ("gem-candidate-index", "absent0") not in self._noted:
                return None
            index = 0
        elif type(index) is not int:
            return None
        cand = self._candidates.get(index)
        content = doc.get("content")
        if cand is None or cand.finished or type(content) is not dict:
            return None
        parts = content.get("parts")
        if type(parts) is not list or len(parts) != 1 or type(parts[0]) is not dict:
            return None
        part = parts[0]
        text = part.get("text")
        if type(text) is str:
            if len(part) != 1:  # thought, thoughtSignature, ...
                return None
            out: list[Any] = [_new(ev.TextDelta, (index, text, None))] if text else []
        else:
            call = part.get("functionCall")
            streamed = cand.open
            if (streamed is None or len(part) != 1 or type(call) is not dict or call.get("willContinue") is not True
                    or len(call) != 2 or type(call.get("partialArgs")) is not list):
                return None
            self._call_move(cand, "more")
            self._apply(streamed, call["partialArgs"])
            out = []
        usage = obj.get("usageMetadata")
        if type(usage) is dict:
            self._take_usage(usage, out)
        return self._emit(out)

    def stray(self, lines: list[bytes]) -> list[Any]:
        """Google sends an error that interrupts a stream as a bare JSON object, pretty-printed over
        lines without ``data:`` (the SSE decoder ignores and reports them): when those lines hold an
        error object, it is the stream's error payload, taken at the end of the stream."""
        if not lines or self.state is CLOSED:
            return []
        try:
            obj = decode(b"\n".join(lines).decode("utf-8", "replace").strip())
        except Undecodable:
            return []
        if type(obj) is list and len(obj) == 1:  # the JSON-array form of the same error
            obj = obj[0]
        if type(obj) is not dict or type(obj.get("error")) is not dict or "candidates" in obj:
            return []
        self._event, self._offset = None, None
        self._raw_error = True
        return self._input("error", obj)

    # -- stream level -------------------------------------------------------------------------

    def _input(self, kind: str, obj: Any) -> list[Any]:
        prev, rule = self._step(STREAM_TRANSITIONS, kind, "gem-after-error")
        out: list[Any] = []
        if rule == "gem-after-error":
            what = "an error payload" if kind == "error" else "a payload" if kind == "chunk" else "data"
            self._note(rule, f"{what} after the stream's error; ignored", state=prev)
        elif kind == "chunk":
            self._chunk(obj, out)
        elif kind == "error":
            self._error(obj, out)
        elif kind == "sentinel":
            self._once(rule, None, "`data: [DONE]` in a Gemini stream; ignored")  # type: ignore[arg-type]
        elif kind == "invalid":
            self._note(rule, f"{obj}; skipped", state=prev)  # type: ignore[arg-type]
        elif kind == "close":
            self._close(prev, out)
        return self._emit(out)

    def _chunk(self, obj: dict, out: list) -> None:
        candidates = obj.get("candidates")
        if type(candidates) is list:
            for position, doc in enumerate(candidates):
                if type(doc) is dict:
                    self._candidate(self._candidate_of(doc, position), doc, out)
                else:
                    self._once("gem-unknown-field", "candidate", "a candidate that is not an object; ignored")
        elif candidates is not None:
            self._once("gem-unknown-field", "candidates", "`candidates` is not a list; ignored")
        feedback = obj.get("promptFeedback")
        if type(feedback) is dict:
            reason = feedback.get("blockReason")
            if type(reason) is str and reason and reason != "BLOCK_REASON_UNSPECIFIED" and not self._blocked:
                self._blocked = True
                self._note("gem-prompt-blocked", f"prompt blocked ({reason}): no candidates; finish content_filter")
                cand = self._candidates.get(0) or self._new_candidate(0)
                if not cand.finished:
                    cand.finished = True
                    cand.finish = "content_filter"
                    out.append(ev.MessageDone(0, "content_filter"))
        usage = obj.get("usageMetadata")
        if type(usage) is dict:
            self._take_usage(usage, out)

    def _candidate_of(self, doc: dict, position: int) -> _Candidate:
        index = doc.get("index")
        if type(index) is not int or index < 0:
            if index is not None:
                self._once("gem-candidate-index", "bad", f"candidate index {index!r} is not a non-negative integer; "
                           f"its position {position} taken")
            elif position:
                self._once("gem-candidate-index", "absent", f"candidate at position {position} without `index`; "
                           "its position taken")
            else:
                self._once("gem-candidate-index", "absent0", "candidate without `index` (JSON omits a zero): 0")
            index = position
        return self._candidates.get(index) or self._new_candidate(index)

    def _new_candidate(self, index: int) -> _Candidate:
        cand = self._candidates[index] = _Candidate(index)
        return cand

    def _candidate(self, cand: _Candidate, doc: dict, out: list) -> None:
        content = doc.get("content")
        parts = content.get("parts") if type(content) is dict else None
        if parts:
            if cand.finished:
                self._note("gem-after-finish", f"content for candidate {cand.index} after its finishReason "
                           f"{cand.finish!r}; kept")
            if type(parts) is not list:
                self._once("gem-unknown-field", "parts", "`content.parts` is not a list; ignored")
            else:
                for part in parts:
                    self._part(cand, part, out)
        for key in ("groundingMetadata", "urlContextMetadata"):
            meta = doc.get(key)
            if type(meta) is dict and meta:
                self._grounding(cand, key, meta, out)
        reason = doc.get("finishReason")
        if type(reason) is str and reason:
            self._finish(cand, reason, doc, out)
        elif reason is not None and reason != "":
            self._note("gem-finish-reason", f"finishReason {reason!r} is not a string; ignored")

    # -- parts ----------------------------------------------------------------------------------

    def _part(self, cand: _Candidate, part: Any, out: list) -> None:
        if type(part) is not dict:
            self._once("gem-unknown-field", "part", "a content part that is not an object; ignored")
            return
        text = part.get("text")
        if text is not None:
            if type(text) is not str:
                self._once("gem-unknown-field", "text", "a text part whose `text` is not a string; ignored")
            elif part.get("thought") is True:
                self._once("gem-thought", "thought", "thought parts are reasoning, never text")
                if text:
                    out.append(_new(ev.ReasoningDelta, (cand.index, text)))
            elif text:
                out.append(_new(ev.TextDelta, (cand.index, text, None)))
            if "thoughtSignature" in part:
                self._once("gem-thought", "signature", "thoughtSignature on parts: opaque, never text")
            return
        call = part.get("functionCall")
        if call is not None:
            if "thoughtSignature" in part:
                self._once("gem-thought", "signature", "thoughtSignature on parts: opaque, never text")
            if type(call) is not dict:
                self._note("gem-call-incomplete", f"functionCall of candidate {cand.index} is not an object; ignored")
                return
            self._function_call(cand, call, out)
            return
        kind = server_tool_of_part(part)
        if kind is not None:
            out.append(ev.ServerTool(cand.index, {"type": kind, "id": None, "name": None}))
            return
        if "thoughtSignature" in part:
            self._once("gem-thought", "signature", "thoughtSignature on parts: opaque, never text")
            return
        known = next((k for k in part if k not in ("thought", "partMetadata", "videoMetadata", "mediaResolution")), None)
        self._once("gem-unknown-field", ("part", known), f"content part {known!r} not modelled; ignored")

    def _grounding(self, cand: _Candidate, key: str, meta: dict, out: list) -> None:
        kind = "google_search" if key == "groundingMetadata" else "url_context"
        if kind in cand.grounded:
            return
        if kind == "google_search" and not any(meta.get(k) for k in SEARCH_SIGNS):
            return
        cand.grounded.add(kind)
        out.append(ev.ServerTool(cand.index, {"type": kind, "id": None, "name": None}))

    # -- function calls ---------------------------------------------------------------------------

    def _call_move(self, cand: _Candidate, kind: str) -> str | None:
        nxt, rule = CALL_TRANSITIONS[(cand.call_state, kind)]
        cand.call_state = nxt
        return rule

    def _function_call(self, cand: _Candidate, call: dict, out: list) -> None:
        name = call.get("name")
        name = name if type(name) is str and name else None
        call_id = call.get("id")
        call_id = call_id if type(call_id) is str and call_id else None
        partial = call.get("partialArgs")
        goes_on = call.get("willContinue") is True
        has_args = call.get("args") is not None
        streamed = cand.open
        if (streamed is not None and not has_args and (name is None or name == streamed.name)
                and (call_id is None or call_id == streamed.id)):
            self._call_move(cand, "more" if goes_on else "last")
            self._apply(streamed, partial)
            if not goes_on:
                self._close_streamed(cand, out, dispatch=True)
            return
        if goes_on or partial is not None:
            if name is None and streamed is None:
                rule = self._call_move(cand, "more" if goes_on else "last")
                self._note(rule, f"a functionCall part without a name continues no open streamed call "  # type: ignore[arg-type]
                           f"(candidate {cand.index}); ignored")
                return
            if self._call_move(cand, "open") is not None:
                self._unclosed(cand, "another call began", out)
            opened = self._open_streamed(cand, call_id, name, out)
            if has_args:
                self._apply_args(opened, call.get("args"))
            self._apply(opened, partial)
            if not goes_on:
                self._call_move(cand, "last")
                self._close_streamed(cand, out, dispatch=True)
            return
        if not call and streamed is None:
            rule = self._call_move(cand, "last")
            self._note(rule, f"an empty functionCall part with no open streamed call (candidate {cand.index}); "  # type: ignore[arg-type]
                       "ignored")
            return
        if self._call_move(cand, "whole") is not None:
            self._unclosed(cand, "a whole call came", out)
        self._whole(cand, call, name, call_id, out)

    def _whole(self, cand: _Candidate, call: dict, name: str | None, call_id: str | None, out: list) -> None:
        ordinal = cand.calls
        cand.calls += 1
        cand.has_calls = True
        out.append(_new(ev.ToolCallStarted, (cand.index, ordinal, call_id, name)))
        args = call.get("args")
        if args is None:
            self._once("gem-args-missing", (cand.index, ordinal), f"functionCall {name!r} without args: no arguments, {{}}")
            arguments, parameters, invalid = "{}", {}, False
        elif type(args) is dict:
            arguments, parameters, invalid = _dumps(args), args, False
        elif type(args) is str:
            self._note("gem-args-object", f"functionCall {name!r}: args is a string, taken as the JSON text it holds")
            arguments = args
            parameters, invalid = parse_arguments(args)
        else:
            self._note("gem-args-object", f"functionCall {name!r}: args is a JSON {type(args).__name__}, not an object")
            arguments, parameters, invalid = _dumps(args), args, False
        if invalid:
            self._note("gem-args-object", f"functionCall {name!r}: args text is not valid JSON; parameters null")
        self._incomplete(cand, name, ordinal)
        if call_id is None:
            self._once("gem-call-id", None, "functionCall without id: identity by position")
        out.append(_new(ev.ToolCallDone, (cand.index, ordinal, call_id, name, arguments, parameters, invalid)))

    def _incomplete(self, cand: _Candidate, name: str | None, ordinal: int) -> None:
        if name is None:
            self._note("gem-call-incomplete", f"functionCall {ordinal} of candidate {cand.index} without a name")

    def _open_streamed(self, cand: _Candidate, call_id: str | None, name: str | None, out: list) -> _Streamed:
        self._once("gem-partial-args", None, "streamed function call arguments (partialArgs) assembled by path")
        streamed = cand.open = _Streamed(cand.calls, call_id, name)
        cand.calls += 1
        cand.has_calls = True
        out.append(_new(ev.ToolCallStarted, (cand.index, streamed.ordinal, call_id, name)))
        return streamed

    def _apply_args(self, streamed: _Streamed, args: Any) -> None:
        streamed.flush()
        if type(args) is dict:
            streamed.args.update(args)
        else:
            self._mark(streamed, f"args is a JSON {type(args).__name__}, not an object")

    def _apply(self, streamed: _Streamed, partial: Any) -> None:
        if partial is None:
            return
        if type(partial) is not list:
            self._mark(streamed, "partialArgs is not a list")
            return
        paths = _PATHS
        for entry in partial:
            # the usual entry: the next piece of the string being streamed (what _place does for it)
            if (streamed.last_continues and streamed.pending is not None and type(entry) is dict and len(entry) == 3
                    and entry.get("willContinue") is True and type(piece := entry.get("stringValue")) is str
                    and paths.get(entry.get("jsonPath")) == streamed.last_path):
                streamed.pending.append(piece)
                continue
            try:
                self._place(streamed, entry)
            except _Conflict as exc:
                self._mark(streamed, str(exc))

    def _place(self, streamed: _Streamed, entry: Any) -> None:
        if type(entry) is not dict:
            raise _Conflict("a partialArgs entry is not an object")
        path = entry.get("jsonPath")
        key = _PATHS.get(path) if type(path) is str else None
        if key is None:
            steps = parse_json_path(path)
            key = tuple(steps) if steps else ()
            if key and len(_PATHS) < 4096:
                _PATHS[path] = key
        if not key:
            raise _Conflict(f"jsonPath {path!r} does not name an argument")
        goes_on = entry.get("willContinue") is True
        piece = entry.get("stringValue")
        if type(piece) is str and len(entry) == 2 + ("willContinue" in entry):  # the usual entry: one string value
            if goes_on is streamed.last_continues is True and streamed.pending is not None and streamed.last_path == key:
                streamed.pending.append(piece)  # the string goes on
                return
            values = ["stringValue"]
        else:
            values = [k for k in _VALUE_KEYS if k in entry]
        if not values:
            if goes_on:  # only says the value at this path goes on
                streamed.last_path, streamed.last_continues = key, True
                return
            raise _Conflict(f"partialArgs entry for {path} without a value")
        if len(values) > 1:
            raise _Conflict(f"partialArgs entry for {path} with {len(values)} values ({', '.join(values)})")
        kind = values[0]
        value = entry[kind]
        if kind == "nullValue":
            value = None
        elif kind == "stringValue" and type(value) is not str:
            raise _Conflict(f"stringValue for {path} is not a string")
        elif kind == "numberValue" and (type(value) not in (int, float)):
            raise _Conflict(f"numberValue for {path} is not a number")
        elif kind == "boolValue" and type(value) is not bool:
            raise _Conflict(f"boolValue for {path} is not a boolean")
        append = kind == "stringValue" and streamed.last_continues and streamed.last_path == key
        if append and streamed.pending is not None:
            streamed.pending.append(value)
        else:
            streamed.flush()
            at = self._set(streamed.args, key, value, append, path)
            if kind == "stringValue" and goes_on:
                node, step = at
                streamed.pending, streamed.pending_at = [node[step]], at
        streamed.last_path, streamed.last_continues = key, goes_on

    @staticmethod
    def _set(root: dict, steps: tuple, value: Any, append: bool, path: str) -> tuple[Any, Any]:
        """Place ``value`` at ``steps``; ``(container, key)`` where it now is."""
        node: Any = root
        for i, step in enumerate(steps):
            last = i == len(steps) - 1
            if type(step) is int:
                if type(node) is not list:
                    raise _Conflict(f"jsonPath {path} indexes a {type(node).__name__}")
                while len(node) <= step:
                    node.append(None)
            elif type(node) is not dict:
                raise _Conflict(f"jsonPath {path} names a member of a {type(node).__name__}")
            if last:
                held = node[step] if type(step) is int else node.get(step)
                if append and type(held) is str:
                    node[step] += value
                elif type(held) is dict or type(held) is list:
                    raise _Conflict(f"jsonPath {path} replaces the {type(held).__name__} assembled there")
                else:
                    node[step] = value
                return node, step
            child = node[step] if type(step) is int else node.get(step)  # type: ignore[union-attr]
            if child is None:
                child = [] if type(steps[i + 1]) is int else {}
                node[step] = child
            node = child
        raise _Conflict(f"jsonPath {path} names the arguments object itself")

    def _mark(self, streamed: _Streamed, why: str) -> None:
        if not streamed.invalid:
            streamed.invalid = True
            self._note("gem-partial-args-path", f"streamed call {streamed.name!r}: {why}; parameters null")

    def _unclosed(self, cand: _Candidate, why: str, out: list) -> None:
        streamed = cand.open
        self._note("gem-call-unclosed", f"streamed call {streamed.name!r} still open when {why}; "  # type: ignore[union-attr]
                   "closed and dispatched here")
        self._close_streamed(cand, out, dispatch=True)

    def _close_streamed(self, cand: _Candidate, out: list, *, dispatch: bool) -> None:
        streamed, cand.open = cand.open, None
        if streamed is None:
            return
        streamed.flush()
        arguments = _dumps(streamed.args)
        if not dispatch:  # never dispatched: the Plan keeps what was assembled, as it is
            if streamed.args:
                out.append(_new(ev.ToolCallArgumentsDelta, (cand.index, streamed.ordinal, arguments)))
            return
        self._incomplete(cand, streamed.name, streamed.ordinal)
        if streamed.invalid:
            out.append(_new(ev.ToolCallDone, (cand.index, streamed.ordinal, streamed.id, streamed.name, arguments,
                                              None, True)))
        else:
            out.append(_new(ev.ToolCallDone, (cand.index, streamed.ordinal, streamed.id, streamed.name, arguments,
                                              streamed.args, False)))

    # -- ends -----------------------------------------------------------------------------------

    def _finish(self, cand: _Candidate, raw: str, doc: dict, out: list) -> None:
        if raw == "MAX_TOKENS":
            rule = self._call_move(cand, "cut")
            if rule is not None:
                self._note(rule, f"streamed call {cand.open.name!r} cut off by MAX_TOKENS; "  # type: ignore[union-attr]
                           "not dispatched")
                self._close_streamed(cand, out, dispatch=False)
        elif self._call_move(cand, "finish") is not None:
            self._unclosed(cand, f"its candidate finished ({raw})", out)
        if raw in FINISH_REASONS:
            reason = FINISH_REASONS[raw]
            if reason is None:
                self._note("gem-finish-reason", f"finishReason {raw!r} says nothing; finish null")
        else:
            reason = None
            self._note("gem-finish-reason", f"finishReason {raw!r} is not a documented value; finish null")
        if raw in MALFORMED:
            message = doc.get("finishMessage")
            self._note("gem-malformed-call", f"candidate {cand.index} finished {raw}: no call to dispatch"
                       + (f" ({message})" if type(message) is str and message else ""))
        elif raw == "STOP" and cand.has_calls:
            self._once("gem-finish-stop-with-calls", cand.index, f"candidate {cand.index} calls tools and finishes "
                       "STOP: a normal end")
        if not cand.finished or cand.finish != reason:
            out.append(_new(ev.MessageDone, (cand.index, reason)))
        cand.finished = True
        cand.finish = reason

    def _take_usage(self, usage: dict, out: list) -> None:
        if usage == self._usage_seen:  # the same object again (usage on every chunk): nothing new
            return
        self._usage_seen = usage
        new = usage_of(usage.get("promptTokenCount"), usage.get("candidatesTokenCount"),
                       usage.get("thoughtsTokenCount"), usage.get("totalTokenCount"))
        if new is not None and new != self._usage:
            self._usage = new
            out.append(ev.Usage(dict(new)))

    def _error(self, obj: dict, out: list) -> None:
        inner = obj["error"]
        status, code = inner.get("status"), inner.get("code")
        error = {"type": status if type(status) is str else None, "code": code, "message": inner.get("message")}
        self._note("gem-error", f"error in the stream{' (bare JSON lines, no `data:`)' if self._raw_error else ''}: "
                   f"{code} {status}: {inner.get('message')!r}")
        out.append(ev.Error(None, error))
        if not self._candidates:
            self._new_candidate(0)
        for index in sorted(self._candidates):
            cand = self._candidates[index]
            if cand.open is not None:
                self._call_move(cand, "end")
                self._close_streamed(cand, out, dispatch=False)
            if not cand.finished:
                cand.finished = True
                cand.finish = "error"
                out.append(ev.MessageDone(index, "error"))

    def _close(self, prev: str, out: list) -> None:
        if prev == FAILED:
            return
        if not self._candidates:
            self._note("gem-truncated", "stream ended without a candidate", state=prev)
            out.append(ev.MessageDone(0, None))
            return
        for index in sorted(self._candidates):
            cand = self._candidates[index]
            if cand.finished:
                if cand.open is not None:  # opened after its candidate's finish (gem-after-finish), never closed
                    self._call_move(cand, "end")
                    self._close_streamed(cand, out, dispatch=False)
                continue
            self._note("gem-truncated", f"stream ended before candidate {index} finished"
                       + ("; its open streamed call not dispatched" if cand.open is not None else ""), state=prev)
            if cand.open is not None:
                self._call_move(cand, "end")
                self._close_streamed(cand, out, dispatch=False)
            out.append(ev.MessageDone(index, None))
