"""Scripts: a short, human-writable description of a response, rendered into SSE bytes.

A script says *what* the model produced (text runs, tool calls, a finish reason); a
dialect says *how* a provider streams it (how finely text and arguments are split,
how tool-call indexes are numbered, whether id and name repeat on every fragment,
framing details). Rendering the same script in every dialect must give the same Plan,
which is what the property tests check, and what ``kit.strategies`` generates.

Example::

    script = Script([Text("Sure! "), Tool("get_weather", '{"location":"Berlin"}', "call_1")])
    body = render_chat(script, ChatDialect(index="zero", repeat_header=True))
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["Text", "Tool", "Reasoning", "Script", "ChatDialect", "render_chat", "ResponsesDialect", "render_responses",
           "AnthropicDialect", "render_anthropic", "GeminiDialect", "render_gemini", "json_path"]


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Tool:
    name: str
    arguments: str
    call_id: str


@dataclass(frozen=True)
class Reasoning:
    """Reasoning text: Chat ``delta.reasoning_content``, a Responses reasoning item (summary
    text), an Anthropic thinking block, Gemini ``thought: true`` parts. Never part of a SAY;
    in Chat it does not split one, in Responses and Anthropic the text around it is in
    separate items / blocks anyway."""

    text: str


@dataclass
class Script:
    steps: list[Text | Tool | Reasoning]
    # the finish reason (stop | tool_calls | length | content_filter); default: tool_calls when
    # there is a tool call, else stop. Responses renders length / content_filter as
    # response.incomplete, Anthropic as stop_reason max_tokens / refusal.
    finish: str | None = None
    usage: tuple[int, int] | None = None
    # an in-band error that ends the stream instead of its finish (a broken stream: class n),
    # e.g. {"type": "server_error", "message": "upstream reset"}
    error: dict | None = None

    @property
    def finish_reason(self) -> str:
        """The finish reason the reference gives (``error`` for a script with an error)."""
        if self.error is not None:
            return "error"
        if self.finish is not None:
            return self.finish
        return "tool_calls" if any(isinstance(s, Tool) for s in self.steps) else "stop"


@dataclass(frozen=True)
class ChatDialect:
    text_split: int = 4  # characters per text delta
    args_split: int = 6  # characters per argument fragment
    index: Literal["dense", "one", "zero", "missing"] = "dense"
    repeat_header: bool = False  # id, type and name on every fragment (Fireworks, DeepSeek)
    empty_id_on_continuation: bool = False
    whole_calls: bool = False  # each call in one fragment (Mistral, Groq)
    interleave: bool = False  # fragments of consecutive calls alternate (needs index dense/one)
    finish_in_last_chunk: bool = False  # finish_reason on the last content chunk (GLM)
    empty_tool_calls_on_text: bool = False  # `tool_calls: []` on text deltas (vLLM, Groq)
    usage: Literal["none", "final_chunk", "every_chunk"] = "none"
    done: bool = True
    data_space: bool = True
    eol: str = "\n"
    keepalive: bool = False  # a comment line before every third event
    model: str = "gpt-test"
    extra: dict = field(default_factory=dict)


def _pieces(s: str, n: int) -> list[str]:
    return [s[i:i + n] for i in range(0, len(s), n)] or [""]


def render_chat(script: Script, dialect: ChatDialect = ChatDialect()) -> bytes:
    """The SSE body a Chat Completions provider speaking ``dialect`` would send for ``script``."""
    d = dialect
    usage = script.usage or (7, 11)
    usage_doc = {"prompt_tokens": usage[0], "completion_tokens": usage[1], "total_tokens": usage[0] + usage[1]}
    deltas: list[dict] = [{"role": "assistant", "content": ""}]
    index_base = {"dense": 0, "one": 1, "zero": 0, "missing": 0}[d.index]
    ordinal = 0
    steps = script.steps
    i = 0
    while i < len(steps):
        step = steps[i]
        if isinstance(step, Text):
            for piece in _pieces(step.text, d.text_split):
                delta: dict = {"content": piece}
                if d.empty_tool_calls_on_text:
                    delta["tool_calls"] = []
                deltas.append(delta)
            i += 1
            continue
        if isinstance(step, Reasoning):
            deltas.extend({"reasoning_content": piece} for piece in _pieces(step.text, d.text_split))
            i += 1
            continue
        group: list[Tool] = []
        while i < len(steps) and isinstance(steps[i], Tool):  # consecutive calls: one group
            group.append(steps[i])  # type: ignore[arg-type]
            i += 1
        lists = []
        for tool in group:
            index = ordinal + index_base if d.index in ("dense", "one") else 0
            ordinal += 1
            lists.append(_fragments(tool, index, d))
        if d.interleave and d.index in ("dense", "one"):
            longest = max(len(x) for x in lists)
            for k in range(longest):
                for frags in lists:
                    if k < len(frags):
                        deltas.append({"tool_calls": [frags[k]]})
        else:
            for frags in lists:
                deltas.extend({"tool_calls": [f]} for f in frags)
    out: list[str] = []
    sep = d.eol + d.eol
    prefix = "data: " if d.data_space else "data:"
    n = 0

    def emit(doc: dict | str) -> None:
        nonlocal n
        if d.keepalive and n % 3 == 0:
            out.append(": keep-alive" + d.eol)
        n += 1
        text = doc if isinstance(doc, str) else json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
        out.append(prefix + text + sep)

    def chunk(delta: dict, finish: str | None) -> dict:
        doc = {"id": "chatcmpl-script", "object": "chat.completion.chunk", "created": 1763000000,
               "model": d.model, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
        if d.usage == "every_chunk":
            doc["usage"] = usage_doc
        doc.update(d.extra)
        return doc

    finish = script.finish_reason
    last = len(deltas) - 1
    failed = script.error is not None
    for k, delta in enumerate(deltas):
        emit(chunk(delta, finish if (d.finish_in_last_chunk and k == last and not failed) else None))
    if failed:
        emit({"error": dict(script.error)})  # type: ignore[arg-type]
    elif not d.finish_in_last_chunk:
        emit(chunk({}, finish))
    if d.usage == "final_chunk" and not failed:
        emit({"id": "chatcmpl-script", "object": "chat.completion.chunk", "created": 1763000000,
              "model": d.model, "choices": [], "usage": usage_doc})
    if d.done:
        emit("[DONE]")
    return "".join(out).encode("utf-8")


def _fragments(tool: Tool, index: int, d: ChatDialect) -> list[dict]:
    def frag(args: str, first: bool) -> dict:
        f: dict = {}
        if d.index != "missing":
            f["index"] = index
        if first or d.repeat_header:
            f["id"] = tool.call_id
            f["type"] = "function"
            f["function"] = {"name": tool.name, "arguments": args}
        else:
            if d.empty_id_on_continuation:
                f["id"] = ""
            f["function"] = {"arguments": args}
        return f

    if d.whole_calls:
        return [frag(tool.arguments, True)]
    return [frag("", True)] + [frag(p, False) for p in _pieces(tool.arguments, d.args_split) if p]


def _groups(script: Script) -> list[tuple[str, Any]]:
    """Consecutive text steps merged (one message item / text block), tool calls one each."""
    out: list[tuple[str, Any]] = []
    for step in script.steps:
        if isinstance(step, Text):
            if out and out[-1][0] == "text":
                out[-1] = ("text", out[-1][1] + step.text)
            else:
                out.append(("text", step.text))
        elif isinstance(step, Reasoning):
            out.append(("reasoning", step.text))
        else:
            out.append(("tool", step))
    return out


def _has_tool(script: Script) -> bool:
    return any(isinstance(s, Tool) for s in script.steps)


@dataclass(frozen=True)
class ResponsesDialect:
    text_split: int = 4
    args_split: int = 6
    added_events: bool = True  # output_item.added / content_part.added
    argument_deltas: bool = True  # False: arguments only in the .done events (R9)
    sequence_numbers: Literal["dense", "missing", "gaps"] = "dense"
    event_lines: bool = True
    completed_output: bool = True  # False: response.completed with output null (R3)
    rotate_item_ids: bool = False  # item_id differs between events of one item (R5)
    done_sentinel: bool = False  # a trailing data: [DONE] (OpenRouter)
    reasoning_first: bool = False  # a reasoning item with summary deltas first
    eol: str = "\n"


def render_responses(script: Script, dialect: ResponsesDialect = ResponsesDialect()) -> bytes:
    """The SSE body an OpenAI Responses server speaking ``dialect`` would send for ``script``."""
    d = dialect
    events: list[dict] = []
    usage = script.usage or (7, 11)
    response = {"id": "resp_script", "object": "response", "status": "in_progress", "model": "gpt-test", "output": []}

    def add(doc: dict) -> None:
        events.append(doc)

    add({"type": "response.created", "response": dict(response)})
    add({"type": "response.in_progress", "response": dict(response)})
    output: list[dict] = []
    groups = _groups(script)
    if d.reasoning_first:
        groups = [("reasoning", "thinking about it")] + groups
    for index, (kind, value) in enumerate(groups):
        item_id = f"item_{index}"

        def iid(k: int) -> str:
            return f"{item_id}_{k}" if d.rotate_item_ids else item_id

        if kind == "reasoning":
            item = {"type": "reasoning", "id": item_id, "summary": []}
            if d.added_events:
                add({"type": "response.output_item.added", "output_index": index, "item": item})
            add({"type": "response.reasoning_summary_text.delta", "output_index": index, "item_id": iid(1),
                 "summary_index": 0, "delta": value})
            done = {**item, "summary": [{"type": "summary_text", "text": value}]}
        elif kind == "text":
            item = {"type": "message", "id": item_id, "role": "assistant", "status": "in_progress", "content": []}
            if d.added_events:
                add({"type": "response.output_item.added", "output_index": index, "item": item})
                add({"type": "response.content_part.added", "output_index": index, "item_id": iid(1),
                     "content_index": 0, "part": {"type": "output_text", "text": "", "annotations": []}})
            for k, piece in enumerate(_pieces(value, d.text_split)):
                add({"type": "response.output_text.delta", "output_index": index, "item_id": iid(k + 2),
                     "content_index": 0, "delta": piece, "logprobs": []})
            add({"type": "response.output_text.done", "output_index": index, "item_id": iid(0),
                 "content_index": 0, "text": value, "logprobs": []})
            done = {**item, "status": "completed",
                    "content": [{"type": "output_text", "text": value, "annotations": []}]}
        else:
            tool: Tool = value
            item = {"type": "function_call", "id": f"fc_{index}", "call_id": tool.call_id, "name": tool.name,
                    "arguments": "", "status": "in_progress"}
            item_id = f"fc_{index}"
            if d.added_events:
                add({"type": "response.output_item.added", "output_index": index, "item": item})
            if d.argument_deltas:
                for k, piece in enumerate(p for p in _pieces(tool.arguments, d.args_split) if p):
                    add({"type": "response.function_call_arguments.delta", "output_index": index,
                         "item_id": iid(k + 2), "delta": piece})
            add({"type": "response.function_call_arguments.done", "output_index": index, "item_id": iid(0),
                 "arguments": tool.arguments})
            done = {**item, "arguments": tool.arguments, "status": "completed"}
        add({"type": "response.output_item.done", "output_index": index, "item": done})
        output.append(done)
    usage_doc = {"input_tokens": usage[0], "output_tokens": usage[1], "total_tokens": sum(usage)}
    incomplete = {"length": "max_output_tokens", "content_filter": "content_filter"}.get(script.finish or "")
    if script.error is not None:
        add({"type": "error", "code": script.error.get("code", script.error.get("type")),
             "message": script.error.get("message", "error"), "param": None})
    elif incomplete is not None:
        add({"type": "response.incomplete", "response": {
            **response, "status": "incomplete", "incomplete_details": {"reason": incomplete},
            "output": output, "usage": usage_doc}})
    else:
        final = {**response, "status": "completed", "output": output if d.completed_output else None,
                 "usage": usage_doc}
        add({"type": "response.completed", "response": final})
    parts = []
    for n, doc in enumerate(events):
        if d.sequence_numbers == "dense":
            doc["sequence_number"] = n
        elif d.sequence_numbers == "gaps":
            doc["sequence_number"] = n * 3
        data = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
        head = f"event: {doc['type']}{d.eol}" if d.event_lines else ""
        parts.append(f"{head}data: {data}{d.eol}{d.eol}")
    if d.done_sentinel:
        parts.append(f"data: [DONE]{d.eol}{d.eol}")
    return "".join(parts).encode("utf-8")


@dataclass(frozen=True)
class AnthropicDialect:
    text_split: int = 4
    json_split: int = 6
    event_lines: bool = True
    ping_after_start: bool = True  # a ping between a block's start and its deltas (litellm#5063)
    empty_first_fragment: bool = True  # the real API's first input_json_delta is ""
    message_stop: bool = True
    done_sentinel: bool = False  # a gateway's trailing data: [DONE]
    thinking_first: bool = False
    eol: str = "\n"


def render_anthropic(script: Script, dialect: AnthropicDialect = AnthropicDialect()) -> bytes:
    """The SSE body the Anthropic Messages API speaking ``dialect`` would send for ``script``."""
    d = dialect
    usage = script.usage or (7, 11)
    events: list[dict] = [{"type": "message_start", "message": {
        "id": "msg_script", "type": "message", "role": "assistant", "model": "claude-test", "content": [],
        "stop_reason": None, "stop_sequence": None, "usage": {"input_tokens": usage[0], "output_tokens": 1}}}]
    groups = _groups(script)
    if d.thinking_first:
        groups = [("reasoning", "let me think")] + groups
    pinged = False
    for index, (kind, value) in enumerate(groups):
        if kind == "reasoning":
            events.append({"type": "content_block_start", "index": index,
                           "content_block": {"type": "thinking", "thinking": "", "signature": ""}})
            events.append({"type": "content_block_delta", "index": index,
                           "delta": {"type": "thinking_delta", "thinking": value}})
            events.append({"type": "content_block_delta", "index": index,
                           "delta": {"type": "signature_delta", "signature": "c2lnbmF0dXJl"}})
        elif kind == "text":
            events.append({"type": "content_block_start", "index": index, "content_block": {"type": "text", "text": ""}})
            for piece in _pieces(value, d.text_split):
                events.append({"type": "content_block_delta", "index": index,
                               "delta": {"type": "text_delta", "text": piece}})
        else:
            tool: Tool = value
            events.append({"type": "content_block_start", "index": index, "content_block": {
                "type": "tool_use", "id": tool.call_id, "name": tool.name, "input": {}}})
            if d.ping_after_start and not pinged:
                pinged = True
                events.append({"type": "ping"})
            fragments = [p for p in _pieces(tool.arguments, d.json_split) if p]
            if d.empty_first_fragment:
                fragments = [""] + fragments
            for piece in fragments:
                events.append({"type": "content_block_delta", "index": index,
                               "delta": {"type": "input_json_delta", "partial_json": piece}})
        events.append({"type": "content_block_stop", "index": index})
    if script.error is not None:
        events.append({"type": "error", "error": {"type": script.error.get("type", "api_error"),
                                                  "message": script.error.get("message", "error")}})
    else:
        stop = {"length": "max_tokens", "content_filter": "refusal", "stop": "end_turn",
                "tool_calls": "tool_use"}.get(script.finish or "", "tool_use" if _has_tool(script) else "end_turn")
        events.append({"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": None},
                       "usage": {"output_tokens": usage[1]}})
        if d.message_stop:
            events.append({"type": "message_stop"})
    parts = []
    for doc in events:
        data = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
        head = f"event: {doc['type']}{d.eol}" if d.event_lines else ""
        parts.append(f"{head}data: {data}{d.eol}{d.eol}")
    if d.done_sentinel:
        parts.append(f"data: [DONE]{d.eol}{d.eol}")
    return "".join(parts).encode("utf-8")


# -- Gemini (google.generate_content) --------------------------------------------------------------


@dataclass(frozen=True)
class GeminiDialect:
    """How a Gemini endpoint streams a script. The defaults are the Gemini API's contract:
    CRLF framing, one part per chunk, whole ``functionCall`` parts with ``args`` as an
    object and an ``id``, ``finishReason`` on the last content chunk with ``usageMetadata``.

    ``streamed_args`` is Vertex AI's ``streamFunctionCallArguments``: a call opens with
    ``{name, willContinue: true}``, its leaves arrive as ``partialArgs`` (strings split
    into ``stringValue`` pieces), and an empty ``functionCall`` (or, with
    ``close_in_last``, the last part without ``willContinue``) closes it. A call whose
    arguments hold an empty object or list below the top level is sent whole even then:
    ``partialArgs`` has no value that spells an empty container."""

    text_split: int = 4  # characters per text part (one part per chunk)
    args_split: int = 6  # characters per stringValue piece (streamed_args)
    calls: Literal["one_per_chunk", "together"] = "one_per_chunk"  # parallel whole calls in one chunk
    ids: bool = True  # functionCall.id (newer models, Vertex); absent on older Gemini API models
    streamed_args: bool = False  # partialArgs (gem-partial-args)
    open_with_args: bool = False  # the opening part already carries the first partialArgs
    close_in_last: bool = False  # the last partialArgs part closes the call (no empty functionCall)
    args_per_part: int = 1  # partialArgs entries per continuation part
    paths: Literal["shorthand", "bracket"] = "shorthand"  # $.a.b where RFC 9535 allows, or always $['a']['b']
    unclosed: bool = False  # a streamed call that is the last step is never closed (gem-call-unclosed)
    args_string: bool = False  # whole calls' args as the script's JSON text, not an object (a relay; gem-args-object)
    signature: Literal["none", "first_call", "empty_text"] = "none"  # thoughtSignature placement
    finish: Literal["last_chunk", "own_chunk"] = "last_chunk"  # finishReason with the last part or on its own
    usage: Literal["last", "every_chunk", "trailing"] = "last"  # trailing: a usage-only chunk after the finish
    index: bool = True  # candidate "index": 0 (proto3 JSON may omit a zero)
    done: bool = False  # a trailing data: [DONE] (an OpenAI-style proxy; gem-done-sentinel)
    eol: str = "\r\n"
    model: str = "gemini-test"


# RFC 9535 member-name-shorthand: ALPHA / "_" / %x80-D7FF / %xE000-10FFFF, then also DIGIT
def _shorthand(key: str) -> bool:
    def first(c: str) -> bool:
        return ("a" <= c.lower() <= "z") or c == "_" or 0x80 <= ord(c) <= 0xD7FF or ord(c) >= 0xE000

    return bool(key) and first(key[0]) and all(first(c) or c.isascii() and c.isdigit() for c in key[1:])


_RFC9535_ESCAPES = {"\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "'": "\\'", "\\": "\\\\"}


def _quoted(key: str) -> str:
    out = []
    for c in key:
        if c in _RFC9535_ESCAPES:
            out.append(_RFC9535_ESCAPES[c])
        elif ord(c) < 0x20:
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(c)
    return "'" + "".join(out) + "'"


def json_path(steps: list[str | int], *, bracket: bool = False) -> str:
    """The RFC 9535 normalized-style path of a location (``$.a.b[0]``, ``$['a b']``): member
    names as shorthand where the grammar allows it (unless ``bracket``), else single-quoted
    with the RFC's escapes; array indexes in brackets."""
    out = ["$"]
    for step in steps:
        if isinstance(step, int):
            out.append(f"[{step}]")
        elif not bracket and _shorthand(step):
            out.append("." + step)
        else:
            out.append("[" + _quoted(step) + "]")
    return "".join(out)


