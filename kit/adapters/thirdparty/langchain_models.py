"""LangChain chat models (``langchain-openai``, ``langchain-anthropic``,
``langchain-google-genai``): ``bind_tools``, then ``stream`` and add up the chunks.

The pattern is LangChain's own for streaming tool calls (how-to "How to stream tool
calls", python.langchain.com/docs/how_to/tool_streaming, and the "Tool calling" /
"Token usage" sections of the ``ChatOpenAI`` and ``ChatAnthropic`` docstrings)::

    llm_with_tools = llm.bind_tools(tools)
    gathered = None
    for chunk in llm_with_tools.stream(messages):
        gathered = chunk if gathered is None else gathered + chunk
    gathered.content, gathered.tool_calls, gathered.invalid_tool_calls,
    gathered.response_metadata, gathered.usage_metadata

The chat model level is used, not an agent (``create_agent`` / LangGraph ``ToolNode``),
so nothing validates or runs the tools: the replay server ignores the request and its
traces name tools the request never declared (``get_weather``, ``file_write``,
``run_command``...). LangChain does not filter calls on the bound tools' names: the
chat models turn every streamed call into a ``tool_call_chunk`` whatever its name
(``_convert_delta_to_message_chunk`` and ``_convert_responses_chunk_to_generation_chunk``
in ``langchain_openai/chat_models/base.py``, ``_make_message_chunk_from_anthropic_event``
in ``langchain_anthropic/chat_models.py``), and ``AIMessageChunk.init_tool_calls``
(``langchain_core/messages/ai.py``) parses them without looking at the tools. One
generic tool is bound (an OpenAI-format dict, which ``bind_tools`` accepts for both
providers) because binding tools is what changes the result's shape: with tools,
``ChatAnthropic`` keeps ``content`` as a list of blocks instead of a string.

Mapping of the gathered ``AIMessageChunk``:

- ``content`` as a string (Chat Completions): one SAY, then the calls.
- ``content`` as a list of blocks (Responses, Anthropic), in the order LangChain gives:
  ``text`` blocks -> SAY, one per block ``index`` (LangChain merges a stream's pieces of
  one block by their ``index``; pieces without one, as Chat Completions content parts,
  are consecutive text of one SAY, as ``.text`` joins them); a ``function_call`` /
  ``custom_tool_call`` / ``tool_use`` block -> the tool call LangChain parsed from that
  block (matched by the block's ``index``, which is the ``index`` of its tool-call
  chunk; a ``custom_tool_call``'s ``{"__arg1": input}``, LangChain's convention for a
  single-string input, is that input, free text as the Plan has it); server-executed tool
  blocks (Responses ``web_search_call``, ``file_search_call``, ``code_interpreter_call``,
  ``mcp_call``, ``mcp_list_tools``, ``image_generation_call``, ``tool_search_call``...;
  Anthropic ``server_tool_use``, ``mcp_tool_use``, ``*_tool_result``) -> server tools
  (type, id or ``tool_use_id``, name); Responses ``refusal`` blocks -> the refusal;
  ``reasoning`` / ``thinking`` / ``redacted_thinking`` are never SAY. A Responses
  ``computer_call`` or ``apply_patch_call`` is only a content block (not in
  ``tool_calls``), with its ``call_id`` and ``action``: a DO ``computer`` (``apply_patch``)
  whose parameters are that action, as the user reads it from the block; likewise a
  ``tool_search_call`` the client runs: a DO ``tool_search`` whose parameters are its
  ``arguments``. Who runs a Responses call is read per block by
  :func:`kit.adapters.client.is_client_call` / ``is_server_tool``: LangChain keeps each
  item whole (its ``execution``, ``environment``, ``call_id``) and the output blocks before
  it (a call whose output came first is the server's), but not the response's declared
  ``tools``, so a ``custom_tool_call`` is the client's whatever it names (LangChain lists it
  in ``tool_calls``). A call that is only a content block counts for the ``tool_calls``
  finish.
- Call kinds (``call_types``, Responses): what ``bind_tools`` can request: function and
  custom tools, and the computer, apply_patch and tool_search tool dicts it passes through
  (``WellKnownTools``); a shell tool raises "Unsupported function".
- Calls: ``tool_calls`` entries -> DO with ``id``, ``name`` and the ``args`` dict LangChain
  parsed; ``invalid_tool_calls`` entries -> DO with the raw ``args`` string (invalid
  JSON, so an invalid DO). Both lists come from ``tool_call_chunks`` in order; calls not
  matched to a content block follow the content, in ``tool_call_chunks`` order.
- Finish: Chat Completions ``response_metadata["finish_reason"]``; Anthropic
  ``response_metadata["stop_reason"]``; Responses has no finish reason on the wire, so
  ``status`` is read by :func:`kit.adapters.client.responses_finish` (the rule every
  adapter shares: ``completed`` is ``tool_calls`` when LangChain reported a call, else
  ``stop``; ``incomplete`` by ``incomplete_details.reason``).
- Usage: ``usage_metadata`` input and output tokens. LangChain's ``input_tokens`` is a
  total that includes the cache reads and writes, which it also reports in
  ``input_token_details`` (``cache_read``, ``cache_creation`` or the per-TTL
  ``ephemeral_5m_input_tokens`` / ``ephemeral_1h_input_tokens``); they are given to
  :func:`kit.adapters.client.plan_usage`, which takes them out on Anthropic, where the
  wire's ``input_tokens`` does not include them (on OpenAI's APIs it does).
- One choice: Chat Completions reads ``choices[0]`` of every chunk, whatever its index.

Gemini (``ChatGoogleGenerativeAI``, ``langchain_google_genai/chat_models.py``, which streams
through the google-genai SDK's ``client.models.generate_content_stream``; the base URL is its
``base_url`` field, alias ``client_options``, passed to the SDK's ``HttpOptions``):

- ``content``: a string while the parts are plain text, else a list (a ``thinking`` block, a
  text block with its thought signature, ``executable_code`` / ``code_execution_result``
  blocks; always a list for a Gemini 3 ``modelVersion``); read as above. Function calls are
  never content blocks: ``_parse_response_candidate`` turns each ``function_call`` part into a
  tool-call chunk with its own ``index`` (``_StreamBlockIndexer``), ``args`` the SDK's dict
  dumped to JSON, ``id`` the wire's or a new ``uuid4`` when the wire has none.
- Server tools: ``executable_code`` -> ``code_execution``, ``code_execution_result`` ->
  ``code_execution_result`` (each block kept, its id LangChain's own); the merged
  ``response_metadata["grounding_metadata"]`` with ``web_search_queries``,
  ``grounding_chunks`` or a ``search_entry_point`` -> one ``google_search``, after the
  other server tools (the merged metadata no longer says where it came). LangChain keeps
  no ``url_context_metadata``: a URL context grounding is lost.
- Finish: ``response_metadata["finish_reason"]`` (the ``FinishReason`` name, set on the chunk
  whose candidate carried it); none, with ``response_metadata["prompt_feedback"]``
  carrying a ``block_reason`` (a blocked prompt: LangChain logs "Gemini produced an empty
  response" and streams an empty message) -> ``content_filter``.
- Usage: ``usage_metadata``, which LangChain builds per chunk as the difference from the
  previous chunk's cumulative counts (``subtract_usage``), so the chunks add up to the last
  ``usageMetadata``: ``input_tokens`` is ``promptTokenCount`` plus
  ``toolUsePromptTokenCount``, ``output_tokens`` ``candidatesTokenCount`` plus
  ``thoughtsTokenCount``.
- Client: ``max_retries=1`` (the field's docstring: ``0`` means the SDK's default retries),
  the Gemini API with ``google_api_key`` (not Vertex AI).

Clients: ``max_retries=0`` (a retry would only fetch the same trace again). Chat
Completions: ``stream_usage=True``. With a ``base_url`` LangChain leaves it off by
default (``ChatOpenAI.stream_usage`` docstring: "enabled unless ``openai_api_base`` is
set"), and its docstring's "Token usage" section tells users to set it when streaming;
it only adds ``stream_options.include_usage`` to the request (which the replay server
ignores) and does not change how chunks are read. LangChain parses a chunk's ``usage``
whenever it is there. ``ChatAnthropic.stream_usage`` is on by default (without it the
``message_delta`` event, which carries ``stop_reason``, is dropped).

Offline: LangSmith tracing is forced off (``LANGSMITH_TRACING=false``,
``LANGCHAIN_TRACING_V2=false``) before LangChain is imported, so an environment that
enables it does not send runs out; ``LANGSMITH_GATEWAY`` is ignored anyway because
``base_url`` is explicit. No tiktoken path runs (token counting is not used).

Capabilities, from what the gathered ``AIMessageChunk`` can say:

- ``ordered``: ``langchain-openai-chat`` no: on Chat Completions ``content`` is one string and
  the calls are the separate ``tool_calls`` / ``invalid_tool_calls`` lists
  (``langchain_core/messages/ai.py``), so text sent after a call comes out before it.
  ``langchain-openai-responses`` and ``langchain-anthropic`` yes: ``content`` is the list of
  blocks in stream order (merged by their ``index``), read in that order above.
- ``marks_undispatched``: no. LangChain's one marker on a call is ``invalid_tool_calls``
  (``ai.py:173``: arguments that did not parse as JSON), which cannot tell a call cut off
  from a complete call with malformed arguments; such a call is given as an invalid DO,
  what the Plan has for malformed arguments and what a one-marker library may answer for a
  cut call. A cut call whose partial JSON LangChain completes (``parse_partial_json``)
  lands in ``tool_calls`` as a valid call, and is graded as dispatched.
- ``multi_choice``: no (``choices[0]`` of every chunk; Responses and Anthropic have one).

``langchain-google-genai``: ``ordered`` no (calls are only tool-call chunks, apart from
``content``; ``content_blocks`` lists them after the content too); ``multi_choice`` no
(``_stream`` yields ``generations[0]`` of each chunk: the first candidate in the chunk's
list, whatever its ``index``); ``marks_undispatched`` no (as above); ``holds_invalid_arguments``
no (the SDK's ``FunctionCall.args`` is a dict, which LangChain dumps and parses back);
``call_types`` ``functionCall`` only: streamed function-call arguments are not requested on
the Gemini API (the SDK refuses ``stream_function_call_arguments`` there) and LangChain never
reads ``partial_args``.
"""

