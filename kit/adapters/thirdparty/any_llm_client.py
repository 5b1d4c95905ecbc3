"""any-llm (mozilla-ai): ``any_llm.completion(..., stream=True)`` folded by any-llm's own
``ChatCompletionAccumulator``, and ``any_llm.responses(..., stream=True)``.

Three adapters:

- ``chat_stream`` (Chat Completions, ``provider="openai"``) and ``anthropic_stream``
  (Anthropic Messages, ``provider="anthropic"``): the quickstart's "Streaming" section
  (docs.mozilla.ai/any-llm/quickstart) iterates ``completion(model=..., provider=...,
  messages=..., stream=True)`` and reads ``chunk.choices[0].delta``; tools are passed as
  OpenAI tool dicts (``tools=[{"type": "function", "function": {...}}]``, the
  ``completion()`` docstring). To get the whole message (text, tool calls, finish reason,
  usage) any-llm ships ``any_llm.utils.streaming.ChatCompletionAccumulator`` (and
  ``accumulate_chunks``), whose docstring shows exactly this: ``for chunk in stream:
  accumulator.add(chunk)`` then ``accumulator.completion.choices[0].message``; that
  accumulator is used, so these rows grade any-llm's chunk conversion *and* its
  accumulator. ``completion()`` is the model-level API: it returns the calls and never
  validates or executes them, so trace tool names need not match the one declared. For
  Anthropic any-llm drives the anthropic SDK's ``client.messages.stream()`` and converts
  each event to an OpenAI-style chunk itself (``providers/anthropic/utils.py:
  _create_openai_chunk_from_anthropic_chunk``); its ``api_base`` is the Anthropic base
  without ``/v1``.

  Per choice of the accumulated ``ChatCompletion``: ``message.content`` -> SAY, then one DO
  per ``message.tool_calls`` entry (``id``, ``function.name``, ``function.arguments`` as
  joined), ``message.refusal`` -> refusal, ``finish_reason`` -> finish; ``usage.prompt_tokens``
  / ``completion_tokens`` -> usage. For Anthropic any-llm folds cache reads and writes into
  ``prompt_tokens``, as OpenAI counts them, and reports them in ``prompt_tokens_details``
  (``cached_tokens``, ``cache_write_tokens``); they are given to
  :func:`kit.adapters.client.plan_usage`, which takes them out on Anthropic, as the wire
  counts input there (the rule every adapter shares). The accumulator keeps every choice, so the chat
  adapter is multi-choice. It raises ``ValueError`` when a choice never got a finish reason
  (a stream cut short): that is its answer. The converted Anthropic chunks have no place
  for server-tool blocks: omits server_tools. On Anthropic ``message.refusal`` carries no
  stream data either: the Messages wire has no refusal text, and any-llm writes one fixed
  sentence there (``providers/anthropic/utils.py``, ``_ANTHROPIC_CONTENT_FILTER_REFUSAL``)
  exactly when ``stop_reason`` is ``refusal``, which it also reports as the finish
  ``content_filter`` (graded): the Anthropic row omits refusal too.

- ``responses_stream`` (Responses, ``provider="openai"``): any-llm documents
  ``responses(..., stream=True)`` (docs.mozilla.ai/any-llm/api/responses, "Streaming":
  ``for event in stream: if event.type == "response.output_text.delta": ...``) and, for the
  ``openai`` provider, passes the OpenAI SDK's typed events through unchanged. any-llm has
  no Responses accumulator and its docs only print text deltas, so the events are folded
  the way OpenAI's function-calling guide shows for streamed Responses
  (platform.openai.com/docs/guides/function-calling, "Streaming"): a ``function_call`` item
  from ``response.output_item.added`` per ``output_index``, its ``arguments`` extended by
  each ``response.function_call_arguments.delta``; text is ``response.output_text.delta``
  (SAY per output item) and ``response.refusal.delta`` the refusal, in arrival order. The
  terminal event (``response.completed`` / ``.incomplete`` / ``.failed``) gives status and
  usage, the status read by :func:`kit.adapters.client.responses_finish` (the rule every
  adapter shares): completed -> ``tool_calls`` if a call was collected else ``stop``,
  incomplete -> by its ``incomplete_details.reason``, failed -> ``error`` (with its
  message); an ``error`` event is an error. This row therefore grades the OpenAI SDK's event parsing under any-llm plus that
  documented recipe, not an any-llm accumulator. The recipe keeps only function calls and
  text: omits server_tools.

Retries are off (``client_args={"max_retries": 0}``, passed to the provider's SDK client):
a retry would only re-fetch the same trace.

Offline: any-llm has no telemetry and downloads nothing at import or on these code paths;
no environment variables are needed.

Capabilities, from what the result can say:

- ``any-llm-openai`` / ``any-llm-anthropic``: the accumulated ``ChatCompletion``
  (``any_llm/utils/streaming.py:98``, ``ChatCompletionAccumulator``: per choice, the text
  pieces joined into ``message.content`` and the calls in ``message.tool_calls``).
  ``ordered`` no (one content string beside the calls); ``marks_undispatched`` no (a
  ``ChatCompletionMessageToolCall`` has no status; a choice without a finish reason makes
  the accumulator raise instead); ``multi_choice``: yes for OpenAI (the accumulator keeps
  one state per choice ``index``), no for Anthropic (one message).
- ``any-llm-responses`` (the guide's recipe over the SDK's events): ``ordered`` yes (the
  fold keeps the text and call items in output order); ``marks_undispatched`` no (the
  recipe keeps the item of ``response.output_item.added``, ``status: "in_progress"``, and
  adds the argument deltas; it never reads the finished item, so nothing it keeps says a
  call was cut off); ``call_types`` ``function_call``: the loop is the function-calling
  guide's, and a user following it offers function tools only (computer use and custom
  tools have guides of their own).
"""

