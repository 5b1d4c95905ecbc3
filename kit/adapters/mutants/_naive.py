"""A naive, independent Chat Completions stream handler: the base every mutant breaks.

It is written the way a careful user writes a stream handler, with no code from the
kit (no ``kit.sse``, no ``kit.reference``, no ``kit.plan``): buffer the network reads,
cut lines at CR/LF/CRLF, decode UTF-8 per line, join ``data`` lines, dispatch at the
blank line, ``json.loads`` each payload, and keep per choice the text runs and the tool
calls. It implements the Plan conventions of ``conformance.md`` section 2 so that, on
the bundled corpus, its plan equals the reference's (``tests/test_mutants.py`` checks
this). Being a second, independent reading of the conventions it also cross-checks the
reference.

Each mutant (``kit/adapters/mutants/m*.py``) subclasses :class:`NaiveChat` and overrides one
method with the buggy version of it that real stream handlers have shipped. Every step
a mutant may want to break is therefore a small method of its own. The SSE steps (the
first five rows) are in :class:`NaiveSSE`, which the Responses and Anthropic bases
(``_naive_responses.py``, ``_naive_anthropic.py``) share:

===============================  ===============================================
``lines(reads)``                 bytes -> decoded lines (buffering across reads)
``strip_bom(head)``              the body's start without one leading BOM
``split_field(line)``            one line -> ``(field, value)``, ``None`` for a comment
``sse_line(line)``               the SSE event state (a blank line dispatches)
``end_of_body()``                a final event without its closing blank line
``on_event(name, data)``         ``[DONE]``, ``event: error``, JSON payloads
``on_done()`` / ``on_error(e)``  the sentinel; an in-band error (the first is kept)
``on_chunk(obj)``                one chunk: error, usage, choices
``usage_of(obj)``                the usage a chunk carries (normalised)
``choice_index(ch)``             which choice a chunk's choice belongs to
``on_choice(ch)``                one choice: delta, then finish reason
``on_delta(c, delta)``           reasoning, content, refusal, tool calls, in that order
``on_text`` / ``on_refusal`` /   visible text (SAY runs), refusal text, reasoning
``on_reasoning``                 (never shown)
``fragment_fields(frag)``        a fragment's index, id, name, function object
``on_fragment(c, frag)``         one tool-call fragment
``route(c, index, id, name)``    which call a fragment belongs to (call identity)
``open_call(c, index)``          a new call (closes the open SAY)
``set_header(c, call, ...)``     id / name (set once)
``add_arguments(call, args)``    arguments (appended; an object taken as its value)
``on_finish(c, raw)``            a finish reason (normalised; dispatches)
``dispatch(c)`` / ``complete``   complete the choice's calls / one call
``parse_arguments(s)``           ``(parameters, invalid)``
``end_of_stream()``              no ``[DONE]``: truncation, in-band errors
===============================  ===============================================

Usage (the "simplest implementation" contract the kit accepts)::

    def accumulate(reads: Iterable[bytes]) -> dict:
        return NaiveChat().accumulate(reads)
"""

from __future__ import annotations

import json
from typing import Any, Callable, Iterable, Iterator

API = "openai.chat.completions"

FINISH = {
    "stop": "stop",
    "tool_calls": "tool_calls",
    "function_call": "tool_calls",
    "length": "length",
    "content_filter": "content_filter",
    "error": "error",
}


