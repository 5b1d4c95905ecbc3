"""``client:package.module:attr`` — a real HTTP client library, driven in-process.

The target is ``f(base_url, *, api) -> Plan``: it constructs the library's client pointed
at ``base_url`` (``http://127.0.0.1:PORT/t/<api>/<trace>@<plan>/v1``; Anthropic clients
take it without the trailing ``/v1``, see :func:`anthropic_base`), makes one streaming
request the way the library's documentation shows, consumes the stream and maps what the
library gave onto a Plan (:class:`PlanOf` does the bookkeeping). The kit serves the case
from a loopback :class:`~kit.serve.ReplayServer` in the same process, one HTTP chunk and
flush per read of the chunk plan, so the library's own HTTP stack, SSE parser and
accumulator all run, and its import costs once per run rather than once per case (what
``http:`` pays).

What the library raises is its answer: the case is *rejected* (right on an ``n_`` trace,
an ERROR on a valid one). A function that never requested its base URL, or whose request
went to a path the server does not serve, is an ERROR of the adapter (``plan-protocol``)
whatever it returned. Calls run in a worker thread with the adapter's timeout; a hung call
is TIMEOUT and left behind. The first call of a run also imports the library, so it gets
at least :data:`FIRST_CALL_TIMEOUT` seconds.

Capabilities come from :func:`kit.adapters.implementation` (or a ``__kit__`` dict) as for
``py:`` targets; ``incremental`` is not available (output timing over a socket is not
measured), and ``feed`` is always the byte stream.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import replace
from typing import Any, Callable

from ..errors import UsageError
from ..events import (MessageDone, RefusalDelta, ServerTool, TextDelta, ToolCallArgumentsDelta, ToolCallDone,
                      ToolCallStarted, Usage)
from ..events import Error as ErrorEvent
from ..plan import PlanBuilder, parse_arguments
from ..reference.anthropic import STOP_REASONS as ANTHROPIC_STOP
from ..reference.chat import FINISH_REASONS as CHAT_FINISH
from ..reference.gemini import FINISH_REASONS as GEMINI_FINISH
from ..reference.gemini import SEARCH_SIGNS as GEMINI_SEARCH_SIGNS
from ..reference.gemini import SERVER_PARTS as GEMINI_SERVER_PARTS
from ..reference.gemini import usage_of as gemini_usage_of
from ..reference.responses import INCOMPLETE_REASONS
from . import Adapter, Case, Outcome, apply_options
from .http import DUMMY_KEY, CaseServer, HttpAdapter, HttpOutcome
from .python import _where, declared, origin_of, resolve

__all__ = ["ClientAdapter", "PlanOf", "anthropic_base", "finish_reason", "responses_finish", "latest", "name_or_none",
           "gemini_usage", "gemini_server_part", "gemini_grounding",
           "plan_usage", "content_text", "is_server_tool", "DUMMY_KEY", "FIRST_CALL_TIMEOUT"]

FIRST_CALL_TIMEOUT = 60.0  # seconds: the first case pays for importing the library


def _doc(value: Any) -> Any:
    """A library's item or tool as a plain dict (a pydantic model through ``model_dump``)."""
    if value is not None and not isinstance(value, dict) and callable(getattr(value, "model_dump", None)):
        return value.model_dump()
    return value


def _runner(kind: str, item: Any, tools: Any, earlier_outputs: Any) -> str | None:
    from ..reference.responses import Tools, item_runner  # noqa: PLC0415

    doc = _doc(item)
    doc = dict(doc, type=kind) if isinstance(doc, dict) else {"type": kind}
    declared = Tools([_doc(t) for t in tools]) if isinstance(tools, (list, tuple)) else None
    runner = item_runner(doc, declared)
    call_id = doc.get("call_id")
    if runner == "client" and earlier_outputs and isinstance(call_id, str) and call_id in earlier_outputs:
        return "server"  # its output item came first in the same response: the server ran it
    return runner


