"""LlamaIndex LLM integrations: ``llama-index-llms-openai`` (``OpenAI``, ``OpenAIResponses``)
and ``llama-index-llms-anthropic`` (``Anthropic``).

Pattern: LlamaIndex's "Manual Tool Calling" (``docs/examples/llm/openai.ipynb`` and
``openai_responses.ipynb`` in run-llama/llama_index, "Using Function/Tool Calling"): call the
function-calling LLM with tools, then ``llm.get_tool_calls_from_response(response,
error_on_no_tool_call=False)`` and ``response.message.content``. Streamed, as LlamaIndex's
own ``FunctionAgent`` does it (``llama_index/core/agent/workflow/function_agent.py``):
iterate ``llm.stream_chat_with_tools(tools, user_msg=...)`` (``FunctionCallingLLM``,
``llama_index/core/llms/function_calling.py``) and read the tool calls and text from the
*last* ``ChatResponse`` it yielded (finish and usage: see per class). That is the model level: nothing is executed, and
``stream_chat_with_tools`` does no validation (``_validate_chat_with_tools_response``, which
drops all but the first call unless ``allow_parallel_tool_calls``, only runs for the
non-streaming ``chat_with_tools``).

One generic ``FunctionTool`` (``lookup(query)``) is declared (the server ignores the
request); ``get_tool_calls_from_response`` reports calls to any name, declared or not.
Clients are built with ``max_retries=0`` (LlamaIndex passes it to the SDK client and its
own tenacity retry decorator is skipped at 0; a retry would only re-fetch the same trace).

Per class:

- ``llama-index-openai`` (``OpenAI(model="gpt-4o-mini", api_base=base_url, ...)``: the model
  must be one LlamaIndex knows, ``metadata`` looks its context size up by name). Each
  yielded ``ChatResponse`` carries the accumulated message and, as ``raw``, the chunk it
  was built from. LlamaIndex keeps no finish reason or usage of its own across the stream
  (``additional_kwargs`` token counts are also that one chunk's), so they are what the
  yielded responses' chunks said, by the rule every adapter shares
  (:func:`kit.adapters.client.latest`): finish = the last non-null
  ``raw.choices[0].finish_reason``, usage = the last non-null ``raw.usage``. A usage-only
  final chunk (``choices: []``) does not erase the finish reason an earlier one carried.
- ``llama-index-openai-responses`` (``OpenAIResponses``): each yielded ``ChatResponse`` holds
  only what its own event contributed; the one of ``response.completed`` is the whole
  output re-parsed. Text and calls are the last response's (what LlamaIndex's agent reads).
  Finish: the status of the last terminal event's ``raw.response`` among the yielded
  responses, by :func:`kit.adapters.client.responses_finish` (``tool_calls`` when the last
  response has calls LlamaIndex reports); usage = the last ``additional_kwargs["usage"]``.
- ``llama-index-anthropic`` (``Anthropic(model="claude-sonnet-5", base_url=..., max_retries=0)``):
  finish = ``message.additional_kwargs["stop_reason"]`` and usage =
  ``additional_kwargs["usage"]`` of the last ``ChatResponse`` (LlamaIndex tracks both across
  the stream from ``message_start`` / ``message_delta``). Two version constraints, both outside the
  streaming code graded here: with ``anthropic>=2`` (what a fresh install resolves to)
  ``messages_to_anthropic_messages`` calls ``anthropic.types.MessageParam(...)``, a
  ``typing.Union`` there, so every call raises ``TypeError`` before any request; the
  matrix environment pins ``anthropic<2``. And the current ``anthropic`` 1.x
  ``messages.create`` has no ``temperature`` parameter, which LlamaIndex leaves out only
  for the models in ``ANTHROPIC_NO_TEMP_MODELS``: the model name is one of those.

Mapping (no repair): the last ``ChatResponse``'s ``message.blocks`` in their order: each
``TextBlock`` -> SAY (its own text; ``message.content`` is the same blocks joined with
``"\n"``, a view LlamaIndex adds), each ``ToolCallBlock`` -> DO, taken as LlamaIndex's agent
takes it: the ``ToolSelection`` ``get_tool_calls_from_response`` makes of that block
(``tool_id``, ``tool_name``, ``tool_kwargs`` parsed by LlamaIndex; one selection per block,
in the blocks' order). Where LlamaIndex finds no ``ToolCallBlock`` and falls back on
``additional_kwargs["tool_calls"]``, those calls follow the text.

Capabilities, from what the result can say:

- ``ordered``: ``llama-index-openai`` no: each ``ChatResponse`` of ``OpenAI.stream_chat`` has
  ``blocks = [TextBlock(all the text so far), ToolCallBlock per call]``
  (``llama_index/llms/openai/base.py``, ``gen()`` in ``_stream_chat``, around lines 577-592),
  so text sent after a call comes out before it. ``llama-index-openai-responses`` yes: the
  final response is ``_parse_response_output`` of the output items, text and call blocks in
  output order (``llms/openai/responses.py:472-523``). ``llama-index-anthropic`` yes: one
  block per content block, appended as each starts (``llms/anthropic/base.py``,
  ``stream_chat``; ``utils.py:671 update_tool_calls`` appends a new call).
- ``marks_undispatched``: no. A ``ToolCallBlock`` / ``ToolSelection`` is id, name and
  arguments; nothing marks a call cut off (partial JSON is parsed with
  ``parse_partial_json`` and handed over as a complete call).
- ``multi_choice``: no (``choices[0]`` of every chunk).

One choice (LlamaIndex reads ``choices[0]``). Omitted parts: ``refusal`` (no field in a
``ChatResponse``: Chat ignores ``delta.refusal``, Responses puts a refusal in
``additional_kwargs`` only on ``chat()``, Anthropic has no refusal block) and
``server_tools`` (built-in tool items are not tool calls in LlamaIndex's result).

Offline: tiktoken, which downloads its encodings on first use, is only used by
``OpenAI._tokenizer`` / ``get_tokenizer()`` for completion-endpoint ``max_tokens`` and
for text splitting, never on the ``stream_chat`` path; NLTK data (``GlobalsHelper``) is only
fetched by text splitters. Neither path runs here, so no environment variable is needed.
"""

