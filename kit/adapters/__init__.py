"""Adapters: how the kit reaches an implementation under test, and what it gets back.

An adapter spec names an implementation and how it is fed (``conformance.md``,
"Adapters")::

    py:package.module:attr     in-process: a Python callable
    exec:COMMAND               any language: SSE bytes on stdin, JSON on stdout
    http:COMMAND               an unmodified client program, against the kit's replay server
    client:package.module:attr a client library driven in-process over real HTTP
    reference | openai-chat-state | ...   a bundled adapter (``kit verify --list-adapters``)

Options may follow the kind in brackets, and override what the implementation declares::

    exec[apis=chat+responses,multi_choice=no,timeout=20,name=node-example]:node impl.js {api}

Every adapter turns one case (the API, the byte reads of a chunk plan, the parsed events)
into an :class:`Outcome`: the final Plan, the output events it reported with the input
position at which each arrived, or how it failed. Grading is ``kit.verify``'s job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any, Callable

from ..errors import UsageError
# the short names of the wire APIs, and api_name (either name -> the full one), live in kit.trace:
# every --api option of the command line uses them without loading the adapters
from ..trace import API_ALIASES, APIS, api_name

__all__ = [
    "APIS", "API_ALIASES", "DONE", "FEEDS", "Capabilities", "Case", "Outcome", "Adapter", "implementation",
    "load_adapter", "parse_spec", "BUILTIN",
]

DONE = "[DONE]"  # what an events feed yields for the `data: [DONE]` sentinel
FEEDS = ("bytes", "events")
# parts of a Plan an implementation may declare its result does not carry (Capabilities.omits)
OMITTABLE = ("usage", "finish_reason", "refusal", "server_tools", "call_id")
# capabilities whose default, when nothing declares them, is reported as assumed (Adapter.assumed)
ASSUMABLE = ("apis", "multi_choice")

# Bundled adapters: a name -> the spec it stands for.
BUILTIN: dict[str, str] = {
    "reference": "py:kit.adapters.builtin:reference",
    "reference-plan": "py:kit.adapters.builtin:reference_plan",
    "openai-chat-state": "py:kit.adapters.openai_sdk:chat_stream_state",
    "openai-chat-client": "py:kit.adapters.openai_sdk:chat_client_stream",
    "openai-chat-create": "py:kit.adapters.openai_sdk:chat_client_create",
    "openai-responses-state": "py:kit.adapters.openai_sdk:responses_stream_state",
    "openai-responses-client": "py:kit.adapters.openai_sdk:responses_client_stream",
    # the same clients constructed with no arguments, over real HTTP against the kit's replay server
    "openai-chat-http": "http[apis=chat,name=openai-chat-http]:{python} -m kit.adapters.http_clients.openai_chat",
    "openai-chat-http-async":
        "http[apis=chat,name=openai-chat-http-async]:{python} -m kit.adapters.http_clients.openai_chat --async",
    "openai-responses-http":
        "http[apis=responses,name=openai-responses-http]:{python} -m kit.adapters.http_clients.openai_responses",
    "openai-responses-http-async": "http[apis=responses,name=openai-responses-http-async]:"
                                   "{python} -m kit.adapters.http_clients.openai_responses --async",
    # the same programs as warm workers: started once, serving every case (protocol kit-worker/1)
    "openai-chat-http-worker": "http[apis=chat,worker=yes,name=openai-chat-http-worker]:"
                               "{python} -m kit.adapters.http_clients.openai_chat --worker",
    "openai-chat-http-async-worker": "http[apis=chat,worker=yes,name=openai-chat-http-async-worker]:"
                                     "{python} -m kit.adapters.http_clients.openai_chat --async --worker",
    "openai-responses-http-worker": "http[apis=responses,worker=yes,name=openai-responses-http-worker]:"
                                    "{python} -m kit.adapters.http_clients.openai_responses --worker",
    "openai-responses-http-async-worker": "http[apis=responses,worker=yes,name=openai-responses-http-async-worker]:"
                                          "{python} -m kit.adapters.http_clients.openai_responses --async --worker",
}


def _thirdparty() -> None:
    """Register the bundled third-party adapters (:mod:`kit.adapters.thirdparty`) by name."""
    from .thirdparty import ADAPTERS  # noqa: PLC0415 - a small table; the libraries load only when run

    for a in ADAPTERS:
        BUILTIN.setdefault(a.name, a.spec)


_thirdparty()


@dataclass(frozen=True)
class Capabilities:
    """What an implementation can be given, declared once.

    - ``feed``: ``bytes`` (the network reads of the chunk plan) or ``events`` (each SSE
      event's data parsed as JSON, ``DONE`` for the sentinel).
    - ``apis``: the wire APIs it handles; other traces are SKIP.
    - ``incremental``: it reports output events through the sink while it reads, so its
      streaming behaviour is graded; otherwise only its final Plan is.
    - ``multi_choice``: its result holds ``n > 1`` choices. One that declares ``no`` is still
      run on a multi-choice stream and graded on what it does with it: taking one of the
      choices whole, or refusing the stream, is right; mixing the choices' text or calls
      into one is FAIL (``conformance.md`` §8.3).
    - ``ordered``: its result keeps the order of text against tool calls (content blocks, or
      events in order). One that declares ``no`` (one content string beside a list of tool
      calls) is graded on its text joined and its DO list, each on its own: where text falls
      between calls is not graded.
    - ``holds_invalid_arguments``: its result can hold a call whose arguments are not valid
      JSON (a raw string, an invalid-call list). One that declares ``no`` (arguments only as
      a parsed dict) is right to drop such a call, or flag it; running it with arguments
      repaired or invented is still FAIL.
    - ``refusal_as_text``: its result has no refusal field and gives a refusal as its text
      (then the refusal is expected as the choice's last text, and a ``content_filter``
      finish for that choice's ``stop`` is not graded).
    - ``call_types``: the kinds of tool use its user can request through it, as documented:
      on Responses the client call item types (``function_call``, ``custom_tool_call``,
      ``computer_call``, ``shell_call``, ...), on Anthropic Messages the tool blocks
      (``tool_use``, ``mcp_tool_use``, ``server_tool_use:NAME`` per server tool, e.g.
      ``server_tool_use:web_search``); None (the default) for every kind. A stream that carries
      another kind is SKIP: the implementation could not have asked for it. A kind it can
      request but then loses from its result is graded like any lost call.
    - ``marks_undispatched``: its result can mark a tool call as not to be run (incomplete,
      invalid). One that declares ``no`` is right to drop, or to flag as invalid, a call the
      reference leaves undispatched on a cut stream; running such a call is still FAIL.
    - ``omits``: parts of the Plan its result does not carry at all (a library whose
      streamed result has no token usage, say): ``usage``, ``finish_reason``, ``refusal``,
      ``server_tools``, ``call_id``. They are left out of the comparison on both sides (the
      adapter's description in every report lists them); everything else is graded.
    """

    feed: str = "bytes"
    apis: tuple[str, ...] = APIS
    incremental: bool = False
    multi_choice: bool = True
    omits: tuple[str, ...] = ()
    ordered: bool = True
    marks_undispatched: bool = True
    call_types: tuple[str, ...] | None = None
    holds_invalid_arguments: bool = True
    refusal_as_text: bool = False

    def __post_init__(self) -> None:
        if self.feed not in FEEDS:
            raise UsageError(f"unknown feed {self.feed!r}; expected bytes or events")
        object.__setattr__(self, "apis", tuple(api_name(a) for a in self.apis))
        omits = (self.omits,) if isinstance(self.omits, str) else tuple(self.omits)
        unknown = [o for o in omits if o not in OMITTABLE]
        if unknown:
            raise UsageError(f"omits {', '.join(map(repr, unknown))}: expected some of {', '.join(OMITTABLE)}")
        object.__setattr__(self, "omits", tuple(o for o in OMITTABLE if o in omits))
        if self.call_types is not None:
            kinds = (self.call_types,) if isinstance(self.call_types, str) else tuple(self.call_types)
            object.__setattr__(self, "call_types", kinds)


def implementation(*, feed: str = "bytes", apis: Any = APIS, incremental: bool | None = None,
                   multi_choice: bool = True, omits: Any = (), ordered: bool = True,
                   marks_undispatched: bool = True, call_types: Any = None,
                   holds_invalid_arguments: bool = True, refusal_as_text: bool = False) -> Callable[[Callable], Callable]:
    """Declare a ``py:`` implementation's capabilities::

        @kit.adapters.implementation(feed="events", apis=["chat"], incremental=True)
        def handle(inputs, sink, *, api): ...

    ``incremental`` defaults to whether the function takes a sink.
    """
    if isinstance(apis, str):
        apis = (apis,)

    def mark(fn: Callable) -> Callable:
        inc = incremental
        if inc is None:
            from .python import takes_sink  # noqa: PLC0415

            inc = takes_sink(fn)
        fn.__kit__ = Capabilities(feed=feed, apis=tuple(apis), incremental=inc,  # type: ignore[attr-defined]
                                  multi_choice=multi_choice, omits=omits, ordered=ordered,
                                  marks_undispatched=marks_undispatched, call_types=call_types,
                                  holds_invalid_arguments=holds_invalid_arguments, refusal_as_text=refusal_as_text)
        return fn

    return mark


@dataclass
class Case:
    """One input the implementation is run on: a trace cut by a chunk plan."""

    trace_id: str
    api: str
    chunking: str
    reads: list[bytes]
    events: list[Any] | None = None  # parsed payloads for the events feed (None: not expressible)
    events_problem: str | None = None  # why there is no events feed for this case
    # the client tool names the reference's Plan calls (kit.plan.tool_names), which the engine
    # has at hand; None: not given (an http: adapter then replays the reads for them)
    tools: tuple[str, ...] | None = None


@dataclass
class Outcome:
    """What one run of an implementation gave.

    ``outputs`` holds ``(position, event)`` pairs: ``position`` is how many inputs the
    implementation had pulled when it reported the event (``len(inputs) + 1`` once it had
    seen the end of the input). ``rejected`` means it reported the stream as an error
    (raised, or exited non-zero); ``error`` says how.
    """

    plan: dict[str, Any] | None = None
    outputs: list[tuple[int, Any]] | None = None
    error: str | None = None
    rejected: bool = False
    timeout: bool = False
    skip: str | None = None
    protocol: list[str] = field(default_factory=list)
    # where a raised exception came from: the innermost frame of the traceback in third-party
    # code (not the standard library, not the kit): {"package", "file", "line", "function"}
    origin: dict[str, Any] | None = None
    inputs: int = 0
    pulled: int = 0
    seconds: float = 0.0
    stderr: str = ""


class Adapter:
    """An implementation under test, ready to run cases."""

    kind = "?"

    def __init__(self, spec: str, name: str, capabilities: Capabilities, *, timeout: float = 10.0) -> None:
        self.spec = spec
        self.name = name
        self.capabilities = capabilities
        self.timeout = timeout

    def skip_reason(self, api: str, case: Case | None = None) -> str | None:
        """Why a case is outside what the implementation declared, or None."""
        caps = self.capabilities
        if api not in caps.apis:
            return f"{self.name} declares the APIs {', '.join(caps.apis)}, not {api}"
        if case is not None and caps.feed == "events" and case.events is None:
            return f"{self.name} is fed parsed events; {case.events_problem}"
        return None

    def run(self, case: Case) -> Outcome:  # pragma: no cover - each kind has one
        raise NotImplementedError

    def close(self) -> None:
        """Release processes or threads the adapter holds."""

    @property
    def assumed(self) -> tuple[str, ...]:
        """The capabilities among ``apis`` and ``multi_choice`` that neither the
        implementation (``__kit__``, :func:`implementation`) nor the spec's options declare,
        so their defaults apply: every API, multi-choice handled."""
        declared_keys: set[str] = set()
        mark = getattr(getattr(self, "fn", None), "__kit__", None)
        if isinstance(mark, Capabilities):
            declared_keys.update(ASSUMABLE)
        elif isinstance(mark, dict):
            declared_keys.update(mark)
        try:
            declared_keys.update(parse_spec(self.spec)[1])
        except UsageError:
            pass
        return tuple(k for k in ASSUMABLE if k not in declared_keys)

    def describe(self) -> dict[str, Any]:
        caps = self.capabilities
        return {"name": self.name, "spec": self.spec, "kind": self.kind, "feed": caps.feed,
                "apis": list(caps.apis), "incremental": caps.incremental, "multi_choice": caps.multi_choice,
                "omits": list(caps.omits), "ordered": caps.ordered,
                "marks_undispatched": caps.marks_undispatched,
                "holds_invalid_arguments": caps.holds_invalid_arguments, "refusal_as_text": caps.refusal_as_text,
                "call_types": None if caps.call_types is None else list(caps.call_types),
                "assumed": list(self.assumed)}


_SPEC = re.compile(r"^(?P<kind>[a-z]+)(?:\[(?P<opts>[^\]]*)\])?:(?P<target>.+)$", re.S)
_OPTION_KEYS = {"apis", "multi_choice", "incremental", "feed", "timeout", "name", "isolate", "omits", "ordered",
                "marks_undispatched", "call_types", "holds_invalid_arguments", "refusal_as_text", "worker"}


def parse_spec(spec: str) -> tuple[str, dict[str, str], str]:
    """``(kind, options, target)`` of an adapter spec; bundled names are expanded."""
    spec = spec.strip()
    if spec in BUILTIN:
        spec = BUILTIN[spec]
    m = _SPEC.match(spec)
    if not m:
        names = ", ".join(BUILTIN)
        raise UsageError(f"adapter {spec!r}: expected py:MODULE:ATTR, exec:COMMAND, http:COMMAND, client:MODULE:ATTR "
                         f"or a bundled adapter ({names})")
    options: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in (m["opts"] or "").split(","))):
        key, eq, value = part.partition("=")
        key = key.strip()
        if not eq or key not in _OPTION_KEYS:
            raise UsageError(f"adapter {spec!r}: option {part!r}; expected KEY=VALUE with KEY one of "
                             f"{', '.join(sorted(_OPTION_KEYS))}")
        options[key] = value.strip()
    return m["kind"], options, m["target"].strip()


def _flag(spec: str, key: str, value: str) -> bool:
    v = value.lower()
    if v in ("yes", "true", "1", "on"):
        return True
    if v in ("no", "false", "0", "off"):
        return False
    raise UsageError(f"adapter {spec!r}: {key}={value!r}; expected yes or no")


def apply_options(spec: str, caps: Capabilities, options: dict[str, str]) -> Capabilities:
    changes: dict[str, Any] = {}
    if "apis" in options:
        changes["apis"] = tuple(api_name(a.strip()) for a in options["apis"].split("+") if a.strip())
    if "feed" in options:
        changes["feed"] = options["feed"]
    if "omits" in options:
        changes["omits"] = tuple(o.strip() for o in options["omits"].split("+") if o.strip())
    if "call_types" in options:
        changes["call_types"] = tuple(o.strip() for o in options["call_types"].split("+") if o.strip())
    for key in ("multi_choice", "incremental", "ordered", "marks_undispatched", "holds_invalid_arguments",
                "refusal_as_text"):
        if key in options:
            changes[key] = _flag(spec, key, options[key])
    return replace(caps, **changes) if changes else caps


def load_adapter(spec: str, *, timeout: float = 10.0, isolate: bool = False,
                 validate_protocol: bool = False) -> Adapter:
    """The adapter a spec names (raises :class:`~kit.errors.UsageError` with the reason).

    ``isolate`` runs a ``py:`` target in a child process; ``validate_protocol`` checks every
    line an ``exec:`` program prints against ``schemas/protocol.schema.json``."""
    kind, options, target = parse_spec(spec)
    if "timeout" in options:
        try:
            timeout = float(options["timeout"])
        except ValueError:
            raise UsageError(f"adapter {spec!r}: timeout={options['timeout']!r} is not a number of seconds") from None
        if not 0 < timeout < float("inf"):
            raise UsageError(f"adapter {spec!r}: timeout={options['timeout']!r}; give a number of seconds above 0")
    if "isolate" in options:
        isolate = _flag(spec, "isolate", options["isolate"])
    name = options.get("name") or (spec if spec in BUILTIN else None)
    if "worker" in options and kind not in ("http", "client"):
        raise UsageError(f"adapter {spec!r}: worker= is an http: and client: option (a process serving many "
                         f"cases); not for {kind}:")
    if kind == "py":
        from .python import PyAdapter  # noqa: PLC0415

        return PyAdapter(spec, target, options, name=name, timeout=timeout, isolate=isolate)
    if kind == "exec":
        from .exec import ExecAdapter  # noqa: PLC0415

        return ExecAdapter(spec, target, options, name=name, timeout=timeout, validate_protocol=validate_protocol)
    if kind == "http":
        from .http import HttpAdapter  # noqa: PLC0415

        return HttpAdapter(spec, target, options, name=name, timeout=timeout, validate_protocol=validate_protocol)
    if kind == "client":
        from .client import ClientAdapter, ClientWorkerAdapter  # noqa: PLC0415

        if "worker" in options and _flag(spec, "worker", options["worker"]):
            return ClientWorkerAdapter(spec, target, options, name=name, timeout=timeout,
                                       validate_protocol=validate_protocol)
        return ClientAdapter(spec, target, options, name=name, timeout=timeout)
    raise UsageError(f"adapter {spec!r}: unknown kind {kind!r}; expected py, exec, http or client")
