"""A naive, independent Anthropic Messages stream handler: the base every ``a*`` mutant breaks.

Written the way a careful user writes an Anthropic handler, with no code from the kit:
the SSE layer of :class:`._naive.NaiveSSE` (itself kit-free), ``json.loads`` per event,
routing by the payload's ``type`` (never the SSE event name), content blocks kept by
their ``index`` in a dict, tool input joined per block and parsed at its stop, and the
Plan conventions of ``conformance.md`` sections 2 and 7. On the bundled corpus its plan
equals the reference's (``tests/test_mutants.py`` checks this), so it is a second
reading of those conventions as well.

Each mutant (``kit/adapters/mutants/a*.py``) subclasses :class:`NaiveAnthropic` and overrides one
method with the buggy version of it that real handlers have shipped:

=================================  =============================================
``on_event(name, data)``           ``[DONE]``, JSON decoding, then ``on_payload``
``on_payload(obj)``                routing by ``type``; ``ping`` and unknown types
                                   ignored; nothing counts after ``message_stop``
``on_message_start(obj)``          usage and stop reason of the first ``message_start``
``on_start_content(content)``      blocks that came whole in ``message_start``
``block(index)``                   the block an event names (a dict by index)
``on_block_start(b, doc)``         text / tool_use / server tools / thinking
``on_block_delta(b, delta)``       dispatch by delta type (mismatches ignored)
``on_text`` / ``on_thinking``      visible text (one SAY per text block) / thinking
``on_input_json(b, part)``         a tool input fragment
``on_block_stop(b)``               a block ends: dispatch a tool_use
``input_of(b)``                    joined fragments, else the pre-filled input
``parse_input(s)``                 ``(parameters, invalid)``
``on_message_delta(obj)``          usage, stop reason; ends open blocks
``take_usage(usage)``              cumulative usage (values replace, never add)
``finish_of(raw)``                 the stop reason normalised
``on_message_stop()``              ends open blocks
``on_error(obj)``                  an ``error`` event
``end_of_stream()``                no stop reason: truncated
=================================  =============================================

Usage::

    def accumulate(reads: Iterable[bytes]) -> dict:
        return NaiveAnthropic().accumulate(reads)
"""

from __future__ import annotations

import json
from typing import Any, Callable, Iterable

from ._naive import NaiveSSE

API = "anthropic.messages"

FINISH = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "tool_use": "tool_calls",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "refusal": "content_filter",
    "pause_turn": "incomplete",
}
SERVER_BLOCKS = ("server_tool_use", "mcp_tool_use")


