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
from typing import Literal

__all__ = ["Text", "Tool", "Script", "ChatDialect", "render_chat"]


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Tool:
    name: str
    arguments: str
    call_id: str


@dataclass
class Script:
    steps: list[Text | Tool]
    finish: str | None = None  # default: tool_calls when there is a tool call, else stop
    usage: tuple[int, int] | None = None

    @property
    def finish_reason(self) -> str:
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
        group: list[Tool] = []
        while i < len(steps) and isinstance(steps[i], Tool):
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
    for k, delta in enumerate(deltas):
        emit(chunk(delta, finish if (d.finish_in_last_chunk and k == last) else None))
    if not d.finish_in_last_chunk:
        emit(chunk({}, finish))
    if d.usage == "final_chunk":
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
