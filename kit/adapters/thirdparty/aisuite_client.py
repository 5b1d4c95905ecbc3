"""aisuite: ``client.chat.completions.create(..., stream=True)``, chunks assembled as the
docs tell the user to.

aisuite's README ("Chat Completions" -> "Streaming", github.com/andrewyng/aisuite) shows
``for chunk in client.chat.completions.create(model=model, messages=messages, stream=True)``
reading ``chunk.choices[0].delta.content``, and says that with tools "the chunks carry
incremental ``delta.tool_calls`` fragments for you to assemble and execute (streaming is
manual tool calling — it can't be combined with ``max_turns``)". aisuite has no accumulator,
so the chunks are assembled the way OpenAI's function-calling guide shows for streamed
Chat Completions (platform.openai.com/docs/guides/function-calling, "Streaming"): text
deltas appended; tool-call fragments grouped by ``index``, the first fragment of an index
giving ``id`` and ``function.name``, every fragment's ``function.arguments`` appended; the
last non-null ``finish_reason`` and ``usage`` kept. Like the README and the guide, only
``chunk.choices[0]`` is read (so not multi-choice; its ``index`` is not looked at); a chunk
without choices (a usage-only or filter chunk) only contributes its usage rather than
failing on ``choices[0]``. The assembly is the user's code the docs ask for: where a chunk
field holds something other than the documented type it fails there, as that user code
would (a dict of arguments: ``+=`` on text), except ``delta.content`` as a list of content
parts (a dialect, ``chat-content-parts``), whose ``text`` parts are the text, by the rule
every recipe adapter shares (:func:`kit.adapters.client.content_text`, as
``openai-chat-create`` reads it). Tools are passed as
OpenAI schema dicts, as the README documents; ``create(stream=True)`` without
``max_turns`` never executes tools, so trace tool names need not match.

Providers are configured with ``ai.Client(provider_configs={...})``, whose per-provider dict
aisuite passes straight to the SDK client constructor (``providers/openai_provider.py``,
``providers/anthropic_provider.py``): ``base_url``, ``api_key`` and ``max_retries=0`` (a
retry would only re-fetch the same trace).

- ``chat_stream`` (``openai:...``): the OpenAI provider passes the openai SDK's own chunk
  objects through unchanged (``OpenaiProvider.chat_completions_create_stream``), so this
  row grades the openai SDK's stream parsing plus the documented assembly above, not an
  aisuite conversion.
- ``anthropic_stream`` (``anthropic:...``): aisuite turns the raw Anthropic events
  (``messages.create(stream=True)``) into its own OpenAI-shaped chunks
  (``AnthropicMessageConverter.convert_stream_event``): that conversion is what this row
  grades. Its chunks carry no refusal and no server-tool blocks: omits refusal and
  server_tools.

The assembled choice: the joined text -> SAY, then one DO per assembled call (``id``, ``name``,
``arguments`` as joined), ``delta.refusal`` (OpenAI chunks only) -> refusal, the finish
reason; ``usage.prompt_tokens`` / ``completion_tokens`` -> usage.

Offline: aisuite's tracing sinks are only used by its tool runner / agents, not by
``create(stream=True)``; nothing is downloaded. No environment variables are needed.

Capabilities: ``ordered`` no (the README's assembly keeps one text and the calls by index,
as aisuite's chunks are the openai SDK's / its own chat-shaped chunks); ``marks_undispatched``
no (a call fragment has index, id, function: no status); ``multi_choice`` no
(``choices[0]``, as the README reads it).
"""

from __future__ import annotations

from typing import Any

from kit.adapters import implementation
from kit.adapters.client import DUMMY_KEY, PlanOf, anthropic_base, content_text

OPENAI_MODEL = "openai:gpt-4o"  # any name: the replay server answers every model with the trace
ANTHROPIC_MODEL = "anthropic:claude-sonnet-4-6"
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


class _Choice:
    def __init__(self) -> None:
        self.content: list[str] = []
        self.refusal: list[str] = []
        self.calls: dict[int, dict[str, Any]] = {}  # index -> {"id", "name", "arguments"}, in first-seen order
        self.finish_reason: Any = None


def _assemble(api: str, stream: Any) -> dict[str, Any]:
    state = _Choice()
    seen = False
    usage: Any = None
    for chunk in stream:
        if getattr(chunk, "usage", None) is not None:
            usage = chunk.usage
        if getattr(chunk, "choices", None):
            seen = True
            choice = chunk.choices[0]
            delta = choice.delta
            if delta is not None:
                state.content.extend(content_text(getattr(delta, "content", None)))
                if getattr(delta, "refusal", None):
                    state.refusal.append(delta.refusal)
                for fragment in getattr(delta, "tool_calls", None) or []:
                    function = getattr(fragment, "function", None)
                    if fragment.index not in state.calls:
                        state.calls[fragment.index] = {"id": fragment.id, "name": getattr(function, "name", None),
                                                       "arguments": ""}
                    if function is not None and function.arguments:
                        state.calls[fragment.index]["arguments"] += function.arguments
            if choice.finish_reason is not None:
                state.finish_reason = choice.finish_reason
    plan = PlanOf(api)
    if seen:
        plan.text("".join(state.content))
        for call in state.calls.values():
            plan.call(call["id"], call["name"], call["arguments"])
        plan.refusal("".join(state.refusal))
        plan.finish(state.finish_reason)
    if usage is not None:
        plan.usage(getattr(usage, "prompt_tokens", None), getattr(usage, "completion_tokens", None))
    return plan.plan()


@implementation(apis=("chat",), multi_choice=False, ordered=False, marks_undispatched=False)
def chat_stream(base_url: str, *, api: str) -> dict[str, Any]:
    import aisuite as ai

    client = ai.Client(provider_configs={"openai": {"base_url": base_url, "api_key": DUMMY_KEY, "max_retries": 0}})
    stream = client.chat.completions.create(model=OPENAI_MODEL, messages=MESSAGES, tools=TOOLS, stream=True)
    return _assemble(api, stream)


@implementation(apis=("anthropic",), multi_choice=False, omits=("refusal", "server_tools"), ordered=False,
                marks_undispatched=False)
def anthropic_stream(base_url: str, *, api: str) -> dict[str, Any]:
    import aisuite as ai

    client = ai.Client(provider_configs={"anthropic": {"base_url": anthropic_base(base_url), "api_key": DUMMY_KEY,
                                                       "max_retries": 0}})
    stream = client.chat.completions.create(model=ANTHROPIC_MODEL, messages=MESSAGES, tools=TOOLS, stream=True)
    return _assemble(api, stream)
