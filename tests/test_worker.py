"""``http[worker=yes]:`` — one long-lived program serving many cases (protocol ``kit-worker/1``).

The worker here is plain Python (no SDK, a fast start): per case it POSTs to the base URL of
the case line, feeds the reads to the kit's reference and prints the Plan and an end line,
unless the case's trace is named on its command line with something else to do. Loopback only.
"""

from __future__ import annotations

import json
import textwrap
import warnings

import jsonschema
import pytest
from click.testing import CliRunner

from kit._resources import schema
from kit.adapters import BUILTIN, load_adapter
from kit.adapters.http import HttpAdapter
from kit.cli import main
from kit.errors import UsageError
from kit.trace import find
from kit.verify import Run
from kit.verify.engine import prepare, run_case

WORKER = textwrap.dedent("""\
    import json, os, sys, time, urllib.request
    from kit.adapters.builtin import reference_plan
    todo = dict(a.split("=", 1) for a in sys.argv[1:])  # trace id -> what to do with it
    warm = os.environ.get("KIT_WORKER") == "1"  # else one case, from the environment (a one-shot http: run)
    env = os.environ
    one = {"id": 0, "api": env.get("KIT_API"), "trace": env.get("KIT_TRACE"), "base_url": env.get("KIT_BASE_URL"),
           "env": {"ANTHROPIC_BASE_URL": env.get("ANTHROPIC_BASE_URL")}}
    for line in sys.stdin if warm else [json.dumps(one)]:
        case = json.loads(line)
        print("pid", os.getpid(), "case", line.strip(), file=sys.stderr, flush=True)
        what = todo.get(case["trace"], "plan")
        if what == "hang":
            time.sleep(60)
        api = case["api"]
        url = case["base_url"] + ("/chat/completions" if api.endswith("completions") else "/responses")
        if api == "anthropic.messages":
            url = case["env"]["ANTHROPIC_BASE_URL"] + "/v1/messages"
        request = urllib.request.Request(url, data=b'{"stream": true}', headers={"content-type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            reads = list(iter(lambda: response.read1(65536), b""))
        if what == "crash":
            print("worker fell over", file=sys.stderr)
            sys.exit(3)
        end = {"type": "end", "id": case["id"]}
        if what == "reject":
            end.update(status=2, error="the stream is broken")
        elif what == "wrong-id":
            end["id"] = case["id"] + 1000
        elif what == "extra":
            end["note"] = "not in the schema"
        if what != "reject":
            print(json.dumps(reference_plan(reads, api)))
        if not warm:
            sys.exit(end.get("status", 0))
        print(json.dumps(end), flush=True)
""")

CHAT = [find(f"openai.chat.completions/{i}") for i in ("y_text_only", "y_parallel_interleaved",
                                                      "y_choice_index_missing", "n_in_band_error_midstream")]


@pytest.fixture
def worker(tmp_path):
    prog = tmp_path / "worker.py"
    prog.write_text(WORKER, encoding="utf-8")

    def spec(*todo: str, options: str = "worker=yes") -> str:
        return f"http[{options}]:{{python}} {prog} {' '.join(todo)}".strip()

    return spec


def _pids(outcome) -> set[str]:
    return {line.split()[1] for line in outcome.stderr.splitlines() if line.startswith("pid ")}


def _records(adapter, traces, plans=("recorded",), jobs=1) -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        recs = Run([adapter], traces, list(plans), jobs=jobs).records()
    return {(r["trace"], r["chunking"]): r for r in recs if r["type"] == "verdict"}


def test_one_worker_serves_several_cases_with_the_verdicts_of_one_shot_runs(worker):
    a = load_adapter(worker(), timeout=10)
    assert isinstance(a, HttpAdapter) and a.worker and a.describe()["worker"] == "kit-worker/1"
    try:
        pids = set()
        for trace in CHAT:
            case, _ = prepare(trace, "bytewise")
            out = a.run(case)
            assert out.error is None and out.plan is not None and out.requests == 1, out
            pids |= _pids(out)
        assert len(pids) == 1 and a.restarts == 0 and a.started == 1  # one process served all four
    finally:
        a.close()
    assert a._all == [] and a.server is None
    one_shot = load_adapter(worker(options=""))
    worked = load_adapter(worker())
    try:
        want = _records(one_shot, CHAT, ("recorded", "bytewise"))
        got = _records(worked, CHAT, ("recorded", "bytewise"), jobs=2)  # two threads: a worker each
        assert {r["verdict"] for r in want.values()} >= {"PASS"} and got.keys() == want.keys()
        for key, w in want.items():
            assert (got[key]["verdict"], got[key]["rule"]) == (w["verdict"], w["rule"]), key
        assert 1 <= worked.started <= 2 and worked.restarts == 0
    finally:
        one_shot.close()
        worked.close()


