"""Hypothesis strategies for property tests of stream consumers: a public API.

Use them in your own property tests, with :func:`kit.properties.conforms` as the check::

    from hypothesis import given
    import kit.properties
    from kit import strategies as ks

    @given(ks.traces(api="openai.chat.completions"), ks.chunk_plans())
    def test_my_handler(trace, plan):
        kit.properties.conforms(my_handler, trace, chunking=plan)

The strategies, and what each guarantees:

- :func:`scripts` -- *what* a model produced (:class:`kit.script.Script`): text, reasoning,
  tool calls with JSON arguments (parallel calls are consecutive ones), usage, finish
  reasons and, when asked, faults (an in-band error, invalid arguments).
- :func:`traces` -- a script rendered as the wire bytes of one API in a strict or a real
  provider's dialect, as a :class:`kit.trace.Trace` whose class is known by construction:
  ``y`` (valid: the reference reports no error-severity diagnostic under the lenient
  profile) or ``n`` (an in-band error, invalid arguments, or the body cut off before its
  end: the reference reports an error). Its ``rules`` name what it exercises (the dialect
  deviations, the fault) and ``provenance`` says how it was made.
- :func:`chunk_plans` -- chunk plan names (``recorded``, ``event``, ``bytewise``,
  ``whole``, ``fixed:N``, ``random:SEED``).
- :func:`mutations` -- traces derived from one trace by a labelled mutation that either
  keeps the reference Plan (and the class) or is documented to make the trace ``n``.
- the lower-level ``(script, dialect, body)`` streams of earlier versions:
  :func:`streams`, :func:`chat_streams`, :func:`responses_streams`,
  :func:`anthropic_streams`, :func:`gemini_streams`, and the dialect strategies.

Every generated or mutated trace's reference Plan (``kit.replay(trace).plan``) does not
depend on the chunk plan: that is what :func:`kit.properties.conforms` grades against.

:func:`register_profiles` registers the hypothesis settings profile ``kit-ci``
(derandomised, bounded), for CI runs: ``pytest --hypothesis-profile=kit-ci``.

Importing this module imports hypothesis; ``import kit`` does not.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, fields
from typing import Any, Callable

from hypothesis import strategies as st

# the kit modules a draw needs are imported here, not on the first draw: hypothesis times
# the generation of the first examples (health check too_slow)
from .adapters import api_name
from .script import (
    AnthropicDialect, ChatDialect, GeminiDialect, Reasoning, ResponsesDialect, Script, Text, Tool, gemini_streamed,
    render_anthropic, render_chat, render_gemini, render_responses,
)
from .sse import SSEDecoder
from .trace import Trace

__all__ = ["APIS", "DIALECTS", "MUTATIONS", "texts", "scripts", "chat_dialects", "chat_streams",
           "responses_dialects", "responses_streams", "anthropic_dialects", "anthropic_streams", "gemini_dialects",
           "gemini_streams", "streams",
           "dialects", "traces", "chunk_plans", "mutations", "register_profiles", "KIT_CI",
           "make_trace", "script_fault", "dialect_rules", "is_strict", "truncation_points"]

APIS = ("openai.chat.completions", "openai.responses", "anthropic.messages", "google.generate_content")
DIALECTS = ("strict", "provider")
KIT_CI = "kit-ci"

_NAMES = ["get_weather", "search", "read_file", "run_sql", "noop"]

_text = st.text(
    alphabet=st.characters(blacklist_categories=["Cs", "Cc"], blacklist_characters="\u2028\u2029"),
    min_size=1, max_size=24,
)
texts = _text.map(Text)

_json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(min_size=1, max_size=6), inner, max_size=3),
    max_leaves=6,
)
_arguments = st.one_of(
    st.just(""),
    st.dictionaries(st.text(min_size=1, max_size=8), _json_values, max_size=4).map(
        lambda d: json.dumps(d, ensure_ascii=False)),
)
# arguments that are not valid JSON: an object cut off, or a bare word (never "" or whitespace)
_invalid_arguments = st.one_of(
    st.dictionaries(st.text(min_size=1, max_size=8), _json_values, min_size=1, max_size=3).map(
        lambda d: json.dumps(d, ensure_ascii=False)[:-1]),
    st.sampled_from(['{"city": "Par', "{'a': 1}", "undefined", '{"a":1}}', "[1, 2"]),
)

_ERRORS = [
    {"type": "server_error", "message": "upstream connection reset"},
    {"type": "overloaded_error", "message": "Overloaded"},
    {"type": "rate_limit_exceeded", "message": "Rate limit reached; please try again in 564ms."},
]


def _api(api: str | None) -> str | None:
    if api is None:
        return None
    return api_name(api)  # accepts the short aliases (chat, responses, anthropic, gemini)


# -- scripts ------------------------------------------------------------------------------------


def scripts(api: str | None = None, *, max_steps: int = 6, faults: bool = False) -> st.SearchStrategy[Script]:
    """Scripts: what a model produced, independent of how it is streamed.

    Without ``api``: text runs and tool calls in any order (unique call ids ``call_N``;
    arguments a JSON object or ``""``; consecutive calls are parallel calls), the finish
    reason implied (``tool_calls`` or ``stop``). These render to the same Plan in every
    API and dialect (what ``tests/test_properties.py`` checks against an oracle).

    With ``api`` (any API, the choice only widens what the script says): also reasoning
    steps, token usage, and for text-only scripts the finish reasons ``length`` and
    ``content_filter``. With ``faults=True`` some scripts are broken streams: an in-band
    error instead of the finish (``Script.error``) or a tool call whose arguments are not
    valid JSON (a script that is broken says so: :func:`script_fault`).
    """
    rich = api is not None
    _api(api)

    @st.composite
    def build(draw: Callable) -> Script:
        kinds = ["text", "tool"] + (["reasoning"] if rich else [])
        steps = draw(st.lists(st.sampled_from(kinds), min_size=1, max_size=max_steps))
        out: list[Any] = []
        for n, kind in enumerate(steps):
            if kind == "tool":
                out.append(Tool(draw(st.sampled_from(_NAMES)), draw(_arguments), f"call_{n}"))
            elif kind == "reasoning":
                out.append(Reasoning(draw(_text)))
            else:
                out.append(Text(draw(_text)))
        if not rich:
            return Script(out)
        usage = draw(st.none() | st.tuples(st.integers(1, 5000), st.integers(1, 5000)))
        has_tool = any(isinstance(s, Tool) for s in out)
        finish = None if has_tool else draw(st.sampled_from([None, None, "stop", "length", "content_filter"]))
        error = None
        if faults:
            fault = draw(st.sampled_from([None, "error", "invalid-arguments"]))
            if fault == "error":
                error = draw(st.sampled_from(_ERRORS))
            elif fault == "invalid-arguments":
                at = draw(st.integers(0, len(out)))
                out.insert(at, Tool(draw(st.sampled_from(_NAMES)), draw(_invalid_arguments), "call_bad"))
                finish = None
        return Script(out, finish=finish, usage=usage, error=error)

    return build()


def script_fault(script: Script) -> str | None:
    """``"error"`` (an in-band error), ``"invalid-arguments"`` (a call whose arguments are not
    valid JSON) or None: what makes a script's stream broken."""
    if script.error is not None:
        return "error"
    for s in script.steps:
        if isinstance(s, Tool) and s.arguments.strip():
            try:
                json.loads(s.arguments)
            except ValueError:
                return "invalid-arguments"
    return None


