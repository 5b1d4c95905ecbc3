"""``python -m kit.adapters.client_worker package.module:attr``: a ``client:`` function as a
warm worker (protocol ``kit-worker/1``), the program of ``client[worker=yes]:`` adapters.

For each case line on stdin it sets the case's variables in its environment, calls
``f(base_url, api=api)`` as the ``client:`` adapter does, and prints the Plan it returned
as one line, then the end line. What the function raised is its answer: the end line has
status 1, the exception and the frame that raised it (``error``, said as for ``py:``
adapters) and ``origin``, the innermost third-party frame. The library is imported once,
by the first case.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from typing import Any

from .python import _where, origin_of, resolve


def _said(exc: BaseException) -> str:
    message = " ".join(str(exc).split())
    return (f"{type(exc).__name__}: {message}" if message else type(exc).__name__) + _where(exc)


def serve(target: str) -> int:
    fn = resolve(target, f"client:{target}")
    for line in sys.stdin:
        if not line.strip():
            continue
        case = json.loads(line)
        os.environ.update(case["env"])
        end: dict[str, Any] = {"type": "end", "id": case["id"]}
        try:
            plan = fn(case["base_url"], api=case["api"])
        except Exception as exc:  # noqa: BLE001 - what the library raised is its answer
            traceback.print_exc()
            said = _said(exc)
            print(said, file=sys.stderr, flush=True)
            end.update(status=1, error=said)
            origin = origin_of(exc)
            if origin:
                end["origin"] = origin
        else:
            sys.stdout.write(json.dumps(plan, default=str) + "\n")
        sys.stdout.write(json.dumps(end) + "\n")
        sys.stdout.flush()
    return 0


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or ":" not in args[0]:
        print("usage: python -m kit.adapters.client_worker package.module:attr", file=sys.stderr)
        return 2
    return serve(args[0])


if __name__ == "__main__":
    sys.exit(main())