from __future__ import annotations

import os
from typing import Any

from kit.adapters import implementation
from kit.adapters.client import (DUMMY_KEY, PlanOf, anthropic_base, gemini_grounding, gemini_server_part,
                                is_client_call, is_server_tool, note_output, responses_finish)

MESSAGES = [("user", "hi")]
OPENAI_MODEL = "gpt-4.1-mini"  # any name: the replay server answers every model with the trace
ANTHROPIC_MODEL = "claude-haiku-4-5"  # one the SDK does not warn about as deprecated
GEMINI_MODEL = "gemini-2.5-flash"
# one generic tool; the server ignores it and the traces call other names
TOOLS = [{
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather for a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}]

CALL_BLOCKS = ("function_call", "custom_tool_call", "tool_use")
# client calls LangChain keeps as content blocks only (a tool search when its item says the client runs it)
ACTION_BLOCKS = ("computer_call", "apply_patch_call", "tool_search_call")
# the kinds of client call bind_tools can request on Responses: function tools, custom tools
# (langchain_openai.tools.custom_tool), and the computer, apply_patch and tool_search tool dicts it
# passes through (WellKnownTools, langchain_core.utils.function_calling); shell tools raise
# "Unsupported function"
RESPONSES_CALL_TYPES = ("function_call", "custom_tool_call", "computer_call", "apply_patch_call", "tool_search_call")
# whole function calls only: streamed arguments are Vertex AI's (see the module's docstring)
GEMINI_CALL_TYPES = ("functionCall",)


