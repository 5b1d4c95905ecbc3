"""`kit import`: VCR cassettes (hand-written and written by vcrpy itself), HAR files and raw
.sse bodies become traces whose Plan is the reference's Plan of the recorded body; what is
not a stream, not readable or carries a secret is skipped and said so."""

from __future__ import annotations

import base64
import gzip
import http.server
import json
import sys
import threading
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner

import kit
from kit.cli import main
from kit.trace import find, from_body, load

from .conftest import REAL_TRACES

CHAT = "openai.chat.completions"
FAKE_KEY = "sk-proj-" + "Zx9" * 12  # shaped like an OpenAI key; not one


def _cli(*args: str):
    return CliRunner().invoke(main, ["import", *args])


def _plan(trace) -> dict:
    return kit.replay(trace).plan


def _traces(folder: Path) -> list:
    return [load(p) for p in sorted(folder.glob("*.json"))]


def _body(ident: str) -> bytes:
    return find(ident).body


def _one_line_error(r, code: int, *words: str) -> None:
    lines = [x for x in r.output.splitlines() if x.strip()]
    assert r.exit_code == code, r.output
    assert len(lines) == 1 and lines[0].startswith("kit: ") and "Traceback" not in r.output, r.output
    for w in words:
        assert w in lines[0], r.output


# -- hand-written cassettes ----------------------------------------------------------------------

CHAT_BODY = _body(f"{CHAT}/y_text_then_tool_call")

YAML_CASSETTE = """\
interactions:
- request:
    body: '{"model": "gpt-4o", "stream": true, "messages": [{"role": "user", "content": "hi"}]}'
    headers:
      Authorization:
      - Bearer @KEY@
      Content-Type:
      - application/json
    method: POST
    uri: https://api.openai.com/v1/chat/completions?api_key=@KEY@
  response:
    body:
      string: @BODY@
    headers:
      Content-Type:
      - text/event-stream; charset=utf-8
      Set-Cookie:
      - session=abc123
    status:
      code: 200
      message: OK
- request:
    body: null
    headers: {}
    method: GET
    uri: https://api.openai.com/v1/models
  response:
    body:
      string: '{"data": []}'
    headers:
      Content-Type:
      - application/json
    status:
      code: 200
      message: OK
version: 1
"""


def _yaml_cassette(tmp_path: Path, name: str = "test_stream.yaml") -> Path:
    p = tmp_path / name
    p.write_text(YAML_CASSETTE.replace("@KEY@", FAKE_KEY).replace("@BODY@", json.dumps(CHAT_BODY.decode())), encoding="utf-8")
    return p


def _vcr_interaction(uri: str, body: bytes | str, content_type: str, **response_headers: str) -> dict:
    headers = {"Content-Type": [content_type], **{k.replace("_", "-"): [v] for k, v in response_headers.items()}}
    return {"request": {"body": '{"model": "m", "stream": true}', "headers": {"Authorization": [f"Bearer {FAKE_KEY}"]},
                        "method": "POST", "uri": uri},
            "response": {"body": {"string": body}, "headers": headers, "status": {"code": 200, "message": "OK"}}}


def test_a_yaml_cassette_imports_its_stream_and_skips_the_rest(tmp_path):
    pytest.importorskip("yaml", reason="PyYAML is not installed (pip install '.[test]')")
    src = _yaml_cassette(tmp_path)
    out = tmp_path / "out"
    r = _cli(str(src), "--to", str(out))
    assert r.exit_code == 0, r.output
    assert "1 imported, 1 skipped (1 not streaming)" in r.output
    assert "interaction 1: not a stream (application/json)" in r.output
    (trace,) = _traces(out)
    assert trace.id == "y_test_stream_0" and trace.api == CHAT and trace.cls == "y"
    assert trace.body == CHAT_BODY and trace.reads is None
    assert trace.provenance == {"kind": "imported", "source": "test_stream.yaml", "format": "vcr", "interaction": 0,
                                "provider": "openai", "model": "gpt-4o", "kit_version": kit.__version__}
    assert _plan(trace) == kit.replay(from_body(CHAT_BODY, api=CHAT)).plan
    assert trace.request["method"] == "POST" and trace.request["body"]["model"] == "gpt-4o"
    assert trace.request["headers"]["authorization"] == "<redacted>"
    assert trace.response == {"status": 200, "headers": {"content-type": "text/event-stream; charset=utf-8",
                                                          "set-cookie": "<redacted>"}}
    text = (out / "y_test_stream_0.json").read_text(encoding="utf-8")
    assert FAKE_KEY not in text and "abc123" not in text and str(tmp_path) not in text