# -- dialects -------------------------------------------------------------------------------------
#
# A dialect is how a provider streams a script. Knob values that depart from the documented
# contract are tied to the rule that names the departure (kit/rules.py): under the strict
# profile the reference reports them as errors, under the lenient one as warnings. The
# "strict" dialects use none of them; "provider" dialects use any.

# (knob, value) -> rules exercised; a callable value is a test on the knob value
_CHAT_RULES: list[tuple[str, Any, tuple[str, ...], bool]] = [  # (knob, value, rules, needs a tool call)
    ("index", "one", ("chat-tool-index-dense",), True),
    ("index", "zero", ("chat-tool-index-reused",), True),
    ("index", "missing", ("chat-tool-index-missing",), True),
    ("repeat_header", True, ("chat-tool-header-once",), True),
    ("interleave", True, ("chat-interleaved-fragments",), True),
    ("empty_tool_calls_on_text", True, ("chat-empty-tool-calls",), False),
    ("usage", "final_chunk", ("chat-usage", "chat-empty-choices"), False),
    ("usage", "every_chunk", ("chat-usage",), False),
    ("done", False, ("chat-done-sentinel",), False),
    ("data_space", False, ("sse-field-space",), False),
    ("eol", "\r\n", ("sse-line-endings",), False),
    ("eol", "\r", ("sse-line-endings",), False),
    ("keepalive", True, ("sse-comments",), False),
]
_RESPONSES_RULES: list[tuple[str, Any, tuple[str, ...], bool]] = [
    ("added_events", False, ("resp-item-added-missing",), False),
    ("argument_deltas", False, ("resp-arguments-source",), True),
    ("sequence_numbers", "missing", ("resp-sequence-number",), False),
    ("sequence_numbers", "gaps", ("resp-sequence-number",), False),
    ("event_lines", False, ("resp-event-name",), False),
    ("completed_output", False, ("resp-completed-output",), False),
    ("rotate_item_ids", True, ("resp-item-id-mismatch",), False),
    ("done_sentinel", True, ("resp-done-sentinel",), False),
    ("reasoning_first", True, ("resp-reasoning",), False),
    ("eol", "\r\n", ("sse-line-endings",), False),
]
_ANTHROPIC_RULES: list[tuple[str, Any, tuple[str, ...], bool]] = [
    ("event_lines", False, ("anth-event-name",), False),
    ("ping_after_start", True, ("anth-ping",), True),
    ("message_stop", False, ("anth-message-stop-missing",), False),
    ("done_sentinel", True, ("anth-done-sentinel",), False),
    ("thinking_first", True, ("anth-thinking",), False),
    ("eol", "\r\n", ("sse-line-endings",), False),
    ("eol", "\r", ("sse-line-endings",), False),
]