def _offline() -> None:
    os.environ["LANGSMITH_TRACING"] = "false"
    os.environ["LANGCHAIN_TRACING_V2"] = "false"


_offline()


def _gather(llm: Any) -> Any:
    """LangChain's documented loop: bind the tools, stream, add the chunks up."""
    llm_with_tools = llm.bind_tools(TOOLS)
    gathered = None
    for chunk in llm_with_tools.stream(MESSAGES):
        gathered = chunk if gathered is None else gathered + chunk
    return gathered


def _calls(gathered: Any) -> list[tuple[Any, dict[str, Any], bool]]:
    """``[(chunk index, call, valid)]`` in ``tool_call_chunks`` order: LangChain derives
    ``tool_calls`` (parsed) and ``invalid_tool_calls`` (raw) from those chunks, each list
    in the chunks' order (``AIMessageChunk.init_tool_calls``)."""
    valid = list(getattr(gathered, "tool_calls", None) or [])
    invalid = list(getattr(gathered, "invalid_tool_calls", None) or [])
    out: list[tuple[Any, dict[str, Any], bool]] = []
    v = i = 0
    for chunk in getattr(gathered, "tool_call_chunks", None) or []:
        if i < len(invalid) and all(invalid[i].get(k) == chunk.get(k) for k in ("id", "name", "args")):
            out.append((chunk.get("index"), invalid[i], False))
            i += 1
        elif v < len(valid):
            out.append((chunk.get("index"), valid[v], True))
            v += 1
    out += [(None, c, True) for c in valid[v:]] + [(None, c, False) for c in invalid[i:]]
    return out


