"""Isolation for ``py:`` adapters: the implementation runs in a child process.

``python -m kit.adapters._worker SPEC`` loads the adapter once and answers one JSON
line per case on stdout (the case arrives as one JSON line on stdin). The parent kills
the child when a case runs past its timeout, or when the child dies, and starts a new
one for the next case: a hung or crashing implementation cannot take the run with it.
"""

from __future__ import annotations

import base64
import json
import os
import queue
import subprocess
import sys
import threading
from typing import Any

from ..events import from_json, to_json
from . import Case, Outcome


def _encode_case(case: Case) -> str:
    return json.dumps({"trace_id": case.trace_id, "api": case.api, "chunking": case.chunking,
                       "reads": [base64.b64encode(r).decode("ascii") for r in case.reads],
                       "events": case.events, "events_problem": case.events_problem})


def _decode_case(line: str) -> Case:
    doc = json.loads(line)
    return Case(doc["trace_id"], doc["api"], doc["chunking"], [base64.b64decode(r) for r in doc["reads"]],
                doc["events"], doc["events_problem"])


def _encode_outcome(out: Outcome) -> str:
    doc = dict(out.__dict__)
    if out.outputs is not None:
        doc["outputs"] = [[pos, to_json(e)] for pos, e in out.outputs]
    return json.dumps(doc)


def _decode_outcome(line: str) -> Outcome:
    doc = json.loads(line)
    if doc.get("outputs") is not None:
        doc["outputs"] = [(pos, from_json(e)) for pos, e in doc["outputs"]]
    return Outcome(**doc)


class WorkerClient:
    def __init__(self, spec: str, root: str | None = None) -> None:
        self.spec = spec
        self.root = root  # where the spec's module resolves (default: the current directory)
        self.proc: subprocess.Popen | None = None
        self.lines: queue.Queue = queue.Queue()

    def _start(self) -> subprocess.Popen:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [self.root or os.getcwd(), env.get("PYTHONPATH")]))
        proc = subprocess.Popen([sys.executable, "-m", "kit.adapters._worker", self.spec], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        lines: queue.Queue = queue.Queue()

        def pump() -> None:
            for line in proc.stdout:  # type: ignore[union-attr]
                lines.put(line)
            lines.put(None)

        threading.Thread(target=pump, daemon=True).start()
        self.proc, self.lines = proc, lines
        return proc

    def run(self, case: Case, timeout: float) -> Outcome:
        proc = self.proc if self.proc is not None and self.proc.poll() is None else self._start()
        try:
            proc.stdin.write(_encode_case(case) + "\n")  # type: ignore[union-attr]
            proc.stdin.flush()  # type: ignore[union-attr]
        except (BrokenPipeError, OSError):
            return self._died()
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            self._kill()
            return Outcome(timeout=True, error=f"no result after {timeout:g} s (the child process was killed)")
        if line is None:
            return self._died()
        return _decode_outcome(line)

    def _died(self) -> Outcome:
        proc = self.proc
        self._kill()
        err = ""
        if proc is not None and proc.stderr is not None:
            try:
                err = proc.stderr.read()[-2000:]
            except (OSError, ValueError):
                pass
        last = err.strip().splitlines()[-1] if err.strip() else f"exit status {proc.returncode if proc else '?'}"
        return Outcome(rejected=True, error=f"the isolated process died: {last}", stderr=err)

    def _kill(self) -> None:
        if self.proc is not None:
            try:
                self.proc.kill()
                self.proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self.proc = None

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            try:
                self.proc.stdin.close()  # type: ignore[union-attr]
                self.proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                self._kill()
        self.proc = None


def main(argv: list[str]) -> int:
    from . import load_adapter  # noqa: PLC0415
    from .python import run_callable  # noqa: PLC0415

    adapter: Any = load_adapter(argv[0], isolate=False)
    out = sys.stdout
    sys.stdout = sys.stderr  # the implementation's prints must not corrupt the answers
    for line in sys.stdin:
        case = _decode_case(line)
        outcome = run_callable(adapter.fn, adapter.capabilities, case, case.api)
        out.write(_encode_outcome(outcome) + "\n")
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