def note_output(outputs: set[str], kind: Any, call_id: Any) -> None:
    """Add to ``outputs`` the call id a Responses output item (``*_output``) answers: a call
    whose output item came earlier in the response was run by the server (``earlier_outputs``
    of :func:`is_server_tool`; the reference reads it the same way)."""
    from ..reference.responses import is_output_item  # noqa: PLC0415

    if is_output_item(kind) and isinstance(call_id, str) and call_id:
        outputs.add(call_id)


def is_server_tool(api: str, kind: Any, item: Any = None, tools: Any = None, *,
                   earlier_outputs: Any = None) -> bool:
    """Whether an output item (Responses) or content block (Anthropic) of type ``kind`` is a
    server-executed tool, per the Plan conventions: exactly the reference's classification,
    so an adapter keeps such items out of its DO commands the way the reference does.

    On Responses who runs a call is decided per item
    (:func:`kit.reference.responses.item_runner`): give the ``item`` (a dict, or a model with
    ``model_dump``) and the response's declared ``tools`` where the library's result keeps
    them, and ``earlier_outputs``, the call ids of the output items before this one. Without
    them the rule's defaults apply: a ``tool_search_*`` item is the server's, a ``shell_call``
    or ``custom_tool_call`` the client's."""
    if not isinstance(kind, str):
        return False
    if api == "openai.responses":
        return _runner(kind, item, tools, earlier_outputs) == "server"
    if api == "anthropic.messages":
        from ..reference.anthropic import is_server_block  # noqa: PLC0415

        return is_server_block(kind)
    if api == "google.generate_content":  # a content part's kind, as the wire or a library spells it
        return kind in _GEMINI_SERVER_KINDS
    return False  # Chat Completions has no server-executed tools


def is_client_call(api: str, kind: Any, item: Any = None, tools: Any = None, *,
                   earlier_outputs: Any = None) -> bool:
    """Whether a Responses output item is a call for the client to run (a DO), by the same
    per-item rule as :func:`is_server_tool` (``False`` for a message, reasoning, an output)."""
    if not isinstance(kind, str) or api != "openai.responses":
        return False
    return _runner(kind, item, tools, earlier_outputs) == "client"


def anthropic_base(base_url: str) -> str:
    """The base URL an Anthropic client takes (it adds ``/v1/messages`` itself)."""
    return base_url.removesuffix("/v1")


def _snake(name: str) -> str:
    """``executableCode`` -> ``executable_code``: a wire field as Python libraries name it."""
    return "".join("_" + c.lower() if c.isupper() else c for c in name)


# a Gemini content part's kind -> the Plan's server tool type, as the wire and as libraries spell it
_GEMINI_SERVER_PART = {**GEMINI_SERVER_PARTS, **{_snake(k): v for k, v in GEMINI_SERVER_PARTS.items()}}
_GEMINI_SERVER_KINDS = frozenset([*_GEMINI_SERVER_PART, *_GEMINI_SERVER_PART.values()])


def gemini_server_part(kind: Any) -> str | None:
    """The Plan's server tool type of a Gemini content part's kind (``executableCode`` or
    ``executable_code``: ``code_execution``; the result: ``code_execution_result``), or None."""
    return _GEMINI_SERVER_PART.get(kind) if isinstance(kind, str) else None


def _fields(doc: Any) -> dict[str, Any]:
    if doc is not None and hasattr(doc, "model_dump"):
        doc = doc.model_dump(exclude_none=True)
    return doc if isinstance(doc, dict) else {}


def gemini_grounding(search: Any, url_context: Any = None) -> list[str]:
    """The server tools a Gemini candidate's grounding shows, as the reference reads it
    (``gem-server-tools``): ``google_search`` when its grounding metadata has search queries,
    grounding chunks or a search entry point, ``url_context`` when its URL context metadata holds
    anything. Each as the wire spells it (a camelCase dict) or as a library keeps it (snake_case,
    or a model with ``model_dump``)."""
    found = []
    meta = _fields(search)
    if any(meta.get(k) or meta.get(_snake(k)) for k in GEMINI_SEARCH_SIGNS):
        found.append("google_search")
    if _fields(url_context):
        found.append("url_context")
    return found