def _leaves(value: Any, at: list[str | int]) -> list[tuple[list[str | int], Any]] | None:
    """``(path, scalar)`` in document order, or None when an empty container sits below the
    top level (partialArgs cannot spell one)."""
    if isinstance(value, dict):
        if not value and at:
            return None
        items: list = list(value.items())
    elif isinstance(value, list):
        if not value:
            return None
        items = list(enumerate(value))
    else:
        return [(at, value)]
    out: list[tuple[list[str | int], Any]] = []
    for key, v in items:
        sub = _leaves(v, at + [key])
        if sub is None:
            return None
        out.extend(sub)
    return out


def _partial_args(args: dict, d: GeminiDialect) -> list[dict] | None:
    leaves = _leaves(args, [])
    if leaves is None:
        return None
    out: list[dict] = []
    for path, value in leaves:
        p = json_path(path, bracket=d.paths == "bracket")
        if isinstance(value, str):
            pieces = _pieces(value, d.args_split)
            for k, piece in enumerate(pieces):
                entry: dict = {"jsonPath": p, "stringValue": piece}
                if k < len(pieces) - 1:
                    entry["willContinue"] = True
                out.append(entry)
        elif value is None:
            out.append({"jsonPath": p, "nullValue": "NULL_VALUE"})
        elif isinstance(value, bool):
            out.append({"jsonPath": p, "boolValue": value})
        else:
            out.append({"jsonPath": p, "numberValue": value})
    return out


