"""Simon Willison's ``llm`` (library + CLI) and its ``llm-anthropic`` plugin.

Pattern (LLM's Python API docs, ``docs/python-api.md``, "Tools" and "Streaming
responses"; https://llm.datasette.io/en/stable/python-api.html): pass Python functions
with ``model.prompt(..., tools=[...])``, stream the response by iterating it
(``for chunk in response``), then read ``response.tool_calls()`` ("what the model wants
to execute"), ``response.text()``, ``response.usage()`` and the raw ``response.json()``.
LLM only runs tools in ``model.chain()`` / ``response.reply()``; a single
``model.prompt()`` never executes, validates or re-prompts, so it is the API level graded
here. The tool calls are the ones ``response.execute_tool_calls()`` (and so ``chain()``)
would run.

Pointing the models at the replay server, the documented way for each:

- ``llm-openai`` (Chat Completions) / ``llm-openai-responses``: LLM's built-in OpenAI
  models. The documented route to an OpenAI-compatible endpoint is an
  ``extra-openai-models.yaml`` in LLM's user directory (``docs/other-models.md``,
  "Configure an OpenAI-compatible model": ``model_id``, ``model_name``, ``api_base``,
  ``supports_tools: true``, and ``responses: true`` for the Responses API), then
  ``llm.get_model(model_id)``. The file
  is rewritten with the case's base URL before each ``get_model`` (LLM re-reads it every
  time it registers models), under a lock. LLM's user directory is a temporary directory
  (``LLM_USER_PATH``, ``docs/setup.md``), set before ``llm`` is imported, so nothing
  reads or writes the user's real ``~/.config/io.datasette.llm``.
- ``llm-anthropic``: the plugin's README ("Usage from Python") documents importing
  ``ClaudeMessages`` and passing ``base_url=`` to point it at another Anthropic-compatible
  endpoint; the key is given with ``model.prompt(..., key=...)`` as shown there.

Tools: LLM declares only tools it has a Python function for, so one generic function
(``lookup(query)``) is declared; the server ignores the request, and a call to a name
that was not declared is still reported by ``response.tool_calls()`` (LLM only notices
the missing implementation when it executes the call, in ``execute_tool_calls``).

Retries: LLM builds its own ``openai.OpenAI`` / ``anthropic.Anthropic`` client and has no
setting for ``max_retries``, so the SDKs' defaults apply (a retry only happens on a
connection error or a 408/409/429/5xx status, which the replay server never sends).

Mapping (no repair):

- Order: the parts of ``response.messages()`` (the assistant messages LLM assembles from the
  stream, in order: ``TextPart``, ``ToolCallPart``...; what ``chain()`` and LLM's log keep
  of the turn, ``llm/models.py`` ``_messages_now`` / ``_build_message_parts``). Each
  ``TextPart`` -> SAY; each client ``ToolCallPart`` (not ``server_executed``) -> DO, taken
  as the ``response.tool_calls()`` entry at its position (the calls
  ``execute_tool_calls()`` and ``chain()`` run: ``tool_call_id``, ``name``, ``arguments``
  as LLM parsed them; a call without an id gets the ``tc_...`` id LLM synthesizes, as
  documented). Where the parts do not line up with ``tool_calls()`` (another number of
  calls), the Plan is ``response.text()`` then the calls. An exception ``messages()``
  raises is LLM's answer: ``chain()`` (``_chain_for_tool_results``, ``models.py:2783``) and
  logging (``_response_to_dict``, ``models.py:1681``) assemble the same parts.
- Invalid arguments: where LLM cannot parse a call's
  arguments it does not raise but stores ``{"_raw": <the text>}`` as the call's arguments
  (simonw/llm 0.36, ``llm/default_plugins/openai_models.py``, the Responses model's
  stream: ``args = {"_raw": item.arguments}`` on ``json.JSONDecodeError``; and
  ``llm/models.py``, the message parts: ``arguments = {"_raw": args_str}``). That is
  LLM's marker for "not valid JSON", so a dict whose one key is ``_raw`` holding a text
  that is not JSON (which ``json.loads`` of real arguments can never produce) is given
  to the Plan as that raw text: invalid arguments, parameters null, as the Plan
  conventions have them. (The Chat model has no marker: its ``json.loads`` raises.)
- Finish: Chat: ``response.json()["finish_reason"]`` (LLM's combined chunk record);
  Responses: ``status`` of the final response object LLM keeps in ``response.json()``,
  read by :func:`kit.adapters.client.responses_finish` (the rule every adapter shares:
  ``completed`` -> ``tool_calls`` when LLM reported tool calls, else ``stop``;
  ``incomplete`` -> by ``incomplete_details.reason``; ``failed`` -> ``error``; no
  terminal status -> null); Anthropic: ``response.json()["stop_reason"]`` (the final
  message).
- Usage: ``response.usage()`` input and output tokens.

The first case of a run also pays LLM's plugin loading (the OpenAI and Anthropic SDK
imports, several seconds); later cases take tens of milliseconds.

Refusal (``llm-anthropic``): on ``stop_reason: "refusal"`` the plugin raises
``llm_anthropic.ClaudeRefusal`` (a ``llm.ModelError``) instead of returning, as its README
documents ("Refusals"); ``raise_if_refused`` runs after the final message and the usage are
recorded "so they are available on the response object even though the exception
propagates". That exception is the plugin's documented answer to a refusal, not a crash, so
it is mapped: the text the iteration yielded before it -> SAY (what the user was shown),
``response.response_json["stop_reason"]`` -> finish (``refusal`` -> ``content_filter``),
``response.input_tokens`` / ``output_tokens`` -> usage (the attributes ``set_usage`` wrote:
``usage()``, ``messages()`` and ``tool_calls()`` would run the prompt again on a response
that did not finish), and no DO (the exception leaves ``chain()``, so nothing is run). Any
other exception is LLM's answer as it is.

Capabilities: one choice (LLM reads ``choices[0]`` only); a refusal has no place in an
LLM response (the Chat model ignores ``delta.refusal``; the Responses model ignores refusal
parts; ``llm-anthropic`` raises ``ClaudeRefusal``, mapped to its finish above, with no refusal
text), so ``refusal`` is omitted. LLM's
server-executed tool calls (``response.messages()`` parts with ``server_executed=True``)
are not part of ``tool_calls()`` and are not mapped: ``server_tools`` is omitted.

``ordered``: yes. ``Response.messages()`` (``llm/models.py:2120``) keeps text and tool-call
parts in stream order (see Order above); ``text()`` (``models.py:1879``) and
``tool_calls()`` (``models.py:2020``) alone would not.
``marks_undispatched``: no. LLM's one marker is ``{"_raw": text}`` for arguments that are not
JSON (Responses model; the message parts), which cannot tell a cut call from a complete
call with malformed arguments; it is given as an invalid DO (see Mapping), what the Plan
has for malformed arguments and what a one-marker library may answer for a cut call.
``multi_choice``: no (``choices[0]``).
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading
from typing import Any

from kit.adapters import implementation
from kit.adapters.client import DUMMY_KEY, PlanOf, anthropic_base, responses_finish
from kit.plan import parse_arguments

MODEL_ID = "kit-replay"  # the name LLM knows the configured model by
MODEL_NAME = "gpt-4o-mini"  # sent to the server, which ignores it
ANTHROPIC_MODEL = "claude-sonnet-5"
PROMPT = "hi"

_LOCK = threading.Lock()
_USER_DIR: str | None = None


# the kinds of client call a user can request on Responses (call_types): llm's tools are
# functions; llm.ServerSideTool passes a raw dict, but is documented for tools the provider
# runs, not client calls such as computer use or custom tools.
RESPONSES_CALL_TYPES = ("function_call",)


def _user_dir() -> str:
    """A private LLM user directory for this process (set before ``llm`` is imported)."""
    global _USER_DIR
    with _LOCK:
        if _USER_DIR is None:
            _USER_DIR = tempfile.mkdtemp(prefix="kit-llm-")
            atexit.register(shutil.rmtree, _USER_DIR, True)
            os.environ["LLM_USER_PATH"] = _USER_DIR
    return _USER_DIR


def lookup(query: str) -> str:
    """Look something up. (Declared so the request has a tool; never executed.)"""
    return query


def _openai_model(base_url: str, *, responses: bool) -> Any:
    user_dir = _user_dir()
    import llm
    import yaml  # LLM's own dependency, it reads the file with it

    entry = {"model_id": MODEL_ID, "model_name": MODEL_NAME, "api_base": base_url, "supports_tools": True}
    if responses:
        entry["responses"] = True
    with _LOCK:
        with open(os.path.join(user_dir, "extra-openai-models.yaml"), "w", encoding="utf-8") as f:
            yaml.safe_dump([entry], f)
        return llm.get_model(MODEL_ID)


def _arguments(arguments: Any) -> Any:
    """A call's arguments as LLM gives them, with its invalid-JSON marker (``{"_raw": text}``,
    see the module docstring) turned back into the raw text it holds, which the Plan then
    marks invalid; anything else as it is."""
    if isinstance(arguments, dict) and len(arguments) == 1 and isinstance(arguments.get("_raw"), str):
        raw = arguments["_raw"]
        if parse_arguments(raw)[1]:  # LLM only sets the marker on text json.loads rejects
            return raw
    return arguments


def _plan(api: str, response: Any, finish: Any) -> dict[str, Any]:
    from llm.parts import TextPart, ToolCallPart

    plan = PlanOf(api)
    calls = list(response.tool_calls())
    parts = [part for message in response.messages() for part in message.parts]
    client_parts = [p for p in parts if isinstance(p, ToolCallPart) and not p.server_executed]
    if len(client_parts) == len(calls):
        # the assistant message's parts in stream order; each client tool-call part stands for
        # the tool_calls() entry at its position, which is what execute_tool_calls() runs
        taken = 0
        for n, part in enumerate(parts):
            if isinstance(part, TextPart):
                plan.text(part.text, item=n)
            elif isinstance(part, ToolCallPart) and not part.server_executed:
                call = calls[taken]
                taken += 1
                plan.call(call.tool_call_id, call.name, _arguments(call.arguments))
    else:  # the parts do not line up with the calls that are run: the text, then the calls
        plan.text(response.text())
        for call in calls:
            plan.call(call.tool_call_id, call.name, _arguments(call.arguments))
    plan.finish(finish)
    usage = response.usage()
    plan.usage(usage.input, usage.output)
    return plan.plan()


def _run(model: Any, **kwargs: Any) -> Any:
    response = model.prompt(PROMPT, tools=[lookup], **kwargs)
    for _chunk in response:  # stream, as the docs show
        pass
    return response


@implementation(apis=("chat",), multi_choice=False, omits=("refusal", "server_tools"), ordered=True,
                marks_undispatched=False)
def openai_chat(base_url: str, *, api: str) -> dict[str, Any]:
    response = _run(_openai_model(base_url, responses=False))
    raw = response.json() or {}
    return _plan(api, response, raw.get("finish_reason"))


@implementation(apis=("responses",), multi_choice=False, omits=("refusal", "server_tools"), ordered=True,
                marks_undispatched=False, call_types=RESPONSES_CALL_TYPES)
def openai_responses(base_url: str, *, api: str) -> dict[str, Any]:
    response = _run(_openai_model(base_url, responses=True))
    raw = response.json() or {}
    details = raw.get("incomplete_details")
    finish = responses_finish(raw.get("status"), details.get("reason") if isinstance(details, dict) else None,
                              calls=bool(response.tool_calls()))
    return _plan(api, response, finish)


@implementation(apis=("anthropic",), multi_choice=False, omits=("refusal", "server_tools"), ordered=True,
                marks_undispatched=False)
def claude_messages(base_url: str, *, api: str) -> dict[str, Any]:
    _user_dir()
    from llm_anthropic import ClaudeMessages

    from llm_anthropic import ClaudeRefusal

    model = ClaudeMessages(ANTHROPIC_MODEL, base_url=anthropic_base(base_url))
    response = model.prompt(PROMPT, tools=[lookup], key=DUMMY_KEY)
    shown: list[str] = []
    try:
        for chunk in response:  # stream, as the docs show
            shown.append(chunk)
    except ClaudeRefusal:  # the plugin's documented report of stop_reason "refusal" (see the docstring)
        plan = PlanOf(api).text("".join(shown))
        plan.finish((response.response_json or {}).get("stop_reason"))
        plan.usage(response.input_tokens, response.output_tokens)
        return plan.plan()
    raw = response.json() or {}
    return _plan(api, response, raw.get("stop_reason"))