_FINISH = {
    # the wire vocabularies, as the references map them (Gemini's are upper case on the wire)
    **CHAT_FINISH, **ANTHROPIC_STOP, **{k.lower(): v for k, v in GEMINI_FINISH.items()},
    # what libraries call them in their own result types
    "complete": "stop", "completed": "stop", "tool_call": "tool_calls", "max_output_tokens": "length",
    "context_length_exceeded": "length", "incomplete": "incomplete",
}


def finish_reason(value: Any) -> str | None:
    """A library's finish or stop reason in the Plan's vocabulary (``stop``, ``tool_calls``,
    ``length``, ``content_filter``, ``error``, ``incomplete``); empty -> None; a value with
    no counterpart is kept as the library gave it (and so graded as different)."""
    if value is None:
        return None
    value = getattr(value, "value", value)  # enums
    if not isinstance(value, str):
        return str(value)
    if not value:
        return None
    return _FINISH.get(value.lower(), value)


def responses_finish(status: Any, incomplete_reason: Any = None, *, calls: bool) -> str | None:
    """The finish of a Responses stream from what a library kept of its terminal response,
    read as the reference reads the terminal event (the Responses API has no finish reason,
    only ``status``): ``completed`` -> ``tool_calls`` when the result has client tool calls
    (``calls``), else ``stop``; ``incomplete`` -> ``incomplete_details.reason`` mapped as the
    reference maps it (``max_output_tokens`` -> ``length``, ``content_filter``, any other or
    none -> ``incomplete``); ``failed`` -> ``error``. Any other status (``in_progress``,
    none: the library kept no terminal response) -> None, the finish of a stream that never
    ended. Every adapter that derives a Responses finish uses this one rule."""
    status = getattr(status, "value", status)
    reason = getattr(incomplete_reason, "value", incomplete_reason)
    if status == "completed":
        return "tool_calls" if calls else "stop"
    if status == "incomplete":
        return INCOMPLETE_REASONS.get(reason, "incomplete") if isinstance(reason, str) else "incomplete"
    if status == "failed":
        return "error"
    return None


def latest(values: Any) -> Any:
    """The last of ``values`` that says something (not None, not ``""``): a finish reason or a
    usage that a library reports per chunk is what the last chunk that carries one said, and a
    later chunk without one (a usage-only final chunk, a ``usage: null``) does not erase it,
    as the reference reads the wire (``chat-usage``, ``chat-finish-reason-value``)."""
    found = None
    for value in values:
        if value is not None and value != "":
            found = value
    return found


def content_text(content: Any) -> list[str]:
    """The text of a Chat Completions ``delta.content`` as a recipe that appends it finds it
    (the chunk as the wire had it): a string; a list of content parts (a dialect,
    ``chat-content-parts``) gives the ``text`` of its ``text`` parts, its other parts
    (``thinking``) are no text; anything else, none. Every recipe adapter that appends
    ``delta.content`` itself reads it by this one rule, so a list of parts never ends in an
    exception of the adapter's own."""
    if isinstance(content, str):
        return [content] if content else []
    if isinstance(content, list):
        return [p["text"] for p in content
                if isinstance(p, dict) and p.get("type") == "text" and isinstance(p.get("text"), str)]
    return []


def name_or_none(value: Any) -> str | None:
    """A call id or tool name as the Plan holds it: the reference reads a missing, null or
    empty (``""``) id or name as absent (None); anything else as text."""
    if value is None or value == "":
        return None
    return str(value)


