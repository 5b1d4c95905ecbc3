"""Haystack chat generators: ``generator.run(messages, ...)`` with a ``streaming_callback``,
then the ``ChatMessage`` in ``replies[0]``.

Three adapters, each the way Haystack's documentation shows streaming with a chat
generator: construct the generator with a ``streaming_callback`` (the docs pass
``print_streaming_chunk``; here a callback that only collects the ``StreamingChunk`` s, so
nothing is printed) and ``tools=[Tool(...)]``, call ``run(messages=[ChatMessage.from_user(...)])``,
and read the final ``ChatMessage`` from ``result["replies"][0]``: ``.text``, ``.tool_calls``
(``ToolCall.id``, ``.tool_name``, ``.arguments`` as the dict Haystack parsed), ``.meta``
(``finish_reason``, ``usage``). Documented in docs.haystack.deepset.ai/docs/openaichatgenerator
(sections "Streaming" and "Usage" with tools), .../docs/openairesponseschatgenerator,
.../docs/anthropicchatgenerator, and .../docs/choosing-the-right-generator ("Streaming
Support": the callback gets every ``StreamingChunk``, the generator returns the complete
``ChatMessage`` in ``replies``).

The generators are model-level components: they only declare the tools to the model and
return the calls it made; executing them is a separate ``ToolInvoker`` / ``Agent`` which is
not used here. Haystack ``Tool`` s need a function, so one generic ``get_weather`` tool with a
no-op function is declared; the generators do not check returned call names against the
declared tools (``haystack/components/generators/utils.py:_convert_streaming_chunks_to_chat_message``
and the Responses / Anthropic counterparts keep every call), so traces calling
``file_write``, ``run_command``... are graded as such.

- ``openai_chat`` (Chat Completions): ``OpenAIChatGenerator(api_base_url=...)``. The
  ``ChatMessage`` is one text plus a list of tool calls: SAY first, then one DO per call
  (``id``, ``tool_name``, ``arguments``). A call whose arguments are not valid JSON is dropped
  by Haystack with a warning (``utils.py``, ``except json.JSONDecodeError``). Haystack
  refuses to stream ``n > 1`` and asserts one choice per chunk, so not multi-choice. The
  finish reason is Haystack's (``stop``/``length``/``tool_calls``/``content_filter``, an unknown
  value becomes None); usage is ``meta["usage"]`` (``prompt_tokens``/``completion_tokens``).
  ``delta.refusal`` is not kept anywhere in the ``ChatMessage``: omits refusal.
- ``openai_responses`` (Responses): ``OpenAIResponsesChatGenerator(api_base_url=...)``. Text
  is every ``response.output_text.delta`` joined into one string; the call id is the
  ``call_id`` Haystack keeps in ``ToolCall.extra`` (``ToolCall.id`` is the ``fc_`` item id;
  Haystack sends ``extra["call_id"]`` back with the tool result,
  ``openai_responses.py:_convert_chat_message_to_responses_api_format``). Finish reason and
  usage come from ``meta`` (the final response minus its ``output``). Haystack gives a finish
  reason only for ``response.completed`` / ``response.incomplete``; a ``response.failed``
  stream ends with none, but ``meta`` is then the failed response: ``status: "failed"`` and
  its ``error`` (code, message), which are the error and, read by
  :func:`kit.adapters.client.responses_finish` (the rule every adapter shares), the finish
  ``error``. A top-level ``error`` event reaches only the streaming callback, not the
  ``ChatMessage``: nothing of it is reported. Refusals and
  server-executed tools are not carried by the streamed ``ChatMessage``: omits refusal and
  server_tools.
- ``anthropic_chat`` (Anthropic Messages): ``AnthropicChatGenerator`` from
  ``anthropic-haystack``. It has **no base URL parameter**; the ``anthropic.Anthropic``
  client it builds in ``warm_up()`` reads ``ANTHROPIC_BASE_URL`` (the SDK's documented
  environment variable), so that variable is set to the case's base URL while ``warm_up()``
  builds the client (under a lock, restored right after; cases run one at a time). A web
  search server tool is declared with ``anthropic_server_tools`` (as Haystack documents for
  Anthropic server tools): only then does Haystack keep server-tool blocks, in
  ``meta["raw_content_for_server_tools"]``, which map to server tools. Usage is Haystack's
  OpenAI-style ``prompt_tokens`` (input plus cache tokens) and ``completion_tokens``; the
  cache tokens, which Haystack keeps beside them (``cache_read_input_tokens``,
  ``cache_creation_input_tokens``), are given to :func:`kit.adapters.client.plan_usage`,
  which takes them out, as the Anthropic wire counts input (the rule every adapter shares).
  A ``ChatMessage`` has no refusal field (a ``refusal`` stop is only the finish reason
  ``content_filter``): omits refusal.

Retries are off (``max_retries=0``): a retry would only re-fetch the same trace.

Offline: Haystack sends anonymous usage telemetry to Posthog unless
``HAYSTACK_TELEMETRY_ENABLED=False``, which this module sets before Haystack is imported.
No tokenizer or model download is on these code paths.

Capabilities, from what the ``ChatMessage`` can say:

- ``ordered``: no, for all three. Haystack builds the reply with
  ``ChatMessage.from_assistant(text=..., tool_calls=...)`` (``haystack/components/generators/
  utils.py:200`` for Chat and Anthropic, ``chat/openai_responses.py:705`` for Responses): the
  text joined into one ``TextContent`` first, then the ``ToolCall`` s, whatever order the
  stream had.
- ``holds_invalid_arguments``: no. ``ToolCall.arguments`` is a dict: a call whose
  arguments do not parse cannot be held, and Haystack drops it with a warning (by design,
  ``except json.JSONDecodeError`` in each converter), so dropping one is not graded;
  repairing one into a valid call would be.
- ``marks_undispatched``: no. A ``ToolCall`` is ``id``, ``tool_name``, ``arguments``,
  ``extra``: nothing marks a call cut off (a call whose arguments do not parse is dropped
  with a warning instead, see above).
- ``multi_choice``: no (see above).
"""

