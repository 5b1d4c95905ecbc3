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