_GEMINI_FINISH = {"stop": "STOP", "tool_calls": "STOP", "length": "MAX_TOKENS", "content_filter": "SAFETY"}
_GEMINI_STATUS = {"server_error": (500, "INTERNAL"), "overloaded_error": (503, "UNAVAILABLE"),
                  "rate_limit_exceeded": (429, "RESOURCE_EXHAUSTED")}


def gemini_streamed(tool: Tool, dialect: GeminiDialect) -> bool:
    """Whether :func:`render_gemini` sends ``tool`` as a streamed call (``partialArgs``) in
    ``dialect``: it does when the dialect streams arguments, unless they hold an empty
    container below the top level; arguments that are not valid JSON always are."""
    try:
        args = json.loads(tool.arguments) if tool.arguments.strip() else None
    except ValueError:
        return True
    return dialect.streamed_args and (args is None or _partial_args(args, dialect) is not None)


def _gemini_call(tool: Tool, d: GeminiDialect, last_step: bool) -> list[list[dict]]:
    """The parts of one call, grouped by chunk: one group for a whole call, one per part
    for a streamed one. Arguments that are not valid JSON become a streamed call whose
    second value conflicts with the first (gem-partial-args-path): Gemini has no other
    way to send arguments that do not parse."""
    head: dict = {"name": tool.name}
    if d.ids:
        head["id"] = tool.call_id
    try:
        args = json.loads(tool.arguments) if tool.arguments.strip() else None
    except ValueError:
        return [[{"functionCall": {**head, "willContinue": True}}],
                [{"functionCall": {"partialArgs": [{"jsonPath": "$.value", "stringValue": tool.arguments},
                                                   {"jsonPath": "$.value[0]", "numberValue": 1}],
                                   "willContinue": True}}],
                [{"functionCall": {}}]]
    partial = _partial_args(args, d) if d.streamed_args and args is not None else None
    if not d.streamed_args or (args is not None and partial is None):
        call = dict(head)
        if args is not None:
            call["args"] = tool.arguments if d.args_string else args  # a relay passes its text on
        return [[{"functionCall": call}]]
    partial = partial or []
    groups = [partial[i:i + d.args_per_part] for i in range(0, len(partial), d.args_per_part)]
    opening: dict = {**head, "willContinue": True}
    if d.open_with_args and groups:
        opening["partialArgs"] = groups.pop(0)
    out = [[{"functionCall": opening}]]
    for k, group in enumerate(groups):
        part: dict = {"partialArgs": group}
        if not (d.close_in_last and k == len(groups) - 1) or (d.unclosed and last_step):
            part["willContinue"] = True
        out.append([{"functionCall": part}])
    closed = d.close_in_last and groups
    if not closed and not (d.unclosed and last_step):
        out.append([{"functionCall": {}}])
    return out


