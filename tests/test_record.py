"""kit record: one request through the SDK's transport hook, and the recording proxy.

Loopback only: every stream comes from kit.serve.ReplayServer on 127.0.0.1, started and
stopped here. Each test is bounded (idle timeouts of seconds, subprocess timeouts)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner

import kit
from kit import strategies as ks
from kit.cli import main
from kit.record import RecordingProxy, RecordingTransport, _sdk_httpx
from kit.script import AnthropicDialect, ChatDialect, Script, Text, Tool
from kit.serve import ReplayServer
from kit.trace import Trace, corpus, load

FAKE = "sk-test-FAKEFAKEFAKEFAKEFAKEFAKE0123"
FAKE_ANT = "sk-ant-api03-FAKEFAKEFAKEFAKEFAKEFAKEFAKE-0123"
PLANTED = "sk-ant-api03-" + "Pl4nted" * 8 + "-AAAA"
SHORT = {"openai.chat.completions": "chat", "openai.responses": "responses", "anthropic.messages": "anthropic"}
ENV = {"OPENAI_API_KEY": FAKE, "ANTHROPIC_API_KEY": FAKE_ANT, "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1"}


def _pick(api: str) -> Trace:
    """A valid corpus trace with several recorded reads and a tool call."""
    return max((t for t in corpus(api=api) if t.cls == "y" and t.reads), key=lambda t: (b"tool" in t.body, len(t.reads)))


def _planted() -> Trace:
    script = Script([Text(f"Your key is {PLANTED}. "), Tool("get_weather", '{"city":"Oslo"}', "call_1")])
    t = ks.make_trace("openai.chat.completions", script, ChatDialect())
    t.id = "y_planted_key"
    return t


def _extra_secret() -> Trace:
    t = ks.make_trace("anthropic.messages", Script([Text("ticket ACME-4242-XYZ is open")]), AnthropicDialect())
    t.id = "y_acme_ticket"
    return t


TRACES = {api: _pick(api) for api in SHORT}

GEMINI = "google.generate_content"
FAKE_GOOGLE = "AIza" + "SyFakeKey0123456789_abcdefghijkl-mn"  # shaped like a Google API key (39 chars); not one
FAKE_TOKEN = "ya29.a0FakeAccessTokenForTheKitTestsOnly0123456789"  # shaped like an OAuth access token; not one
GOOGLE_ENV = {**ENV, "GEMINI_API_KEY": FAKE_GOOGLE, "GOOGLE_API_KEY": "", "GOOGLE_CLOUD_ACCESS_TOKEN": FAKE_TOKEN,
              "GOOGLE_CLOUD_PROJECT": "", "GOOGLE_CLOUD_LOCATION": ""}


def _gemini(ident: str, *payloads: dict) -> Trace:
    """A Gemini stream of ours, framed as Google frames it (CRLF), one read per event."""
    events = [f"data: {json.dumps(p, separators=(',', ':'))}\r\n\r\n".encode() for p in payloads]
    reads = [sum(len(e) for e in events[:i]) for i in range(len(events))]
    return Trace(id=ident, api=GEMINI, cls="y", body=b"".join(events), reads=reads)


def _part_chunk(parts: list, finish: str | None = None, **more) -> dict:
    cand: dict = {"content": {"role": "model", "parts": parts}, "index": 0}
    if finish:
        cand["finishReason"] = finish
    return {"candidates": [cand], **more}


GEMINI_TRACE = _gemini(
    "y_gem_lighthouse",
    _part_chunk([{"text": "Let me find"}]),
    _part_chunk([{"text": " the lighthouse hours."}]),
    _part_chunk([{"functionCall": {"name": "lighthouse_hours", "args": {"site": "Eckmühl"}}}], "STOP",
                usageMetadata={"promptTokenCount": 30, "candidatesTokenCount": 12, "totalTokenCount": 42}))
# a Google key the model writes out, cut across two text parts: the scan joins the text
GEMINI_PLANTED = _gemini(
    "y_gem_planted",
    _part_chunk([{"text": f"Use {FAKE_GOOGLE[:20]}"}]),
    _part_chunk([{"text": f"{FAKE_GOOGLE[20:]} as the key."}], "STOP"))


@pytest.fixture(scope="module")
def server():
    srv = ReplayServer([*TRACES.values(), _planted(), _extra_secret(), GEMINI_TRACE, GEMINI_PLANTED]).start()
    yield srv
    srv.stop()


def _record(args, tmp_path, env=ENV):
    out = tmp_path / "rec"
    t0 = time.monotonic()
    result = CliRunner().invoke(main, ["record", *args, "--to", str(out)], env=env)
    return result, out, time.monotonic() - t0


def _files(folder: Path) -> list[Path]:
    return sorted(folder.iterdir()) if folder.exists() else []


def _sent(entry: dict, name: str) -> str:
    return next((v for k, v in entry["headers"].items() if k.lower() == name), "")


def _no_secret_in(folder: Path, *secrets: str) -> None:
    for p in _files(folder):
        text = p.read_text(encoding="utf-8")
        for s in secrets:
            assert s not in text, p
            assert s[8:24] not in text, p


# -- kit record through the SDK ----------------------------------------------------------------


@pytest.mark.parametrize("api", list(SHORT))
def test_record_through_the_sdk_keeps_the_served_bytes_and_reads(api, server, tmp_path):
    trace = TRACES[api]
    provider = "anthropic" if api == "anthropic.messages" else "compatible"
    before = len(server.requests)
    result, out, took = _record(["--api", SHORT[api], "--model", "m-1", "--prompt", "hello", "--provider", provider,
                                 "--base-url", server.url_for(trace), "--idle-timeout", "10"], tmp_path)
    assert result.exit_code == 0, result.output
    (path,) = _files(out)  # atomic: no temp file left behind
    assert result.stdout.strip() == path.as_posix()
    assert "kit record: recording:" in result.stderr and "reads" in result.stderr and "complete" in result.stderr
    rec = load(path)
    assert rec.body == trace.body
    assert rec.api == api and rec.cls == "y" and rec.id.startswith("y_m_1_") and not rec.truncated
    assert rec.reads and rec.reads[0] == 0 and len(rec.reads) > 1 and len(rec.read_times) == len(rec.reads)
    assert set(rec.reads) <= set(trace.reads)  # reads may coalesce on the way, never split
    assert rec.provenance["kind"] == "recorded" and rec.provenance["model"] == "m-1"
    assert rec.provenance["sdk"].split()[0] == ("anthropic" if provider == "anthropic" else "openai")
    assert rec.response["status"] == 200 and rec.response["headers"]["content-type"].startswith("text/event-stream")
    assert rec.request["method"] == "POST" and rec.request["json"]["stream"] is True
    # the key was sent ...
    sent = server.requests[before]
    key = FAKE_ANT if provider == "anthropic" else FAKE
    key_header = "x-api-key" if _sent(sent, "x-api-key") else "authorization"  # anthropic 2.x sends a bearer
    assert key in _sent(sent, key_header)
    # ... and is nowhere in the file
    assert rec.request["headers"][key_header] == "<redacted>"
    _no_secret_in(out, FAKE, FAKE_ANT)


def test_record_a_request_file_and_tools(server, tmp_path):
    trace = TRACES["openai.chat.completions"]
    req = tmp_path / "req.json"
    req.write_text(json.dumps({"model": "gpt-x", "messages": [{"role": "user", "content": "hi"}],
                               "provider": {"order": ["a"]}, "api_key": "should-not-be-kept"}))
    before = len(server.requests)
    result, out, _ = _record(["--api", "chat", "--request", str(req), "--provider", "compatible", "--base-url",
                              server.url_for(trace), "--id", "My Run", "--idle-timeout", "10"], tmp_path)
    assert result.exit_code == 0, result.output
    rec = load(result.stdout.strip())
    assert rec.id == "y_my_run"
    sent = json.loads(server.requests[before]["body"])
    assert sent["provider"] == {"order": ["a"]} and sent["stream"] is True  # unknown fields via extra_body
    assert rec.request["json"]["api_key"] == "<redacted>" and rec.request["json"]["provider"] == {"order": ["a"]}

    tools = tmp_path / "tools.json"
    tools.write_text(json.dumps([{"type": "function", "function": {"name": "get_weather", "parameters": {
        "type": "object", "properties": {"city": {"type": "string"}}}}}]))
    result, out, _ = _record(["--api", "anthropic", "--model", "claude-x", "--prompt", "hi", "--tools", str(tools),
                              "--base-url", server.url_for(TRACES["anthropic.messages"]), "--idle-timeout", "10"], tmp_path)
    assert result.exit_code == 0, result.output
    sent = json.loads(server.requests[-1]["body"])
    assert sent["tools"][0]["name"] == "get_weather" and "input_schema" in sent["tools"][0]  # converted


def test_a_key_planted_in_the_response_body_fails_closed(server, tmp_path):
    trace = server._by_api_id[("openai.chat.completions", "y_planted_key")]
    result, out, _ = _record(["--api", "chat", "--model", "m", "--prompt", "hi", "--provider", "compatible",
                              "--base-url", server.url_for(trace), "--idle-timeout", "10"], tmp_path)
    assert result.exit_code == 5, result.output
    assert re.search(r"kit: recording y_\S+: a secret survived redaction, nothing written: /body at byte \d+ "
                     r"\(in the text of the events from there on, split across them\): anthropic-key \(sk-ant-a",
                     result.stderr), result.stderr
    assert PLANTED not in result.output and PLANTED[12:40] not in result.output
    assert _files(out) == []  # nothing written, not even a temp file


def test_redact_extra_redacts_the_request_and_refuses_the_response(server, tmp_path):
    chat = TRACES["openai.chat.completions"]
    result, out, _ = _record(["--api", "chat", "--model", "m", "--prompt", "see ACME-1234-ABC", "--provider",
                              "compatible", "--base-url", server.url_for(chat), "--redact-extra", r"ACME-\d+-[A-Z]+",
                              "--idle-timeout", "10"], tmp_path)
    assert result.exit_code == 0, result.output
    rec = load(result.stdout.strip())
    assert rec.request["json"]["messages"][0]["content"] == "see <redacted>"
    anth = server._by_api_id[("anthropic.messages", "y_acme_ticket")]
    result, out, _ = _record(["--api", "anthropic", "--model", "m", "--prompt", "hi", "--base-url",
                              server.url_for(anth), "--redact-extra", r"ACME-\d+-[A-Z]+", "--idle-timeout", "10"],
                             tmp_path / "b")
    assert result.exit_code == 5, result.output
    assert r"extra /ACME-\d+-[A-Z]+/" in result.stderr and "ACME-4242-XYZ" not in result.output


def test_a_dropped_connection_yields_a_truncated_trace(server, tmp_path):
    trace = TRACES["openai.chat.completions"]
    result, out, took = _record(["--api", "chat", "--model", "m", "--prompt", "hi", "--provider", "compatible",
                                 "--base-url", server.url_for(trace), "--header", "kit-fault: drop=300",
                                 "--idle-timeout", "10"], tmp_path)
    assert result.exit_code == 0, result.output
    assert "cut off" in result.stderr
    rec = load(result.stdout.strip())
    assert rec.truncated and rec.cls == "n" and rec.id.startswith("n_")
    assert rec.body == trace.body[:300]
    assert "incomplete chunked read" in rec.provenance["error"] or "closed" in rec.provenance["error"]
    assert "cut off after 300 bytes" in rec.description


def test_a_stalling_server_hits_the_idle_timeout(server, tmp_path):
    trace = TRACES["openai.responses"]
    result, out, took = _record(["--api", "responses", "--model", "m", "--prompt", "hi", "--provider", "compatible",
                                 "--base-url", server.url_for(trace), "--header", "kit-fault: stall=30",
                                 "--idle-timeout", "0.5"], tmp_path)
    assert result.exit_code == 0, result.output
    rec = load(result.stdout.strip())
    assert rec.truncated and rec.cls == "n"
    assert rec.provenance["error"].startswith("idle timeout: no data for 0.5 s")
    assert rec.body == trace.chunks("recorded")[0]
    assert took < 15  # the idle timeout, not the 30 s stall, ended it (generous: CI machines are loaded)


def test_the_maximum_duration_stops_a_recording(server, tmp_path):
    trace = TRACES["openai.chat.completions"]
    result, out, took = _record(["--api", "chat", "--model", "m", "--prompt", "hi", "--provider", "compatible",
                                 "--base-url", server.url_for(trace), "--header", "kit-fault: stall=30",
                                 "--max-duration", "0.6"], tmp_path)
    assert result.exit_code == 0, result.output
    rec = load(result.stdout.strip())
    assert rec.truncated and rec.provenance["error"].startswith("maximum duration reached (0.6 s)")
    assert took < 15  # the maximum duration, not the 30 s stall, ended it


def test_an_error_status_records_nothing(server, tmp_path):
    trace = TRACES["openai.chat.completions"]
    result, out, _ = _record(["--api", "chat", "--model", "m", "--prompt", "hi", "--provider", "compatible",
                              "--base-url", server.url_for(trace), "--header", "kit-fault: status=429"], tmp_path)
    assert result.exit_code == 1, result.output
    assert re.search(r"^kit: http://127\.0\.0\.1:\d+/t/\S+/chat/completions answered HTTP 429: .*nothing recorded$",
                     result.stderr, re.M), result.stderr
    assert _files(out) == []


def test_no_server_records_nothing(tmp_path):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result, out, _ = _record(["--api", "chat", "--model", "m", "--prompt", "hi", "--provider", "compatible",
                              "--base-url", f"http://127.0.0.1:{port}/v1"], tmp_path)
    assert result.exit_code == 1 and "no response" in result.stderr and "nothing recorded" in result.stderr


@pytest.mark.parametrize("args, env, message", [
    (["--api", "chat", "--model", "m"], ENV, "give --prompt TEXT or --request FILE"),
    (["--api", "chat", "--model", "m", "--prompt", "x"], {"OPENAI_API_KEY": ""}, "set OPENAI_API_KEY"),
    (["--api", "anthropic", "--model", "m", "--prompt", "x"], {"ANTHROPIC_API_KEY": ""}, "set ANTHROPIC_API_KEY"),
    (["--api", "anthropic", "--provider", "openai", "--model", "m", "--prompt", "x"], ENV, "needs --provider anthropic"),
    (["--api", "chat", "--provider", "compatible", "--model", "m", "--prompt", "x"], {**ENV, "OPENAI_BASE_URL": ""},
     "needs --base-url"),
    (["--api", "chat", "--prompt", "x"], ENV, "give --model"),
    (["--api", "chat", "--model", "m", "--prompt", "x", "--redact-extra", "("], ENV, "not a regular expression"),
    (["--proxy"], ENV, "--proxy needs --upstream"),
    (["--proxy", "--upstream", "http://127.0.0.1:9", "--model", "m"], ENV, "--model does not go with --proxy"),
    (["--model", "m", "--prompt", "x"], ENV, "give --api"),
])
def test_bad_input_is_one_line_and_exit_2(args, env, message, tmp_path):
    result, out, _ = _record(args, tmp_path, env=env)
    assert result.exit_code == 2, result.output
    assert message in result.stderr and result.stderr.count("\n") == 1, result.stderr
    assert _files(out) == []


def test_the_transport_hook_records_any_httpx_client(server):
    httpx = _sdk_httpx("openai")
    trace = TRACES["openai.chat.completions"]
    transport = RecordingTransport(httpx.HTTPTransport())
    with httpx.Client(transport=transport, timeout=10) as client:
        with client.stream("POST", server.url_for(trace) + "/chat/completions", json={"stream": True}) as r:
            got = b"".join(r.iter_raw())
    (cap,) = transport.exchanges
    assert got == bytes(cap.body) == trace.body and cap.complete and cap.is_stream
    assert cap.reads[0] == 0 and len(cap.reads) == len(cap.read_times) > 1
    assert dict(cap.request_headers)["accept-encoding"] == "identity"


# -- the recording proxy -----------------------------------------------------------------------


def test_the_proxy_records_the_openai_sdk(server, tmp_path):
    import openai

    trace = TRACES["openai.chat.completions"]
    with RecordingProxy(server.url_for(trace), to=tmp_path, idle_timeout=10) as px:
        client = openai.OpenAI(base_url=px.base_url, api_key=FAKE, max_retries=0, timeout=10)
        stream = client.chat.completions.create(model="gpt-x", messages=[{"role": "user", "content": "hi"}], stream=True)
        chunks = list(stream)
        for _ in range(50):
            if px.written:
                break
            time.sleep(0.05)
    assert chunks, "the client got the stream through the proxy"
    (path,) = px.written
    rec = load(path)
    assert rec.body == trace.body and rec.cls == "y" and not rec.truncated
    assert rec.reads and len(rec.reads) > 1 and set(rec.reads) <= set(trace.reads)
    assert rec.provenance["model"] == "gpt-x" and rec.provenance["kind"] == "recorded"
    assert rec.request["url"].endswith("/chat/completions")
    assert FAKE in _sent(server.requests[-1], "authorization")  # forwarded
    assert rec.request["headers"]["authorization"] == "<redacted>"
    _no_secret_in(tmp_path, FAKE)


def test_the_proxy_records_the_anthropic_sdk(server, tmp_path):
    anthropic = pytest.importorskip("anthropic", reason="the anthropic SDK is not installed")
    trace = TRACES["anthropic.messages"]
    upstream = server.url_for(trace)[: -len("/v1")]
    with RecordingProxy(upstream, to=tmp_path, idle_timeout=10) as px:
        client = anthropic.Anthropic(base_url=px.base_url, api_key=FAKE_ANT, max_retries=0, timeout=10)
        with client.messages.stream(model="claude-x", max_tokens=100, messages=[{"role": "user", "content": "hi"}]) as s:
            final = s.get_final_message()
        for _ in range(50):
            if px.written:
                break
            time.sleep(0.05)
    assert final.content
    (path,) = px.written
    rec = load(path)
    assert rec.body == trace.body and rec.api == "anthropic.messages" and rec.cls == "y"
    assert rec.request["headers"].get("x-api-key", rec.request["headers"].get("authorization")) == "<redacted>"
    _no_secret_in(tmp_path, FAKE_ANT)


def test_the_proxy_refuses_to_write_a_planted_key_and_passes_a_cut_stream_on(server, tmp_path):
    import openai

    planted = server._by_api_id[("openai.chat.completions", "y_planted_key")]
    lines = []
    with RecordingProxy(server.url_for(planted), to=tmp_path, idle_timeout=10, echo=lines.append) as px:
        client = openai.OpenAI(base_url=px.base_url, api_key=FAKE, max_retries=0, timeout=10)
        chunks = list(client.chat.completions.create(model="m", messages=[], stream=True))
        assert chunks  # the client still gets its stream: the proxy is transparent
        with pytest.raises(openai.APIError):
            list(client.chat.completions.create(model="m", messages=[], stream=True,
                                                extra_headers={"kit-fault": "drop=120"}))
        for _ in range(50):
            if px.handled >= 2:
                break
            time.sleep(0.05)
    assert len(px.refused) == 1 and px.refused[0].exit_code == 5
    assert any("anthropic-key" in line and "/body at byte" in line for line in lines)
    assert all(PLANTED not in line for line in lines)
    (path,) = px.written  # the cut stream is kept
    rec = load(path)
    assert rec.truncated and rec.cls == "n" and rec.body == planted.body[:120]
    assert [p.name for p in _files(tmp_path)] == [path.name]


def test_the_proxy_command_in_a_subprocess(server, tmp_path):
    httpx = _sdk_httpx("openai")
    trace = TRACES["openai.responses"]
    env = {**os.environ, **ENV}
    proc = subprocess.Popen([sys.executable, "-m", "kit.cli", "record", "--proxy", "--upstream", server.url_for(trace),
                             "--port", "0", "--to", str(tmp_path), "--max-requests", "1", "--idle-timeout", "10"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        first = proc.stderr.readline()
        m = re.search(r"proxy on (http://127\.0\.0\.1:\d+) -> ", first)
        assert m, first
        with httpx.Client(timeout=10) as client:
            r = client.post(m.group(1) + "/responses", json={"model": "m", "input": "hi", "stream": True},
                            headers={"authorization": f"Bearer {FAKE}"})
        assert r.status_code == 200 and r.content == trace.body
        out, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    line = out.strip().splitlines()[-1]
    assert line.startswith("kit record: ") and "(openai.responses, " in line and "complete)" in line
    path = Path(line.split("kit record: ", 1)[1].split(" (", 1)[0])
    assert load(path).body == trace.body
    assert "1 trace(s) written, 0 refused" in err
    _no_secret_in(tmp_path, FAKE)


# -- Gemini: the Gemini API and Vertex AI over plain HTTP ----------------------------------------


def _sent_to(server, before: int) -> dict:
    (entry,) = server.requests[before:]
    return entry


def test_record_gemini_keeps_the_served_bytes_and_sends_the_key_in_a_header(server, tmp_path):
    before = len(server.requests)
    result, out, _ = _record(["--api", "gemini", "--model", "gemini-2.5-flash", "--prompt", "Lighthouse hours?",
                              "--base-url", server.url_for(GEMINI_TRACE), "--idle-timeout", "10"], tmp_path,
                             env=GOOGLE_ENV)
    assert result.exit_code == 0, result.output
    rec = load(result.stdout.strip())
    assert rec.body == GEMINI_TRACE.body and rec.api == GEMINI and rec.cls == "y" and not rec.truncated
    assert rec.reads and rec.reads[0] == 0 and set(rec.reads) <= set(GEMINI_TRACE.reads)
    assert rec.id.startswith("y_gemini_2_5_flash_")
    assert rec.provenance["provider"] == "gemini" and rec.provenance["model"] == "gemini-2.5-flash"
    assert "sdk" not in rec.provenance and "plain HTTP" in rec.provenance["notes"]
    assert rec.provenance["base_url"] == server.url_for(GEMINI_TRACE)
    sent = _sent_to(server, before)
    assert sent["path"].endswith("/v1beta/models/gemini-2.5-flash:streamGenerateContent")
    assert sent["query"] == {"alt": "sse"}  # the key is not in the URL ...
    assert _sent(sent, "x-goog-api-key") == FAKE_GOOGLE  # ... but in its header
    assert json.loads(sent["body"]) == {"contents": [{"role": "user", "parts": [{"text": "Lighthouse hours?"}]}]}
    assert rec.request["url"].endswith(":streamGenerateContent?alt=sse")
    assert rec.request["headers"]["x-goog-api-key"] == "<redacted>"
    assert rec.request["json"] == json.loads(sent["body"])  # no model, no stream field: the URL says both
    plan = kit.replay(rec).plan
    assert [c["type"] for c in plan["choices"][0]["commands"]] == ["SAY", "DO"]
    _no_secret_in(out, FAKE_GOOGLE)


def test_record_vertex_sends_the_project_path_and_a_bearer_token(server, tmp_path):
    tools = tmp_path / "tools.json"
    tools.write_text(json.dumps([
        {"type": "function", "function": {"name": "lighthouse_hours", "description": "Opening hours",
                                          "parameters": {"type": "object", "properties": {"site": {"type": "string"}},
                                                         "required": ["site"]}}},
        {"type": "function", "function": {"name": "now", "parameters": {"type": "object", "properties": {}}}},
        {"googleSearch": {}}]))
    before = len(server.requests)
    result, out, _ = _record(["--api", "gemini", "--provider", "vertex", "--project", "tide-lab", "--location",
                              "europe-west4", "--model", "gemini-2.5-pro", "--prompt", "Hours?", "--tools", str(tools),
                              "--max-tokens", "300", "--base-url", server.url_for(GEMINI_TRACE),
                              "--idle-timeout", "10"], tmp_path, env=GOOGLE_ENV)
    assert result.exit_code == 0, result.output
    rec = load(result.stdout.strip())
    assert rec.body == GEMINI_TRACE.body and rec.provenance["provider"] == "vertex"
    sent = _sent_to(server, before)
    assert sent["path"].endswith("/v1/projects/tide-lab/locations/europe-west4/publishers/google/models/"
                                 "gemini-2.5-pro:streamGenerateContent")
    assert _sent(sent, "authorization") == f"Bearer {FAKE_TOKEN}" and not _sent(sent, "x-goog-api-key")
    body = json.loads(sent["body"])
    assert body["generationConfig"] == {"maxOutputTokens": 300}
    assert body["tools"] == [
        {"functionDeclarations": [
            {"name": "lighthouse_hours", "description": "Opening hours",
             "parameters": {"type": "object", "properties": {"site": {"type": "string"}}, "required": ["site"]}},
            {"name": "now", "description": ""}]},  # no parameters: Gemini refuses an empty OBJECT schema
        {"googleSearch": {}}]
    assert rec.request["headers"]["authorization"] == "<redacted>"
    _no_secret_in(out, FAKE_TOKEN)


def test_google_urls_of_the_presets(monkeypatch):
    from kit.record import PROVIDERS, google_url

    monkeypatch.delenv("GOOGLE_CLOUD_PROJECT", raising=False)
    monkeypatch.delenv("GOOGLE_CLOUD_LOCATION", raising=False)
    gemini, vertex = PROVIDERS["gemini"], PROVIDERS["vertex"]
    assert google_url(gemini, "models/gemini-2.5-flash") == (
        "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
        "https://generativelanguage.googleapis.com")
    assert google_url(gemini, "gemini-2.5-flash", api_version="v1", base_url="http://h:1/")[0] == (
        "http://h:1/v1/models/gemini-2.5-flash:streamGenerateContent?alt=sse")
    assert google_url(vertex, "gemini-2.5-pro", project="p-1")[0] == (  # the global location by default
        "https://aiplatform.googleapis.com/v1/projects/p-1/locations/global/publishers/google/models/"
        "gemini-2.5-pro:streamGenerateContent?alt=sse")
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "p-2")
    monkeypatch.setenv("GOOGLE_CLOUD_LOCATION", "us-central1")
    assert google_url(vertex, "gemini-2.5-pro") == (
        "https://us-central1-aiplatform.googleapis.com/v1/projects/p-2/locations/us-central1/publishers/google/"
        "models/gemini-2.5-pro:streamGenerateContent?alt=sse", "https://us-central1-aiplatform.googleapis.com")


def test_gemini_request_bodies():
    from kit.record import build_request

    assert build_request(GEMINI, model="g", prompt="hi") == {
        "model": "g", "contents": [{"role": "user", "parts": [{"text": "hi"}]}]}  # no maxOutputTokens unless given
    assert build_request("anthropic.messages", model="c", prompt="hi")["max_tokens"] == 1024


def test_gemini_from_a_request_file_and_google_api_key_first(server, tmp_path):
    req = tmp_path / "req.json"
    req.write_text(json.dumps({"model": "gemini-2.5-flash-lite", "contents": [{"role": "user", "parts": [{"text": "x"}]}],
                               "toolConfig": {"functionCallingConfig": {"mode": "ANY"}}}))
    before = len(server.requests)
    other = "AIza" + "SyOtherFakeKey0123456789_abcdefghi"
    result, out, _ = _record(["--api", "gemini", "--request", str(req), "--base-url", server.url_for(GEMINI_TRACE),
                              "--idle-timeout", "10"], tmp_path, env={**GOOGLE_ENV, "GOOGLE_API_KEY": other})
    assert result.exit_code == 0, result.output
    sent = _sent_to(server, before)
    assert "/models/gemini-2.5-flash-lite:streamGenerateContent" in sent["path"]
    assert json.loads(sent["body"]) == {"contents": [{"role": "user", "parts": [{"text": "x"}]}],
                                        "toolConfig": {"functionCallingConfig": {"mode": "ANY"}}}
    assert _sent(sent, "x-goog-api-key") == other  # google-genai's order: GOOGLE_API_KEY before GEMINI_API_KEY
    assert load(result.stdout.strip()).provenance["model"] == "gemini-2.5-flash-lite"
    _no_secret_in(out, other, FAKE_GOOGLE)


def test_gemini_faults_and_a_planted_key(server, tmp_path):
    base = ["--api", "gemini", "--model", "gemini-2.5-flash", "--prompt", "hi", "--idle-timeout", "10"]
    result, out, _ = _record([*base, "--base-url", server.url_for(GEMINI_TRACE), "--header", "kit-fault: status=429"],
                             tmp_path, env=GOOGLE_ENV)
    assert result.exit_code == 1, result.output
    assert re.search(r"^kit: http://127\.0\.0\.1:\d+/t/google\.generate_content/y_gem_lighthouse/v1beta/models/"
                     r"gemini-2\.5-flash:streamGenerateContent\?alt=sse answered HTTP 429: .*nothing recorded$",
                     result.stderr, re.M), result.stderr
    assert _files(out) == []
    result, out, _ = _record([*base, "--base-url", server.url_for(GEMINI_TRACE), "--header", "kit-fault: drop=200"],
                             tmp_path / "cut", env=GOOGLE_ENV)
    assert result.exit_code == 0, result.output
    rec = load(result.stdout.strip())
    assert rec.truncated and rec.cls == "n" and rec.body == GEMINI_TRACE.body[:200]
    result, out, _ = _record([*base, "--base-url", server.url_for(GEMINI_PLANTED)], tmp_path / "planted",
                             env=GOOGLE_ENV)
    assert result.exit_code == 5, result.output
    assert "google-api-key" in result.stderr and FAKE_GOOGLE[4:24] not in result.output
    assert _files(out) == []


@pytest.mark.parametrize("args, env, message", [
    (["--api", "gemini", "--model", "g", "--prompt", "x"], {"GEMINI_API_KEY": "", "GOOGLE_API_KEY": ""},
     "set GOOGLE_API_KEY or GEMINI_API_KEY"),
    (["--api", "gemini", "--provider", "vertex", "--model", "g", "--prompt", "x"],
     {**GOOGLE_ENV, "GOOGLE_CLOUD_ACCESS_TOKEN": ""}, "set GOOGLE_CLOUD_ACCESS_TOKEN"),
    (["--api", "gemini", "--provider", "vertex", "--model", "g", "--prompt", "x"], GOOGLE_ENV,
     "--provider vertex needs --project ID"),
    (["--api", "gemini", "--provider", "openai", "--model", "g", "--prompt", "x"], GOOGLE_ENV,
     "--api gemini needs --provider gemini or vertex"),
    (["--api", "chat", "--provider", "gemini", "--model", "g", "--prompt", "x"], GOOGLE_ENV,
     "--provider gemini records --api gemini"),
    (["--api", "gemini", "--project", "p", "--model", "g", "--prompt", "x"], GOOGLE_ENV,
     "--project goes with --provider vertex"),
])
def test_gemini_bad_input_is_one_line_and_exit_2(args, env, message, tmp_path):
    result, out, _ = _record(args, tmp_path, env=env)
    assert result.exit_code == 2, result.output
    assert message in result.stderr and result.stderr.count("\n") == 1, result.stderr
    assert _files(out) == []


def test_the_proxy_records_a_gemini_client_and_redacts_the_key_parameter(server, tmp_path):
    httpx = _sdk_httpx("openai")
    upstream = server.url_for(GEMINI_TRACE)
    with RecordingProxy(upstream, to=tmp_path, idle_timeout=10) as px:
        with httpx.Client(timeout=10) as client:  # an older Gemini client: the key as ?key=
            r = client.post(f"{px.base_url}/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse&key={FAKE_GOOGLE}",
                            json={"contents": [{"role": "user", "parts": [{"text": "hi"}]}]})
        for _ in range(50):
            if px.written:
                break
            time.sleep(0.05)
    assert r.status_code == 200 and r.content == GEMINI_TRACE.body
    assert server.requests[-1]["query"]["key"] == FAKE_GOOGLE  # forwarded as it came
    (path,) = px.written
    rec = load(path)
    assert rec.api == GEMINI and rec.body == GEMINI_TRACE.body and rec.cls == "y"
    assert rec.provenance["model"] == "gemini-2.0-flash"  # from the path: a Gemini body names no model
    query = parse_qs(urlsplit(rec.request["url"]).query)
    assert rec.request["url"].split("?")[0].endswith(":streamGenerateContent")
    assert query == {"alt": ["sse"], "key": ["<redacted>"]}
    _no_secret_in(tmp_path, FAKE_GOOGLE)


def test_the_proxy_names_google_upstreams():
    from kit.record import _provider_of

    assert _provider_of("https://generativelanguage.googleapis.com") == "gemini"
    assert _provider_of("https://us-central1-aiplatform.googleapis.com") == "vertex"
    assert _provider_of("https://aiplatform.googleapis.com/") == "vertex"
    assert _provider_of("https://googleapis.com.example.org") == "compatible"
