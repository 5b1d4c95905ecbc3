"""Record modes in the pytest plugin: kit_http_client replays saved streams into the user's own
SDK client (none), records them when missing (once), records again (all / rewrite)."""

from __future__ import annotations

import json

pytest_plugins = ["pytester"]

TEST = '''
import openai

def collect(client):
    text, calls = "", {}
    stream = client.chat.completions.create(model="gpt-test", messages=[{"role": "user", "content": "hi"}],
                                            stream=True)
    for chunk in stream:
        for choice in chunk.choices:
            text += choice.delta.content or ""
            for tc in choice.delta.tool_calls or []:
                calls.setdefault(tc.index, tc.function.name)
    return text, calls

def test_agent(kit_http_client, kit_server, kit_trace):
    trace = kit_trace("openai.chat.completions/y_text_then_tool_call")
    client = openai.OpenAI(api_key="sk-proj-FAKEFAKEFAKEFAKEFAKEFAKE1234", base_url=kit_server.url_for(trace),
                           max_retries=0, http_client=kit_http_client("weather"))
    text, calls = collect(client)
    assert calls and text
    print("SERVER REQUESTS", len(kit_server.requests))
'''


def test_none_mode_without_a_trace_fails_with_the_command(pytester):
    pytester.makepyfile(test_agent=TEST)
    r = pytester.runpytest("-p", "no:cacheprovider")
    assert r.parseoutcomes() == {"failed": 1}
    r.stdout.fnmatch_lines(["*no recorded stream kit_traces/test_agent/test_agent--weather.json (record mode none)*",
                            "*pytest --kit-record-mode=once test_agent.py::test_agent*"])


def test_once_records_then_none_replays_without_the_network(pytester):
    pytester.makepyfile(test_agent=TEST)
    r = pytester.runpytest("-p", "no:cacheprovider", "-s", "--kit-record-mode=once")
    assert r.parseoutcomes() == {"passed": 1}
    r.stdout.fnmatch_lines(["*SERVER REQUESTS 1*"])
    saved = pytester.path / "kit_traces" / "test_agent" / "test_agent--weather.json"
    doc = json.loads(saved.read_text())
    from kit.trace import corpus

    served = next(t for t in corpus(api="openai.chat.completions") if t.id == "y_text_then_tool_call")
    assert doc["provenance"]["kind"] == "recorded" and doc["api"] == "openai.chat.completions"
    assert "FAKEFAKE" not in saved.read_text()  # the key never reaches disk
    from kit.trace import load

    assert load(saved).body == served.body
    # none: the saved stream is replayed into the client; the server sees no request
    r = pytester.runpytest("-p", "no:cacheprovider", "-s")
    assert r.parseoutcomes() == {"passed": 1}
    r.stdout.fnmatch_lines(["*SERVER REQUESTS 0*"])
    # once with the trace present: still a replay
    r = pytester.runpytest("-p", "no:cacheprovider", "-s", "--kit-record-mode=once")
    r.stdout.fnmatch_lines(["*SERVER REQUESTS 0*"])
    # rewrite: recorded again
    r = pytester.runpytest("-p", "no:cacheprovider", "-s", "--kit-record-mode=rewrite")
    assert r.parseoutcomes() == {"passed": 1}
    r.stdout.fnmatch_lines(["*SERVER REQUESTS 1*"])


def test_bad_record_mode_is_a_usage_error(pytester):
    pytester.makepyfile(test_agent=TEST)
    r = pytester.runpytest("-p", "no:cacheprovider", "--kit-record-mode=sometimes")
    assert r.parseoutcomes().get("errors") == 1 or r.ret != 0
    assert "sometimes" in r.stdout.str() + r.stderr.str()


GOOGLE_TEST = '''
import pytest

genai = pytest.importorskip("google.genai", reason="the google-genai SDK is not installed")
from google.genai import types

def test_agent(kit_http_client, kit_server, kit_trace):
    trace = kit_trace("google.generate_content/y_text_then_call")
    client = genai.Client(api_key="AIzaFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKE123", http_options=types.HttpOptions(
        base_url=kit_server.url_for(trace), httpx_client=kit_http_client("weather", sdk="google.genai")))
    text, calls = "", []
    for chunk in client.models.generate_content_stream(model="gemini-2.5-flash", contents="weather?"):
        for part in chunk.candidates[0].content.parts or []:
            text += part.text or ""
            if part.function_call:
                calls.append(part.function_call.name)
    assert calls and text
    print("SERVER REQUESTS", len(kit_server.requests))
'''


def test_google_genai_records_then_replays(pytester):
    """The google-genai SDK through kit_http_client: recorded once (the model from the request
    path, the key never on disk), then replayed with no request to the server."""
    pytest = __import__("pytest")
    pytest.importorskip("google.genai", reason="the google-genai SDK is not installed (pip install -e '.[test]')")
    pytester.makepyfile(test_agent=GOOGLE_TEST)
    r = pytester.runpytest("-p", "no:cacheprovider", "-s", "--kit-record-mode=once")
    assert r.parseoutcomes() == {"passed": 1}, r.stdout.str()
    r.stdout.fnmatch_lines(["*SERVER REQUESTS 1*"])
    saved = pytester.path / "kit_traces" / "test_agent" / "test_agent--weather.json"
    doc = json.loads(saved.read_text())
    assert doc["api"] == "google.generate_content" and doc["provenance"]["model"] == "gemini-2.5-flash"
    assert "FAKEFAKE" not in saved.read_text()
    r = pytester.runpytest("-p", "no:cacheprovider", "-s")
    assert r.parseoutcomes() == {"passed": 1}
    r.stdout.fnmatch_lines(["*SERVER REQUESTS 0*"])
