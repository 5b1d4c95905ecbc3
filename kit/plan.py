"""The Plan: the ordered SAY/DO commands an agent acts on, built from output events.

A Plan is a pure function of an event sequence (:class:`PlanBuilder`), so the reference
and any implementation that reports events are turned into plans the same way. The
conventions (design "Plan conventions", ``conformance.md``) in brief:

- ``SAY``: one per contiguous run of visible text; text after a tool call opens a new SAY,
  and so does text of another output item or content block (``TextDelta.item``).
- ``DO``: one per client-executed tool call, where it started in the stream: ``call_id``,
  ``action``, ``arguments`` (raw string), ``parameters`` (parsed: ``""`` -> ``{}``;
  invalid JSON -> ``null`` with ``invalid_arguments: true``, never repaired).
- per choice: ``finish_reason`` (``stop | tool_calls | length | content_filter | error |
  incomplete | null``), ``refusal`` (text or null), ``server_tools`` (never DO).
- ``usage`` and ``error`` for the whole response.

:func:`canonical_json` is the one canonical JSON writer of the kit (sorted keys).
"""

from __future__ import annotations

import json
from typing import Any


__all__ = ["FINISH_REASONS", "PlanBuilder", "parse_arguments", "canonical_json", "build_plan"]

FINISH_REASONS = ("stop", "tool_calls", "length", "content_filter", "error", "incomplete", None)

_loads = json.loads
_BLOCK = 256


def parse_arguments(arguments: str) -> tuple[Any, bool]:
    """``(parameters, invalid)`` for an assembled argument string, per the Plan conventions.
    JSON that Python cannot hold (nested too deep, an integer of more than 4300 digits)
    counts as invalid too."""
    if not arguments or arguments.isspace():
        return {}, False
    try:
        return _loads(arguments), False
    except (ValueError, RecursionError):  # json.JSONDecodeError is a ValueError
        return None, True


def canonical_json(doc: Any, *, indent: int | None = None) -> str:
    """The kit's canonical JSON: sorted keys, UTF-8 text kept, no trailing spaces. A string
    holding a lone surrogate (JSON can spell one, ``"\\ud800"``; UTF-8 cannot) makes the whole
    text ASCII, with ``\\uXXXX`` escapes: the same JSON, and it can be written out."""
    if indent is None:
        text = json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    else:
        text = json.dumps(doc, sort_keys=True, ensure_ascii=False, indent=indent)
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return json.dumps(doc, sort_keys=True, ensure_ascii=True, indent=indent,
                              separators=(",", ":") if indent is None else None)
    return text


class _Choice:
    __slots__ = ("index", "commands", "say", "say_item", "open_say", "calls", "finish_reason", "refusal", "server_tools")

    def __init__(self, index: int) -> None:
        self.index = index
        self.commands: list[dict[str, Any]] = []
        self.say: list[str] | None = None  # pieces of the open SAY
        self.say_item: int | None = None  # the item or block the open SAY's text came from
        self.open_say = False
        self.calls: dict[int, dict[str, Any]] = {}
        self.finish_reason: str | None = None
        self.refusal: list[str] | None = None
        self.server_tools: list[dict[str, Any]] = []