from __future__ import annotations

from typing import Any

from kit.adapters import implementation
from kit.adapters.client import DUMMY_KEY, PlanOf, anthropic_base, latest, responses_finish

OPENAI_MODEL = "gpt-4o-mini"  # a name LlamaIndex knows; the replay server ignores it
ANTHROPIC_MODEL = "claude-sonnet-5"  # in ANTHROPIC_NO_TEMP_MODELS (see the docstring)
PROMPT = "hi"
TERMINAL = ("response.completed", "response.incomplete", "response.failed")  # the Responses events that end a response


# the kinds of client call a user can request on Responses (call_types): function tools,
# and the computer tool through OpenAIResponses(built_in_tools=[...]) ("the built-in tools
# to use"); a custom tool is not a built-in tool. The streamed ChatResponse keeps only
# message.blocks, so a computer call it asked for is lost: graded.
RESPONSES_CALL_TYPES = ("function_call", "computer_call")


def lookup(query: str) -> str:
    """Look something up. (Declared so the request has a tool; never executed.)"""
    return query


def _stream(llm: Any) -> list[Any]:
    """Every ``ChatResponse`` the stream yielded, in order (the last one is the result)."""
    from llama_index.core.tools import FunctionTool

    tool = FunctionTool.from_defaults(fn=lookup)
    return list(llm.stream_chat_with_tools([tool], user_msg=PROMPT))