def declare(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Declare ``fn`` a handler of this module's API for the kit, without importing the kit.

    ``toolstream-kit`` reads ``fn.__kit__`` (a plain dict with the keys of its
    ``Capabilities``): a handler of anthropic.messages only, fed the network reads, with no sink.
    """
    fn.__kit__ = {"apis": [API]}  # type: ignore[attr-defined]
    return fn


def parse_arguments(arguments: str) -> tuple[Any, bool]:
    """``(parameters, invalid)``: empty is ``{}``, invalid JSON is ``None``."""
    if arguments.strip() == "":
        return {}, False
    try:
        return json.loads(arguments), False
    except (ValueError, RecursionError):
        return None, True


class Block:
    """One content block, keyed by its ``index``."""

    def __init__(self, index: int) -> None:
        self.index = index
        self.started = False
        self.stopped = False
        self.type: str | None = None
        self.id: str | None = None
        self.name: str | None = None
        self.tool_use_id: str | None = None
        self.prefilled: Any = None
        self.parts: list[str] = []
        # a tool_use
        self.dispatched = False
        self.arguments = ""
        self.parameters: Any = None
        self.invalid = False


class NaiveAnthropic(NaiveSSE):
    """Reads -> Plan document. Feed with :meth:`accumulate`."""

    def __init__(self) -> None:
        super().__init__()
        self.blocks: dict[int, Block] = {}
        self.commands: list[Any] = []  # a list of text pieces (a SAY) or a Block (a DO)
        self.say: list[str] | None = None  # the SAY still open
        self.say_block: int | None = None  # the block it belongs to
        self.server_tools: list[dict[str, Any]] = []
        self.usage: dict[str, int] | None = None
        self.error: dict[str, Any] | None = None
        self.finish: str | None = None
        self.started = False  # message_start seen
        self.stop_seen = False  # a stop reason or message_stop
        self.stopped = False  # message_stop: the message is complete
        self.failed = False  # an error event
        self.start_reason: str | None = None  # the stop reason message_start carried, if any

    # -- payloads ----------------------------------------------------------------------------

    def on_event(self, name: str, data: str) -> None:
        if data.strip() == "[DONE]":
            return  # a gateway's OpenAI habit
        try:
            obj = json.loads(data)
        except (ValueError, RecursionError):
            return  # a proxy's keep-alive
        if isinstance(obj, dict) and isinstance(obj.get("type"), str):
            self.on_payload(obj)

    def on_payload(self, obj: dict) -> None:
        t = obj["type"]
        if t == "error":
            self.on_error(obj)
            return
        if self.stopped or t == "ping":
            return
        if t == "message_start":
            self.on_message_start(obj)
        elif t in ("content_block_start", "content_block_delta", "content_block_stop"):
            index = obj.get("index")
            if type(index) is not int:
                return
            b = self.block(index)
            if t == "content_block_start":
                if not b.started and not b.stopped:
                    b.started = True
                    self.on_block_start(b, obj.get("content_block"))
            elif t == "content_block_delta":
                if not b.stopped:
                    b.started = True  # a delta without a start still opens the block
                    self.on_block_delta(b, obj.get("delta"))
            elif not b.stopped:
                b.stopped = True
                if b.started:  # a stop for a block never started is ignored
                    self.on_block_stop(b)
        elif t == "message_delta":
            self.on_message_delta(obj)
        elif t == "message_stop":
            self.on_message_stop()
        # other types: new betas, ignored

    def on_message_start(self, obj: dict) -> None:
        if self.started:
            return
        self.started = True
        message = obj.get("message")
        if not isinstance(message, dict):
            return
        if isinstance(message.get("usage"), dict):
            self.take_usage(message["usage"])
        if isinstance(message.get("stop_reason"), str) and message["stop_reason"]:
            self.start_reason = message["stop_reason"]  # the finish, unless a message_delta brings one
        if isinstance(message.get("content"), list) and not self.blocks:
            self.on_start_content(message["content"])

    def on_start_content(self, content: list) -> None:
        """A message that opens with whole blocks (a programmatic tool calling continuation):
        they are blocks 0..n-1, each complete; a tool_use among them is dispatched at once."""
        for index, doc in enumerate(content):
            b = self.block(index)
            b.started = b.stopped = True
            self.on_block_start(b, doc)
            if b.type != "tool_use":
                self.end_block(b)
            elif b.prefilled is None:
                self.dispatch(b)
            else:  # its input is all there is, `{}` included
                b.dispatched = True
                b.arguments = json.dumps(b.prefilled, ensure_ascii=False, separators=(",", ":"))
                b.parameters, b.invalid = b.prefilled, False

    def block(self, index: int) -> Block:
        if index not in self.blocks:
            self.blocks[index] = Block(index)
        return self.blocks[index]

    # -- blocks ------------------------------------------------------------------------------

    def on_block_start(self, b: Block, doc: Any) -> None:
        if not isinstance(doc, dict) or not isinstance(doc.get("type"), str):
            return
        b.type = doc["type"]
        if b.type == "text":
            if isinstance(doc.get("text"), str) and doc["text"]:
                self.on_text(b, doc["text"])
        elif b.type == "tool_use":
            b.id = doc["id"] if isinstance(doc.get("id"), str) and doc["id"] else None
            b.name = doc["name"] if isinstance(doc.get("name"), str) and doc["name"] else None
            b.prefilled = doc.get("input")
            self.open_call(b)
        elif b.type in SERVER_BLOCKS:
            b.id = doc["id"] if isinstance(doc.get("id"), str) else None
            b.name = doc["name"] if isinstance(doc.get("name"), str) else None
        elif b.type.endswith("_tool_result") or b.type == "container_upload":
            b.tool_use_id = doc["tool_use_id"] if isinstance(doc.get("tool_use_id"), str) else None
        elif b.type in ("thinking", "redacted_thinking"):
            if isinstance(doc.get("thinking"), str) and doc["thinking"]:
                self.on_thinking(b, doc["thinking"])

    def open_call(self, b: Block) -> None:
        self.commands.append(b)
        self.say = None  # text after a call opens a new SAY

    def on_block_delta(self, b: Block, delta: Any) -> None:
        if not isinstance(delta, dict):
            return
        t = delta.get("type")
        if b.type is None:
            if t != "text_delta":
                return
            b.type = "text"  # a text block whose start a converter dropped
        if t == "text_delta" and b.type == "text":
            if isinstance(delta.get("text"), str) and delta["text"]:
                self.on_text(b, delta["text"])
        elif t == "input_json_delta" and (b.type == "tool_use" or b.type in SERVER_BLOCKS):
            self.on_input_json(b, delta.get("partial_json"))
        elif t == "thinking_delta" and b.type == "thinking":
            if isinstance(delta.get("thinking"), str) and delta["thinking"]:
                self.on_thinking(b, delta["thinking"])
        # signature and citation deltas, mismatched and unknown deltas: ignored

    def on_text(self, b: Block, text: str) -> None:
        if self.say is not None and self.say_block == b.index:
            self.say.append(text)
        else:
            self.say = [text]
            self.say_block = b.index
            self.commands.append(self.say)

    def on_thinking(self, b: Block, text: str) -> None:
        pass  # thinking is never SAY text

    def on_input_json(self, b: Block, part: Any) -> None:
        if isinstance(part, str) and part:
            b.parts.append(part)

    def on_block_stop(self, b: Block) -> None:
        if b.type == "tool_use":
            self.dispatch(b)
        else:
            self.end_block(b)

    def end_block(self, b: Block) -> None:
        """A block that is not a client call ended: list the server tools."""
        if b.type in SERVER_BLOCKS:
            self.server_tools.append({"type": b.type, "id": b.id, "name": b.name})
        elif b.type is not None and (b.type.endswith("_tool_result") or b.type == "container_upload"):
            self.server_tools.append({"type": b.type, "id": b.tool_use_id, "name": None})

    def input_of(self, b: Block) -> tuple[str, Any, bool]:
        """``(arguments, parameters, invalid)``: the fragments, else a pre-filled input."""
        joined = "".join(b.parts)
        if not joined and isinstance(b.prefilled, dict) and b.prefilled:
            return json.dumps(b.prefilled, ensure_ascii=False, separators=(",", ":")), b.prefilled, False
        parameters, invalid = self.parse_input(joined)
        return joined, parameters, invalid

    def parse_input(self, arguments: str) -> tuple[Any, bool]:
        return parse_arguments(arguments)

    def dispatch(self, b: Block) -> None:
        b.dispatched = True
        b.arguments, b.parameters, b.invalid = self.input_of(b)

    def end_open_blocks(self, *, dispatch: bool) -> None:
        """The message ended with blocks open: stop them (a tool_use is dispatched only if
        ``dispatch``)."""
        for index in sorted(self.blocks):
            b = self.blocks[index]
            if b.started and not b.stopped:
                b.stopped = True
                if b.type != "tool_use":
                    self.end_block(b)
                elif dispatch:
                    self.dispatch(b)

    # -- the message -------------------------------------------------------------------------

    def on_message_delta(self, obj: dict) -> None:
        if isinstance(obj.get("usage"), dict):
            self.take_usage(obj["usage"])
        delta = obj.get("delta")
        raw = delta.get("stop_reason") if isinstance(delta, dict) else None
        if isinstance(raw, str) and raw:
            if raw in ("max_tokens", "model_context_window_exceeded"):
                self.cut_open_calls()
            self.end_open_blocks(dispatch=not self.failed)
            self.stop_seen = True
            self.finish = self.finish_of(raw)

    def cut_open_calls(self) -> None:
        """The output limit cut an open tool_use: its input is not whole, never run it."""
        for b in self.blocks.values():
            if b.type == "tool_use" and b.started and not b.stopped:
                b.stopped = True

    def finish_of(self, raw: str) -> str | None:
        return FINISH.get(raw)

    def take_usage(self, usage: dict) -> None:
        new = dict(self.usage or {})
        for key in ("input_tokens", "output_tokens"):
            if type(usage.get(key)) is int:
                new[key] = usage[key]
        if new:
            self.usage = new

    def on_message_stop(self) -> None:
        self.stopped = True
        self.end_with_start_reason() or self.end_open_blocks(dispatch=not self.failed)
        if not self.stop_seen and not self.failed:
            self.stop_seen = True
            self.finish = None

    def end_with_start_reason(self) -> bool:
        """The message ends with only message_start's stop reason: it is the finish."""
        if self.stop_seen or self.failed or self.start_reason is None:
            return False
        if self.start_reason in ("max_tokens", "model_context_window_exceeded"):
            self.cut_open_calls()
        self.end_open_blocks(dispatch=True)
        self.stop_seen = True
        self.finish = self.finish_of(self.start_reason)
        return True

    def on_error(self, obj: dict) -> None:
        inner = obj["error"] if isinstance(obj.get("error"), dict) else obj
        if self.error is None:
            self.error = {"type": inner.get("type"), "code": inner.get("code"), "message": inner.get("message")}
        if not self.failed:
            self.failed = True
            if not self.stop_seen:
                self.finish = "error"

    def end_of_stream(self) -> None:
        if self.stopped:
            return
        # a stop reason without message_stop is a finished message; anything else is cut off
        self.end_with_start_reason() or self.end_open_blocks(dispatch=self.stop_seen and not self.failed)

    # -- the plan ----------------------------------------------------------------------------

    def do_command(self, b: Block) -> dict[str, Any]:
        if b.dispatched:
            out = {"type": "DO", "call_id": b.id, "action": b.name, "arguments": b.arguments,
                   "parameters": b.parameters}
            if b.invalid:
                out["invalid_arguments"] = True
            return out
        arguments = "".join(b.parts)
        parameters, invalid = parse_arguments(arguments)
        out = {"type": "DO", "call_id": b.id, "action": b.name, "arguments": arguments, "parameters": parameters}
        if invalid:
            out["invalid_arguments"] = True
        out["dispatched"] = False
        return out

    def plan(self) -> dict[str, Any]:
        commands = [self.do_command(c) if isinstance(c, Block) else {"type": "SAY", "text": "".join(c)}
                    for c in self.commands]
        choice = {"index": 0, "finish_reason": self.finish, "commands": commands, "refusal": None,
                  "server_tools": self.server_tools}
        return {"type": "plan", "api": API, "choices": [choice], "usage": self.usage, "error": self.error}


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    """The unbroken base, as a plain ``f(reads) -> Plan`` implementation."""
    return NaiveAnthropic().accumulate(reads)
