"""SSE decoder: the WHATWG event-stream rules, byte by byte (rules sse-*)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kit.sse import SSEDecoder, decode
from kit.trace import chunk


def events(body: bytes, reads=None, profile="lenient"):
    evs, diags = decode(body, reads=reads, profile=profile)
    return [(e.event, e.data) for e in evs], [d.rule for d in diags]


def every_split(body: bytes):
    yield [body]
    yield [body[i:i + 1] for i in range(len(body))]
    for i in range(1, len(body)):
        yield [body[:i], body[i:]]


@pytest.mark.parametrize("eol", [b"\n", b"\r", b"\r\n"], ids=["LF", "CR", "CRLF"])
def test_line_endings_lf_cr_crlf(eol):
    """sse-line-endings: CR, LF and CRLF all end lines, in every split of the body."""
    body = b"data: a" + eol + b"data: b" + eol + eol + b"data: c" + eol + eol
    for reads in every_split(body):
        assert events(body, reads)[0] == [("message", "a\nb"), ("message", "c")], reads


def test_crlf_split_across_reads_is_one_line_end():
    """sse-line-endings: a CR ending one read and the LF opening the next are one line end."""
    body = b"data: x\r\n\r\ndata: y\r\n\r\n"
    evs, _ = events(body, [b"data: x\r", b"\n\r", b"\ndata: y\r", b"\n\r\n"])
    assert evs == [("message", "x"), ("message", "y")]


def test_cr_at_end_of_read_not_followed_by_lf():
    body = b"data: x\r\rdata: y\r\r"
    assert events(body, [b"data: x\r", b"\rdata: y\r", b"\r"])[0] == [("message", "x"), ("message", "y")]


def test_bom_stripped_once_even_when_split():
    """sse-bom: one leading BOM is stripped, also when it arrives a byte at a time."""
    body = b"\xef\xbb\xbfdata: a\n\n"
    for reads in every_split(body):
        evs, rules = events(body, reads)
        assert evs == [("message", "a")]
        assert "sse-bom" in rules


def test_second_bom_breaks_first_event():
    """sse-bom: only one BOM is stripped; the second makes the first line an unknown field."""
    evs, rules = events(b"\xef\xbb\xbf\xef\xbb\xbfdata: a\n\ndata: b\n\n")
    assert evs == [("message", "b")]
    assert "sse-unknown-field" in rules


def test_comments_ignored():
    """sse-comments: keep-alive comment lines are not events."""
    body = b": OPENROUTER PROCESSING\n\n: ping\ndata: a\n: mid-event comment\ndata: b\n\n"
    evs, rules = events(body)
    assert evs == [("message", "a\nb")]
    assert "sse-comments" in rules


def test_data_without_space_and_exactly_one_space_removed():
    """sse-field-space: `data:x` and `data: x` are the same; a second space is kept."""
    evs, rules = events(b"data:x\n\ndata: x\n\ndata:  x\n\ndata:\ty\n\n")
    assert evs == [("message", "x"), ("message", "x"), ("message", " x"), ("message", "\ty")]
    assert "sse-field-space" in rules


def test_field_name_alone_is_empty_value():
    evs, _ = events(b"data\ndata\n\n")
    assert evs == [("message", "\n")]


def test_event_id_retry():
    dec = SSEDecoder()
    out = dec.feed(b"event: error\nid: 7\nretry: 3000\ndata: {}\n\ndata: next\n\nretry: x1\ndata: z\n\n")
    assert [(e.event, e.id, e.retry) for e in out] == [("error", "7", 3000), ("message", "7", None), ("message", "7", None)]
    assert [d.rule for d in dec.diagnostics] == ["sse-unknown-field"]


def test_id_with_nul_ignored():
    out, _ = decode(b"id: 1\ndata: a\n\nid: 2\x003\ndata: b\n\n")
    assert [e.id for e in out] == ["1", "1"]


def test_block_without_data_not_dispatched():
    """sse-event-without-data: `retry:` or `event:` alone, or a blank after `id:`, dispatch nothing."""
    evs, rules = events(b"retry: 3000\n\nevent: x\n\nid: 4\n\n\n\ndata: a\n\n")
    assert evs == [("message", "a")]
    assert "sse-event-without-data" in rules


def test_utf8_character_split_across_reads_survives():
    """sse-utf8-split: decode after line splitting; every split of a multi-byte text works."""
    text = "Grüße 東京 🌍"
    body = f"data: {text}\n\n".encode()
    for reads in every_split(body):
        evs, rules = events(body, reads)
        assert evs == [("message", text)], reads
        assert "sse-utf8-invalid" not in rules


def test_invalid_utf8_is_a_diagnostic_not_a_crash():
    """sse-utf8-invalid: invalid bytes become U+FFFD and are reported with their offset."""
    dec = SSEDecoder()
    out = dec.feed(b"data: a\xffb\n\n") + dec.close()
    assert out[0].data == "a\ufffdb"
    (d,) = [d for d in dec.diagnostics if d.rule == "sse-utf8-invalid"]
    assert d.severity == "error" and d.offset == 0


def test_final_event_without_blank_line_lenient_dispatches_strict_discards():
    """sse-final-event-unterminated: lenient dispatches with a warning, strict follows the spec."""
    body = b"data: a\n\ndata: last"
    lenient, rules = events(body)
    assert lenient == [("message", "a"), ("message", "last")]
    assert "sse-final-event-unterminated" in rules
    strict, rules = events(body, profile="strict")
    assert strict == [("message", "a")]
    assert "sse-final-event-unterminated" in rules


def test_line_with_leading_space_is_unknown_field():
    """sse-unknown-field: ` data: x` names the field ` data`; the event is lost, and said so."""
    evs, rules = events(b" data: lost\n\ndata: kept\n\n")
    assert evs == [("message", "kept")]
    assert "sse-unknown-field" in rules


def test_event_positions():
    body = b": c\ndata: a\n\ndata: b\r\n\r\n"
    out, _ = decode(body)
    assert [(e.index, e.offset, e.end) for e in out] == [(0, 4, 13), (1, 13, len(body) - 1)]


def test_feed_after_close_is_a_caller_error():
    dec = SSEDecoder()
    dec.close()
    with pytest.raises(RuntimeError):
        dec.feed(b"data: x\n\n")


lines = st.lists(
    st.one_of(
        st.builds(lambda s: b"data: " + s.encode(), st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\r\n"), max_size=12)),
        st.builds(lambda s: b"event: " + s.encode(), st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\r\n"), max_size=6)),
        st.just(b": keep-alive"), st.just(b""), st.just(b""), st.just(b"event: x"), st.just(b"id: 9"), st.just(b"retry: 5"),
        st.just(b"data:nospace"), st.just(b"data:  two spaces"), st.just(b"event:y"), st.just(b"data: \xff bad"),
        st.just(b"event: \xfe"), st.just(b"data"), st.just(b"bogus: 1"), st.just(b"data: [DONE]"),
    ),
    max_size=16,
)


def _seen(result):
    evs, diags = result
    return ([(e.event, e.data, e.id, e.retry, e.index, e.offset, e.end) for e in evs],
            [(d.rule, d.offset, d.event, d.message) for d in diags])


@given(lines, st.sampled_from([b"\n", b"\r", b"\r\n"]), st.integers(0, 2**16), st.booleans())
def test_any_chunking_gives_the_same_events(body_lines, eol, seed, terminated):
    """Property: the events and the diagnostics (rule, offset, message) do not depend on how the
    bytes are cut into reads. Whole reads take the one-expression path for the common event
    form, one-byte reads take every line on its own: the two must agree exactly."""
    body = eol.join(body_lines) + (eol + eol if terminated else b"")
    whole = _seen(decode(body))
    for plan in ("bytewise", f"random:{seed}", "fixed:3", "event"):
        assert _seen(decode(body, reads=chunk(body, plan))) == whole, plan


def test_common_form_after_other_fields_of_the_same_event():
    """`id:` (or a comment) before `event:`/`data:` lines: the event keeps its first line's offset."""
    body = b"id: 5\nevent: a\ndata: x\n\n: c\ndata: y\n\nevent: b\nretry: 9\ndata: z\n\n"
    out, diags = decode(body)
    assert [(e.event, e.data, e.id, e.retry, e.offset) for e in out] == [
        ("a", "x", "5", None, 0), ("message", "y", "5", None, 28), ("b", "z", "5", 9, 37)]
    assert [d.rule for d in diags] == ["sse-comments"]
    assert _seen(decode(body, reads=chunk(body, "bytewise"))) == _seen((out, diags))


def test_line_endings_reported_at_the_first_cr():
    body = b"data: a\n\ndata: b\r\n\r\n"
    for plan in ("whole", "bytewise", "event"):
        _, diags = decode(body, reads=chunk(body, plan))
        assert [(d.rule, d.offset) for d in diags] == [("sse-line-endings", 16)], plan