def test_a_json_cassette_needs_no_yaml_and_an_interaction_index_per_id(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "yaml", None)  # JSON cassettes never import PyYAML
    anth = _body("anthropic.messages/y_parallel_tool_use")
    cassette = {"interactions": [
        _vcr_interaction("https://api.openai.com/v1/models", '{"data": []}', "application/json"),
        _vcr_interaction("https://api.openai.com/v1/chat/completions", CHAT_BODY.decode(), "text/event-stream"),
        _vcr_interaction("https://api.anthropic.com/v1/messages", anth.decode(), "text/event-stream"),
    ], "version": 1}
    src = tmp_path / "test_two.json"
    src.write_text(json.dumps(cassette), encoding="utf-8")
    r = _cli(str(src), "--to", str(tmp_path / "out"))
    assert r.exit_code == 0, r.output
    traces = {t.id: t for t in _traces(tmp_path / "out")}
    assert set(traces) == {"y_test_two_1", "y_test_two_2"}
    assert traces["y_test_two_1"].api == CHAT and traces["y_test_two_2"].api == "anthropic.messages"
    assert traces["y_test_two_2"].provenance["interaction"] == 2
    assert traces["y_test_two_2"].provenance["provider"] == "anthropic"
    assert _plan(traces["y_test_two_2"]) == kit.replay(from_body(anth, api="anthropic.messages")).plan


def test_gzip_encoded_bodies_are_decompressed(tmp_path):
    yaml = pytest.importorskip("yaml", reason="PyYAML is not installed (pip install '.[test]')")
    packed = gzip.compress(CHAT_BODY)
    # vcrpy keeps a compressed body as bytes (YAML !!binary) with its content-encoding header
    cassette = {"interactions": [_vcr_interaction("https://x.test/v1/chat/completions", packed, "text/event-stream",
                                                  Content_Encoding="gzip")], "version": 1}
    (tmp_path / "gz.yaml").write_text(yaml.safe_dump(cassette), encoding="utf-8")
    assert "!!binary" in (tmp_path / "gz.yaml").read_text()
    # Ruby VCR: base64_string
    ruby = {"http_interactions": [{
        "request": {"method": "post", "uri": "https://x.test/v1/chat/completions", "body": {"string": ""}, "headers": {}},
        "response": {"status": {"code": 200}, "headers": {"Content-Encoding": ["gzip"]},
                     "body": {"encoding": "ASCII-8BIT", "base64_string": base64.b64encode(packed).decode()}}}]}
    (tmp_path / "ruby.json").write_text(json.dumps(ruby), encoding="utf-8")
    r = _cli(str(tmp_path / "gz.yaml"), str(tmp_path / "ruby.json"), "--to", str(tmp_path / "out"))
    assert r.exit_code == 0, r.output
    assert "1 imported, 1 skipped (1 duplicate)" in r.output  # the same body twice
    (trace,) = _traces(tmp_path / "out")
    assert trace.body == CHAT_BODY and "content-encoding" not in trace.response["headers"]
    assert _plan(trace) == kit.replay(from_body(CHAT_BODY, api=CHAT)).plan


