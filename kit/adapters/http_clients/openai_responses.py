"""``client.responses.stream(...)`` over HTTP: the bundled ``openai-responses-http`` adapters.

    python -m kit.adapters.http_clients.openai_responses            # openai.OpenAI()
    python -m kit.adapters.http_clients.openai_responses --async    # openai.AsyncOpenAI()

Iterates the stream's events with the same mapping as the in-process
``openai-responses-client`` adapter, but the client is constructed with no arguments and
talks real HTTP to ``OPENAI_BASE_URL``.
"""

from __future__ import annotations

import sys

from kit.adapters.http_clients import MODEL, main, print_event
from kit.adapters.openai_sdk import RESPONSES, _Out, _ResponseEvents

INPUT = "hi"


def run_sync() -> None:
    import openai

    mapper = _ResponseEvents(_Out(print_event, RESPONSES))
    client = openai.OpenAI()
    with client.responses.stream(model=MODEL, input=INPUT) as stream:
        for event in stream:
            mapper.event(event)


async def run_async() -> None:
    import openai

    mapper = _ResponseEvents(_Out(print_event, RESPONSES))
    client = openai.AsyncOpenAI()
    async with client.responses.stream(model=MODEL, input=INPUT) as stream:
        async for event in stream:
            mapper.event(event)


if __name__ == "__main__":
    sys.exit(main(RESPONSES, run_sync, run_async))
