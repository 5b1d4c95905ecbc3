"""litellm: ``litellm.completion(..., stream=True)`` + ``litellm.stream_chunk_builder(...)``,
and ``litellm.responses(..., stream=True)``.

Four adapters, each the way litellm's own documentation shows:

- ``chat_stream`` (Chat Completions, ``model="openai/..."``) and ``anthropic_stream``
  (Anthropic Messages, ``model="anthropic/..."``): "Streaming + Async" in the litellm docs
  (docs.litellm.ai/docs/completion/stream, section "Helper function"): iterate the
  ``completion(..., stream=True)`` wrapper, collect every chunk, then
  ``litellm.stream_chunk_builder(chunks, messages=messages)`` "to rebuild the complete
  streaming response from the list of chunks". Tools are declared as the function-calling
  guide shows (docs.litellm.ai/docs/completion/function_call: ``tools=[{"type": "function",
  "function": {...}}]``). ``completion()`` is the model-level API: it returns the model's
  tool calls and never validates or executes them, so the trace's tool names need not match
  the one declared (litellm's agent/MCP layers would execute tools; they are not used). For
  Anthropic, litellm translates the Messages stream into OpenAI-style chunks itself; its
  ``api_base`` is the Anthropic base without ``/v1`` (litellm appends ``/v1/messages``:
  "Custom API Base" in docs.litellm.ai/docs/providers/anthropic, ``litellm/main.py``
  ``_complete_anthropic``).

  The rebuilt ``ModelResponse`` has one choice (``ChunkProcessor.build_base_response``
  makes only ``choices[0]`` and joins the content of every choice into it), so these
  adapters are not multi-choice. Its message is one ``content`` string plus a list of
  ``tool_calls``: SAY first, then one DO per call (``id``, ``function.name``,
  ``function.arguments`` as litellm joined them; a custom tool call's ``custom.input`` as
  free text). Anthropic server-tool results, which litellm keeps in the message's
  ``provider_specific_fields`` (``web_search_results``, ``tool_results``, ...), are server
  tools. ``finish_reason`` is the finish, ``usage.prompt_tokens`` / ``completion_tokens`` the
  usage, as litellm reports them (a stream without usage comes back as 0/0). An Anthropic
  ``prompt_tokens`` includes the cached input (litellm's OpenAI-style counting), which
  litellm also reports in ``prompt_tokens_details`` (``cached_tokens`` read,
  ``cache_write_tokens`` written); they are given to
  :func:`kit.adapters.client.plan_usage`, which takes them out on Anthropic, as the wire
  counts input there (the rule every adapter shares). litellm's
  ``Message`` has no ``refusal`` field (the chunks' ``delta.refusal`` is not rebuilt), so the
  chat adapter omits ``refusal``; the Anthropic Plan has none.

- ``gemini_stream`` (Gemini API, ``model="gemini/..."``): the same ``completion`` +
  ``stream_chunk_builder`` consumption ("Gemini - Google AI Studio",
  docs.litellm.ai/docs/providers/gemini). litellm turns each ``streamGenerateContent``
  payload into an OpenAI-style chunk itself (``VertexGeminiConfig``, its
  ``ModelResponseIterator``); no Google SDK is involved. ``api_base`` is the versioned base:
  litellm requests ``{api_base}/models/{model}:streamGenerateContent?alt=sse``
  (``VertexBase._check_custom_proxy``), so the adapter gives the kit's base URL plus
  ``/v1beta``. The rebuilt message is read as for Chat, with two Gemini readings of
  litellm's own: a call id litellm hands out is the wire's ``functionCall.id`` (or an id it
  made up, ``call_<hex>``, when there is none) followed by ``__thought__`` and the part's
  ``thoughtSignature``, which litellm cuts off again when it sends the call back; the Plan's
  id is the part before that separator. And the grounding litellm copies onto the built
  response (``vertex_ai_grounding_metadata``, ``vertex_ai_url_context_metadata``, one entry
  per candidate) gives the ``google_search`` / ``url_context`` server tools, as the reference
  reads a candidate's ``groundingMetadata`` / ``urlContextMetadata``; code execution parts
  (``executableCode``, ``codeExecutionResult``) litellm drops, so they are graded as lost.
  ``completion_tokens`` counts the thoughts, as the Plan's output does. Vertex AI
  (``model="vertex_ai/..."``) is not a row: litellm fetches a Google access token
  (``google.auth``) before any request, even with a custom ``api_base``.

- ``responses_stream`` (Responses, ``model="openai/..."``): the Responses API pages
  (docs.litellm.ai/docs/response_api, docs.litellm.ai/docs/providers/openai/responses_api):
  ``for event in litellm.responses(..., stream=True)``; the final result is the ``response``
  of the terminal event (``response.completed`` / ``.incomplete`` / ``.failed``), as litellm
  yields it (the server's object, usage filled in by litellm when missing). Its ``output``
  items in order: ``message`` parts -> SAY (``output_text``) or the refusal; calls for the
  client -> DO (``call_id``, ``name``, ``arguments`` / free-text ``input`` / action, a client
  tool search's ``arguments``), one whose item ``status`` is ``incomplete`` a DO that is not
  dispatched; server-run calls -> server tools. Who runs a call is read per item by
  :func:`kit.adapters.client.is_client_call` / ``is_server_tool``, given the item as litellm
  keeps it (its ``execution``, ``environment``, ``name``), the response's ``tools`` and the
  call ids of the output items before it (a call whose output came first is the server's).
  Reasoning and anything else is left out. The
  Responses API has no finish reason, only ``status``, read by
  :func:`kit.adapters.client.responses_finish` (the rule every adapter shares):
  ``completed`` is ``tool_calls`` when the output has a client call and ``stop``
  otherwise, ``incomplete`` by its ``incomplete_details.reason`` (``max_output_tokens`` ->
  length), ``failed`` an error. An ``error`` event or ``response.failed`` makes litellm raise
  (its answer).

Retries are off (``num_retries=0``, ``max_retries=0``): a retry would only re-fetch the
same trace.

Environment: ``pip install "litellm[mcp]"``. With plain ``pip install litellm`` (1.106.2)
every ``completion(..., tools=...)`` raises ``ModuleNotFoundError: No module named 'mcp'``:
``main.py`` imports its MCP gateway handler whenever tools are given, and that imports
``mcp``, which only the ``mcp`` / ``proxy`` extras install.

Offline: litellm fetches its model cost map and Anthropic beta-header table from GitHub
unless told not to; this module sets ``LITELLM_LOCAL_MODEL_COST_MAP=True`` and
``LITELLM_LOCAL_ANTHROPIC_BETA_HEADERS=True`` before litellm is imported (its bundled copies
are used). Token counting uses the tiktoken encodings litellm ships
(``litellm_core_utils/tokenizers``, where it points ``TIKTOKEN_CACHE_DIR``): no download.
litellm has no telemetry, and no callbacks are configured.

Each call first runs ``gc.collect()`` so that cases stay independent: see :func:`_litellm`.

Capabilities, from what the result can say:

- ``ordered``: ``litellm-chat``, ``litellm-anthropic`` and ``litellm-gemini`` no: the
  rebuilt message is one ``content: str | None`` beside a ``tool_calls`` list (``litellm/types/utils.py:1429``,
  ``class Message``), so text sent after a call comes out before it.
  ``litellm-responses`` yes: the terminal response's ``output`` is the list of items in
  output order, read in that order.
- ``marks_undispatched``: ``litellm-chat``, ``litellm-anthropic`` and ``litellm-gemini``
  no: a ``ChatCompletionMessageToolCall`` is id, type and function (name, arguments), with no
  status. ``litellm-responses`` yes: each call item has ``status`` (``in_progress``,
  ``completed``, ``incomplete``; the openai SDK's Responses item types that litellm passes
  on), and an ``incomplete`` item is a DO that is not dispatched (see above).
- ``multi_choice``: no (``stream_chunk_builder`` builds ``choices[0]`` only, joining every
  choice's content into it: a multi-choice stream is graded on that).
- ``call_types`` (``litellm-gemini``): whole function calls only (``functionCall``): litellm
  has no setting for streamed arguments (``streamFunctionCallArguments``, Vertex AI) and no
  code for ``partialArgs``, so a stream in that form is SKIP.
"""

