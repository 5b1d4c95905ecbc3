"""The anthropic SDK: ``client.messages.stream(...)``, then ``get_final_message()``.

The SDK's helpers guide: open the stream as a context manager, iterate its events (or
``text_stream``), and read the accumulated message from ``get_final_message()``. The
message's ``content`` blocks are taken in order: ``text`` -> SAY (one per block),
``tool_use`` -> DO (``id``, ``name``, ``input`` as the SDK parsed it),
``server_tool_use`` and ``*_tool_result`` blocks -> server tools, ``thinking`` and
``redacted_thinking`` left out (never SAY). ``stop_reason`` is the finish, ``usage`` the
input and output tokens.

Capabilities: ``ordered`` yes (``Message.content`` is the list of content blocks in stream
order, ``anthropic/lib/streaming/_messages.py`` ``accumulate_event`` appends each
``content_block_start``); ``marks_undispatched`` no (a ``ToolUseBlock`` is ``id``, ``name``,
``input``, ``type``: nothing marks a block cut off; the SDK parses a cut block's partial JSON
with ``jiter`` in partial mode and hands it over as the call's input); ``multi_choice`` no
(a Messages response has one message).
"""

from __future__ import annotations

from typing import Any

from kit.adapters import implementation
from kit.adapters.client import DUMMY_KEY, PlanOf, anthropic_base, is_server_tool

MODEL = "claude-sonnet-4-6"  # any name: the replay server answers every model with the trace
MESSAGES = [{"role": "user", "content": "hi"}]


@implementation(apis=("anthropic",), multi_choice=False, ordered=True, marks_undispatched=False)
def messages_stream(base_url: str, *, api: str) -> dict[str, Any]:
    import anthropic

    client = anthropic.Anthropic(base_url=anthropic_base(base_url), api_key=DUMMY_KEY, max_retries=0)
    with client.messages.stream(model=MODEL, max_tokens=1024, messages=MESSAGES) as stream:
        for _event in stream:
            pass
        message = stream.get_final_message()
    plan = PlanOf(api)
    for n, block in enumerate(message.content):
        kind = getattr(block, "type", None)
        if kind == "text":
            plan.text(block.text, item=n)
        elif kind == "tool_use":
            plan.call(block.id, block.name, block.input)
        elif is_server_tool(api, kind):
            plan.server_tool({"type": kind, "id": getattr(block, "id", None) or getattr(block, "tool_use_id", None),
                              "name": getattr(block, "name", None)})
    plan.finish(message.stop_reason)
    if message.usage is not None:
        plan.usage(message.usage.input_tokens, message.usage.output_tokens)
    return plan.plan()
