"""Bundled adapters that run the unmodified ``openai`` Python SDK on the corpus.

They exist to grade the SDK against the reference, so they map what the SDK gives onto
the kit's output events the way a user following the SDK's documentation would consume
it, and never repair it: a value the SDK gets wrong stays wrong, an exception the SDK
raises propagates (the kit records it as the SDK's result). Only the SDK's public
surface is used, with one exception noted under ``openai-responses-state``.

The client variants serve the trace's bytes through a local transport: an HTTP client
whose transport answers every request with ``200 text/event-stream`` and a body stream
that pulls the kit's reads one at a time, only when the SDK asks for more bytes (the kit
measures how many reads were pulled when each output event arrives). The HTTP client is
whichever one the installed SDK is built on (``httpx2`` for openai 3.x, ``httpx`` before).

Chat Completions
----------------
``openai-chat-state`` (``chat_stream_state``; parsed events, incremental)
    ``openai.lib.streaming.chat.ChatCompletionStreamState``: each chunk is built with
    ``ChatCompletionChunk.construct(**chunk)`` (what the SDK's own stream does for a
    model class: construction without validation; a payload that is not an object is
    passed on as it is) and handed to ``handle_chunk``; ``[DONE]`` is skipped. No chunk
    is filtered out (the class's documented use feeds it every chunk). At the end
    ``get_final_completion()``.
``openai-chat-client`` (``chat_client_stream``; bytes, incremental)
    ``client.chat.completions.stream(...)`` iterated with ``for event in stream``, then
    ``stream.get_final_completion()``.
``openai-chat-create`` (``chat_client_create``; bytes, final Plan only)
    ``client.chat.completions.create(stream=True)`` consumed with the loop of OpenAI's
    function-calling guide ("Streaming", Chat Completions), transcribed as it is written:
    for each fragment of ``chunk.choices[0].delta.tool_calls``, ``if index not in
    final_tool_calls: final_tool_calls[index] = tool_call``, then, for every fragment,
    ``final_tool_calls[index].function.arguments += tool_call.function.arguments``. So
    id and name come from the first fragment only, and, because the stored call *is* the
    first fragment, that fragment's own ``arguments`` are added to themselves: a server
    that sends arguments in the first fragment (OpenAI sends ``""`` there; several
    compatible servers send a whole call in one fragment) gets them twice. That is the
    guide's code, not the SDK's (the SDK hands over each chunk as the wire had it); the
    row grades the guide as a recipe on top of the SDK, and the adapter keeps its loop
    exactly. Text (the guide shows none) is ``delta.content`` appended, after the guide's
    loop: a string as it is; a list of content parts (``chat-content-parts``, a dialect:
    ``create()`` passes the chunk on as the wire had it) gives the text of its ``text``
    parts, never its ``thinking`` parts; ``delta.refusal`` is appended the same way (the
    refusal). The guide reads ``chunk.choices[0]``, so this
    adapter handles one choice; chunks with ``choices: []`` (the documented usage chunk)
    are skipped, their ``usage`` kept. The Plan: one SAY with all the text, the calls in
    index order, the refusal, the last finish reason (a later chunk without one does not
    erase it).

Mapping of the stream helper's events (both incremental chat variants share it):

- ``content.delta`` -> ``TextDelta``; ``refusal.delta`` -> ``RefusalDelta``. A
  ``content.delta`` whose ``delta`` is not a string (a list of content parts, passed on
  by the SDK as the wire had it) adds no text: the SDK's own accumulated content
  (``event.snapshot``, the final ``message.content``) does not take it in either, and
  that is the text the SDK gives.
- ``tool_calls.function.arguments.delta`` -> ``ToolCallStarted`` the first time a call
  index is seen (id from the SDK's snapshot at that moment), then
  ``ToolCallArgumentsDelta`` for each non-empty ``arguments_delta``.
- ``tool_calls.function.arguments.done`` -> ``ToolCallDone`` (the dispatch point the
  helper offers) with ``call`` = the call's index, ``call_id`` and name from the SDK's
  snapshot of that call at that moment, ``parameters`` = the SDK's ``parsed_arguments``
  when it has them (never, as no tools are declared), else the arguments parsed per the
  Plan conventions.
- The helper's events do not say which choice they belong to; each belongs to the chunk
  reported just before it (the ``chunk`` event), and in a chunk with several choices
  it is matched to the choice whose delta and snapshot it reports.
- At the end, from ``get_final_completion()``: a ``ToolCallDone`` for every tool call
  of the final message that never had an ``arguments.done`` event (the user finds it
  in the final message), ``MessageDone`` per choice (the finish reason mapped by
  :func:`kit.adapters.client.finish_reason`, the rule every adapter shares:
  ``function_call`` taken as ``tool_calls``, an unknown value kept as the SDK has it,
  none -> null) and ``Usage`` from ``completion.usage`` normalised as the reference does.
  Reasoning fields have no SDK event and are not reported.
- Call ids and names: ``""`` or none -> null (:func:`kit.adapters.client.name_or_none`,
  as the reference reads a missing or empty id or name; the SDK hands on the wire's
  ``""``).

Responses
---------
``openai-responses-state`` (``responses_stream_state``; parsed events, incremental)
    ``openai.lib.streaming.responses.ResponseStreamState`` (exported publicly; it is what
    ``client.responses.stream`` runs) fed each event. The SDK turns an event payload into
    its typed event with ``openai._models.construct_type`` over the discriminated union
    ``ResponseStreamEvent``; there is no public equivalent for a union, so this adapter
    calls that function, so that the state sees exactly what it sees behind the client.
``openai-responses-client`` (``responses_client_stream``; bytes, incremental)
    ``client.responses.stream(model=..., input=...)`` iterated with
    ``for event in stream``.

Mapping (shared):

- ``response.output_text.delta`` -> ``TextDelta(0, delta, item=output_index)``;
  ``response.refusal.delta`` -> ``RefusalDelta``.
- A client call (``function_call``, ``custom_tool_call`` and the computer, shell and
  patch calls) starts at its ``response.output_item.added`` (``ToolCallStarted``),
  ``response.function_call_arguments.delta`` -> ``ToolCallArgumentsDelta``, and is
  dispatched at its ``response.output_item.done``: the finished item is the one event
  that carries the call's ``call_id``, name and arguments together
  (``response.function_call_arguments.done`` has neither ``call_id`` nor name), and the
  SDK's documentation reads function calls from the finished output items. Arguments
  and parameters are taken from that item as the SDK has it. A finished item with
  ``status: "incomplete"`` (the call was cut off) is not dispatched: the DO keeps what
  arrived of its arguments and is marked not dispatched, as the Plan conventions have a
  call that is not to be run. ``""`` ids and names -> null, as for Chat.
- Server-executed tool items at their ``output_item.done`` -> ``ServerTool``.
- ``response.completed`` (the SDK's completed response): a ``ToolCallDone`` for every
  client call in its output that had no ``output_item.done`` (one whose status is
  ``incomplete`` is not dispatched), ``Usage`` (input and output tokens), and the finish
  by :func:`kit.adapters.client.responses_finish` (the rule every adapter shares):
  ``tool_calls`` when a call was dispatched, else ``stop``. ``response.incomplete``:
  ``length`` (``max_output_tokens``), ``content_filter`` or ``incomplete``. ``response.failed``: ``Error`` from
  ``response.error`` and ``MessageDone`` ``error``. An ``error`` event: ``Error`` and
  ``MessageDone`` ``error`` (a later terminal event does not change the finish, as in
  the kit's conventions). The stream's end is not checked beyond that: what the SDK
  reports is what the user gets.

Capabilities, from what each reads:

- ``openai-chat-state`` / ``openai-chat-client``: ``ordered`` yes (the helper's events, in
  stream order, are the Plan); ``marks_undispatched`` no (a call's
  ``tool_calls.function.arguments.done`` only says the SDK moved on; the final
  ``ChatCompletion`` lists every call with no status, ``ParsedFunctionToolCall``, and that
  is where a user finds a call that never had the event); ``multi_choice`` yes (every choice
  of the completion).
- ``openai-chat-create``: ``ordered`` no (the guide's loop keeps the text apart from the
  calls by index); ``marks_undispatched`` no (a fragment has no status); ``multi_choice`` no
  (``chunk.choices[0]``).
- ``openai-responses-state`` / ``openai-responses-client``: ``ordered`` yes (events in order,
  text per ``output_index``); ``marks_undispatched`` yes (a finished call item's ``status:
  "incomplete"``, ``openai/types/responses/response_function_tool_call.py``, is a DO that
  is not dispatched, see above).
"""