def _parallel(script: Script, dialect: Any) -> bool:
    """Two consecutive calls sent whole: what ``calls="together"`` puts in one chunk."""
    steps = script.steps
    return any(isinstance(a, Tool) and isinstance(b, Tool) and not gemini_streamed(a, dialect)
               and not gemini_streamed(b, dialect) for a, b in zip(steps, steps[1:]))


def _open_at_finish(script: Script, dialect: Any) -> bool:
    """The last step is a streamed call, which ``unclosed`` leaves open at the finish."""
    last = script.steps[-1] if script.steps else None
    if script.error is not None or not isinstance(last, Tool) or not dialect.streamed_args:
        return False
    # a call whose arguments do not parse is always closed
    return script_fault(Script([last])) is None and gemini_streamed(last, dialect)


def _whole_with_args(script: Script, dialect: Any) -> bool:
    return any(isinstance(s, Tool) and s.arguments.strip() and not gemini_streamed(s, dialect) for s in script.steps)


def _any_streamed(script: Script, dialect: Any) -> bool:
    return any(isinstance(s, Tool) and gemini_streamed(s, dialect) for s in script.steps)


def _usage_sent(script: Script, dialect: Any) -> bool:
    return script.error is None


# the fourth field may also be a test on (script, dialect): the knob only shows when it holds
_GEMINI_RULES: list[tuple[str, Any, tuple[str, ...], Any]] = [
    ("streamed_args", True, ("gem-partial-args",), _any_streamed),
    ("calls", "together", ("gem-call-whole",), _parallel),
    ("ids", False, ("gem-call-id",), True),
    ("unclosed", True, ("gem-call-unclosed",), _open_at_finish),
    ("args_string", True, ("gem-args-object",), _whole_with_args),
    ("signature", "first_call", ("gem-thought",), True),
    ("signature", "empty_text", ("gem-thought",), False),
    ("usage", "every_chunk", ("gem-usage",), _usage_sent),
    ("usage", "trailing", ("gem-usage",), _usage_sent),
    ("index", False, ("gem-candidate-index",), False),
    ("done", True, ("gem-done-sentinel",), False),
    ("eol", "\r\n", ("sse-line-endings",), False),
]
# knob values the strict dialect must not use: they are departures (dialect rules)
_NOT_STRICT = {
    "openai.chat.completions": {("index", "one"), ("index", "zero"), ("index", "missing"), ("repeat_header", True),
                                ("done", False)},
    "openai.responses": {("added_events", False), ("sequence_numbers", "missing"), ("sequence_numbers", "gaps"),
                         ("event_lines", False), ("completed_output", False), ("rotate_item_ids", True)},
    "anthropic.messages": {("event_lines", False), ("message_stop", False)},
    "google.generate_content": {("unclosed", True), ("args_string", True), ("done", True)},
}


@st.composite
def chat_dialects(draw: Callable, strict: bool = False) -> ChatDialect:
    """The ways real Chat Completions providers stream the same response (``strict``: only
    the documented contract; framing variants the contract allows stay)."""
    index = "dense" if strict else draw(st.sampled_from(["dense", "one", "zero", "missing"]))
    return ChatDialect(
        text_split=draw(st.integers(1, 8)),
        args_split=draw(st.integers(1, 12)),
        index=index,
        repeat_header=not strict and draw(st.booleans()),
        empty_id_on_continuation=draw(st.booleans()),
        whole_calls=draw(st.booleans()),
        interleave=index in ("dense", "one") and draw(st.booleans()),
        finish_in_last_chunk=draw(st.booleans()),
        empty_tool_calls_on_text=draw(st.booleans()),
        usage=draw(st.sampled_from(["none", "final_chunk", "every_chunk"])),
        done=strict or draw(st.booleans()),
        data_space=draw(st.booleans()),
        eol=draw(st.sampled_from(["\n", "\r\n", "\r"])),
        keepalive=draw(st.booleans()),
    )


@st.composite
def responses_dialects(draw: Callable, strict: bool = False) -> ResponsesDialect:
    """The ways OpenAI Responses servers and bridges stream the same response."""
    return ResponsesDialect(
        text_split=draw(st.integers(1, 8)),
        args_split=draw(st.integers(1, 12)),
        added_events=strict or draw(st.booleans()),
        argument_deltas=draw(st.booleans()),
        sequence_numbers="dense" if strict else draw(st.sampled_from(["dense", "missing", "gaps"])),
        event_lines=strict or draw(st.booleans()),
        completed_output=strict or draw(st.booleans()),
        rotate_item_ids=not strict and draw(st.booleans()),
        done_sentinel=draw(st.booleans()),
        reasoning_first=draw(st.booleans()),
        eol=draw(st.sampled_from(["\n", "\r\n"])),
    )


