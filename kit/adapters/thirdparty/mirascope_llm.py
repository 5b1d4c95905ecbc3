"""Mirascope (v2): ``llm.Model(...).stream(..., tools=[...])``, then ``response.finish()``.

Mirascope's streaming guide (https://mirascope.com/docs/learn/llm/streaming) has
``model.stream(...)`` return an ``llm.StreamResponse``, consumed with ``.streams()``,
``.chunk_stream()``, ``.pretty_stream()`` or ``.finish()`` (which consumes everything);
the consumed response then holds the assistant message: ``content`` (text, thought and
tool-call parts in generation order, https://mirascope.com/docs/learn/llm/responses),
``tool_calls``, ``finish_reason`` and ``usage``. That is what this adapter reads, at the
model level (``llm.Model``) rather than through an agent loop, because executing the
tools (``response.execute_tools()``) is not part of consuming the stream and the corpus's
tools are not ours to run. Tools are declared with ``@llm.tool``; Mirascope does not
filter streamed calls by name, so calls to undeclared tools are kept.

The client points at the replay server through Mirascope's provider registry, the
documented way to set a base URL (``llm.register_provider(provider_id, scope=...,
base_url=..., api_key=...)``); the API is chosen by the model id, as Mirascope documents:
``openai/...:completions`` (Chat Completions), ``openai/...:responses`` (Responses),
``anthropic/...`` (Messages, ``anthropic_base(base_url)``). With tools declared the
default way (``strict`` not turned off) and a model that supports strict tools
(``claude-opus-4-6`` here), Mirascope sends Anthropic requests through its beta provider
(``client.beta.messages``) and decodes them with its beta decoder: that is the path graded.

Mapping: the ``content`` parts in order, ``Text`` -> SAY (one per part), ``ToolCall``
-> DO (``id``, ``name``, ``args``: the raw argument text Mirascope kept; it parses it
only when a tool is executed), ``Thought`` left out (never SAY); ``usage`` -> input and
output tokens (Mirascope's ``Usage.input_tokens`` "includes ALL input tokens, including
cache read and write tokens", which it reports as ``cache_read_tokens`` /
``cache_write_tokens``: they go to :func:`kit.adapters.client.plan_usage`, which takes them
out on Anthropic, as the wire counts input there; the rule every adapter shares). Mirascope
folds a refusal into a ``Text`` part, with finish ``refusal``, and has no refusal field ->
``refusal_as_text=True`` on Chat Completions and Responses (the refusal is expected as the
last text, and ``content_filter`` for its ``stop``; Anthropic streams carry no refusal text:
``omits`` it there); its content has no part for server-side tools (web search, code
interpreter, MCP: only a per-tool count in ``usage.provider_tool_usage``) ->
``omits`` ``server_tools``; it reads only ``choices[0]`` ->
``multi_choice=False``. **Finish reason:** Mirascope's ``FinishReason`` is "only set when
the response did not have a normal finish" (``max_tokens``, ``refusal``,
``context_length_exceeded``); ``None`` means it finished normally. So ``max_tokens`` and
``context_length_exceeded`` -> ``length``, ``refusal`` -> ``content_filter``, and ``None``
-> the Plan's normal finish, ``tool_calls`` when the message has tool calls, else
``stop`` (a stream that just stopped is therefore reported as Mirascope presents it: a
normal finish). Because the normal finish is derived from the calls Mirascope kept, a call
it drops shows first as ``finish_reason`` ``stop`` where the reference has ``tool_calls``.

Retries: Mirascope builds its own ``OpenAI`` / ``Anthropic`` clients and has no setting
for their ``max_retries`` (the SDK default, 2, stays); the replay server answers every
request with 200, so no retry is ever made. No network: Mirascope's ``ops`` tracing is
opt-in and not used; nothing is fetched at import or construction.

Capabilities: ``ordered`` yes (``StreamResponse.content`` is one sequence of parts, ``Text``,
``ToolCall``, ``Thought``, in stream order, ``mirascope/llm/responses/base_stream_response.py:120``,
read in that order); ``marks_undispatched`` no (a ``ToolCall`` is ``id``, ``name``, ``args``,
``mirascope/llm/content/tool_call.py:8``: nothing marks it cut off); ``multi_choice`` no
(``choices[0]``).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from kit.adapters import implementation
from kit.adapters.client import DUMMY_KEY, PlanOf, anthropic_base

PROMPT = "hi"
# the kinds of client call a user can request on Responses (call_types): function tools only;
# another provider tool than web search raises FeatureNotSupportedError (its Responses
# encoder), and there is no raw tool dict.
RESPONSES_CALL_TYPES = ("function_call",)
# on Anthropic: function tools (tool_use) and WebSearchTool, encoded as the web_search server tool
# (web_search_20250305, its Anthropic encoder); any other ProviderTool raises FeatureNotSupportedError,
# so an MCP connector or another server tool (tool search, code execution) cannot be requested
ANTHROPIC_CALL_TYPES = ("tool_use", "server_tool_use:web_search")


@cache
def _tools() -> tuple[Any, ...]:
    from mirascope import llm

    @llm.tool
    def get_weather(city: str) -> str:
        """Get the current weather for a city."""
        return ""

    @llm.tool
    def run_command(command: str) -> str:
        """Run a shell command."""
        return ""

    return (get_weather, run_command)


def _stream(provider: str, scope: str, base_url: str, model_id: str, api: str) -> dict[str, Any]:
    from mirascope import llm

    llm.register_provider(provider, scope=scope, base_url=base_url, api_key=DUMMY_KEY)
    response = llm.Model(model_id).stream(PROMPT, tools=list(_tools()))
    response.finish()
    plan = PlanOf(api)
    for n, part in enumerate(response.content):
        kind = getattr(part, "type", None)
        if kind == "text":
            plan.text(part.text, item=n)
        elif kind == "tool_call":
            plan.call(part.id, part.name, part.args)
    reason = getattr(response.finish_reason, "value", response.finish_reason)
    if reason is None:
        reason = "tool_calls" if response.tool_calls else "stop"  # Mirascope's "finished normally"
    plan.finish(reason)  # max_tokens, context_length_exceeded -> length; refusal -> content_filter
    if response.usage is not None:  # Mirascope's input_tokens includes the cache reads and writes
        plan.usage(response.usage.input_tokens, response.usage.output_tokens,
                   cache_read=response.usage.cache_read_tokens, cache_write=response.usage.cache_write_tokens,
                   cache_in_input=True)
    return plan.plan()


@implementation(apis=("chat",), multi_choice=False, omits=("server_tools",), refusal_as_text=True, ordered=True,
                marks_undispatched=False)
def chat_stream(base_url: str, *, api: str) -> dict[str, Any]:
    return _stream("openai", "openai/", base_url, "openai/gpt-4o-mini:completions", api)


@implementation(apis=("responses",), multi_choice=False, omits=("server_tools",), refusal_as_text=True,
                ordered=True,
                marks_undispatched=False, call_types=RESPONSES_CALL_TYPES)
def responses_stream(base_url: str, *, api: str) -> dict[str, Any]:
    return _stream("openai", "openai/", base_url, "openai/gpt-4o-mini:responses", api)


@implementation(apis=("anthropic",), multi_choice=False, omits=("refusal", "server_tools"), ordered=True,
                marks_undispatched=False, call_types=ANTHROPIC_CALL_TYPES)
def anthropic_stream(base_url: str, *, api: str) -> dict[str, Any]:
    return _stream("anthropic", "anthropic/", anthropic_base(base_url), "anthropic/claude-opus-4-6", api)