from __future__ import annotations

import importlib
import json
import sys
from typing import Any, Callable, Iterable, Iterator

from .. import events as ev
from ..plan import PlanBuilder, parse_arguments
from . import DONE, implementation
from .client import (content_text, finish_reason, is_client_call, is_server_tool, name_or_none, note_output,
                     responses_finish)

__all__ = ["chat_stream_state", "chat_client_stream", "chat_client_create", "responses_stream_state",
           "responses_client_stream"]

CHAT = "openai.chat.completions"
RESPONSES = "openai.responses"
Sink = Callable[[Any], None]


# -- shared ------------------------------------------------------------------------------------


class _Out:
    """Reports each event to the kit's sink and keeps the Plan they make."""

    def __init__(self, sink: Sink | None, api: str) -> None:
        self.sink = sink
        self.builder = PlanBuilder(api)

    def __call__(self, event: Any) -> None:
        if self.sink is not None:
            self.sink(event)
        self.builder.add(event)

    def plan(self) -> dict:
        return self.builder.plan()


def _http() -> Any:
    """The HTTP library the installed SDK is built on."""
    import openai  # noqa: F401, PLC0415 - imports its HTTP library

    return sys.modules.get("httpx2") or importlib.import_module("httpx")


def _client(reads: Iterable[bytes]) -> Any:
    """An ``openai.OpenAI`` client whose every request is answered with ``reads``, pulled lazily."""
    import openai  # noqa: PLC0415

    http = _http()

    class Body(http.SyncByteStream):  # type: ignore[name-defined, misc]
        def __iter__(self) -> Iterator[bytes]:
            for data in reads:
                yield data

    class Transport(http.BaseTransport):  # type: ignore[name-defined, misc]
        def handle_request(self, request: Any) -> Any:
            return http.Response(200, headers={"content-type": "text/event-stream"}, stream=Body(), request=request)

    return openai.OpenAI(api_key="kit", base_url="http://kit.invalid/v1",
                         http_client=http.Client(transport=Transport()), max_retries=0)