def plan_usage(api: str, input_tokens: Any, output_tokens: Any, *, cache_read: Any = None, cache_write: Any = None,
               cache_in_input: bool = False) -> dict[str, int] | None:
    """Usage as the Plan holds it: ``input_tokens`` and ``output_tokens`` in the wire API's own
    meaning, as the reference takes them from the stream. On Chat Completions and Responses
    the input count includes cached input (``prompt_tokens`` / ``input_tokens`` as sent); on
    Anthropic Messages it does not (``input_tokens`` is apart from
    ``cache_read_input_tokens`` and ``cache_creation_input_tokens``). A library whose input
    count is a total that includes the cache reads and writes (OpenAI-style counting of an
    Anthropic response; ``cache_in_input=True``) and that reports those two counts gives them
    as ``cache_read`` / ``cache_write``: on Anthropic the Plan's input is the total minus them
    (a count the library does not report is taken as 0; a library that folds cache tokens in
    without reporting them cannot be put in the wire's terms, and its total is graded as it
    is). Counts that are not integers are left out; none at all -> None (no usage, never an
    invented zero)."""
    doc = {k: v for k, v in (("input_tokens", input_tokens), ("output_tokens", output_tokens)) if type(v) is int}
    if cache_in_input and api == "anthropic.messages" and "input_tokens" in doc:
        cached = sum(v for v in (cache_read, cache_write) if type(v) is int)
        if cached and cached <= doc["input_tokens"]:
            doc["input_tokens"] -= cached
    return doc or None


def gemini_usage(metadata: Any) -> dict[str, int] | None:
    """Usage as the Plan holds it from a Gemini ``usageMetadata``, as the wire spells it (a dict
    with ``promptTokenCount``) or as a library keeps it (``prompt_token_count``, a dict or an
    object): input ``promptTokenCount``, output ``candidatesTokenCount`` plus
    ``thoughtsTokenCount`` (the thinking the answer cost), a count left out being 0 (proto3
    JSON omits zeros), as the reference reads it (``gem-usage``). None when there is no count."""
    if metadata is None:
        return None

    def count(camel: str, snake: str) -> Any:
        if isinstance(metadata, dict):
            return metadata.get(camel, metadata.get(snake))
        return getattr(metadata, snake, getattr(metadata, camel, None))

    return gemini_usage_of(*(count(name, _snake(name)) for name in (
        "promptTokenCount", "candidatesTokenCount", "thoughtsTokenCount", "totalTokenCount")))


