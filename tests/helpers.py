"""Small builders for streams in tests."""

from __future__ import annotations

import json
from typing import Any

from kit.replay import replay_reads
from kit.trace import chunk

API = "openai.chat.completions"


def chunk_obj(delta: dict | None = None, *, finish: str | None = None, index: int = 0, **extra: Any) -> dict:
    choice: dict[str, Any] = {"index": index, "finish_reason": finish}
    if delta is not None:
        choice["delta"] = delta
    doc = {"id": "chatcmpl-t", "object": "chat.completion.chunk", "created": 1, "model": "m", "choices": [choice]}
    doc.update(extra)
    return doc


def frag(index: int | None = 0, *, id: str | None = None, name: str | None = None, args: Any = "", type_: str | None = None,
         **extra: Any) -> dict:
    f: dict[str, Any] = {}
    if index is not None:
        f["index"] = index
    if id is not None:
        f["id"] = id
    if type_ is not None:
        f["type"] = type_
    fn: dict[str, Any] = {}
    if name is not None:
        fn["name"] = name
    if args is not ...:
        fn["arguments"] = args
    f["function"] = fn
    f.update(extra)
    return f


def tools(*frags: dict, **kw: Any) -> dict:
    return chunk_obj({"tool_calls": list(frags)}, **kw)


def body(*chunks: Any, done: bool = True) -> bytes:
    parts = []
    for c in chunks:
        parts.append(c if isinstance(c, (bytes, str)) else "data: " + json.dumps(c) + "\n\n")
    if done:
        parts.append("data: [DONE]\n\n")
    return "".join(p if isinstance(p, str) else p.decode() for p in parts).encode()


def run(data: bytes, chunking: str = "whole", profile: str = "lenient"):
    return replay_api(API, data, chunking, profile)


def rules(result) -> set[str]:
    return {d.rule for d in result.diagnostics}


def commands(result, choice: int = 0) -> list[tuple]:
    out = []
    for ch in result.plan["choices"]:
        if ch["index"] != choice:
            continue
        for c in ch["commands"]:
            if c["type"] == "SAY":
                out.append(("SAY", c["text"]))
            else:
                out.append(("DO", c["call_id"], c["action"], c["parameters"]))
    return out


def typed_sse(*events: dict, lines: bool = True, done: bool = False, numbered: bool = False) -> bytes:
    """A Responses or Anthropic body: `event:` lines (optional), each payload's `type`,
    `sequence_number` counted from 0 when ``numbered`` (and not given), an optional `[DONE]`."""
    out = []
    for n, e in enumerate(events):
        if numbered and "sequence_number" not in e:
            e = {**e, "sequence_number": n}
        head = f"event: {e['type']}\n" if lines else ""
        out.append(f"{head}data: {json.dumps(e)}\n\n")
    if done:
        out.append("data: [DONE]\n\n")
    return "".join(out).encode()


def replay_api(api: str, data: bytes, chunking: str = "whole", profile: str = "lenient"):
    return replay_reads(api, chunk(data, chunking), chunking=chunking, profile=profile, keep_outputs=True)


def single_choice_commands(result) -> list[tuple]:
    """``("SAY", text)`` or ``("DO", (call_id, action, parameters, dispatched))`` of choice 0."""
    return [(c["type"], c.get("text") or (c["call_id"], c["action"], c["parameters"], c.get("dispatched", True)))
            for c in result.plan["choices"][0]["commands"]]