def _plan(api: str, llm: Any, response: Any) -> PlanOf:
    from llama_index.core.base.llms.types import TextBlock, ToolCallBlock

    plan = PlanOf(api)
    if response is None:  # the stream yielded nothing at all
        return plan
    # the tool calls as LlamaIndex's agent takes them: one ToolSelection per ToolCallBlock of the
    # message, in the blocks' order (or, with no such block, from additional_kwargs["tool_calls"])
    calls = list(llm.get_tool_calls_from_response(response, error_on_no_tool_call=False))
    blocks = list(response.message.blocks or [])
    per_block = sum(isinstance(b, ToolCallBlock) for b in blocks) == len(calls)
    taken = 0
    for n, block in enumerate(blocks):  # the message's blocks in their order: text and calls between
        if isinstance(block, TextBlock):
            plan.text(block.text, item=n)
        elif isinstance(block, ToolCallBlock) and per_block:
            call = calls[taken]
            taken += 1
            plan.call(call.tool_id, call.tool_name, call.tool_kwargs)
    for call in calls[taken:]:
        plan.call(call.tool_id, call.tool_name, call.tool_kwargs)
    return plan


def _get(obj: Any, key: str) -> Any:
    return obj.get(key) if isinstance(obj, dict) else getattr(obj, key, None)


@implementation(apis=("chat",), multi_choice=False, omits=("refusal", "server_tools"), ordered=False,
                marks_undispatched=False)
def openai_chat(base_url: str, *, api: str) -> dict[str, Any]:
    from llama_index.llms.openai import OpenAI

    llm = OpenAI(model=OPENAI_MODEL, api_base=base_url, api_key=DUMMY_KEY, max_retries=0)
    responses = _stream(llm)
    plan = _plan(api, llm, responses[-1] if responses else None)
    raws = [getattr(r, "raw", None) for r in responses]
    plan.finish(latest(_get((_get(raw, "choices") or [None])[0], "finish_reason") for raw in raws))
    usage = latest(_get(raw, "usage") for raw in raws)
    if usage is not None:
        plan.usage(_get(usage, "prompt_tokens"), _get(usage, "completion_tokens"))
    return plan.plan()


@implementation(apis=("responses",), multi_choice=False, omits=("refusal", "server_tools"), ordered=True,
                marks_undispatched=False, call_types=RESPONSES_CALL_TYPES)
def openai_responses(base_url: str, *, api: str) -> dict[str, Any]:
    from llama_index.llms.openai import OpenAIResponses

    llm = OpenAIResponses(model=OPENAI_MODEL, api_base=base_url, api_key=DUMMY_KEY, max_retries=0)
    responses = _stream(llm)
    response = responses[-1] if responses else None
    plan = _plan(api, llm, response)
    final = latest(_get(getattr(r, "raw", None), "response") for r in responses
                   if _get(getattr(r, "raw", None), "type") in TERMINAL)
    has_calls = response is not None and bool(llm.get_tool_calls_from_response(response, error_on_no_tool_call=False))
    plan.finish(responses_finish(_get(final, "status"), _get(_get(final, "incomplete_details"), "reason"),
                                 calls=has_calls))
    usage = latest((r.additional_kwargs or {}).get("usage") for r in responses)
    if usage is not None:
        plan.usage(_get(usage, "input_tokens"), _get(usage, "output_tokens"))
    return plan.plan()


@implementation(apis=("anthropic",), multi_choice=False, omits=("refusal", "server_tools"), ordered=True,
                marks_undispatched=False)
def anthropic_messages(base_url: str, *, api: str) -> dict[str, Any]:
    from llama_index.llms.anthropic import Anthropic

    llm = Anthropic(model=ANTHROPIC_MODEL, base_url=anthropic_base(base_url), api_key=DUMMY_KEY, max_retries=0)
    responses = _stream(llm)
    response = responses[-1] if responses else None
    plan = _plan(api, llm, response)
    extra = response.message.additional_kwargs if response is not None else {}
    plan.finish(extra.get("stop_reason"))
    usage = extra.get("usage")
    if usage:
        plan.usage(usage.get("input_tokens"), usage.get("output_tokens"))
    return plan.plan()