from __future__ import annotations

import gc
import os
from typing import Any

from kit.adapters import implementation
from kit.adapters.client import (DUMMY_KEY, PlanOf, anthropic_base, gemini_grounding, is_client_call, is_server_tool,
                                note_output, responses_finish)

# before litellm is imported (it reads them at import / first use)
os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
os.environ["LITELLM_LOCAL_ANTHROPIC_BETA_HEADERS"] = "True"

OPENAI_MODEL = "openai/gpt-4o"  # any name: the replay server answers every model with the trace
ANTHROPIC_MODEL = "anthropic/claude-sonnet-4-5"
GEMINI_MODEL = "gemini/gemini-2.5-flash"
# the kinds of Gemini function call a litellm user can request: whole calls only. litellm has no
# setting for streamed arguments (toolConfig.functionCallingConfig.streamFunctionCallArguments,
# Vertex AI) and no code for a functionCall part's partialArgs
GEMINI_CALL_TYPES = ("functionCall",)
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
RESPONSES_TOOLS = [{"type": "function", "name": "get_weather",
                    "description": "Get the current weather in a given location",
                    "parameters": TOOLS[0]["function"]["parameters"]}]

def _litellm() -> Any:
    import litellm

    litellm.suppress_debug_info = True  # no "Give Feedback / Get Help" banner on stdout when it raises
    # Keep cases independent: litellm never closes a finished sync stream's HTTP response (it
    # is left to the garbage collector, in a reference cycle), and when the collector
    # finalizes it in the middle of a later request on litellm's shared httpx client, httpcore
    # deadlocks on its own pool lock (encode/httpcore#990, #996). Collecting here, before the
    # request, finalizes the previous case's streams while no pool lock is held.
    gc.collect()
    return litellm


