"""The replay's shortcuts give what the plain way gives (bench/README.md, whole-process)."""

from __future__ import annotations

import dataclasses

import pytest

from kit.replay import replay, replay_reads
from kit.trace import chunk, corpus

CORPUS = corpus()


def _seen(r):
    steps = None if r.timeline is None else [
        (s.read, None if s.sse is None else dataclasses.astuple(s.sse), repr(s.outputs)) for s in r.timeline]
    return (r.plan, [d.to_json() for d in r.diagnostics], r.reads, r.events, steps, repr(r.outputs))


@pytest.mark.parametrize("profile", ["lenient", "strict"])
def test_event_plan_without_cutting_is_the_event_plan(profile):
    """`event` (and `recorded` on a body without reads) feed the body in blocks instead of one
    read per event: plan, diagnostics, read and event counts, and which read each event of
    the timeline came in are those of the reads cut one per event."""
    assert CORPUS
    for t in CORPUS:
        cut = replay_reads(t.api, chunk(t.body, "event"), chunking="event", profile=profile,
                           timeline=True, keep_outputs=True)
        fast = replay(t, chunking="event", profile=profile, timeline=True, keep_outputs=True)
        assert _seen(fast) == _seen(cut), t.name
        raw = dataclasses.replace(t, reads=None)
        fast = replay(raw, profile=profile, timeline=True, keep_outputs=True)
        assert _seen(fast)[:4] == _seen(cut)[:4] and fast.chunking == "recorded", t.name


def test_event_plan_counts_reads_at_the_edges():
    """A body ending past its last event has one more read; an empty body has none."""
    t = next(t for t in CORPUS if t.api == "openai.chat.completions")
    for body in (t.body, t.body + b": trailing comment\n", t.body + b"data: {\"unterminated", b"\r\n\r\n", b""):
        t2 = dataclasses.replace(t, body=body, reads=None)
        assert replay(t2).reads == len(chunk(body, "event")), body[-30:]


@pytest.mark.parametrize("plan", ["recorded", "bytewise", "random:5", "whole", "fixed:13"])
def test_lazy_reads_are_the_reads(plan):
    for t in CORPUS[::7]:
        assert _seen(replay(t, chunking=plan, timeline=True)) == _seen(
            replay_reads(t.api, chunk(t.body, plan, reads=t.reads), chunking=plan, timeline=True)), (t.name, plan)


# -- the secret scan's patterns, prefix first ------------------------------------------------------

_PLAIN = {  # each key pattern as plainly written: the boundary look-behind first
    "anthropic-key": r"(?<![A-Za-z0-9_+/-])sk-ant-[A-Za-z0-9_-]{16,}",
    "openrouter-key": r"(?<![A-Za-z0-9_+/-])sk-or-[A-Za-z0-9_-]{16,}",
    "openai-key": r"(?<![A-Za-z0-9_+/-])sk-(?!ant-|or-)(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{16,}",
    "groq-key": r"(?<![A-Za-z0-9_+/-])gsk_[A-Za-z0-9]{20,}",
    "xai-key": r"(?<![A-Za-z0-9_+/-])xai-[A-Za-z0-9]{20,}",
    "google-api-key": r"(?<![A-Za-z0-9_+/-])AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])",
    "google-oauth-token": r"(?<![A-Za-z0-9_+/-])ya29\.[0-9A-Za-z_-]{20,}",
    "aws-access-key-id": r"(?<![A-Za-z0-9_+/-])(?:AKIA|ASIA)[0-9A-Z]{16}(?![A-Za-z0-9_-])",
    "github-token": r"(?<![A-Za-z0-9_+/-])(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{22,})",
    "slack-token": r"(?<![A-Za-z0-9_+/-])xox[abposr]-[A-Za-z0-9-]{10,}",
    "jwt": r"(?<![A-Za-z0-9_+/-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*",
    "bearer-token": r"(?i)\bbearer\s+(?=[A-Za-z0-9._~+/-]*[0-9])[A-Za-z0-9._~+/-]{16,}=*",
}


