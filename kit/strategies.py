"""Hypothesis strategies: scripts, dialects and chunk plans, as a small public API.

Use them in your own property tests::

    from hypothesis import given
    from kit import strategies as ks

    @given(ks.chat_streams(), ks.chunk_plans())
    def test_my_handler(stream, plan): ...

Importing this module imports hypothesis; ``import kit`` does not.
"""

from __future__ import annotations

import json

from hypothesis import strategies as st

from .script import (
    AnthropicDialect, ChatDialect, ResponsesDialect, Script, Text, Tool, render_anthropic, render_chat,
    render_responses,
)

__all__ = ["texts", "scripts", "chat_dialects", "chat_streams", "responses_dialects", "responses_streams",
           "anthropic_dialects", "anthropic_streams", "streams", "chunk_plans"]

_NAMES = ["get_weather", "search", "read_file", "run_sql", "noop"]

texts = st.text(
    alphabet=st.characters(blacklist_categories=["Cs", "Cc"], blacklist_characters="\u2028\u2029"),
    min_size=1, max_size=24,
).map(Text)

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


@st.composite
def scripts(draw, *, max_steps: int = 6) -> Script:
    """A response: text runs and tool calls in any order (unique call ids)."""
    steps = draw(st.lists(st.one_of(texts, st.just("tool")), min_size=1, max_size=max_steps))
    out = []
    for n, s in enumerate(steps):
        if s == "tool":
            out.append(Tool(draw(st.sampled_from(_NAMES)), draw(_arguments), f"call_{n}"))
        else:
            out.append(s)
    return Script(out)


@st.composite
def chat_dialects(draw) -> ChatDialect:
    """The ways real Chat Completions providers stream the same response."""
    index = draw(st.sampled_from(["dense", "one", "zero", "missing"]))
    return ChatDialect(
        text_split=draw(st.integers(1, 8)),
        args_split=draw(st.integers(1, 12)),
        index=index,
        repeat_header=draw(st.booleans()),
        empty_id_on_continuation=draw(st.booleans()),
        whole_calls=draw(st.booleans()),
        interleave=index in ("dense", "one") and draw(st.booleans()),
        finish_in_last_chunk=draw(st.booleans()),
        empty_tool_calls_on_text=draw(st.booleans()),
        usage=draw(st.sampled_from(["none", "final_chunk", "every_chunk"])),
        done=draw(st.booleans()),
        data_space=draw(st.booleans()),
        eol=draw(st.sampled_from(["\n", "\r\n", "\r"])),
        keepalive=draw(st.booleans()),
    )


@st.composite
def chat_streams(draw) -> tuple[Script, ChatDialect, bytes]:
    """``(script, dialect, body)``: a script rendered as a Chat Completions SSE body."""
    script = draw(scripts())
    dialect = draw(chat_dialects())
    return script, dialect, render_chat(script, dialect)


@st.composite
def responses_dialects(draw) -> ResponsesDialect:
    """The ways OpenAI Responses servers and bridges stream the same response."""
    return ResponsesDialect(
        text_split=draw(st.integers(1, 8)),
        args_split=draw(st.integers(1, 12)),
        added_events=draw(st.booleans()),
        argument_deltas=draw(st.booleans()),
        sequence_numbers=draw(st.sampled_from(["dense", "missing", "gaps"])),
        event_lines=draw(st.booleans()),
        completed_output=draw(st.booleans()),
        rotate_item_ids=draw(st.booleans()),
        done_sentinel=draw(st.booleans()),
        reasoning_first=draw(st.booleans()),
        eol=draw(st.sampled_from(["\n", "\r\n"])),
    )


@st.composite
def responses_streams(draw) -> tuple[Script, ResponsesDialect, bytes]:
    """``(script, dialect, body)`` for ``openai.responses``."""
    script = draw(scripts())
    dialect = draw(responses_dialects())
    return script, dialect, render_responses(script, dialect)


@st.composite
def anthropic_dialects(draw) -> AnthropicDialect:
    """The ways the Anthropic API and compatible proxies stream the same message."""
    return AnthropicDialect(
        text_split=draw(st.integers(1, 8)),
        json_split=draw(st.integers(1, 12)),
        event_lines=draw(st.booleans()),
        ping_after_start=draw(st.booleans()),
        empty_first_fragment=draw(st.booleans()),
        message_stop=draw(st.booleans()),
        done_sentinel=draw(st.booleans()),
        thinking_first=draw(st.booleans()),
        eol=draw(st.sampled_from(["\n", "\r\n", "\r"])),
    )


@st.composite
def anthropic_streams(draw) -> tuple[Script, AnthropicDialect, bytes]:
    """``(script, dialect, body)`` for ``anthropic.messages``."""
    script = draw(scripts())
    dialect = draw(anthropic_dialects())
    return script, dialect, render_anthropic(script, dialect)


def streams(api: str) -> st.SearchStrategy:
    """``(script, dialect, body)`` streams for a wire API."""
    return {"openai.chat.completions": chat_streams, "openai.responses": responses_streams,
            "anthropic.messages": anthropic_streams}[api]()


def chunk_plans() -> st.SearchStrategy[str]:
    """Chunk plan names (every kind; random seeds and fixed sizes drawn)."""
    return st.one_of(
        st.sampled_from(["recorded", "event", "bytewise", "whole"]),
        st.integers(1, 64).map(lambda n: f"fixed:{n}"),
        st.integers(0, 2**32 - 1).map(lambda s: f"random:{s}"),
    )
