"""A naive OpenAI Responses stream handler, written the way it often is.

It runs each function call as soon as ``response.output_item.added`` announces it. That
looks right (the item has the call's name and ``call_id``), but its ``arguments`` are
still ``""`` there: they stream in afterwards as ``response.function_call_arguments.delta``
and are only complete at ``response.output_item.done``. So every tool runs with ``{}``.

    kit verify --adapter py:examples.naive_responses.handler:handle --api openai.responses

The kit fails it: the DO it emitted has arguments that differ from the call's final
arguments. (The fix: dispatch at ``response.output_item.done``, from the finished item.)
"""

from __future__ import annotations

import json


def handle(reads, sink, *, api="openai.responses"):
    commands, usage, finish, buffer = [], None, None, b""
    for read in reads:
        buffer += read
        while b"\n\n" in buffer:
            raw, buffer = buffer.split(b"\n\n", 1)
            data = "\n".join(line[5:].strip() for line in raw.decode("utf-8").split("\n") if line.startswith("data:"))
            if not data.startswith("{"):
                continue  # [DONE], heartbeats
            event = json.loads(data)
            kind = event.get("type")
            if kind == "response.output_text.delta":
                sink({"type": "text.delta", "choice": 0, "text": event["delta"], "item": event.get("output_index")})
                if commands and commands[-1]["type"] == "SAY" and commands[-1]["item"] == event.get("output_index"):
                    commands[-1]["text"] += event["delta"]
                else:
                    commands.append({"type": "SAY", "text": event["delta"], "item": event.get("output_index")})
            elif kind == "response.output_item.added" and event["item"].get("type") == "function_call":
                item = event["item"]  # the bug: its arguments are still "" here
                arguments = item.get("arguments") or ""
                call = {"type": "DO", "call_id": item.get("call_id"), "action": item.get("name"),
                        "arguments": arguments, "parameters": json.loads(arguments or "{}")}
                sink({**call, "type": "tool_call.done", "choice": 0, "call": sum(c["type"] == "DO" for c in commands)})
                commands.append(call)
            elif kind == "response.completed":
                u = event["response"].get("usage") or {}
                usage = {"input_tokens": u.get("input_tokens", 0), "output_tokens": u.get("output_tokens", 0)}
                finish = "tool_calls" if any(c["type"] == "DO" for c in commands) else "stop"
                sink({"type": "usage", "usage": usage})
                sink({"type": "message.done", "choice": 0, "finish_reason": finish})
    for c in commands:
        c.pop("item", None)
    return {"type": "plan", "api": api, "usage": usage, "error": None,
            "choices": [{"index": 0, "finish_reason": finish, "commands": commands, "refusal": None,
                         "server_tools": []}]}


handle.__kit__ = {"feed": "bytes", "apis": ["openai.responses"], "incremental": True}