def _text(arguments: Any) -> str:
    """An argument value as text: a string as it is, ``None`` as empty, a JSON value as JSON."""
    if isinstance(arguments, str):
        return arguments
    if arguments is None:
        return ""
    return json.dumps(arguments, ensure_ascii=False, separators=(",", ":"))


def _usage(usage: Any) -> dict | None:
    """Usage normalised as the reference does: ``input_tokens`` and ``output_tokens``."""
    if usage is None:
        return None
    doc = usage.to_dict() if hasattr(usage, "to_dict") else usage
    if not isinstance(doc, dict):
        return None
    out: dict[str, int] = {}
    for src, dst in (("prompt_tokens", "input_tokens"), ("completion_tokens", "output_tokens"),
                     ("input_tokens", "input_tokens"), ("output_tokens", "output_tokens")):
        v = doc.get(src)
        if type(v) is int and dst not in out:
            out[dst] = v
    return out


# -- Chat Completions ------------------------------------------------------------------------


class _ChatEvents:
    """Turns the SDK's chat stream events into output events."""

    def __init__(self, out: _Out) -> None:
        self.out = out
        self.chunk: Any = None
        self.snapshot: Any = None
        self.claimed: set[tuple] = set()  # (what, choice) already matched in the current chunk
        self.started: set[tuple[int, int]] = set()
        self.done: set[tuple[int, int]] = set()

    def _message(self, choice: int) -> Any:
        try:
            return self.snapshot.choices[choice].message
        except (AttributeError, IndexError, TypeError):
            return None

    def _choice(self, what: Any, matches: Callable[[Any, Any], bool]) -> int:
        """The choice of the current chunk an event belongs to."""
        choices = list(getattr(self.chunk, "choices", None) or [])
        if len(choices) == 1:
            return choices[0].index
        candidates = [c.index for c in choices if matches(c, self._message(c.index))]
        for index in candidates:
            if (what, index) not in self.claimed:
                self.claimed.add((what, index))
                return index
        if candidates:
            return candidates[0]
        return choices[0].index if choices else 0

    def _call(self, choice: int, index: int) -> Any:
        message = self._message(choice)
        calls = getattr(message, "tool_calls", None) or []
        return calls[index] if 0 <= index < len(calls) else None

    def event(self, e: Any) -> None:
        t = e.type
        out = self.out
        if t == "chunk":
            self.chunk, self.snapshot, self.claimed = e.chunk, e.snapshot, set()
        elif t == "content.delta":
            c = self._choice("content", lambda ch, m: ch.delta.content == e.delta and m is not None
                             and m.content == e.snapshot)
            # a delta that is not text (a list of content parts) is passed on by the SDK as the
            # wire had it, and its snapshot (the message's content) does not take it in: the
            # text the SDK gives is its snapshot's, so such a delta adds none
            if isinstance(e.delta, str) and e.delta:
                out(ev.TextDelta(c, e.delta))
        elif t == "refusal.delta":
            c = self._choice("refusal", lambda ch, m: ch.delta.refusal == e.delta)
            if e.delta:
                out(ev.RefusalDelta(c, e.delta))
        elif t == "tool_calls.function.arguments.delta":
            c = self._choice(("delta", e.index), lambda ch, m: any(
                getattr(tc, "index", None) == e.index for tc in (ch.delta.tool_calls or [])))
            if (c, e.index) not in self.started:
                self.started.add((c, e.index))
                out(ev.ToolCallStarted(c, e.index, name_or_none(getattr(self._call(c, e.index), "id", None)),
                                       name_or_none(e.name)))
            if e.arguments_delta:
                out(ev.ToolCallArgumentsDelta(c, e.index, e.arguments_delta))
        elif t == "tool_calls.function.arguments.done":
            def same(ch: Any, m: Any) -> bool:
                tc = self._call(ch.index, e.index)
                fn = getattr(tc, "function", None)
                return fn is not None and fn.arguments == e.arguments and fn.name == e.name

            c = self._choice(("done", e.index), same)
            self.done.add((c, e.index))
            call_id = getattr(self._call(c, e.index), "id", None)
            out(_call_done(c, e.index, call_id, e.name, e.arguments, e.parsed_arguments))

    def finish(self, completion: Any) -> None:
        """What the user finds in the final completion."""
        out = self.out
        for choice in completion.choices:
            for k, tc in enumerate(choice.message.tool_calls or []):
                if (choice.index, k) in self.done:
                    continue
                fn = getattr(tc, "function", None)
                out(_call_done(choice.index, k, getattr(tc, "id", None), getattr(fn, "name", None),
                               getattr(fn, "arguments", None), getattr(fn, "parsed_arguments", None)))
            out(ev.MessageDone(choice.index, finish_reason(choice.finish_reason)))
        usage = _usage(completion.usage)
        if usage is not None:
            out(ev.Usage(usage))


