"""A naive, independent OpenAI Responses stream handler: the base every ``r*`` mutant breaks.

Written the way a careful user writes a Responses handler, with no code from the kit:
the SSE layer of :class:`._naive.NaiveSSE` (itself kit-free), ``json.loads`` per event,
routing by the payload's ``type`` (never the SSE event name), output items kept by
``output_index``, and the Plan conventions of ``conformance.md`` sections 2 and 6. On the
bundled corpus its plan equals the reference's (``tests/test_mutants.py`` checks this),
so it is a second reading of those conventions as well.

Each mutant (``kit/adapters/mutants/r*.py``) subclasses :class:`NaiveResponses` and overrides one
method with the buggy version of it that real handlers have shipped:

=================================  =============================================
``on_event(name, data)``           ``[DONE]``, JSON decoding, then ``on_payload``
``on_payload(obj)``                routing by ``type``: lifecycle, terminal, error,
                                   item events
``item_key(obj)``                  which output item an event belongs to
``on_added`` / ``on_item_done``    ``output_item.added`` / ``.done``
``take_item(item, doc, added)``    what an item document says (type, ids, name,
                                   arguments, message content)
``on_text_delta`` / ``on_text_done``  text of a message's content part
``on_args_delta`` / ``on_args_done``  arguments of a function or custom tool call
``on_refusal(item, text, final)``  refusal text (never a SAY)
``on_reasoning(item, text)``       reasoning text (never a SAY)
``say(item, text)``                visible text: one SAY per message item
``start_call(item)``               a client call's DO (placed where first seen)
``complete(item)``                 an item finished: text, dispatch (unless cut
                                   off by the output limit), server tool
``dispatch(item)``                 a call's arguments and parameters
``arguments_of(item)``             done item, ``.done`` event, deltas, added item (``{}`` skipped)
``is_client_call`` / ``is_server_tool``  item types
``who_runs(item, doc)``            client or server, per item: ``tool_search_runner``
                                   (``execution``), ``shell_runner`` (a hosted
                                   container), ``custom_runner`` (a declared tool)
``on_terminal(obj)``               completed / incomplete / failed
``output_keys(output)``            the items of the terminal ``output`` (by id,
                                   else by position)
``usage_of(response)``             usage of the terminal response
``error_of(obj)``                  the two shapes of the ``error`` event
``end_of_stream()``                no terminal event: truncated
=================================  =============================================

Usage::

    def accumulate(reads: Iterable[bytes]) -> dict:
        return NaiveResponses().accumulate(reads)
"""

from __future__ import annotations

import json
from typing import Any, Callable, Iterable

from ._naive import NaiveSSE

API = "openai.responses"

CLIENT_CALLS = ("function_call", "custom_tool_call", "computer_call", "local_shell_call", "shell_call",
                "apply_patch_call")
LIFECYCLE = ("response.created", "response.in_progress", "response.queued")
TERMINAL = ("response.completed", "response.incomplete", "response.failed")
INCOMPLETE = {"max_output_tokens": "length", "content_filter": "content_filter"}