@st.composite
def anthropic_dialects(draw: Callable, strict: bool = False) -> AnthropicDialect:
    """The ways the Anthropic API and compatible proxies stream the same message."""
    return AnthropicDialect(
        text_split=draw(st.integers(1, 8)),
        json_split=draw(st.integers(1, 12)),
        event_lines=strict or draw(st.booleans()),
        ping_after_start=draw(st.booleans()),
        empty_first_fragment=draw(st.booleans()),
        message_stop=strict or draw(st.booleans()),
        done_sentinel=draw(st.booleans()),
        thinking_first=draw(st.booleans()),
        eol=draw(st.sampled_from(["\n", "\r\n", "\r"])),
    )


@st.composite
def gemini_dialects(draw: Callable, strict: bool = False) -> GeminiDialect:
    """The ways the Gemini API, Vertex AI and OpenAI-style proxies stream the same
    response: whole or streamed (``partialArgs``) calls, with or without ids, several calls
    in one chunk, thought signatures, where the finish and the usage go, CRLF or LF."""
    streamed = draw(st.booleans())
    return GeminiDialect(
        text_split=draw(st.integers(1, 8)),
        args_split=draw(st.integers(1, 12)),
        calls=draw(st.sampled_from(["one_per_chunk", "together"])),
        ids=draw(st.booleans()),
        streamed_args=streamed,
        open_with_args=streamed and draw(st.booleans()),
        close_in_last=streamed and draw(st.booleans()),
        args_per_part=draw(st.integers(1, 3)) if streamed else 1,
        paths=draw(st.sampled_from(["shorthand", "bracket"])) if streamed else "shorthand",
        unclosed=streamed and not strict and draw(st.booleans()),
        args_string=not strict and draw(st.booleans()),
        signature=draw(st.sampled_from(["none", "first_call", "empty_text"])),
        finish=draw(st.sampled_from(["last_chunk", "own_chunk"])),
        usage=draw(st.sampled_from(["last", "every_chunk", "trailing"])),
        index=draw(st.booleans()),
        done=not strict and draw(st.booleans()),
        eol=draw(st.sampled_from(["\r\n", "\n"])),
    )


_DIALECT_OF = {"openai.chat.completions": (chat_dialects, render_chat, _CHAT_RULES),
               "openai.responses": (responses_dialects, render_responses, _RESPONSES_RULES),
               "anthropic.messages": (anthropic_dialects, render_anthropic, _ANTHROPIC_RULES),
               "google.generate_content": (gemini_dialects, render_gemini, _GEMINI_RULES)}


def dialects(api: str, dialect: str | None = None) -> st.SearchStrategy:
    """Dialects of ``api``: ``"strict"`` (the documented contract only: ``kit lint``, strict
    profile, reports no error), ``"provider"`` (any of the real providers' deviations), or
    None (either)."""
    api = _api(api)  # type: ignore[assignment]
    strategy = _DIALECT_OF[api][0]
    if dialect == "strict":
        return strategy(strict=True)
    if dialect == "provider":
        return strategy(strict=False)
    if dialect is None:
        return st.one_of(strategy(strict=True), strategy(strict=False))
    raise ValueError(f"dialect {dialect!r}: expected 'strict', 'provider' or None")


def _changed_knobs(dialect: Any) -> dict[str, Any]:
    default = type(dialect)()
    return {f.name: getattr(dialect, f.name) for f in fields(dialect)
            if getattr(dialect, f.name) != getattr(default, f.name)}


def dialect_rules(api: str, dialect: Any, script: Script | None = None) -> list[str]:
    """The rules (``kit/rules.py``) a dialect's departures and framing variants exercise."""
    has_tool = script is None or any(isinstance(s, Tool) for s in script.steps)
    out: list[str] = []
    for knob, value, rules, needs in _DIALECT_OF[_api(api)][2]:  # type: ignore[index]
        if getattr(dialect, knob) != value:
            continue
        shows = (script is None or needs(script, dialect)) if callable(needs) else (has_tool or not needs)
        if shows:
            out.extend(r for r in rules if r not in out)
    return out


def is_strict(api: str, dialect: Any) -> bool:
    """Whether ``dialect`` keeps to the documented contract (no dialect-rule departure)."""
    not_strict = _NOT_STRICT[_api(api)]  # type: ignore[index]
    return not any((k, v) in not_strict for k, v in asdict(dialect).items() if not isinstance(v, dict))


# -- (script, dialect, body) streams -----------------------------------------------------------


@st.composite
def chat_streams(draw: Callable) -> tuple[Script, ChatDialect, bytes]:
    """``(script, dialect, body)``: a script rendered as a Chat Completions SSE body."""
    script = draw(scripts())
    dialect = draw(chat_dialects())
    return script, dialect, render_chat(script, dialect)


@st.composite
def responses_streams(draw: Callable) -> tuple[Script, ResponsesDialect, bytes]:
    """``(script, dialect, body)`` for ``openai.responses``."""
    script = draw(scripts())
    dialect = draw(responses_dialects())
    return script, dialect, render_responses(script, dialect)