def _get(obj: Any, key: str) -> Any:
    if isinstance(obj, dict):
        return obj.get(key)
    return getattr(obj, key, None)


def _custom_call(plan: PlanOf, call_id: Any, name: Any, text: Any, choice: int = 0) -> None:
    """A custom (free-form) tool call: its input is the raw text, kept as it is (never JSON)."""
    plan.call(call_id, name, text if isinstance(text, str) else "", choice, free_form=True)


def _cut_call(plan: PlanOf, call_id: Any, name: Any, arguments: Any) -> None:
    """A client call the result marks as cut off (item status ``incomplete``): a DO that is
    not dispatched, with the arguments as they arrived."""
    plan.call(call_id, name, arguments if isinstance(arguments, str) else "", dispatched=False)


def _built_plan(response: Any, api: str) -> dict[str, Any]:
    """The ``ModelResponse`` ``stream_chunk_builder`` rebuilt, as a Plan."""
    plan = PlanOf(api)
    if response is None:  # the builder had no chunks to build from
        return plan.plan()
    for n, choice in enumerate(response.choices):
        message = choice.message
        plan.text(message.content, choice=n)
        for call in message.tool_calls or []:
            function = _get(call, "function")
            custom = _get(call, "custom")
            if function is None and custom is not None:
                _custom_call(plan, _get(call, "id"), _get(custom, "name"), _get(custom, "input"), choice=n)
            else:
                plan.call(_get(call, "id"), _get(function, "name"), _get(function, "arguments"), choice=n)
        function_call = _get(message, "function_call")
        if function_call is not None:
            plan.call(None, _get(function_call, "name"), _get(function_call, "arguments"), choice=n)
        # Anthropic server-tool results: litellm keeps them in the message's provider_specific_fields
        # (``web_search_results``, ``tool_results``, ...), each the provider's ``*_tool_result`` block
        for value in (_get(message, "provider_specific_fields") or {}).values():
            for block in value if isinstance(value, list) else []:
                kind = _get(block, "type")
                if is_server_tool("anthropic.messages", kind):  # Anthropic blocks inside a chat-shaped result
                    plan.server_tool({"type": kind, "id": _get(block, "tool_use_id"), "name": None}, choice=n)
        plan.finish(choice.finish_reason, choice=n)
    usage = _get(response, "usage")
    if usage is not None:
        details = _get(usage, "prompt_tokens_details")  # litellm's prompt_tokens includes the cached input
        plan.usage(_get(usage, "prompt_tokens"), _get(usage, "completion_tokens"),
                   cache_read=_get(details, "cached_tokens"), cache_write=_get(details, "cache_write_tokens"),
                   cache_in_input=True)
    return plan.plan()