def declare(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Declare ``fn`` a handler of this module's API for the kit, without importing the kit.

    ``toolstream-kit`` reads ``fn.__kit__`` (a plain dict with the keys of its
    ``Capabilities``): a handler of openai.chat.completions only, fed the network reads, with no sink.
    """
    fn.__kit__ = {"apis": [API]}  # type: ignore[attr-defined]
    return fn


class Call:
    """One tool call of a choice."""

    def __init__(self) -> None:
        self.id: str | None = None
        self.name: str | None = None
        self.started_id: str | None = None  # as known when the call was first seen
        self.started_name: str | None = None
        self.seen = False
        self.args: list[str] = []
        self.obj: Any = None  # arguments sent as a JSON value instead of a string
        self.done = False
        self.arguments = ""
        self.parameters: Any = None
        self.invalid = False


class Choice:
    """One choice: its commands in stream order, its calls, its finish."""

    def __init__(self, index: int) -> None:
        self.index = index
        self.commands: list[Any] = []  # a list of text pieces (a SAY) or a Call (a DO)
        self.say: list[str] | None = None  # the SAY still open, if any
        self.calls: list[Call] = []
        self.by_index: dict[int, Call] = {}
        self.by_id: dict[str, Call] = {}
        self.last: Call | None = None
        self.finish: str | None = None
        self.finish_seen = False
        self.finished = False  # False again when content follows the finish
        self.refusal: list[str] | None = None


class NaiveSSE:
    """The SSE layer shared by the naive bases of all three APIs (no code from the kit).

    Buffer the network reads, cut lines at CR/LF/CRLF, decode UTF-8 per line, join
    ``data`` lines and dispatch at the blank line: ``on_event(name, data)`` is what a
    subclass implements. :meth:`accumulate` drives a whole body and returns ``plan()``.
    """

    def __init__(self) -> None:
        self._data: list[str] = []
        self._event = ""

    # -- driver ----------------------------------------------------------------------------

    def accumulate(self, reads: Iterable[bytes]) -> dict[str, Any]:
        for line in self.lines(reads):
            self.sse_line(line)
        self.end_of_body()
        self.end_of_stream()
        return self.plan()

    # -- SSE ------------------------------------------------------------------------------

    def lines(self, reads: Iterable[bytes]) -> Iterator[str]:
        """Lines of the body, split at CR, LF or CRLF before decoding UTF-8."""
        buf = b""
        first = True
        for data in reads:
            buf += data
            if first:
                if len(buf) < 3 and b"\xef\xbb\xbf".startswith(buf):
                    continue  # a BOM may still be arriving
                first = False
                buf = self.strip_bom(buf)
            start = 0
            while True:
                lf = buf.find(b"\n", start)
                cr = buf.find(b"\r", start, lf if lf >= 0 else len(buf))
                if cr >= 0:
                    if cr + 1 == len(buf):
                        break  # is an LF coming in the next read?
                    end, nxt = cr, cr + (2 if buf[cr + 1:cr + 2] == b"\n" else 1)
                elif lf >= 0:
                    end, nxt = lf, lf + 1
                else:
                    break
                yield buf[start:end].decode("utf-8", "replace")
                start = nxt
            buf = buf[start:]
        if first:
            buf = self.strip_bom(buf)
        if buf:  # the last line: no line end, or a CR that no LF followed
            yield buf.removesuffix(b"\r").decode("utf-8", "replace")

    def strip_bom(self, head: bytes) -> bytes:
        """The start of the body without one leading UTF-8 byte order mark."""
        return head[3:] if head.startswith(b"\xef\xbb\xbf") else head

    def split_field(self, line: str) -> tuple[str, str] | None:
        """``field: value`` (one space after the colon removed); ``None`` for a comment."""
        if line.startswith(":"):
            return None
        name, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        return name, value

    def sse_line(self, line: str) -> None:
        if line == "":
            if self._data:
                data, name = "\n".join(self._data), self._event or "message"
                self._data, self._event = [], ""
                self.on_event(name, data)
            else:
                self._event = ""
            return
        field = self.split_field(line)
        if field is None:
            return
        name, value = field
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value

    def end_of_body(self) -> None:
        """A final event without its closing blank line is still used."""
        if self._data:
            self.sse_line("")

    def on_event(self, name: str, data: str) -> None:
        raise NotImplementedError

    def end_of_stream(self) -> None:
        """The body ended (after :meth:`end_of_body`)."""

    def plan(self) -> dict[str, Any]:
        raise NotImplementedError


class NaiveChat(NaiveSSE):
    """Reads -> Plan document. Feed with :meth:`accumulate`."""

    def __init__(self) -> None:
        super().__init__()
        self.choices: dict[int, Choice] = {}
        self.usage: dict[str, int] | None = None
        self.error: dict[str, Any] | None = None
        self.error_seen = False
        self.done = False  # data: [DONE] seen

    # -- SSE: see NaiveSSE ----------------------------------------------------------------

    # -- payloads -----------------------------------------------------------------------------

    def on_event(self, name: str, data: str) -> None:
        if self.done:
            return  # nothing counts after [DONE]
        if data.startswith("[DONE]") and data.strip() == "[DONE]":
            self.on_done()
            return
        try:
            obj = json.loads(data)
        except (ValueError, RecursionError):
            return  # keep-alives and other junk
        if name == "error":
            self.on_error(obj.get("error", obj) if isinstance(obj, dict) else obj)
            return
        if isinstance(obj, dict):
            self.on_chunk(obj)

    def on_done(self) -> None:
        self.done = True
        for c in self.choices.values():
            if not c.finished:
                if self.error_seen:  # [DONE] after an in-band error: the choice failed
                    c.finish = "error"
                else:
                    self.dispatch(c)
                c.finished = True

    def on_error(self, err: Any) -> None:
        self.error_seen = True
        if self.error is None:
            if isinstance(err, dict):
                inner = err["error"] if isinstance(err.get("error"), dict) else err
                self.error = {"type": inner.get("type"), "code": inner.get("code"), "message": inner.get("message")}
            else:
                self.error = {"type": None, "code": None, "message": str(err)}

    def on_chunk(self, obj: dict) -> None:
        if obj.get("error"):
            self.on_error(obj["error"])
        usage = self.usage_of(obj)
        if usage is not None:
            self.usage = usage
        choices = obj.get("choices")
        if isinstance(choices, list):
            for ch in choices:
                if isinstance(ch, dict):
                    self.on_choice(ch)

    def usage_of(self, obj: dict) -> dict[str, int] | None:
        usage = obj.get("usage")
        if usage is None and isinstance(obj.get("x_groq"), dict):
            usage = obj["x_groq"].get("usage")
        if not isinstance(usage, dict):
            return None
        out: dict[str, int] = {}
        for src, dst in (("prompt_tokens", "input_tokens"), ("completion_tokens", "output_tokens"),
                         ("input_tokens", "input_tokens"), ("output_tokens", "output_tokens")):
            if type(usage.get(src)) is int and dst not in out:
                out[dst] = usage[src]
        return out

    def choice_index(self, ch: dict) -> int:
        index = ch.get("index")
        return index if type(index) is int else 0

    def choice(self, index: int) -> Choice:
        if index not in self.choices:
            self.choices[index] = Choice(index)
        return self.choices[index]

    def on_choice(self, ch: dict) -> None:
        c = self.choice(self.choice_index(ch))
        delta = ch.get("delta")
        if isinstance(delta, dict):
            self.on_delta(c, delta)
        raw = ch.get("finish_reason")
        if isinstance(raw, str) and raw:
            self.on_finish(c, raw)

    def on_delta(self, c: Choice, delta: dict) -> None:
        for key in ("reasoning_content", "reasoning"):
            if isinstance(delta.get(key), str) and delta[key]:
                self.on_reasoning(c, delta[key])
        for d in delta.get("reasoning_details") or []:
            if isinstance(d, dict) and isinstance(d.get("text") or d.get("summary"), str):
                self.on_reasoning(c, d.get("text") or d.get("summary"))
        content = delta.get("content")
        if isinstance(content, str):
            if content:
                self.on_text(c, content)
        elif isinstance(content, list):
            for part in content:
                if not isinstance(part, dict):
                    continue
                if part.get("type") == "text" and isinstance(part.get("text"), str):
                    if part["text"]:
                        self.on_text(c, part["text"])
                elif part.get("type") == "thinking":
                    thinking = part.get("thinking")
                    for piece in [thinking] if isinstance(thinking, str) else (thinking or []):
                        text = piece.get("text") if isinstance(piece, dict) else piece
                        if isinstance(text, str) and text:
                            self.on_reasoning(c, text)
        if isinstance(delta.get("refusal"), str) and delta["refusal"]:
            self.on_refusal(c, delta["refusal"])
        calls = delta.get("tool_calls")
        if isinstance(calls, list):
            for frag in calls:
                if isinstance(frag, dict):
                    self.on_fragment(c, frag)

    def on_text(self, c: Choice, text: str) -> None:
        c.finished = False
        if c.say is None:
            c.say = [text]
            c.commands.append(c.say)
        else:
            c.say.append(text)

    def on_refusal(self, c: Choice, text: str) -> None:
        if c.refusal is None:
            c.refusal = []
        c.refusal.append(text)

    def on_reasoning(self, c: Choice, text: str) -> None:
        pass  # reasoning is never SAY text

    # -- tool calls --------------------------------------------------------------------------

    def fragment_fields(self, frag: dict) -> tuple[int | None, str | None, str | None, dict]:
        index = frag.get("index")
        if type(index) is not int:
            index = int(index) if isinstance(index, str) and index.isdigit() else None
        fid = frag.get("id") if isinstance(frag.get("id"), str) and frag.get("id") else None
        fn = frag.get("function") if isinstance(frag.get("function"), dict) else {}
        name = fn.get("name") if isinstance(fn.get("name"), str) and fn.get("name") else None
        return index, fid, name, fn

    def on_fragment(self, c: Choice, frag: dict) -> None:
        index, fid, name, fn = self.fragment_fields(frag)
        call = self.route(c, index, fid, name)
        c.finished = False
        if call.done:
            return  # already dispatched
        self.set_header(c, call, frag, fid, name)
        if not call.seen:
            call.seen = True
            call.started_id, call.started_name = call.id, call.name
        if "arguments" in fn:
            self.add_arguments(call, fn["arguments"])

    def route(self, c: Choice, index: int | None, fid: str | None, name: str | None) -> Call:
        """The Plan conventions' call identity (conformance.md section 2)."""
        if index is not None:
            call = c.by_index.get(index)
            if call is None:
                return self.open_call(c, index)
            if fid is not None and call.id is not None and fid != call.id:
                if fid in c.by_id:
                    return c.by_id[fid]
                if name is not None:
                    return self.open_call(c, index)
            return call
        if fid is not None and fid in c.by_id:
            return c.by_id[fid]
        if (fid is not None and name is not None) or c.last is None:
            return self.open_call(c, None)
        return c.last

    def open_call(self, c: Choice, index: int | None) -> Call:
        call = Call()
        c.calls.append(call)
        c.commands.append(call)
        c.say = None  # text after a tool call opens a new SAY
        if index is not None:
            c.by_index[index] = call
        c.last = call
        return call

    def set_header(self, c: Choice, call: Call, frag: dict, fid: str | None, name: str | None) -> None:
        """Set ``id`` and ``name`` once (``fid``/``name`` are the non-empty strings of ``frag``)."""
        if fid is not None and call.id is None:
            call.id = fid
            c.by_id.setdefault(fid, call)
        if name is not None and call.name is None:
            call.name = name

    def add_arguments(self, call: Call, args: Any) -> None:
        if isinstance(args, str):
            if args:
                call.args.append(args)
        elif args is not None:
            if call.obj is None and not call.args:
                call.obj = args
                call.args.append(json.dumps(args, ensure_ascii=False, separators=(",", ":")))

    # -- finishing ---------------------------------------------------------------------------

    def normalise_finish(self, raw: str) -> str | None:
        return FINISH.get(raw)

    def on_finish(self, c: Choice, raw: str) -> None:
        c.finish = self.normalise_finish(raw)
        c.finish_seen = True
        c.finished = True
        if c.finish == "error":
            self.error_seen = True  # a failed choice: its calls are never dispatched
            return
        self.dispatch(c)

    def dispatch(self, c: Choice) -> None:
        for call in c.calls:
            if not call.done:
                self.complete(call)

    def complete(self, call: Call) -> None:
        call.done = True
        if call.obj is not None and len(call.args) == 1:
            call.arguments, call.parameters, call.invalid = call.args[0], call.obj, False
        else:
            call.arguments = "".join(call.args)
            call.parameters, call.invalid = self.parse_arguments(call.arguments)

    def parse_arguments(self, arguments: str) -> tuple[Any, bool]:
        if arguments.strip() == "":
            return {}, False
        try:
            return json.loads(arguments), False
        except (ValueError, RecursionError):
            return None, True

    def end_of_stream(self) -> None:
        """No ``[DONE]``: unfinished choices are truncated (or ended by an in-band error)."""
        if self.done:
            return
        for c in self.choices.values():
            if not c.finished and self.error_seen:
                c.finish = "error"
            # calls still open were never dispatched: they stay as they are

    # -- the plan ---------------------------------------------------------------------------

    def do_command(self, call: Call) -> dict[str, Any]:
        if call.done:
            out = {"type": "DO", "call_id": call.id, "action": call.name,
                   "arguments": call.arguments, "parameters": call.parameters}
            if call.invalid:
                out["invalid_arguments"] = True
            return out
        arguments = "".join(call.args)
        parameters, invalid = self.parse_arguments(arguments)
        out = {"type": "DO", "call_id": call.started_id, "action": call.started_name,
               "arguments": arguments, "parameters": parameters}
        if invalid:
            out["invalid_arguments"] = True
        out["dispatched"] = False
        return out

    def plan(self) -> dict[str, Any]:
        choices = []
        for index in sorted(self.choices):
            c = self.choices[index]
            commands = []
            for cmd in c.commands:
                if isinstance(cmd, Call):
                    commands.append(self.do_command(cmd))
                else:
                    commands.append({"type": "SAY", "text": "".join(cmd)})
            choices.append({"index": index, "finish_reason": c.finish, "commands": commands,
                            "refusal": "".join(c.refusal) if c.refusal is not None else None,
                            "server_tools": []})
        return {"type": "plan", "api": API, "choices": choices, "usage": self.usage, "error": self.error}


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    """The unbroken base, as a plain ``f(reads) -> Plan`` implementation."""
    return NaiveChat().accumulate(reads)
