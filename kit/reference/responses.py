"""Reference accumulator for OpenAI Responses streams.

Theory of operation
-------------------
A Responses stream is a sequence of semantic events (``{"type": ...}``), each SSE event
carrying one. The machine is fed SSE events (``feed``) or decoded events
(``feed_json``) and told when the stream ends (``close``); each call returns the output
events it caused, ``plan()`` gives the Plan, ``diagnostics`` the deviations with rule ids.

Two levels of state, each with every legal move in one table below:

- the **stream**: ``STREAMING`` until a terminal event (``response.completed``,
  ``.incomplete``, ``.failed``) moves it to ``TERMINATED``; events after it are still
  applied (late item completions happen) and reported; ``close()`` ends it.
- each **output item**, keyed by ``output_index`` (item ids rotate on some providers):
  ``NEW`` -> ``OPEN`` at ``output_item.added`` (or at its first event, reported) ->
  ``CLOSING`` at a content ``.done`` event (``function_call_arguments.done``, ...) ->
  ``DONE`` at ``output_item.done``, where a client tool call is dispatched. Items still
  open at ``response.completed`` are completed there (reported). A call whose item ends
  with status ``incomplete``, or that is still open at ``response.incomplete``, was cut
  off and is not dispatched (reported); nor are open calls after ``response.failed``,
  an error event or in a cut stream.

What each item becomes follows the Plan conventions: a message item's text (deltas per
content part, else the part's ``output_text.done``, else the finished item) is its own
SAY; refusal parts are the refusal; ``function_call``, ``custom_tool_call`` and the
computer/shell/patch calls are DO; server-executed tools are ``server_tools``; reasoning
is never SAY. Who runs a call is decided per item at its first document
(:func:`item_runner`, with the response's declared ``tools`` from ``response.created``): a
``tool_search_call``'s ``execution``, a shell call's hosted ``environment``, a custom tool
call naming no declared tool, or the call's output item earlier in the response; a DO once
started is not taken back (a later output item is reported). Arguments are the first of: the finished item, the arguments ``.done``
event, the deltas joined, the added item, that is neither empty nor an empty object ``{}``
(else the first non-empty of them): where the finished item contradicts another source,
which value a consumer takes is implementation-defined (rule resp-arguments-mismatch), and
skipping ``{}`` is the reference's choice.
"""

from __future__ import annotations

import json
from typing import Any

from .. import events as ev
from ..plan import parse_arguments
from ..sse import SSEEvent
from ._base import BLOCK, Machine

__all__ = ["ResponsesReference", "STREAM_TRANSITIONS", "ITEM_TRANSITIONS", "API"]

API = "openai.responses"

STREAMING, TERMINATED, CLOSED = "STREAMING", "TERMINATED", "CLOSED"
NEW, OPEN, CLOSING, DONE = "NEW", "OPEN", "CLOSING", "DONE"

# Stream inputs: an event, a terminal response event, an error event, `[DONE]`, a payload
# that is not an event, end of stream. (state, input) -> (next state, rule or None)
STREAM_TRANSITIONS: dict[tuple[str, str], tuple[str, str | None]] = {
    (STREAMING, "event"): (STREAMING, None),
    (STREAMING, "terminal"): (TERMINATED, None),
    (STREAMING, "error"): (STREAMING, "resp-error"),
    (STREAMING, "sentinel"): (STREAMING, "resp-done-sentinel"),
    (STREAMING, "invalid"): (STREAMING, "resp-event-json"),
    (STREAMING, "close"): (CLOSED, None),
    (TERMINATED, "event"): (TERMINATED, "resp-after-terminal"),
    (TERMINATED, "terminal"): (TERMINATED, "resp-after-terminal"),
    (TERMINATED, "error"): (TERMINATED, "resp-error"),
    (TERMINATED, "sentinel"): (TERMINATED, "resp-done-sentinel"),
    (TERMINATED, "invalid"): (TERMINATED, "resp-event-json"),
    (TERMINATED, "close"): (CLOSED, None),
}

