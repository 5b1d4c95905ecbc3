"""Programs that run the unmodified openai SDK client over real HTTP, for ``http:`` adapters.

Each is what a user's program does: construct the client with no arguments (base URL and
key come from ``OPENAI_BASE_URL`` and ``OPENAI_API_KEY``, which ``kit verify`` points at its
replay server), make one streaming request the way the SDK's documentation shows, and
consume the stream. The SDK's events are mapped onto the kit's output events by the same
code as the in-process adapters (:mod:`kit.adapters.openai_sdk`), and printed as JSON
lines as they arrive (protocol ``kit-exec/1``). An exception (the SDK's, or one the
mapping meets in what the SDK gave) is printed to stderr, its last line the exception and
the frame that raised it, and the program exits 1: the kit records it as "this stream is
broken".

    python -m kit.adapters.http_clients.openai_chat [--async]
    python -m kit.adapters.http_clients.openai_responses [--async]
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import traceback
from typing import Any, Awaitable, Callable

from ... import events as ev

__all__ = ["MODEL", "print_event", "main"]

MODEL = "gpt-4o-mini"  # any name: the replay server answers every model with the trace


def print_event(event: Any) -> None:
    """Report one output event on stdout, as soon as it is known."""
    sys.stdout.write(json.dumps(ev.to_json(event), separators=(",", ":")) + "\n")
    sys.stdout.flush()


def main(api: str, run_sync: Callable[[], None], run_async: Callable[[], Awaitable[None]],
         argv: list[str] | None = None) -> int:
    """Run the sync or (``--async``) async variant; 0 on success, 1 when it raised."""
    args = sys.argv[1:] if argv is None else argv
    unknown = [a for a in args if a != "--async"]
    if unknown:
        print(f"usage: python -m kit.adapters.http_clients.<client> [--async]; unknown: {' '.join(unknown)}",
              file=sys.stderr)
        return 2
    wanted = os.environ.get("KIT_API")
    if wanted and wanted != api:
        print(json.dumps({"type": "skip", "reason": f"this client makes {api} requests, not {wanted}"}))
        return 0
    try:
        if "--async" in args:
            asyncio.run(run_async())
        else:
            run_sync()
    except Exception as exc:  # noqa: BLE001 - what the client raised is its answer: report it, exit 1
        from ..python import _where  # noqa: PLC0415 - the frame that raised, said as for py: adapters

        traceback.print_exc()
        message = " ".join(str(exc).split())
        said = f"{type(exc).__name__}: {message}" if message else f"{type(exc).__name__}:"
        print(said + _where(exc), file=sys.stderr)  # the last line: what the kit reports
        return 1
    return 0