def _call(plan: PlanOf, call: dict[str, Any], valid: bool, kind: str = "") -> None:
    args = call.get("args")
    if kind == "custom_tool_call" and valid and isinstance(args, dict) and list(args) == ["__arg1"] \
            and isinstance(args["__arg1"], str):
        # LangChain's documented convention for a single-string tool input: {"__arg1": input}
        plan.call(call.get("id"), call.get("name"), args["__arg1"], free_form=True)
        return
    plan.call(call.get("id"), call.get("name"), args if valid else (args or ""))


def _plan(api: str, gathered: Any, *, finish: Any) -> dict[str, Any]:
    plan = PlanOf(api)
    if gathered is None:
        return plan.plan()
    calls = _calls(gathered)
    by_index = {index: n for n, (index, _, _) in enumerate(calls) if index is not None}
    used: set[int] = set()
    content = gathered.content
    # Responses: who runs a call is read per block (LangChain keeps the item whole: its
    # execution, environment, call_id), with the call ids of the output blocks before it; the
    # response's declared tools are not kept (response_metadata drops them)
    outputs: set[str] = set()
    actions = 0
    if isinstance(content, str):
        plan.text(content)
    else:
        for block in content or []:
            if isinstance(block, str):
                plan.text(block)
                continue
            if not isinstance(block, dict):
                continue
            kind = block.get("type") or ""
            server_run = api == "openai.responses" and (kind in CALL_BLOCKS or kind in ACTION_BLOCKS) \
                and not is_client_call(api, kind, block, earlier_outputs=outputs)
            if kind == "text":
                plan.text(block.get("text"), item=block.get("index"))
            elif kind in CALL_BLOCKS and not server_run:
                k = by_index.get(block.get("index"))
                if k is not None and k not in used:
                    used.add(k)
                    _call(plan, calls[k][1], calls[k][2], kind)
            elif kind in ACTION_BLOCKS and not server_run:
                # a computer, patch or client tool-search call: only a content block, its action as arguments
                action = next((block.get(k) for k in ("action", "operation", "arguments") if block.get(k) is not None),
                              None)
                plan.call(block.get("call_id"), kind[: -len("_call")], action)
                actions += 1
            elif kind == "refusal":
                plan.refusal(block.get("refusal"))
            elif api == "google.generate_content" and gemini_server_part(kind):  # code execution blocks
                plan.server_tool({"type": gemini_server_part(kind), "id": None, "name": None})
            elif is_server_tool(api, kind, block if api == "openai.responses" else None, earlier_outputs=outputs):
                name = block.get("name") if isinstance(block.get("name"), str) else None
                plan.server_tool({"type": kind, "id": block.get("id") or block.get("tool_use_id"), "name": name})
                k = by_index.get(block.get("index")) if kind in CALL_BLOCKS else None
                if k is not None:
                    used.add(k)  # a call LangChain lists whose item says the server ran it
            note_output(outputs, kind, block.get("call_id"))
    for k, (_, call, valid) in enumerate(calls):
        if k not in used:
            _call(plan, call, valid)
    if api == "google.generate_content":  # LangChain keeps no URL context metadata
        for kind in gemini_grounding((gathered.response_metadata or {}).get("grounding_metadata")):
            plan.server_tool({"type": kind, "id": None, "name": None})
    plan.finish(finish(gathered, actions))
    usage = getattr(gathered, "usage_metadata", None)
    if usage:
        details = usage.get("input_token_details") or {}
        # LangChain's input_tokens includes the cache reads and writes, which it also reports
        # apart (the writes per TTL when the provider splits them; cache_creation is then 0)
        per_ttl = sum(v for k, v in details.items() if k.startswith("ephemeral_") and type(v) is int)
        plan.usage(usage.get("input_tokens"), usage.get("output_tokens"), cache_read=details.get("cache_read"),
                   cache_write=per_ttl or details.get("cache_creation"), cache_in_input=True)
    return plan.plan()