from __future__ import annotations

import os
import threading
from typing import Any

from kit.adapters import implementation
from kit.adapters.client import DUMMY_KEY, PlanOf, anthropic_base, is_server_tool, responses_finish

# before haystack is imported: no Posthog telemetry
os.environ["HAYSTACK_TELEMETRY_ENABLED"] = "False"

PROMPT = "What's the weather in Berlin?"
OPENAI_MODEL = "gpt-4o"  # any name: the replay server answers every model with the trace
ANTHROPIC_MODEL = "claude-sonnet-4-6"
PARAMETERS = {
    "type": "object",
    "properties": {"location": {"type": "string", "description": "The city, e.g. Berlin"},
                   "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
    "required": ["location"],
}
SERVER_TOOLS = [{"type": "web_search_20250305", "name": "web_search", "max_uses": 3}]
_ENV_LOCK = threading.Lock()


def _get_weather(location: str, unit: str = "celsius") -> str:  # never called: no ToolInvoker
    return f"20 degrees {unit} in {location}"


def _tools() -> list[Any]:
    from haystack.tools import Tool

    return [Tool(name="get_weather", description="Get the current weather in a given location",
                 parameters=PARAMETERS, function=_get_weather)]


def _usage(plan: PlanOf, usage: Any, inp: str, out: str, *, cache_in_input: bool = False) -> None:
    if isinstance(usage, dict):
        plan.usage(usage.get(inp), usage.get(out), cache_read=usage.get("cache_read_input_tokens"),
                   cache_write=usage.get("cache_creation_input_tokens"), cache_in_input=cache_in_input)


@implementation(apis=("chat",), multi_choice=False, omits=("refusal",), ordered=False, marks_undispatched=False,
                holds_invalid_arguments=False)
def openai_chat(base_url: str, *, api: str) -> dict[str, Any]:
    from haystack.components.generators.chat import OpenAIChatGenerator
    from haystack.dataclasses import ChatMessage
    from haystack.utils import Secret

    chunks: list[Any] = []
    generator = OpenAIChatGenerator(api_key=Secret.from_token(DUMMY_KEY), model=OPENAI_MODEL,
                                    api_base_url=base_url, streaming_callback=chunks.append,
                                    tools=_tools(), max_retries=0)
    try:
        reply = generator.run(messages=[ChatMessage.from_user(PROMPT)])["replies"][0]
    finally:
        generator.close()
    plan = PlanOf(api)
    plan.text(reply.text)
    for call in reply.tool_calls:
        plan.call(call.id, call.tool_name, call.arguments)
    plan.finish(reply.meta.get("finish_reason"))
    _usage(plan, reply.meta.get("usage"), "prompt_tokens", "completion_tokens")
    return plan.plan()


@implementation(apis=("responses",), multi_choice=False, omits=("refusal", "server_tools"), ordered=False,
                marks_undispatched=False, holds_invalid_arguments=False)
def openai_responses(base_url: str, *, api: str) -> dict[str, Any]:
    from haystack.components.generators.chat import OpenAIResponsesChatGenerator
    from haystack.dataclasses import ChatMessage
    from haystack.utils import Secret

    chunks: list[Any] = []
    generator = OpenAIResponsesChatGenerator(api_key=Secret.from_token(DUMMY_KEY), model=OPENAI_MODEL,
                                             api_base_url=base_url, streaming_callback=chunks.append,
                                             tools=_tools(), max_retries=0)
    try:
        reply = generator.run(messages=[ChatMessage.from_user(PROMPT)])["replies"][0]
    finally:
        generator.close()
    plan = PlanOf(api)
    plan.text(reply.text)
    for call in reply.tool_calls:
        plan.call((call.extra or {}).get("call_id"), call.tool_name, call.arguments)
    meta = reply.meta
    finish = meta.get("finish_reason")
    if meta.get("status") == "failed":  # a response.failed stream: meta is the failed response
        error = meta.get("error")
        plan.error((error.get("message") if isinstance(error, dict) else None) or "response.failed",
                   type=error.get("code") if isinstance(error, dict) else None)
        if finish is None:
            finish = responses_finish("failed", calls=bool(reply.tool_calls))
    plan.finish(finish)
    _usage(plan, meta.get("usage"), "input_tokens", "output_tokens")
    return plan.plan()


@implementation(apis=("anthropic",), multi_choice=False, omits=("refusal",), ordered=False,
                marks_undispatched=False, holds_invalid_arguments=False)
def anthropic_chat(base_url: str, *, api: str) -> dict[str, Any]:
    from haystack.dataclasses import ChatMessage
    from haystack.utils import Secret
    from haystack_integrations.components.generators.anthropic import AnthropicChatGenerator

    chunks: list[Any] = []
    generator = AnthropicChatGenerator(api_key=Secret.from_token(DUMMY_KEY), model=ANTHROPIC_MODEL,
                                       streaming_callback=chunks.append, tools=_tools(),
                                       anthropic_server_tools=SERVER_TOOLS, max_retries=0)
    # no base URL parameter: the anthropic SDK reads ANTHROPIC_BASE_URL when warm_up() builds the client
    with _ENV_LOCK:
        before = os.environ.get("ANTHROPIC_BASE_URL")
        os.environ["ANTHROPIC_BASE_URL"] = anthropic_base(base_url)
        try:
            generator.warm_up()
        finally:
            if before is None:
                os.environ.pop("ANTHROPIC_BASE_URL", None)
            else:
                os.environ["ANTHROPIC_BASE_URL"] = before
    try:
        reply = generator.run(messages=[ChatMessage.from_user(PROMPT)])["replies"][0]
    finally:
        generator.close()
    plan = PlanOf(api)
    plan.text(reply.text)
    for call in reply.tool_calls:
        plan.call(call.id, call.tool_name, call.arguments)
    for block in reply.meta.get("raw_content_for_server_tools") or []:
        kind = str(block.get("type", ""))
        if is_server_tool(api, kind):
            plan.server_tool({"type": kind, "id": block.get("id") or block.get("tool_use_id"),
                              "name": block.get("name")})
    plan.finish(reply.meta.get("finish_reason"))
    _usage(plan, reply.meta.get("usage"), "prompt_tokens", "completion_tokens", cache_in_input=True)
    return plan.plan()
