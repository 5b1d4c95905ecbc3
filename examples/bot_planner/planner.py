"""A streaming tools planner for a chat bot, Bot-Framework / Teams-AI style.

The bot sends a Chat Completions request with ``stream: true`` and tools, then hands the
response body to :meth:`ToolsPlanner.begin_task` read by read. While the body arrives:

- visible text goes straight to the user through the :class:`StreamingResponse`
  (``queue_text_chunk``), and
- each tool call becomes a DO command, mapped to a registered action, which is run
  (``on_action``) only once the call is known to be complete: when its choice's
  ``finish_reason`` arrives, or at ``data: [DONE]`` if the provider never sent one.

The result is a :class:`Plan`: the ordered SAY / DO commands of the turn, the finish
reason, any refusal, the token usage and the first error.

Nothing here depends on an SDK (or on the test kit): the body is parsed with the small
server-sent-events reader below and the chunks are accumulated as the OpenAI streaming
docs describe them, hardened against what OpenAI-compatible servers actually send:

- tool-call fragments are routed by ``index``; ``id``, ``type`` and ``function.name`` are
  set once (providers repeat them, or send ``""`` / ``null`` on continuations), only
  ``function.arguments`` is appended;
- some servers send every call at index 0 (a new call = a new id *with* a name), some
  send no index at all, some start at 1, some send placeholder ids on continuations;
- ``arguments`` may be ``null`` or even a JSON object instead of a string;
- text that follows a tool call is a new SAY, never glued to the text before the call;
- a stream that is cut off (no finish reason and no ``[DONE]``) or that carries an
  error never runs its tool calls.

We ask for ``n=1``: only choice 0 is planned.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

__all__ = ["ServerSentEvents", "StreamingResponse", "PredictedSayCommand", "PredictedDoCommand", "Plan",
           "ToolsPlanner"]


# --------------------------------------------------------------------------------------
# Server-sent events
# --------------------------------------------------------------------------------------

_LINE_END = re.compile(rb"[\r\n]")
_BOM = b"\xef\xbb\xbf"


class ServerSentEvents:
    """A small incremental ``text/event-stream`` reader.

    ``feed(read)`` returns the ``(event_name, data)`` pairs that became complete; ``end()``
    returns what is left when the body ends. Lines end at CR, LF or CRLF (also a CRLF
    split across reads); bytes are decoded as UTF-8 only once a line is complete, so a
    character split between two reads is not mangled.
    """

    def __init__(self) -> None:
        self._buf = bytearray()
        self._scanned = 0  # bytes of _buf already known to hold no line end
        self._skip_lf = False  # the last read ended with CR: an LF opening the next one belongs to it
        self._at_start = True  # a byte order mark may still come
        self._data: list[str] = []
        self._event = ""

    def feed(self, read: bytes) -> list[tuple[str, str]]:
        if not read:
            return []
        if self._skip_lf:
            self._skip_lf = False
            if read[:1] == b"\n":
                read = read[1:]
        self._buf += read
        if self._at_start:
            if len(self._buf) < 3 and _BOM.startswith(bytes(self._buf)):
                return []  # wait: it may be a BOM cut in two
            self._at_start = False
            if self._buf[:3] == _BOM:
                del self._buf[:3]
        out: list[tuple[str, str]] = []
        buf = self._buf
        start = 0
        while True:
            m = _LINE_END.search(buf, max(start, self._scanned))
            if m is None:
                break
            end = m.start()
            nxt = end + 1
            if buf[end] == 0x0D:  # CR, maybe the first half of CRLF
                if nxt < len(buf):
                    if buf[nxt] == 0x0A:
                        nxt += 1
                else:
                    self._skip_lf = True
            self._line(bytes(buf[start:end]), out)
            start = nxt
            self._scanned = 0
        del buf[:start]
        self._scanned = len(buf)
        return out

    def end(self) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        if self._buf:  # a last line without its line end
            self._line(bytes(self._buf), out)
            self._buf.clear()
        if self._data:  # a last event without its blank line: still use it
            self._line(b"", out)
        return out

    def _line(self, raw: bytes, out: list[tuple[str, str]]) -> None:
        if not raw:  # blank line: dispatch
            if self._data:
                out.append((self._event or "message", "\n".join(self._data)))
            self._data = []
            self._event = ""
            return
        line = raw.decode("utf-8", "replace")
        if line.startswith(":"):
            return  # comment (keep-alive)
        name, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        # `id`, `retry` and unknown fields do not matter here


# --------------------------------------------------------------------------------------
# What the bot framework sees
# --------------------------------------------------------------------------------------


class StreamingResponse:
    """The framework's streaming message: text chunks go to the user as they come.

    Subclass it (or pass ``send``) to deliver the chunks somewhere."""

    def __init__(self, send: Callable[[str], None] | None = None) -> None:
        self._send = send
        self.message = ""
        self.ended = False

    def queue_informative_update(self, text: str) -> None:
        """A status line ("Looking that up...") shown while the bot works."""

    def queue_text_chunk(self, text: str) -> None:
        if self.ended:
            raise RuntimeError("the stream has already ended")
        self.message += text
        if self._send is not None:
            self._send(text)

    def end_stream(self) -> None:
        self.ended = True


@dataclass
class PredictedSayCommand:
    response: str
    type: str = "SAY"


@dataclass
class PredictedDoCommand:
    action: str | None
    action_id: str | None
    arguments: str = ""
    parameters: Any = None
    invalid_arguments: bool = False
    dispatched: bool = False
    type: str = "DO"


@dataclass
class Plan:
    commands: list[PredictedSayCommand | PredictedDoCommand] = field(default_factory=list)
    finish_reason: str | None = None
    refusal: str | None = None
    usage: dict[str, int] | None = None
    error: dict[str, Any] | None = None
    has_choice: bool = False  # did the model answer at all (a choice 0 in the stream)


# --------------------------------------------------------------------------------------
# The planner
# --------------------------------------------------------------------------------------

_FINISH = {"stop": "stop", "tool_calls": "tool_calls", "function_call": "tool_calls", "length": "length",
           "content_filter": "content_filter", "error": "error"}


class _ToolCall:
    def __init__(self, command: PredictedDoCommand, index: int | None) -> None:
        self.command = command
        self.index = index
        self.id: str | None = None
        self.name: str | None = None
        self.type: Any = None
        self.pieces: list[str] = []
        self.value: Any = None  # `arguments` sent as a JSON value instead of a string
        self.has_value = False
        self.fragments = 0
        self.done = False


def _text(value: Any) -> str | None:
    """A non-empty string, or None (``""`` and ``null`` mean "not sent")."""
    return value if type(value) is str and value else None


def _parse(arguments: str) -> tuple[Any, bool]:
    if not arguments.strip():
        return {}, False  # a no-parameter tool sends ""
    try:
        return json.loads(arguments), False
    except (ValueError, RecursionError):
        return None, True  # never repaired: the action is not run with guessed parameters


class ToolsPlanner:
    """Turns one streamed Chat Completions response into a Plan, streaming its text.

    Callbacks (all optional): ``on_action_started(command)`` when a tool call first shows
    up, ``on_action_arguments(command, piece)`` as its arguments grow (progress only:
    never act on partial arguments), ``on_action(command)`` when it is complete and may
    run, ``on_refusal(text)``, ``on_finish(finish_reason)``, ``on_usage(usage)``,
    ``on_error(error)``.
    """

    def __init__(self, *, on_action: Callable[[PredictedDoCommand], None] | None = None,
                 on_action_started: Callable[[PredictedDoCommand], None] | None = None,
                 on_action_arguments: Callable[[PredictedDoCommand, str], None] | None = None,
                 on_refusal: Callable[[str], None] | None = None,
                 on_finish: Callable[[str | None], None] | None = None,
                 on_usage: Callable[[dict], None] | None = None,
                 on_error: Callable[[dict], None] | None = None) -> None:
        self.on_action = on_action
        self.on_action_started = on_action_started
        self.on_action_arguments = on_action_arguments
        self.on_refusal = on_refusal
        self.on_finish = on_finish
        self.on_usage = on_usage
        self.on_error = on_error

    # -- driving ------------------------------------------------------------------------

    def begin_task(self, body: Iterable[bytes], response: StreamingResponse) -> Plan:
        """Read the whole body (an iterable of byte reads) and return the Plan."""
        self._reset(response)
        sse = ServerSentEvents()
        for read in body:
            for name, data in sse.feed(read):
                self._event(name, data)
        for name, data in sse.end():
            self._event(name, data)
        self._end_of_body()
        response.end_stream()
        return self.plan

    def _reset(self, response: StreamingResponse) -> None:
        self.response = response
        self.plan = Plan()
        self._done = False  # saw data: [DONE]
        self._failed = False  # the stream carried an error
        self._finished = False  # choice 0 is finished (no content expected)
        self._finish_seen = False  # choice 0 sent a finish_reason
        self._raw_usage: Any = None
        self._calls: list[_ToolCall] = []
        self._by_index: dict[int, _ToolCall] = {}
        self._by_id: dict[str, _ToolCall] = {}
        self._last: _ToolCall | None = None
        self._refusal: list[str] | None = None

    def _event(self, name: str, data: str) -> None:
        if self._done:
            return  # nothing counts after [DONE]
        if data.startswith("[DONE]") and data.strip() == "[DONE]":
            self._done = True
            if self.plan.has_choice and not self._finished:
                self._finished = True
                if self._failed:  # an error came in the stream: nothing is run
                    self._set_finish("error")
                else:
                    self._dispatch()  # the provider never sent a finish_reason: [DONE] completes the calls
                    if not self._finish_seen:
                        self._set_finish(None)
            return
        try:
            chunk = json.loads(data)
        except (ValueError, RecursionError):
            return  # keep-alive text and the like
        if name == "error":
            self._error(chunk.get("error", chunk) if isinstance(chunk, dict) else chunk)
            return
        if isinstance(chunk, dict):
            self._chunk(chunk)

    def _end_of_body(self) -> None:
        if not self._done and self.plan.has_choice and not self._finished:
            # The body ended with choice 0 still open and no [DONE]: the stream was cut
            # off (or failed). Its tool calls never completed, so they are not run.
            self._finished = True
            if self._failed:
                self._set_finish("error")
            elif not self._finish_seen:
                self._set_finish(None)
        for call in self._calls:  # what a call that never ran had received, for the record
            command = call.command
            if not command.dispatched:
                command.arguments = "".join(call.pieces)
                command.parameters, command.invalid_arguments = _parse(command.arguments)

    # -- chunks ---------------------------------------------------------------------------

    def _chunk(self, chunk: dict) -> None:
        if chunk.get("error"):
            self._error(chunk["error"])
        usage = chunk.get("usage")
        if usage is None and isinstance(chunk.get("x_groq"), dict):
            usage = chunk["x_groq"].get("usage")  # Groq puts it there
        if type(usage) is dict and usage != self._raw_usage:
            self._raw_usage = usage
            self.plan.usage = _usage(usage)
            if self.on_usage:
                self.on_usage(dict(self.plan.usage))
        choices = chunk.get("choices")
        if type(choices) is not list:
            return
        for choice in choices:  # [] on Azure filter results and the usage chunk
            if type(choice) is not dict:
                continue
            index = choice.get("index")
            if type(index) is not int:
                index = 0  # some relays leave it out
            if index != 0:
                continue  # n=1: other choices are not ours
            self.plan.has_choice = True
            delta = choice.get("delta")
            if type(delta) is dict:
                self._delta(delta)
            finish = choice.get("finish_reason")
            if type(finish) is str and finish:  # "" means "not yet" on some servers
                self._finish(finish)

    def _delta(self, delta: dict) -> None:
        # reasoning_content / reasoning are the model thinking: never shown
        content = delta.get("content")
        if type(content) is str:
            self._say(content)
        elif type(content) is list:  # content parts: text is shown, thinking is not
            for part in content:
                if type(part) is dict and part.get("type") == "text" and type(part.get("text")) is str:
                    self._say(part["text"])
        refusal = _text(delta.get("refusal"))
        if refusal:
            self._refusal = (self._refusal or []) + [refusal]
            self.plan.refusal = "".join(self._refusal)
            if self.on_refusal:
                self.on_refusal(refusal)
        fragments = delta.get("tool_calls")
        if type(fragments) is list:
            for fragment in fragments:
                if type(fragment) is dict:
                    self._fragment(fragment)

    def _say(self, text: str) -> None:
        if not text:
            return
        self._finished = False
        commands = self.plan.commands
        if commands and commands[-1].type == "SAY":
            commands[-1].response += text
        else:  # the first text, or text after a tool call: a new SAY
            commands.append(PredictedSayCommand(text))
        self.response.queue_text_chunk(text)

    # -- tool calls ---------------------------------------------------------------------------

    def _fragment(self, fragment: dict) -> None:
        index = fragment.get("index")
        if type(index) is str and index.isdigit():
            index = int(index)
        elif type(index) is not int:
            index = None
        call_id = _text(fragment.get("id"))
        function = fragment.get("function")
        if type(function) is not dict:
            function = {}  # metadata-only fragments exist
        name = _text(function.get("name"))

        if index is not None:
            call = self._by_index.get(index)
            if call is None:
                call = self._open(index)
            elif call_id and call.id and call_id != call.id:
                if call_id in self._by_id:
                    call = self._by_id[call_id]
                elif name:  # another call at the same index (everything at index 0)
                    call = self._open(index)
                # else: a placeholder id on a continuation; keep the call's first id
        else:
            call = self._by_id.get(call_id) if call_id else None
            if call is None:
                if (call_id and name) or self._last is None:
                    call = self._open(None)
                else:
                    call = self._last
        self._finished = False
        if call.done:
            return  # already run
        first = call.fragments == 0
        call.fragments += 1
        if call_id and call.id is None:
            call.id = call.command.action_id = call_id
            self._by_id.setdefault(call_id, call)
        if name and call.name is None:
            call.name = call.command.action = name
        if first:
            call.type = fragment.get("type")
            if self.on_action_started:
                self.on_action_started(call.command)
        if "arguments" in function:
            arguments = function["arguments"]
            piece = None
            if type(arguments) is str:
                piece = arguments or None
            elif arguments is not None:  # llama-server sends the object itself
                if not call.has_value and not call.pieces:
                    call.has_value = True
                    call.value = arguments
                    piece = json.dumps(arguments, ensure_ascii=False, separators=(",", ":"))
            if piece is not None:
                call.pieces.append(piece)
                if self.on_action_arguments:
                    self.on_action_arguments(call.command, piece)

    def _open(self, index: int | None) -> _ToolCall:
        command = PredictedDoCommand(action=None, action_id=None)
        call = _ToolCall(command, index)
        self.plan.commands.append(command)  # placed where it first showed up
        self._calls.append(call)
        if index is not None:
            self._by_index[index] = call
        self._last = call
        return call

    def _finish(self, raw: str) -> None:
        reason = _FINISH.get(raw)  # an undocumented value plans as None
        self._finished = True
        self._finish_seen = True
        if reason == "error":
            self._failed = True
            for call in self._calls:
                call.done = True  # the choice failed: nothing it started is run
        else:
            self._dispatch()
        self._set_finish(reason)

    def _dispatch(self) -> None:
        for call in self._calls:
            if call.done:
                continue
            call.done = True
            command = call.command
            command.arguments = "".join(call.pieces)
            if call.has_value and len(call.pieces) == 1:
                command.parameters = call.value
            else:
                command.parameters, command.invalid_arguments = _parse(command.arguments)
            command.dispatched = True
            if self.on_action:
                self.on_action(command)

    def _set_finish(self, reason: str | None) -> None:
        self.plan.finish_reason = reason
        if self.on_finish:
            self.on_finish(reason)

    def _error(self, err: Any) -> None:
        self._failed = True
        if isinstance(err, dict):
            inner = err["error"] if isinstance(err.get("error"), dict) else err
            error = {"type": inner.get("type"), "code": inner.get("code"), "message": inner.get("message")}
        else:
            error = {"type": None, "code": None, "message": str(err)}
        if self.plan.error is None:
            self.plan.error = error
        if self.on_error:
            self.on_error(error)


def _usage(raw: dict) -> dict[str, int]:
    usage: dict[str, int] = {}
    for src, dst in (("prompt_tokens", "input_tokens"), ("completion_tokens", "output_tokens"),
                     ("input_tokens", "input_tokens"), ("output_tokens", "output_tokens")):
        if type(raw.get(src)) is int and dst not in usage:
            usage[dst] = raw[src]
    return usage