# Item inputs: `added`, `content` (a delta or a part event), `final` (a content `.done`
# event), `done` (output_item.done), `end` (the response ended with the item open).
ITEM_TRANSITIONS: dict[tuple[str, str], tuple[str, str | None]] = {
    (NEW, "added"): (OPEN, None),
    (NEW, "content"): (OPEN, "resp-item-added-missing"),
    (NEW, "final"): (CLOSING, "resp-item-added-missing"),
    (NEW, "done"): (DONE, "resp-item-added-missing"),
    (NEW, "end"): (DONE, None),  # only unmodelled events named the index: nothing to complete
    (OPEN, "added"): (OPEN, "resp-item-added-missing"),
    (OPEN, "content"): (OPEN, None),
    (OPEN, "final"): (CLOSING, None),
    (OPEN, "done"): (DONE, None),
    (OPEN, "end"): (DONE, "resp-item-done-missing"),
    (CLOSING, "added"): (CLOSING, "resp-item-added-missing"),
    (CLOSING, "content"): (CLOSING, None),
    (CLOSING, "final"): (CLOSING, None),
    (CLOSING, "done"): (DONE, None),
    (CLOSING, "end"): (DONE, "resp-item-done-missing"),
    (DONE, "added"): (DONE, "resp-delta-after-done"),
    (DONE, "content"): (DONE, "resp-delta-after-done"),
    (DONE, "final"): (DONE, "resp-delta-after-done"),
    (DONE, "done"): (DONE, None),
    (DONE, "end"): (DONE, None),
}

CLIENT_CALLS = {"function_call", "custom_tool_call", "computer_call", "local_shell_call", "shell_call",
                "apply_patch_call"}
SERVER_TOOLS = {"web_search_call", "file_search_call", "code_interpreter_call", "image_generation_call",
                "mcp_call", "mcp_list_tools", "mcp_approval_request"}
# call types whose runner the item says: `execution` ("client" or "server"; the tool's, else server)
EXECUTION_CALLS = {"tool_search_call"}
INCOMPLETE_REASONS = {"max_output_tokens": "length", "content_filter": "content_filter"}


def is_server_item(t: str | None) -> bool:
    """Whether an output item of type ``t`` is a server-executed tool whatever the item says
    (never DO): the known ones, and any other ``*_call`` or ``mcp_*`` that is not a client call.
    ``tool_search_*`` items are not: who ran them is the item's ``execution``
    (:func:`item_runner`); a client call type may be server-run too (a hosted shell)."""
    if type(t) is not str:  # a payload's value of another type is no item type
        return False
    return t in SERVER_TOOLS or bool(t) and t not in CLIENT_CALLS and t not in EXECUTION_CALLS and (
        t.endswith("_call") or t.startswith("mcp_"))


def is_output_item(t: str | None) -> bool:
    """An item that carries a call's result (``function_call_output``, ``shell_call_output``,
    ``tool_search_output``, ...): never a call itself."""
    return type(t) is str and t.endswith("_output")


class Tools:
    """What the response's ``tools`` (echoed in ``response.created``) say about who runs a call:
    the tool-search tool's ``execution``, whether the shell tool runs in a hosted container, and
    the names of the tools declared for the client (``None`` when unknown: no list, an empty one,
    or a tool search that may load more)."""

    __slots__ = ("search_execution", "hosted_shell", "names")

    def __init__(self, tools: Any = None) -> None:
        self.search_execution: str | None = None
        self.hosted_shell = False
        self.names: set[str] | None = None
        if type(tools) is not list or not tools:
            return
        names: set[str] = set()
        searchable = False
        for tool in tools:
            if type(tool) is not dict:
                continue
            kind = tool.get("type")
            if kind == "tool_search":
                searchable = True
                if tool.get("execution") in ("client", "server"):
                    self.search_execution = tool["execution"]
            elif kind == "shell":
                env = tool.get("environment")
                self.hosted_shell = type(env) is dict and type(env.get("type")) is str and env["type"] != "local"
            _names(tool, names)
        self.names = None if searchable else names


def _names(doc: Any, out: set[str]) -> None:
    """Every ``name`` in a tool definition (namespaces hold their functions)."""
    if type(doc) is dict:
        if type(doc.get("name")) is str:
            out.add(doc["name"])
        for value in doc.values():
            if type(value) in (list, dict):
                _names(value, out)
    elif type(doc) is list:
        for value in doc:
            _names(value, out)


