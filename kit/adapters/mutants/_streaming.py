"""The naive bases made incremental: they report output events while they read.

The streaming mutants (``s*.py``) are *incremental* implementations, the second contract
the kit accepts::

    def accumulate(reads, sink, *, api) -> dict | None:
        ...                       # pull reads, call sink({...}) for each output event
    accumulate.__kit__ = {"apis": [...], "incremental": True}

``sink`` takes output events in their JSON form (``schemas/events.schema.json``:
``text.delta``, ``tool_call.started``, ``tool_call.arguments.delta``,
``tool_call.done`` — the dispatch point —, ``refusal.delta``, ``server_tool``,
``usage``, ``error``, ``message.done``). Like the bases this module imports nothing from
the kit.

:class:`Streaming` is a mixin over a naive base (:class:`StreamingChat`,
:class:`StreamingResponses`, :class:`StreamingAnthropic`, :class:`StreamingGemini`). It leaves the base's reading
alone and reports what changed: whenever the base is about to pull the next read (so
everything the last read completed has been handled), :meth:`Streaming.flush` compares
the base's Plan so far with what it has reported and emits the difference: new text,
new calls, argument fragments, a call once the base dispatched it, the finish, usage,
the error. Commands only ever grow at the end of a Plan, so a command is known by its
position. Each event goes out through :meth:`Streaming.emit`; a streaming mutant breaks
that (holds events back) or dispatches a call itself with :meth:`Streaming.dispatch_now`.

One departure from the base: :meth:`Streaming.lines` ends a line at a CR at the end of a
read at once (and drops an LF that opens the next read), as the WHATWG decoder does,
where the base waits for the next read; the lines are the same, they come one read
sooner.

:func:`accumulate` is the unbroken incremental handler for all four APIs.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Iterable, Iterator

from . import _naive, _naive_anthropic, _naive_gemini, _naive_responses
from ._naive import NaiveChat
from ._naive_anthropic import NaiveAnthropic
from ._naive_gemini import NaiveGemini
from ._naive_responses import NaiveResponses

Sink = Callable[[dict], None]


def declare(*apis: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare an incremental handler of ``apis`` for the kit, without importing the kit."""

    def mark(fn: Callable[..., Any]) -> Callable[..., Any]:
        fn.__kit__ = {"apis": list(apis), "incremental": True}  # type: ignore[attr-defined]
        return fn

    return mark


class Shown:
    """What has been reported of one choice."""

    def __init__(self) -> None:
        self.any = False  # some event named the choice
        self.commands: list[dict[str, Any]] = []  # per command: {"n": chars or argument chars, ...}
        self.refusal = 0
        self.server_tools = 0
        self.finish: str | None = None


