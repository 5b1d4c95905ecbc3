"""The google-genai SDK: ``client.models.generate_content_stream(...)``, the chunks iterated.

The SDK's documented way of streaming with function calling (the README's "Generate
Content (Synchronous Streaming)" and "Function Calling: Manually declare and invoke a
function" sections, and the docstring of ``Models.generate_content_stream``)::

    client = genai.Client(api_key=..., http_options=types.HttpOptions(base_url=...))
    config = types.GenerateContentConfig(tools=[types.Tool(function_declarations=[...])])
    for chunk in client.models.generate_content_stream(model=..., contents=..., config=config):
        chunk.candidates[i].content.parts, .finish_reason, chunk.usage_metadata

The SDK has no accumulator: each chunk is one ``GenerateContentResponse`` (one payload of
the stream), and the user reads its candidates' parts as they come. ``chunk.text`` and
``chunk.function_calls`` are shortcuts over the first candidate's parts; the adapter reads
``chunk.candidates`` itself so that every candidate is seen, in part order:

- a ``text`` part that is not ``thought`` -> SAY text of the candidate (consecutive text
  joins, a call between texts splits them); ``thought`` parts and ``thought_signature``
  are never text;
- a ``function_call`` part -> one DO: ``id`` (absent on the Gemini API: null, the call's
  position is its identity), ``name``, ``args`` (the dict the SDK validated; none: a
  no-argument call);
- ``executable_code`` / ``code_execution_result`` parts -> the server tools
  ``code_execution`` / ``code_execution_result``; a candidate's ``grounding_metadata``
  with ``web_search_queries``, ``grounding_chunks`` or a ``search_entry_point`` -> one
  ``google_search`` server tool for that candidate, its ``url_context_metadata`` -> one
  ``url_context`` (after the chunk's parts, as the reference places them); a server-side
  ``tool_call`` part, ``inline_data`` and the rest are neither SAY nor DO;
- a candidate's choice is its ``index`` (absent: its position in the chunk's list), its
  finish the last ``finish_reason`` a chunk gave it (through
  :func:`kit.adapters.client.finish_reason`); ``prompt_feedback.block_reason`` with no
  finish for choice 0 -> ``content_filter``;
- usage: the last ``usage_metadata`` a chunk carried, read by
  :func:`kit.adapters.client.gemini_usage` (``prompt_token_count`` in,
  ``candidates_token_count`` plus ``thoughts_token_count`` out).

What the SDK raises is its answer: an error payload in the stream (``{"error": {...}}``)
is an ``APIError`` raised from ``BaseApiClient.request_streamed``
(``google/genai/_api_client.py``); a payload that is not JSON, or an SSE line that is
neither ``data: `` nor blank (a comment, ``event:``, ``data:`` without its space), an
``UnknownApiResponseError`` from ``HttpResponse._load_json_from_response`` (its SSE reader,
``_iter_response_stream``, buffers any other line as raw JSON). A stream that ends
without a finish reason is returned as it is: the SDK does not raise
(``_extra_utils.StreamContinuation.end_hop`` only resumes from a continuation token, and
there is none).

Clients: ``api_key`` a dummy, no retries (``HttpOptions.retry_options`` unset: one
attempt, ``_api_client.retry_args``), the Gemini API (not Vertex AI), function
declarations only (nothing for automatic function calling to run: the SDK's AFC loop has
no function map and yields the one stream's chunks).

Capabilities, from what the chunks can say:

- ``multi_choice`` yes: ``GenerateContentResponse.candidates`` is the list of candidates,
  each with its ``index`` (``google/genai/types.py``).
- ``ordered`` yes: each chunk's ``Content.parts`` is the list of parts in stream order, and
  the chunks come in stream order.
- ``holds_invalid_arguments`` no: ``FunctionCall.args`` is ``Optional[dict[str, Any]]``
  (``types.py``); arguments that are not an object fail the chunk's validation.
- ``marks_undispatched`` no: a ``FunctionCall`` is ``id``, ``name``, ``args``,
  ``partial_args``, ``will_continue``; nothing marks a whole call as not to be run.
- ``call_types`` ``functionCall`` only: streamed function-call arguments are requested with
  ``FunctionCallingConfig.stream_function_call_arguments``, which the SDK refuses on the
  Gemini API (``ValueError`` in ``models.py`` ``_FunctionCallingConfig_to_mldev``), and the
  SDK never assembles ``partial_args`` (it passes each part's raw list through; no code of
  the package puts them together), so a stream of streamed calls is one this row's user
  cannot ask for, not one whose calls it loses.
"""