@implementation(apis=("chat",), multi_choice=False, omits=("refusal",), ordered=False, marks_undispatched=False)
def chat_stream(base_url: str, *, api: str) -> dict[str, Any]:
    litellm = _litellm()
    stream = litellm.completion(model=OPENAI_MODEL, api_base=base_url, api_key=DUMMY_KEY, messages=MESSAGES,
                                tools=TOOLS, stream=True, num_retries=0, max_retries=0)
    chunks = []
    for chunk in stream:
        chunks.append(chunk)
    return _built_plan(litellm.stream_chunk_builder(chunks, messages=MESSAGES), api)


@implementation(apis=("anthropic",), multi_choice=False, ordered=False, marks_undispatched=False)
def anthropic_stream(base_url: str, *, api: str) -> dict[str, Any]:
    litellm = _litellm()
    stream = litellm.completion(model=ANTHROPIC_MODEL, api_base=anthropic_base(base_url), api_key=DUMMY_KEY,
                                messages=MESSAGES, tools=TOOLS, max_tokens=1024, stream=True, num_retries=0,
                                max_retries=0)
    chunks = []
    for chunk in stream:
        chunks.append(chunk)
    return _built_plan(litellm.stream_chunk_builder(chunks, messages=MESSAGES), api)


@implementation(apis=("gemini",), multi_choice=False, ordered=False, marks_undispatched=False,
                call_types=GEMINI_CALL_TYPES)
def gemini_stream(base_url: str, *, api: str) -> dict[str, Any]:
    """The Gemini API (``model="gemini/..."``), "Gemini - Google AI Studio" in the litellm docs
    (docs.litellm.ai/docs/providers/gemini): litellm converts each ``streamGenerateContent``
    payload into an OpenAI-style chunk itself (``VertexGeminiConfig``, ``ModelResponseIterator``
    in ``llms/vertex_ai/gemini/vertex_and_google_ai_studio_gemini.py``), consumed as the Chat
    row does. Its ``api_base`` for ``gemini/`` is the versioned Gemini base: litellm requests
    ``{api_base}/models/{model}:streamGenerateContent?alt=sse`` (``_check_custom_proxy``), so
    the kit's base URL gets ``/v1beta``, the version Google's own SDK uses."""
    litellm = _litellm()
    stream = litellm.completion(model=GEMINI_MODEL, api_base=base_url.rstrip("/") + "/v1beta", api_key=DUMMY_KEY,
                                messages=MESSAGES, tools=TOOLS, stream=True, num_retries=0, max_retries=0)
    chunks = []
    for chunk in stream:
        chunks.append(chunk)
    return _gemini_plan(litellm.stream_chunk_builder(chunks, messages=MESSAGES), api)


def _wire_call_id(call_id: Any) -> Any:
    """The Gemini call id inside the id litellm hands out: litellm appends the part's
    ``thoughtSignature`` to it (``{id}__thought__{signature}``, ``encode_tool_call_id_with_signature``)
    so that an OpenAI-shaped client carries the signature back, and cuts it off again when it
    sends the call back to Gemini (``THOUGHT_SIGNATURE_SEPARATOR``, ``prompt_templates/factory.py``):
    the id the wire gave is the part before the separator, read the way litellm reads it."""
    from litellm.litellm_core_utils.prompt_templates.factory import THOUGHT_SIGNATURE_SEPARATOR

    if isinstance(call_id, str):
        return call_id.split(THOUGHT_SIGNATURE_SEPARATOR, 1)[0]
    return call_id


