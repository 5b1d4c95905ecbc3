"""``client.chat.completions.stream(...)`` over HTTP: the bundled ``openai-chat-http`` adapters.

    python -m kit.adapters.http_clients.openai_chat            # openai.OpenAI()
    python -m kit.adapters.http_clients.openai_chat --async    # openai.AsyncOpenAI()

Iterates the stream helper's events, then ``get_final_completion()``, exactly as the
in-process ``openai-chat-client`` adapter does (same mapping), but the client is
constructed with no arguments and talks real HTTP to ``OPENAI_BASE_URL``.
"""

from __future__ import annotations

import sys

from kit.adapters.http_clients import MODEL, main, print_event
from kit.adapters.openai_sdk import CHAT, _ChatEvents, _Out

MESSAGES = [{"role": "user", "content": "hi"}]


def run_sync() -> None:
    import openai

    out = _Out(print_event, CHAT)
    mapper = _ChatEvents(out)
    client = openai.OpenAI()
    with client.chat.completions.stream(model=MODEL, messages=MESSAGES) as stream:
        for event in stream:
            mapper.event(event)
        completion = stream.get_final_completion()
    mapper.finish(completion)


async def run_async() -> None:
    import openai

    out = _Out(print_event, CHAT)
    mapper = _ChatEvents(out)
    client = openai.AsyncOpenAI()
    async with client.chat.completions.stream(model=MODEL, messages=MESSAGES) as stream:
        async for event in stream:
            mapper.event(event)
        completion = await stream.get_final_completion()
    mapper.finish(completion)


if __name__ == "__main__":
    sys.exit(main(CHAT, run_sync, run_async))