from __future__ import annotations

from typing import Any

from kit.adapters import implementation
from kit.adapters.client import DUMMY_KEY, PlanOf, gemini_grounding, gemini_server_part, gemini_usage

MODEL = "gemini-2.5-flash"  # any name: the replay server answers every model with the trace
CONTENTS = "hi"
# one generic function declaration; the server ignores the request and the traces call other names
FUNCTION = {
    "name": "get_weather",
    "description": "Get the current weather for a city.",
    "parameters_json_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}
# the kinds of tool use the Gemini API lets this SDK request: whole function calls (streamed
# arguments are Vertex AI only, see the module's docstring)
CALL_TYPES = ("functionCall",)


class Candidates:
    """The Plan of a stream of ``GenerateContentResponse`` chunks, read candidate by
    candidate as they come (the SDK keeps nothing across chunks)."""

    def __init__(self, api: str) -> None:
        self.plan = PlanOf(api)
        self.finish: dict[int, Any] = {}
        self.grounded: set[tuple[int, str]] = set()
        self.usage: Any = None
        self.blocked = False

    def chunk(self, chunk: Any) -> None:
        for position, candidate in enumerate(getattr(chunk, "candidates", None) or []):
            choice = candidate.index if isinstance(candidate.index, int) else position
            content = candidate.content
            for part in (content.parts if content is not None else None) or []:
                self.part(part, choice)
            for kind in gemini_grounding(candidate.grounding_metadata, candidate.url_context_metadata):
                if (choice, kind) not in self.grounded:  # once per candidate
                    self.grounded.add((choice, kind))
                    self.plan.server_tool({"type": kind, "id": None, "name": None}, choice)
            if candidate.finish_reason is not None:
                self.finish[choice] = candidate.finish_reason
            else:
                self.finish.setdefault(choice, None)
        feedback = getattr(chunk, "prompt_feedback", None)
        if feedback is not None and feedback.block_reason is not None:
            self.blocked = True
        if getattr(chunk, "usage_metadata", None) is not None:
            self.usage = chunk.usage_metadata

    def part(self, part: Any, choice: int) -> None:
        if part.text is not None:
            if not part.thought:
                self.plan.text(part.text, choice)
        elif part.function_call is not None:
            call = part.function_call
            self.plan.call(call.id, call.name, call.args, choice)
        else:
            kind = next((gemini_server_part(field) for field in ("executable_code", "code_execution_result")
                         if getattr(part, field) is not None), None)
            if kind is not None:
                self.plan.server_tool({"type": kind, "id": None, "name": None}, choice)

    def result(self) -> dict[str, Any]:
        if self.blocked and self.finish.get(0) is None:
            self.finish[0] = "content_filter"
        for choice, reason in sorted(self.finish.items()):
            self.plan.finish(reason, choice)
        usage = gemini_usage(self.usage)
        if usage:
            self.plan.usage(usage.get("input_tokens"), usage.get("output_tokens"))
        return self.plan.plan()


@implementation(apis=("gemini",), multi_choice=True, ordered=True, marks_undispatched=False,
                holds_invalid_arguments=False, call_types=CALL_TYPES)
def generate_content_stream(base_url: str, *, api: str) -> dict[str, Any]:
    from google import genai
    from google.genai import types

    client = genai.Client(api_key=DUMMY_KEY, http_options=types.HttpOptions(base_url=base_url))
    tool = types.Tool(function_declarations=[types.FunctionDeclaration(**FUNCTION)])
    config = types.GenerateContentConfig(tools=[tool])
    out = Candidates(api)
    for chunk in client.models.generate_content_stream(model=MODEL, contents=CONTENTS, config=config):
        out.chunk(chunk)
    return out.result()
