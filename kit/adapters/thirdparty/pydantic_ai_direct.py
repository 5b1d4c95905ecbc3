"""pydantic-ai: a direct streamed model request, ``pydantic_ai.direct.model_request_stream``.

Documented pattern: "Direct Model Requests" (https://ai.pydantic.dev/direct/, API reference
``pydantic_ai.direct``): ``async with model_request_stream(model, messages,
model_request_parameters=ModelRequestParameters(function_tools=[ToolDefinition(...)])) as
stream: async for event in stream: ...``, then ``stream.get()`` for the accumulated
``ModelResponse``. The docs' tool example declares the tools with ``ToolDefinition`` in
``ModelRequestParameters.function_tools`` exactly like this. The direct API is the
documented layer "where the only abstraction is input and output schema translation": it
neither runs nor validates tool calls, so the corpus' varying tool names come back as the
model sent them, where an ``Agent`` run would execute the tools and send a retry prompt for
an unknown name (a second request to the same trace). The models are built the way the
"OpenAI" / "Anthropic" model pages show for a custom endpoint:
``OpenAIChatModel(name, provider=OpenAIProvider(base_url=..., api_key=...))``,
``OpenAIResponsesModel(...)``, ``AnthropicModel(name, provider=AnthropicProvider(base_url=...,
api_key=...))``.

Retries: the documented ``ModelSettings(max_retries=0)`` ("Override how many times the
provider SDK's client retries a failed request ... 0 makes a single attempt"), as a retry
only re-fetches the same trace. No network: pydantic-ai makes no calls of its own on this
path (no instrumentation unless asked, genai-prices' price update is opt-in), so no
environment variables are needed.

The ``ModelResponse`` parts are taken in order: ``TextPart`` -> SAY (each part its own SAY
for Responses items and Anthropic blocks; for Chat Completions adjacent parts are one run
of text, as on the wire), ``ToolCallPart`` -> DO (``tool_call_id``, ``tool_name``,
``args`` as the library kept it: the raw JSON string, or a dict); ``ThinkingPart``,
``NativeToolCallPart`` / ``NativeToolReturnPart`` (server-executed tools), files and
compaction parts are never SAY or DO. ``finish_reason`` is the response's (pydantic-ai's
OpenTelemetry-style ``stop | length | content_filter | tool_call | error``), except that a
response whose ``state`` is ``'suspended'`` ("the model paused mid-turn and expects a
continuation request", Anthropic ``pause_turn``, for which ``finish_reason`` is None) is
``incomplete``. On the Responses API, which has no finish reason, pydantic-ai maps the
status ``completed`` to ``stop`` whatever the output holds; it keeps that status in
``provider_details['finish_reason']``, and the Plan's finish is read from it by
:func:`kit.adapters.client.responses_finish`, the rule every adapter (and the reference)
reads a Responses status by: ``tool_calls`` when pydantic-ai kept a tool call, else
``stop``. Usage is ``input_tokens`` / ``output_tokens`` unless
``usage.unmeasured_requests`` says the response carried none (then the zeros "carry no
information", per ``RequestUsage``); pydantic-ai documents its ``input_tokens`` as the
total *including* the cache reads and writes, which it reports as ``cache_read_tokens`` /
``cache_write_tokens``: they go to :func:`kit.adapters.client.plan_usage`, which takes them
out on Anthropic, whose own ``input_tokens`` leaves them out (the Plan keeps the
provider's figure). The OpenAI refusal text is
``provider_details['refusal']``, where both OpenAI models keep it (Anthropic's
``stop_details`` explanation there is not a refusal message and is left out).

Gemini (``google``): ``GoogleModel(name, provider=GoogleProvider(api_key=..., base_url=...))``
as the "Google" model page shows (``pydantic-ai-slim[google]``, which reads the stream through
google-genai: ``sits_on`` it). ``GeminiStreamedResponse`` takes ``candidates[0]`` of each
payload, whatever its ``index``; each ``functionCall`` part is its own ``ToolCallPart``, and
a call the wire sent without ``id`` gets one pydantic-ai makes up (``pyd_ai_...``; the kit
does not grade an id the wire did not have). ``finish_reason`` is pydantic-ai's mapping of
``finishReason`` (``_FINISH_REASON_MAP`` in ``models/google.py``), graded as it is. Its
native tool parts name Gemini's server tools one to one (``GEMINI_SERVER_TOOLS``:
``code_execution`` call and return, ``web_search`` from Google Search grounding,
``web_fetch`` from URL context), so this row grades server tools.

Capabilities: one choice (the Chat Completions model reads ``chunk.choices[0]`` only, the
Google model ``candidates[0]``); on the other APIs ``server_tools`` omitted: pydantic-ai
keeps server-executed tools only in its own provider-neutral vocabulary (a
``NativeToolCallPart`` + ``NativeToolReturnPart`` pair named ``web_search``,
``code_execution``, ``mcp_server:<label>``...), not the wire item type and
name the Plan lists, and only for native tools the request enabled.

``ordered``: yes. ``ModelResponse.parts`` is one list of ``TextPart`` / ``ToolCallPart`` in the
order the stream opened them (``pydantic_ai/messages.py``, ``ModelResponse.parts``, built by
the parts manager per vendor part id), and the adapter reads that list in order.
``marks_undispatched``: yes. ``ModelResponse.state`` (``messages.py:182``,
``ModelResponseState``) is ``'incomplete'`` when "a streamed response ... was stopped before
completion" (``StreamedResponse.get()``, ``models/__init__.py:3160-3168``: the iteration did
not finish, or a Responses stream ended on a pending status,
``models/openai/_response_fields.py:36``) and ``'interrupted'`` when it was cut off; an agent
does not act on such a response, so every tool call of it is a DO that is not dispatched. A
call cut off by the output token limit is marked the way the agent graph marks it
(``check_incomplete_tool_call`` in ``_agent_graph.py``): ``finish_reason`` ``'length'``, the
response's last part, arguments that do not parse -> ``IncompleteToolCall`` is raised instead of
running it, so that DO is not dispatched either.
``multi_choice``: no (``chunk.choices[0]``, see above).
``call_types`` (Gemini): ``functionCall`` only, whole calls (see ``GEMINI_CALL_TYPES``).
"""

