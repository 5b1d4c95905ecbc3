"""Reference accumulator for Anthropic Messages streams.

Theory of operation
-------------------
An Anthropic stream is ``message_start``, then content blocks (``content_block_start``,
``content_block_delta``\\*, ``content_block_stop``) keyed by ``index``, then
``message_delta`` (stop reason, cumulative usage) and ``message_stop``; ``ping`` may come
anywhere and ``error`` may end it early. The machine is fed SSE events (``feed``) or
decoded events (``feed_json``) and told when the stream ends (``close``); each call
returns the output events it caused, ``plan()`` gives the Plan, ``diagnostics`` the
deviations with rule ids.

Two levels of state, each with every legal move in one table below:

- the **message**: ``BEFORE`` until ``message_start``, ``STREAMING``, ``STOPPED`` at
  ``message_stop`` (later events are reported and ignored), ``CLOSED`` at ``close()``.
- each **content block**, keyed by ``index``: ``NEW`` -> ``OPEN`` at its start ->
  ``STOPPED`` at its stop, where a ``tool_use`` is dispatched. Blocks still open when
  the message ends (``message_delta`` with a stop reason, or ``message_stop``) are
  stopped there and reported; a tool_use left open by ``max_tokens`` never got its whole
  input and is not dispatched (reported), nor are open calls after an ``error`` or in a
  cut stream.

Each text block is its own SAY; ``tool_use`` is a DO whose arguments are the joined
``input_json_delta`` fragments (none or empty: ``{}``; no fragments but a pre-filled
``input``: that input), whatever its ``caller`` (a call made by code execution waits on the
client's result); thinking is never SAY; server tools and tool results go to
``server_tools``, whatever their ``caller``.

A ``message_start`` whose ``message.content`` already holds blocks (a programmatic tool
calling continuation) opens the message with them, whole: they are blocks ``0..n-1``
(streamed blocks continue after them), a ``tool_use`` among them is dispatched there (its
input is complete), and ``message.stop_reason`` is the finish at ``message_stop`` unless a
``message_delta`` brings one.
"""

from __future__ import annotations

import json
from typing import Any

from .. import events as ev
from ..plan import parse_arguments
from ..sse import SSEEvent
from ._base import BLOCK, Machine

__all__ = ["AnthropicReference", "MESSAGE_TRANSITIONS", "BLOCK_TRANSITIONS", "API", "STOP_REASONS"]

API = "anthropic.messages"

BEFORE, STREAMING, STOPPED, CLOSED = "BEFORE", "STREAMING", "STOPPED", "CLOSED"
NEW, OPEN = "NEW", "OPEN"

# Message inputs: message_start, a block event, message_delta, message_stop, error,
# `[DONE]`, a payload that is not an event, end of stream.
MESSAGE_TRANSITIONS: dict[tuple[str, str], tuple[str, str | None]] = {
    (BEFORE, "start"): (STREAMING, None),
    (BEFORE, "block"): (STREAMING, "anth-message-start"),
    (BEFORE, "delta"): (STREAMING, "anth-message-start"),
    (BEFORE, "stop"): (STOPPED, "anth-message-start"),
    (BEFORE, "error"): (BEFORE, "anth-error"),
    (BEFORE, "sentinel"): (BEFORE, "anth-done-sentinel"),
    (BEFORE, "invalid"): (BEFORE, "anth-event-json"),
    (BEFORE, "close"): (CLOSED, None),
    (STREAMING, "start"): (STREAMING, "anth-message-start"),
    (STREAMING, "block"): (STREAMING, None),
    (STREAMING, "delta"): (STREAMING, None),
    (STREAMING, "stop"): (STOPPED, None),
    (STREAMING, "error"): (STREAMING, "anth-error"),
    (STREAMING, "sentinel"): (STREAMING, "anth-done-sentinel"),
    (STREAMING, "invalid"): (STREAMING, "anth-event-json"),
    (STREAMING, "close"): (CLOSED, None),
    (STOPPED, "start"): (STOPPED, "anth-after-stop"),
    (STOPPED, "block"): (STOPPED, "anth-after-stop"),
    (STOPPED, "delta"): (STOPPED, "anth-after-stop"),
    (STOPPED, "stop"): (STOPPED, "anth-after-stop"),
    (STOPPED, "error"): (STOPPED, "anth-error"),
    (STOPPED, "sentinel"): (STOPPED, "anth-done-sentinel"),
    (STOPPED, "invalid"): (STOPPED, "anth-after-stop"),
    (STOPPED, "close"): (CLOSED, None),
}