def _call_done(choice: int, call: int, call_id: Any, name: Any, arguments: Any, parsed: Any) -> ev.ToolCallDone:
    raw = _text(arguments)
    if parsed is not None:
        parameters, invalid = parsed, False
    else:
        parameters, invalid = parse_arguments(raw)
    return ev.ToolCallDone(choice, call, name_or_none(call_id), name_or_none(name), raw, parameters, invalid)


@implementation(feed="events", apis=("chat",), incremental=True, multi_choice=True, ordered=True,
                marks_undispatched=False)
def chat_stream_state(events: Iterable[Any], sink: Sink, *, api: str = CHAT) -> dict:
    """``ChatCompletionStreamState.handle_chunk`` per chunk, ``get_final_completion()`` at the end."""
    from openai.lib.streaming.chat import ChatCompletionStreamState  # noqa: PLC0415
    from openai.types.chat import ChatCompletionChunk  # noqa: PLC0415

    out = _Out(sink, api)
    mapper = _ChatEvents(out)
    state: Any = ChatCompletionStreamState()
    for obj in events:
        if isinstance(obj, str) and obj == DONE:
            continue
        chunk = ChatCompletionChunk.construct(**obj) if isinstance(obj, dict) else obj
        for e in state.handle_chunk(chunk):
            mapper.event(e)
    mapper.finish(state.get_final_completion())
    return out.plan()