def item_runner(doc: Any, tools: Tools | None = None) -> str | None:
    """Who runs the call an item document describes, from the item itself and the response's
    tools: ``"client"`` (a DO), ``"server"`` (``server_tools``), or ``None`` (not a call: a
    message, reasoning, a call's output, an unknown item).

    - ``tool_search_call``: its ``execution``, else the tool-search tool's, else the server;
    - ``shell_call``: the server when its ``environment`` is a hosted container (any type but
      ``local``), or when it has none and the response's shell tool runs in a container;
    - ``custom_tool_call`` naming no tool the response declares: the server (xAI's X and web
      search sub-tools; dialect ``server-tools-as-custom-calls``);
    - another client call type: the client; a server tool type: the server.

    The other signal, a call's output item in the same response, is the machine's to apply."""
    if type(doc) is not dict:
        return None
    t = doc.get("type")
    if type(t) is not str:
        return None
    tools = tools or Tools()
    if t in EXECUTION_CALLS:
        execution = doc.get("execution")
        if execution not in ("client", "server"):
            execution = tools.search_execution or "server"
        return execution
    if t == "shell_call":
        env = doc.get("environment")
        if type(env) is dict and type(env.get("type")) is str:
            return "client" if env["type"] == "local" else "server"
        return "server" if tools.hosted_shell else "client"
    if t == "custom_tool_call":
        name = doc.get("name")
        if tools.names is not None and type(name) is str and name and name not in tools.names:
            return "server"
        return "client"
    if t in CLIENT_CALLS:
        return "client"
    if t == "tool_search_output":  # the server's search result; a client's answer is never in the stream
        execution = doc.get("execution")
        return None if (execution if execution in ("client", "server") else tools.search_execution) == "client" \
            else "server"
    if is_server_item(t):
        return "server"
    return None


_new = tuple.__new__


def _empty_object(text: str) -> bool:
    """Arguments that are an empty JSON object (``{}``, with any spacing)."""
    t = text.strip()
    return t[:1] == "{" and t[-1:] == "}" and not t[1:-1].strip()


def _short(text: str, n: int = 40) -> str:
    return repr(text if len(text) <= n else text[: n - 3] + "...")


class _Item:
    __slots__ = ("index", "state", "type", "id", "call_id", "name", "deltas", "blocks", "final_args", "done_args",
                 "added_args", "ordinal", "texts", "text_blocks", "item_text", "refusal_seen", "refusal_final",
                 "args_closed", "raw", "id_noted", "said", "runner")

    def __init__(self, index: int) -> None:
        self.index = index
        self.state = NEW
        self.type: str | None = None
        self.id: str | None = None
        self.call_id: str | None = None
        self.name: str | None = None
        self.deltas: list[str] = []  # the newest argument deltas, joined into `blocks` every BLOCK
        self.blocks: list[str] = []
        self.final_args: str | None = None  # from function_call_arguments.done
        self.done_args: str | None = None  # from output_item.done
        self.added_args: str | None = None  # from output_item.added
        self.ordinal: int | None = None  # position among the choice's DO commands
        self.texts: dict[int, list[str]] = {}  # content_index -> newest text deltas
        self.text_blocks: dict[int, list[str]] = {}  # content_index -> older deltas, joined every BLOCK
        self.item_text: dict[int, str] = {}  # content_index -> text in the finished item
        self.refusal_seen = False
        self.refusal_final: str | None = None
        self.args_closed = False
        self.raw: dict | None = None
        self.id_noted = False
        self.said = False
        self.runner: str | None = None  # "client" (a DO), "server" (server_tools) or None (not a call)


