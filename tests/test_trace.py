"""Trace files: loading, validation errors with JSON pointers, chunk plans."""

from __future__ import annotations

import base64
import json

import pytest

from kit.errors import TraceError, UsageError
from kit.trace import CHUNK_PLANS, Trace, chunk, detect_api, from_json, load, parse_chunking

BODY = "data: {\"a\":1}\n\n: ping\ndata: {\"b\":2}\r\n\r\ndata: [DONE]\n\n"


def doc(**over):
    d = {"format": "kit-trace/1", "id": "y_demo", "api": "openai.chat.completions", "class": "y",
         "description": "demo", "rules": ["chat-usage"], "provenance": {"kind": "synthetic"}, "body": BODY}
    d.update(over)
    return d


def write(tmp_path, d, name="t.json"):
    p = tmp_path / name
    p.write_text(json.dumps(d) if not isinstance(d, str) else d)
    return p


def test_load_string_body(tmp_path):
    t = load(write(tmp_path, doc()))
    assert t.body == BODY.encode() and t.reads is None and t.cls == "y"
    assert t.chunks("recorded") == t.chunks("event")


def test_body_as_list_is_the_reads(tmp_path):
    t = load(write(tmp_path, doc(body=["data: {\"a\"", ":1}\n\n", "data: [DONE]\n\n"])))
    assert t.reads == [0, 10, 15]
    assert t.chunks() == [b'data: {"a"', b":1}\n\n", b"data: [DONE]\n\n"]


def test_base64_body_with_reads(tmp_path):
    raw = "data: é\n\n".encode()
    d = doc(body_base64=base64.b64encode(raw).decode(), reads=[0, 7])
    del d["body"]
    t = load(write(tmp_path, d))
    assert t.chunks() == [raw[:7], raw[7:]]


@pytest.mark.parametrize("bad,pointer,words", [
    (dict(api="openai.chat"), "/api", "is not one of"),
    (dict(rules=["no-such-rule"]), "/rules/0", "unknown rule id"),
    (dict(reads=[0, 5, 3]), "/reads/2", "must increase"),
    (dict(reads=[1]), "/reads/0", "offset 0"),
    (dict(reads=[0, 9999]), "/reads/1", "past the end"),
    (dict(provenance={"kind": "magic"}), "/provenance/kind", "is not one of"),
    (dict(read_times=[0.1]), "/read_times", "one time per read"),
], ids=["api", "rule", "order", "start", "past-end", "provenance", "times"])
def test_bad_trace_names_file_and_pointer(tmp_path, bad, pointer, words):
    p = write(tmp_path, doc(**bad))
    with pytest.raises(TraceError) as info:
        load(p)
    msg = str(info.value)
    assert str(p) in msg and f"at {pointer}" in msg and words in msg
    assert "\n" not in info.value.one_line()


def test_body_and_body_base64_exclusive(tmp_path):
    with pytest.raises(TraceError, match="exactly one of `body` and `body_base64`"):
        load(write(tmp_path, doc(body_base64="AAAA")))


def test_invalid_json_file(tmp_path):
    with pytest.raises(TraceError, match=r"invalid JSON at line 1 column"):
        load(write(tmp_path, "{not json"))


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(TraceError, match="no such file"):
        load(tmp_path / "nope.json")
    with pytest.raises(TraceError, match="is a folder"):
        load(tmp_path)


def test_raw_sse_body_with_and_without_api(tmp_path):
    p = tmp_path / "x.sse"
    p.write_bytes(b'data: {"object":"chat.completion.chunk","choices":[]}\n\n')
    assert load(p).api == "openai.chat.completions"
    assert load(p, api="openai.chat.completions").cls == "i"
    q = tmp_path / "y.sse"
    q.write_bytes(b"data: hello\n\n")
    with pytest.raises(UsageError, match="--api"):
        load(q)


def test_detect_api():
    assert detect_api(b'event: message_start\ndata: {"type":"message_start"}') == "anthropic.messages"
    assert detect_api(b'data: {"type":"response.created"}') == "openai.responses"
    assert detect_api(b'data: {"choices":[]}') == "openai.chat.completions"
    assert detect_api(b"data: 1") is None


@pytest.mark.parametrize("plan", ["recorded", "event", "bytewise", "whole", "fixed:1", "fixed:7", "random:0", "random:99"])
def test_every_plan_reassembles_the_body(plan):
    body = BODY.encode()
    reads = chunk(body, plan, reads=[0, 3, 20])
    assert b"".join(reads) == body and all(reads)


def test_plan_shapes():
    body = BODY.encode()
    assert chunk(body, "whole") == [body]
    assert len(chunk(body, "bytewise")) == len(body)
    assert [len(r) for r in chunk(body, "fixed:10")][:-1] == [10] * (len(chunk(body, "fixed:10")) - 1)
    assert chunk(body, "random:5") == chunk(body, "random:5") != chunk(body, "random:6")
    assert max(len(r) for r in chunk(body * 20, "random:1")) <= 40
    events = chunk(body, "event")
    assert events == [b'data: {"a":1}\n\n', b': ping\ndata: {"b":2}\r\n\r\n', b"data: [DONE]\n\n"]


@pytest.mark.parametrize("plan", ["fixed:0", "fixed:x", "random:", "nope", "bytes"])
def test_unknown_plan_is_a_usage_error(plan):
    with pytest.raises(UsageError, match="unknown chunk plan"):
        parse_chunking(plan)
    assert len(CHUNK_PLANS) == 6


def test_to_json_round_trip(tmp_path):
    t = load(write(tmp_path, doc(body=["data: {\"a\"", ":1}\n\n"])))
    again = from_json(json.loads(json.dumps(t.to_json())))
    assert again.body == t.body and again.reads == t.reads
    bad = Trace(id="y_x", api=t.api, cls="y", body=b"\xff\xfe", reads=[0, 1], provenance={"kind": "synthetic"}, description="not UTF-8")
    round_tripped = from_json(bad.to_json())
    assert round_tripped.body == b"\xff\xfe" and round_tripped.reads == [0, 1]