@implementation(feed="bytes", apis=("chat",), incremental=True, multi_choice=True, ordered=True,
                marks_undispatched=False)
def chat_client_stream(reads: Iterable[bytes], sink: Sink, *, api: str = CHAT) -> dict:
    """``client.chat.completions.stream(...)``: its events, then ``get_final_completion()``."""
    out = _Out(sink, api)
    mapper = _ChatEvents(out)
    client = _client(reads)
    with client.chat.completions.stream(model="kit", messages=[{"role": "user", "content": "hi"}]) as stream:
        for e in stream:
            mapper.event(e)
        completion = stream.get_final_completion()
    mapper.finish(completion)
    return out.plan()


@implementation(feed="bytes", apis=("chat",), incremental=False, multi_choice=False, ordered=False,
                marks_undispatched=False)
def chat_client_create(reads: Iterable[bytes], *, api: str = CHAT) -> dict:
    """``client.chat.completions.create(stream=True)`` read with the function-calling guide's loop."""
    client = _client(reads)
    stream = client.chat.completions.create(model="kit", messages=[{"role": "user", "content": "hi"}], stream=True)
    text: list[str] = []
    refusal: list[str] = []
    final_tool_calls: dict[Any, Any] = {}
    last_finish = None
    usage = None
    for chunk in stream:
        if chunk.usage:
            usage = chunk.usage
        if not chunk.choices:
            continue
        choice = chunk.choices[0]
        delta = choice.delta
        # the guide's loop, as it is written
        for tool_call in delta.tool_calls or []:
            index = tool_call.index
            if index not in final_tool_calls:
                final_tool_calls[index] = tool_call
            final_tool_calls[index].function.arguments += tool_call.function.arguments
        text.extend(content_text(delta.content))
        if isinstance(getattr(delta, "refusal", None), str):
            refusal.append(delta.refusal)
        if choice.finish_reason:
            last_finish = choice.finish_reason
    out = _Out(None, api)
    if text:
        out(ev.TextDelta(0, "".join(text)))
    order = sorted(final_tool_calls, key=lambda k: (not isinstance(k, int), k if isinstance(k, int) else 0))
    for position, index in enumerate(order):
        tc = final_tool_calls[index]
        out(_call_done(0, position, tc.id, tc.function.name, tc.function.arguments, None))
    if "".join(refusal):
        out(ev.RefusalDelta(0, "".join(refusal)))
    out(ev.MessageDone(0, finish_reason(last_finish)))
    normalised = _usage(usage)
    if normalised is not None:
        out(ev.Usage(normalised))
    return out.plan()


