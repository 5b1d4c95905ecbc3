"""A robust core: mutated corpus streams and trace files raise nothing but KitError.

The property tests draw the mutations of ``tests/fuzz_corpus.py`` (the big seeded run
lives there, out of the suite) with hypothesis: a corpus trace of one API, one to three
mutations, random reads, then a replay through every reference under both profiles. The
examples below them pin the crash classes the 100,000-case run found, one per rule.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

import kit
from kit.errors import KitError, TraceError
from kit.trace import API_ALIASES, APIS

from .fuzz_corpus import KINDS, cut_reads, load_mutated, mutate_body, replay_everywhere, vocabulary

CORPUS = kit.corpus()
VOCAB = vocabulary(CORPUS)
BY_API = {api: [t for t in CORPUS if t.api == api] for api in APIS}


def _pick(data: st.DataObject):
    def pick(n: int) -> int:
        return data.draw(st.integers(0, n - 1)) if n > 1 else 0
    return pick


@pytest.mark.parametrize("api", APIS, ids=[next(k for k, v in API_ALIASES.items() if v == api) for api in APIS])
@given(data=st.data())
def test_mutated_streams_raise_only_kit_errors(api, data):
    if not BY_API[api]:
        pytest.skip(f"no corpus trace of {api}")
    trace = data.draw(st.sampled_from(BY_API[api]), label="trace")
    kinds = data.draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=3), label="mutations")
    pick = _pick(data)
    body = trace.body
    for kind in kinds:
        body = mutate_body(body, pick, kind, VOCAB)
    reads = cut_reads(body, pick)
    try:
        replay_everywhere(body, reads, pick)  # every reference, both profiles
    except KitError:
        pass


@given(data=st.data())
def test_mutated_trace_files_raise_only_trace_errors(data):
    trace = data.draw(st.sampled_from(CORPUS), label="trace")
    try:
        load_mutated(trace, _pick(data))
    except KitError as exc:
        assert isinstance(exc, TraceError) and "fuzz.json" in str(exc) and "\n" not in exc.one_line()


# -- the crash classes found, one example each --------------------------------------------------


def _chat(*chunks: dict, done: bool = True) -> bytes:
    body = b"".join(b"data: " + json.dumps(c).encode() + b"\n\n" for c in chunks)
    return body + (b"data: [DONE]\n\n" if done else b"")


def _call_chunk(**fragment) -> dict:
    frag = {"index": 0, "id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
    frag.update(fragment)
    return {"object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {"tool_calls": [frag]},
                                                           "finish_reason": "tool_calls"}]}


def _rules(api: str, body: bytes, profile: str = "lenient") -> list[str]:
    return [d.rule for d in kit.replay_reads(api, [body], profile=profile).diagnostics]


@pytest.mark.parametrize("profile", ["lenient", "strict"])
@pytest.mark.parametrize("value", [[], ["function"], {"a": 1}], ids=["empty-list", "list", "object"])
def test_once_keys_a_payload_list_or_object_without_hashing_it(value, profile):
    body = _chat(_call_chunk(type=value))
    assert "chat-tool-fragment-shape" in _rules("openai.chat.completions", body, profile)
    typed = (b'data: {"type":"message_start","message":{}}\n\n'
             b'data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n'
             b'data: {"type":"content_block_delta","index":0,"delta":{"type":' + json.dumps(value).encode() + b"}}\n\n")
    assert _rules("anthropic.messages", typed * 2, profile).count("anth-unknown-event") == 1  # noted once


def test_responses_incomplete_reason_of_any_type():
    body = (b'data: {"type":"response.created","sequence_number":0}\n\n'
            b'data: {"type":"response.incomplete","sequence_number":1,'
            b'"response":{"incomplete_details":{"reason":["max_output_tokens"]}}}\n\n')
    r = kit.replay_reads("openai.responses", [body])
    assert r.plan["choices"][0]["finish_reason"] == "incomplete"


@pytest.mark.parametrize("index,expected", [("1", 1), ("\u0663", 3), ("\u00b2", None), ("9" * 5000, None)],
                         ids=["ascii", "arabic-indic", "superscript", "too-long"])
def test_tool_call_index_as_a_string(index, expected):
    first = _call_chunk(index=index)
    r = kit.replay_reads("openai.chat.completions", [_chat(first)])
    assert len(r.plan["choices"][0]["commands"]) == 1
    assert ("chat-tool-fragment-shape" in [d.rule for d in r.diagnostics]) == (expected is not None)
    assert ("chat-tool-index-missing" in [d.rule for d in r.diagnostics]) == (expected is None)


@pytest.mark.parametrize("api,rule", [("openai.chat.completions", "chat-data-json"),
                                      ("openai.responses", "resp-event-json"),
                                      ("anthropic.messages", "anth-event-json")])
@pytest.mark.parametrize("data,words", [
    ('{"type":"x","n":' + "1" * 5000 + "}", "integer string conversion"),
    ('{"type":"x","a":' + "[" * 501 + "]" * 501 + "}", "deeper than 500 levels"),
    ("[" * 5000 + "]" * 5000, "deeper than 500 levels"),
    ('{"type":"x","a":' + "[" * 980 + "]" * 980 + "}", "deeper than 500 levels"),
], ids=["long-integer", "depth-502", "depth-5000", "depth-981"])
def test_data_python_cannot_hold_is_reported_not_raised(api, rule, data, words):
    r = kit.replay_reads(api, [f"data: {data}\n\n".encode()])
    found = [d for d in r.diagnostics if d.rule == rule]
    assert found and words in found[0].message and len(found[0].message) < 200


def test_depth_at_the_limit_is_decoded():
    payload = {"object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {"content": "hi"}}],
               "x": json.loads("[" * 497 + "]" * 497)}  # 500 levels with the object, choices, ...: not more
    text = json.dumps(payload)
    r = kit.replay_reads("openai.chat.completions", [b"data: " + text.encode() + b"\n\ndata: [DONE]\n\n"])
    assert r.plan["choices"][0]["commands"] == [{"type": "SAY", "text": "hi"}]
    assert "chat-data-json" not in [d.rule for d in r.diagnostics]


def test_strings_with_brackets_do_not_count_as_nesting():
    text = json.dumps({"object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {"content": "[{" * 600}}]})
    r = kit.replay_reads("openai.chat.completions", [b"data: " + text.encode() + b"\n\ndata: [DONE]\n\n"])
    assert r.plan["choices"][0]["commands"] == [{"type": "SAY", "text": "[{" * 600}]


def test_arguments_python_cannot_decode_are_invalid():
    body = _chat(_call_chunk(function={"name": "f", "arguments": '{"n": ' + "7" * 5000 + "}"}))
    call = kit.replay_reads("openai.chat.completions", [body]).plan["choices"][0]["commands"][0]
    assert call["parameters"] is None and call["invalid_arguments"] is True


def test_retry_too_long_for_int_is_ignored():
    body = b"retry: " + b"9" * 5000 + b"\n" + _chat({"object": "chat.completion.chunk", "choices": []})
    r = kit.replay_reads("openai.chat.completions", [body])
    assert [d.message for d in r.diagnostics if d.rule == "sse-unknown-field"] == [
        "`retry` value of 5000 digits is too long; ignored"]


def test_a_lone_surrogate_in_the_payload_reaches_the_cli_output_escaped(tmp_path):
    import subprocess
    import sys

    p = tmp_path / "y_surrogate.sse"  # JSON can spell a lone surrogate; UTF-8 cannot encode it
    p.write_bytes(_chat({"object": "chat.completion.chunk",
                         "choices": [{"index": 0, "delta": {"content": "a\ud800b"}, "finish_reason": "stop"}]}))
    assert b"\\ud800" in p.read_bytes()
    for args in (["--json"], []):
        r = subprocess.run([sys.executable, "-m", "kit", "replay", str(p), "--api", "chat", *args],
                           capture_output=True, timeout=60)
        assert r.returncode == 0, r.stderr
        assert b"a\\ud800b" in r.stdout
    plan = json.loads(subprocess.run([sys.executable, "-m", "kit", "replay", str(p), "--api", "chat", "--json"],
                                     capture_output=True, timeout=60).stdout)
    assert plan["choices"][0]["commands"] == [{"type": "SAY", "text": "a\ud800b"}]


def test_canonical_json_of_a_lone_surrogate_can_be_written():
    from kit.plan import canonical_json

    for indent in (None, 2):
        text = canonical_json({"text": "a\ud800b", "b": "é"}, indent=indent)
        text.encode("utf-8")
        assert json.loads(text) == {"text": "a\ud800b", "b": "é"}
    assert canonical_json({"b": "é"}) == '{"b":"é"}'  # UTF-8 text is kept when it can be


@pytest.mark.parametrize("data", [
    '{"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"tool_calls":5}}]}',
    '{"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":' + "[" * 2000 + "]" * 2000 + "}}]}",
    '{"type":"response.created","x":' + "1" * 5000 + "}",
], ids=["tool-calls-number", "too-deep", "long-integer"])
def test_the_replay_timeline_describes_any_payload(data):
    from kit.report import timeline

    for api in APIS:
        body = f"data: {data}\n\n".encode()
        result = kit.replay_reads(api, [body], timeline=True)
        trace = kit.Trace(id="i_x", api=api, cls="i", body=body, provenance={"kind": "imported"})
        assert "#0" in timeline(trace, result)