class Streaming:
    """Mixin over a naive base: report output events through ``sink`` while reading."""

    ITEMS = True  # text.delta names its item (the SAY's position): Responses, Anthropic

    def __init__(self, sink: Sink) -> None:
        super().__init__()
        self.sink = sink
        self.shown: dict[int, Shown] = {}
        self.shown_usage: Any = None
        self.shown_error: Any = None
        self.fresh = False  # an SSE event was handled since the last flush
        self.ended = False  # the input is exhausted

    # -- driver ----------------------------------------------------------------------------

    def accumulate(self, reads: Iterable[bytes]) -> dict[str, Any]:
        plan = super().accumulate(self.pull(reads))  # type: ignore[misc]
        self.ended = True
        self.flush(force=True)
        self.end()
        return plan

    def pull(self, reads: Iterable[bytes]) -> Iterator[bytes]:
        for data in reads:
            yield data
            self.flush()  # the base wants the next read: this one is handled

    def on_event(self, name: str, data: str) -> None:
        self.fresh = True
        super().on_event(name, data)  # type: ignore[misc]
        self.fresh = True  # a hook may have flushed in between

    def lines(self, reads: Iterable[bytes]) -> Iterator[str]:
        """The base's lines, with a CR at the end of a read ending its line at once."""
        skip_lf = False

        def eager(reads: Iterable[bytes]) -> Iterator[bytes]:
            nonlocal skip_lf
            for data in reads:
                if not data:
                    yield data
                    continue
                if skip_lf and data[:1] == b"\n":
                    data = data[1:]
                skip_lf = data[-1:] == b"\r"
                yield data + b"\n" if skip_lf else data  # CR LF: one line end, now

        return super().lines(eager(reads))  # type: ignore[misc]

    def end(self) -> None:
        """The input is exhausted and everything is reported."""

    # -- reporting -------------------------------------------------------------------------

    def emit(self, event: dict[str, Any]) -> None:
        self.sink(event)

    def flush(self, *, force: bool = False) -> None:
        """Report what the base's Plan gained since the last flush."""
        if not (self.fresh or force):
            return
        self.fresh = False
        plan = self.plan()  # type: ignore[attr-defined]
        for choice in plan["choices"]:
            self.flush_choice(choice)
        if plan["usage"] is not None and plan["usage"] != self.shown_usage:
            self.shown_usage = plan["usage"]
            self.emit({"type": "usage", "usage": dict(plan["usage"])})
        if plan["error"] is not None and self.shown_error is None:
            self.shown_error = plan["error"]
            self.emit({"type": "error", "choice": None, "error": dict(plan["error"])})
        if self.ended:
            for choice in plan["choices"]:
                shown = self.shown[choice["index"]]
                if not shown.any:  # a choice nothing else named
                    shown.any = True
                    self.emit({"type": "message.done", "choice": choice["index"],
                               "finish_reason": choice["finish_reason"]})

    def flush_choice(self, choice: dict[str, Any]) -> None:
        index = choice["index"]
        shown = self.shown.setdefault(index, Shown())
        ordinal = 0
        for k, cmd in enumerate(choice["commands"]):
            if k == len(shown.commands):
                shown.commands.append({"do": cmd["type"] == "DO", "n": 0, "started": False, "done": False})
            state = shown.commands[k]
            if cmd["type"] == "SAY":
                if len(cmd["text"]) > state["n"]:
                    shown.any = True
                    self.emit({"type": "text.delta", "choice": index, "text": cmd["text"][state["n"]:],
                               "item": k if self.ITEMS else None})
                    state["n"] = len(cmd["text"])
                continue
            if not state["started"]:
                shown.any = state["started"] = True
                self.emit({"type": "tool_call.started", "choice": index, "call": ordinal,
                           "call_id": cmd["call_id"], "action": cmd["action"]})
            if cmd.get("dispatched") is False:
                if len(cmd["arguments"]) > state["n"]:
                    self.emit({"type": "tool_call.arguments.delta", "choice": index, "call": ordinal,
                               "delta": cmd["arguments"][state["n"]:]})
                    state["n"] = len(cmd["arguments"])
            elif not state["done"]:
                state["done"] = True
                self.emit(self.done_event(index, ordinal, cmd))
            ordinal += 1
        refusal = choice["refusal"] or ""
        if len(refusal) > shown.refusal:
            shown.any = True
            self.emit({"type": "refusal.delta", "choice": index, "text": refusal[shown.refusal:]})
            shown.refusal = len(refusal)
        for tool in choice["server_tools"][shown.server_tools:]:
            shown.any = True
            self.emit({"type": "server_tool", "choice": index, "tool": dict(tool)})
        shown.server_tools = len(choice["server_tools"])
        if choice["finish_reason"] != shown.finish:
            shown.any = True
            shown.finish = choice["finish_reason"]
            self.emit({"type": "message.done", "choice": index, "finish_reason": shown.finish})

    def done_event(self, choice: int, ordinal: int, cmd: dict[str, Any]) -> dict[str, Any]:
        return {"type": "tool_call.done", "choice": choice, "call": ordinal, "call_id": cmd["call_id"],
                "action": cmd["action"], "arguments": cmd["arguments"], "parameters": cmd["parameters"],
                "invalid_arguments": bool(cmd.get("invalid_arguments"))}

    def dispatch_now(self, choice: int, position: int, arguments: str, parameters: Any) -> None:
        """Report the call at command ``position`` as dispatched *now*, with ``arguments``
        (what a handler that runs the tool at this point runs it with); the Plan is not
        touched, and the call is not reported as dispatched again."""
        self.flush(force=True)
        shown = self.shown[choice]
        state = shown.commands[position]
        if state["done"]:
            return
        state["done"] = True
        ordinal = sum(1 for s in shown.commands[:position] if s["do"])
        plan = self.plan()  # type: ignore[attr-defined]
        cmd = next(c for c in plan["choices"] if c["index"] == choice)["commands"][position]
        self.emit(self.done_event(choice, ordinal, dict(cmd, arguments=arguments, parameters=parameters,
                                                        invalid_arguments=parameters is None)))


def parse(arguments: str) -> Any:
    """The parameters of an argument string (``{}`` when empty, ``None`` when invalid)."""
    return _naive_responses.parse_arguments(arguments)[0]


class StreamingChat(Streaming, NaiveChat):
    ITEMS = False  # Chat Completions has no items: a DO between two texts splits them


class StreamingResponses(Streaming, NaiveResponses):
    pass


class StreamingAnthropic(Streaming, NaiveAnthropic):
    pass


class StreamingGemini(Streaming, NaiveGemini):
    ITEMS = False  # Gemini has no items: a DO between two texts splits them


CLASSES: dict[str, type] = {
    _naive.API: StreamingChat,
    _naive_responses.API: StreamingResponses,
    _naive_anthropic.API: StreamingAnthropic,
    _naive_gemini.API: StreamingGemini,
}


@declare(*CLASSES)
def accumulate(reads: Iterable[bytes], sink: Sink, *, api: str) -> dict[str, Any]:
    """The unbroken incremental handler (all four APIs)."""
    return CLASSES[api](sink).accumulate(reads)


def arguments_json(value: Any) -> str:
    """A JSON value as compact argument text."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