# -- Responses -------------------------------------------------------------------------------

def _doc(obj: Any) -> dict:
    if isinstance(obj, dict):
        return obj
    to_dict = getattr(obj, "to_dict", None)
    return to_dict() if to_dict is not None else {}


class _ResponseEvents:
    """Turns the SDK's Responses stream events into output events."""

    def __init__(self, out: _Out) -> None:
        self.out = out
        self.calls: dict[int, int] = {}  # output_index -> the call's position among the calls
        self.done: set[int] = set()
        self.started: set[int] = set()  # ordinals of calls that have a ToolCallStarted
        self.dispatched = 0
        self.failed = False
        # who runs each call is decided per item (the reference's rule): the response's declared
        # tools (response.created), the call ids of the output items so far, and the decision
        # taken at an item's first sight (a call started as the client's is not taken back)
        self.tools: Any = None
        self.outputs: set[str] = set()
        self.runner: dict[int, bool] = {}  # output_index -> a client call

    def _client_call(self, output_index: Any, item: dict) -> bool:
        if isinstance(output_index, int) and output_index in self.runner:
            return self.runner[output_index]
        client = is_client_call(RESPONSES, item.get("type"), item, self.tools, earlier_outputs=self.outputs)
        if isinstance(output_index, int):
            self.runner[output_index] = client
        return client

    def _seen(self, item: dict) -> None:
        note_output(self.outputs, item.get("type"), item.get("call_id"))

    def _ordinal(self, output_index: int) -> int:
        n = self.calls.get(output_index)
        if n is None:
            n = self.calls[output_index] = len(self.calls)
        return n

    def _dispatch(self, output_index: int, item: dict) -> None:
        t = item.get("type")
        if item.get("status") == "incomplete":
            # the SDK's finished item says the call was cut off: it is not to be run; the DO
            # keeps what arrived of its arguments (the deltas) and is marked not dispatched
            n = self._ordinal(output_index)
            if n not in self.started:  # no output_item.added and no delta: what the item carries
                self.started.add(n)
                self.out(ev.ToolCallStarted(0, n, name_or_none(item.get("call_id")), self._action(item)))
                arrived = _text(item.get("arguments") if t == "function_call" else item.get("input"))
                if arrived and t in ("function_call", "custom_tool_call"):
                    self.out(ev.ToolCallArgumentsDelta(0, n, arrived))
            self.done.add(output_index)
            return
        if t in ("function_call", "custom_tool_call"):
            raw = _text(item.get("arguments") if t == "function_call" else item.get("input"))
            if t == "function_call":
                parameters, invalid = parse_arguments(raw)
            else:
                parameters, invalid = raw, False
        else:
            parameters = next((item[k] for k in ("action", "operation", "actions") if k in item), None)
            raw, invalid = json.dumps(parameters, ensure_ascii=False, separators=(",", ":")), False
        self.done.add(output_index)
        self.dispatched += 1
        self.out(ev.ToolCallDone(0, self._ordinal(output_index), name_or_none(item.get("call_id")), self._action(item),
                                 raw, parameters, invalid))

    @staticmethod
    def _action(item: dict) -> str | None:
        t = item.get("type")
        if t in ("function_call", "custom_tool_call"):
            return name_or_none(item.get("name"))
        return t[: -len("_call")]

    def _fail(self, error: dict) -> None:
        self.out(ev.Error(None, error))
        if not self.failed:
            self.failed = True
            self.out(ev.MessageDone(0, "error"))

    def event(self, e: Any) -> None:
        t = e.type
        out = self.out
        if t == "response.output_text.delta":
            if e.delta:
                out(ev.TextDelta(0, e.delta, e.output_index))
        elif t == "response.refusal.delta":
            if e.delta:
                out(ev.RefusalDelta(0, e.delta))
        elif t in ("response.created", "response.in_progress"):
            tools = getattr(getattr(e, "response", None), "tools", None)
            if isinstance(tools, list) and tools:
                self.tools = [_doc(tool) for tool in tools]
        elif t == "response.output_item.added":
            item = _doc(e.item)
            self._seen(item)
            if self._client_call(e.output_index, item):
                n = self._ordinal(e.output_index)
                self.started.add(n)
                out(ev.ToolCallStarted(0, n, name_or_none(item.get("call_id")), self._action(item)))
        elif t == "response.function_call_arguments.delta":
            if e.delta:
                n = self._ordinal(e.output_index)
                self.started.add(n)  # the Plan opens the call at its first delta
                out(ev.ToolCallArgumentsDelta(0, n, e.delta))
        elif t == "response.output_item.done":
            item = _doc(e.item)
            kind = item.get("type")
            self._seen(item)
            if self._client_call(e.output_index, item):
                self._dispatch(e.output_index, item)
            elif is_server_tool(RESPONSES, kind, item, self.tools, earlier_outputs=self.outputs):
                name = item.get("name") if isinstance(item.get("name"), str) else None
                out(ev.ServerTool(0, {"type": kind, "id": item.get("id"), "name": name}))
        elif t == "error":
            doc = _doc(e)
            nested = doc.get("error") if isinstance(doc.get("error"), dict) else None
            inner = nested or doc
            self._fail({"type": inner.get("type") if nested else None, "code": inner.get("code"),
                        "message": inner.get("message")})
        elif t in ("response.completed", "response.incomplete", "response.failed"):
            self._terminal(t, e.response)

    def _terminal(self, t: str, response: Any) -> None:
        out = self.out
        usage = _usage(getattr(response, "usage", None))
        if usage is not None:
            out(ev.Usage({k: v for k, v in usage.items()}))
        if t == "response.failed":
            err = _doc(getattr(response, "error", None))
            self._fail({"type": err.get("type"), "code": err.get("code"),
                        "message": err.get("message") or "response failed"})
            return
        if self.failed:
            return
        if t == "response.completed":
            for position, item in enumerate(getattr(response, "output", None) or []):
                doc = _doc(item)
                if position not in self.done and self._client_call(position, doc):
                    self._dispatch(position, doc)
            out(ev.MessageDone(0, responses_finish("completed", calls=bool(self.dispatched))))
        else:
            reason = _doc(getattr(response, "incomplete_details", None)).get("reason")
            out(ev.MessageDone(0, responses_finish("incomplete", reason, calls=bool(self.dispatched))))


