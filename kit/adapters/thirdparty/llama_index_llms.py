"""LlamaIndex LLM integrations: ``llama-index-llms-openai`` (``OpenAI``, ``OpenAIResponses``)
and ``llama-index-llms-anthropic`` (``Anthropic``).

Pattern: LlamaIndex's "Manual Tool Calling" (``docs/examples/llm/openai.ipynb`` and
``openai_responses.ipynb`` in run-llama/llama_index, "Using Function/Tool Calling"): call the
function-calling LLM with tools, then ``llm.get_tool_calls_from_response(response,
error_on_no_tool_call=False)`` and ``response.message.content``. Streamed, as LlamaIndex's
own ``FunctionAgent`` does it (``llama_index/core/agent/workflow/function_agent.py``):
iterate ``llm.stream_chat_with_tools(tools, user_msg=...)`` (``FunctionCallingLLM``,
``llama_index/core/llms/function_calling.py``) and read the tool calls and text from the
*last* ``ChatResponse`` it yielded. That is the model level: nothing is executed, and
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
  was built from; finish = ``raw.choices[0].finish_reason`` of the last one, usage =
  ``raw.usage`` of the last one (LlamaIndex keeps no finish reason or usage of its own
  across the stream: ``additional_kwargs`` token counts are also the last chunk's).
- ``llama-index-openai-responses`` (``OpenAIResponses``): each yielded ``ChatResponse`` holds
  only what its own event contributed; the last one (``response.completed``) is the whole
  output re-parsed. Finish: the status of ``raw.response`` when the last event is a
  terminal one, read as the Responses API defines it (``completed`` -> ``tool_calls`` when
  LlamaIndex reported calls else ``stop``; ``incomplete`` -> ``incomplete_details.reason``;
  ``failed`` -> ``error``); usage = ``additional_kwargs["usage"]``.
- ``llama-index-anthropic`` (``Anthropic(model="claude-sonnet-5", base_url=..., max_retries=0)``):
  finish = ``message.additional_kwargs["stop_reason"]`` and usage =
  ``additional_kwargs["usage"]`` of the last ``ChatResponse`` (LlamaIndex tracks both from
  ``message_start`` / ``message_delta``). Two version constraints, both outside the
  streaming code graded here: with ``anthropic>=2`` (what a fresh install resolves to)
  ``messages_to_anthropic_messages`` calls ``anthropic.types.MessageParam(...)``, a
  ``typing.Union`` there, so every call raises ``TypeError`` before any request; the
  matrix environment pins ``anthropic<2``. And the current ``anthropic`` 1.x
  ``messages.create`` has no ``temperature`` parameter, which LlamaIndex leaves out only
  for the models in ``ANTHROPIC_NO_TEMP_MODELS``: the model name is one of those.

Mapping (no repair): SAY = ``response.message.content`` (LlamaIndex joins the text blocks
into one string), then one DO per ``ToolSelection`` (``tool_id``, ``tool_name``,
``tool_kwargs`` as LlamaIndex parsed them), so text sent after a call comes out before it.
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
from kit.adapters.client import DUMMY_KEY, PlanOf, anthropic_base

OPENAI_MODEL = "gpt-4o-mini"  # a name LlamaIndex knows; the replay server ignores it
ANTHROPIC_MODEL = "claude-sonnet-5"  # in ANTHROPIC_NO_TEMP_MODELS (see the docstring)
PROMPT = "hi"


def lookup(query: str) -> str:
    """Look something up. (Declared so the request has a tool; never executed.)"""
    return query


def _stream(llm: Any) -> Any:
    from llama_index.core.tools import FunctionTool

    tool = FunctionTool.from_defaults(fn=lookup)
    last = None
    for last in llm.stream_chat_with_tools([tool], user_msg=PROMPT):
        pass
    return last


def _plan(api: str, llm: Any, response: Any) -> PlanOf:
    plan = PlanOf(api)
    if response is None:  # the stream yielded nothing at all
        return plan
    plan.text(response.message.content)
    for call in llm.get_tool_calls_from_response(response, error_on_no_tool_call=False):
        plan.call(call.tool_id, call.tool_name, call.tool_kwargs)
    return plan


def _get(obj: Any, key: str) -> Any:
    return obj.get(key) if isinstance(obj, dict) else getattr(obj, key, None)


@implementation(apis=("chat",), multi_choice=False, omits=("refusal", "server_tools"))
def openai_chat(base_url: str, *, api: str) -> dict[str, Any]:
    from llama_index.llms.openai import OpenAI

    llm = OpenAI(model=OPENAI_MODEL, api_base=base_url, api_key=DUMMY_KEY, max_retries=0)
    response = _stream(llm)
    plan = _plan(api, llm, response)
    raw = getattr(response, "raw", None)
    choices = _get(raw, "choices") or []
    plan.finish(_get(choices[0], "finish_reason") if choices else None)
    usage = _get(raw, "usage")
    if usage is not None:
        plan.usage(_get(usage, "prompt_tokens"), _get(usage, "completion_tokens"))
    return plan.plan()


@implementation(apis=("responses",), multi_choice=False, omits=("refusal", "server_tools"))
def openai_responses(base_url: str, *, api: str) -> dict[str, Any]:
    from llama_index.llms.openai import OpenAIResponses

    llm = OpenAIResponses(model=OPENAI_MODEL, api_base=base_url, api_key=DUMMY_KEY, max_retries=0)
    response = _stream(llm)
    plan = _plan(api, llm, response)
    final = _get(getattr(response, "raw", None), "response")
    status = _get(final, "status")
    if status == "completed":
        has_calls = response is not None and llm.get_tool_calls_from_response(response, error_on_no_tool_call=False)
        finish: Any = "tool_calls" if has_calls else "stop"
    elif status == "incomplete":
        finish = _get(_get(final, "incomplete_details"), "reason") or "incomplete"
    elif status == "failed":
        finish = "error"
    else:
        finish = None  # the last event was not a terminal one: no status to read
    plan.finish(finish)
    usage = (response.additional_kwargs or {}).get("usage") if response is not None else None
    if usage is not None:
        plan.usage(_get(usage, "input_tokens"), _get(usage, "output_tokens"))
    return plan.plan()


@implementation(apis=("anthropic",), multi_choice=False, omits=("refusal", "server_tools"))
def anthropic_messages(base_url: str, *, api: str) -> dict[str, Any]:
    from llama_index.llms.anthropic import Anthropic

    llm = Anthropic(model=ANTHROPIC_MODEL, base_url=anthropic_base(base_url), api_key=DUMMY_KEY, max_retries=0)
    response = _stream(llm)
    plan = _plan(api, llm, response)
    extra = response.message.additional_kwargs if response is not None else {}
    plan.finish(extra.get("stop_reason"))
    usage = extra.get("usage")
    if usage:
        plan.usage(usage.get("input_tokens"), usage.get("output_tokens"))
    return plan.plan()