class PlanBuilder:
    """Feed output events (``add``); ``plan()`` returns the Plan document (a dict)."""

    def __init__(self, api: str) -> None:
        self.api = api
        self._choices: dict[int, _Choice] = {}
        self.usage: dict[str, Any] | None = None
        self.error: dict[str, Any] | None = None

    def _choice(self, index: int) -> _Choice:
        c = self._choices.get(index)
        if c is None:
            c = self._choices[index] = _Choice(index)
        return c

    def add(self, event: Any) -> None:
        t = event.type
        if t == "text.delta":
            c = self._choices.get(event.choice) or self._choice(event.choice)
            if c.open_say and c.say_item == event.item:
                c.say.append(event.text)  # type: ignore[union-attr]
            elif event.text:
                c.say = [event.text]
                c.say_item = event.item
                c.commands.append({"type": "SAY", "_pieces": c.say})
                c.open_say = True
        elif t == "tool_call.arguments.delta":
            c = self._choices.get(event.choice) or self._choice(event.choice)
            call = c.calls.get(event.call) or self._call(c, event.call, None, None)
            pending = call["_args"]
            pending.append(event.delta)
            if len(pending) >= _BLOCK:  # memory follows the arguments' size, not the fragment count
                call["_blocks"].append("".join(pending))
                pending.clear()
        elif t == "tool_call.started":
            c = self._choice(event.choice)
            self._call(c, event.call, event.call_id, event.action)
        elif t == "tool_call.done":
            c = self._choice(event.choice)
            call = c.calls.get(event.call) or self._call(c, event.call, event.call_id, event.action)
            call["call_id"] = event.call_id
            call["action"] = event.action
            call["arguments"] = event.arguments
            call["parameters"] = event.parameters
            if event.invalid_arguments:
                call["invalid_arguments"] = True
            else:
                call.pop("invalid_arguments", None)
            call["_done"] = True
            call["_args"] = []
            call["_blocks"] = []
        elif t == "refusal.delta":
            c = self._choice(event.choice)
            if c.refusal is None:
                c.refusal = []
            c.refusal.append(event.text)
        elif t == "message.done":
            self._choice(event.choice).finish_reason = event.finish_reason
        elif t == "usage":
            self.usage = dict(event.usage)
        elif t == "error":
            if self.error is None:
                self.error = dict(event.error)
            if event.choice is not None:
                self._choice(event.choice)
        elif t == "reasoning.delta":
            pass
        elif t == "server_tool":
            self._choice(event.choice).server_tools.append(dict(event.tool))
        else:
            raise ValueError(f"unknown event type {t!r}")

    def _call(self, c: _Choice, call: int, call_id: str | None, action: str | None) -> dict[str, Any]:
        entry = {"type": "DO", "call_id": call_id, "action": action, "_args": [], "_blocks": [], "_done": False}
        c.calls[call] = entry
        c.commands.append(entry)
        c.open_say = False
        return entry

    def plan(self) -> dict[str, Any]:
        choices = []
        for index in sorted(self._choices):
            c = self._choices[index]
            commands = []
            for cmd in c.commands:
                if cmd["type"] == "SAY":
                    commands.append({"type": "SAY", "text": "".join(cmd["_pieces"])})
                    continue
                out = {k: v for k, v in cmd.items() if not k.startswith("_")}
                if not cmd["_done"]:  # never dispatched: what arrived, as it is
                    out["arguments"] = "".join(cmd["_blocks"]) + "".join(cmd["_args"])
                    out["parameters"], invalid = parse_arguments(out["arguments"])
                    if invalid:
                        out["invalid_arguments"] = True
                    out["dispatched"] = False
                commands.append(out)
            choices.append({
                "index": c.index,
                "finish_reason": c.finish_reason,
                "commands": commands,
                "refusal": "".join(c.refusal) if c.refusal is not None else None,
                "server_tools": c.server_tools,
            })
        return {"type": "plan", "api": self.api, "choices": choices, "usage": self.usage, "error": self.error}


def tool_names(plan: dict[str, Any]) -> list[str]:
    """The names of the client tools a Plan's DO commands call, in order of first call (every
    choice): what the request that produced the stream declared."""
    names: list[str] = []
    for choice in plan.get("choices") or []:
        for command in choice.get("commands") or []:
            name = command.get("action") if command.get("type") == "DO" else None
            if isinstance(name, str) and name and name not in names:
                names.append(name)
    return names


def build_plan(api: str, events: Any) -> dict[str, Any]:
    """The Plan of an event sequence."""
    builder = PlanBuilder(api)
    for event in events:
        builder.add(event)
    return builder.plan()
