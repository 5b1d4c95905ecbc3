"""``http:COMMAND`` — an unmodified client, run once per case against the kit's replay server.

The adapter owns one loopback :class:`~kit.serve.ReplayServer` (started on first use, stopped
by :meth:`HttpAdapter.close`) and serves each case's trace from it, cut by the case's chunk
plan (one HTTP chunk and flush per read). For each case it runs COMMAND (split like
``exec:``, ``{api}`` and ``{python}`` replaced) with, in its environment:

- ``KIT_BASE_URL`` and ``OPENAI_BASE_URL``: the case's base URL,
  ``http://127.0.0.1:PORT/t/<api>/<trace-id>@<chunk plan>/v1``;
- ``ANTHROPIC_BASE_URL``: the same without the trailing ``/v1`` (the Anthropic SDK adds
  ``/v1/messages``);
- dummy keys ``OPENAI_API_KEY`` and ``ANTHROPIC_API_KEY`` (the user's own credentials are
  removed from the environment, and loopback is added to ``NO_PROXY``);
- ``KIT_API``, ``KIT_TRACE``, ``KIT_CHUNKING`` and ``KIT_PROTOCOL=1``;
- ``KIT_TOOLS``: a JSON list of the client tool names the stream calls, in order of first
  call (:func:`declared_tools`): what the request declared, for a client that checks calls
  against its declared tools.

Its stdin is empty. Its stdout is read exactly as ``exec:`` reads it (protocol
``kit-exec/1``: one Plan, or JSON lines of output events, ``skip`` lines; a non-zero exit
means the program reported the stream as broken), with the same timeout (the process group
is killed) and ``--validate-protocol``. The outcome also says how many requests the program
made for its base URL; a program that never requested it, or got no stream from it (a
wrong path), is an ERROR whatever it printed or exited with, unless it printed a ``skip``
line and exited 0 without a request (it cannot express the case: SKIP).

With ``worker=yes`` (``http[worker=yes]:COMMAND``) the program is a warm worker, protocol
``kit-worker/1`` (``schemas/worker.schema.json``): started once (``KIT_WORKER=1``, no case
variables), it reads one case line per case on stdin (``id``, ``api``, ``trace``,
``chunking``, ``base_url`` and ``env``, the variables above), prints the case's
``kit-exec/1`` lines and then ``{"type": "end", "id": N}`` (``"status"`` other than 0 and
``"error"``: the stream was rejected). A worker that exits during a case is ERROR, one that
prints no end line within the timeout is killed and the case is TIMEOUT; the next case
starts a new one. Cases run side by side (``-j``) get a worker each.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from ..errors import UsageError
from ..trace import Trace
from . import APIS, Capabilities, Case, Outcome, _flag, apply_options
from .exec import PROTOCOL, ExecAdapter, parse_output

__all__ = ["HttpAdapter", "HttpOutcome", "CaseServer", "DUMMY_KEY"]

DUMMY_KEY = "kit-dummy-key"
# credentials and account ids of the user's environment that must not reach the replay server
_DROPPED = ("OPENAI_ADMIN_KEY", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID", "OPENAI_WEBHOOK_SECRET",
            "ANTHROPIC_AUTH_TOKEN")
_LOOPBACK = "127.0.0.1,localhost"


class CaseServer:
    """One loopback :class:`~kit.serve.ReplayServer` serving cases: each case's trace is cut
    exactly as the case's reads (one HTTP chunk and flush per read). Shared by ``http:``
    and ``client:`` adapters."""

    def __init__(self) -> None:
        self.server: Any = None
        self._lock = threading.Lock()
        self._served: dict[tuple[str, str], Trace] = {}

    def serve(self, case: Case) -> str:
        """Serve the case's trace (starting the server on first use); its base URL."""
        from ..serve import ReplayServer  # noqa: PLC0415

        body = b"".join(case.reads)
        key = (case.api, case.trace_id)
        with self._lock:
            trace = self._served.get(key)
            changed = trace is None or trace.body != body
            if changed:
                cls = case.trace_id[0] if case.trace_id[:2] in ("y_", "n_", "i_") else "y"
                trace = Trace(id=case.trace_id, api=case.api, cls=cls, body=body)
            assert trace is not None
            if case.chunking == "recorded" and trace.chunks("recorded") != case.reads:
                offsets, at = [], 0
                for data in case.reads:
                    offsets.append(at)
                    at += len(data)
                trace = Trace(id=trace.id, api=trace.api, cls=trace.cls, body=body, reads=offsets)
                changed = True
            if trace.chunks(case.chunking) != case.reads:
                raise RuntimeError(f"kit serve cannot cut {case.trace_id} as the case's {case.chunking} reads")
            if self.server is None:
                self.server = ReplayServer([trace]).start()
            elif changed:
                self.server.add(trace)
            self._served[key] = trace
            return self.server.url_for(trace, case.chunking)

    def requests_for(self, url: str, since: int = 0) -> list[dict[str, Any]]:
        """The requests logged since ``since`` whose path is under the base URL ``url``."""
        prefix = unquote(urlsplit(url).path).removesuffix("/v1")
        out = []
        for r in list(self.server.requests[since:]):
            path = unquote(r.get("path") or "")
            if path.startswith(prefix + "/") or path == prefix:
                out.append(r)
        return out

    def close(self) -> None:
        with self._lock:
            if self.server is not None:
                self.server.stop()
                self.server = None
            self._served.clear()


