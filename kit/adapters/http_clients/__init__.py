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

With ``--worker`` a program serves many cases (protocol ``kit-worker/1``, adapters
``http[worker=yes]:``): it reads one case line at a time on stdin, sets the case's
variables in its environment, runs the same code, and prints the case's events and an end
line (status 1 and the exception's line when the client raised). The SDK is imported once.

    python -m kit.adapters.http_clients.openai_chat [--async] [--worker]
    python -m kit.adapters.http_clients.openai_responses [--async] [--worker]
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


def _run_one(api: str, run_sync: Callable[[], None], run_async: Callable[[], Awaitable[None]],
             use_async: bool) -> str | None:
    """Run one case; None on success, else the line that says what the client raised (its
    traceback goes to stderr first)."""
    wanted = os.environ.get("KIT_API")
    if wanted and wanted != api:
        print(json.dumps({"type": "skip", "reason": f"this client makes {api} requests, not {wanted}"}), flush=True)
        return None
    try:
        if use_async:
            asyncio.run(run_async())
        else:
            run_sync()
    except Exception as exc:  # noqa: BLE001 - what the client raised is its answer: report it
        from ..python import _where  # noqa: PLC0415 - the frame that raised, said as for py: adapters

        traceback.print_exc()
        message = " ".join(str(exc).split())
        said = f"{type(exc).__name__}: {message}" if message else f"{type(exc).__name__}:"
        said += _where(exc)
        print(said, file=sys.stderr, flush=True)  # the last line: what the kit reports
        return said
    return None


def serve_cases(api: str, run_sync: Callable[[], None], run_async: Callable[[], Awaitable[None]],
                use_async: bool) -> int:
    """Protocol ``kit-worker/1``: one case line in on stdin, the case's output lines and an
    end line out, until stdin closes. The client library is imported once, by the first case."""
    for line in sys.stdin:
        if not line.strip():
            continue
        case = json.loads(line)
        os.environ.update(case["env"])  # the client is constructed per case from the environment
        said = _run_one(api, run_sync, run_async, use_async)
        end: dict[str, Any] = {"type": "end", "id": case["id"]}
        if said is not None:
            end.update(status=1, error=said)
        sys.stdout.write(json.dumps(end) + "\n")
        sys.stdout.flush()
    return 0


def main(api: str, run_sync: Callable[[], None], run_async: Callable[[], Awaitable[None]],
         argv: list[str] | None = None) -> int:
    """Run the sync or (``--async``) async variant once (0 on success, 1 when it raised), or
    (``--worker``) serve cases until stdin closes."""
    args = sys.argv[1:] if argv is None else argv
    unknown = [a for a in args if a not in ("--async", "--worker")]
    if unknown:
        print(f"usage: python -m kit.adapters.http_clients.<client> [--async] [--worker]; unknown: "
              f"{' '.join(unknown)}", file=sys.stderr)
        return 2
    if "--worker" in args:
        return serve_cases(api, run_sync, run_async, "--async" in args)
    return 0 if _run_one(api, run_sync, run_async, "--async" in args) is None else 1