def test_a_har_file_imports_its_streaming_entries(tmp_path):
    resp_body = _body("openai.responses/y_text_only")

    def entry(url, mime, text, **content):
        return {"request": {"method": "POST", "url": url, "headers": [{"name": "Authorization", "value": f"Bearer {FAKE_KEY}"}],
                            "postData": {"mimeType": "application/json", "text": '{"model":"gpt-5","stream":true}'}},
                "response": {"status": 200, "headers": [{"name": "Content-Type", "value": mime}],
                             "content": {"mimeType": mime, "text": text, **content}}}

    har = {"log": {"version": "1.2", "creator": {"name": "test", "version": "1"}, "entries": [
        entry("https://api.openai.com/v1/responses", "text/event-stream",
              base64.b64encode(resp_body).decode(), encoding="base64"),
        entry("https://api.openai.com/v1/files", "application/json", '{"data": []}'),
        entry("https://api.openai.com/v1/chat/completions", "text/event-stream", CHAT_BODY.decode()),
    ]}}
    src = tmp_path / "session.har"
    src.write_text(json.dumps(har), encoding="utf-8")
    r = _cli(str(src), "--to", str(tmp_path / "out"))
    assert r.exit_code == 0, r.output
    assert "2 imported, 1 skipped (1 not streaming)" in r.output
    traces = {t.id: t for t in _traces(tmp_path / "out")}
    assert set(traces) == {"y_session_0", "y_session_2"}
    t = traces["y_session_0"]
    assert t.api == "openai.responses" and t.body == resp_body and t.provenance["format"] == "har"
    assert t.provenance["model"] == "gpt-5" and t.request["headers"]["authorization"] == "<redacted>"
    assert _plan(t) == kit.replay(from_body(resp_body, api="openai.responses")).plan


def test_raw_bodies_take_their_class_from_the_name_else_auto(tmp_path):
    src = tmp_path / "bodies"
    src.mkdir()
    (src / "y_fine.sse").write_bytes(CHAT_BODY)
    (src / "broken.sse").write_bytes(_body(f"{CHAT}/n_truncated_mid_arguments"))
    (src / "plain.sse").write_bytes(_body(f"{CHAT}/y_parallel_calls"))
    (src / "notes.txt").write_text("not a recording")  # not a recording's suffix: not looked at
    r = _cli(str(src), "--to", str(tmp_path / "out"))
    assert r.exit_code == 0, r.output
    traces = {t.id: t for t in _traces(tmp_path / "out")}
    assert set(traces) == {"y_fine", "n_broken", "y_plain"}
    assert traces["y_fine"].provenance == {"kind": "imported", "source": "y_fine.sse", "format": "sse",
                                           "kit_version": kit.__version__}
    assert traces["y_fine"].request is None and traces["y_fine"].reads is None
    # --class i for bodies without a prefix
    r = _cli(str(src / "plain.sse"), "--to", str(tmp_path / "out2"), "--class", "i")
    assert r.exit_code == 0 and (tmp_path / "out2" / "i_plain.json").is_file(), r.output
    # a y_ name on a broken body: it does not behave as its class says
    (src / "y_liar.sse").write_bytes(_body(f"{CHAT}/n_truncated_mid_arguments"))
    r = _cli(str(src / "y_liar.sse"), "--to", str(tmp_path / "out3"))
    assert r.exit_code == 1 and "must behave as its class says" in r.output, r.output
    assert not (tmp_path / "out3").exists()


def test_unknown_api_is_skipped_unless_given(tmp_path):
    body = b'data: {"hello": "world"}\n\ndata: [DONE]\n\n'
    (tmp_path / "mystery.sse").write_bytes(body)
    r = _cli(str(tmp_path / "mystery.sse"), "--to", str(tmp_path / "out"))
    assert r.exit_code == 1 and "cannot tell the wire API" in r.output and "1 unknown API" in r.output, r.output
    assert not (tmp_path / "out").exists()
    r = _cli(str(tmp_path / "mystery.sse"), "--to", str(tmp_path / "out"), "--api", CHAT, "--class", "i")
    assert r.exit_code == 0, r.output
    assert load(tmp_path / "out" / "i_mystery.json").api == CHAT


def test_pytest_recording_layout_and_duplicates(tmp_path):
    pytest.importorskip("yaml", reason="PyYAML is not installed (pip install '.[test]')")
    cassettes = tmp_path / "tests" / "cassettes"
    for module in ("test_a", "test_b"):
        (cassettes / module).mkdir(parents=True)
    _yaml_cassette(cassettes / "test_a", "test_stream.yaml")
    anth = _body("anthropic.messages/y_parallel_tool_use")
    (cassettes / "test_b" / "test_stream.json").write_text(json.dumps({"interactions": [
        _vcr_interaction("https://api.anthropic.com/v1/messages", anth.decode(), "text/event-stream")]}))
    out = tmp_path / "out"
    r = _cli(str(cassettes), "--to", str(out))
    assert r.exit_code == 0, r.output
    ids = sorted(t.id for t in _traces(out))
    assert ids == ["y_test_stream_0", "y_test_stream_0_2"]  # the same test name in two modules
    for t in _traces(out):
        assert t.provenance["source"] in ("test_stream.yaml", "test_stream.json")
    again = _cli(str(cassettes), "--to", str(out))
    assert again.exit_code == 0 and "0 imported" in again.output and "2 duplicate" in again.output, again.output
    assert len(list(out.iterdir())) == 2


