"""The output vocabulary: what any accumulator, ours or one under test, says happened.

Events are past-tense facts, small immutable tuples with a readable repr. Every event
carries the choice it belongs to (``choice``); tool-call events also carry ``call``,
the 0-based position of the call among the choice's tool calls, which ties argument
deltas to their call before its id is known.

``ToolCallDone`` is the dispatch point: from it on the call's id, name and complete
arguments are known and the application may run the tool.

JSON form (``to_json`` / :func:`from_json`, ``schemas/events.schema.json``): an object
with ``type`` and the fields below.
"""

from __future__ import annotations

from typing import Any, NamedTuple

__all__ = [
    "TextDelta", "ToolCallStarted", "ToolCallArgumentsDelta", "ToolCallDone", "RefusalDelta",
    "ReasoningDelta", "ServerTool", "Usage", "Error", "MessageDone", "Event", "EVENT_TYPES", "from_json", "to_json",
]


class TextDelta(NamedTuple):
    """Visible text. ``item`` names the output item or content block the text belongs to
    (``None`` in Chat Completions): text of another item starts a new SAY."""

    choice: int
    text: str
    item: int | None = None
    type = "text.delta"


class ToolCallStarted(NamedTuple):
    choice: int
    call: int
    call_id: str | None
    action: str | None
    type = "tool_call.started"


class ToolCallArgumentsDelta(NamedTuple):
    choice: int
    call: int
    delta: str
    type = "tool_call.arguments.delta"


class ToolCallDone(NamedTuple):
    choice: int
    call: int
    call_id: str | None
    action: str | None
    arguments: str
    parameters: Any
    invalid_arguments: bool = False
    type = "tool_call.done"


class RefusalDelta(NamedTuple):
    choice: int
    text: str
    type = "refusal.delta"


class ReasoningDelta(NamedTuple):
    choice: int
    text: str
    type = "reasoning.delta"


class ServerTool(NamedTuple):
    """A tool the provider ran itself (web search, MCP, ...): never a DO. ``tool`` has
    ``type``, ``id`` and ``name``."""

    choice: int
    tool: dict
    type = "server_tool"


class Usage(NamedTuple):
    usage: dict
    type = "usage"


class Error(NamedTuple):
    choice: int | None
    error: dict
    type = "error"


class MessageDone(NamedTuple):
    choice: int
    finish_reason: str | None
    type = "message.done"


Event = (TextDelta | ToolCallStarted | ToolCallArgumentsDelta | ToolCallDone | RefusalDelta
         | ReasoningDelta | ServerTool | Usage | Error | MessageDone)

EVENT_TYPES: dict[str, type] = {
    cls.type: cls
    for cls in (TextDelta, ToolCallStarted, ToolCallArgumentsDelta, ToolCallDone, RefusalDelta,
                ReasoningDelta, ServerTool, Usage, Error, MessageDone)
}


def to_json(event: Event) -> dict[str, Any]:
    doc = {"type": event.type}
    doc.update(event._asdict())
    return doc


def from_json(doc: dict[str, Any]) -> Event:
    """An event from its JSON form; raises ``ValueError`` naming what is wrong."""
    if not isinstance(doc, dict):
        raise ValueError(f"an event is a JSON object, not {type(doc).__name__}")
    cls = EVENT_TYPES.get(doc.get("type"))  # type: ignore[arg-type]
    if cls is None:
        raise ValueError(f"unknown event type {doc.get('type')!r}; expected one of {', '.join(EVENT_TYPES)}")
    fields = {k: v for k, v in doc.items() if k != "type"}
    try:
        return cls(**fields)
    except TypeError as exc:
        raise ValueError(f"{doc['type']}: {exc}") from None
