"""Small implementations under test, each with one way of being wrong, for tests/test_verify.py.

They are built on the bundled reference (so every other part of their output is right)
and reached the way users reach theirs: ``py:tests.impls:NAME``.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any, Callable, Iterable

from kit.adapters import implementation
from kit.events import ToolCallDone
from kit.reference import reference_for
from kit.sse import SSEDecoder


def _events(reads: Iterable[bytes], api: str) -> Iterable[tuple[Any, Any]]:
    """(machine, output event) as the reference produces them, read by read."""
    decoder = SSEDecoder()
    machine = reference_for(api)
    for data in reads:
        for sse in decoder.feed(data):
            for e in machine.feed(sse):
                yield machine, e
    for sse in decoder.close():
        for e in machine.feed(sse):
            yield machine, e
    for e in machine.close(decoder.stray):
        yield machine, e


@implementation(incremental=True)
def buffered_text(reads, sink, *, api):
    """Right plan; text held back until the end of the stream."""
    held, machine = [], None
    for machine, e in _events(reads, api):
        (held.append if e.type == "text.delta" else sink)(e)
    for e in held:
        sink(e)
    return machine.plan() if machine is not None else None


@implementation(incremental=True)
def dispatch_at_start(reads, sink, *, api):
    """Runs each call when it starts, with the arguments known then (none); the final plan is right."""
    machine = None
    for machine, e in _events(reads, api):
        if e.type == "tool_call.started":
            sink(ToolCallDone(e.choice, e.call, e.call_id, e.action, "", {}))
        if e.type != "tool_call.done":
            sink(e)
    return machine.plan() if machine is not None else None


@implementation(incremental=True)
def dispatch_twice(reads, sink, *, api):
    for _, e in _events(reads, api):
        sink(e)
        if e.type == "tool_call.done":
            sink(e)


@implementation(incremental=True)
def dispatch_at_end(reads, sink, *, api):
    """Right plan; every call dispatched only after the input is exhausted."""
    done = []
    for _, e in _events(reads, api):
        (done.append if e.type == "tool_call.done" else sink)(e)
    for e in done:
        sink(e)


@implementation(incremental=True)
def events_as_json(reads, sink, *, api):
    """The reference, reporting its events in their JSON form (dicts)."""
    from kit.events import to_json

    for _, e in _events(reads, api):
        sink(to_json(e))


@implementation(feed="events", incremental=True)
def events_feed(inputs, sink, *, api):
    """The reference fed parsed events: each payload re-serialised as one SSE event."""
    machine = reference_for(api)
    decoder = SSEDecoder()
    for obj in inputs:
        data = obj if obj == "[DONE]" else json.dumps(obj)
        kind = obj.get("type", "message") if isinstance(obj, dict) and api != "openai.chat.completions" else None
        raw = (f"event: {kind}\n" if kind else "") + f"data: {data}\n\n"
        for sse in decoder.feed(raw.encode()):
            for e in machine.feed(sse):
                sink(e)
    for e in machine.close():
        sink(e)


def silent_plan(reads, api):
    """Returns the plan with every error signal removed: broken streams look fine."""
    plan = reference_plan(reads, api)
    plan["error"] = None
    for ch in plan["choices"]:
        ch["finish_reason"] = "tool_calls" if any(c["type"] == "DO" for c in ch["commands"]) else "stop"
        for c in ch["commands"]:
            c.pop("dispatched", None)
            c.pop("invalid_arguments", None)
            if c["type"] == "DO" and not c.get("action"):
                c["action"] = "unknown"
            if c["type"] == "DO" and c.get("parameters") is None:
                c["parameters"] = {}
    return plan


def reference_plan(reads, api):
    from kit.adapters.builtin import reference_plan as ref

    return ref(reads, api)


def crashes(reads, api):
    for _ in reads:
        pass
    raise ValueError("boom")


def crashes_on_errors(reads, api):
    """Rejects broken streams (raises), like many SDKs; right everywhere else."""
    from kit.replay import replay_reads

    reads = list(reads)
    result = replay_reads(api, reads)
    if result.errors:
        raise RuntimeError(f"stream error: {result.errors[0].message}")
    return result.plan


def hangs(reads, api):
    time.sleep(30)


def exits_process(reads, api):
    os._exit(3)


def returns_garbage(reads, api):
    return ["not", "a", "plan"]


def utf8_per_read(reads, api):
    """Decodes each read on its own: right unless a read cuts a character."""
    text = b"".join(r.decode("utf-8", "replace").encode("utf-8") for r in reads)
    return reference_plan([text], api)


@implementation(apis=["chat"], multi_choice=False)
def chat_single_choice(reads, api):
    return reference_plan(reads, api)


def by_name(name: str) -> Callable:
    return globals()[name]


# -- client: targets (kit.adapters.client): f(base_url, *, api) -> Plan ----------------------------------


def _fetch(base_url: str, api: str) -> bytes:
    import urllib.request  # noqa: PLC0415

    from kit.trace import ENDPOINTS  # noqa: PLC0415

    req = urllib.request.Request(f"{base_url}/{ENDPOINTS[api]}", data=b"{}", method="POST",
                                 headers={"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:  # noqa: S310 - the loopback replay server
        return resp.read()


@implementation(apis=("chat",))
def client_no_usage(base_url, *, api):
    """Fetches the stream over HTTP and gives the reference's plan without its usage."""
    from kit.plan import build_plan  # noqa: PLC0415

    plan = build_plan(api, (e for _, e in _events([_fetch(base_url, api)], api)))
    plan["usage"] = None
    return plan


@implementation(apis=("chat",))
def client_raises(base_url, *, api):
    """Fetches the stream, then raises as a library that rejects everything would."""
    _fetch(base_url, api)
    raise ValueError("library says no")


@implementation(apis=("chat",))
def client_never_requests(base_url, *, api):
    """Returns a plan without ever asking for the stream."""
    return {"type": "plan", "api": api, "choices": [], "usage": None, "error": None}
