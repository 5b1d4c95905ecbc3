"""`kit serve`: exact bytes per read, chunk plans, faults, routing, the request log, real clients.

Loopback only: every server here is started on 127.0.0.1 by the test and stopped by it.
"""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from kit.errors import UsageError
from kit.serve import ENDPOINTS, ReplayServer, parse_fault
from kit.trace import corpus, from_body

from .conftest import REAL_TRACES

pytest_plugins = ["pytester"]

TRACES = corpus()


@pytest.fixture(scope="module")
def server():
    srv = ReplayServer(TRACES).start()
    yield srv
    srv.stop()


def post(url: str, *, headers: dict | None = None, body: bytes = b"{}") -> http.client.HTTPResponse:
    u = urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    conn.request("POST", u.path + (f"?{u.query}" if u.query else ""), body=body,
                 headers={"content-type": "application/json", **(headers or {})})
    return conn.getresponse()


def endpoint(srv: ReplayServer, trace, query: str = "") -> str:
    return f"{srv.url_for(trace)}/{ENDPOINTS[trace.api]}{query}"


def chunks_of(resp: http.client.HTTPResponse) -> list[bytes]:
    """The body's HTTP chunks as they were framed on the wire (one per read)."""
    out = []
    fp = resp.fp
    while True:
        size = int(fp.readline().split(b";")[0], 16)
        if size == 0:
            fp.readline()
            return out
        out.append(fp.read(size))
        fp.readline()


@pytest.mark.parametrize("chunking", ["recorded", "event", "bytewise", "random:7"])
def test_every_corpus_trace_is_served_byte_for_byte_one_chunk_per_read(server, chunking):
    for trace in TRACES:
        resp = post(endpoint(server, trace, f"?chunking={chunking}"))
        assert resp.status == 200 and resp.getheader("content-type").startswith("text/event-stream")
        assert resp.getheader("transfer-encoding") == "chunked"
        resp.chunked = False  # read the framing ourselves
        assert chunks_of(resp) == trace.chunks(chunking), (trace.name, chunking)


@pytest.mark.skipif(not REAL_TRACES.is_dir(), reason="../shared/real-traces is absent")
def test_every_real_trace_body_is_served_exactly():
    bodies = sorted(Path(REAL_TRACES).rglob("*.sse"))
    traces = [from_body(p.read_bytes(), api=None, id=f"i_{p.stem}", path=p.name) for p in bodies]
    assert len(traces) >= 38
    with ReplayServer(traces) as srv:
        for t in traces:
            for chunking in ("event", "bytewise"):
                assert post(endpoint(srv, t, f"?chunking={chunking}")).read() == t.body


def test_the_openai_client_gets_what_the_reference_sees(server):
    """The unmodified SDK, pointed at a trace's base URL, ends with the chunks the reference reads."""
    import openai

    from kit.replay import replay

    for tid in ("y_parallel_interleaved", "y_text_then_tool_call", "y_usage_only_final_chunk"):
        trace = next(t for t in TRACES if t.id == tid and t.api == "openai.chat.completions")
        for chunking in ("recorded", "bytewise"):
            client = openai.OpenAI(api_key="sk-test", base_url=server.url_for(trace), max_retries=0,
                                   default_headers={"kit-chunking": chunking})
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                stream = client.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}],
                                                        stream=True)
                got = [c.model_dump(exclude_unset=True) for c in stream]
            ref = replay(trace, chunking=chunking)
            sent = [json.loads(s.sse.data) for s in replay(trace, chunking=chunking, timeline=True).timeline
                    if s.sse is not None and s.sse.data.strip() != "[DONE]"]
            assert len(got) == len(sent) and [c["choices"] for c in got] == [c["choices"] for c in sent]
            assert ref.plan["choices"]


def test_faults_give_the_errors_real_servers_cause(server):
    import openai

    trace = next(t for t in TRACES if t.id == "y_text_only" and t.api == "openai.chat.completions")
    r = post(endpoint(server, trace, "?fault=status=429"))
    assert r.status == 429 and r.getheader("retry-after") == "1"
    assert json.loads(r.read())["error"]["type"] == "rate_limit_error"
    client = openai.OpenAI(api_key="sk-test", base_url=server.url_for(trace), max_retries=0,
                           default_headers={"kit-fault": "status=429"})
    with pytest.raises(openai.RateLimitError):
        client.chat.completions.create(model="m", messages=[], stream=True)
    client = openai.OpenAI(api_key="sk-test", base_url=server.url_for(trace), max_retries=0,
                           default_headers={"kit-fault": "status=500"})
    with pytest.raises(openai.InternalServerError):
        client.chat.completions.create(model="m", messages=[], stream=True)
    # the connection dropped mid-body: an incomplete chunked read, and the SDK fails the stream
    r = post(endpoint(server, trace, "?fault=drop=150"))
    with pytest.raises(http.client.IncompleteRead) as info:
        r.read()
    assert info.value.partial == trace.body[:150]
    client = openai.OpenAI(api_key="sk-test", base_url=server.url_for(trace), max_retries=0,
                           default_headers={"kit-fault": "drop=150"})
    with pytest.raises(Exception) as dropped:
        for _ in client.chat.completions.create(model="m", messages=[], stream=True):
            pass
    assert "openai" in type(dropped.value).__module__ or "httpx" in type(dropped.value).__module__
    # a stall: the client's read timeout fires
    client = openai.OpenAI(api_key="sk-test", base_url=server.url_for(trace), max_retries=0, timeout=0.5,
                           default_headers={"kit-fault": "stall=3"})
    start = time.monotonic()
    with pytest.raises(openai.APITimeoutError):
        for _ in client.chat.completions.create(model="m", messages=[], stream=True):
            pass
    assert time.monotonic() - start < 2.5
    # a malformed event: the SDK's JSON decoding fails
    r = post(endpoint(server, trace, "?fault=malformed"))
    assert b"data: {this is not json" in r.read()


