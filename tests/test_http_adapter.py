"""The ``http:`` adapter: a client program run per case against the kit's own replay server.

Loopback only: every server here is the adapter's ``ReplayServer`` on 127.0.0.1, started
and stopped by the test. The bundled adapters run the unmodified openai SDK client in a
child process (about a second each for its import), so few traces are used.
"""

from __future__ import annotations

import json
import sys
import textwrap
import time
import warnings

import pytest
from click.testing import CliRunner

from kit.adapters import BUILTIN, load_adapter
from kit.adapters.http import DUMMY_KEY, HttpAdapter
from kit.cli import main
from kit.trace import find
from kit.verify import Run
from kit.verify.engine import prepare, run_case

pytest.importorskip("openai")

CHAT = ("y_parallel_interleaved", "y_choice_index_missing", "n_in_band_error_midstream")
RESPONSES = ("y_text_then_function_call", "y_item_done_missing", "n_error_event_nested_mid_arguments")
PLANS = ["recorded", "bytewise"]

# A client in plain Python (no SDK): POST to the base URL it was given, feed the response's
# reads to the kit's reference, print the Plan. What it does per case is set by MODE.
CLIENT = textwrap.dedent("""\
    import json, os, sys, time, urllib.request
    mode = {mode!r}
    env = {{k: v for k, v in os.environ.items() if k.startswith(("KIT_", "OPENAI_", "ANTHROPIC_"))}}
    if mode == "hang":
        time.sleep(60)
    if mode == "silent":
        print(json.dumps({{"type": "plan", "api": env["KIT_API"], "choices": [], "usage": None, "error": None}}))
        sys.exit(0)
    api = env["KIT_API"]
    if api == "anthropic.messages":
        url = env["ANTHROPIC_BASE_URL"] + "/v1/messages"
    else:
        url = env["OPENAI_BASE_URL"] + ("/chat/completions" if api.endswith("completions") else "/responses")
    body = json.dumps({{"model": "m", "stream": True}}).encode()
    request = urllib.request.Request(url, data=body, headers={{"content-type": "application/json",
                                     "authorization": "Bearer " + env["OPENAI_API_KEY"]}})
    with urllib.request.urlopen(request, timeout=10) as response:
        reads = list(iter(lambda: response.read1(65536), b""))
    if mode == "env":
        print(json.dumps(env), file=sys.stderr)
    if mode == "reject":
        print("the stream is broken", file=sys.stderr)
        sys.exit(3)
    if mode == "bad-event":
        print(json.dumps({{"type": "text.delta", "choice": "zero", "text": "hi"}}))
        sys.exit(0)
    from kit.adapters.builtin import reference_plan
    print(json.dumps(reference_plan(reads, api)))
""")


def client(tmp_path, mode: str = "plan", options: str = "") -> str:
    prog = tmp_path / f"client_{mode.replace('-', '_')}.py"
    prog.write_text(CLIENT.format(mode=mode), encoding="utf-8")
    return f"http{options}:{{python}} {prog}"


@pytest.fixture(scope="module")
def quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _verdicts(name: str, traces: list, plans: list[str], **kw) -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        recs = [r for r in Run([load_adapter(name, **kw)], traces, plans, jobs=2).records() if r["type"] == "verdict"]
    return {(r["trace"], r["chunking"]): r for r in recs}


@pytest.mark.parametrize("api, ids, in_process, over_http", [
    ("chat", CHAT, "openai-chat-client", ("openai-chat-http", "openai-chat-http-async")),
    ("responses", RESPONSES, "openai-responses-client", ("openai-responses-http", "openai-responses-http-async")),
])
def test_bundled_sdk_clients_over_http_agree_with_the_in_process_client(api, ids, in_process, over_http):
    traces = [find(f"{'openai.chat.completions' if api == 'chat' else 'openai.responses'}/{i}") for i in ids]
    want = _verdicts(in_process, traces, PLANS)
    assert {r["verdict"] for r in want.values()} >= {"ERROR", "PASS"}  # the traces cover several verdicts
    for name, plans in zip(over_http, (PLANS, PLANS[:1])):  # the async client: one plan (a second each)
        got = _verdicts(name, traces, plans)
        assert got.keys() == {k for k in want if k[1] in plans}
        for key, g in got.items():
            w = want[key]
            assert (g["verdict"], g["rule"]) == (w["verdict"], w["rule"]), (name, key, g["message"], w["message"])
            assert g["adapter"] == name


