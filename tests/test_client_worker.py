"""``client[worker=yes]:`` — a client: function in a warm worker process of its own.

The function here fetches its case from the replay server and returns the reference's Plan,
unless the case's trace says otherwise: raise, hang, or take its process down. In-process,
a hang leaves a thread running and ``os._exit`` would end the kit; in a worker each is that
case's TIMEOUT or ERROR, and the next case gets a new worker.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

MODULE = textwrap.dedent("""\
    import os, time, urllib.request
    from kit.adapters import implementation
    from kit.adapters.builtin import reference_plan

    @implementation(apis=("chat",), multi_choice=False)
    def run(base_url, *, api):
        request = urllib.request.Request(base_url + "/chat/completions", data=b'{"stream": true}',
                                         headers={"content-type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            reads = list(iter(lambda: response.read1(65536), b""))
        trace = base_url.split("/t/", 1)[1].split("/")[1].split("@")[0]  # /t/<api>/<trace>@<plan>/v1
        if trace == "y_parallel_calls":
            raise ValueError("the library gave up")
        if trace == "y_refusal":
            time.sleep(60)
        if trace == "y_text_then_tool_call":
            os._exit(7)
        return reference_plan(reads, api)
    """)
TRACES = ["y_text_only", "y_parallel_calls", "y_refusal", "y_text_then_tool_call", "y_parallel_interleaved"]


def _verdicts(tmp_path, spec: str, module: str = MODULE) -> tuple[dict[str, dict], dict]:
    (tmp_path / "clientmod.py").write_text(module, encoding="utf-8")
    cmd = [sys.executable, "-m", "kit", "verify", "-a", spec, "--api", "chat", "--chunking", "recorded",
           "--no-repro", "-q", "--json", "-", "--timeout", "3", "-j", "1"]
    for t in TRACES:
        cmd += ["--trace", t]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=tmp_path, env=env)
    records = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    run = next(r for r in records if r.get("type") == "run")
    return {r["trace"]: r for r in records if r.get("type") == "verdict"}, run


def test_a_client_worker_isolates_crashes_and_hangs(tmp_path):
    got, run = _verdicts(tmp_path, "client[worker=yes,name=c]:clientmod:run")
    assert run["adapters"][0]["worker"] == "kit-worker/1" and run["adapters"][0]["multi_choice"] is False
    assert got["y_text_only"]["verdict"] == "PASS" and got["y_parallel_interleaved"]["verdict"] == "PASS"
    raised = got["y_parallel_calls"]
    assert raised["verdict"] == "ERROR" and raised["message"].startswith("crashed on a valid stream: ValueError: the "
                                                                          "library gave up (at clientmod.py:")
    assert raised["origin"]["file"].endswith("clientmod.py") and raised["origin"]["exception"] == "ValueError"
    assert got["y_refusal"]["verdict"] == "TIMEOUT" and "the worker was killed" in got["y_refusal"]["message"]
    assert got["y_text_then_tool_call"]["verdict"] == "ERROR"
    assert "the worker exited during the case (exit status 7)" in got["y_text_then_tool_call"]["message"]


def test_in_process_and_worker_give_the_same_verdicts_where_both_can_answer(tmp_path):
    module = MODULE.replace("time.sleep(60)", "pass").replace("os._exit(7)", "pass")
    seen = []
    for spec in ("client[name=c]:clientmod:run", "client[worker=yes,name=c]:clientmod:run"):
        got, _ = _verdicts(tmp_path, spec, module)
        seen.append({t: (r["verdict"], r.get("message"), json.dumps(r.get("origin"))) for t, r in got.items()})
    assert seen[0] == seen[1] and len(seen[0]) == len(TRACES)
    assert seen[0]["y_parallel_calls"][0] == "ERROR" and seen[0]["y_text_only"][0] == "PASS"


def test_worker_is_not_an_option_of_py_or_exec():
    from kit.adapters import load_adapter
    from kit.errors import UsageError

    with pytest.raises(UsageError, match="worker= is an http: and client: option"):
        load_adapter("py[worker=yes]:kit.adapters.builtin:reference_plan")