def _chat_finish(gathered: Any, actions: int = 0) -> Any:
    return (gathered.response_metadata or {}).get("finish_reason")


def _responses_finish(gathered: Any, actions: int = 0) -> Any:
    """``actions``: the client calls read from content blocks alone (not in ``tool_calls``)."""
    meta = gathered.response_metadata or {}
    details = meta.get("incomplete_details")
    return responses_finish(meta.get("status"), details.get("reason") if isinstance(details, dict) else None,
                            calls=bool(gathered.tool_calls or gathered.invalid_tool_calls or actions))


def _anthropic_finish(gathered: Any, actions: int = 0) -> Any:
    return (gathered.response_metadata or {}).get("stop_reason")


def _gemini_finish(gathered: Any, actions: int = 0) -> Any:
    """The candidate's ``finish_reason``; none, on a prompt blocked before any candidate
    (``prompt_feedback.block_reason``), ``content_filter``."""
    meta = gathered.response_metadata or {}
    feedback = meta.get("prompt_feedback")
    if not meta.get("finish_reason") and isinstance(feedback, dict) and feedback.get("block_reason"):
        return "content_filter"
    return meta.get("finish_reason")


@implementation(apis=("chat",), multi_choice=False, ordered=False, marks_undispatched=False)
def openai_chat(base_url: str, *, api: str) -> dict[str, Any]:
    """``ChatOpenAI`` on Chat Completions."""
    from langchain_openai import ChatOpenAI

    llm = ChatOpenAI(model=OPENAI_MODEL, base_url=base_url, api_key=DUMMY_KEY, max_retries=0, stream_usage=True)
    return _plan(api, _gather(llm), finish=_chat_finish)


@implementation(apis=("responses",), multi_choice=False, ordered=True, marks_undispatched=False,
                call_types=RESPONSES_CALL_TYPES)
def openai_responses(base_url: str, *, api: str) -> dict[str, Any]:
    """``ChatOpenAI(use_responses_api=True)`` on the Responses API."""
    from langchain_openai import ChatOpenAI

    llm = ChatOpenAI(model=OPENAI_MODEL, base_url=base_url, api_key=DUMMY_KEY, max_retries=0,
                     use_responses_api=True)
    return _plan(api, _gather(llm), finish=_responses_finish)


@implementation(apis=("anthropic",), multi_choice=False, ordered=True, marks_undispatched=False)
def anthropic_messages(base_url: str, *, api: str) -> dict[str, Any]:
    """``ChatAnthropic`` on the Messages API."""
    from langchain_anthropic import ChatAnthropic

    llm = ChatAnthropic(model=ANTHROPIC_MODEL, base_url=anthropic_base(base_url), api_key=DUMMY_KEY, max_retries=0)
    return _plan(api, _gather(llm), finish=_anthropic_finish)


@implementation(apis=("gemini",), multi_choice=False, ordered=False, marks_undispatched=False,
                holds_invalid_arguments=False, call_types=GEMINI_CALL_TYPES)
def google_genai(base_url: str, *, api: str) -> dict[str, Any]:
    """``ChatGoogleGenerativeAI`` on the Gemini API."""
    from langchain_google_genai import ChatGoogleGenerativeAI

    llm = ChatGoogleGenerativeAI(model=GEMINI_MODEL, google_api_key=DUMMY_KEY, base_url=base_url,
                                 max_retries=1)
    return _plan(api, _gather(llm), finish=_gemini_finish)