@st.composite
def anthropic_streams(draw: Callable) -> tuple[Script, AnthropicDialect, bytes]:
    """``(script, dialect, body)`` for ``anthropic.messages``."""
    script = draw(scripts())
    dialect = draw(anthropic_dialects())
    return script, dialect, render_anthropic(script, dialect)


@st.composite
def gemini_streams(draw: Callable) -> tuple[Script, GeminiDialect, bytes]:
    """``(script, dialect, body)`` for ``google.generate_content``."""
    script = draw(scripts())
    dialect = draw(gemini_dialects())
    return script, dialect, render_gemini(script, dialect)


def streams(api: str) -> st.SearchStrategy:
    """``(script, dialect, body)`` streams for a wire API (portable scripts, any dialect)."""
    return {"openai.chat.completions": chat_streams, "openai.responses": responses_streams,
            "anthropic.messages": anthropic_streams,
            "google.generate_content": gemini_streams}[_api(api)]()  # type: ignore[index]


# -- traces -------------------------------------------------------------------------------------

_FAULT_RULES = {
    "openai.chat.completions": {"error": "chat-in-band-error", "invalid-arguments": "chat-arguments-json",
                                "truncated": "chat-truncated"},
    "openai.responses": {"error": "resp-error", "invalid-arguments": "resp-arguments-json",
                         "truncated": "resp-truncated"},
    "anthropic.messages": {"error": "anth-error", "invalid-arguments": "anth-input-json",
                           "truncated": "anth-truncated"},
    # Gemini arguments are an object: ones that do not parse are sent as a streamed call
    # whose values conflict (kit.script.render_gemini)
    "google.generate_content": {"error": "gem-error", "invalid-arguments": "gem-partial-args-path",
                                "truncated": "gem-truncated"},
}
_SCRIPT_RULES = {  # (script feature) -> rule, per API
    "openai.chat.completions": {"reasoning": "chat-reasoning", "empty-arguments": "chat-arguments-empty",
                                "text-after-tool": "chat-text-after-tool", "tool": "chat-dispatch-at-finish"},
    "openai.responses": {"reasoning": "resp-reasoning", "text": "resp-message-say", "tool": "resp-dispatch-at-item-done",
                         "incomplete": "resp-incomplete", "usage": "resp-usage"},
    "anthropic.messages": {"reasoning": "anth-thinking", "empty-arguments": "anth-input-empty", "text": "anth-text-say",
                           "tool": "anth-dispatch-at-block-stop", "usage": "anth-usage"},
    "google.generate_content": {"reasoning": "gem-thought", "empty-arguments": "gem-args-missing",
                                "text": "gem-text-say", "tool": "gem-dispatch", "incomplete": "gem-finish-reason",
                                "usage": "gem-usage", "stop-with-calls": "gem-finish-stop-with-calls"},
}
# a candidate's finish, or a prompt blocked before any candidate (Google writes JSON with spaces, the kit without)
_GEMINI_END = re.compile(r'"(?:finishReason|blockReason)"\s*:\s*"')
_TERMINAL = {  # the first SSE event that ends a response: cutting the body before it truncates it
    "openai.chat.completions": lambda data: '"finish_reason":"' in data or data.strip() == "[DONE]",
    "openai.responses": lambda data: '"type":"response.completed"' in data or '"type":"response.incomplete"' in data,
    "anthropic.messages": lambda data: '"type":"message_delta"' in data,
    "google.generate_content": lambda data: _GEMINI_END.search(data) is not None,
}


def _script_rules(api: str, script: Script) -> list[str]:
    table = _SCRIPT_RULES[api]
    found: list[str] = []
    seen_tool = False
    for s in script.steps:
        if isinstance(s, Tool):
            seen_tool = True
            found.append("tool")
            if not s.arguments.strip():
                found.append("empty-arguments")
        elif isinstance(s, Reasoning):
            found.append("reasoning")
        else:
            found.append("text")
            if seen_tool:
                found.append("text-after-tool")
    if script.finish in ("length", "content_filter"):
        found.append("incomplete")
    if script.usage is not None:
        found.append("usage")
    if seen_tool and script.error is None and script.finish in (None, "stop", "tool_calls"):
        found.append("stop-with-calls")
    # the more specific first: a plan difference is attributed to the first rule that fits
    order = ["text-after-tool", "reasoning", "empty-arguments", "incomplete", "usage", "text", "tool",
             "stop-with-calls"]
    return [table[k] for k in order if k in found and k in table]


def _event_ends(body: bytes) -> list[tuple[int, int, str]]:
    """``(start, end, data)`` of each SSE event; ``end`` just after its blank line."""
    out = []
    for ev in SSEDecoder().feed(body):
        end = ev.end + 1 if body[ev.end - 1:ev.end + 1] == b"\r\n" else ev.end
        out.append((ev.offset, end, ev.data))
    return out


def truncation_points(api: str, body: bytes) -> list[int]:
    """Byte offsets at which cutting ``body`` leaves a truncated stream: the ends of the
    complete SSE events before the event that ends the response (at least one event kept)."""
    events = _event_ends(body)
    terminal = _TERMINAL[_api(api)]  # type: ignore[index]
    stop = next((i for i, (_, _, data) in enumerate(events) if terminal(data)), len(events))
    return [events[i][1] for i in range(min(stop, len(events)))]