def test_key_patterns_mean_what_they_plainly_say():
    """kit.secrets checks the boundary behind each key's prefix (fast); the matches are those of
    the plain form, on random text made of prefixes, key characters and boundaries."""
    import random
    import re

    from kit.secrets import PATTERNS

    assert [name for name, _ in PATTERNS] == list(_PLAIN)
    pieces = ["sk-", "ant-", "or-", "proj-", "gsk_", "xai-", "AIza", "ya29.", "AKIA", "ASIA", "ghp_", "gho_", "github_pat_",
              "xoxb-", "eyJ", "eyJabcdefgh.", "eyJ12345678", ".", "x", "A", "0", "_", "-", "+", "/", " ", "\n", "Bearer ", "bearer\t", "BEARER ",
              "a1b2c3d4e5f6g7h8", "ABCDEFGHIJKLMNOP", "QRSTUVWXYZ012345", "=", "é", "ſ", "K", "İ"]
    rng = random.Random(7)
    hits = dict.fromkeys(_PLAIN, 0)
    plain = {name: re.compile(rx) for name, rx in _PLAIN.items()}
    for _ in range(6000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 30)))
        for name, rx in PATTERNS:
            want = [m.span() for m in plain[name].finditer(text)]
            assert [m.span() for m in rx.finditer(text)] == want, (name, text)
            hits[name] += bool(want)
    assert all(hits.values()), hits  # every pattern matched somewhere: the comparison compared something


# -- the quick schema check -------------------------------------------------------------------------


def _mutations(doc):
    """Broken (and a few valid) variants of a trace document, one change each."""
    import copy

    def v(f):
        d = copy.deepcopy(doc)
        f(d)
        return d
    yield v(lambda d: d.pop("id"))
    yield v(lambda d: d.update(id="Bad Id"))
    yield v(lambda d: d.update(id="ok_id\n"))
    yield v(lambda d: d.update(api="openai.chat"))
    yield v(lambda d: d.update({"class": "x"}))
    yield v(lambda d: d.update(description=""))
    yield v(lambda d: d.update(rules=d["rules"] + d["rules"][:1] if d["rules"] else ["a", "a"]))
    yield v(lambda d: d.update(rules=["Not-Lower"]))
    yield v(lambda d: d.update(format="kit-trace/2"))
    yield v(lambda d: d.update(extra=1))
    yield v(lambda d: d["provenance"].update(kind="made-up"))
    yield v(lambda d: d["provenance"].update(seed=True))
    yield v(lambda d: d["provenance"].update(seed=1.0))
    yield v(lambda d: d["provenance"].update(evidence=[""]))
    yield v(lambda d: d["provenance"].update(anything="goes"))  # valid: provenance is open
    yield v(lambda d: d.update(response={"status": 99}))
    yield v(lambda d: d.update(response={"status": True}))
    yield v(lambda d: d.update(response={"status": 200, "headers": {"a": 1}}))
    yield v(lambda d: d.update(request=[]))
    yield v(lambda d: d.update(request=None))  # valid
    yield v(lambda d: d.update(body_base64="AAAA"))
    yield v(lambda d: (d.pop("body", None), d.pop("body_base64", None)))
    yield v(lambda d: d.update(body=[]))
    yield v(lambda d: d.update(body=["a", 1]))
    yield v(lambda d: d.update(reads=[0, -1]))
    yield v(lambda d: d.update(reads=[0, 1.0]))
    yield v(lambda d: d.update(reads=[0, True]))
    yield v(lambda d: d.update(reads=[0, "1"]))
    yield v(lambda d: d.update(read_times=[0.0, -0.5]))
    yield v(lambda d: d.update(read_times=[0, float("nan")]))
    yield v(lambda d: d.update(read_times=[False]))
    yield v(lambda d: d.update(truncated=1))
    yield v(lambda d: d.update(tags=["typical", "typical"]))
    yield v(lambda d: d.update(tags=["Typical"]))


def test_quick_schema_check_never_accepts_what_jsonschema_rejects():
    import jsonschema

    from kit._resources import schema
    from kit._schemacheck import surely_valid

    validator = jsonschema.Draft202012Validator(schema("trace"))
    said_no = 0
    for t in CORPUS[::5]:
        doc = t.to_json()
        assert surely_valid("trace", doc), t.name  # the quick yes is what valid files get
        for bad in _mutations(doc):
            quick = surely_valid("trace", bad)
            if quick:
                assert not list(validator.iter_errors(bad)), (t.name, bad.keys())
            said_no += not quick
    assert said_no > 20 * len(CORPUS[::5])


def test_quick_schema_check_is_unsure_of_what_it_does_not_know():
    from kit._schemacheck import _compile

    assert _compile({"type": "string", "format": "date"})("x") is None  # an unknown keyword
    assert _compile({"type": "integer"})(1.0) is None  # 1.0 is an integer to JSON Schema
    assert _compile({"type": "integer"})(True) is False
    assert _compile({"items": {"type": "integer", "minimum": 0}})(list(range(10))) is True
    assert _compile({"items": {"type": "integer", "minimum": 0}})([0, 1, -1]) is False
    assert _compile({"oneOf": [{"type": "string"}, {"type": "integer"}]})(1.0) is None
