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
- ``KIT_API``, ``KIT_TRACE``, ``KIT_CHUNKING`` and ``KIT_PROTOCOL=1``.

Its stdin is empty. Its stdout is read exactly as ``exec:`` reads it (protocol
``kit-exec/1``: one Plan, or JSON lines of output events, ``skip`` lines; a non-zero exit
means the program reported the stream as broken), with the same timeout (the process group
is killed) and ``--validate-protocol``. The outcome also says how many requests the program
made for its base URL; a program that never requested it, or got no stream from it (a
wrong path), is an ERROR whatever it printed or exited with.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from ..errors import UsageError
from ..trace import Trace
from . import APIS, Capabilities, Case, Outcome, apply_options
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

    # -- the replay server -----------------------------------------------------------------------

    def serve(self, case: Case) -> str:
        """Serve the case's trace (starting the server on first use); its base URL."""
        return self._cases.serve(case)

    @property
    def server(self) -> Any:
        """The running replay server, or None."""
        return self._cases.server

    def close(self) -> None:
        self._cases.close()

    # -- a case ----------------------------------------------------------------------------------

    def environment(self, case: Case, url: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in _DROPPED}
        for name in ("NO_PROXY", "no_proxy"):
            env[name] = f"{env[name]},{_LOOPBACK}" if env.get(name) else _LOOPBACK
        env.update(KIT_BASE_URL=url, OPENAI_BASE_URL=url, ANTHROPIC_BASE_URL=url.removesuffix("/v1"),
                   OPENAI_API_KEY=DUMMY_KEY, ANTHROPIC_API_KEY=DUMMY_KEY, KIT_API=case.api,
                   KIT_PROTOCOL=str(PROTOCOL), KIT_TRACE=case.trace_id, KIT_CHUNKING=case.chunking)
        return env

    def run(self, case: Case) -> Outcome:
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
        mine = self._cases.requests_for(url, seen)
        served = [r for r in mine if r.get("status") == 200]
        status = proc.returncode
        if timed_out:
            never = "" if mine else f" (it never requested {url})"
            out: Outcome = HttpOutcome(timeout=True, error=f"no result after {self.timeout:g} s (the process was "
                                       f"killed){never}")
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
            last = stderr.strip().splitlines()[-1] if stderr.strip() else ""
            why = f"exit status {status}" if status > 0 else f"killed by signal {-status}"
            out = HttpOutcome(rejected=True, error=f"{why}: {last}" if last else why)
        else:
            parsed = parse_output(stdout, case.api, validate=self.validate_protocol)
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
        return doc