def declare(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Declare ``fn`` a handler of this module's API for the kit, without importing the kit.

    ``toolstream-kit`` reads ``fn.__kit__`` (a plain dict with the keys of its
    ``Capabilities``): a handler of openai.responses only, fed the network reads, with no sink.
    """
    fn.__kit__ = {"apis": [API]}  # type: ignore[attr-defined]
    return fn


def in_order(keys: Iterable[Any]) -> list[Any]:
    """Item keys in output order (integers first; a mutant may key by something else)."""
    return sorted(keys, key=lambda k: (0, k, "") if type(k) is int else (1, 0, str(k)))


def parse_arguments(arguments: str) -> tuple[Any, bool]:
    """``(parameters, invalid)``: empty is ``{}``, invalid JSON is ``None``."""
    if arguments.strip() == "":
        return {}, False
    try:
        return json.loads(arguments), False
    except (ValueError, RecursionError):
        return None, True


class Item:
    """One output item, keyed by its ``output_index``."""

    def __init__(self, key: Any) -> None:
        self.key = key
        self.type: str | None = None
        self.id: str | None = None
        self.call_id: str | None = None
        self.name: str | None = None
        self.doc: dict | None = None  # the last item document seen
        self.done = False  # output_item.done (or the response) finished it
        # a client call
        self.started = False
        self.started_call_id: str | None = None
        self.started_action: str | None = None
        self.deltas: list[str] = []
        self.args_closed = False  # the arguments' .done event arrived
        self.added_args: str | None = None
        self.final_args: str | None = None  # function_call_arguments.done
        self.done_args: str | None = None  # output_item.done
        self.runner: str | None = None  # "client", "server", or None (not a call)
        self.dispatched = False
        self.arguments = ""
        self.parameters: Any = None
        self.invalid = False
        # a message
        self.parts: dict[int, list[str]] = {}  # content_index -> text pieces
        self.final_parts: dict[int, str] = {}  # content_index -> text in the finished item
        self.refused = False
        self.final_refusal: str | None = None


class Say:
    def __init__(self, key: Any) -> None:
        self.key = key
        self.pieces: list[str] = []


class NaiveResponses(NaiveSSE):
    """Reads -> Plan document. Feed with :meth:`accumulate`."""

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[Any, Item] = {}
        self.commands: list[Any] = []  # Say or Item (a DO), in stream order
        self.open_say: Say | None = None
        self.calls = 0
        self.refusal: list[str] | None = None
        self.server_tools: list[dict[str, Any]] = []
        self.usage: dict[str, int] | None = None
        self.error: dict[str, Any] | None = None
        self.finish: str | None = None
        self.terminal: str | None = None
        self.failed = False  # an error event or response.failed
        self.touched = False  # something reached the choice
        self.tools: list = []  # the response's `tools`, as response.created echoes the request's
        self.outputs: set[str] = set()  # call ids whose output item is in this response

    # -- payloads ----------------------------------------------------------------------------

    def on_event(self, name: str, data: str) -> None:
        if data.strip() == "[DONE]":
            return  # a Chat Completions habit of some gateways
        try:
            obj = json.loads(data)
        except (ValueError, RecursionError):
            return
        if isinstance(obj, dict) and isinstance(obj.get("type"), str):
            self.on_payload(obj)

    def on_payload(self, obj: dict) -> None:
        t = obj["type"]
        if t in LIFECYCLE:
            response = obj.get("response")
            if isinstance(response, dict) and isinstance(response.get("tools"), list) and response["tools"]:
                self.tools = response["tools"]
            return
        if t in TERMINAL:
            self.on_terminal(obj)
        elif t == "error":
            self.on_error(self.error_of(obj))
        else:
            key = self.item_key(obj)
            if key is not None:
                self.on_item_event(self.item(key), t, obj)

    def item_key(self, obj: dict) -> Any:
        index = obj.get("output_index")
        return index if type(index) is int else None

    def item(self, key: Any) -> Item:
        if key not in self.items:
            self.items[key] = Item(key)
        return self.items[key]

    def on_item_event(self, item: Item, t: str, obj: dict) -> None:
        if t == "response.output_item.added":
            self.on_added(item, obj.get("item"))
            return
        if t == "response.output_item.done":
            self.on_item_done(item, obj.get("item"))
            return
        if item.id is None and isinstance(obj.get("item_id"), str):
            item.id = obj["item_id"]
        if item.done:
            return  # late events for a finished item change nothing
        if t == "response.output_text.delta":
            item.type = item.type or "message"
            self.on_text_delta(item, self.content_index(obj), obj.get("delta"))
        elif t == "response.output_text.done":
            item.type = item.type or "message"
            self.on_text_done(item, self.content_index(obj), obj.get("text"))
        elif t in ("response.function_call_arguments.delta", "response.custom_tool_call_input.delta"):
            item.type = item.type or ("function_call" if "function" in t else "custom_tool_call")
            self.start_call(item)
            self.on_args_delta(item, obj.get("delta"))
        elif t in ("response.function_call_arguments.done", "response.custom_tool_call_input.done"):
            item.type = item.type or ("function_call" if "function" in t else "custom_tool_call")
            self.start_call(item)
            self.on_args_done(item, obj.get("arguments", obj.get("input")))
        elif t == "response.refusal.delta":
            item.type = item.type or "message"
            self.on_refusal(item, obj.get("delta"), final=False)
        elif t == "response.refusal.done":
            item.type = item.type or "message"
            self.on_refusal(item, obj.get("refusal"), final=True)
        elif t in ("response.reasoning_summary_text.delta", "response.reasoning_text.delta"):
            item.type = item.type or "reasoning"
            self.on_reasoning(item, obj.get("delta"))
        # content_part.*, annotations, server-tool progress, unknown events: nothing to do

    def content_index(self, obj: dict) -> int:
        ci = obj.get("content_index")
        return ci if type(ci) is int else 0

    # -- items -------------------------------------------------------------------------------

    def on_added(self, item: Item, doc: Any) -> None:
        self.take_item(item, doc, added=True)

    def on_item_done(self, item: Item, doc: Any) -> None:
        if item.done:
            return
        self.take_item(item, doc, added=False)
        self.complete(item)

    def take_item(self, item: Item, doc: Any, *, added: bool) -> None:
        if not isinstance(doc, dict):
            return
        item.doc = doc
        if item.type is None and isinstance(doc.get("type"), str):
            item.type = doc["type"]
        if isinstance(doc.get("id"), str) and doc["id"] and not item.id:
            item.id = doc["id"]
        if not item.started:
            item.runner = self.who_runs(item, doc) or item.runner
        if isinstance(item.type, str) and item.type.endswith("_output"):
            call_id = doc.get("call_id")
            if isinstance(call_id, str) and call_id:
                self.outputs.add(call_id)
                for other in self.items.values():  # a call not yet given to the client: the server ran it
                    if other.call_id == call_id and not other.started and other.runner == "client":
                        other.runner = "server"
        elif self.is_client_call(item.type) or item.type == "tool_search_call":
            call_id = doc.get("call_id")
            if isinstance(call_id, str) and call_id and (item.call_id is None or
                                                         (not added and item.type == "tool_search_call")):
                item.call_id = call_id
            if isinstance(doc.get("name"), str) and doc["name"] and item.name is None:
                item.name = doc["name"]
            value = doc.get("arguments", doc.get("input"))
            if isinstance(value, str):
                if added:
                    item.added_args = value
                else:
                    item.done_args = value
            if item.runner == "client":
                self.start_call(item)
        elif item.type == "message" and not added:
            self.take_message_content(item, doc.get("content"))

    def take_message_content(self, item: Item, content: Any) -> None:
        if not isinstance(content, list):
            return  # `content: null` (vLLM): nothing to say
        for ci, part in enumerate(content):
            if not isinstance(part, dict):
                continue
            if part.get("type") == "output_text" and isinstance(part.get("text"), str):
                item.final_parts[ci] = part["text"]
            elif part.get("type") == "refusal" and isinstance(part.get("refusal"), str):
                item.final_refusal = item.final_refusal or part["refusal"]

    def is_client_call(self, t: str | None) -> bool:
        return t in CLIENT_CALLS

    def is_server_tool(self, t: str | None) -> bool:
        return bool(t) and not self.is_client_call(t) and (
            t.endswith("_call") or t.startswith("mcp_")) and t != "tool_search_call"  # its item says (who_runs)

    def who_runs(self, item: Item, doc: dict) -> str | None:
        """Who runs the call an item document describes: ``"client"``, ``"server"``, or None."""
        t = doc.get("type")
        if t == "tool_search_call":
            runner = self.tool_search_runner(doc)
        elif t == "tool_search_output":
            return None if self.tool_search_runner(doc) == "client" else "server"
        elif t == "shell_call":
            runner = self.shell_runner(doc)
        elif t == "custom_tool_call":
            runner = self.custom_runner(doc)
        elif self.is_client_call(t):
            runner = "client"
        elif self.is_server_tool(t):
            return "server"
        else:
            return None
        if runner == "client" and doc.get("call_id") in self.outputs:
            return "server"  # its output came first: the server ran it
        return runner

    def declared_tool(self, kind: str) -> dict | None:
        return next((t for t in self.tools if isinstance(t, dict) and t.get("type") == kind), None)

    def tool_search_runner(self, doc: dict) -> str:
        """``execution`` of the item, else of the declared tool-search tool, else the server."""
        for source in (doc, self.declared_tool("tool_search") or {}):
            if source.get("execution") in ("client", "server"):
                return source["execution"]
        return "server"

    def shell_runner(self, doc: dict) -> str:
        """A shell call in a hosted container (the item's environment, else the declared tool's) is the server's."""
        env = doc.get("environment")
        if not isinstance(env, dict):
            env = (self.declared_tool("shell") or {}).get("environment")
        kind = env.get("type") if isinstance(env, dict) else None
        return "server" if isinstance(kind, str) and kind != "local" else "client"

    def custom_runner(self, doc: dict) -> str:
        """A custom tool call naming no declared tool is the provider's own (xAI's X search)."""
        name = doc.get("name")
        if not self.tools or self.declared_tool("tool_search") is not None or not isinstance(name, str) or not name:
            return "client"
        names: set[str] = set()
        todo: list[Any] = list(self.tools)
        while todo:
            node = todo.pop()
            if isinstance(node, dict):
                if isinstance(node.get("name"), str):
                    names.add(node["name"])
                todo.extend(v for v in node.values() if isinstance(v, (dict, list)))
            elif isinstance(node, list):
                todo.extend(node)
        return "client" if name in names else "server"

    def runs_on_client(self, item: Item) -> bool:
        return item.runner == "client" or item.runner is None and self.is_client_call(item.type)

    def runs_on_server(self, item: Item) -> bool:
        return item.runner == "server" or item.runner is None and self.is_server_tool(item.type)

    def action(self, item: Item) -> str | None:
        if item.type in ("function_call", "custom_tool_call"):
            return item.name
        return item.type[:-len("_call")] if item.type and item.type.endswith("_call") else item.type

    # -- text, refusal, reasoning ------------------------------------------------------------------

    def on_text_delta(self, item: Item, ci: int, delta: Any) -> None:
        if isinstance(delta, str) and delta:
            item.parts.setdefault(ci, []).append(delta)
            self.say(item, delta)

    def on_text_done(self, item: Item, ci: int, text: Any) -> None:
        if isinstance(text, str):
            self.settle_text(item, ci, text)

    def settle_text(self, item: Item, ci: int, text: str) -> None:
        """A part's whole text: used only when no delta brought it."""
        if ci not in item.parts:
            item.parts[ci] = [text]
            if text:
                self.say(item, text)

    def say(self, item: Item, text: str) -> None:
        self.touched = True
        if self.open_say is not None and self.open_say.key == item.key:
            self.open_say.pieces.append(text)
        else:
            self.open_say = Say(item.key)
            self.open_say.pieces.append(text)
            self.commands.append(self.open_say)

    def on_refusal(self, item: Item, text: Any, *, final: bool) -> None:
        if not isinstance(text, str) or not text or (final and item.refused):
            return
        item.refused = True
        self.touched = True
        self.refusal = (self.refusal or []) + [text]

    def on_reasoning(self, item: Item, text: Any) -> None:
        pass  # reasoning is never SAY text

    # -- calls -------------------------------------------------------------------------------

    def start_call(self, item: Item) -> None:
        if item.started or not self.runs_on_client(item):
            return
        item.runner = "client"
        item.started = True
        item.started_call_id, item.started_action = item.call_id, self.action(item)
        self.calls += 1
        self.touched = True
        self.commands.append(item)
        self.open_say = None  # text after a call opens a new SAY

    def on_args_delta(self, item: Item, delta: Any) -> None:
        if item.args_closed:
            return  # a stray delta after the arguments' .done (R8)
        if isinstance(delta, str) and delta:
            item.deltas.append(delta)

    def on_args_done(self, item: Item, value: Any) -> None:
        if isinstance(value, str):
            item.final_args = value
        item.args_closed = True

    def complete(self, item: Item) -> None:
        item.done = True
        if item.type == "message":
            for ci in sorted(item.final_parts):
                self.settle_text(item, ci, item.final_parts[ci])
            if item.final_refusal:
                self.on_refusal(item, item.final_refusal, final=True)
        elif self.runs_on_client(item):
            if (item.doc or {}).get("status") == "incomplete" or self.terminal == "response.incomplete":
                return  # cut off by the output limit: its arguments may be partial, never run it
            self.dispatch(item)
        elif self.runs_on_server(item):
            self.touched = True
            name = (item.doc or {}).get("name")
            self.server_tools.append({"type": item.type, "id": item.id,
                                      "name": name if isinstance(name, str) else None})

    def arguments_of(self, item: Item) -> str:
        values = [v for v in (item.done_args, item.final_args, "".join(item.deltas), item.added_args) if v]
        for value in values:  # `{}` beside arguments another source carried: take those (as the reference does)
            if value.strip().replace(" ", "") != "{}":
                return value
        return values[0] if values else ""

    def dispatch(self, item: Item) -> None:
        self.start_call(item)
        item.dispatched = True
        if item.type in ("function_call", "custom_tool_call"):
            item.arguments = self.arguments_of(item)
            if item.type == "custom_tool_call":
                item.parameters, item.invalid = item.arguments, False  # free-form input, not JSON
            else:
                item.parameters, item.invalid = parse_arguments(item.arguments)
        elif item.type == "tool_search_call" and isinstance((item.doc or {}).get("arguments"), str):
            item.arguments = item.doc["arguments"]
            item.parameters, item.invalid = parse_arguments(item.arguments)
        else:  # computer, shell, patch calls: the action object; a tool search: its arguments
            doc = item.doc or {}
            item.parameters = next((doc[k] for k in ("action", "operation", "actions", "arguments") if k in doc), None)
            item.arguments = json.dumps(item.parameters, ensure_ascii=False, separators=(",", ":"))
            item.invalid = False

    # -- the end ---------------------------------------------------------------------------

    def on_terminal(self, obj: dict) -> None:
        t = obj["type"]
        self.terminal = t
        self.touched = True
        response = obj.get("response") if isinstance(obj.get("response"), dict) else {}
        usage = self.usage_of(response)
        if usage is not None:
            self.usage = usage
        if t == "response.failed":
            err = response.get("error") if isinstance(response.get("error"), dict) else {}
            self.on_error({"type": err.get("type"), "code": err.get("code"),
                           "message": err.get("message") or "response failed"})
            return
        output = response.get("output")
        if isinstance(output, list):  # items the stream did not finish, as the response has them
            keys = self.output_keys(output)
            for key, doc in zip(keys, output):
                item = self.item(key)
                if not item.done:
                    self.take_item(item, doc, added=False)
                    self.complete(item)
        for key in in_order(self.items):  # still open: complete what streamed
            if not self.items[key].done:
                self.complete(self.items[key])
        self.finish = self.finish_of(t, response)

    def output_keys(self, output: list) -> list[Any]:
        """The item each entry of the terminal ``output`` is: the streamed item with its id, else
        the one at its position (the position in ``output`` is the ``output_index``)."""
        by_id = {item.id: key for key, item in self.items.items() if item.id is not None}
        return [by_id.get(doc["id"], position) if isinstance(doc, dict) and isinstance(doc.get("id"), str)
                else position for position, doc in enumerate(output)]

    def finish_of(self, t: str, response: dict) -> str | None:
        if t == "response.completed":
            return "tool_calls" if self.calls else "stop"
        details = response.get("incomplete_details")
        reason = details.get("reason") if isinstance(details, dict) else None
        return INCOMPLETE.get(reason, "incomplete")

    def usage_of(self, response: dict) -> dict[str, int] | None:
        usage = response.get("usage")
        if not isinstance(usage, dict):
            return None
        return {k: usage[k] for k in ("input_tokens", "output_tokens") if type(usage.get(k)) is int}

    def error_of(self, obj: dict) -> dict[str, Any]:
        """The documented flat shape ``{type: error, code, message}`` or the observed nested one."""
        if isinstance(obj.get("error"), dict):
            e = obj["error"]
            return {"type": e.get("type"), "code": e.get("code"), "message": e.get("message")}
        return {"type": None, "code": obj.get("code"), "message": obj.get("message")}

    def on_error(self, error: dict[str, Any]) -> None:
        self.touched = True
        if self.error is None:
            self.error = error
        if not self.failed:
            self.failed = True
            self.finish = "error"

    def end_of_stream(self) -> None:
        if self.terminal is None and not self.failed and self.items:
            self.touched = True  # truncated: finish null, open calls never dispatched
        for key in in_order(self.items):  # server tools that ran still ran
            item = self.items[key]
            if not item.done and self.runs_on_server(item):
                self.complete(item)

    # -- the plan ---------------------------------------------------------------------------

    def do_command(self, item: Item) -> dict[str, Any]:
        if item.dispatched:
            out = {"type": "DO", "call_id": item.call_id, "action": self.action(item),
                   "arguments": item.arguments, "parameters": item.parameters}
            if item.invalid:
                out["invalid_arguments"] = True
            return out
        arguments = "".join(item.deltas)
        parameters, invalid = parse_arguments(arguments)
        out = {"type": "DO", "call_id": item.started_call_id, "action": item.started_action,
               "arguments": arguments, "parameters": parameters}
        if invalid:
            out["invalid_arguments"] = True
        out["dispatched"] = False
        return out

    def plan(self) -> dict[str, Any]:
        choices = []
        if self.touched:
            commands = [self.do_command(c) if isinstance(c, Item) else {"type": "SAY", "text": "".join(c.pieces)}
                        for c in self.commands]
            choices.append({"index": 0, "finish_reason": self.finish, "commands": commands,
                            "refusal": "".join(self.refusal) if self.refusal is not None else None,
                            "server_tools": self.server_tools})
        return {"type": "plan", "api": API, "choices": choices, "usage": self.usage, "error": self.error}


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    """The unbroken base, as a plain ``f(reads) -> Plan`` implementation."""
    return NaiveResponses().accumulate(reads)
