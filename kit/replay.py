"""Replay a trace through the reference: bytes -> SSE events -> reference -> Plan.

The driver is the only place where the pure pieces meet: it cuts the body with a chunk
plan, feeds each read to the SSE decoder and each event to the reference machine, and
closes both at the end. With ``timeline=True`` it also keeps, per SSE event, the output
events it caused (for ``kit replay``); otherwise memory follows the output only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .reference import reference_for
from .rules import Diagnostic
from .sse import SSEDecoder, SSEEvent
from .trace import Trace

__all__ = ["Replay", "Step", "replay", "replay_reads"]


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
    return replay_reads(trace.api, trace.chunks(chunking), chunking=chunking, profile=profile,
                        timeline=timeline, keep_outputs=keep_outputs)


def replay_reads(api: str, reads: list[bytes], *, chunking: str = "recorded", profile: str = "lenient",
                 timeline: bool = False, keep_outputs: bool = False) -> Replay:
    decoder = SSEDecoder(profile=profile)
    machine = reference_for(api, profile=profile)
    steps: list[Step] | None = [] if timeline else None
    outputs: list[Any] | None = [] if keep_outputs else None
    feed = machine.feed
    count = 0
    if steps is None and outputs is None:  # the common case: only the plan is wanted
        dfeed = decoder.feed
        for data in reads:
            for sse in dfeed(data):
                feed(sse)
                count += 1
        reads_done = True
    else:
        reads_done = False
    for n, data in enumerate(reads if not reads_done else ()):
        for sse in decoder.feed(data):
            count += 1
            out = feed(sse)
            if steps is not None:
                steps.append(Step(n, sse, out))
            if outputs is not None:
                outputs.extend(out)
    for sse in decoder.close():
        count += 1
        out = feed(sse)
        if steps is not None:
            steps.append(Step(len(reads) - 1 if reads else None, sse, out))
        if outputs is not None:
            outputs.extend(out)
    out = machine.close()
    if steps is not None:
        steps.append(Step(None, None, out))
    if outputs is not None:
        outputs.extend(out)
    diagnostics = sorted(decoder.diagnostics + machine.diagnostics,
                         key=lambda d: (d.offset if d.offset is not None else float("inf")))
    return Replay(api, chunking, profile, machine.plan(), diagnostics, len(reads), count, steps, outputs)