from __future__ import annotations

from typing import Any

from kit.adapters import implementation
from kit.adapters.client import DUMMY_KEY, PlanOf, anthropic_base, responses_finish

OPENAI_MODEL = "gpt-4o"  # any name: the replay server answers every model with the trace
ANTHROPIC_MODEL = "claude-sonnet-4-6"
MESSAGES = [{"role": "user", "content": "What's the weather in Berlin?"}]
TOOLS = [{
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather in a given location",
        "parameters": {
            "type": "object",
            "properties": {"location": {"type": "string", "description": "The city, e.g. Berlin"},
                           "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
            "required": ["location"],
        },
    },
}]
CLIENT_ARGS = {"max_retries": 0}


def _completion_plan(api: str, provider: str, model: str, api_base: str) -> dict[str, Any]:
    from any_llm import completion
    from any_llm.utils.streaming import ChatCompletionAccumulator

    accumulator = ChatCompletionAccumulator()
    for chunk in completion(model=model, provider=provider, messages=MESSAGES, tools=TOOLS, stream=True,
                            api_key=DUMMY_KEY, api_base=api_base, client_args=dict(CLIENT_ARGS)):
        accumulator.add(chunk)
    result = accumulator.completion
    plan = PlanOf(api)
    for choice in result.choices:
        message = choice.message
        plan.text(message.content, choice=choice.index)
        for call in message.tool_calls or []:
            function = getattr(call, "function", None)
            plan.call(call.id, getattr(function, "name", None), getattr(function, "arguments", None),
                      choice=choice.index)
        plan.refusal(message.refusal, choice=choice.index)
        plan.finish(choice.finish_reason, choice=choice.index)
    if result.usage is not None:
        details = getattr(result.usage, "prompt_tokens_details", None)  # cache reads/writes, inside prompt_tokens
        plan.usage(result.usage.prompt_tokens, result.usage.completion_tokens,
                   cache_read=getattr(details, "cached_tokens", None),
                   cache_write=getattr(details, "cache_write_tokens", None), cache_in_input=True)
    return plan.plan()


@implementation(apis=("chat",), multi_choice=True, ordered=False, marks_undispatched=False)
def chat_stream(base_url: str, *, api: str) -> dict[str, Any]:
    return _completion_plan(api, "openai", OPENAI_MODEL, base_url)


@implementation(apis=("anthropic",), multi_choice=False, omits=("server_tools", "refusal"), ordered=False,
                marks_undispatched=False)
def anthropic_stream(base_url: str, *, api: str) -> dict[str, Any]:
    return _completion_plan(api, "anthropic", ANTHROPIC_MODEL, anthropic_base(base_url))


@implementation(apis=("responses",), multi_choice=False, omits=("server_tools",), ordered=True,
                marks_undispatched=False, call_types=("function_call",))  # the function-calling guide's loop
def responses_stream(base_url: str, *, api: str) -> dict[str, Any]:
    from any_llm import responses

    plan = PlanOf(api)
    # what the consumer has collected, in arrival order: ("text", output_index) / ("call", output_index)
    order: list[tuple[str, int]] = []
    texts: dict[int, list[str]] = {}
    calls: dict[int, Any] = {}
    refusal: list[str] = []
    final: Any = None
    status: str | None = None  # how the terminal event says the response ended
    error: str | None = None
    for event in responses(model=OPENAI_MODEL, provider="openai", input_data=MESSAGES[0]["content"], tools=TOOLS,
                           stream=True, api_key=DUMMY_KEY, api_base=base_url, client_args=dict(CLIENT_ARGS)):
        kind = getattr(event, "type", None)
        if kind == "response.output_item.added" and getattr(event.item, "type", None) == "function_call":
            calls[event.output_index] = event.item
            order.append(("call", event.output_index))
        elif kind == "response.function_call_arguments.delta":
            if calls.get(event.output_index) is not None:
                calls[event.output_index].arguments += event.delta
        elif kind == "response.output_text.delta":
            if event.output_index not in texts:
                texts[event.output_index] = []
                order.append(("text", event.output_index))
            texts[event.output_index].append(event.delta)
        elif kind == "response.refusal.delta":
            refusal.append(event.delta)
        elif kind in ("response.completed", "response.incomplete", "response.failed"):
            final, status = event.response, kind.removeprefix("response.")  # the event says how it ended
        elif kind == "error":
            error = getattr(event, "message", None) or "error event"
    for what, index in order:
        if what == "text":
            plan.text("".join(texts[index]), item=index)
        else:
            item = calls[index]
            plan.call(item.call_id, item.name, item.arguments)
    plan.refusal("".join(refusal))
    if error is not None:
        plan.error(error)
    if final is not None:
        if status == "failed":
            err = getattr(final, "error", None)
            plan.error(getattr(err, "message", None) or "response.failed")
        plan.finish(responses_finish(status, getattr(getattr(final, "incomplete_details", None), "reason", None),
                                     calls=bool(calls)))
        usage = getattr(final, "usage", None)
        if usage is not None:
            plan.usage(usage.input_tokens, usage.output_tokens)
    elif error is not None:
        plan.finish("error")
    return plan.plan()