def _content_id(api: str, body: bytes) -> str:
    return hashlib.sha256(api.encode() + b"\0" + body).hexdigest()[:12]


def _kit_version() -> str:
    from . import __version__  # noqa: PLC0415

    return __version__


def make_trace(api: str, script: Script, dialect: Any, *, truncate_at: int | None = None) -> Any:
    """The :class:`kit.trace.Trace` of ``script`` rendered in ``dialect`` (cut at byte
    ``truncate_at`` when given: a truncated, ``n``, stream)."""
    api = _api(api)  # type: ignore[assignment]
    body = _DIALECT_OF[api][1](script, dialect)
    fault = script_fault(script)
    if truncate_at is not None:
        body = body[:truncate_at]
        fault = fault or "truncated"
    cls = "n" if fault else "y"
    rules: list[str] = []
    if fault:
        rules.append(_FAULT_RULES[api][fault])
    for r in dialect_rules(api, dialect, script) + _script_rules(api, script):
        if r not in rules:
            rules.append(r)
    name = "strict" if is_strict(api, dialect) else "provider"
    knobs = _changed_knobs(dialect)
    what = f"{sum(isinstance(s, Text) for s in script.steps)} text, {sum(isinstance(s, Tool) for s in script.steps)} tool call(s)"
    description = f"Generated by kit.strategies.traces: {what}, {name} dialect" + (f", {fault}" if fault else "")
    provenance = {"kind": "synthetic", "generator": "kit.strategies.traces", "dialect": name,
                  "knobs": knobs, "rules": list(rules), "fault": fault, "kit_version": _kit_version()}
    tid = f"{cls}_generated_{_content_id(api, body)}"
    return Trace(id=tid, api=api, cls=cls, body=body, rules=rules, description=description,
                 provenance=provenance)


def traces(api: str | None = None, dialect: str | None = None, *, classes: str = "yn",
           max_steps: int = 6) -> st.SearchStrategy:
    """Generated :class:`kit.trace.Trace` objects: a :func:`scripts` script rendered as the
    SSE body of ``api`` (default: any of the four) in a ``dialect``: ``"strict"`` (the
    documented contract: ``kit lint`` reports no error), ``"provider"`` (real providers'
    deviations, each named by a dialect rule in ``trace.rules``) or None (either).

    Guarantees:

    - the class is known by construction: a ``y`` trace is a complete, valid stream and
      the reference reports no error-severity diagnostic on it under the lenient profile
      (under the strict profile, only the rules listed in ``trace.rules``); an ``n``
      trace carries an in-band error, a tool call with invalid JSON arguments (Gemini: a
      streamed call whose values conflict, ``gem-partial-args-path``), or is cut off
      before the event that ends the response, and the reference reports an error;
    - ``kit.replay(trace, chunking=plan).plan`` is the same for every chunk plan: the
      reference Plan every conforming consumer must produce (``y``) or the one the
      reference makes of the broken stream (``n``);
    - ``trace.rules`` lists the fault rule first (``n``), then the dialect rules the
      dialect exercises, then the script's (dispatch, reasoning, ...): every rule id is
      in the catalogue, and the trace round-trips through ``to_json`` / ``kit.trace.from_json``;
    - ``trace.id`` is ``<class>_generated_<content hash>``; ``trace.reads`` is None (the
      recorded plan cuts one read per SSE event); ``trace.provenance`` is
      ``{"kind": "synthetic", "generator": "kit.strategies.traces", "dialect": "strict" or
      "provider", "knobs": {the dialect's non-default settings}, "rules": [...], "fault":
      None or "error" / "invalid-arguments" / "truncated", "kit_version": ...}``.

    ``classes`` is ``"y"``, ``"n"`` or ``"yn"`` (default: both; about one in four is
    ``n``).
    """
    if classes not in ("y", "n", "yn", "ny"):
        raise ValueError(f"classes {classes!r}: expected 'y', 'n' or 'yn'")
    if dialect not in (None, "strict", "provider"):
        raise ValueError(f"dialect {dialect!r}: expected 'strict', 'provider' or None")
    fixed_api = _api(api)
    # every strategy built once, not on each draw
    apis = [fixed_api] if fixed_api else list(APIS)
    names = [dialect] if dialect else list(DIALECTS)
    dialect_of = {(a, n): dialects(a, n) for a in apis for n in names}
    plain = {a: scripts(a, max_steps=max_steps) for a in apis}
    broken = {a: scripts(a, max_steps=max_steps, faults=True).filter(lambda s: script_fault(s) is not None)
              for a in apis}

    @st.composite
    def build(draw: Callable) -> Any:
        a = fixed_api or draw(st.sampled_from(APIS), label="api")
        name = dialect or draw(st.sampled_from(DIALECTS), label="dialect kind")
        d = draw(dialect_of[(a, name)], label="dialect")
        if classes == "y":
            want = "y"
        elif classes == "n":
            want = "n"
        else:
            want = draw(st.sampled_from("yyyn"), label="class")
        if want == "y":
            return make_trace(a, draw(plain[a], label="script"), d)
        how = draw(st.sampled_from(["truncated", "script"]), label="fault")
        if how == "script":
            return make_trace(a, draw(broken[a], label="script"), d)
        script = draw(plain[a], label="script")
        body = _DIALECT_OF[a][1](script, d)
        points = truncation_points(a, body)
        if not points:  # the first event ends the response (a one-chunk Gemini reply): nothing to cut
            return make_trace(a, draw(broken[a], label="script"), d)
        cut = draw(st.sampled_from(points), label="cut after byte")
        return make_trace(a, script, d, truncate_at=cut)

    return build()


