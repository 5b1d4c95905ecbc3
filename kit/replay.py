"""Replay a trace through the reference: bytes -> SSE events -> reference -> Plan.

The driver is the only place where the pure pieces meet: it cuts the body with a chunk
plan, feeds each read to the SSE decoder and each event to the reference machine, and
closes both at the end. With ``timeline=True`` it also keeps, per SSE event, the output
events it caused (for ``kit replay``); otherwise memory follows the output only.

Reads are made one at a time as they are fed (:func:`kit.trace.iter_chunks`), so a
replay holds the body and the current read, not a copy of the body cut in pieces. The
``event`` plan (and ``recorded`` on a body without recorded reads, which means ``event``)
is not cut at all: its reads end exactly where events end, so the decoder's state between
them is empty and feeding the body in large blocks gives the same events, diagnostics and
outputs; each event is attributed to the read the plan would have put it in (read *k*
holds event *k*). Every other plan feeds its reads as cut.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from .reference import reference_for
from .rules import Diagnostic
from .sse import SSEDecoder, SSEEvent
from .trace import Trace, iter_chunks, parse_chunking

__all__ = ["Replay", "Step", "replay", "replay_reads"]

BLOCK = 1 << 20  # bytes fed at a time when the reads need not be cut


@dataclass
class Step:
    """One SSE event (``None`` for the end of the stream) and the output events it caused."""

    read: int | None
    sse: SSEEvent | None
    outputs: list[Any]


@dataclass
class Replay:
    api: str
    chunking: str
    profile: str
    plan: dict[str, Any]
    diagnostics: list[Diagnostic]
    reads: int
    events: int
    timeline: list[Step] | None = None
    outputs: list[Any] | None = field(default=None, repr=False)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]


def replay(trace: Trace, *, chunking: str = "recorded", profile: str = "lenient",
           timeline: bool = False, keep_outputs: bool = False) -> Replay:
    """Replay ``trace`` cut by ``chunking`` through the reference for its API."""
    parse_chunking(chunking)
    if chunking == "event" or (chunking == "recorded" and trace.reads is None):
        return _replay_event_plan(trace, chunking, profile, timeline, keep_outputs)
    return replay_reads(trace.api, iter_chunks(trace.body, chunking, reads=trace.reads), chunking=chunking,
                        profile=profile, timeline=timeline, keep_outputs=keep_outputs)


def replay_reads(api: str, reads: Iterable[bytes], *, chunking: str = "recorded", profile: str = "lenient",
                 timeline: bool = False, keep_outputs: bool = False) -> Replay:
    """Replay the given reads (a list, or any iterable of ``bytes``) through the reference."""
    decoder = SSEDecoder(profile=profile)
    machine = reference_for(api, profile=profile)
    steps: list[Step] | None = [] if timeline else None
    outputs: list[Any] | None = [] if keep_outputs else None
    feed = machine.feed
    dfeed = decoder.feed
    count = 0
    n = -1
    if steps is None and outputs is None:  # the common case: only the plan is wanted
        for n, data in enumerate(reads):
            events = dfeed(data)
            for sse in events:
                feed(sse)
            count += len(events)
    else:
        for n, data in enumerate(reads):
            for sse in dfeed(data):
                count += 1
                out = feed(sse)
                if steps is not None:
                    steps.append(Step(n, sse, out))
                if outputs is not None:
                    outputs.extend(out)
    return _finish(api, chunking, profile, decoder, machine, n + 1, count, steps, outputs)


def _replay_event_plan(trace: Trace, chunking: str, profile: str, timeline: bool, keep_outputs: bool) -> Replay:
    body = trace.body
    decoder = SSEDecoder(profile=profile)
    machine = reference_for(trace.api, profile=profile)
    steps: list[Step] | None = [] if timeline else None
    outputs: list[Any] | None = [] if keep_outputs else None
    feed = machine.feed
    dfeed = decoder.feed
    count = 0
    cut = 0  # where the plan's last cut before the end is: just after the last event so far
    for i in range(0, len(body), BLOCK):
        events = dfeed(body[i:i + BLOCK])
        if not events:
            continue
        for sse in events:
            out = feed(sse)
            if steps is not None:
                steps.append(Step(sse.index, sse, out))  # read k holds event k
            if outputs is not None:
                outputs.extend(out)
        count += len(events)
        end = events[-1].end
        cut = end + 1 if body[end - 1:end + 1] == b"\r\n" else end
    reads = count + (cut < len(body))  # one read per event, and one for what follows the last
    return _finish(trace.api, chunking, profile, decoder, machine, reads, count, steps, outputs)


def _finish(api: str, chunking: str, profile: str, decoder: SSEDecoder, machine: Any, reads: int, count: int,
            steps: list[Step] | None, outputs: list[Any] | None) -> Replay:
    """End of stream: what the decoder still holds, then the machine's close."""
    feed = machine.feed
    for sse in decoder.close():
        count += 1
        out = feed(sse)
        if steps is not None:
            steps.append(Step(reads - 1 if reads else None, sse, out))
        if outputs is not None:
            outputs.extend(out)
    out = machine.close(decoder.stray)
    if steps is not None:
        steps.append(Step(None, None, out))
    if outputs is not None:
        outputs.extend(out)
    diagnostics = sorted(decoder.diagnostics + machine.diagnostics,
                         key=lambda d: (d.offset if d.offset is not None else float("inf")))
    return Replay(api, chunking, profile, machine.plan(), diagnostics, reads, count, steps, outputs)