def render_gemini(script: Script, dialect: GeminiDialect = GeminiDialect()) -> bytes:
    """The SSE body a Gemini ``streamGenerateContent?alt=sse`` endpoint speaking ``dialect``
    would send for ``script``: text parts, ``thought: true`` parts for reasoning, each call
    a ``functionCall`` part (whole, or streamed as ``partialArgs``), ``finishReason``
    (STOP, MAX_TOKENS, SAFETY) and ``usageMetadata``; an error payload instead of the
    finish for a script with an error."""
    d = dialect
    usage = script.usage or (7, 11)
    chunks: list[list[dict]] = []  # the parts of each content chunk
    signed = False
    steps = script.steps
    i = 0
    while i < len(steps):
        step = steps[i]
        if isinstance(step, (Text, Reasoning)):
            for piece in _pieces(step.text, d.text_split):
                part: dict = {"text": piece}
                if isinstance(step, Reasoning):
                    part["thought"] = True
                chunks.append([part])
            i += 1
            continue
        group: list[Tool] = []
        while i < len(steps) and isinstance(steps[i], Tool):  # consecutive calls: parallel calls
            group.append(steps[i])  # type: ignore[arg-type]
            i += 1
        calls = [_gemini_call(tool, d, i == len(steps) and k == len(group) - 1) for k, tool in enumerate(group)]
        if d.signature == "first_call" and not signed:
            signed = True
            calls[0][0][0]["thoughtSignature"] = "c2lnbmF0dXJl"
        run: list[dict] = []  # consecutive whole calls, sent in one chunk when together
        for tool, c in zip(group, calls):
            if d.calls == "together" and not gemini_streamed(tool, d):
                run.extend(c[0])
                continue
            if run:
                chunks.append(run)
                run = []
            chunks.extend(c)
        if run:
            chunks.append(run)
    if d.signature == "empty_text":
        chunks.append([{"text": "", "thoughtSignature": "c2lnbmF0dXJl"}])
    thoughts = 3 if any(isinstance(s, Reasoning) for s in steps) and usage[1] > 3 else 0

    def usage_doc(fraction: float = 1.0) -> dict:
        out = int(usage[1] * fraction)
        doc = {"promptTokenCount": usage[0], "candidatesTokenCount": out - min(thoughts, out),
               "totalTokenCount": usage[0] + out}
        if thoughts and out >= thoughts:
            doc["thoughtsTokenCount"] = thoughts
        return doc

    def payload(parts: list[dict] | None, finish: str | None = None) -> dict:
        doc: dict = {}
        if parts is not None:
            candidate: dict = {"content": {"role": "model", "parts": parts}}
            if finish is not None:
                candidate["finishReason"] = finish
                if finish == "SAFETY":
                    candidate["safetyRatings"] = [{"category": "HARM_CATEGORY_DANGEROUS_CONTENT",
                                                   "probability": "HIGH", "blocked": True}]
            if d.index:
                candidate["index"] = 0
            doc["candidates"] = [candidate]
        doc["modelVersion"] = d.model
        doc["responseId"] = "script-response"
        return doc

    docs = [payload(parts) for parts in chunks]
    if script.error is not None:
        code, status = _GEMINI_STATUS.get(script.error.get("type", ""), (500, "INTERNAL"))
        docs.append({"error": {"code": code, "message": script.error.get("message", "error"), "status": status}})
    else:
        finish = _GEMINI_FINISH.get(script.finish_reason, "STOP")
        if d.finish == "own_chunk" or not docs:
            docs.append(payload([{"text": ""}], finish))
        else:
            docs[-1] = payload(chunks[-1], finish)
        if d.usage == "every_chunk":
            for k, doc in enumerate(docs[:-1]):
                doc["usageMetadata"] = usage_doc((k + 1) / len(docs))
            docs[-1]["usageMetadata"] = usage_doc()
        elif d.usage == "last":
            docs[-1]["usageMetadata"] = usage_doc()
        else:
            docs.append({"usageMetadata": usage_doc(), "modelVersion": d.model, "responseId": "script-response"})
    out = [f"data: {json.dumps(doc, ensure_ascii=False, separators=(',', ':'))}{d.eol}{d.eol}" for doc in docs]
    if d.done:
        out.append(f"data: [DONE]{d.eol}{d.eol}")
    return "".join(out).encode("utf-8")