class PlanOf:
    """What a library gave, turned into a Plan by the kit's own :class:`~kit.plan.PlanBuilder`
    (so SAY merging and argument parsing follow the Plan conventions exactly)::

        p = PlanOf(api)
        p.text("Let me check.")
        p.call("call_1", "get_weather", '{"city": "Paris"}')   # raw text, or the parsed value
        p.finish("tool_calls")
        return p.plan()

    Calls are numbered in the order given, per choice. ``arguments`` given as a string are
    parsed per the conventions (``""`` -> ``{}``, invalid JSON kept raw and marked
    invalid); a dict or list is the parsed value the library produced. A library that
    marks arguments it could not parse in a value of its own (LLM's ``{"_raw": text}``)
    gives the raw text back here, so the Plan marks them invalid.

    The rules every adapter shares, so that no two adapters read the same thing two ways
    and an adapter's own reading never shows as the library's:

    - finish: a library's finish or stop reason through :func:`finish_reason`; a Responses
      status through :func:`responses_finish`; a value a library reports per chunk (finish
      reason, usage) is the last one that says something (:func:`latest`: a usage-only
      final chunk or a later null erases nothing);
    - ids and names: ``""`` or none -> null (:func:`name_or_none`), as the reference reads
      them;
    - usage: input and output tokens in the wire API's own meaning (:func:`plan_usage`:
      cache reads and writes taken out of an Anthropic input total that includes them);
    - a call the library flags as not to be run: ``call(..., dispatched=False)``;
    - a recipe that appends ``delta.content`` itself: :func:`content_text` (a list of
      content parts gives its text parts).

    Where bundled adapters still read differently, it is what their library gives: Haystack
    reports a finish reason of its own (also for Responses), graded as it is; Mirascope has
    no value for a normal finish (None), so ``tool_calls`` / ``stop`` is derived from the
    calls it kept, on every API; openai-agents and smolagents have no finish at all
    (``omits``); the openai SDK and any-llm Responses adapters see the terminal event and
    read its type, the others the status the library kept (both through
    :func:`responses_finish`); pydantic-ai's own mapping is kept for every Responses status
    but ``completed``; aisuite keeps the last finish and usage with a loop of its own, the
    same reading as :func:`latest`. :func:`finish_reason` maps every API's vocabulary and
    keeps a value it does not know, where a reference reads an undocumented value as null.
    """

    def __init__(self, api: str) -> None:
        self.builder = PlanBuilder(api)
        self._calls: dict[int, int] = {}
        self._finished: set[int] = set()

    def text(self, text: Any, choice: int = 0, item: int | None = None) -> "PlanOf":
        if text:
            self.builder.add(TextDelta(choice, str(text), item))
        return self

    def call(self, call_id: Any, name: Any, arguments: Any, choice: int = 0, *, free_form: bool = False,
             dispatched: bool = True) -> "PlanOf":
        """One tool call. ``free_form``: the call's input is free text, not JSON (a Responses
        ``custom_tool_call``): the string is its parameters, as the Plan conventions say.
        ``dispatched=False``: the library flags the call as incomplete (not to be run); the
        DO keeps what arrived and is marked not dispatched."""
        n = self._calls.get(choice, 0)
        self._calls[choice] = n + 1
        if isinstance(arguments, (bytes, bytearray)):
            arguments = arguments.decode("utf-8", "replace")
        if free_form and isinstance(arguments, str):
            raw, params, invalid = arguments, arguments, False
        elif arguments is None:
            raw, params, invalid = "", {}, False
        elif isinstance(arguments, str):
            raw = arguments
            params, invalid = parse_arguments(arguments)
        else:
            raw = json.dumps(arguments, ensure_ascii=False, separators=(",", ":"), default=str)
            params, invalid = json.loads(raw), False
        cid = name_or_none(call_id)
        action = name_or_none(name)
        self.builder.add(ToolCallStarted(choice, n, cid, action))
        if not dispatched:
            if raw:
                self.builder.add(ToolCallArgumentsDelta(choice, n, raw))
            return self
        self.builder.add(ToolCallDone(choice, n, cid, action, raw, params, invalid))
        return self

    def server_tool(self, tool: dict[str, Any], choice: int = 0) -> "PlanOf":
        self.builder.add(ServerTool(choice, dict(tool)))
        return self

    def refusal(self, text: Any, choice: int = 0) -> "PlanOf":
        if text:
            self.builder.add(RefusalDelta(choice, str(text)))
        return self

    def usage(self, input_tokens: Any = None, output_tokens: Any = None, *, cache_read: Any = None,
              cache_write: Any = None, cache_in_input: bool = False) -> "PlanOf":
        """The response's usage, by :func:`plan_usage` (the one rule for cache tokens)."""
        doc = plan_usage(self.builder.api, input_tokens, output_tokens, cache_read=cache_read,
                         cache_write=cache_write, cache_in_input=cache_in_input)
        if doc:
            self.builder.add(Usage(doc))
        return self

    def error(self, message: Any, choice: int | None = None, type: Any = None) -> "PlanOf":  # noqa: A002
        self.builder.add(ErrorEvent(choice, {"type": type, "code": None, "message": str(message) if message else None}))
        return self

    def finish(self, reason: Any, choice: int = 0) -> "PlanOf":
        """End a choice with a finish reason (mapped by :func:`finish_reason`)."""
        self._finished.add(choice)
        self.builder.add(MessageDone(choice, finish_reason(reason)))
        return self

    def plan(self) -> dict[str, Any]:
        for choice in self._calls:
            if choice not in self._finished:
                self.finish(None, choice)
        return self.builder.plan()