@implementation(feed="events", apis=("responses",), incremental=True, ordered=True, marks_undispatched=True)
def responses_stream_state(events: Iterable[Any], sink: Sink, *, api: str = RESPONSES) -> dict:
    """``ResponseStreamState.handle_event`` per event."""
    from openai import omit  # noqa: PLC0415
    from openai._models import construct_type  # noqa: PLC0415 - what the SDK's stream parses events with
    from openai.lib.streaming.responses import ResponseStreamState  # noqa: PLC0415
    from openai.types.responses import ResponseStreamEvent  # noqa: PLC0415

    out = _Out(sink, api)
    mapper = _ResponseEvents(out)
    state: Any = ResponseStreamState(input_tools=omit, text_format=omit)
    for obj in events:
        if isinstance(obj, str) and obj == DONE:
            continue
        for e in state.handle_event(construct_type(type_=ResponseStreamEvent, value=obj)):
            mapper.event(e)
    return out.plan()


@implementation(feed="bytes", apis=("responses",), incremental=True, ordered=True, marks_undispatched=True)
def responses_client_stream(reads: Iterable[bytes], sink: Sink, *, api: str = RESPONSES) -> dict:
    """``client.responses.stream(...)``: its events."""
    out = _Out(sink, api)
    mapper = _ResponseEvents(out)
    client = _client(reads)
    with client.responses.stream(model="kit", input="hi") as stream:
        for e in stream:
            mapper.event(e)
    return out.plan()
