"""instructor: ``client.create_partial(response_model=..., ...)``; the last partial is the result.

**What instructor is for.** instructor is a structured-extraction library: you give it a
Pydantic model, it asks the model to call *one* tool whose parameters are that model's
JSON schema (``tool_choice`` forces that tool), and it validates the call's arguments
into an instance of the model. Its streaming path is ``create_partial`` ("Streaming
Partial Responses", https://python.useinstructor.com/concepts/partial): the call yields
ever more complete partial instances as the tool-call arguments stream in, and "the last
value yielded by the generator represents the completed extraction". That last value is
what this adapter grades. It is not a general consumer of tool-calling streams, and its
row should be read that way: what it does with a stream is take the argument fragments
of tool calls and parse them into the one model it asked for.

What that means against the corpus (instructor's own source, ``instructor/v2``):

- Only tool-call *arguments* are read: for Chat Completions the arguments of the first
  tool-call fragment of each chunk (``providers/openai/handlers.py``,
  ``extract_streaming_json``), for Responses every ``response.function_call_arguments.delta``
  (``dsl/partial.py``, ``extract_json``), for Anthropic every ``input_json_delta``
  (``providers/anthropic/handlers.py``). Text, refusals, tool names and ids, the finish
  or stop reason and usage are never looked at; the fragments of all calls in the stream
  are appended into one JSON text, whatever tool they belong to.
- The result is one model instance; it carries no tool call id (``omits`` ``call_id``),
  no finish reason, no usage, no refusal, no server tools (``omits`` those too), and no
  tool name: the name is the one instructor forced, the response model's name. So each
  result is one DO whose ``action`` is that forced name (``ToolArguments``), because that
  is the tool instructor reports the arguments as belonging to; the corpus's traces call
  ``get_weather``, ``file_write``, ... and instructor never checks, so on a stream with a
  tool call the DO's action differs from the reference's. No result (nothing yielded, as
  for a text-only stream) is a Plan with no commands.
- The response model accepts any JSON object (``extra="allow"``, no declared fields), so
  instructor's own validation never rejects the corpus's arguments; ``parameters`` is
  ``model_dump()`` of the last partial, i.e. what instructor parsed (by partial JSON
  parsing with ``jiter`` until the text is complete).

Clients: ``instructor.from_openai(OpenAI(base_url=..., max_retries=0), mode=Mode.TOOLS)``
(Chat Completions), ``mode=Mode.RESPONSES_TOOLS`` (Responses), and
``instructor.from_anthropic(Anthropic(..., max_retries=0))`` (its default tools mode),
and ``max_retries=0`` on ``create_partial`` (instructor's own re-ask loop, which sends a
new request after a validation error): a retry would only re-fetch the same trace. The
exception instructor raises after its last attempt (``InstructorRetryException`` around
the parse error) is its answer. No network: instructor and the SDKs make no request at
import or construction.
"""

from __future__ import annotations

from typing import Any

from kit.adapters import implementation
from kit.adapters.client import DUMMY_KEY, PlanOf, anthropic_base

MESSAGES = [{"role": "user", "content": "hi"}]
OMITS = ("usage", "finish_reason", "refusal", "server_tools", "call_id")


def _model() -> Any:
    from pydantic import BaseModel, ConfigDict

    class ToolArguments(BaseModel):
        """The arguments of the tool call, whatever they are."""

        model_config = ConfigDict(extra="allow")

    return ToolArguments


def _plan(api: str, partials: Any, model: Any) -> dict[str, Any]:
    last = None
    for partial in partials:  # the documented loop; the last value is the completed extraction
        last = partial
    plan = PlanOf(api)
    if last is not None:
        plan.call(None, model.__name__, last.model_dump())
    plan.finish(None)  # one result, one choice; instructor has no finish reason
    return plan.plan()


@implementation(apis=("chat",), multi_choice=False, omits=OMITS)
def chat_partial(base_url: str, *, api: str) -> dict[str, Any]:
    import instructor
    from openai import OpenAI

    client = instructor.from_openai(OpenAI(base_url=base_url, api_key=DUMMY_KEY, max_retries=0),
                                    mode=instructor.Mode.TOOLS)
    model = _model()
    return _plan(api, client.create_partial(model="gpt-4o-mini", response_model=model, messages=MESSAGES,
                                            max_retries=0), model)


@implementation(apis=("responses",), multi_choice=False, omits=OMITS)
def responses_partial(base_url: str, *, api: str) -> dict[str, Any]:
    import instructor
    from openai import OpenAI

    client = instructor.from_openai(OpenAI(base_url=base_url, api_key=DUMMY_KEY, max_retries=0),
                                    mode=instructor.Mode.RESPONSES_TOOLS)
    model = _model()
    return _plan(api, client.create_partial(model="gpt-4o-mini", response_model=model, messages=MESSAGES,
                                            max_retries=0), model)


@implementation(apis=("anthropic",), multi_choice=False, omits=OMITS)
def anthropic_partial(base_url: str, *, api: str) -> dict[str, Any]:
    import instructor
    from anthropic import Anthropic

    client = instructor.from_anthropic(Anthropic(base_url=anthropic_base(base_url), api_key=DUMMY_KEY,
                                                 max_retries=0))
    model = _model()
    return _plan(api, client.create_partial(model="claude-sonnet-4-5", max_tokens=1024, response_model=model,
                                            messages=MESSAGES, max_retries=0), model)