def test_dry_run_writes_nothing(tmp_path):
    (tmp_path / "y_a.sse").write_bytes(CHAT_BODY)
    out = tmp_path / "out"
    r = _cli(str(tmp_path / "y_a.sse"), "--to", str(out), "--dry-run")
    assert r.exit_code == 0, r.output
    assert "would import: " in r.output and "y_a.json" in r.output and "dry run: nothing written" in r.output
    assert not out.exists()


def test_a_secret_in_a_stream_skips_that_trace_only(tmp_path):
    leaky = CHAT_BODY.replace(b"data: ", f'data: {{"leak": "{FAKE_KEY}"}}\n\ndata: '.encode(), 1)
    cassette = {"interactions": [
        _vcr_interaction("https://api.openai.com/v1/chat/completions", leaky.decode(), "text/event-stream"),
        _vcr_interaction("https://api.openai.com/v1/chat/completions", CHAT_BODY.decode(), "text/event-stream"),
    ]}
    (tmp_path / "leak.json").write_text(json.dumps(cassette))
    out = tmp_path / "out"
    r = _cli(str(tmp_path / "leak.json"), "--to", str(out))
    assert r.exit_code == 5, r.output
    assert "interaction 0: " in r.output and "secret" in r.output and "1 secret found" in r.output
    assert FAKE_KEY not in r.output
    assert [t.id for t in _traces(out)] == ["y_leak_1"]
    assert FAKE_KEY not in (out / "y_leak_1.json").read_text()
    # a custom pattern, from --redact-extra, in a body
    (tmp_path / "y_custom.sse").write_bytes(CHAT_BODY.replace(b"data: ", b": internal-ZZTOP-0001\n", 1))
    r = _cli(str(tmp_path / "y_custom.sse"), "--to", str(tmp_path / "out2"), "--redact-extra", r"ZZTOP-\d+")
    assert r.exit_code == 5 and not (tmp_path / "out2").exists(), r.output


def test_errors_are_one_line_with_exit_codes(tmp_path, monkeypatch):
    yaml = pytest.importorskip("yaml", reason="PyYAML is not installed (pip install '.[test]')")
    (tmp_path / "bad.yaml").write_text("interactions:\n- request: [unclosed\n", encoding="utf-8")
    _one_line_error(_cli(str(tmp_path / "bad.yaml"), "--to", str(tmp_path / "o")), 3, "bad.yaml", "invalid YAML")
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    _one_line_error(_cli(str(tmp_path / "bad.json"), "--to", str(tmp_path / "o")), 3, "bad.json", "invalid JSON")
    (tmp_path / "other.json").write_text('{"hello": 1}', encoding="utf-8")
    _one_line_error(_cli(str(tmp_path / "other.json"), "--to", str(tmp_path / "o")), 3, "unknown format")
    (tmp_path / "picture.bin").write_bytes(b"\x89PNG\r\n\x1a\n")
    _one_line_error(_cli(str(tmp_path / "picture.bin"), "--to", str(tmp_path / "o")), 3, "unknown format")
    _one_line_error(_cli(str(tmp_path / "missing.yaml"), "--to", str(tmp_path / "o")), 3, "no such file or folder")
    (tmp_path / "y_a.sse").write_bytes(CHAT_BODY)
    (tmp_path / "afile").write_text("x")
    _one_line_error(_cli(str(tmp_path / "y_a.sse"), "--to", str(tmp_path / "afile")), 2, "not a folder")
    _one_line_error(_cli(str(tmp_path / "y_a.sse"), "--to", str(tmp_path / "o"), "--redact-extra", "("), 2,
                    "--redact-extra")
    # a corrupt source among good ones: nothing is written
    _one_line_error(_cli(str(tmp_path / "y_a.sse"), str(tmp_path / "bad.yaml"), "--to", str(tmp_path / "o")), 3)
    assert not (tmp_path / "o").exists()
    # YAML is loaded safely: a Python tag is refused, never run
    evil = tmp_path / "evil.yaml"
    evil.write_text(f"interactions: !!python/object/apply:os.system ['touch {tmp_path / 'pwned'}']\n")
    _one_line_error(_cli(str(evil), "--to", str(tmp_path / "o")), 3, "evil.yaml")
    assert not (tmp_path / "pwned").exists()
    # without PyYAML: the extra to install
    good = _yaml_cassette(tmp_path)
    monkeypatch.setitem(sys.modules, "yaml", None)
    _one_line_error(_cli(str(good), "--to", str(tmp_path / "o")), 2, "pip install 'toolstream-kit[import]'")
    assert yaml is not None


