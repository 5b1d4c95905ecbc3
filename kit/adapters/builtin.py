"""The kit's own reference, as adapters: what every other implementation is measured against.

``reference`` reports its output events as it reads (so the streaming checks are run
on it too, and must pass); ``reference-plan`` only returns the final Plan, the simplest
contract a ``py:`` target can have (it declares what it handles, as every target should).
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

from ..reference import reference_for
from ..sse import SSEDecoder
from . import APIS, implementation


@implementation(feed="bytes", apis=APIS, incremental=True)
def reference(reads: Iterable[bytes], sink: Callable[[Any], None], *, api: str) -> dict:
    decoder = SSEDecoder()
    machine = reference_for(api)
    for data in reads:
        for sse in decoder.feed(data):
            for event in machine.feed(sse):
                sink(event)
    for sse in decoder.close():
        for event in machine.feed(sse):
            sink(event)
    for event in machine.close(decoder.stray):
        sink(event)
    return machine.plan()


@implementation(feed="bytes", apis=APIS, multi_choice=True)
def reference_plan(reads: Iterable[bytes], api: str) -> dict:
    decoder = SSEDecoder()
    machine = reference_for(api)
    for data in reads:
        for sse in decoder.feed(data):
            machine.feed(sse)
    for sse in decoder.close():
        machine.feed(sse)
    machine.close(decoder.stray)
    return machine.plan()
