"""A naive, independent Gemini ``streamGenerateContent`` handler: the base every ``g*`` mutant breaks.

Written the way a careful user writes a Gemini handler, with no code from the kit: the
SSE layer of :class:`._naive.NaiveSSE` (itself kit-free: it cuts lines at CR, LF and
CRLF, and Google ends its lines with CRLF), ``json.loads`` per ``data:`` payload, each
payload a GenerateContentResponse whose ``candidates`` are the choices (keyed by their
``index``, absent meaning 0), and the Plan conventions of ``conformance.md`` (section 7a
for Gemini). On the bundled corpus its plan equals the reference's
(``tests/test_mutants.py`` checks this), so it is a second reading of those conventions
as well.

What a Gemini handler has to get right, and what the mutants get wrong:

- visible text is every ``text`` part without ``thought: true``; a ``thoughtSignature`` is
  never text; a function call between texts splits them into two SAYs;
- every ``functionCall`` part is one call, several in one chunk included (parallel calls);
  ``id`` is often absent (identity is the call's position), ``args`` may be absent (a
  call without arguments) or, from a converting proxy, a JSON string;
- a *streamed* call (``streamFunctionCallArguments``) opens with a named part and
  ``willContinue: true``, goes on with nameless parts whose ``partialArgs`` are set by JSON
  path (string values appended), and closes with a part without ``willContinue``;
- there is no ``[DONE]`` and no tool-call finish: ``STOP`` ends a turn with calls too, and
  a stream that ends without a ``finishReason`` was cut; ``MAX_TOKENS`` cuts an open
  streamed call (never run it);
- an ``{"error": ...}`` payload fails the stream; ``usageMetadata`` is cumulative (the last
  one wins, never a sum).

Each mutant (``kit/adapters/mutants/g*.py``) subclasses :class:`NaiveGemini` and overrides one
method with the buggy version of it that real handlers have shipped:

=================================  =============================================
``on_event(name, data)``           ``[DONE]``, JSON decoding, then ``on_payload``
``on_payload(obj)``                error, usage, prompt feedback, candidates
``candidate_index(pos, cand)``     which choice a candidate is (``index``, else 0)
``on_candidate(c, cand)``          parts, grounding, then the finish reason
``on_part(c, part)``               dispatch by part kind
``on_text`` / ``on_thought``       visible text (SAY runs) / reasoning (never shown)
``on_function_call(c, fc)``        whole or streamed call, continuation, orphan
``whole_call(c, fc)``              one whole call: a DO, complete where it arrives
``args_of(fc)``                    ``(arguments, parameters, invalid)`` of a whole call
``open_streamed(c, fc)``           a streamed call's opening part
``add_partial_args(call, parts)``  partialArgs set by JSON path
``close_streamed(c)``              a streamed call's last part: it is complete
``on_finish(c, raw)``              the finish reason (normalised); open calls
``finish_of(raw)``                 the normalised finish reason
``take_usage(meta)``               usage from usageMetadata (replaces)
``on_error(err)``                  an error payload (the first one is kept)
``end_of_stream()``                unfinished candidates: cut off
=================================  =============================================

Usage::

    def accumulate(reads: Iterable[bytes]) -> dict:
        return NaiveGemini().accumulate(reads)
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable, Iterable

from ._naive import NaiveSSE

API = "google.generate_content"

FINISH = {
    "STOP": "stop",
    "MAX_TOKENS": "length",
    **{k: "content_filter" for k in ("SAFETY", "RECITATION", "LANGUAGE", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII",
                                     "IMAGE_SAFETY", "IMAGE_PROHIBITED_CONTENT", "IMAGE_RECITATION", "MODEL_ARMOR",
                                     "ESCALATION")},
    **{k: "error" for k in ("MALFORMED_FUNCTION_CALL", "UNEXPECTED_TOOL_CALL", "TOO_MANY_TOOL_CALLS",
                            "MISSING_THOUGHT_SIGNATURE", "MALFORMED_RESPONSE")},
    **{k: "incomplete" for k in ("OTHER", "IMAGE_OTHER", "NO_IMAGE", "CONTINUATION")},
}

USAGE_COUNTS = ("promptTokenCount", "candidatesTokenCount", "thoughtsTokenCount", "totalTokenCount")
SEARCHED = ("webSearchQueries", "groundingChunks", "searchEntryPoint")  # what shows Google Search ran

# one step of an RFC 9535 path: .name (non-ASCII allowed), [0], ['name'] or ["name"] (with escapes)
_NAME = r"[A-Za-z_\u0080-\U0010ffff][A-Za-z0-9_\u0080-\U0010ffff]*"
_STEP = re.compile(r"\.(" + _NAME + r")|\[(0|[1-9][0-9]*)\]|\[\s*'((?:[^'\\]|\\.)*)'\s*\]"
                   r'|\[\s*"((?:[^"\\]|\\.)*)"\s*\]')


def declare(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Declare ``fn`` a handler of this module's API for the kit, without importing the kit.

    ``toolstream-kit`` reads ``fn.__kit__`` (a plain dict with the keys of its
    ``Capabilities``): a handler of google.generate_content only, fed the network reads, with no sink.
    """
    fn.__kit__ = {"apis": [API]}  # type: ignore[attr-defined]
    return fn


def compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def parse_arguments(arguments: str) -> tuple[Any, bool]:
    """``(parameters, invalid)``: empty is ``{}``, invalid JSON is ``None``."""
    if arguments.strip() == "":
        return {}, False
    try:
        return json.loads(arguments), False
    except (ValueError, RecursionError):
        return None, True


def unquote(body: str) -> str | None:
    """A quoted member name: RFC 9535 escapes are JSON's plus ``\\'``, so rewrite it as a JSON
    string and let ``json.loads`` decode it; ``None`` for an escape neither knows."""
    out = re.sub(r"""\\'|\\.|\"""", lambda m: {"\\'": "'", '"': '\\"'}.get(m.group(), m.group()), body)
    try:
        name = json.loads('"' + out + '"')
    except ValueError:
        return None
    return name if isinstance(name, str) else None


def parse_path(path: Any) -> list[str | int] | None:
    """``$.a.b[0]['c d']`` -> ``["a", "b", 0, "c d"]``; ``None`` when it does not parse."""
    if not isinstance(path, str) or not path.startswith("$"):
        return None
    steps: list[str | int] = []
    at = 1
    while at < len(path):
        m = _STEP.match(path, at)
        if m is None:
            return None
        name, number, single, double = m.groups()
        if name is not None:
            steps.append(name)
        elif number is not None:
            steps.append(int(number))
        else:
            member = unquote(single if single is not None else double)
            if member is None:
                return None
            steps.append(member)
        at = m.end()
    return steps


VALUE_CHECKS: dict[str, Callable[[Any], bool]] = {
    "stringValue": lambda v: isinstance(v, str),
    "numberValue": lambda v: type(v) in (int, float),
    "boolValue": lambda v: isinstance(v, bool),
    "nullValue": lambda v: True,
    "structValue": lambda v: True,
    "listValue": lambda v: True,
}
VALUE_KINDS = tuple(VALUE_CHECKS)


class Conflict(Exception):
    """A partial argument that does not fit what is assembled."""


class Call:
    """One function call of a candidate."""

    def __init__(self, id_: str | None, name: str | None) -> None:
        self.id = id_
        self.name = name
        self.streamed = False
        self.args: dict[str, Any] = {}  # a streamed call's object, assembled by path
        self.last_string: tuple | None = None  # the path whose value goes on (a string is appended)
        self.bad = False  # a path that does not parse, or a conflicting value
        self.dispatched = False
        self.kept: str | None = None  # the arguments of a call given up
        self.arguments = ""
        self.parameters: Any = None
        self.invalid = False


class Candidate:
    """One candidate (a choice): its commands in stream order, its finish."""

    def __init__(self, index: int) -> None:
        self.index = index
        self.commands: list[Any] = []  # a list of text pieces (a SAY) or a Call (a DO)
        self.say: list[str] | None = None  # the SAY still open
        self.open: Call | None = None  # a streamed call still open
        self.finish: str | None = None
        self.finished = False
        self.server_tools: list[dict[str, Any]] = []
        self.grounded: set[str] = set()  # google_search / url_context listed