# -- chunk plans ----------------------------------------------------------------------------------


def chunk_plans() -> st.SearchStrategy[str]:
    """Chunk plan names (every kind; random seeds and fixed sizes drawn). Each is accepted
    by ``kit verify --chunking`` and :func:`kit.trace.chunk`."""
    return st.one_of(
        st.sampled_from(["recorded", "event", "bytewise", "whole"]),
        st.integers(1, 64).map(lambda n: f"fixed:{n}"),
        st.integers(0, 2**32 - 1).map(lambda s: f"random:{s}"),
    )


# -- mutations ------------------------------------------------------------------------------------

#: label -> (what it does, its effect: "plan" keeps the reference Plan and the class;
#: "n" makes the trace a truncated ``n`` trace, whose Plan may differ)
MUTATIONS: dict[str, tuple[str, str]] = {
    "recut": ("new recorded read boundaries (same bytes)", "plan"),
    "keepalive": ("a `: keep-alive` comment line before some events (rule sse-comments)", "plan"),
    "line-endings": ("every line ending switched to another of LF, CRLF, CR (rule sse-line-endings)", "plan"),
    "bom": ("a UTF-8 byte order mark before the body (rule sse-bom)", "plan"),
    "data-no-space": ("`data:` without the optional space (rule sse-field-space)", "plan"),
    "split-data": ("an event's JSON split over two `data:` lines after its `{` (rule sse-multiline-data)", "plan"),
    "drop-done": ("the trailing `data: [DONE]` removed, when every choice already finished (rule "
                  "chat-done-sentinel for Chat; the sentinel is optional elsewhere)", "plan"),
    "truncate": ("the body cut off before the event that ends the response: an n trace", "n"),
}
_MUTATION_RULES = {"keepalive": "sse-comments", "line-endings": "sse-line-endings", "bom": "sse-bom",
                   "data-no-space": "sse-field-space", "split-data": "sse-multiline-data"}


def _eol(body: bytes) -> bytes:
    i = body.find(b"\n")
    j = body.find(b"\r")
    if j != -1 and (i == -1 or j < i):
        return b"\r\n" if body[j:j + 2] == b"\r\n" else b"\r"
    return b"\n"


def _lines(body: bytes) -> list[tuple[bytes, bytes]]:
    """``(line, terminator)`` pairs; the last terminator may be ``b""``."""
    out = []
    i = 0
    n = len(body)
    while i < n:
        j = i
        while j < n and body[j] not in (10, 13):
            j += 1
        if j >= n:
            out.append((body[i:], b""))
            break
        term = b"\r\n" if body[j:j + 2] == b"\r\n" else body[j:j + 1]
        out.append((body[i:j], term))
        i = j + len(term)
    return out


def _applicable(trace: Any) -> list[str]:
    body = trace.body
    out = ["recut", "keepalive", "line-endings", "bom", "data-no-space", "split-data"]
    if body.startswith(b"\xef\xbb\xbf"):
        out.remove("bom")
    if trace.cls == "y" and _done_event(body) is not None and _finished(trace):
        out.append("drop-done")
    if trace.cls == "y" and truncation_points(trace.api, body):
        out.append("truncate")
    return out


def _finished(trace: Any) -> bool:
    """Every choice got its finish reason before the end (so ``[DONE]`` is not what ends it)."""
    if trace.api != "openai.chat.completions":
        return True
    from .replay import replay  # noqa: PLC0415

    choices = replay(trace, chunking="whole").plan["choices"]
    return bool(choices) and all(c["finish_reason"] is not None for c in choices)


def _done_event(body: bytes) -> tuple[int, int] | None:
    events = _event_ends(body)
    if events and events[-1][2].strip() == "[DONE]":
        return events[-1][0], events[-1][1]
    return None