class ResponsesReference(Machine):
    """The reference state machine for ``openai.responses`` streams."""

    api = API

    def __init__(self, *, profile: str = "lenient") -> None:
        super().__init__(profile=profile)
        self.state = STREAMING
        self._items: dict[int, _Item] = {}
        self._calls = 0
        self._finish: str | None = None
        self._terminal: str | None = None
        self._error_seen = False
        self._seq: int | None = None
        self._started = False
        self._tools = Tools()
        self._outputs: set[str] = set()  # call ids whose output item is in this response

    # -- public API -------------------------------------------------------------------------

    def feed(self, sse: SSEEvent) -> list[Any]:
        """One SSE event from the decoder."""
        return self._feed_typed(sse, "resp-event-name")

    def feed_json(self, obj: Any, *, event: int | None = None, offset: int | None = None) -> list[Any]:
        self._event, self._offset = event, offset
        if type(obj) is not dict or type(obj.get("type")) is not str:
            return self._input("invalid", "payload is not an object with a string `type`")
        t = obj["type"]
        if t == "response.function_call_arguments.delta" or t == "response.output_text.delta":
            fast = self._fast_delta(t, obj)
            if fast is not None:
                return fast
        self._sequence(obj)
        if t in ("response.completed", "response.incomplete", "response.failed"):
            return self._input("terminal", obj)
        if t == "error":
            return self._input("error", obj)
        return self._input("event", obj)

    # -- stream level -------------------------------------------------------------------------

    def _input(self, kind: str, payload: Any) -> list[Any]:
        prev, rule = self._step(STREAM_TRANSITIONS, kind, "resp-after-terminal")
        out: list[Any] = []
        if kind == "sentinel":
            self._once(rule, None, "`data: [DONE]` in a Responses stream; ignored")
        elif kind == "invalid":
            self._note(rule, f"{payload}; skipped", state=prev)
        else:
            if rule == "resp-after-terminal":
                self._note(rule, f"{payload.get('type')} after the response ended ({self._terminal}); applied")
            if kind == "event":
                self._event_obj(payload, out)
            elif kind == "terminal":
                self._terminal_obj(payload, out)
            elif kind == "error":
                self._error_obj(payload, out)
            elif kind == "close":
                self._close(prev, out)
        return self._emit(out)

    def _fast_delta(self, t: str, obj: dict) -> list[Any] | None:
        """The delta events that make up nearly every stream, for an open item in a
        well-behaved stream: exactly what the general path does for them, without its
        dispatch. ``None`` when anything is unusual (the general path then runs)."""
        seq = obj.get("sequence_number")
        index = obj.get("output_index")
        delta = obj.get("delta")
        if (self.state is not STREAMING or type(seq) is not int or self._seq is None or seq != self._seq + 1
                or type(index) is not int or type(delta) is not str or not delta):
            return None
        item = self._items.get(index)
        if item is None or item.state is not OPEN or obj.get("item_id") != item.id:
            return None
        if t == "response.output_text.delta":
            ci = obj.get("content_index")
            if item.type != "message" or type(ci) is not int:
                return None
            parts = item.texts.get(ci)
            if parts is None:
                parts = item.texts[ci] = []
            parts.append(delta)
            if len(parts) >= BLOCK:
                item.text_blocks.setdefault(ci, []).append("".join(parts))
                parts.clear()
            e = _new(ev.TextDelta, (0, delta, index))
            item.said = True
        else:
            if item.ordinal is None or item.args_closed:
                return None
            pending = item.deltas
            pending.append(delta)
            if len(pending) >= BLOCK:
                item.blocks.append("".join(pending))
                pending.clear()
            e = _new(ev.ToolCallArgumentsDelta, (0, item.ordinal, delta))
        self._seq = seq
        self._builder.add(e)
        return [e]

    def _sequence(self, obj: dict) -> None:
        seq = obj.get("sequence_number")
        if type(seq) is not int:
            self._once("resp-sequence-number", "missing", "events without `sequence_number`")
            return
        if self._seq is not None and seq != self._seq + 1:
            kind = "gap" if seq > self._seq else "order"
            self._once("resp-sequence-number", kind,
                       f"sequence_number {seq} after {self._seq}" + (" (a gap)" if kind == "gap" else " (not rising)"))
        self._seq = seq

    def _event_obj(self, obj: dict, out: list) -> None:
        t = obj["type"]
        if t in ("response.created", "response.in_progress", "response.queued"):
            self._started = True
            response = obj.get("response")
            if type(response) is dict and type(response.get("tools")) is list and response["tools"]:
                self._tools = Tools(response["tools"])
            return
        if not self._started:
            self._started = True
            self._note("resp-lifecycle", f"stream opens with {t!r}, not response.created")
        index = obj.get("output_index")
        if type(index) is not int:
            self._once("resp-unknown-event", t, f"event {t!r} without output_index; kept in the timeline only")
            return
        item = self._items.get(index)
        if item is None:
            item = self._items[index] = _Item(index)
        if t == "response.output_item.added":
            self._move(item, "added")
            self._take_item(item, obj.get("item"), out, added=True)
            return
        if t == "response.output_item.done":
            if item.state == DONE:
                self._note("resp-delta-after-done", f"second output_item.done for output_index {index}; ignored")
                return
            self._move(item, "done")
            self._take_item(item, obj.get("item"), out, added=False)
            self._complete(item, out)
            return
        item_id = obj.get("item_id")
        if item_id is not None and item.id is not None and item_id != item.id and not item.id_noted:
            item.id_noted = True
            self._note("resp-item-id-mismatch",
                       f"{t} names item {item_id!r} but output_index {index} is {item.id!r}; routed by output_index")
        elif item.id is None and type(item_id) is str:
            item.id = item_id
        if item.state == DONE:
            self._move(item, "content")
            return
        if t == "response.output_text.delta":
            self._move(item, "content")
            self._text_item(item, out)
            delta = obj.get("delta")
            if type(delta) is str and delta:
                ci = obj.get("content_index") if type(obj.get("content_index")) is int else 0
                parts = item.texts.get(ci)
                if parts is None:
                    parts = item.texts[ci] = []
                parts.append(delta)
                if len(parts) >= BLOCK:
                    item.text_blocks.setdefault(ci, []).append("".join(parts))
                    parts.clear()
                self._say(item, delta, out)
        elif t == "response.output_text.done":
            self._move(item, "content")
            self._text_item(item, out)
            ci = obj.get("content_index") if type(obj.get("content_index")) is int else 0
            text = obj.get("text")
            if type(text) is str:
                self._settle_text(item, ci, text, "output_text.done", out)
        elif t in ("response.function_call_arguments.delta", "response.custom_tool_call_input.delta"):
            self._move(item, "content")
            self._call_item(item, "function_call" if "function" in t else "custom_tool_call", out)
            delta = obj.get("delta")
            if item.args_closed:
                self._note("resp-delta-after-done", f"argument delta {delta!r} after the arguments' .done event "
                           f"for output_index {index}; ignored")
            elif item.ordinal is None:
                pass  # the input of a call the server runs: not the client's
            elif type(delta) is str and delta:
                pending = item.deltas
                pending.append(delta)
                if len(pending) >= BLOCK:
                    item.blocks.append("".join(pending))
                    pending.clear()
                out.append(ev.ToolCallArgumentsDelta(0, item.ordinal, delta))
        elif t in ("response.function_call_arguments.done", "response.custom_tool_call_input.done"):
            self._move(item, "final")
            self._call_item(item, "function_call" if "function" in t else "custom_tool_call", out)
            value = obj.get("arguments", obj.get("input"))
            if type(value) is str:
                item.final_args = value
            item.args_closed = True
        elif t in ("response.refusal.delta", "response.refusal.done"):
            self._move(item, "content")
            self._text_item(item, out)
            if t.endswith("delta"):
                delta = obj.get("delta")
                if type(delta) is str and delta:
                    item.refusal_seen = True
                    out.append(ev.RefusalDelta(0, delta))
            elif type(obj.get("refusal")) is str and obj["refusal"] and not item.refusal_seen:
                item.refusal_seen = True
                out.append(ev.RefusalDelta(0, obj["refusal"]))
        elif t in ("response.reasoning_summary_text.delta", "response.reasoning_text.delta"):
            self._move(item, "content")
            if item.type is None:
                item.type = "reasoning"
            delta = obj.get("delta")
            if type(delta) is str and delta:
                out.append(ev.ReasoningDelta(0, delta))
        elif t in ("response.content_part.added", "response.content_part.done", "response.reasoning_summary_part.added",
                   "response.reasoning_summary_part.done", "response.reasoning_summary_text.done",
                   "response.reasoning_text.done", "response.output_text.annotation.added"):
            self._move(item, "content")
        elif t.startswith("response.") and any(t.startswith(f"response.{s}") for s in
                                                ("web_search_call", "file_search_call", "code_interpreter_call",
                                                 "image_generation_call", "mcp_call", "mcp_list_tools",
                                                 "shell_call_command", "shell_call_output_content")):
            self._move(item, "content")
        else:
            self._once("resp-unknown-event", t, f"event type {t!r} not modelled; kept in the timeline only")

    def _move(self, item: _Item, kind: str) -> None:
        nxt, rule = ITEM_TRANSITIONS[(item.state, kind)]
        if rule is not None:
            if rule == "resp-item-added-missing":
                self._once(rule, item.index, f"output_index {item.index}: {kind} before output_item.added")
            elif rule == "resp-delta-after-done":
                self._note(rule, f"output_index {item.index}: {kind} after output_item.done; ignored", state=item.state)
            else:
                self._note(rule, f"output_index {item.index}: {kind} in state {item.state}", state=item.state)
        item.state = nxt

    # -- items -----------------------------------------------------------------------------------

    def _take_item(self, item: _Item, doc: Any, out: list, *, added: bool) -> None:
        if type(doc) is not dict:
            if doc is not None or not added:
                self._note("resp-malformed-item", f"output_index {item.index}: item is {type(doc).__name__}")
            return
        item.raw = doc
        t = doc.get("type")
        if type(t) is str and item.type is None:
            item.type = t
        if type(doc.get("id")) is str and doc["id"]:
            if item.id is not None and doc["id"] != item.id and not item.id_noted:
                item.id_noted = True
                self._note("resp-item-id-mismatch", f"output_index {item.index}: item id {doc['id']!r} after "
                           f"{item.id!r}; routed by output_index")
            item.id = item.id or doc["id"]
        if item.ordinal is None:  # who runs it, until it is the client's (a DO cannot be taken back)
            item.runner = self._runner(item, doc) or item.runner
        if is_output_item(item.type):
            self._output_item(item, doc)
        elif item.type in CLIENT_CALLS or item.type in EXECUTION_CALLS:
            if type(doc.get("call_id")) is str and doc["call_id"] and (
                    item.call_id is None or not added and item.type in EXECUTION_CALLS):
                item.call_id = doc["call_id"]  # a tool search's call id is final only in the finished item
            name = doc.get("name")
            if type(name) is str and name and item.name is None:
                item.name = name
            value = doc.get("arguments", doc.get("input"))
            if type(value) is str:
                if added:
                    item.added_args = value
                else:
                    item.done_args = value
            if item.runner == "client":
                self._call_item(item, item.type, out)
        elif item.type == "message":
            content = doc.get("content")
            if content is None:
                self._note("resp-malformed-item", f"output_index {item.index}: message item with `content: null`")
            elif type(content) is list and not added:
                for ci, part in enumerate(content):
                    if type(part) is not dict:
                        continue
                    if part.get("type") == "output_text":
                        if type(part.get("text")) is str:
                            item.item_text[ci] = part["text"]
                        else:
                            self._note("resp-malformed-item", f"output_index {item.index}: output_text part without text")
                    elif part.get("type") == "refusal" and type(part.get("refusal")) is str:
                        item.refusal_final = item.refusal_final or part["refusal"]

    def _runner(self, item: _Item, doc: dict) -> str | None:
        """Who runs the item's call (:func:`item_runner`), with the signal only the whole stream
        has: a call whose output item came first in this response was run by the server."""
        runner = item_runner(doc, self._tools)
        t = item.type
        call_id = doc.get("call_id")
        if runner == "client" and type(call_id) is str and call_id in self._outputs:
            runner = "server"
            if item.runner != "server":
                self._note("resp-server-run-call", f"{t} {call_id!r}: its output item is already in this "
                           "response; run by the server (server_tools, not DO)")
        elif runner == "client" and t in EXECUTION_CALLS and item.runner != "client":
            self._once("resp-tool-search-client", item.index, f"{t} at output_index {item.index} is executed by "
                       "the client (`execution: client`): a DO")
        elif runner == "server" and t in CLIENT_CALLS and item.runner != "server":
            if t == "custom_tool_call":
                self._note("resp-custom-call-undeclared", f"custom_tool_call {doc.get('name')!r} at output_index "
                           f"{item.index} names no tool of the response's `tools`: a server tool, not DO")
            else:
                self._note("resp-server-run-call", f"{t} at output_index {item.index} runs in a hosted "
                           "environment: a server tool, not DO")
        return runner

    def _output_item(self, item: _Item, doc: dict) -> None:
        """A call's output item: the call it answers was run by the server. Decided where the call
        has not been given to the client yet; after that, reported (a DO is not taken back)."""
        call_id = doc.get("call_id")
        if type(call_id) is not str or not call_id or call_id in self._outputs:
            return
        self._outputs.add(call_id)
        for other in self._items.values():
            if other is item or other.call_id != call_id or other.runner != "client":
                continue
            if other.ordinal is None:
                other.runner = "server"
            else:
                self._note("resp-server-run-call", f"{item.type} for call {call_id!r} after the call was given "
                           "to the client; the DO stands (a DO is not taken back)")

    def _call_item(self, item: _Item, kind: str, out: list) -> None:
        if item.type is None:
            item.type = kind
        if item.ordinal is None and (item.runner == "client" or item.runner is None and item.type in CLIENT_CALLS):
            item.runner = "client"
            item.ordinal = self._calls
            self._calls += 1
            out.append(ev.ToolCallStarted(0, item.ordinal, item.call_id, self._action(item)))

    def _text_item(self, item: _Item, out: list) -> None:
        if item.type is None:
            item.type = "message"

    def _settle_text(self, item: _Item, ci: int, final: str, where: str, out: list) -> None:
        """A part's complete text arrived: say it if no delta did, else compare."""
        if ci not in item.texts:
            item.texts[ci] = [final]
            if final:
                self._say(item, final, out)
            return
        joined = "".join(item.text_blocks.get(ci, ())) + "".join(item.texts[ci])
        if final != joined:
            self._note("resp-text-mismatch", f"output_index {item.index} part {ci}: text in {where} differs from the "
                       f"joined deltas ({len(final)} vs {len(joined)} characters); kept the deltas")

    def _say(self, item: _Item, text: str, out: list) -> None:
        item.said = True
        out.append(ev.TextDelta(0, text, item.index))

    def _action(self, item: _Item) -> str | None:
        if item.type == "function_call" or item.type == "custom_tool_call":
            return item.name
        return item.type[: -len("_call")] if item.type and item.type.endswith("_call") else item.type

    def _complete(self, item: _Item, out: list) -> None:
        """The item is finished: dispatch a call, settle a message's text, note a server tool."""
        t = item.type
        if t == "message":
            for ci in sorted(item.item_text):
                self._settle_text(item, ci, item.item_text[ci], "the finished item", out)
            if item.refusal_final and not item.refusal_seen:
                item.refusal_seen = True
                out.append(ev.RefusalDelta(0, item.refusal_final))
        elif item.runner == "client" or item.runner is None and t in CLIENT_CALLS:
            status = (item.raw or {}).get("status")
            if status == "incomplete" or self._terminal == "response.incomplete":
                self._note("resp-arguments-json", f"call {item.call_id!r} ({item.name!r}) was cut off "
                           f"({'item status incomplete' if status == 'incomplete' else 'response incomplete'}); "
                           "not dispatched")
                return
            self._dispatch(item, out)
        elif item.runner == "server" or item.runner is None and is_server_item(t):
            raw = item.raw or {}
            name = raw.get("name") if type(raw.get("name")) is str else None
            out.append(ev.ServerTool(0, {"type": t, "id": item.id, "name": name}))

    def _dispatch(self, item: _Item, out: list) -> None:
        if item.ordinal is None:
            self._call_item(item, item.type or "function_call", out)
        joined = "".join(item.blocks) + "".join(item.deltas)
        if item.type in ("function_call", "custom_tool_call"):
            sources = (item.done_args, item.final_args, joined, item.added_args)
            # the first source that says something; where a finished item with `{}` follows a done
            # event with the real arguments, either is allowed (resp-arguments-mismatch): the
            # reference takes the real ones
            arguments = next((a for a in sources if a and not _empty_object(a)), None) \
                or next((a for a in sources if a), "")
            if item.done_args is not None and item.final_args is not None and item.done_args != item.final_args:
                self._note("resp-arguments-mismatch", f"call {item.call_id!r}: output_item.done carries "
                           f"{_short(item.done_args)} but function_call_arguments.done {_short(item.final_args)}; "
                           "took the first that is neither empty nor {} (the finished item first)")
            elif joined and arguments != joined:
                self._note("resp-arguments-mismatch", f"call {item.call_id!r}: final arguments differ from the joined "
                           f"deltas ({len(arguments)} vs {len(joined)} characters); took the final value")
            if item.type == "custom_tool_call":
                parameters, invalid = arguments, False
            else:
                parameters, invalid = parse_arguments(arguments)
                if invalid:
                    shown = arguments if len(arguments) <= 60 else arguments[:57] + "..."
                    self._note("resp-arguments-json", f"arguments of call {item.call_id!r} ({item.name!r}) are not "
                               f"valid JSON: {shown!r}; parameters null")
        elif item.type in EXECUTION_CALLS and type((item.raw or {}).get("arguments")) is str:
            arguments = item.raw["arguments"]
            parameters, invalid = parse_arguments(arguments)
        else:
            raw = item.raw or {}
            parameters = next((raw[k] for k in ("action", "operation", "actions", "arguments") if k in raw), None)
            arguments = json.dumps(parameters, ensure_ascii=False, separators=(",", ":"))
            invalid = False
        action = self._action(item)
        if item.call_id is None or action is None:
            missing = " and ".join(w for w, v in (("call_id", item.call_id), ("name", action)) if v is None)
            self._note("resp-call-incomplete", f"call at output_index {item.index} dispatched without {missing}")
        out.append(ev.ToolCallDone(0, item.ordinal, item.call_id, action, arguments, parameters, invalid))
        # released: the done event carries the arguments, the Plan keeps them
        item.deltas, item.blocks, item.raw = [], [], None
        item.done_args = item.final_args = item.added_args = None

    # -- the end -------------------------------------------------------------------------------

    def _terminal_obj(self, obj: dict, out: list) -> None:
        t = obj["type"]
        self._terminal = t
        response = obj.get("response") if type(obj.get("response")) is dict else {}
        usage = response.get("usage")
        if type(usage) is dict:
            u = {k: usage[k] for k in ("input_tokens", "output_tokens") if type(usage.get(k)) is int}
            out.append(ev.Usage(u))
        if t == "response.failed":
            err = response.get("error") if type(response.get("error")) is dict else {}
            self._fail({"type": err.get("type"), "code": err.get("code"),
                        "message": err.get("message") or "response failed"}, out)
            return
        if self._error_seen:  # an error event came first: the response failed, whatever it says now
            return
        output = response.get("output")
        if type(output) is list:
            by_id = {i.id: i.index for i in self._items.values() if type(i.id) is str}
            for position, doc in enumerate(output):
                # the output's position is the output_index; an item that names a known id is that item
                named = doc.get("id") if type(doc) is dict else None
                index = by_id.get(named, position) if type(named) is str else position
                item = self._items.get(index)
                if item is None or item.state != DONE:
                    if item is None:
                        item = self._items[index] = _Item(index)
                    self._move(item, "done")
                    self._take_item(item, doc, out, added=False)
                    self._complete(item, out)
        elif t == "response.completed":
            self._note("resp-completed-output", "response.completed without `output`; built from the streamed items")
        for item in sorted(self._items.values(), key=lambda i: i.index):
            if item.state != DONE:
                self._move(item, "end")
                self._complete(item, out)
        if t == "response.completed":
            self._finish = "tool_calls" if self._calls else "stop"
        else:
            details = response.get("incomplete_details") if type(response.get("incomplete_details")) is dict else {}
            reason = details.get("reason")
            self._finish = INCOMPLETE_REASONS.get(reason, "incomplete") if type(reason) is str else "incomplete"
            self._note("resp-incomplete", f"response incomplete ({reason!r})")
        out.append(ev.MessageDone(0, self._finish))

    def _error_obj(self, obj: dict, out: list) -> None:
        inner = obj.get("error") if type(obj.get("error")) is dict else obj
        self._fail({"type": inner.get("type") if inner is not obj else None, "code": inner.get("code"),
                    "message": inner.get("message")}, out)

    def _fail(self, error: dict, out: list) -> None:
        self._note("resp-error", f"error in the stream: {error.get('message')!r}")
        out.append(ev.Error(None, error))
        if not self._error_seen:
            self._error_seen = True
            self._finish = "error"
            out.append(ev.MessageDone(0, "error"))

    def _close(self, prev: str, out: list) -> None:
        if prev == STREAMING and not self._error_seen:
            self._note("resp-truncated", "stream ended before a terminal event; calls not dispatched", state=prev)
            out.append(ev.MessageDone(0, None))
        for item in self._items.values():  # what streamed of unfinished messages stays visible
            if item.state != DONE and item.type != "message" and item.type and not (
                    item.runner == "client" or item.runner is None and item.type in CLIENT_CALLS):
                self._complete(item, out)