def _gemini_plan(response: Any, api: str) -> dict[str, Any]:
    """The ``ModelResponse`` ``stream_chunk_builder`` rebuilt from litellm's Gemini chunks, as a
    Plan: the message's ``content`` (SAY) and ``tool_calls`` (DO, ids read by :func:`_wire_call_id`),
    the finish and usage as litellm reports them (its ``completion_tokens`` counts the thoughts,
    as the Plan does). The server tools litellm keeps are the grounding it copies onto the built
    response (``vertex_ai_grounding_metadata``: Google Search; ``vertex_ai_url_context_metadata``:
    URL context, one entry per candidate); code execution parts it drops."""
    plan = PlanOf(api)
    if response is None:  # the builder had no chunks to build from
        return plan.plan()
    for n, choice in enumerate(response.choices):
        message = choice.message
        plan.text(message.content, choice=n)
        for call in message.tool_calls or []:
            function = _get(call, "function")
            plan.call(_wire_call_id(_get(call, "id")), _get(function, "name"), _get(function, "arguments"), choice=n)
        if n == 0:  # litellm keeps the grounding of every candidate in one list on the response
            searched = any(gemini_grounding(m) for m in _get(response, "vertex_ai_grounding_metadata") or [])
            fetched = any(gemini_grounding(None, m) for m in _get(response, "vertex_ai_url_context_metadata") or [])
            for kind, shown in (("google_search", searched), ("url_context", fetched)):
                if shown:
                    plan.server_tool({"type": kind, "id": None, "name": None})
        plan.finish(choice.finish_reason, choice=n)
    usage = _get(response, "usage")
    if usage is not None:
        plan.usage(_get(usage, "prompt_tokens"), _get(usage, "completion_tokens"))
    return plan.plan()


@implementation(apis=("responses",), multi_choice=False, ordered=True, marks_undispatched=True)
def responses_stream(base_url: str, *, api: str) -> dict[str, Any]:
    litellm = _litellm()
    stream = litellm.responses(model=OPENAI_MODEL, api_base=base_url, api_key=DUMMY_KEY,
                               input="What's the weather in Berlin?", tools=RESPONSES_TOOLS, stream=True,
                               num_retries=0, max_retries=0)
    final = None
    for event in stream:
        if _get(event, "type") in ("response.completed", "response.incomplete", "response.failed"):
            final = _get(event, "response")
    plan = PlanOf(api)
    if final is None:  # litellm ended the iteration without a terminal event
        return plan.plan()
    calls = 0
    # who runs a call is read per item (its execution, environment, name), with the response's
    # declared tools and the call ids of the output items before it, as the reference reads them
    tools = _get(final, "tools")
    outputs: set[str] = set()
    for n, item in enumerate(_get(final, "output") or []):
        kind = _get(item, "type")
        if kind == "message":
            for part in _get(item, "content") or []:
                part_type = _get(part, "type")
                if part_type == "output_text":
                    plan.text(_get(part, "text"), item=n)
                elif part_type == "refusal":
                    plan.refusal(_get(part, "refusal"))
        elif not is_client_call(api, kind, item, tools, earlier_outputs=outputs):
            if is_server_tool(api, kind, item, tools, earlier_outputs=outputs):
                name = _get(item, "name")
                plan.server_tool({"type": kind, "id": _get(item, "id"),
                                  "name": name if isinstance(name, str) else None})
        elif kind in ("function_call", "custom_tool_call") and _get(item, "status") == "incomplete":
            _cut_call(plan, _get(item, "call_id"), _get(item, "name"),
                      _get(item, "arguments") if kind == "function_call" else _get(item, "input"))
        elif kind == "function_call":
            calls += 1
            plan.call(_get(item, "call_id"), _get(item, "name"), _get(item, "arguments"))
        elif kind == "custom_tool_call":
            calls += 1
            _custom_call(plan, _get(item, "call_id"), _get(item, "name"), _get(item, "input"))
        else:  # an action call (computer, shell, patch) or a client tool search: its action as parameters
            calls += 1
            action = next((_get(item, k) for k in ("action", "operation", "actions", "arguments")
                           if _get(item, k) is not None), None)
            plan.call(_get(item, "call_id"), kind[: -len("_call")], _plain(action))
        note_output(outputs, kind, _get(item, "call_id"))
    status = _get(final, "status")
    if status == "failed":
        error = _get(final, "error")
        plan.error(_get(error, "message") or "response failed", type=_get(error, "type"))
    plan.finish(responses_finish(status, _get(_get(final, "incomplete_details"), "reason"), calls=bool(calls)))
    usage = _get(final, "usage")
    if usage is not None:
        plan.usage(_get(usage, "input_tokens"), _get(usage, "output_tokens"))
    return plan.plan()


def _plain(value: Any) -> Any:
    """A pydantic value as plain JSON data (what the call's parameters are)."""
    if hasattr(value, "model_dump"):
        return value.model_dump(exclude_none=True)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