class NaiveGemini(NaiveSSE):
    """Reads -> Plan document. Feed with :meth:`accumulate`."""

    def __init__(self) -> None:
        super().__init__()
        self.candidates: dict[int, Candidate] = {}
        self.usage: dict[str, int] | None = None
        self.error: dict[str, Any] | None = None
        self.failed = False
        self.blocked = False  # promptFeedback.blockReason
        self.bare: list[str] = []  # lines that are no SSE field

    # -- bare lines: Google's interrupting error -----------------------------------------------

    def sse_line(self, line: str) -> None:
        field = self.split_field(line) if line else None
        if field is not None and field[0] not in ("data", "event", "id", "retry"):
            self.bare.append(line)  # no SSE field: Google writes an error that cuts a stream so
        super().sse_line(line)

    def end_of_body(self) -> None:
        super().end_of_body()
        if not self.bare:
            return
        try:
            obj = json.loads("\n".join(self.bare))
        except (ValueError, RecursionError):
            return
        if isinstance(obj, list) and len(obj) == 1:
            obj = obj[0]
        if isinstance(obj, dict) and isinstance(obj.get("error"), dict) and "candidates" not in obj:
            self.on_payload(obj)

    # -- payloads ----------------------------------------------------------------------------

    def on_event(self, name: str, data: str) -> None:
        if data.strip() == "[DONE]":
            return  # an OpenAI-style proxy's habit
        try:
            obj = json.loads(data)
        except (ValueError, RecursionError):
            return  # a keep-alive or a proxy's junk
        if isinstance(obj, dict):
            self.on_payload(obj)

    def on_payload(self, obj: dict) -> None:
        if self.failed:
            return  # nothing counts after an error
        if isinstance(obj.get("error"), dict) and "candidates" not in obj:
            self.on_error(obj["error"])
            return
        candidates = obj.get("candidates")
        if isinstance(candidates, list):
            for pos, cand in enumerate(candidates):
                if isinstance(cand, dict):
                    self.on_candidate(self.candidate(self.candidate_index(pos, cand)), cand)
        feedback = obj.get("promptFeedback")
        if isinstance(feedback, dict):
            self.on_prompt_feedback(feedback)
        if isinstance(obj.get("usageMetadata"), dict):
            self.take_usage(obj["usageMetadata"])

    def on_prompt_feedback(self, feedback: dict) -> None:
        """A blocked prompt: no candidates come; choice 0 ends ``content_filter``."""
        reason = feedback.get("blockReason")
        if self.blocked or not isinstance(reason, str) or reason in ("", "BLOCK_REASON_UNSPECIFIED"):
            return
        self.blocked = True
        c = self.candidate(0)
        if not c.finished:
            c.finish, c.finished = "content_filter", True

    def candidate_index(self, pos: int, cand: dict) -> int:
        index = cand.get("index")
        return index if type(index) is int and index >= 0 else pos  # JSON leaves a zero out

    def candidate(self, index: int) -> Candidate:
        if index not in self.candidates:
            self.candidates[index] = Candidate(index)
        return self.candidates[index]

    def on_candidate(self, c: Candidate, cand: dict) -> None:
        content = cand.get("content")
        parts = content.get("parts") if isinstance(content, dict) else None
        if isinstance(parts, list):
            for part in parts:
                if isinstance(part, dict):
                    self.on_part(c, part)
        grounding = cand.get("groundingMetadata")
        if isinstance(grounding, dict) and any(grounding.get(k) for k in SEARCHED):
            self.server_tool(c, "google_search")
        if isinstance(cand.get("urlContextMetadata"), dict) and cand["urlContextMetadata"]:
            self.server_tool(c, "url_context")
        raw = cand.get("finishReason")
        if isinstance(raw, str) and raw:
            self.on_finish(c, raw)

    def server_tool(self, c: Candidate, kind: str) -> None:
        """Grounding by a server tool, listed once per candidate."""
        if kind not in c.grounded:
            c.grounded.add(kind)
            c.server_tools.append({"type": kind, "id": None, "name": None})

    # -- parts -------------------------------------------------------------------------------

    def on_part(self, c: Candidate, part: dict) -> None:
        if part.get("text") is not None:
            if not isinstance(part["text"], str):
                pass  # not text: nothing to show
            elif part.get("thought") is True:
                self.on_thought(c, part["text"])
            elif part["text"]:
                self.on_text(c, part["text"])
        elif part.get("functionCall") is not None:
            self.on_function_call(c, part["functionCall"])
        elif "executableCode" in part:
            c.server_tools.append({"type": "code_execution", "id": None, "name": None})
        elif "codeExecutionResult" in part:
            c.server_tools.append({"type": "code_execution_result", "id": None, "name": None})
        # thoughtSignature alone, inlineData, fileData, unknown kinds: nothing to show or run

    def on_text(self, c: Candidate, text: str) -> None:
        if c.say is None:
            c.say = [text]
            c.commands.append(c.say)
        else:
            c.say.append(text)

    def on_thought(self, c: Candidate, text: str) -> None:
        pass  # reasoning is never SAY text

    def open_call(self, c: Candidate, call: Call) -> None:
        c.commands.append(call)
        c.say = None  # text after a call opens a new SAY

    # -- function calls ----------------------------------------------------------------------

    def on_function_call(self, c: Candidate, fc: Any) -> None:
        if not isinstance(fc, dict):
            return
        call = self.call_of(fc)
        goes_on = fc.get("willContinue") is True
        has_args = fc.get("args") is not None
        partial = fc.get("partialArgs")
        open_ = c.open
        if (open_ is not None and not has_args and call.name in (None, open_.name)
                and call.id in (None, open_.id)):  # the open call goes on, or ends here
            self.add_partial_args(open_, partial)
            if not goes_on:
                self.close_streamed(c)
            return
        if goes_on or partial is not None:
            if call.name is None and open_ is None:
                return  # a continuation with no open call: an orphan
            self.close_streamed(c)  # another call began: the open one said all it had
            self.open_streamed(c, call, fc)
            if not goes_on:
                self.close_streamed(c)
            return
        if not fc and open_ is None:
            return  # a closing part with nothing open
        self.close_streamed(c)
        self.whole_call(c, fc)

    def call_of(self, fc: dict) -> Call:
        id_ = fc["id"] if isinstance(fc.get("id"), str) and fc["id"] else None
        name = fc["name"] if isinstance(fc.get("name"), str) and fc["name"] else None
        return Call(id_, name)

    def whole_call(self, c: Candidate, fc: dict) -> None:
        call = self.call_of(fc)
        self.open_call(c, call)
        call.arguments, call.parameters, call.invalid = self.args_of(fc)
        call.dispatched = True

    def args_of(self, fc: dict) -> tuple[str, Any, bool]:
        """``(arguments, parameters, invalid)`` of a whole call: absent args is ``{}``; a JSON
        string (a converting proxy) is parsed."""
        if fc.get("args") is None:
            return "{}", {}, False
        args = fc["args"]
        if isinstance(args, str):
            parameters, invalid = parse_arguments(args)
            return args, parameters, invalid
        return compact(args), args, False

    def open_streamed(self, c: Candidate, call: Call, fc: dict) -> None:
        call.streamed = True
        self.open_call(c, call)
        c.open = call
        if fc.get("args") is not None:  # arguments that came whole with the opening part
            if isinstance(fc["args"], dict):
                call.args.update(fc["args"])
            else:
                call.bad = True
        self.add_partial_args(call, fc.get("partialArgs"))

    def add_partial_args(self, call: Call, partial: Any) -> None:
        if partial is None:
            return
        if not isinstance(partial, list):
            call.bad = True
            return
        for arg in partial:
            try:
                self.set_partial(call, arg)
            except Conflict:
                call.bad = True  # the rest is still placed: the arguments show what came

    def set_partial(self, call: Call, arg: Any) -> None:
        if not isinstance(arg, dict):
            raise Conflict
        path = parse_path(arg.get("jsonPath"))
        if not path:
            raise Conflict  # no path, or `$` itself: not an argument
        goes_on = arg.get("willContinue") is True
        kinds = [k for k in VALUE_KINDS if k in arg]
        if not kinds:
            if not goes_on:
                raise Conflict
            call.last_string = tuple(path)  # only says: the value here goes on
            return
        if len(kinds) > 1:
            raise Conflict
        kind = kinds[0]
        value = None if kind == "nullValue" else arg[kind]
        if not VALUE_CHECKS[kind](value):
            raise Conflict
        self.put(call, path, value, kind == "stringValue" and call.last_string == tuple(path))
        call.last_string = tuple(path) if goes_on else None

    def put(self, call: Call, path: list, value: Any, append: bool) -> None:
        node: Any = call.args
        for step, nxt in zip(path, path[1:] + [None]):
            if isinstance(step, int):
                if not isinstance(node, list):
                    raise Conflict
                node.extend([None] * (step + 1 - len(node)))
            elif not isinstance(node, dict):
                raise Conflict
            if nxt is None:  # the leaf
                held = node[step] if isinstance(step, int) else node.get(step)
                if append and isinstance(held, str):
                    node[step] += value
                elif isinstance(held, (dict, list)):
                    raise Conflict  # a value would replace what is assembled under it
                else:
                    node[step] = value
                return
            inner = node[step] if isinstance(step, int) else node.get(step)
            if inner is None:
                inner = node[step] = [] if isinstance(nxt, int) else {}
            node = inner

    def close_streamed(self, c: Candidate) -> None:
        call, c.open = c.open, None
        if call is None:
            return
        call.dispatched = True
        call.arguments = compact(call.args)
        call.parameters, call.invalid = (None, True) if call.bad else (call.args, False)

    def give_up(self, c: Candidate) -> None:
        """An open streamed call that will never be complete: not run; the Plan shows what was
        assembled (only now: while open, its arguments are not text that grows at the end)."""
        call, c.open = c.open, None
        if call is not None:
            call.kept = compact(call.args) if call.args else ""

    # -- the end of a candidate, of the stream ------------------------------------------------

    def on_finish(self, c: Candidate, raw: str) -> None:
        if raw == "MAX_TOKENS":
            self.give_up(c)  # cut off: never run it
        else:
            self.close_streamed(c)  # unclosed: closed at the finish
        c.finish = self.finish_of(raw)
        c.finished = True

    def finish_of(self, raw: str) -> str | None:
        return FINISH.get(raw)

    def take_usage(self, meta: dict) -> None:
        counts = {k: meta[k] for k in USAGE_COUNTS if type(meta.get(k)) is int}
        if counts:  # proto3 JSON leaves a zero out: next to the counts that came, a missing one is 0
            self.usage = {"input_tokens": counts.get("promptTokenCount", 0),
                          "output_tokens": counts.get("candidatesTokenCount", 0) + counts.get("thoughtsTokenCount", 0)}

    def on_error(self, err: dict) -> None:
        self.failed = True
        status = err.get("status")
        self.error = {"type": status if isinstance(status, str) else None, "code": err.get("code"),
                      "message": err.get("message")}
        if not self.candidates:
            self.candidate(0)
        for c in self.candidates.values():
            self.give_up(c)  # a failed stream: never run an open call
            if not c.finished:
                c.finish, c.finished = "error", True

    def end_of_stream(self) -> None:
        if not self.candidates and not self.failed:
            self.candidate(0)  # nothing came at all: choice 0, unfinished
        for c in self.candidates.values():
            self.give_up(c)  # cut off: an open call is never run

    # -- the plan ----------------------------------------------------------------------------

    def do_command(self, call: Call) -> dict[str, Any]:
        if not call.dispatched:  # a streamed call never closed: what was assembled, not run
            arguments = call.kept or ""
            parameters, invalid = parse_arguments(arguments)
            out = {"type": "DO", "call_id": call.id, "action": call.name, "arguments": arguments,
                   "parameters": parameters}
            if invalid:
                out["invalid_arguments"] = True
            out["dispatched"] = False
            return out
        out = {"type": "DO", "call_id": call.id, "action": call.name, "arguments": call.arguments,
               "parameters": call.parameters}
        if call.invalid:
            out["invalid_arguments"] = True
        return out

    def plan(self) -> dict[str, Any]:
        choices = []
        for index in sorted(self.candidates):
            c = self.candidates[index]
            commands = [self.do_command(x) if isinstance(x, Call) else {"type": "SAY", "text": "".join(x)}
                        for x in c.commands]
            choices.append({"index": index, "finish_reason": c.finish, "commands": commands, "refusal": None,
                            "server_tools": c.server_tools})
        return {"type": "plan", "api": API, "choices": choices, "usage": self.usage, "error": self.error}


@declare
def accumulate(reads: Iterable[bytes]) -> dict[str, Any]:
    """The unbroken base, as a plain ``f(reads) -> Plan`` implementation."""
    return NaiveGemini().accumulate(reads)