@dataclass
class HttpOutcome(Outcome):
    """An :class:`Outcome` with what the replay server saw of the program."""

    requests: int = 0  # requests the program made for its case's base URL
    base_url: str = ""


def declared_tools(case: Case) -> list[str]:
    """The names of the client tools the stream calls, in order of first call: what the
    request that produced it declared. A client library that checks a call against the
    tools declared (the Vercel AI SDK) is given these, so that it is graded on the stream,
    not on a request the kit never made. The engine gives them with the case (from the Plan it
    has computed); a case built without them is replayed once for them."""
    if case.tools is not None:
        return list(case.tools)
    from ..plan import tool_names  # noqa: PLC0415
    from ..replay import replay_reads  # noqa: PLC0415

    try:
        return tool_names(replay_reads(case.api, case.reads).plan)
    except Exception:  # noqa: BLE001 - a stream the reference rejects outright declares nothing
        return []


class HttpAdapter(ExecAdapter):
    kind = "http"

    def __init__(self, spec: str, command: str, options: dict[str, str], *, name: str | None, timeout: float,
                 validate_protocol: bool = False) -> None:
        caps = apply_options(spec, Capabilities(apis=APIS), options)
        if caps.feed != "bytes" or caps.incremental:
            raise UsageError(f"adapter {spec!r}: http: programs get their stream over HTTP and are graded on "
                             "their output (feed=events and incremental=yes are for py: adapters)")
        super().__init__(spec, command, options, name=name or f"http:{command}", timeout=timeout,
                         validate_protocol=validate_protocol)
        self._cases = CaseServer()
        self.worker = _flag(spec, "worker", options["worker"]) if "worker" in options else False
        self._idle: dict[tuple[str, ...], list[_Worker]] = {}  # started workers not serving a case, per command
        self._all: list[_Worker] = []
        self._lock = threading.Lock()
        self._next_id = 0
        self.says_status = True  # a rejection's message starts with the exit status
        self.started = 0  # worker processes started (one per case run at the same time, and restarts)
        self.restarts = 0  # workers ended by a crash or a hang (the next case starts a new one)

    # -- the replay server -----------------------------------------------------------------------

    def serve(self, case: Case) -> str:
        """Serve the case's trace (starting the server on first use); its base URL."""
        return self._cases.serve(case)

    @property
    def server(self) -> Any:
        """The running replay server, or None."""
        return self._cases.server

    def close(self) -> None:
        with self._lock:
            workers, self._all, self._idle = self._all, [], {}
        for w in workers:
            w.stop()
        self._cases.close()

    # -- warm workers (worker=yes) ---------------------------------------------------------------

    def _take(self, argv: tuple[str, ...]) -> _Worker:
        """An idle worker for the command, or a new one."""
        with self._lock:
            idle = self._idle.setdefault(argv, [])
            if idle:
                return idle.pop()
        worker = _Worker(argv, self.base_environment())
        with self._lock:
            self._all.append(worker)
            self.started += 1
        return worker

    def _give_back(self, worker: _Worker, alive: bool) -> None:
        with self._lock:
            if alive:
                self._idle.setdefault(worker.argv, []).append(worker)
                return
            if worker in self._all:
                self._all.remove(worker)
            self.restarts += 1
        worker.stop(kill=True)

    def _run_worker(self, case: Case) -> Outcome:
        url = self.serve(case)
        seen = len(self.server.requests)
        argv = tuple(self.command_for(case.api))
        start = time.perf_counter()
        try:
            worker = self._take(argv)
        except OSError as exc:
            return HttpOutcome(error=f"cannot start {argv[0]!r}: {exc.strerror or exc}",
                               protocol=[f"cannot start {argv[0]!r}"], base_url=url)
        with self._lock:
            self._next_id += 1
            ident = self._next_id
        limit = self.timeout if worker.cases else max(self.timeout, WORKER_START)
        request = {"type": "case", "id": ident, "api": case.api, "trace": case.trace_id, "chunking": case.chunking,
                   "base_url": url, "env": self.case_environment(case, url)}
        state, lines, end, stderr = worker.ask(request, limit)
        seconds = time.perf_counter() - start
        self._give_back(worker, state == "end")
        stdout = "\n".join(lines)
        if state == "timeout":
            out = self._finish(case, url, seen, stdout, stderr, 0, seconds=seconds,
                               timeout=f"no result after {limit:g} s (the worker was killed; the next case starts "
                                       "a new one)")
        elif state == "exited":
            last = stderr.strip().splitlines()[-1] if stderr.strip() else ""
            code = worker.proc.returncode
            why = (f"exit status {code}" if code is not None and code >= 0
                   else f"killed by signal {-code}" if code is not None else "closed its stdout")
            said = f"the worker exited during the case ({why})" + (f": {last}" if last else "")
            out = self._finish(case, url, seen, stdout, stderr, 0, seconds=seconds, protocol=[said])
        else:
            problems = end_problems(end, ident, validate=self.validate_protocol)
            status = end.get("status", 0) if isinstance(end.get("status", 0), int) else 0
            error = end.get("error") if isinstance(end.get("error"), str) else None
            out = self._finish(case, url, seen, stdout, stderr, status, seconds=seconds, error=error,
                               protocol=problems)
            origin = end.get("origin")
            if out.rejected and isinstance(origin, dict) and isinstance(origin.get("file"), str):
                out.origin = origin  # where the exception was raised, as a worker in Python can tell it
        out.stderr = stderr[-4000:]
        return out

    # -- a case ----------------------------------------------------------------------------------

    @staticmethod
    def base_environment() -> dict[str, str]:
        """The program's environment without the case: the user's, minus credentials, with
        dummy keys and loopback in ``NO_PROXY``."""
        env = {k: v for k, v in os.environ.items() if k not in _DROPPED}
        for name in ("NO_PROXY", "no_proxy"):
            env[name] = f"{env[name]},{_LOOPBACK}" if env.get(name) else _LOOPBACK
        env.update(OPENAI_API_KEY=DUMMY_KEY, ANTHROPIC_API_KEY=DUMMY_KEY, KIT_PROTOCOL=str(PROTOCOL))
        return env

    @staticmethod
    def case_environment(case: Case, url: str) -> dict[str, str]:
        """The variables that name the case (a one-shot program's environment, a worker's
        ``env`` object)."""
        return dict(KIT_BASE_URL=url, OPENAI_BASE_URL=url, ANTHROPIC_BASE_URL=url.removesuffix("/v1"),
                    KIT_API=case.api, KIT_TRACE=case.trace_id, KIT_CHUNKING=case.chunking,
                    KIT_TOOLS=json.dumps(declared_tools(case)))

    def environment(self, case: Case, url: str) -> dict[str, str]:
        env = self.base_environment()
        env.update(self.case_environment(case, url))
        return env

    def run(self, case: Case) -> Outcome:
        if self.worker:
            return self._run_worker(case)
        url = self.serve(case)
        server = self.server
        seen = len(server.requests)
        argv = self.command_for(case.api)
        start = time.perf_counter()
        try:
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    env=self.environment(case, url), start_new_session=True)
        except OSError as exc:
            return HttpOutcome(error=f"cannot start {argv[0]!r}: {exc.strerror or exc}",
                               protocol=[f"cannot start {argv[0]!r}"], base_url=url)
        timed_out = False
        try:
            raw_out, raw_err = proc.communicate(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            self._kill(proc)
            try:
                raw_out, raw_err = proc.communicate(timeout=5)
            except (subprocess.TimeoutExpired, ValueError, OSError):
                raw_out, raw_err = b"", b""
        seconds = time.perf_counter() - start
        stdout = (raw_out or b"").decode("utf-8", "replace")
        stderr = (raw_err or b"").decode("utf-8", "replace")
        status = proc.returncode
        timeout = f"no result after {self.timeout:g} s (the process was killed)" if timed_out else None
        return self._finish(case, url, seen, stdout, stderr, status, timeout=timeout, seconds=seconds)

    def _finish(self, case: Case, url: str, seen: int, stdout: str, stderr: str, status: int, *,
                timeout: str | None = None, seconds: float = 0.0, error: str | None = None,
                protocol: list[str] | None = None) -> Outcome:
        """The outcome of a case from what the program printed, its status and what the
        replay server saw (``error``: the rejection message a worker gave)."""
        mine = self._cases.requests_for(url, seen)
        served = [r for r in mine if r.get("status") == 200]
        parsed = None
        if timeout is None and not protocol and status == 0:
            parsed = parse_output(stdout, case.api, validate=self.validate_protocol)
        if timeout is not None:
            never = "" if mine else f" (it never requested {url})"
            out: Outcome = HttpOutcome(timeout=True, error=f"{timeout}{never}")
        elif parsed is not None and parsed.skip is not None and not mine:
            # the program said it cannot express this case (another API) before any request
            out = HttpOutcome(skip=parsed.skip)
        elif protocol:
            out = HttpOutcome(protocol=list(protocol), error=protocol[0])
        elif not mine:
            out = HttpOutcome(protocol=[f"the client never requested {url} (exit status {status})"],
                              error=f"the client never requested {url}")
        elif not served:
            first = mine[0]
            why = first.get("error") or f"HTTP {first.get('status')}"
            out = HttpOutcome(protocol=[f"the client requested {first.get('method')} {first.get('path')}, which kit "
                                        f"serve answered with {first.get('status')}: {why}"],
                              error=f"no stream was served: {why}")
        elif status != 0:
            last = error or (stderr.strip().splitlines()[-1] if stderr.strip() else "")
            why = f"exit status {status}" if status > 0 else f"killed by signal {-status}"
            if self.worker:
                why = f"status {status}"
            if error is not None and not self.says_status:
                why = ""  # the exception is the whole answer, as for an in-process client: adapter
            out = HttpOutcome(rejected=True, error=f"{why}: {last}" if why and last else why or last)
        else:
            assert parsed is not None
            out = HttpOutcome(**{f: getattr(parsed, f) for f in Outcome.__dataclass_fields__})
        assert isinstance(out, HttpOutcome)
        out.requests = len(mine)
        out.base_url = url
        out.stderr = stderr[-4000:]
        out.seconds = seconds
        out.inputs = len(case.reads)
        return out

    def describe(self) -> dict[str, Any]:
        doc = super().describe()
        doc["transport"] = "http"
        if self.worker:
            doc["worker"] = WORKER_PROTOCOL
        return doc


WORKER_PROTOCOL = "kit-worker/1"
WORKER_START = 60.0  # seconds a new worker's first case gets at least (its imports)
_validator: Any = None


def end_problems(end: dict[str, Any], ident: int, *, validate: bool = False) -> list[str]:
    """What is wrong with a worker's end line for the case ``ident`` (checked against
    ``schemas/worker.schema.json`` when ``validate``)."""
    global _validator
    problems = []
    if end.get("id") != ident:
        problems.append(f"the worker's end line answers case {end.get('id')!r}, not case {ident}")
    status = end.get("status", 0)
    if not isinstance(status, int) or isinstance(status, bool):
        problems.append(f"the worker's end line has status {status!r}; expected an integer")
    if validate:
        if _validator is None:
            import jsonschema  # noqa: PLC0415

            from .._resources import schema  # noqa: PLC0415

            doc = schema("worker")
            _validator = jsonschema.Draft202012Validator({**doc, "$ref": "#/$defs/end"})
        for e in sorted(_validator.iter_errors(end), key=lambda e: list(e.absolute_path))[:3]:
            where = "/" + "/".join(str(p) for p in e.absolute_path)
            problems.append(f"the worker's end line: {where + ': ' if e.absolute_path else ''}{e.message}")
    return problems


class _Worker:
    """One long-lived ``http[worker=yes]:`` program: a case line in, output lines and an end
    line out (protocol ``kit-worker/1``)."""

    def __init__(self, argv: tuple[str, ...], env: dict[str, str]) -> None:
        self.argv = argv
        self.cases = 0
        env = dict(env, KIT_WORKER="1")
        self.proc = subprocess.Popen(list(argv), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=env, start_new_session=True)
        self.lines: queue.Queue = queue.Queue()
        self._err: list[bytes] = []
        self._err_lock = threading.Lock()
        self._threads = [threading.Thread(target=self._pump_out, daemon=True),
                         threading.Thread(target=self._pump_err, daemon=True)]
        for t in self._threads:
            t.start()

    def _pump_out(self) -> None:
        for line in self.proc.stdout:  # type: ignore[union-attr]
            self.lines.put(line)
        self.lines.put(None)

    def _pump_err(self) -> None:
        for line in self.proc.stderr:  # type: ignore[union-attr]
            with self._err_lock:
                self._err.append(line)
                if len(self._err) > 400:
                    del self._err[:200]

    def _stderr(self) -> str:
        with self._err_lock:
            text, self._err = b"".join(self._err), []
        return text.decode("utf-8", "replace")

    def ask(self, request: dict[str, Any], limit: float) -> tuple[str, list[str], dict[str, Any], str]:
        """Send one case; ``(state, output lines, end line, stderr)`` with state ``end``,
        ``timeout`` or ``exited``."""
        self._stderr()  # what it printed before this case is not this case's
        self.cases += 1
        deadline = time.monotonic() + limit
        lines: list[str] = []
        try:
            self.proc.stdin.write((json.dumps(request, separators=(",", ":")) + "\n").encode())  # type: ignore[union-attr]
            self.proc.stdin.flush()  # type: ignore[union-attr]
        except (BrokenPipeError, OSError, ValueError):
            return self._exited(lines)
        while True:
            try:
                raw = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                self.stop(kill=True)
                return "timeout", lines, {}, self._stderr()
            if raw is None:
                return self._exited(lines)
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            if line.startswith("{") and '"end"' in line:
                try:
                    doc = json.loads(line)
                except ValueError:
                    doc = None
                if isinstance(doc, dict) and doc.get("type") == "end":
                    return "end", lines, doc, self._stderr()
            lines.append(line)

    def _exited(self, lines: list[str]) -> tuple[str, list[str], dict[str, Any], str]:
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.stop(kill=True)
        self._threads[1].join(2)
        return "exited", lines, {}, self._stderr()

    def stop(self, kill: bool = False) -> None:
        """End the worker: close its stdin and let it exit, or kill its process group."""
        if self.proc.poll() is None and not kill:
            try:
                self.proc.stdin.close()  # type: ignore[union-attr]
                self.proc.wait(timeout=5)
            except (OSError, ValueError, subprocess.TimeoutExpired):
                kill = True
        if self.proc.poll() is None or kill:
            ExecAdapter._kill(self.proc)
        for t in self._threads:
            if t is not threading.current_thread():
                t.join(2)
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            try:
                stream.close()  # type: ignore[union-attr]
            except (OSError, ValueError):
                pass