def test_builtin_specs_are_http_adapters():
    for name in ("openai-chat-http", "openai-chat-http-async", "openai-responses-http", "openai-responses-http-async"):
        assert BUILTIN[name].startswith(f"http[apis=") and "{python} -m kit.adapters.http_clients." in BUILTIN[name]
        a = load_adapter(name)
        assert isinstance(a, HttpAdapter) and a.kind == "http" and a.name == name
        assert a.describe()["transport"] == "http"
        assert a.command_for(a.capabilities.apis[0])[0] == sys.executable
    with pytest.raises(Exception, match="feed=events"):
        load_adapter("http[feed=events]:prog")


def test_environment_requests_and_the_server_lifecycle(tmp_path, monkeypatch, quiet):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-the-users-real-key")
    monkeypatch.setenv("OPENAI_ORG_ID", "org-real")
    a = load_adapter(client(tmp_path, "env"))
    assert a.server is None  # started on first use
    trace = find("openai.chat.completions/y_text_only")
    case, _ = prepare(trace, "bytewise")
    out = a.run(case)
    assert out.error is None and out.plan is not None and out.requests == 1
    env = json.loads(out.stderr.strip().splitlines()[-1])
    server = a.server
    url = server.url_for(trace, "bytewise")
    assert env["KIT_BASE_URL"] == env["OPENAI_BASE_URL"] == out.base_url == url
    assert env["ANTHROPIC_BASE_URL"] + "/v1" == url
    assert env["OPENAI_API_KEY"] == env["ANTHROPIC_API_KEY"] == DUMMY_KEY and "OPENAI_ORG_ID" not in env
    assert (env["KIT_API"], env["KIT_TRACE"], env["KIT_CHUNKING"], env["KIT_PROTOCOL"]) == \
        (trace.api, trace.id, "bytewise", "1")
    logged = server.requests[-1]
    headers = {k.lower(): v for k, v in logged["headers"].items()}
    assert logged["chunking"] == "bytewise" and headers["authorization"] == f"Bearer {DUMMY_KEY}"
    assert "sk-the-users-real-key" not in json.dumps(server.requests)
    # the anthropic base URL lands on …/v1/messages; a second API on the same running server
    rec, _ = run_case(a, find("anthropic.messages/y_text_only"), "recorded")
    assert rec["verdict"] == "PASS", rec["message"]
    a.close()
    assert a.server is None
    rec, _ = run_case(a, trace, "recorded")  # a closed adapter starts a new server when used again
    assert rec["verdict"] == "PASS" and a.server is not None and a.server is not server
    a.close()


def test_anthropic_sdk_lands_on_the_messages_route(tmp_path, quiet):
    pytest.importorskip("anthropic")
    prog = tmp_path / "anthropic_client.py"
    prog.write_text(textwrap.dedent("""\
        import anthropic
        with anthropic.Anthropic().messages.stream(model="m", max_tokens=10,
                                                   messages=[{"role": "user", "content": "hi"}]) as s:
            for e in s:
                pass
            m = s.get_final_message()
        print('{"type": "text.delta", "choice": 0, "text": %s}' % __import__("json").dumps(m.content[0].text))
        print('{"type": "message.done", "choice": 0, "finish_reason": "stop"}')
    """), encoding="utf-8")
    a = load_adapter(f"http[apis=anthropic]:{{python}} {prog}")
    try:
        case, _ = prepare(find("anthropic.messages/y_text_only"), "recorded")
        out = a.run(case)
        assert out.requests == 1 and out.error is None, out.stderr
        assert a.server.requests[-1]["path"].endswith("/v1/messages") and a.server.requests[-1]["status"] == 200
    finally:
        a.close()