def test_routing_errors_and_the_index(server):
    chat = next(t for t in TRACES if t.api == "openai.chat.completions" and t.cls == "y")
    r = post(f"{server.url_for(chat)}/responses")
    assert r.status == 404 and "chat/completions" in json.loads(r.read())["error"]["message"]
    assert post(f"{server.base_url}/t/nope/v1/chat/completions").status == 404
    r = post(f"{server.base_url}/t/y_text_only/v1/chat/completions")  # an id in three APIs
    assert r.status == 404 and "in 4 APIs" in json.loads(r.read())["error"]["message"]
    r = post(f"{server.base_url}/v1/messages")
    assert r.status == 200 and r.getheader("x-kit-trace").startswith("anthropic.messages/y_")
    r.read()
    assert post(f"{server.base_url}/v1/chat/completions?chunking=sideways").status == 400
    u = urlsplit(server.base_url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=5)
    conn.request("GET", "/")
    index = json.loads(conn.getresponse().read())
    assert len(index["traces"]) == len(TRACES) and index["traces"][0]["base_url"].startswith(server.base_url)


def test_request_log_and_concurrent_clients():
    traces = [t for t in TRACES if t.api == "anthropic.messages"][:8]
    with ReplayServer(traces) as srv:
        results: dict[str, bytes] = {}

        def fetch(t):
            results[t.id] = post(endpoint(srv, t, "?chunking=bytewise"), headers={"x-api-key": "k-1"},
                                 body=json.dumps({"model": t.id}).encode()).read()

        threads = [threading.Thread(target=fetch, args=(t,)) for t in traces]
        for th in threads:
            th.start()
        for th in threads:
            th.join(30)
        assert results == {t.id: t.body for t in traces}
        assert sorted(json.loads(r["body"])["model"] for r in srv.requests) == sorted(t.id for t in traces)
        assert all(r["headers"].get("x-api-key") == "k-1" and r["chunking"] == "bytewise" for r in srv.requests)


def test_loopback_by_default_and_clean_shutdown():
    srv = ReplayServer(TRACES[:1]).start()
    assert srv.host == "127.0.0.1" and srv.base_url.startswith("http://127.0.0.1:")
    port = srv.port
    srv.stop()
    with socket.socket() as s:  # the port is free again
        s.bind(("127.0.0.1", port))


def test_recorded_timing_paces_the_reads():
    trace = next(t for t in TRACES if t.api == "openai.chat.completions" and t.cls == "y")
    trace = from_body(trace.body, api=trace.api, id="y_timed")
    reads = trace.chunks("event")
    trace.reads = [sum(len(r) for r in reads[:i]) for i in range(len(reads))]
    trace.read_times = [0.1 * i for i in range(len(reads))]
    with ReplayServer([trace], timing="scale:0.5") as srv:
        start = time.monotonic()
        post(endpoint(srv, trace)).read()
        took = time.monotonic() - start
    assert took >= 0.05 * (len(reads) - 1) * 0.9


@pytest.mark.parametrize("value,expected", [("drop=10", {"drop": 10}), ("stall=0.5", {"stall": 0.5}),
                                            ("status=429", {"status": 429}), ("malformed", {"malformed": True})])
def test_parse_fault(value, expected):
    assert parse_fault(value) == expected


@pytest.mark.parametrize("value", ["drop=-1", "status=200", "stall=x", "teleport"])
def test_parse_fault_rejects(value):
    with pytest.raises(UsageError):
        parse_fault(value)


def test_kit_server_fixture(pytester):
    pytester.makepyfile('''
        import http.client, json
        from urllib.parse import urlsplit

        def test_it(kit_server, kit_trace):
            trace = kit_trace("anthropic.messages/y_text_only")
            u = urlsplit(kit_server.url_for(trace) + "/messages")
            conn = http.client.HTTPConnection(u.hostname, u.port, timeout=5)
            conn.request("POST", u.path, body=b"{}")
            assert conn.getresponse().read() == trace.body
            assert kit_server.requests[-1]["path"].endswith("/messages")
    ''')
    assert pytester.runpytest("-p", "no:cacheprovider").parseoutcomes() == {"passed": 1}


def test_kit_serve_command_lists_and_serves(tmp_path):
    out = subprocess.run([sys.executable, "-m", "kit.cli", "serve", "--port", "0", "--list"], capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0 and len(out.stdout.splitlines()) == len(TRACES)
    assert all(line.startswith("http://127.0.0.1:") for line in out.stdout.splitlines())
    bad = subprocess.run([sys.executable, "-m", "kit.cli", "serve", "--timing", "fast"], capture_output=True,
                         text=True, timeout=60)
    assert bad.returncode == 2 and "timing 'fast'" in bad.stderr and "Traceback" not in bad.stderr


def test_chunk_plan_in_the_url(server):
    trace = next(t for t in TRACES if t.id == "y_parallel_interleaved")
    for chunking in ("bytewise", "fixed:5", "random:3"):
        resp = post(f"{server.url_for(trace, chunking)}/chat/completions")
        resp.chunked = False
        assert chunks_of(resp) == trace.chunks(chunking)


def test_no_test_reaches_beyond_loopback():
    """tests/conftest.py refuses any connection that is not to the loopback interface."""
    with socket.socket() as s, pytest.raises(OSError, match="only connect to 127.0.0.1"):
        s.connect(("192.0.2.1", 443))  # TEST-NET-1: never routed
    with pytest.raises(socket.gaierror, match="loopback"):
        socket.getaddrinfo("api.openai.com", 443)
