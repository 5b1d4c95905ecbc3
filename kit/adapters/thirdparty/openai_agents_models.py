"""openai-agents (the OpenAI Agents SDK): ``Model.stream_response(...)``, consumed as the Runner does.

Documented pattern: the SDK's own consumer of a model stream is the agent loop,
``Runner.run_streamed(agent, input)`` + ``async for event in result.stream_events()``
("Streaming", https://openai.github.io/openai-agents-python/streaming/). That loop executes
the tool calls and rejects a name the agent has no tool for (``ModelBehaviorError: Tool ...
not found``), and the corpus' tool names vary from trace to trace, so this adapter calls the
documented layer the Runner itself calls: the ``Model`` interface
(https://openai.github.io/openai-agents-python/ref/models/interface/), whose
``stream_response(system_instructions, input, model_settings, tools, output_schema,
handoffs, tracing, *, previous_response_id, conversation_id, prompt)`` yields Responses
stream events ("in OpenAI Responses format"; for ``OpenAIChatCompletionsModel`` they come
from the SDK's own Chat Completions -> Responses converter, ``ChatCmplStreamHandler``,
which is what is graded on Chat traces). The events are taken exactly as the Runner takes
them (``agents/run_internal/run_loop.py``, the ``async for event in model_events`` loop):
the final response is the ``response.completed`` event's (``response.incomplete`` /
``response.failed`` and ``error`` events end in the ``ModelBehaviorError`` that
``OpenAIResponsesModel.stream_response`` raises itself, as the Runner would), a completed response with an empty ``output`` takes the items of
the ``output_item.done`` events, and no completed response is ``ModelBehaviorError("Model
did not produce a final response!")``. The models are built as the "Using other LLM
providers" / models pages show: ``OpenAIChatCompletionsModel(model=..., openai_client=
AsyncOpenAI(base_url=..., api_key=...))`` and ``OpenAIResponsesModel(...)``; one function
tool is declared with ``@function_tool`` (the request is not read by the replay server).

Retries: the ``AsyncOpenAI`` client is built with ``max_retries=0`` (a retry only re-fetches
the same trace); ``ModelSettings.retry`` is left unset, so the SDK's own runner-level retry is
off as well. No network: tracing would export spans to OpenAI, so
``OPENAI_AGENTS_DISABLE_TRACING=1`` is set before the SDK is imported, the functions also
call ``set_tracing_disabled(True)``, and the model is called with ``ModelTracing.DISABLED``.

The final ``Response.output`` items are taken in order: ``message`` -> its ``output_text``
parts as SAY (one SAY per message item), its ``refusal`` parts as the refusal;
``function_call`` -> DO (``call_id``, ``name``, ``arguments`` as the raw string);
``custom_tool_call`` -> DO whose parameters are its free-form ``input`` string (given to
the Plan as that JSON string value); ``computer_call``, ``local_shell_call``,
``shell_call``, ``apply_patch_call`` -> DO named after the type, parameters the item's
``action`` / ``operation``, a client tool search's ``arguments``; web/file search, code
interpreter, image generation, MCP items and server-run calls -> server tools (``type``,
``id``, ``name``); reasoning items are left out. On Responses who runs a call is read per
item by :func:`kit.adapters.client.is_client_call` / ``is_server_tool``, given the item (the
openai SDK model keeps its ``execution``, ``environment``, ``name``), the response's
``tools`` and the call ids of the output items before it (a call whose output came first is
the server's). Usage is the response's ``input_tokens`` / ``output_tokens`` when it has usage.

Capabilities: one choice (the Chat converter processes choice 0 only); ``finish_reason``
omitted: neither the stream's final ``Response`` nor the ``ModelResponse`` the Runner makes
of it carries one (the Chat converter drops ``finish_reason``; a Responses turn that did
not complete is an exception, not a result).

``ordered``: yes on Responses: ``Response.output`` is the list of output items in stream
order (message items and call items apart), read in that order. No on Chat Completions: the
Chat converter keeps one text accumulator and builds one message item per response
(``agents/models/chatcmpl_stream_handler.py``), so text on both sides of a call lands in
one item and its order against the calls cannot be expressed; the items are laid out in the
order of the content indexes it announced (``function_calls_before_message``, around line
1313).
``marks_undispatched``: yes. A call item has ``status: "in_progress" | "completed" |
"incomplete"`` (``openai/types/responses/response_function_tool_call.py:59``, likewise the
custom, computer, shell and patch calls); an item ``incomplete`` is a DO that is not
dispatched, as the openai SDK and litellm Responses adapters read it. (The Runner itself
does not look at a function call's status before running it,
``agents/run_internal/turn_resolution.py``; a converter that stamps a cut call
``completed`` gives a dispatched DO and is graded so.)
``multi_choice``: no (the Chat converter reads ``choices[0]``).
"""

from __future__ import annotations

import os
from typing import Any

os.environ.setdefault("OPENAI_AGENTS_DISABLE_TRACING", "1")  # before the SDK is imported: no trace export