@st.composite
def _mutate(draw: Callable, trace: Any, only: tuple[str, ...] | None) -> Any:
    labels = [m for m in _applicable(trace) if only is None or m in only]
    if not labels:
        raise ValueError(f"none of the mutations {only} applies to {trace.name}")
    label = draw(st.sampled_from(labels), label="mutation")
    body = trace.body
    reads: list[int] | None = None
    cls = trace.cls
    detail: dict[str, Any] = {}
    if label == "recut":
        cuts = draw(st.lists(st.integers(1, max(1, len(body) - 1)), max_size=12, unique=True)) if len(body) > 1 else []
        reads = [0] + sorted(cuts)
    elif label == "keepalive":
        events = _event_ends(body)
        every = draw(st.integers(1, 4))
        eol = _eol(body)
        parts, at = [], 0
        for k, (_, end, _) in enumerate(events):
            if k % every == 0:
                start = events[k - 1][1] if k else 0
                parts.append(body[at:start] + b": keep-alive" + eol)
                at = start
        parts.append(body[at:])
        body = b"".join(parts)
        detail["every"] = every
    elif label == "line-endings":
        eol = draw(st.sampled_from([e for e in (b"\n", b"\r\n", b"\r") if e != _eol(body)]))
        body = b"".join(line + (eol if term else b"") for line, term in _lines(body))
        detail["eol"] = eol.decode()
    elif label == "bom":
        body = b"\xef\xbb\xbf" + body
    elif label == "data-no-space":
        body = b"".join((b"data:" + line[6:] if line.startswith(b"data: ") else line) + term
                        for line, term in _lines(body))
    elif label == "split-data":
        lines = _lines(body)
        candidates = [k for k, (line, term) in enumerate(lines)
                      if term and line.startswith(b"data:") and line[5:].lstrip(b" ").startswith(b"{")
                      and len(line[5:].lstrip(b" ")) > 1]
        if candidates:
            k = draw(st.sampled_from(candidates))
            line, term = lines[k]
            brace = line.index(b"{")
            lines[k] = (line[:brace + 1] + term + b"data: " + line[brace + 1:], term)
            detail["line"] = k
        body = b"".join(line + term for line, term in lines)
    elif label == "drop-done":
        start, end = _done_event(body)  # type: ignore[misc]
        body = body[:start] + body[end:]
    elif label == "truncate":
        body = body[:draw(st.sampled_from(truncation_points(trace.api, body)))]
        cls = "n"
    rules = list(trace.rules)
    extra = {"drop-done": "chat-done-sentinel" if trace.api == "openai.chat.completions" else None,
             "truncate": _FAULT_RULES[trace.api]["truncated"]}.get(label) or _MUTATION_RULES.get(label)
    if extra and extra not in rules:
        rules = [extra] + rules if label == "truncate" else rules + [extra]
    effect = MUTATIONS[label][1]
    provenance = dict(trace.provenance)
    provenance["mutations"] = list(provenance.get("mutations", [])) + [
        {"mutation": label, "effect": effect, **detail}]
    provenance["mutated_from"] = trace.id
    base = trace.id.split("_", 1)[1] if trace.id[:2] in ("y_", "n_", "i_") else trace.id
    tid = f"{cls}_{base}.{label}"[:120]
    return Trace(id=tid, api=trace.api, cls=cls, body=body, reads=reads, rules=rules,
                 description=f"{trace.description} (mutation {label}: {MUTATIONS[label][0]})",
                 provenance=provenance, request=trace.request, response=trace.response)


def mutations(trace: Any, *, only: tuple[str, ...] | list[str] | None = None) -> st.SearchStrategy:
    """Traces derived from ``trace`` by one labelled mutation (:data:`MUTATIONS`).

    The mutated trace's ``provenance["mutations"]`` ends with ``{"mutation": label,
    "effect": "plan" | "n", ...}``; apply the strategy again to compose mutations.

    - effect ``"plan"`` (recut, keepalive, line-endings, bom, data-no-space, split-data,
      drop-done): the reference Plan is unchanged, under every chunk plan, and so is the
      class; a ``y`` trace stays free of error-severity diagnostics (lenient profile).
      The rule the mutation exercises is added to ``trace.rules``.
    - effect ``"n"`` (truncate; only offered for ``y`` traces): the body is cut off
      before the event that ends the response; the result is an ``n`` trace, the
      reference reports the API's truncation rule (first in ``trace.rules``) as an error,
      and its Plan generally differs (calls not dispatched, no finish reason).

    ``only`` restricts the labels drawn from. The mutation only uses the bytes: it does
    not need to know how the trace was made (bundled corpus traces work too).
    """
    unknown = [m for m in (only or ()) if m not in MUTATIONS]
    if unknown:
        raise ValueError(f"unknown mutation {unknown[0]!r}; expected one of {', '.join(MUTATIONS)}")
    return _mutate(trace, tuple(only) if only is not None else None)


# -- settings profiles ------------------------------------------------------------------------------


def register_profiles() -> None:
    """Register the hypothesis settings profile ``kit-ci`` (idempotent, cheap): derandomised,
    at most 50 examples, no deadline, the ``too_slow`` health check suppressed, and the
    reproduction blob printed for every failure. Load it with
    ``pytest --hypothesis-profile=kit-ci`` or ``hypothesis.settings.load_profile("kit-ci")``."""
    from hypothesis import HealthCheck, settings  # noqa: PLC0415

    settings.register_profile(KIT_CI, derandomize=True, max_examples=50, deadline=None,
                              suppress_health_check=[HealthCheck.too_slow], print_blob=True)