def test_a_client_that_never_calls_the_server_is_an_error(tmp_path, quiet):
    a = load_adapter(client(tmp_path, "silent"))
    try:
        trace = find("openai.chat.completions/n_in_band_error_midstream")
        rec, _ = run_case(a, trace, "recorded")
        assert rec["verdict"] == "ERROR" and rec["rule"] == "plan-protocol"
        assert f"the client never requested {a.server.url_for(trace, 'recorded')}" in rec["message"]
    finally:
        a.close()


def test_a_hanging_client_times_out_and_the_server_keeps_serving(tmp_path, quiet):
    hang = load_adapter(client(tmp_path, "hang", "[timeout=1]"))
    trace = find("openai.chat.completions/y_text_only")
    start = time.monotonic()
    rec, _ = run_case(hang, trace, "recorded")
    assert rec["verdict"] == "TIMEOUT" and time.monotonic() - start < 10
    # the same adapter (and server) serves the next case
    hang.argv = load_adapter(client(tmp_path, "plan")).argv
    server = hang.server
    rec, _ = run_case(hang, find("openai.chat.completions/y_parallel_calls"), "bytewise")
    assert rec["verdict"] == "PASS", rec["message"]
    assert hang.server is server
    hang.close()


def test_a_non_zero_exit_on_a_broken_stream_passes(tmp_path, quiet):
    a = load_adapter(client(tmp_path, "reject"))
    try:
        rec, _ = run_case(a, find("openai.chat.completions/n_in_band_error_midstream"), "recorded")
        assert rec["verdict"] == "PASS" and rec["check"] == "fault-reported"
        assert "exit status 3: the stream is broken" in rec["message"]
        rec, _ = run_case(a, find("openai.chat.completions/y_text_only"), "recorded")
        assert rec["verdict"] == "ERROR" and rec["check"] == "crash"
    finally:
        a.close()


def test_validate_protocol(tmp_path, quiet):
    bad = load_adapter(client(tmp_path, "bad-event"), validate_protocol=True)
    try:
        rec, _ = run_case(bad, find("openai.chat.completions/y_text_only"), "recorded")
        assert rec["verdict"] == "ERROR" and rec["rule"] == "plan-protocol" and "stdout line 1" in rec["message"]
    finally:
        bad.close()
    sdk = load_adapter("openai-chat-http", validate_protocol=True)  # what the bundled client prints is valid
    try:
        rec, _ = run_case(sdk, find("openai.chat.completions/y_parallel_calls"), "recorded")
        assert rec["verdict"] == "PASS", rec["message"]
    finally:
        sdk.close()


def test_kit_verify_cli_with_a_bundled_http_adapter(tmp_path):
    r = CliRunner().invoke(main, ["verify", "-a", "openai-chat-http", "--api", "chat", "--trace", "y_text_only",
                                  "--chunking", "recorded,bytewise", "--no-repro", "-j", "2"],
                           catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert "openai-chat-http" in r.output and "PASS" in r.output
    line = next(x for x in r.output.splitlines() if x.startswith("openai-chat-http") and "openai.chat" in x)
    assert line.split()[2] == "2"  # two chunk plans, two PASS


def test_kit_tools_names_the_calls_of_the_stream_from_the_engines_plan_or_a_replay():
    import json as _json

    from kit.adapters import Case
    from kit.trace import find
    from kit.verify.engine import prepare

    case, _ = prepare(find("y_parallel_interleaved", api="openai.chat.completions"), "bytewise")
    given = _json.loads(HttpAdapter.case_environment(case, "http://127.0.0.1:1/v1")["KIT_TOOLS"])
    bare = Case(case.trace_id, case.api, case.chunking, case.reads)  # a case built without the names
    assert given and given == list(case.tools)
    assert _json.loads(HttpAdapter.case_environment(bare, "http://127.0.0.1:1/v1")["KIT_TOOLS"]) == given