from __future__ import annotations

from typing import Any

from kit.adapters import implementation
from kit.adapters.client import DUMMY_KEY, PlanOf, anthropic_base, responses_finish

OPENAI_MODEL = "gpt-4.1"  # any name: the replay server answers every model with the trace
ANTHROPIC_MODEL = "claude-sonnet-4-6"
GOOGLE_MODEL = "gemini-2.5-flash"
OMITS = ("server_tools",)


# the kinds of client call a user can request on Responses (call_types): function tools, and
# the computer tool through the documented openai_native_tools setting (ComputerToolParam,
# pydantic_ai/models/openai/_settings.py); no custom (free-form) tools: tools are only ever
# FunctionToolParam. pydantic-ai asks for a computer call and drops it from its streamed
# response (a warning, "not yet implemented"): a lost call, graded. A client tool search
# (ToolSearchTool with a local callable, execution "client") is not a call of the wire's
# tool_search vocabulary: pydantic-ai declares its own `search_tools` schema ({"queries"})
# and reports the call as that function (normalize_tool_search_args folds a `paths` list into
# `queries`), so a stream whose tool search declares another schema is not one it requests.
RESPONSES_CALL_TYPES = ("function_call", "computer_call")
# Gemini's server tools as pydantic-ai names its native tool parts (models/google.py: executableCode and
# codeExecutionResult -> a code_execution call and return, a candidate's Google Search grounding -> a web_search
# call and return, its URL context metadata -> web_fetch), one to one with the Plan's types (id and name null)
GEMINI_SERVER_TOOLS = {("call", "code_execution"): "code_execution",
                       ("return", "code_execution"): "code_execution_result",
                       ("call", "web_search"): "google_search", ("call", "web_fetch"): "url_context"}
# on Gemini, whole function calls only: GoogleModel builds the request's function_calling_config
# itself (mode, allowed_function_names; models/google.py _function_calling_config) with no setting for
# streamed arguments (streamFunctionCallArguments), and reads no functionCall.partialArgs
GEMINI_CALL_TYPES = ("functionCall",)


