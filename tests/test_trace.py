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


# -- large arrays: the fast `items` keyword is jsonschema's, item for item ------------------------

import jsonschema  # noqa: E402
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from kit._resources import schema  # noqa: E402
from kit._schemacheck import ItemCheck as _ItemCheck  # noqa: E402
from kit.trace import _trace_validator  # noqa: E402

STOCK = jsonschema.Draft202012Validator(schema("trace"))

# values of every JSON type, and the edges of the item schemas (0, -1, 1.0, -0.0, NaN, inf, "")
_items = st.one_of(
    st.integers(-3, 10**6), st.sampled_from([0, -1, 1.0, -0.0, 2.5, float("nan"), float("inf"), -1e-9, True, False,
                                             None, "", "a", "chat-usage", "Not-a-rule", [], {}, [0], {"a": 1}]),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=6),
)


def _array(valid_item, data):
    """A list of mostly valid items with a few of any kind at any place."""
    n = data.draw(st.integers(0, 90), label="length")
    values = [valid_item(i) for i in range(n)]
    for _ in range(data.draw(st.integers(0, 8), label="odd items")):
        if values:
            values[data.draw(st.integers(0, len(values) - 1))] = data.draw(_items)
    return values


def _best(validator, d):
    e = jsonschema.exceptions.best_match(validator.iter_errors(d))
    return None if e is None else (e.message, e.validator, list(e.absolute_path))


@given(data=st.data())
def test_fast_items_report_what_jsonschema_reports(data):
    d = doc(body="x" * 200)
    field = data.draw(st.sampled_from(["reads", "read_times", "body", "rules", "evidence", "two"]), label="array")
    if field in ("reads", "two"):
        d["reads"] = _array(lambda i: i, data)
    if field in ("read_times", "two"):
        d["read_times"] = _array(lambda i: i / 10, data)
    if field == "body":
        d["body"] = _array(lambda i: "data: x\n", data)
    if field == "rules":
        d["rules"] = _array(lambda i: f"rule-{i}", data)
    if field == "evidence":
        d["provenance"]["evidence"] = _array(lambda i: f"https://e/{i}", data)
    if data.draw(st.booleans(), label="another error"):
        d.update(data.draw(st.sampled_from([{"id": "Bad Id"}, {"class": "x"}, {"truncated": 1}, {"extra": 1},
                                            {"provenance": {"kind": "magic"}}])))
    assert _best(_trace_validator(), d) == _best(STOCK, d)


@pytest.mark.parametrize("pointer", ["/properties/reads/items", "/properties/read_times/items",
                                     "/properties/body/oneOf/1/items", "/properties/rules/items",
                                     "/properties/provenance/properties/evidence/items"])
def test_the_schemas_long_arrays_take_the_fast_path(pointer):
    node = schema("trace")
    for part in pointer.strip("/").split("/"):
        node = node[int(part)] if part.isdigit() else node[part]
    check = _ItemCheck.of(node)
    assert check is not None
    sub = jsonschema.Draft202012Validator(node)
    for value in [0, 1, -1, 1.0, -0.0, 2.5, float("nan"), float("inf"), True, None, "", "a", "x-1", "X", [], {}]:
        assert check.ok(value) == sub.is_valid(value), (pointer, value)


def test_a_long_bad_array_is_not_checked_item_by_item(monkeypatch):
    calls = []
    validator = _trace_validator()
    real = type(validator).descend

    def counting(self, instance, schema, *args, **kwargs):
        calls.append(instance)
        return real(self, instance, schema, *args, **kwargs)

    monkeypatch.setattr(type(validator), "descend", counting)
    d = doc(reads=[-1] * 100_000)
    error = jsonschema.exceptions.best_match(validator.iter_errors(d))
    assert error.message == "-1 is less than the minimum of 0" and list(error.absolute_path) == ["reads", 99_999]
    assert calls.count(-1) == 3  # the first two and the last, not 100,000


@pytest.mark.parametrize("reads,pointer,words", [
    ([0] * 200_000, "/reads/1", "read offsets must increase (0 after 0)"),
    ([-1] * 200_000, "/reads/199999", "-1 is less than the minimum of 0"),
    (list(range(200_000)) + ["x"], "/reads/200000", "'x' is not of type 'integer'"),
], ids=["zeros", "negative", "string-last"])
def test_huge_bad_reads_are_rejected_with_the_schemas_words(tmp_path, reads, pointer, words):
    p = write(tmp_path, doc(reads=reads))
    with pytest.raises(TraceError) as info:
        load(p)
    assert f"at {pointer}: {words}" in str(info.value)


def test_integral_float_reads_are_offsets(tmp_path):
    t = load(write(tmp_path, doc(reads=[0, 5.0, 20])))
    assert t.reads == [0, 5, 20] and all(type(r) is int for r in t.reads)
    assert b"".join(t.chunks()) == BODY.encode()


@pytest.mark.parametrize("body,pointer", [("data: \ud800\n\n", "/body"), (["data: a", "\udfff\n\n"], "/body/1")])
def test_a_lone_surrogate_in_the_body_is_a_trace_error(tmp_path, body, pointer):
    p = tmp_path / "t.json"
    p.write_text(json.dumps(doc(body=body)))  # json.dumps spells the surrogate as \\ud800
    with pytest.raises(TraceError, match=f"at {pointer}: a lone surrogate"):
        load(p)