# Block inputs: its start, a delta, its stop, the end of the message with the block open.
BLOCK_TRANSITIONS: dict[tuple[str, str], tuple[str, str | None]] = {
    (NEW, "start"): (OPEN, None),
    (NEW, "delta"): (OPEN, "anth-block-not-started"),
    (NEW, "stop"): (STOPPED, "anth-block-not-started"),
    (OPEN, "start"): (OPEN, "anth-block-index"),
    (OPEN, "delta"): (OPEN, None),
    (OPEN, "stop"): (STOPPED, None),
    (OPEN, "end"): (STOPPED, "anth-block-stop-missing"),
    (STOPPED, "start"): (STOPPED, "anth-block-index"),
    (STOPPED, "delta"): (STOPPED, "anth-block-not-started"),
    (STOPPED, "stop"): (STOPPED, "anth-block-not-started"),
    (STOPPED, "end"): (STOPPED, None),
}

STOP_REASONS = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "tool_use": "tool_calls",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "refusal": "content_filter",
    "pause_turn": "incomplete",
}
SERVER_BLOCKS = ("server_tool_use", "mcp_tool_use")


def is_result_block(t: str | None) -> bool:
    """Whether a content block of type ``t`` is the result of a server-executed tool."""
    return t is not None and (t.endswith("_tool_result") or t == "container_upload")


def is_server_block(t: str | None) -> bool:
    """Whether a content block of type ``t`` is a server-executed tool or its result (never DO)."""
    return t in SERVER_BLOCKS or is_result_block(t)
_new = tuple.__new__


class _Block:
    __slots__ = ("index", "state", "type", "id", "name", "parts", "blocks", "prefilled", "ordinal", "tool_use_id",
                 "caller")

    def __init__(self, index: int) -> None:
        self.index = index
        self.state = NEW
        self.type: str | None = None
        self.id: str | None = None
        self.name: str | None = None
        self.parts: list[str] = []  # the newest input fragments, joined into `blocks` every BLOCK
        self.blocks: list[str] = []
        self.prefilled: Any = None
        self.ordinal: int | None = None
        self.tool_use_id: str | None = None
        self.caller: Any = None


def is_programmatic(caller: Any) -> bool:
    """Whether a tool_use block's ``caller`` names a server tool (code execution) that made the
    call, rather than the model directly. Such a call is still the client's to run."""
    return type(caller) is dict and type(caller.get("type")) is str and caller["type"] != "direct"