class ClientAdapter(Adapter):
    kind = "client"

    def __init__(self, spec: str, target: str, options: dict[str, str], *, name: str | None, timeout: float) -> None:
        fn = resolve(target, spec)
        caps = apply_options(spec, declared(fn, spec), options)
        if caps.feed != "bytes" or caps.incremental:
            raise UsageError(f"adapter {spec!r}: client: targets get their stream over HTTP and are graded on "
                             "their final Plan (feed=events and incremental=yes are for py: adapters)")
        super().__init__(spec, name or f"client:{target}", replace(caps, feed="bytes", incremental=False),
                         timeout=timeout)
        self.fn: Callable[..., Any] = fn
        self.target = target
        self._cases = CaseServer()
        self._first = True

    @property
    def server(self) -> Any:
        return self._cases.server

    def run(self, case: Case) -> Outcome:
        url = self._cases.serve(case)
        seen = len(self._cases.server.requests)
        box: list[Any] = []

        def call() -> None:
            try:
                box.append(("ok", self.fn(url, api=case.api)))
            except BaseException as exc:  # noqa: BLE001 - what the library raised is its answer
                message = " ".join(str(exc).split())
                said = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
                box.append(("raised", said + _where(exc), origin_of(exc)))

        start = time.perf_counter()
        worker = threading.Thread(target=call, name=f"kit-client-{case.trace_id}", daemon=True)
        worker.start()
        worker.join(max(self.timeout, FIRST_CALL_TIMEOUT) if self._first else self.timeout)
        self._first = False
        seconds = time.perf_counter() - start
        mine = self._cases.requests_for(url, seen)
        served = [r for r in mine if r.get("status") == 200]
        out = HttpOutcome(requests=len(mine), base_url=url, seconds=seconds, inputs=len(case.reads))
        if worker.is_alive():
            never = "" if mine else f" (it never requested {url})"
            out.timeout = True
            out.error = f"no result after {self.timeout:g} s (the call was left running){never}"
            return out
        how, value = box[0][:2]
        if not mine or not served:
            if not mine:
                why = f"the client never requested {url}"
            else:
                first = mine[0]
                why = (f"the client requested {first.get('method')} {first.get('path')}, which kit serve answered "
                       f"with {first.get('status')}: {first.get('error') or 'no stream'}")
            out.protocol = [why + (f"; it raised {value}" if how == "raised" else "")]
            out.error = why
            return out
        if how == "raised":
            out.rejected = True
            out.error = value
            out.origin = box[0][2]
            return out
        if isinstance(value, dict) and value.get("type") == "plan":
            out.plan = value
        else:
            out.protocol = [f"returned {type(value).__name__}, not a Plan document (a dict with type 'plan')"]
        return out

    def close(self) -> None:
        self._cases.close()

    def describe(self) -> dict[str, Any]:
        doc = super().describe()
        doc["transport"] = "http"
        return doc


class ClientWorkerAdapter(HttpAdapter):
    """``client[worker=yes]:package.module:attr``: the function runs in a worker process of
    its own (``python -m kit.adapters.client_worker package.module:attr``, protocol
    ``kit-worker/1``), started once and serving many cases, instead of a thread of the
    kit's process. A crash that would take the kit's process down (``os._exit``, a fault in
    an extension) is that case's ERROR, and a hang is killed: the case is TIMEOUT and the next
    case starts a new worker (a thread cannot be killed). The capabilities are the
    function's, as for ``client:``."""

    kind = "client"

    def __init__(self, spec: str, target: str, options: dict[str, str], *, name: str | None, timeout: float,
                 validate_protocol: bool = False) -> None:
        fn = resolve(target, spec)
        caps = apply_options(spec, declared(fn, spec), options)
        if caps.feed != "bytes" or caps.incremental:
            raise UsageError(f"adapter {spec!r}: client: targets get their stream over HTTP and are graded on "
                             "their final Plan (feed=events and incremental=yes are for py: adapters)")
        super().__init__(spec, f"{{python}} -m kit.adapters.client_worker {target}", options,
                         name=name or f"client:{target}", timeout=timeout, validate_protocol=validate_protocol)
        self.capabilities = replace(caps, feed="bytes", incremental=False)
        self.target = target
        self.fn = fn  # its __kit__ declarations: what is declared is not reported as assumed
        self.says_status = False  # what the function raised is the message, as in-process
