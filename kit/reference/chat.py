"""Reference accumulator for OpenAI Chat Completions streams.

Theory of operation
-------------------
The machine is fed SSE events (``feed``) or already-decoded chunks (``feed_json``,
``feed_done``) and told when the stream ends (``close``). Each call returns the output
events (``kit.events``) it caused; ``plan()`` is the Plan of everything so far, and
``diagnostics`` lists every deviation from the documented contract, each with a rule id.

Two levels of state, each with every legal move in one table below:

- the **stream**: ``STREAMING`` until ``data: [DONE]`` (``DONE``), then ``CLOSED`` at
  ``close()``. Input after ``[DONE]`` is reported and ignored; input after ``close()``
  is a caller error (``StreamError``).
- each **choice** (keyed by its ``index``): ``IDLE`` -> ``TEXT`` / ``TOOLS`` while text or
  tool-call fragments arrive, ``FINISHED`` at its ``finish_reason``. Text after a tool
  call opens a new SAY (``TOOLS -> TEXT``). Content after ``FINISHED`` is kept and
  reported (``chat-delta-after-finish``). Reasoning and refusal never change the state.

Tool calls are dispatched (``ToolCallDone``) when their choice finishes, or at
``[DONE]`` for a choice that never sent a finish reason; never on an index switch and
never from a truncated or failed stream (``finish_reason: "error"``, an in-band error). Call identity follows the Plan conventions: a fragment
is routed by ``index``; a different non-empty ``id`` at a used index goes to the call
with that id, else opens a new call when it also carries a name, else continues the
call (a placeholder id); a fragment without ``index`` goes to the call with its id, else
opens a call when it brings a new id and a name or nothing is open, else continues the
last call. ``id``, ``name`` and ``type`` are set once; only ``arguments`` is appended.

Profiles: the machine computes the same plan under both; ``lenient`` reports dialect
deviations as warnings, ``strict`` as errors (``kit lint``).
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from .. import events as ev
from ..plan import parse_arguments
from ..sse import SSEEvent
from ._base import BLOCK, Machine, Undecodable, decode

__all__ = ["ChatReference", "STREAM_TRANSITIONS", "CHOICE_TRANSITIONS", "API"]

API = "openai.chat.completions"

# -- states and inputs ---------------------------------------------------------------------

STREAMING, DONE, CLOSED = "STREAMING", "DONE", "CLOSED"
IDLE, TEXT, TOOLS, FINISHED = "IDLE", "TEXT", "TOOLS", "FINISHED"

# Stream inputs: a chunk, the [DONE] sentinel, an error object, a payload that is not a
# JSON object, end of stream.
# (state, input) -> (next state, rule reported when the move is taken, or None)
STREAM_TRANSITIONS: dict[tuple[str, str], tuple[str, str | None]] = {
    (STREAMING, "chunk"): (STREAMING, None),
    (STREAMING, "error"): (STREAMING, "chat-in-band-error"),
    (STREAMING, "invalid"): (STREAMING, "chat-data-json"),
    (STREAMING, "done"): (DONE, None),
    (STREAMING, "close"): (CLOSED, None),
    (DONE, "chunk"): (DONE, "chat-after-done"),
    (DONE, "error"): (DONE, "chat-after-done"),
    (DONE, "invalid"): (DONE, "chat-after-done"),
    (DONE, "done"): (DONE, "chat-after-done"),
    (DONE, "close"): (CLOSED, None),
}

# Choice inputs: visible text, a tool-call fragment, reasoning or refusal ("aside"), a
# finish reason, the end of the choice without one (at [DONE] or end of stream).
CHOICE_TRANSITIONS: dict[tuple[str, str], tuple[str, str | None]] = {
    (IDLE, "text"): (TEXT, None),
    (IDLE, "tool"): (TOOLS, None),
    (IDLE, "aside"): (IDLE, None),
    (IDLE, "finish"): (FINISHED, None),
    (IDLE, "end"): (FINISHED, None),
    (TEXT, "text"): (TEXT, None),
    (TEXT, "tool"): (TOOLS, None),
    (TEXT, "aside"): (TEXT, None),
    (TEXT, "finish"): (FINISHED, None),
    (TEXT, "end"): (FINISHED, None),
    (TOOLS, "tool"): (TOOLS, None),
    (TOOLS, "text"): (TEXT, None),
    (TOOLS, "aside"): (TOOLS, None),
    (TOOLS, "finish"): (FINISHED, None),
    (TOOLS, "end"): (FINISHED, None),
    (FINISHED, "text"): (TEXT, "chat-delta-after-finish"),
    (FINISHED, "tool"): (TOOLS, "chat-delta-after-finish"),
    (FINISHED, "aside"): (FINISHED, None),
    (FINISHED, "finish"): (FINISHED, None),
    (FINISHED, "end"): (FINISHED, None),
}

FINISH_REASONS = {
    "stop": "stop",
    "tool_calls": "tool_calls",
    "length": "length",
    "content_filter": "content_filter",
    "function_call": "tool_calls",
    "error": "error",
}

_new = tuple.__new__  # builds an event tuple without a Python-level __new__ frame
_BLOCK = BLOCK


class _Call:
    __slots__ = ("ordinal", "index", "id", "name", "type", "args", "blocks", "obj", "done", "fragments", "repeat_noted")

    def __init__(self, ordinal: int, index: int | None) -> None:
        self.ordinal = ordinal
        self.index = index
        self.id: str | None = None
        self.name: str | None = None
        self.type: Any = None
        # argument fragments: `args` holds the newest pieces, joined into `blocks` every
        # _BLOCK pieces, so memory follows the arguments' size, not the fragment count
        self.args: list[str] = []
        self.blocks: list[str] = []
        self.obj: Any = None  # arguments sent as a JSON value, not a string
        self.done = False
        self.fragments = 0
        self.repeat_noted = False


class _Choice:
    __slots__ = ("index", "state", "calls", "by_index", "by_id", "last", "finish", "max_index", "finish_seen")

    def __init__(self, index: int) -> None:
        self.index = index
        self.state = IDLE
        self.calls: list[_Call] = []
        self.by_index: dict[int, _Call] = {}
        self.by_id: dict[str, _Call] = {}
        self.last: _Call | None = None
        self.finish: str | None = None
        self.max_index = -1
        self.finish_seen = False


class ChatReference(Machine):
    """The reference state machine for ``openai.chat.completions`` streams."""

    api = API
    sentinel_input = "done"

    def __init__(self, *, profile: str = "lenient") -> None:
        super().__init__(profile=profile)
        self.state = STREAMING
        self._choices: dict[int, _Choice] = {}
        self._usage: dict | None = None
        self._error_seen = False

    # -- public API -------------------------------------------------------------------------

    def feed(self, sse: SSEEvent) -> list[Any]:
        """One SSE event from the decoder."""
        self._event, self._offset = sse.index, sse.offset
        data = sse.data
        if data[:6] == "[DONE]" and data.strip() == "[DONE]":
            return self._input("done", None)
        try:
            obj = decode(data)
        except Undecodable as exc:
            return self._input("invalid", str(exc))
        if sse.event == "error":
            return self._input("error", obj.get("error", obj) if isinstance(obj, dict) else obj)
        if sse.event != "message":
            self._once("chat-unknown-event", sse.event, f"SSE event name {sse.event!r} on a Chat Completions stream")
        if type(obj) is not dict:
            return self._input("invalid", f"data is JSON {type(obj).__name__}, not an object")
        return self._input("chunk", obj)

    def feed_json(self, obj: Any, *, event: int | None = None, offset: int | None = None) -> list[Any]:
        """One decoded chunk (the ``events`` feed)."""
        self._event, self._offset = event, offset
        if type(obj) is not dict:
            return self._input("invalid", f"chunk is JSON {type(obj).__name__}, not an object")
        return self._input("chunk", obj)

    # -- stream level -------------------------------------------------------------------------

    def _input(self, kind: str, payload: Any) -> list[Any]:
        prev, rule = self._step(STREAM_TRANSITIONS, kind, "chat-after-done")
        out: list[Any] = []
        if prev == DONE and rule is not None:
            self._note(rule, f"{'[DONE]' if kind == 'done' else kind} after data: [DONE]; ignored", state=prev)
            return out
        if kind == "chunk":
            self._chunk(payload, out)
        elif kind == "error":
            self._in_band_error(payload, out)
        elif kind == "invalid":
            self._note(rule, f"{payload}; skipped", state=prev)
        elif kind == "done":
            for choice in self._choices.values():
                if choice.state == FINISHED:
                    continue
                if self._error_seen:  # [DONE] after an in-band error: the choice failed, nothing is dispatched
                    self._end_choice(choice, out, complete=False, reason="error")
                else:
                    self._end_choice(choice, out, complete=True)
        elif kind == "close":
            self._close(prev, out)
        return self._emit(out)

    def _chunk(self, obj: dict, out: list) -> None:
        err = obj.get("error")
        if obj.get("object") != "chat.completion.chunk" and not (err and "choices" not in obj):
            value = obj.get("object", "<missing>")
            self._once("chat-chunk-object", str(value), f"chunk `object` is {value!r}, not 'chat.completion.chunk'")
        if err:
            self._in_band_error(err, out)
        usage = obj.get("usage")
        if usage is None:
            x = obj.get("x_groq")
            if type(x) is dict and type(x.get("usage")) is dict:
                usage = x["usage"]
        if type(usage) is dict and usage != self._usage:
            self._usage = usage
            out.append(ev.Usage(_usage(usage)))
        choices = obj.get("choices")
        if type(choices) is not list:
            if not err:
                self._note("chat-data-json", "chunk without a `choices` list; nothing to accumulate")
            return
        if not choices:
            if not err:
                self._once("chat-empty-choices", None, "chunk with `choices: []` (filter results or usage)")
            return
        for ch in choices:
            if type(ch) is not dict:
                self._note("chat-data-json", f"choice is JSON {type(ch).__name__}, not an object; skipped")
                continue
            self._choice_chunk(ch, out)

    def _in_band_error(self, err: Any, out: list) -> None:
        self._error_seen = True
        error = _error(err)
        self._note("chat-in-band-error", f"error in the stream: {error.get('message')!r}")
        out.append(ev.Error(None, error))

    def _close(self, prev: str, out: list) -> None:
        unfinished = [c for c in self._choices.values() if c.state != FINISHED]
        if prev == STREAMING:
            if self._error_seen:
                for choice in unfinished:
                    self._end_choice(choice, out, complete=False, reason="error")
            elif unfinished or not self._choices:
                what = (f"choice {', '.join(str(c.index) for c in unfinished)} unfinished"
                        if unfinished else "no chunk at all")
                self._note("chat-truncated", f"stream ended without [DONE] with {what}; calls not dispatched",
                           state=prev)
                for choice in unfinished:
                    self._end_choice(choice, out, complete=False)
            else:
                self._note("chat-done-sentinel", "stream ended without data: [DONE] (every choice had finished)")

    # -- choice level ---------------------------------------------------------------------------

    def _move(self, choice: _Choice, kind: str) -> None:
        nxt, rule = CHOICE_TRANSITIONS[(choice.state, kind)]
        if rule is not None:
            self._note(rule, f"{kind} for choice {choice.index} after its finish_reason", state=choice.state)
        choice.state = nxt

    def _choice_chunk(self, ch: dict, out: list) -> None:
        index = ch.get("index")
        if type(index) is not int:
            self._once("chat-choice-index", None, f"choice without an integer `index` ({index!r}); taken as 0")
            index = 0
        choice = self._choices.get(index)
        if choice is None:
            choice = self._choices[index] = _Choice(index)
        delta = ch.get("delta")
        if type(delta) is dict:
            if delta:
                self._delta(choice, delta, out)
        elif delta is None:
            if "content_filter_results" not in ch and "finish_reason" not in ch:
                self._once("chat-choice-without-delta", index, f"choice {index} without `delta`")
            else:
                self._once("chat-choice-without-delta", index,
                           f"choice {index} without `delta` (a content-filter annotation)")
        else:
            self._note("chat-data-json", f"`delta` is JSON {type(delta).__name__}, not an object; skipped")
        finish = ch.get("finish_reason")
        if finish is not None:
            if type(finish) is str and finish:
                self._finish(choice, finish, out)
            elif finish == "":
                self._once("chat-finish-reason-value", index, "`finish_reason: \"\"` taken as no finish reason")
            else:
                self._note("chat-finish-reason-value", f"finish_reason {finish!r} is not a string; ignored")

    def _delta(self, choice: _Choice, delta: dict, out: list) -> None:
        ci = choice.index
        if len(delta) == 1:
            # The two shapes that make up nearly every stream take a short path that does
            # exactly what the general code below does for them.
            content = delta.get("content")
            if type(content) is str:  # {"content": "..."}
                if content:
                    if choice.state is not TEXT:
                        self._move(choice, "text")
                    out.append(_new(ev.TextDelta, (ci, content, None)))
                return
            calls = delta.get("tool_calls")
            if type(calls) is list and len(calls) == 1 and choice.state is TOOLS:
                frag = calls[0]  # {"index": i, "function": {"arguments": "..."}} continuing a call
                if type(frag) is dict and len(frag) == 2:
                    fn = frag.get("function")
                    index = frag.get("index")
                    if type(fn) is dict and len(fn) == 1 and type(index) is int:
                        args = fn.get("arguments")
                        call = choice.by_index.get(index)
                        if type(args) is str and call is not None and call.fragments and not call.done:
                            call.fragments += 1
                            if args:
                                pending = call.args
                                pending.append(args)
                                if len(pending) >= _BLOCK:
                                    call.blocks.append("".join(pending))
                                    pending.clear()
                                out.append(_new(ev.ToolCallArgumentsDelta, (ci, call.ordinal, args)))
                            return
        for key in ("reasoning_content", "reasoning"):
            r = delta.get(key)
            if type(r) is str and r:
                self._move(choice, "aside")
                out.append(ev.ReasoningDelta(ci, r))
        details = delta.get("reasoning_details")
        if type(details) is list:
            for d in details:
                if type(d) is dict:
                    r = d.get("text") or d.get("summary")
                    if type(r) is str and r:
                        self._move(choice, "aside")
                        out.append(ev.ReasoningDelta(ci, r))
        content = delta.get("content")
        if content is not None:
            if type(content) is str:
                if content:
                    if choice.state is not TEXT:
                        self._move(choice, "text")
                    out.append(_new(ev.TextDelta, (ci, content, None)))
            elif type(content) is list:
                self._content_parts(choice, content, out)
            else:
                self._note("chat-content-parts", f"`content` is JSON {type(content).__name__}; ignored")
        refusal = delta.get("refusal")
        if type(refusal) is str and refusal:
            self._move(choice, "aside")
            out.append(ev.RefusalDelta(ci, refusal))
        calls = delta.get("tool_calls")
        if calls is not None:
            if type(calls) is list:
                if calls:
                    for frag in calls:
                        self._fragment(choice, frag, out)
                else:
                    self._once("chat-empty-tool-calls", None, "`tool_calls: []` on a delta (no call)")
            else:
                self._note("chat-tool-fragment-shape", f"`tool_calls` is JSON {type(calls).__name__}; ignored")

    def _content_parts(self, choice: _Choice, parts: list, out: list) -> None:
        self._once("chat-content-parts", choice.index, "`content` is a list of parts")
        ci = choice.index
        for part in parts:
            kind = part.get("type") if type(part) is dict else None
            if kind == "text" and type(part.get("text")) is str:
                if part["text"]:
                    if choice.state is not TEXT:
                        self._move(choice, "text")
                    out.append(ev.TextDelta(ci, part["text"]))
            elif kind == "thinking":
                for piece in _texts(part.get("thinking")):
                    self._move(choice, "aside")
                    out.append(ev.ReasoningDelta(ci, piece))
            else:
                self._once("chat-content-parts", ("part", str(kind)), f"content part of type {kind!r} ignored")

    # -- tool calls --------------------------------------------------------------------------------

    def _fragment(self, choice: _Choice, frag: Any, out: list) -> None:
        if type(frag) is not dict:
            self._note("chat-tool-fragment-shape", f"tool-call fragment is JSON {type(frag).__name__}; ignored")
            return
        index = frag.get("index")
        if type(index) is not int:
            index = _int_string(index)
            if index is not None:
                self._once("chat-tool-fragment-shape", "str-index", f"tool-call `index` is a string ({frag['index']!r})")
        fid = frag.get("id")
        if type(fid) is not str or not fid:
            fid = None
        fn = frag.get("function")
        if type(fn) is not dict:
            if fn is not None or "function" not in frag:
                self._once("chat-tool-fragment-shape", "function",
                           "tool-call fragment without a `function` object")
            fn = {}
        name = fn.get("name")
        if type(name) is not str or not name:
            name = None

        call: _Call | None
        if index is not None:
            call = choice.by_index.get(index)
            if call is None:
                if index != choice.max_index + 1:
                    self._once("chat-tool-index-dense", (choice.index, index),
                               f"tool-call index {index} where {choice.max_index + 1} was expected")
                call = self._open(choice, index, out)
            elif fid is not None and call.id is not None and fid != call.id:
                other = choice.by_id.get(fid)
                if other is not None:
                    call = other
                elif name is not None:
                    self._note("chat-tool-index-reused",
                               f"index {index} reused by a new call (id {fid!r}, name {name!r}) in choice {choice.index}")
                    call = self._open(choice, index, out)
                else:
                    self._note("chat-tool-id-conflict",
                               f"fragment at index {index} carries id {fid!r} but the call's id is {call.id!r}; "
                               "kept the first id")
        else:
            self._once("chat-tool-index-missing", choice.index,
                       f"tool-call fragment without `index` in choice {choice.index}")
            call = choice.by_id.get(fid) if fid is not None else None
            if call is None:
                if (fid is not None and name is not None) or choice.last is None:
                    call = self._open(choice, None, out)
                else:
                    call = choice.last
        if choice.state is not TOOLS:
            self._move(choice, "tool")
        if call.done:
            self._note("chat-delta-after-finish", f"fragment for call {call.id!r} after it was dispatched; ignored")
            return
        self._fields(choice, call, fid, name, frag, fn, out)

    def _open(self, choice: _Choice, index: int | None, out: list) -> _Call:
        if choice.state is not TOOLS:
            self._move(choice, "tool")
        call = _Call(len(choice.calls), index)
        choice.calls.append(call)
        if index is not None:
            choice.by_index[index] = call
            if index > choice.max_index:
                choice.max_index = index
        choice.last = call
        return call

    def _fields(self, choice: _Choice, call: _Call, fid: str | None, name: str | None,
                frag: dict, fn: dict, out: list) -> None:
        first = call.fragments == 0
        call.fragments += 1
        ci = choice.index
        if fid is not None:
            if call.id is None:
                call.id = fid
                choice.by_id.setdefault(fid, call)
            elif fid == call.id and not first:
                self._repeat(call, "id")
        if name is not None:
            if call.name is None:
                call.name = name
            elif name == call.name:
                if not first:
                    self._repeat(call, "name")
            else:
                self._note("chat-tool-name-conflict",
                           f"fragment names {name!r} but call {call.id!r} is {call.name!r}; kept the first name")
        ftype = frag.get("type")
        if first:
            if ftype != "function":
                self._once("chat-tool-fragment-shape", ("type", ftype),
                           f"first fragment of call {call.id!r} has `type` {ftype!r}, not 'function'")
            call.type = ftype
        elif ftype is not None and ftype != "" and not call.repeat_noted and ftype == call.type:
            self._repeat(call, "type")
        if first:
            out.append(ev.ToolCallStarted(ci, call.ordinal, call.id, call.name))
        if "arguments" in fn:
            args = fn["arguments"]
            if type(args) is str:
                if args:
                    pending = call.args
                    pending.append(args)
                    if len(pending) >= _BLOCK:
                        call.blocks.append("".join(pending))
                        pending.clear()
                    out.append(_new(ev.ToolCallArgumentsDelta, (ci, call.ordinal, args)))
            elif args is None:
                self._once("chat-arguments-string", ("null", ci, call.ordinal),
                           f"`arguments: null` on call {call.id!r}; ignored")
            else:
                self._note("chat-arguments-string",
                           f"`arguments` of call {call.id!r} is a JSON {type(args).__name__}, not a string; "
                           "taken as that value")
                if call.obj is None and not call.args:
                    call.obj = args
                    text = json.dumps(args, ensure_ascii=False, separators=(",", ":"))
                    call.args.append(text)
                    out.append(ev.ToolCallArgumentsDelta(ci, call.ordinal, text))
                else:
                    self._note("chat-arguments-string", f"second non-string `arguments` on call {call.id!r}; ignored")

    def _repeat(self, call: _Call, what: str) -> None:
        if not call.repeat_noted:
            call.repeat_noted = True
            self._note("chat-tool-header-once", f"`{what}` repeated on a continuation fragment of call "
                       f"{call.id!r}; set once, not appended")

    # -- finishing --------------------------------------------------------------------------------

    def _finish(self, choice: _Choice, raw: str, out: list) -> None:
        reason = FINISH_REASONS.get(raw)
        if reason is None or raw == "function_call":
            self._note("chat-finish-reason-value",
                       f"finish_reason {raw!r} " + ("taken as 'tool_calls'" if reason else "is not a documented value; "
                                                    "plan finish_reason null"))
        if choice.state is FINISHED and choice.finish_seen:
            if reason != choice.finish:
                self._note("chat-finish-reason-conflict",
                           f"choice {choice.index} finished again with {raw!r} after {choice.finish!r}; the last counts")
        self._move(choice, "finish")
        choice.finish_seen = True
        choice.finish = reason
        has_calls = bool(choice.calls)
        if reason == "stop" and has_calls:
            self._note("chat-finish-reason-conflict",
                       f"finish_reason 'stop' on choice {choice.index} with {len(choice.calls)} tool call(s)")
        elif reason == "tool_calls" and not has_calls:
            self._note("chat-finish-reason-conflict", f"finish_reason 'tool_calls' on choice {choice.index} without a tool call")
        if reason == "error":
            # the choice failed: its calls never became complete, so none is dispatched
            if not self._error_seen:
                self._note("chat-in-band-error", f"choice {choice.index} finished with 'error' (no error object)")
            self._error_seen = True
            for call in choice.calls:
                call.done = True
        else:
            self._dispatch(choice, out)
        out.append(ev.MessageDone(choice.index, reason))

    def _end_choice(self, choice: _Choice, out: list, *, complete: bool, reason: str | None = None) -> None:
        """The choice ends without (another) finish reason: at [DONE], at an error, or truncated."""
        if complete and not choice.finish_seen:
            self._note("chat-finish-reason-missing", f"choice {choice.index} ended at [DONE] without a finish_reason")
        self._move(choice, "end")
        if complete:
            self._dispatch(choice, out)
        if reason is not None or not choice.finish_seen:
            choice.finish = reason
            out.append(ev.MessageDone(choice.index, reason))

    def _dispatch(self, choice: _Choice, out: list) -> None:
        for call in choice.calls:
            if call.done:
                continue
            call.done = True
            if call.obj is not None and len(call.args) == 1 and not call.blocks:
                arguments, parameters, invalid = call.args[0], call.obj, False
            else:
                arguments = "".join(call.blocks) + "".join(call.args)
                parameters, invalid = parse_arguments(arguments)
            call.args = call.blocks = []  # released: the done event carries the arguments
            if invalid:
                shown = arguments if len(arguments) <= 60 else arguments[:57] + "..."
                self._note("chat-arguments-json", f"arguments of call {call.id!r} ({call.name!r}) are not valid JSON: "
                           f"{shown!r}; parameters null")
            elif not arguments or arguments.isspace():
                self._once("chat-arguments-empty", (choice.index, call.ordinal),
                           f"empty arguments for call {call.id!r} ({call.name!r}) taken as {{}}")
            if call.id is None or call.name is None:
                missing = " and ".join(w for w, v in (("id", call.id), ("name", call.name)) if v is None)
                self._note("chat-tool-call-incomplete", f"call {call.ordinal} of choice {choice.index} dispatched "
                           f"without {missing}")
            out.append(ev.ToolCallDone(choice.index, call.ordinal, call.id, call.name, arguments, parameters, invalid))


def _int_string(value: Any) -> int | None:
    """The number a string of decimal digits stands for (``"0"`` -> 0), else None: any other
    value, and digit strings too long for ``int`` (more than 4300 digits)."""
    if type(value) is str and value.isdecimal():
        try:
            return int(value)
        except ValueError:
            return None
    return None


def _usage(u: dict) -> dict:
    out = {}
    for src, dst in (("prompt_tokens", "input_tokens"), ("completion_tokens", "output_tokens"),
                     ("input_tokens", "input_tokens"), ("output_tokens", "output_tokens")):
        v = u.get(src)
        if type(v) is int and dst not in out:
            out[dst] = v
    return out


def _error(err: Any) -> dict:
    if type(err) is dict:
        inner = err.get("error") if type(err.get("error")) is dict else err
        return {"type": inner.get("type"), "code": inner.get("code"), "message": inner.get("message")}
    return {"type": None, "code": None, "message": str(err)}


def _texts(value: Any) -> Iterable[str]:
    if type(value) is str:
        if value:
            yield value
    elif type(value) is list:
        for v in value:
            if type(v) is dict and type(v.get("text")) is str and v["text"]:
                yield v["text"]
            elif type(v) is str and v:
                yield v
