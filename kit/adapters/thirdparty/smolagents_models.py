"""smolagents: ``OpenAIServerModel.generate_stream(...)`` folded by ``agglomerate_stream_deltas``.

smolagents (Hugging Face's agent library) streams a model turn through the model-level
API ``Model.generate_stream(messages, tools_to_call_from=[...])``, which yields
``ChatMessageStreamDelta`` objects; the one streaming consumer it ships,
``ToolCallingAgent`` with ``stream_outputs=True`` (``smolagents/agents.py``,
``_step_stream``), collects them and folds them with ``agglomerate_stream_deltas(deltas)``
into a ``ChatMessage``, then runs ``parse_json_if_needed`` over each tool call's
arguments before dispatching it. This adapter is exactly that step without the agent
around it: the agent loop would also *execute* the tools, and the corpus's tool names
(``get_weather``, ``file_write``, ...) are not tools we can or should run; the model
level is where the stream is consumed. The models reference documents
``OpenAIServerModel`` / ``generate_stream`` and ``tools_to_call_from``
(https://huggingface.co/docs/smolagents/reference/models).

Tools are declared the documented way, with the ``@tool`` decorator; smolagents only
turns them into the request's ``tools`` schema (the replay server ignores the request)
and does not filter the streamed calls by name, so calls to undeclared tools are kept.

Mapping of the ``ChatMessage``: ``content`` (one string) -> SAY, then each of
``tool_calls`` -> DO (``id``, ``function.name``, the arguments after
``parse_json_if_needed``: a dict when ``json.loads`` succeeded, else the raw string,
which the Plan marks invalid) in smolagents' order, ``token_usage`` -> usage.
smolagents' streamed result has no finish reason (neither ``ChatMessageStreamDelta``
nor ``ChatMessage`` carries one) -> ``omits=("finish_reason",)``; it reads only
``choices[0]`` -> ``multi_choice=False``; it has no refusal or server-tool field ->
``omits`` those too. ``token_usage`` is never None: smolagents sums the usage of every
chunk that carried one and returns ``TokenUsage(0, 0)`` when none did; both are graded as
given (a stream with no usage then reads as zero tokens, which rule ``chat-usage`` counts
as wrong: the consumer should report none).

Retries: the OpenAI client gets ``client_kwargs={"max_retries": 0}`` and the model
``retry=False`` (smolagents' own rate-limit retry, which would sleep 60 s), since a retry
only re-fetches the same trace. No network: smolagents and the OpenAI SDK make no
request at import or construction; nothing is downloaded.

Capabilities: ``ordered`` no (``agglomerate_stream_deltas`` returns a ``ChatMessage`` with one
``content`` string beside ``tool_calls``, ``smolagents/models.py:124-127``); ``marks_undispatched``
no (a ``ChatMessageToolCall`` is id, type and function: no status; arguments that do not
parse stay a string, given as invalid arguments); ``multi_choice`` no (``choices[0]``).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from kit.adapters import implementation
from kit.adapters.client import DUMMY_KEY, PlanOf

MODEL = "gpt-4o-mini"  # any name: the replay server answers every model with the trace
MESSAGES = [{"role": "user", "content": [{"type": "text", "text": "hi"}]}]


@cache
def _tools() -> tuple[Any, ...]:
    from smolagents import tool

    @tool
    def get_weather(city: str) -> str:
        """Get the current weather for a city.

        Args:
            city: The city name.
        """
        return ""

    @tool
    def run_command(command: str) -> str:
        """Run a shell command.

        Args:
            command: The command line.
        """
        return ""

    return (get_weather, run_command)


@implementation(apis=("chat",), multi_choice=False, omits=("finish_reason", "refusal", "server_tools"), ordered=False,
                marks_undispatched=False)
def generate_stream(base_url: str, *, api: str) -> dict[str, Any]:
    from smolagents import OpenAIServerModel, agglomerate_stream_deltas
    from smolagents.models import parse_json_if_needed

    model = OpenAIServerModel(model_id=MODEL, api_base=base_url, api_key=DUMMY_KEY,
                              client_kwargs={"max_retries": 0}, retry=False)
    deltas = list(model.generate_stream(MESSAGES, tools_to_call_from=list(_tools())))
    message = agglomerate_stream_deltas(deltas)
    plan = PlanOf(api)
    plan.text(message.content)
    for call in message.tool_calls or []:
        raw = call.function.arguments
        parsed = parse_json_if_needed(raw)  # what ToolCallingAgent does before dispatching
        plan.call(call.id, call.function.name, raw if isinstance(parsed, str) else parsed)
    usage = message.token_usage
    if usage is not None:
        plan.usage(usage.input_tokens, usage.output_tokens)
    plan.finish(None)  # smolagents always returns the one message (choice 0); it has no finish reason
    return plan.plan()