class AnthropicReference(Machine):
    """The reference state machine for ``anthropic.messages`` streams."""

    api = API

    def __init__(self, *, profile: str = "lenient") -> None:
        super().__init__(profile=profile)
        self.state = BEFORE
        self._blocks: dict[int, _Block] = {}
        self._calls = 0
        self._max_index = -1
        self._stop_reason: str | None = None
        self._stop_seen = False
        self._error_seen = False
        self._usage: dict[str, int] = {}
        self._started = False
        self._start_reason: str | None = None  # message.stop_reason of message_start, if any

    # -- public API -------------------------------------------------------------------------

    def feed(self, sse: SSEEvent) -> list[Any]:
        """One SSE event from the decoder."""
        return self._feed_typed(sse, "anth-event-name")

    def feed_json(self, obj: Any, *, event: int | None = None, offset: int | None = None) -> list[Any]:
        self._event, self._offset = event, offset
        if type(obj) is not dict or type(obj.get("type")) is not str:
            return self._input("invalid", "payload is not an object with a string `type`")
        t = obj["type"]
        if t == "content_block_delta" and self.state is STREAMING:
            fast = self._fast_delta(obj)
            if fast is not None:
                return fast
        if t == "ping":
            self._once("anth-ping", None, "ping event ignored")
            return []
        kind = _KINDS.get(t)
        if kind is None:
            self._once("anth-unknown-event", t, f"event type {t!r} not modelled; ignored")
            return []
        return self._input(kind, obj)

    def _fast_delta(self, obj: dict) -> list[Any] | None:
        """A text or input delta for an open block of its kind: exactly what the general
        path does for it, without its dispatch. ``None`` when anything is unusual."""
        index = obj.get("index")
        delta = obj.get("delta")
        if type(index) is not int or type(delta) is not dict:
            return None
        block = self._blocks.get(index)
        if block is None or block.state is not OPEN:
            return None
        kind = delta.get("type")
        if kind == "input_json_delta" and block.type == "tool_use":
            part = delta.get("partial_json")
            if type(part) is not str:
                return None
            if not part:
                return []
            parts = block.parts
            parts.append(part)
            if len(parts) >= BLOCK:
                block.blocks.append("".join(parts))
                parts.clear()
            e = _new(ev.ToolCallArgumentsDelta, (0, block.ordinal, part))
        elif kind == "text_delta" and block.type == "text":
            text = delta.get("text")
            if type(text) is not str:
                return None
            if not text:
                return []
            e = _new(ev.TextDelta, (0, text, index))
        else:
            return None
        self._builder.add(e)
        return [e]

    # -- message level ------------------------------------------------------------------------

    def _input(self, kind: str, obj: Any) -> list[Any]:
        prev, rule = self._step(MESSAGE_TRANSITIONS, kind, "anth-after-stop")
        out: list[Any] = []
        if rule == "anth-after-stop":
            self._note(rule, f"{obj.get('type') if type(obj) is dict else kind} after message_stop; ignored", state=prev)
        elif kind == "sentinel":
            self._once(rule, None, "`data: [DONE]` in an Anthropic stream; ignored")
        elif kind == "invalid":
            self._note(rule, f"{obj}; skipped", state=prev)
        else:
            if rule == "anth-message-start":
                self._note(rule, f"{obj.get('type')} " + ("before message_start" if prev == BEFORE
                                                          else "again; its message fields are ignored"), state=prev)
            if kind == "start":
                self._start(obj, out)
            elif kind == "block":
                self._block_event(obj, out)
            elif kind == "delta":
                self._delta(obj, out)
            elif kind == "stop":
                pending = self._start_reason if not self._stop_seen and not self._error_seen else None
                if pending == "max_tokens" or pending == "model_context_window_exceeded":
                    self._cut_blocks(pending, out)
                self._end_blocks(out, dispatch=not self._error_seen)
                if pending is not None:  # the stop reason message_start carried, no message_delta's
                    self._take_stop_reason(pending, out)
                elif not self._stop_seen and not self._error_seen:
                    self._note("anth-stop-reason", "message_stop without a stop reason; finish null")
                    self._stop_seen = True
                    out.append(ev.MessageDone(0, None))
            elif kind == "error":
                self._error(obj, out)
            elif kind == "close":
                self._close(prev, out)
        return self._emit(out)

    def _start(self, obj: dict, out: list) -> None:
        if self._started:
            return
        self._started = True
        message = obj.get("message") if type(obj.get("message")) is dict else {}
        usage = message.get("usage")
        if type(usage) is dict:
            self._take_usage(usage, out)
        reason = message.get("stop_reason")
        if type(reason) is str and reason:
            self._start_reason = reason
        content = message.get("content")
        if type(content) is list and content and not self._blocks:
            self._note("anth-message-start-content", f"message_start carries {len(content)} whole content "
                       f"block(s): blocks 0..{len(content) - 1} of the message"
                       + (f", stop reason {reason!r}" if self._start_reason else ""))
            for index, doc in enumerate(content):
                block = self._blocks[index] = _Block(index)
                self._max_index = index
                block.state = OPEN
                self._start_block(block, doc, out)
                block.state = STOPPED
                self._finish_block(block, out, dispatch=True, whole=True)

    def _take_usage(self, usage: dict, out: list) -> None:
        new = dict(self._usage)
        for key in ("input_tokens", "output_tokens"):
            if type(usage.get(key)) is int:
                new[key] = usage[key]
        if new != self._usage:
            self._usage = new
            out.append(ev.Usage(dict(new)))

    def _delta(self, obj: dict, out: list) -> None:
        usage = obj.get("usage")
        if type(usage) is dict:
            self._take_usage(usage, out)
        delta = obj.get("delta") if type(obj.get("delta")) is dict else {}
        raw = delta.get("stop_reason")
        if type(raw) is str and raw:
            if raw == "max_tokens" or raw == "model_context_window_exceeded":
                self._cut_blocks(raw, out)
            self._end_blocks(out, dispatch=not self._error_seen)
            self._take_stop_reason(raw, out)

    def _take_stop_reason(self, raw: str, out: list) -> None:
        reason = STOP_REASONS.get(raw)
        if reason is None:
            self._note("anth-stop-reason", f"stop_reason {raw!r} is not a documented value; finish null")
        self._stop_seen = True
        self._stop_reason = reason
        out.append(ev.MessageDone(0, reason))

    def _error(self, obj: dict, out: list) -> None:
        inner = obj.get("error") if type(obj.get("error")) is dict else obj
        error = {"type": inner.get("type"), "code": inner.get("code"), "message": inner.get("message")}
        self._note("anth-error", f"error in the stream: {error.get('type')}: {error.get('message')!r}")
        out.append(ev.Error(None, error))
        if not self._error_seen:
            self._error_seen = True
            if not self._stop_seen:
                out.append(ev.MessageDone(0, "error"))

    def _close(self, prev: str, out: list) -> None:
        if prev == STOPPED:
            return
        if self._error_seen:
            self._end_blocks(out, dispatch=False)
            return
        if self._stop_seen:
            self._note("anth-message-stop-missing", "stream ended after message_delta without message_stop")
            self._end_blocks(out, dispatch=True)
            return
        if self._start_reason is not None:
            self._note("anth-message-stop-missing", "stream ended after a message_start with a stop reason, "
                       "without message_stop")
            if self._start_reason == "max_tokens" or self._start_reason == "model_context_window_exceeded":
                self._cut_blocks(self._start_reason, out)
            self._end_blocks(out, dispatch=True)
            self._take_stop_reason(self._start_reason, out)
            return
        self._note("anth-truncated", "stream ended before a stop reason; open calls not dispatched", state=prev)
        self._end_blocks(out, dispatch=False)
        out.append(ev.MessageDone(0, None))

    # -- blocks ---------------------------------------------------------------------------------

    def _block_event(self, obj: dict, out: list) -> None:
        t = obj["type"]
        index = obj.get("index")
        if type(index) is not int:
            self._note("anth-event-json", f"{t} without an integer `index`; skipped")
            return
        block = self._blocks.get(index)
        if block is None:
            block = self._blocks[index] = _Block(index)
        if t == "content_block_start":
            if block.state == NEW and index != self._max_index + 1:
                self._note("anth-block-index", f"block index {index} where {self._max_index + 1} was expected")
            self._max_index = max(self._max_index, index)
            if not self._move(block, "start", t):
                self._start_block(block, obj.get("content_block"), out)
        elif t == "content_block_delta":
            was_new = block.state == NEW
            if self._move(block, "delta", t) and not was_new:
                return
            self._block_delta(block, obj.get("delta"), out)
        else:
            if self._move(block, "stop", t):
                return
            self._finish_block(block, out, dispatch=True)

    def _move(self, block: _Block, kind: str, what: str) -> bool:
        """Apply a block transition; True when it was a deviation to skip (or, for a
        delta to a block never started, to apply as well as it can)."""
        nxt, rule = BLOCK_TRANSITIONS[(block.state, kind)]
        prev, block.state = block.state, nxt
        if rule is not None:
            self._note(rule, f"{what} for block {block.index} in state {prev}"
                       + ("; ignored" if prev != NEW or kind != "delta" else "; kept what can be kept"), state=prev)
            return True
        return False

    def _start_block(self, block: _Block, doc: Any, out: list) -> None:
        if type(doc) is not dict or type(doc.get("type")) is not str:
            self._note("anth-event-json", f"content_block_start {block.index} without a typed content_block")
            return
        t = block.type = doc["type"]
        if t == "text":
            text = doc.get("text")
            if type(text) is str and text:
                out.append(ev.TextDelta(0, text, block.index))
        elif t == "tool_use":
            block.id = doc.get("id") if type(doc.get("id")) is str and doc["id"] else None
            block.name = doc.get("name") if type(doc.get("name")) is str and doc["name"] else None
            block.prefilled = doc.get("input")
            block.caller = doc.get("caller")
            block.ordinal = self._calls
            self._calls += 1
            out.append(ev.ToolCallStarted(0, block.ordinal, block.id, block.name))
        elif t in SERVER_BLOCKS:
            block.id = doc.get("id") if type(doc.get("id")) is str else None
            block.name = doc.get("name") if type(doc.get("name")) is str else None
        elif is_result_block(t):
            block.tool_use_id = doc.get("tool_use_id") if type(doc.get("tool_use_id")) is str else None
        elif t in ("thinking", "redacted_thinking"):
            thinking = doc.get("thinking")
            if type(thinking) is str and thinking:
                out.append(ev.ReasoningDelta(0, thinking))
        else:
            self._once("anth-unknown-event", ("block", t), f"content block type {t!r} not modelled; ignored")

    def _block_delta(self, block: _Block, delta: Any, out: list) -> None:
        if type(delta) is not dict:
            self._note("anth-event-json", f"content_block_delta {block.index} without a delta object")
            return
        t = delta.get("type")
        if block.type is None:  # a delta for a block that never started: infer what we safely can
            if t == "text_delta":
                block.type = "text"
            else:
                return
        if t == "text_delta":
            if block.type != "text":
                return self._mismatch(block, t)
            text = delta.get("text")
            if type(text) is str and text:
                out.append(ev.TextDelta(0, text, block.index))
        elif t == "input_json_delta":
            if block.type != "tool_use" and block.type not in SERVER_BLOCKS:
                return self._mismatch(block, t)
            part = delta.get("partial_json")
            if type(part) is str and part:
                parts = block.parts
                parts.append(part)
                if len(parts) >= BLOCK:
                    block.blocks.append("".join(parts))
                    parts.clear()
                if block.ordinal is not None:
                    out.append(ev.ToolCallArgumentsDelta(0, block.ordinal, part))
        elif t == "thinking_delta":
            if block.type != "thinking":
                return self._mismatch(block, t)
            text = delta.get("thinking")
            if type(text) is str and text:
                out.append(ev.ReasoningDelta(0, text))
        elif t in ("signature_delta", "citations_delta"):
            if (t == "signature_delta") != (block.type == "thinking") and not (t == "citations_delta" and block.type == "text"):
                return self._mismatch(block, t)
        else:
            self._once("anth-unknown-event", ("delta", t), f"delta type {t!r} not modelled; ignored")

    def _mismatch(self, block: _Block, t: Any) -> None:
        self._note("anth-delta-type", f"{t} for a {block.type} block ({block.index}); ignored")

    def _cut_blocks(self, raw: str, out: list) -> None:
        """The output limit cut the message: an open tool_use never got its whole input."""
        for index in sorted(self._blocks):
            block = self._blocks[index]
            if block.state == OPEN and block.type == "tool_use":
                block.state = STOPPED
                self._note("anth-input-json", f"input of tool_use {block.id!r} ({block.name!r}) cut off by {raw}; "
                           "not dispatched")

    def _end_blocks(self, out: list, *, dispatch: bool) -> None:
        for index in sorted(self._blocks):
            block = self._blocks[index]
            if block.state == OPEN:
                if dispatch:
                    nxt, rule = BLOCK_TRANSITIONS[(OPEN, "end")]
                    block.state = nxt
                    self._note(rule, f"block {index} ({block.type}) still open when the message ended; stopped here")
                    self._finish_block(block, out, dispatch=True)
                else:
                    block.state = STOPPED  # ended undispatched, once
                    self._finish_block(block, out, dispatch=False)

    def _finish_block(self, block: _Block, out: list, *, dispatch: bool, whole: bool = False) -> None:
        t = block.type
        if t == "tool_use":
            if dispatch:
                self._dispatch(block, out, whole=whole)
        elif t in SERVER_BLOCKS:
            out.append(ev.ServerTool(0, {"type": t, "id": block.id, "name": block.name}))
        elif is_result_block(t):
            out.append(ev.ServerTool(0, {"type": t, "id": block.tool_use_id, "name": None}))

    def _dispatch(self, block: _Block, out: list, *, whole: bool = False) -> None:
        """Dispatch a tool_use; ``whole``: it came whole in ``message_start`` (its input is all there is)."""
        joined = "".join(block.blocks) + "".join(block.parts)
        block.parts, block.blocks = [], []  # released: the done event carries the input
        pre = block.prefilled
        if whole and pre is not None:
            arguments = json.dumps(pre, ensure_ascii=False, separators=(",", ":"))
            parameters, invalid = pre, False
        elif not joined and type(pre) is dict and pre:
            if not is_programmatic(block.caller):  # a call made by code execution arrives whole: documented
                self._note("anth-input-prefilled", f"tool_use {block.id!r}: input given in content_block_start, "
                           "no deltas; used it")
            arguments = json.dumps(pre, ensure_ascii=False, separators=(",", ":"))
            parameters, invalid = pre, False
        else:
            if joined and type(pre) is dict and pre:
                self._note("anth-input-prefilled", f"tool_use {block.id!r}: pre-filled input and deltas; "
                           "the deltas replace it")
            arguments = joined
            parameters, invalid = parse_arguments(arguments)
            if invalid:
                shown = arguments if len(arguments) <= 60 else arguments[:57] + "..."
                self._note("anth-input-json", f"input of tool_use {block.id!r} ({block.name!r}) is not valid JSON: "
                           f"{shown!r}; parameters null")
            elif not arguments.strip():
                self._once("anth-input-empty", block.index, f"empty input for tool_use {block.id!r} taken as {{}}")
        if block.id is None or block.name is None:
            missing = " and ".join(w for w, v in (("id", block.id), ("name", block.name)) if v is None)
            self._note("anth-tool-incomplete", f"tool_use block {block.index} dispatched without {missing}")
        out.append(ev.ToolCallDone(0, block.ordinal, block.id, block.name, arguments, parameters, invalid))


_KINDS = {
    "message_start": "start",
    "content_block_start": "block",
    "content_block_delta": "block",
    "content_block_stop": "block",
    "message_delta": "delta",
    "message_stop": "stop",
    "error": "error",
}