# -- a cassette written by vcrpy itself ----------------------------------------------------------


class _SSEHandler(http.server.BaseHTTPRequestHandler):
    """Serves one trace's body as text/event-stream, one HTTP chunk per recorded read."""

    chunks: list[bytes] = []
    requests: list[str] = []

    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers.get("content-length") or 0))
        type(self).requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Connection", "close")
        self.end_headers()
        for c in self.chunks:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(c), c))
            self.wfile.flush()
        self.wfile.write(b"0\r\n\r\n")

    def log_message(self, *args):
        pass


@pytest.mark.parametrize("serializer", ["yaml", "json"])
@pytest.mark.parametrize("ident", [f"{CHAT}/y_parallel_interleaved", f"{CHAT}/y_crlf_framing",
                                   "openai.responses/y_text_only", "anthropic.messages/y_parallel_tool_use",
                                   "google.generate_content/y_text_then_call"])
def test_a_cassette_written_by_vcrpy_round_trips(serializer, ident, tmp_path):
    vcr = pytest.importorskip("vcr", reason="vcrpy is not installed (pip install '.[test]')")
    if serializer == "yaml":
        pytest.importorskip("yaml", reason="PyYAML is not installed (pip install '.[test]')")
    original = find(ident)
    path = {CHAT: "/v1/chat/completions", "openai.responses": "/v1/responses", "anthropic.messages": "/v1/messages",
            "google.generate_content": "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"}[original.api]
    handler = type("Handler", (_SSEHandler,), {"chunks": original.chunks("recorded"), "requests": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.timeout = 5
    thread = threading.Thread(target=server.handle_request, daemon=True)  # exactly one request
    thread.start()
    cassette = tmp_path / "cassettes" / f"test_stream.{serializer}"
    try:
        # vcrpy patches http.client, which urllib.request uses (requests and httpx are not
        # dependencies of the kit); the recording goes through vcrpy's real recording path
        with vcr.VCR(serializer=serializer, record_mode="once").use_cassette(str(cassette)):
            req = urllib.request.Request(f"http://127.0.0.1:{server.server_port}{path}", method="POST",
                                         data=b'{"model": "m", "stream": true}',
                                         headers={"Authorization": f"Bearer {FAKE_KEY}",
                                                  "Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=5) as resp:
                received = resp.read()
    finally:
        thread.join(timeout=10)
        server.server_close()
    assert handler.requests == [path] and received == original.body
    assert cassette.is_file() and FAKE_KEY in cassette.read_text()  # vcrpy keeps the key: import must not
    out = tmp_path / "out"
    r = _cli(str(cassette), "--to", str(out))
    assert r.exit_code == 0, r.output
    (trace,) = _traces(out)
    assert trace.api == original.api and trace.body == original.body
    assert trace.provenance["source"] == cassette.name and trace.provenance["format"] == "vcr"
    assert _plan(trace) == _plan(original)
    assert FAKE_KEY not in (out / f"{trace.id}.json").read_text()


# -- the real recorded streams ------------------------------------------------------------------


@pytest.mark.real_traces
@pytest.mark.parametrize("folder", ["chat_completions", "responses", "anthropic_messages"])
def test_every_real_trace_imports(folder, tmp_path):
    src = REAL_TRACES / folder
    if not src.is_dir():
        pytest.skip(f"{src} is absent (../shared/real-traces is not beside the checkout)")
    bodies = sorted(src.glob("*.sse"))
    out = tmp_path / "out"
    r = _cli(str(src), "--to", str(out))
    assert r.exit_code == 0, r.output
    assert f"{len(bodies)} imported, 0 skipped" in r.output, r.output
    traces = {t.provenance["source"]: t for t in _traces(out)}
    assert sorted(traces) == [p.name for p in bodies]
    for p in bodies:
        raw = p.read_bytes()
        trace = traces[p.name]
        assert trace.body == raw and trace.reads is None
        assert _plan(trace) == kit.replay(from_body(raw, api=trace.api)).plan, p.name
        assert str(REAL_TRACES) not in (out / f"{trace.id}.json").read_text()


# -- Gemini (google.generate_content) ------------------------------------------------------------

GEMINI = "google.generate_content"
FAKE_GOOGLE_KEY = "AIza" + "SyFakeKey0123456789_abcdefghijkl-mn"  # shaped like a Google API key (39 chars); not one
FAKE_TOKEN = "ya29.a0FakeAccessTokenForTheKitTestsOnly0123456789"  # shaped like an OAuth access token; not one
GEMINI_URL = ("https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent"
              f"?alt=sse&key={FAKE_GOOGLE_KEY}")
VERTEX_URL = ("https://europe-west4-aiplatform.googleapis.com/v1/projects/tide-lab/locations/europe-west4/publishers/"
              "google/models/gemini-2.5-pro:streamGenerateContent?alt=sse")


def _gemini_body(*payloads: dict, eol: str = "\r\n") -> bytes:
    """A Gemini stream as Google frames it: one data line per GenerateContentResponse, CRLF."""
    return "".join(f"data: {json.dumps(p, separators=(',', ':'))}{eol}{eol}" for p in payloads).encode()


def _candidate(parts: list, finish: str | None = None) -> dict:
    c: dict = {"content": {"role": "model", "parts": parts}, "index": 0}
    if finish:
        c["finishReason"] = finish
    return c


# text in two chunks, then a whole functionCall (no id, as the Gemini API sends it) with STOP
GEMINI_BODY = _gemini_body(
    {"candidates": [_candidate([{"text": "Checking the tide tables"}])], "modelVersion": "gemini-2.5-flash"},
    {"candidates": [_candidate([{"text": " for Brest."},
                                {"functionCall": {"name": "get_tides", "args": {"port": "Brest", "day": "tomorrow"}}}],
                               "STOP")],
     "usageMetadata": {"promptTokenCount": 40, "candidatesTokenCount": 18, "totalTokenCount": 58},
     "modelVersion": "gemini-2.5-flash"})
# Vertex AI: two parallel calls with ids in one chunk, usage in a chunk of its own after the finish
VERTEX_BODY = _gemini_body(
    {"candidates": [_candidate([{"functionCall": {"id": "c-1", "name": "get_tides", "args": {"port": "Brest"}}},
                                {"functionCall": {"id": "c-2", "name": "get_tides", "args": {"port": "Cherbourg"}}}],
                               "STOP")]},
    {"usageMetadata": {"promptTokenCount": 52, "candidatesTokenCount": 24, "totalTokenCount": 76}})


def _gemini_do(trace) -> list[tuple]:
    return [(c["call_id"], c["action"], c["parameters"]) for c in _plan(trace)["choices"][0]["commands"]
            if c["type"] == "DO"]


VCRPY_GEMINI = """\
interactions:
- request:
    body: '{"contents": [{"role": "user", "parts": [{"text": "Tides in Brest tomorrow?"}]}]}'
    headers:
      Content-Type:
      - application/json
      x-goog-api-key:
      - @KEY@
    method: POST
    uri: @URL@
  response:
    body:
      string: @BODY@
    headers:
      Content-Type:
      - text/event-stream
      Server-Timing:
      - gfet4t7; dur=812
    status:
      code: 200
      message: OK
version: 1
"""


def test_a_vcrpy_cassette_of_a_gemini_stream_imports(tmp_path):
    pytest.importorskip("yaml", reason="PyYAML is not installed (pip install '.[test]')")
    src = tmp_path / "test_tides.yaml"
    src.write_text(VCRPY_GEMINI.replace("@KEY@", FAKE_GOOGLE_KEY).replace("@URL@", GEMINI_URL)
                   .replace("@BODY@", json.dumps(GEMINI_BODY.decode())), encoding="utf-8")
    out = tmp_path / "out"
    r = _cli(str(src), "--to", str(out))
    assert r.exit_code == 0, r.output
    (trace,) = _traces(out)
    assert trace.id == "y_test_tides_0" and trace.api == GEMINI and trace.body == GEMINI_BODY  # CRLF kept
    assert trace.provenance["provider"] == "gemini" and trace.provenance["model"] == "gemini-2.5-flash"
    assert parse_qs(urlsplit(trace.request["url"]).query) == {"alt": ["sse"], "key": ["<redacted>"]}
    assert trace.request["headers"]["x-goog-api-key"] == "<redacted>"
    assert trace.request["body"]["contents"][0]["parts"][0]["text"] == "Tides in Brest tomorrow?"
    assert trace.response["status"] == 200
    assert _plan(trace) == kit.replay(from_body(GEMINI_BODY, api=GEMINI)).plan
    assert _gemini_do(trace) == [(None, "get_tides", {"port": "Brest", "day": "tomorrow"})]
    assert FAKE_GOOGLE_KEY not in (out / "y_test_tides_0.json").read_text(encoding="utf-8")


# go-vcr writes its cassettes with yaml.v3: format version 1 (go-vcr v1, v2: request url/method/body/
# form/headers, response body/headers/status "200 OK"/code/duration) and version 2 (go-vcr v3, v4: the
# same plus proto, content_length, host... and an id per interaction); see pkg/cassette/cassette.go
GO_VCR_V1 = """\
---
version: 1
interactions:
- request:
    body: '{"contents":[{"role":"user","parts":[{"text":"Tides in Brest and Cherbourg?"}]}]}'
    form: {}
    headers:
      Authorization:
      - Bearer @TOKEN@
      Content-Type:
      - application/json
    url: @URL@
    method: POST
  response:
    body: @BODY@
    headers:
      Content-Type:
      - text/event-stream
    status: 200 OK
    code: 200
    duration: ""
"""

GO_VCR_V2 = """\
---
version: 2
interactions:
    - id: 0
      request:
        proto: HTTP/1.1
        proto_major: 1
        proto_minor: 1
        content_length: 84
        transfer_encoding: []
        trailer: {}
        host: europe-west4-aiplatform.googleapis.com
        remote_addr: ""
        request_uri: ""
        body: '{"contents":[{"role":"user","parts":[{"text":"Tides in Brest and Cherbourg?"}]}]}'
        form: {}
        headers:
            Authorization:
                - Bearer @TOKEN@
            Content-Type:
                - application/json
        url: @URL@
        method: POST
      response:
        proto: HTTP/2.0
        proto_major: 2
        proto_minor: 0
        transfer_encoding: []
        trailer: {}
        content_length: -1
        uncompressed: false
        body: @BODY@
        headers:
            Content-Type:
                - text/event-stream
            Vary:
                - Origin
        status: 200 OK
        code: 200
        duration: 1.204s
"""


@pytest.mark.parametrize("template", [GO_VCR_V1, GO_VCR_V2], ids=["format-1", "format-2"])
def test_a_go_vcr_cassette_of_a_vertex_stream_imports(template, tmp_path):
    pytest.importorskip("yaml", reason="PyYAML is not installed (pip install '.[test]')")
    src = tmp_path / "TestTides.yaml"
    src.write_text(template.replace("@TOKEN@", FAKE_TOKEN).replace("@URL@", VERTEX_URL)
                   .replace("@BODY@", json.dumps(VERTEX_BODY.decode())), encoding="utf-8")
    out = tmp_path / "out"
    r = _cli(str(src), "--to", str(out))
    assert r.exit_code == 0, r.output
    (trace,) = _traces(out)
    assert trace.api == GEMINI and trace.cls == "y" and trace.body == VERTEX_BODY
    assert trace.provenance["provider"] == "vertex" and trace.provenance["model"] == "gemini-2.5-pro"
    assert trace.response["status"] == 200  # go-vcr's `code`, beside its `status: 200 OK`
    assert trace.request["url"] == VERTEX_URL and trace.request["headers"]["authorization"] == "<redacted>"
    assert _gemini_do(trace) == [("c-1", "get_tides", {"port": "Brest"}), ("c-2", "get_tides", {"port": "Cherbourg"})]
    assert _plan(trace)["usage"] == {"input_tokens": 52, "output_tokens": 24}
    assert FAKE_TOKEN not in (out / f"{trace.id}.json").read_text(encoding="utf-8")


def test_gemini_raw_bodies_hars_and_json_array_streams(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "tides.sse").write_bytes(GEMINI_BODY)  # no path: the body tells the API
    (src / "tides_lf.sse").write_bytes(GEMINI_BODY.replace(b"\r\n", b"\n"))  # a proxy's LF framing
    # without ?alt=sse Gemini streams one JSON array: not SSE, skipped and said so
    array = "[" + ",\r\n".join(json.dumps(json.loads(line[6:])) for line in GEMINI_BODY.decode().split("\r\n\r\n")
                               if line) + "]"
    har = {"log": {"version": "1.2", "creator": {"name": "test", "version": "1"}, "entries": [
        {"request": {"method": "POST", "url": VERTEX_URL,
                     "headers": [{"name": "Authorization", "value": f"Bearer {FAKE_TOKEN}"}],
                     "postData": {"mimeType": "application/json", "text": '{"contents":[]}'}},
         "response": {"status": 200, "headers": [{"name": "Content-Type", "value": "text/event-stream"}],
                      "content": {"mimeType": "text/event-stream", "text": VERTEX_BODY.decode()}}},
        {"request": {"method": "POST", "url": GEMINI_URL.replace("?alt=sse&", "?"), "headers": []},
         "response": {"status": 200, "headers": [{"name": "Content-Type", "value": "application/json"}],
                      "content": {"mimeType": "application/json", "text": array}}},
    ]}}
    (src / "browser.har").write_text(json.dumps(har), encoding="utf-8")
    out = tmp_path / "out"
    r = _cli(str(src), "--to", str(out))
    assert r.exit_code == 0, r.output
    assert "interaction 1: a Gemini stream without alt=sse (a JSON array, not SSE)" in r.output
    assert "3 imported, 1 skipped (1 not streaming)" in r.output
    traces = {t.id: t for t in _traces(out)}
    assert set(traces) == {"y_tides", "y_tides_lf", "y_browser_0"}
    assert all(t.api == GEMINI for t in traces.values())
    assert traces["y_browser_0"].provenance["provider"] == "vertex"
    assert _plan(traces["y_tides"]) == _plan(traces["y_tides_lf"])  # CRLF or LF: one Plan
    assert FAKE_GOOGLE_KEY not in r.output and FAKE_TOKEN not in (out / "y_browser_0.json").read_text()


def test_kit_lint_reads_an_imported_gemini_trace(tmp_path):
    # a clean stream, one with an OpenAI-style [DONE] (a dialect: y, but an error under lint's strict profile),
    # and one cut off before its finishReason (a fault: auto class n)
    (tmp_path / "clean.sse").write_bytes(GEMINI_BODY)
    (tmp_path / "done.sse").write_bytes(GEMINI_BODY + b"data: [DONE]\r\n\r\n")
    (tmp_path / "cut.sse").write_bytes(GEMINI_BODY.split(b"\r\n\r\n")[0] + b"\r\n\r\n")
    out = tmp_path / "out"
    r = _cli(str(tmp_path / "clean.sse"), str(tmp_path / "done.sse"), str(tmp_path / "cut.sse"), "--to", str(out))
    assert r.exit_code == 0, r.output
    assert sorted(t.id for t in _traces(out)) == ["n_cut", "y_clean", "y_done"]
    lint = CliRunner().invoke(main, ["lint", str(out / "y_clean.json")])
    assert lint.exit_code == 0 and "error" not in lint.output, lint.output
    lint = CliRunner().invoke(main, ["lint", str(out / "y_done.json")])
    assert lint.exit_code == 1 and "gem-done-sentinel" in lint.output, lint.output
    assert CliRunner().invoke(main, ["lint", "--profile", "lenient", str(out / "y_done.json")]).exit_code == 0
    lint = CliRunner().invoke(main, ["lint", "--json", str(out / "n_cut.json")])
    assert lint.exit_code == 1, lint.output
    rules = {json.loads(line)["rule"] for line in lint.output.splitlines()}
    assert "gem-truncated" in rules, lint.output
