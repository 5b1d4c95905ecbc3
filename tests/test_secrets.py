"""kit.secrets: redaction of headers, URLs and JSON fields; the scan that fails closed."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kit import secrets
from kit.cli import main
from kit.errors import UsageError
from kit.trace import Trace, corpus

from .conftest import REAL_TRACES

ANT = "sk-ant-api03-" + "Q" * 40 + "-AbCdEf012345"
OPENAI = "sk-proj-" + "a1B2c3D4" * 6
KEYS = {
    "openai-key": OPENAI,
    "anthropic-key": ANT,
    "openrouter-key": "sk-or-v1-" + "0f" * 32,
    "groq-key": "gsk_" + "x9" * 26,
    "xai-key": "xai-" + "Zz8" * 20,
    "google-api-key": "AIza" + "Sy" + "B" * 33,
    "google-oauth-token": "ya29." + "a0AfB_byC" * 4,
    "aws-access-key-id": "AKIA" + "IOSFODNN7EXAMPLE",
    "github-token": "ghp_" + "a" * 36,
    "slack-token": "xoxb-" + "1234567890-abcdef",
    "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    "bearer-token": "Bearer abcdef0123456789abcdef",
}


# -- redaction ---------------------------------------------------------------------------------


def test_redact_headers_replaces_credentials_and_keeps_the_rest():
    got = secrets.redact_headers({
        "Authorization": "Bearer sk-x", "api-key": "k", "X-Api-Key": "k", "Cookie": "a=b", "Set-Cookie": "c=d",
        "OpenAI-Organization": "org-1", "OpenAI-Project": "proj_1", "anthropic-organization-id": "o",
        "x-goog-api-key": "g", "Proxy-Authorization": "Basic x", "x-portkey-api-key": "p",
        "Content-Type": "text/event-stream", "x-ratelimit-remaining-tokens": "99", "x-request-id": "req_1",
    })
    for name in ("authorization", "api-key", "x-api-key", "cookie", "set-cookie", "openai-organization",
                 "openai-project", "anthropic-organization-id", "x-goog-api-key", "proxy-authorization",
                 "x-portkey-api-key"):
        assert got[name] == "<redacted>", name
    assert got["content-type"] == "text/event-stream"
    assert got["x-ratelimit-remaining-tokens"] == "99"
    assert got["x-request-id"] == "req_1"


def test_redact_headers_takes_pairs_and_joins_repeats():
    got = secrets.redact_headers([(b"Set-Cookie", b"a=1"), (b"set-cookie", b"b=2"), (b"Vary", b"a"), (b"vary", b"b")])
    assert got == {"set-cookie": "<redacted>", "vary": "a, b"}


@pytest.mark.parametrize("url, want", [
    ("https://x.googleapis.com/v1/m:stream?alt=sse&key=AIzaSECRET", "https://x.googleapis.com/v1/m:stream?alt=sse&key=%3Credacted%3E"),
    ("https://h/v1?api-version=2024-10-21&api_key=s", "https://h/v1?api-version=2024-10-21&api_key=%3Credacted%3E"),
    ("https://h/p?token=t&access_token=a&sig=s&signature=z&x=1",
     "https://h/p?token=%3Credacted%3E&access_token=%3Credacted%3E&sig=%3Credacted%3E&signature=%3Credacted%3E&x=1"),
    ("https://user:pw@h/p", "https://user:<redacted>@h/p"),
    ("http://127.0.0.1:8080/v1/chat/completions", "http://127.0.0.1:8080/v1/chat/completions"),
])
def test_redact_url(url, want):
    assert secrets.redact_url(url) == want


def test_redact_json_by_field_name_recursively_but_not_token_counts():
    doc = {
        "model": "m", "max_tokens": 100, "max_completion_tokens": 5, "prompt_cache_key": "user-1",
        "api_key": "s", "apiKey": "s", "metadata": {"clientSecret": "s", "password": "p", "nested": [{"token": "t"}]},
        "tools": [{"type": "mcp", "server_url": "https://m", "headers": {"Authorization": "Bearer x"},
                   "parameters": {"properties": {"token": {"type": "string"}}, "required": ["token"]}}],
        "messages": [{"role": "user", "content": f"my key is {OPENAI}, keep it"}],
    }
    got = secrets.redact_json(doc)
    assert got["max_tokens"] == 100 and got["max_completion_tokens"] == 5
    assert got["prompt_cache_key"] == "user-1"
    assert got["api_key"] == got["apiKey"] == "<redacted>"
    assert got["metadata"] == {"clientSecret": "<redacted>", "password": "<redacted>", "nested": [{"token": "<redacted>"}]}
    assert got["tools"][0]["headers"] == {"Authorization": "<redacted>"}
    # a JSON schema that names a parameter "token" is not a credential
    assert got["tools"][0]["parameters"] == doc["tools"][0]["parameters"]
    assert got["messages"][0]["content"] == "my key is <redacted>, keep it"
    assert doc["api_key"] == "s"  # a copy
    assert secrets.scan(got) == []


def test_redact_json_with_extra_patterns():
    got = secrets.redact_json({"messages": [{"content": "ticket ACME-4242-XYZ"}]}, extra=[r"ACME-\d+-[A-Z]+"])
    assert got["messages"][0]["content"] == "ticket <redacted>"


# -- the scan ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(KEYS))
def test_scan_finds_each_provider_pattern(name):
    body = f'data: {{"choices":[{{"delta":{{"content":"{KEYS[name]}"}}}}]}}\n\n'
    (f,) = secrets.scan({"format": "kit-trace/1", "body": body})
    assert f.pattern == name
    assert f.pointer == "/body"
    assert f.offset == body.index(KEYS[name].split()[0])
    assert KEYS[name] not in str(f) and KEYS[name][12:] not in f.excerpt


def test_scan_names_json_pointers_and_byte_offsets_in_a_body_of_reads():
    doc = {
        "request": {"url": "https://h/v1", "headers": {"authorization": f"Bearer {OPENAI}"},
                    "json": {"messages": [{"content": ANT}]}},
        "body": ["data: {\"t\":\"é", f"{ANT[:9]}", f"{ANT[9:]}\"}}\n\n"],
    }
    found = {(f.pointer, f.pattern, f.offset) for f in secrets.scan(doc)}
    assert found == {
        ("/request/headers/authorization", "openai-key", None),
        ("/request/json/messages/0/content", "anthropic-key", None),
        ("/body", "anthropic-key", len("data: {\"t\":\"é".encode())),  # a key split across reads is found
    }


def test_scan_decodes_base64_bodies_and_takes_traces_and_bytes():
    raw = b"\xff\xfe data: " + ANT.encode() + b"\n\n"
    (f,) = secrets.scan({"body_base64": base64.b64encode(raw).decode()})
    assert (f.pointer, f.pattern, f.offset) == ("/body_base64 (decoded)", "anthropic-key", raw.index(b"sk-ant"))
    trace = Trace(id="y_x", api="openai.chat.completions", cls="y", body=raw, provenance={"kind": "recorded"})
    assert [g.pattern for g in secrets.scan(trace)] == ["anthropic-key"]
    assert [g.offset for g in secrets.scan(raw)] == [raw.index(b"sk-ant")]


def test_scan_extra_patterns_and_bad_ones():
    (f,) = secrets.scan("internal ACME-4242-XYZ", extra=[r"ACME-\d+-[A-Z]+"])
    assert f.pattern == r"extra /ACME-\d+-[A-Z]+/"
    with pytest.raises(UsageError, match="not a regular expression"):
        secrets.scan("x", extra=["("])
    with pytest.raises(UsageError, match="empty string"):
        secrets.scan("x", extra=["a*"])


@pytest.mark.parametrize("text", [
    "task-1234567890abcdefghijkl",                       # sk- inside a word
    '"signature":"EqQBCkgIAxABGAIiQAKIAIOSFODNN7EXAMPLEx+/"',  # AKIA inside a base64 blob
    "Use a Bearer authentication header",               # prose
    "max_tokens=1024 prompt_tokens=12",
    "<redacted>",
])
def test_scan_leaves_lookalikes_alone(text):
    assert secrets.scan(text) == []


def test_the_bundled_corpus_has_no_findings():
    traces = corpus()
    assert len(traces) > 100
    assert {t.name: [str(f) for f in secrets.scan(t)] for t in traces if secrets.scan(t)} == {}


@pytest.mark.real_traces
def test_the_real_traces_have_no_findings():
    if not REAL_TRACES.is_dir():
        pytest.skip(f"{REAL_TRACES} is absent (the real traces live beside the checkout, not in it)")
    files = sorted(p for p in REAL_TRACES.rglob("*") if p.is_file() and p.suffix in (".sse", ".json"))
    assert len(files) >= 38
    bad = {}
    for p in files:
        found = secrets.scan(p.read_bytes())
        if p.suffix == ".json":
            found += secrets.scan(json.loads(p.read_text(encoding="utf-8")))
        if found:
            bad[p.name] = [str(f) for f in found]
    assert bad == {}


# -- guard -------------------------------------------------------------------------------------


def test_guard_fails_closed_with_pointer_and_pattern_but_not_the_secret():
    with pytest.raises(secrets.SecretFound) as info:
        secrets.guard({"body": f"data: {ANT}\n\n", "request": {"headers": {"x-api-key": ANT}}}, what="t.json")
    msg = info.value.one_line()
    assert msg.startswith("t.json: a secret survived redaction, nothing written: /body at byte 6: anthropic-key")
    assert "/request/headers/x-api-key" in msg
    assert ANT not in msg and ANT[10:30] not in msg
    assert info.value.exit_code == 5
    secrets.guard({"body": "data: {}\n\n", "request": {"headers": {"x-api-key": "<redacted>"}}})


def test_promote_refuses_a_trace_with_a_key_in_it(tmp_path):
    body = ('data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"'
            + ANT + '"},"finish_reason":null}]}\n\n'
            'data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n'
            "data: [DONE]\n\n")
    src = tmp_path / "y_leak.sse"
    src.write_text(body)
    out = tmp_path / "corpus"
    result = CliRunner().invoke(main, ["promote", str(src), "--to", str(out), "--api", "openai.chat.completions"])
    assert result.exit_code == 5, result.output
    assert "anthropic-key" in result.output and "/body at byte" in result.output
    assert ANT not in result.output
    assert not out.exists() or list(out.iterdir()) == []
    # the same body without the key is promoted
    src.write_text(body.replace(ANT, "hello"))
    result = CliRunner().invoke(main, ["promote", str(src), "--to", str(out), "--api", "openai.chat.completions"])
    assert result.exit_code == 0, result.output
    assert Path(result.output.strip()).is_file()


def test_a_key_split_across_deltas_is_found_at_the_event_where_it_starts():
    first = 'data: {"choices":[{"index":0,"delta":{"content":"key: ' + ANT[:10] + '"}}]}\n\n'
    second = 'data: {"choices":[{"index":0,"delta":{"content":"' + ANT[10:] + '"}}]}\n\n'
    (f,) = secrets.scan({"body": "data: {}\n\n" + first + second})
    assert (f.pointer, f.pattern, f.offset) == ("/body", "anthropic-key", len("data: {}\n\n"))
    assert "split across them" in str(f) and ANT[10:] not in str(f)


def test_a_google_key_split_across_streamed_gemini_arguments_is_found():
    """Gemini streams a call's string arguments as partialArgs stringValue pieces."""
    key = KEYS["google-api-key"]
    part = ('data: {"candidates":[{"content":{"parts":[{"functionCall":{"partialArgs":[{"jsonPath":"$.cfg",'
            '"stringValue":"%s","willContinue":true}],"willContinue":true}}]}}]}\r\n\r\n')
    body = part % ("key=" + key[:12]) + part % key[12:]
    (f,) = secrets.scan({"body": body})
    assert f.pattern == "google-api-key" and "split across them" in str(f)
