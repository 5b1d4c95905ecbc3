"""Node.js programs that run an unmodified JavaScript client over real HTTP, for ``http:`` adapters.

Each ``<name>.mjs`` here is what a user's program does with its library (construct the
client from the environment, make one streaming request the way the library's
documentation shows, consume the stream) and prints what it got as the kit's output
events, one JSON line each (protocol ``kit-exec/1``, as :mod:`kit.adapters.http_clients`
prints them); an exception is its answer (last stderr line, exit status 1).

    python -m kit.adapters.node openai_chat            # execs: node kit/adapters/node/openai_chat.mjs
    python -m kit.adapters.node openai_chat --worker   # a warm worker (protocol kit-worker/1)

What the programs share is ``harness.mjs``: the output events, the Plan conventions, one
case or a worker serving many. The launcher only finds the program and the packages, hands
the program the kit's own tables (``KIT_NODE_CONVENTIONS``: the finish vocabulary and the
server-executed item and block types, so JavaScript reads them as :mod:`kit.adapters.client`
does) and replaces itself with ``node`` (no second process). The JavaScript packages come from ``NODE_PATH`` when it is set
(``kit matrix run`` sets it to the environment's ``node_modules``), else from the matrix
environment a clone has built, ``.kit/matrix/envs/<env>/node_modules`` (``kit matrix build
node_openai``), found from the current folder upwards, else wherever Node finds them.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

__all__ = ["PROGRAMS", "program", "main"]

HERE = Path(__file__).resolve().parent
# program -> the matrix environment whose node_modules it needs
PROGRAMS = {"openai_chat": "node_openai", "openai_responses": "node_openai", "anthropic_messages": "node_anthropic",
            "ai_sdk": "node_ai", "ai_sdk_google": "node_ai", "langchain": "node_langchain"}


def program(name: str) -> Path:
    """The path of a bundled Node program."""
    return HERE / f"{name}.mjs"


def _modules(env: str) -> str | None:
    """The node_modules of the matrix environment ``env`` of the clone at or above the current folder."""
    from ...matrix import DEFAULT_ENVS_DIR, find_root  # noqa: PLC0415 - stdlib only
    from ...errors import UsageError  # noqa: PLC0415

    try:
        root = find_root()
    except UsageError:
        return None
    modules = root / DEFAULT_ENVS_DIR / env / "node_modules"
    return str(modules) if modules.is_dir() else None


def conventions() -> dict[str, object]:
    """The kit's tables a Node program reads its library's result by (harness.mjs)."""
    from ..client import _FINISH  # noqa: PLC0415
    from ...reference import anthropic, responses  # noqa: PLC0415

    return {"finish": dict(_FINISH), "incomplete_reasons": dict(responses.INCOMPLETE_REASONS),
            "client_calls": sorted(responses.CLIENT_CALLS), "server_tools": sorted(responses.SERVER_TOOLS),
            "execution_calls": sorted(responses.EXECUTION_CALLS),
            "server_blocks": list(anthropic.SERVER_BLOCKS)}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] not in PROGRAMS or any(a not in ("--worker",) for a in args[1:]):
        print(f"usage: python -m kit.adapters.node PROGRAM [--worker]; PROGRAM is one of {', '.join(PROGRAMS)}",
              file=sys.stderr)
        return 2
    node = shutil.which("node")
    if node is None:
        print("kit.adapters.node: node is not on PATH (install Node.js 20 or later to run this adapter)",
              file=sys.stderr)
        return 127
    env = dict(os.environ)
    env["KIT_NODE_CONVENTIONS"] = json.dumps(conventions(), separators=(",", ":"))
    if not env.get("NODE_PATH"):
        modules = _modules(PROGRAMS[args[0]])
        if modules:
            env["NODE_PATH"] = modules
    sys.stdout.flush()
    os.execve(node, [node, str(program(args[0])), *args[1:]], env)
    return 0  # not reached
