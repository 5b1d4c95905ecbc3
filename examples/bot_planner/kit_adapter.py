"""Wires the bot planner to toolstream-kit, without importing the kit.

    kit verify --adapter py:examples.bot_planner.kit_adapter:handle

The kit calls ``handle(reads, sink, api=...)`` with an iterator of the body's byte reads
and a sink for output events (JSON dicts, ``schemas/events.schema.json``). The planner's
callbacks become events as they happen, so the kit can check that text reaches the user
as soon as it is read and that no tool runs before its call is complete; the planner's
final Plan is returned as the kit's Plan document.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

from .planner import Plan, PredictedDoCommand, StreamingResponse, ToolsPlanner

API = "openai.chat.completions"


class _SinkResponse(StreamingResponse):
    """The bot's streaming message, reporting each chunk to the kit as it is queued."""

    def __init__(self, sink: Callable[[dict], None]) -> None:
        super().__init__()
        self._sink = sink

    def queue_text_chunk(self, text: str) -> None:
        super().queue_text_chunk(text)
        self._sink({"type": "text.delta", "choice": 0, "text": text})


def handle(reads: Iterable[bytes], sink: Callable[[dict], None], *, api: str = API) -> dict[str, Any]:
    calls: dict[int, int] = {}  # id(command) -> its position among the turn's tool calls

    def number(command: PredictedDoCommand) -> int:
        return calls.setdefault(id(command), len(calls))

    def started(command: PredictedDoCommand) -> None:
        sink({"type": "tool_call.started", "choice": 0, "call": number(command),
              "call_id": command.action_id, "action": command.action})

    def arguments(command: PredictedDoCommand, piece: str) -> None:
        sink({"type": "tool_call.arguments.delta", "choice": 0, "call": number(command), "delta": piece})

    def run_action(command: PredictedDoCommand) -> None:
        event = {"type": "tool_call.done", "choice": 0, "call": number(command), "call_id": command.action_id,
                 "action": command.action, "arguments": command.arguments, "parameters": command.parameters}
        if command.invalid_arguments:
            event["invalid_arguments"] = True
        sink(event)

    planner = ToolsPlanner(
        on_action_started=started,
        on_action_arguments=arguments,
        on_action=run_action,
        on_refusal=lambda text: sink({"type": "refusal.delta", "choice": 0, "text": text}),
        on_finish=lambda reason: sink({"type": "message.done", "choice": 0, "finish_reason": reason}),
        on_usage=lambda usage: sink({"type": "usage", "usage": usage}),
        on_error=lambda error: sink({"type": "error", "choice": None, "error": error}),
    )
    plan = planner.begin_task(reads, _SinkResponse(sink))
    return to_plan_document(plan, api)


handle.__kit__ = {"feed": "bytes", "apis": ["openai.chat.completions"], "incremental": True,  # type: ignore[attr-defined]
                  "multi_choice": False}


def to_plan_document(plan: Plan, api: str = API) -> dict[str, Any]:
    """The planner's Plan in the kit's JSON form (``schemas/plan.schema.json``)."""
    commands: list[dict[str, Any]] = []
    for command in plan.commands:
        if command.type == "SAY":
            commands.append({"type": "SAY", "text": command.response})
            continue
        doc = {"type": "DO", "call_id": command.action_id, "action": command.action,
               "arguments": command.arguments, "parameters": command.parameters}
        if command.invalid_arguments:
            doc["invalid_arguments"] = True
        if not command.dispatched:
            doc["dispatched"] = False
        commands.append(doc)
    choices = []
    if plan.has_choice:
        choices.append({"index": 0, "finish_reason": plan.finish_reason, "commands": commands,
                        "refusal": plan.refusal, "server_tools": []})
    return {"type": "plan", "api": api, "choices": choices, "usage": plan.usage, "error": plan.error}
