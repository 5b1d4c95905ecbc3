"""``exec:COMMAND`` — an implementation in any language, run once per case.

Protocol ``kit-exec/1`` (``schemas/protocol.schema.json``, ``conformance.md``):

- The kit runs COMMAND (split like a shell would, no shell; ``{api}`` is replaced by the
  wire API's name, ``{python}`` by the Python interpreter running the kit) with ``KIT_API``, ``KIT_PROTOCOL=1``, ``KIT_TRACE`` and
  ``KIT_CHUNKING`` in its environment.
- It writes the SSE body to the program's stdin, one write and flush per read of the
  chunk plan, then closes stdin.
- The program prints either one Plan document (any JSON formatting), or JSON lines:
  output events (``schemas/events.schema.json``), at most one ``{"type": "plan", ...}``,
  or ``{"type": "skip", "reason": "..."}`` for a case it cannot express. With events and
  no plan, the Plan is built from the events.
- A non-zero exit status means the program rejected the stream (reported it as an
  error); its stderr's last line says why.

With ``validate_protocol`` every line the program prints is checked against the schema
and each violation is reported with its line number.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from typing import Any

from ..errors import UsageError
from ..events import EVENT_TYPES, from_json
from ..plan import build_plan
from . import APIS, Adapter, Capabilities, Case, Outcome, apply_options

__all__ = ["ExecAdapter", "PROTOCOL", "parse_output", "program_problem"]

PROTOCOL = 1
_validator: Any = None


def _protocol_validator() -> Any:
    global _validator
    if _validator is None:
        import jsonschema  # noqa: PLC0415

        from .._resources import schema  # noqa: PLC0415

        registry_schema = schema("protocol")
        _validator = jsonschema.Draft202012Validator(registry_schema, registry=_registry())
    return _validator


def _registry() -> Any:
    from referencing import Registry, Resource  # noqa: PLC0415

    from .._resources import schema  # noqa: PLC0415

    resources = []
    for name in ("events", "plan"):
        doc = schema(name)
        resources.append((doc["$id"], Resource.from_contents(doc)))
    return Registry().with_resources(resources)


def validate_line(doc: Any) -> list[str]:
    """The protocol violations of one decoded stdout line."""
    errors = sorted(_protocol_validator().iter_errors(doc), key=lambda e: list(e.absolute_path))
    out = []
    for e in errors[:3]:
        where = "/" + "/".join(str(p) for p in e.absolute_path)
        out.append(f"{where}: {e.message}" if e.absolute_path else e.message)
    return out


def parse_output(text: str, api: str, *, validate: bool = False) -> Outcome:
    """Read what a program printed: a Plan, or JSON lines of events (and maybe a plan)."""
    out = Outcome()
    stripped = text.strip()
    if not stripped:
        out.protocol.append("printed nothing on stdout (expected a Plan document or JSON lines of output events)")
        return out
    if "\n" in stripped:
        try:  # one pretty-printed document
            whole = json.loads(stripped)
        except ValueError:
            whole = None
        if isinstance(whole, dict) and whole.get("type") == "plan":
            if validate:
                out.protocol.extend(f"the Plan document: {p}" for p in validate_line(whole))
            out.plan = whole
            return out
    events: list[Any] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
        except ValueError:
            shown = line if len(line) <= 60 else line[:57] + "..."
            out.protocol.append(f"stdout line {number} is not JSON: {shown!r}")
            continue
        if validate:
            out.protocol.extend(f"stdout line {number}: {p}" for p in validate_line(doc))
        kind = doc.get("type") if isinstance(doc, dict) else None
        if kind == "plan":
            if out.plan is not None:
                out.protocol.append(f"stdout line {number}: a second Plan document")
            out.plan = doc
        elif kind == "skip":
            out.skip = str(doc.get("reason") or "the program skipped this case")
        else:
            if not validate and isinstance(doc, dict) and doc.get("type") in EVENT_TYPES:
                fields = EVENT_TYPES[doc["type"]]._fields  # read leniently: extra fields are ignored
                doc = {k: v for k, v in doc.items() if k == "type" or k in fields}
            try:
                events.append((None, from_json(doc)))
            except ValueError as exc:
                out.protocol.append(f"stdout line {number}: {exc}")
    if events:
        out.outputs = events
        if out.plan is None:
            out.plan = build_plan(api, (e for _, e in events))
    elif out.plan is None and out.skip is None and not out.protocol:
        out.protocol.append("printed no Plan document and no output events")
    return out


def program_problem(program: str) -> str | None:
    """Why ``program`` (a command's first word) cannot be run, or None: a path must name an
    executable file, a bare name must be found on ``PATH`` (as the operating system would
    look it up)."""
    if os.sep in program or (os.altsep and os.altsep in program):
        if not os.path.exists(program):
            return f"program {program!r}: no such file"
        if os.path.isdir(program):
            return f"program {program!r} is a folder"
        if not os.access(program, os.X_OK):
            return f"program {program!r} is not executable (chmod +x it, or name its interpreter first)"
        return None
    if shutil.which(program) is None:
        return f"program {program!r} not found on PATH"
    return None


class ExecAdapter(Adapter):
    kind = "exec"

    def __init__(self, spec: str, command: str, options: dict[str, str], *, name: str | None, timeout: float,
                 validate_protocol: bool = False) -> None:
        try:
            argv = shlex.split(command)
        except ValueError as exc:
            raise UsageError(f"adapter {spec!r}: cannot split the command: {exc}") from None
        if not argv:
            raise UsageError(f"adapter {spec!r}: empty command")
        caps = apply_options(spec, Capabilities(apis=APIS), options)
        if caps.feed != "bytes" or caps.incremental:
            raise UsageError(f"adapter {spec!r}: exec: programs are fed bytes and graded on their output "
                             "(feed=events and incremental=yes are for py: adapters)")
        super().__init__(spec, name or f"exec:{command}", caps, timeout=timeout)
        self.argv = argv
        self.validate_protocol = validate_protocol
        for program in dict.fromkeys(self.command_for(api)[0] for api in caps.apis):
            problem = program_problem(program)
            if problem is not None:
                raise UsageError(f"adapter {spec!r}: {problem}")

    def command_for(self, api: str) -> list[str]:
        return [a.replace("{api}", api).replace("{python}", sys.executable) for a in self.argv]

    def run(self, case: Case) -> Outcome:
        env = dict(os.environ, KIT_API=case.api, KIT_PROTOCOL=str(PROTOCOL), KIT_TRACE=case.trace_id,
                   KIT_CHUNKING=case.chunking)
        argv = self.command_for(case.api)
        start = time.perf_counter()
        try:
            proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    env=env, start_new_session=True)
        except OSError as exc:
            return Outcome(error=f"cannot start {argv[0]!r}: {exc.strerror or exc}", rejected=False,
                           protocol=[f"cannot start {argv[0]!r}"])
        chunks: dict[str, bytes] = {}

        def write() -> None:
            try:
                for data in case.reads:
                    proc.stdin.write(data)  # type: ignore[union-attr]
                    proc.stdin.flush()  # type: ignore[union-attr]
            except (BrokenPipeError, OSError, ValueError):
                pass  # it stopped reading: its output says what it made of it
            finally:
                try:
                    proc.stdin.close()  # type: ignore[union-attr]
                except (BrokenPipeError, OSError):
                    pass

        def drain(name: str, stream: Any) -> None:
            chunks[name] = stream.read()

        threads = [threading.Thread(target=write, daemon=True),
                   threading.Thread(target=drain, args=("out", proc.stdout), daemon=True),
                   threading.Thread(target=drain, args=("err", proc.stderr), daemon=True)]
        for t in threads:
            t.start()
        try:
            status = proc.wait(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            self._kill(proc)
            return Outcome(timeout=True, error=f"no result after {self.timeout:g} s (the process was killed)",
                           seconds=time.perf_counter() - start)
        for t in threads[1:]:
            t.join(5)
        seconds = time.perf_counter() - start
        stdout = chunks.get("out", b"").decode("utf-8", "replace")
        stderr = chunks.get("err", b"").decode("utf-8", "replace")
        if status != 0:
            last = stderr.strip().splitlines()[-1] if stderr.strip() else ""
            why = f"exit status {status}" if status > 0 else f"killed by signal {-status}"
            out = Outcome(rejected=True, error=f"{why}: {last}" if last else why, stderr=stderr[-4000:])
        else:
            out = parse_output(stdout, case.api, validate=self.validate_protocol)
            out.stderr = stderr[-4000:]
        out.seconds = seconds
        out.inputs = len(case.reads)
        return out

    @staticmethod
    def _kill(proc: subprocess.Popen) -> None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (OSError, ProcessLookupError):
            proc.kill()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass

    def describe(self) -> dict[str, Any]:
        doc = super().describe()
        doc["protocol"] = PROTOCOL
        return doc