def test_a_crash_mid_run_is_an_error_and_the_next_case_is_graded(worker):
    a = load_adapter(worker("y_parallel_interleaved=crash"))
    try:
        recs = [run_case(a, t, "recorded")[0] for t in CHAT]
        first, crashed, after, last = recs
        assert first["verdict"] == "PASS" and after["verdict"] == "PASS" and last["verdict"] == "PASS"
        assert crashed["verdict"] == "ERROR" and crashed["rule"] == "plan-protocol"
        assert "the worker exited during the case (exit status 3): worker fell over" in crashed["message"]
        assert a.restarts == 1 and a.started == 2
    finally:
        a.close()


def test_a_hang_is_a_timeout_then_a_new_worker_grades_the_next_case(worker):
    a = load_adapter(worker("y_parallel_interleaved=hang"), timeout=1.5)
    try:
        case0, _ = prepare(CHAT[0], "recorded")
        before = a.run(case0)
        assert before.error is None and before.plan is not None
        rec, _ = run_case(a, CHAT[1], "recorded")
        assert rec["verdict"] == "TIMEOUT" and "no result after 1.5 s (the worker was killed" in rec["message"]
        assert rec["seconds"] < 10
        after = a.run(case0)
        assert after.error is None and after.plan == before.plan
        assert _pids(after) and _pids(after) != _pids(before) and a.restarts == 1
    finally:
        a.close()


def test_a_rejection_is_the_clients_answer(worker):
    a = load_adapter(worker("n_in_band_error_midstream=reject", "y_text_only=reject"))
    try:
        bad, _ = run_case(a, CHAT[3], "recorded")
        assert bad["verdict"] == "PASS" and "status 2: the stream is broken" in bad["message"]
        good, _ = run_case(a, CHAT[0], "recorded")
        assert good["verdict"] == "ERROR" and "crashed on a valid stream: status 2: the stream is broken" \
            in good["message"]
        assert a.restarts == 0  # a rejection is an answer, not a crash
    finally:
        a.close()


def test_the_protocol_is_validated(worker):
    case_schema = jsonschema.Draft202012Validator({**schema("worker"), "$ref": "#/$defs/case"})
    a = load_adapter(worker("y_text_only=wrong-id", "y_parallel_interleaved=extra"), validate_protocol=True)
    try:
        out = a.run(prepare(CHAT[2], "bytewise")[0])
        sent = [json.loads(line.split(" case ", 1)[1]) for line in out.stderr.splitlines() if " case " in line]
        assert len(sent) == 1
        case_schema.validate(sent[0])  # what the kit writes is a case line of the schema
        assert sent[0]["env"]["OPENAI_BASE_URL"] == sent[0]["base_url"] == out.base_url
        wrong, _ = run_case(a, CHAT[0], "recorded")
        assert wrong["verdict"] == "ERROR" and "answers case" in wrong["message"]
        extra, _ = run_case(a, CHAT[1], "recorded")
        assert extra["verdict"] == "ERROR" and "'note' was unexpected" in extra["message"]
    finally:
        a.close()
    lenient = load_adapter(worker("y_parallel_interleaved=extra"))  # without --validate-protocol: read leniently
    try:
        assert run_case(lenient, CHAT[1], "recorded")[0]["verdict"] == "PASS"
    finally:
        lenient.close()
    with pytest.raises(jsonschema.ValidationError):
        case_schema.validate({"type": "case", "id": 1, "api": "openai.responses"})


def test_worker_option_errors():
    with pytest.raises(UsageError, match="worker= is an http: and client: option"):
        load_adapter("exec[worker=yes]:python -c pass")
    with pytest.raises(UsageError, match="worker='maybe'; expected yes or no"):
        load_adapter("http[worker=maybe]:python -c pass")
    with pytest.raises(UsageError, match="worker='maybe'; expected yes or no"):
        load_adapter("client[worker=maybe]:kit.adapters.thirdparty.anthropic_sdk:messages_stream")
    r = CliRunner().invoke(main, ["verify", "-a", "py[worker=yes]:kit.adapters.builtin:reference", "--trace",
                                  "y_text_only"])
    assert r.exit_code == 2 and "worker= is an http: and client: option" in r.output and "Traceback" not in r.output


def test_bundled_worker_variants_agree_with_the_in_process_client():
    pytest.importorskip("openai")
    for name in ("openai-chat-http-worker", "openai-chat-http-async-worker", "openai-responses-http-worker",
                 "openai-responses-http-async-worker"):
        assert "worker=yes" in BUILTIN[name] and BUILTIN[name].endswith(" --worker")
    traces = CHAT[1:]
    want = _records(load_adapter("openai-chat-client"), traces)
    a = load_adapter("openai-chat-http-worker")
    try:
        got = _records(a, traces)
        assert got.keys() == want.keys()
        for key, w in want.items():
            assert (got[key]["verdict"], got[key]["rule"]) == (w["verdict"], w["rule"]), (key, got[key]["message"])
        assert a.restarts == 0 and a.started == 1
    finally:
        a.close()