from kit.adapters import implementation  # noqa: E402
from kit.adapters.client import DUMMY_KEY, PlanOf, is_client_call, is_server_tool, note_output  # noqa: E402

MODEL = "gpt-4.1"  # any name: the replay server answers every model with the trace
OMITS = ("finish_reason",)
ACTION_CALLS = {"computer_call", "local_shell_call", "shell_call", "apply_patch_call"}


def get_weather(city: str) -> str:
    """Get the current weather for a city.

    Args:
        city: The city to look up.
    """
    return "sunny"


def _client(base_url: str) -> Any:
    from openai import AsyncOpenAI

    return AsyncOpenAI(base_url=base_url, api_key=DUMMY_KEY, max_retries=0)


def _stream(model: Any) -> Any:
    """The model's final Response, taken from its stream the way the Runner takes it."""
    import asyncio

    from agents import ModelSettings, function_tool, set_tracing_disabled
    from agents.exceptions import ModelBehaviorError
    from agents.models.interface import ModelTracing

    set_tracing_disabled(True)
    tool = function_tool(get_weather)

    async def run() -> Any:
        final = None
        streamed_output: list[Any] = []
        events = model.stream_response(None, "hi", ModelSettings(), [tool], None, [], ModelTracing.DISABLED,
                                       previous_response_id=None, conversation_id=None, prompt=None)
        async for event in events:
            kind = getattr(event, "type", None)
            if kind == "response.completed":
                final = event.response
                if not final.output and streamed_output:
                    final.output = list(streamed_output)
            # `response.incomplete` / `response.failed` / `error`: OpenAIResponsesModel.stream_response raises
            # the Runner's ModelBehaviorError itself right after yielding the event (the Chat converter never
            # yields them), so the library's own exception propagates from the loop
            if kind == "response.output_item.done":
                streamed_output.append(event.item)
        if final is None:  # the Runner's words for a stream without a completed response (run_loop.py)
            raise ModelBehaviorError("Model did not produce a final response!")
        return final

    return asyncio.run(run())  # each case runs in its own worker thread: a fresh loop per case


def _dump(value: Any) -> Any:
    if hasattr(value, "to_dict"):
        return value.to_dict()  # the fields the payload had (exclude_unset), as JSON values
    return value


def _complete(item: Any) -> bool:
    """Whether a call item is not marked as cut off: ``status: "incomplete"`` is the Responses
    item's own word that the call did not finish (see the module docstring)."""
    return getattr(item, "status", None) != "incomplete"


def _plan(api: str, response: Any) -> dict[str, Any]:
    plan = PlanOf(api)
    # Responses: who runs a call is read per item (its execution, environment, name), with the
    # response's declared tools and the call ids of the output items before it
    tools = getattr(response, "tools", None)
    outputs: set[str] = set()
    for n, item in enumerate(response.output or []):
        kind = getattr(item, "type", None)
        client = is_client_call(api, kind, item, tools, earlier_outputs=outputs) if api == "openai.responses" \
            else kind in ("function_call", "custom_tool_call") or kind in ACTION_CALLS
        if kind == "message":
            for part in item.content or []:
                if getattr(part, "type", None) == "output_text":
                    plan.text(part.text, item=n)
                elif getattr(part, "type", None) == "refusal":
                    plan.refusal(part.refusal)
        elif not client:
            if is_server_tool(api, kind, item, tools, earlier_outputs=outputs):
                name = getattr(item, "name", None)
                plan.server_tool({"type": kind, "id": getattr(item, "id", None),
                                  "name": name if isinstance(name, str) else None})
        elif kind == "function_call":
            plan.call(item.call_id, item.name, item.arguments, dispatched=_complete(item))
        elif kind == "custom_tool_call":
            plan.call(item.call_id, item.name, item.input, free_form=True, dispatched=_complete(item))
        else:  # an action call (computer, shell, patch) or a client tool search: its action as parameters
            action = next((getattr(item, k) for k in ("action", "operation", "actions", "arguments")
                           if getattr(item, k, None) is not None), None)
            plan.call(getattr(item, "call_id", None), kind.removesuffix("_call"), _dump(action),
                      dispatched=_complete(item))
        note_output(outputs, kind, getattr(item, "call_id", None))
    usage = response.usage
    if usage is not None:
        plan.usage(usage.input_tokens, usage.output_tokens)
    return plan.plan()


@implementation(apis=("chat",), multi_choice=False, omits=OMITS, ordered=False, marks_undispatched=True)
def chat(base_url: str, *, api: str) -> dict[str, Any]:
    from agents import OpenAIChatCompletionsModel

    return _plan(api, _stream(OpenAIChatCompletionsModel(model=MODEL, openai_client=_client(base_url))))


@implementation(apis=("responses",), multi_choice=False, omits=OMITS, ordered=True, marks_undispatched=True)
def responses(base_url: str, *, api: str) -> dict[str, Any]:
    from agents import OpenAIResponsesModel

    return _plan(api, _stream(OpenAIResponsesModel(model=MODEL, openai_client=_client(base_url))))