def _tool() -> Any:
    from pydantic_ai import ToolDefinition

    return ToolDefinition(
        name="get_weather",
        description="Get the current weather for a city.",
        parameters_json_schema={"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    )


def _request(model: Any) -> Any:
    """One streamed direct request: iterate the events, then the accumulated ModelResponse."""
    import asyncio

    from pydantic_ai import ModelRequest
    from pydantic_ai.direct import model_request_stream
    from pydantic_ai.models import ModelRequestParameters
    from pydantic_ai.settings import ModelSettings

    async def run() -> Any:
        params = ModelRequestParameters(function_tools=[_tool()], allow_text_output=True)
        async with model_request_stream(model, [ModelRequest.user_text_prompt("hi")],
                                        model_settings=ModelSettings(max_retries=0),
                                        model_request_parameters=params) as stream:
            async for _event in stream:
                pass
            return stream.get()

    return asyncio.run(run())  # each case runs in its own worker thread: a fresh loop per case


def _cut_by_token_limit(response: Any, part: Any, *, last: bool) -> bool:
    """pydantic-ai's own mark of a tool call cut off by the output token limit: the agent graph
    (``GraphAgentState.check_incomplete_tool_call``, ``_agent_graph.py``) raises
    ``IncompleteToolCall`` instead of running the call when the response's ``finish_reason`` is
    ``'length'``, the call is its last part and its arguments do not parse
    (``ToolCallPart.args_as_dict(raise_if_invalid=True)`` raises)."""
    if response.finish_reason != "length" or not last:
        return False
    try:
        part.args_as_dict(raise_if_invalid=True)
    except Exception:
        return True
    return False


def _plan(api: str, response: Any, *, separate_parts: bool, refusal: bool,
          server_tools: dict[tuple[str, str], str] | None = None) -> dict[str, Any]:
    """``server_tools``: where pydantic-ai's native tool parts name the wire's server tools one to
    one (Gemini), ``(call | return, tool_name)`` -> the Plan's server tool type; parts it does not
    name are left out. None: the row omits server tools."""
    from pydantic_ai.messages import NativeToolCallPart, NativeToolReturnPart, TextPart, ToolCallPart

    plan = PlanOf(api)
    calls = 0
    # 'incomplete' (the stream ended before the response did) or 'interrupted' (cut off): pydantic-ai's
    # own mark that the response, and so each of its tool calls, is not to be acted on
    cut = response.state in ("incomplete", "interrupted")
    for n, part in enumerate(response.parts):
        if isinstance(part, TextPart):
            plan.text(part.content, item=n if separate_parts else None)
        elif isinstance(part, ToolCallPart):
            calls += 1
            last = n == len(response.parts) - 1
            plan.call(part.tool_call_id, part.tool_name, part.args,
                      dispatched=not cut and not _cut_by_token_limit(response, part, last=last))
        elif server_tools is not None and isinstance(part, (NativeToolCallPart, NativeToolReturnPart)):
            kind = server_tools.get(("call" if isinstance(part, NativeToolCallPart) else "return", part.tool_name))
            if kind is not None:
                plan.server_tool({"type": kind, "id": None, "name": None})
    details = response.provider_details or {}
    if refusal:
        plan.refusal(details.get("refusal"))
    if response.state == "suspended":
        # `finish_reason` has no value for a turn the model paused (Anthropic `pause_turn` maps to None);
        # pydantic-ai says so in `state`: 'suspended', "the model paused mid-turn and expects a continuation".
        plan.finish("incomplete")
    elif api == "openai.responses" and details.get("finish_reason") == "completed":
        # the Responses status pydantic-ai keeps, read by the rule every adapter shares
        plan.finish(responses_finish("completed", calls=calls > 0))
    else:
        plan.finish(response.finish_reason)
    usage = response.usage
    if usage is not None and not usage.unmeasured_requests:
        # pydantic-ai's input_tokens is a total that includes the cache reads and writes
        plan.usage(usage.input_tokens, usage.output_tokens, cache_read=usage.cache_read_tokens,
                   cache_write=usage.cache_write_tokens, cache_in_input=True)
    return plan.plan()


@implementation(apis=("chat",), multi_choice=False, omits=OMITS, ordered=True, marks_undispatched=True)
def chat(base_url: str, *, api: str) -> dict[str, Any]:
    from pydantic_ai.models.openai import OpenAIChatModel
    from pydantic_ai.providers.openai import OpenAIProvider

    model = OpenAIChatModel(OPENAI_MODEL, provider=OpenAIProvider(base_url=base_url, api_key=DUMMY_KEY))
    return _plan(api, _request(model), separate_parts=False, refusal=True)


@implementation(apis=("responses",), multi_choice=False, omits=OMITS, ordered=True, marks_undispatched=True,
                call_types=RESPONSES_CALL_TYPES)
def responses(base_url: str, *, api: str) -> dict[str, Any]:
    from pydantic_ai.models.openai import OpenAIResponsesModel
    from pydantic_ai.providers.openai import OpenAIProvider

    model = OpenAIResponsesModel(OPENAI_MODEL, provider=OpenAIProvider(base_url=base_url, api_key=DUMMY_KEY))
    return _plan(api, _request(model), separate_parts=True, refusal=True)


@implementation(apis=("anthropic",), multi_choice=False, omits=OMITS, ordered=True, marks_undispatched=True)
def anthropic(base_url: str, *, api: str) -> dict[str, Any]:
    from pydantic_ai.models.anthropic import AnthropicModel
    from pydantic_ai.providers.anthropic import AnthropicProvider

    provider = AnthropicProvider(base_url=anthropic_base(base_url), api_key=DUMMY_KEY)
    return _plan(api, _request(AnthropicModel(ANTHROPIC_MODEL, provider=provider)), separate_parts=True, refusal=False)


@implementation(apis=("gemini",), multi_choice=False, ordered=True, marks_undispatched=True,
                call_types=GEMINI_CALL_TYPES)
def google(base_url: str, *, api: str) -> dict[str, Any]:
    """The Gemini API: google-genai appends ``/v1beta/models/{model}:streamGenerateContent?alt=sse``
    to the base URL itself (see the module's docstring)."""
    from pydantic_ai.models.google import GoogleModel
    from pydantic_ai.providers.google import GoogleProvider

    provider = GoogleProvider(api_key=DUMMY_KEY, base_url=base_url)
    return _plan(api, _request(GoogleModel(GOOGLE_MODEL, provider=provider)), separate_parts=False, refusal=False,
                 server_tools=GEMINI_SERVER_TOOLS)
