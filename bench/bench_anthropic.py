"""Benchmark: the kit's Anthropic Messages pipeline vs the anthropic SDK vs bare json.loads.

Run from the repository root::

    python bench/bench_anthropic.py             # 1k, 10k, 100k events
    python bench/bench_anthropic.py --quick     # 1k, 10k, 3 runs each
    python bench/bench_anthropic.py --sizes 1k,20k --reps 7
    python bench/bench_anthropic.py --profile 15 --sizes 100k   # cProfile of the kit

The anthropic SDK is optional (``pip install anthropic``, or the project's ``bench``
extra); without it the SDK contenders are skipped and the rest runs.

Every contender gets the *same* list of ``bytes`` reads of the *same* synthetic stream,
in one process, in interleaved rounds (as ``bench_chat.py``; see ``_common.run``):

``kit``        bytes -> ``kit.sse.SSEDecoder`` -> ``kit.reference.anthropic.AnthropicReference``
               -> Plan, through ``kit.replay.replay_reads("anthropic.messages", reads)``.
``sdk``        what ``client.messages.stream(...)`` does with the same bytes:
               ``anthropic._streaming.SSEDecoder.iter_bytes`` -> skip ``ping`` -> ``sse.json()``
               -> ``client._process_response_data(cast_to=RawMessageStreamEvent)`` ->
               ``anthropic.lib.streaming._messages.accumulate_event`` and ``build_events``
               -> the final message (``get_final_message()``): a line-for-line copy of
               ``Stream.__stream__`` and ``MessageStream.__stream__`` without the HTTP
               and tracing plumbing.
``json.loads`` the floor: split the body on ``b"\\n\\n"``, take what follows
               ``b"data: "``, ``json.loads`` it. No SSE decoder, no accumulation.
``kit-sse`` / ``sdk-sse``   the two SSE decoders alone (bytes -> event objects).
``kit-machine`` the kit's reference machine alone, fed pre-decoded ``SSEEvent`` objects.

Before timing, the SDK's final message and the kit's Plan are checked to agree (text,
tool_use ids, names, inputs, stop reason, usage), so both did the same work; every other
contender is checked to see the same number of events.
"""

from __future__ import annotations

import random
import sys
from typing import Any

# _common (next to this file) also puts the repository root on sys.path for `import kit`.
from _common import TEXT_PIECES, Bench, checker, kit_checker, run_json, compact, machine_runner, make_arguments, random_id, run

from kit.reference.anthropic import API, AnthropicReference  # noqa: E402
from kit.replay import replay_reads  # noqa: E402

try:
    import anthropic
    from anthropic._streaming import SSEDecoder as SDKSSEDecoder
    from anthropic._streaming import Stream, extract_stream_chunk_type
    from anthropic._types import not_given
    from anthropic.lib.streaming._messages import accumulate_event, build_events
    from anthropic.types import RawMessageStreamEvent
except ImportError:
    anthropic = None  # type: ignore[assignment]

require = checker("bench_anthropic")
check_kit = kit_checker(require)

# ----------------------------------------------------------------------------------------
# Workload: a synthetic but realistic Anthropic Messages stream
# ----------------------------------------------------------------------------------------

TOOL_NAMES = ("write_file", "append_file", "create_note")
N_CALLS = 3
# Events that are not text or input_json deltas: message_start, the text block's start,
# ping, its stop; per tool_use block start, the empty first delta, stop; message_delta,
# message_stop.
FRAMING = 4 + 3 * N_CALLS + 2


def _event(doc: dict) -> bytes:
    return b"event: " + doc["type"].encode() + b"\ndata: " + compact(doc) + b"\n\n"


def make_stream(n_events: int, seed: int = 7, frag: tuple[int, int] = (2, 8)) -> tuple[bytes, dict]:
    """The body of a stream of exactly ``n_events`` SSE events, and what it should yield.

    Layout: ``message_start`` (usage with the input tokens), a text block (start, ``ping``,
    ~10% of the events as text_delta of a few characters, stop), three tool_use blocks one
    after the other (start with ``input: {}``, an empty input_json_delta as the API sends
    first, input_json_delta of 2-8 characters each, stop), ``message_delta`` with
    ``stop_reason: "tool_use"`` and the usage, ``message_stop``. ``frag`` sets the
    fragment sizes (the memory check also uses 20-80: same events, 10x the arguments).
    """
    rng = random.Random(seed)
    n_text = max(1, n_events // 10)
    n_frag = n_events - FRAMING - n_text
    per_call = [n_frag // N_CALLS + (1 if i < n_frag % N_CALLS else 0) for i in range(N_CALLS)]
    if min(per_call) < 15:
        raise SystemExit(f"--sizes: {n_events} events is too few (at least 100)")
    out: list[bytes] = []
    usage = {"input_tokens": 812, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0,
             "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0},
             "output_tokens": 1, "service_tier": "standard"}
    out.append(_event({"type": "message_start", "message": {
        "model": "claude-sonnet-4-5-20250929", "id": "msg_01" + random_id(rng, 22), "type": "message",
        "role": "assistant", "content": [], "stop_reason": None, "stop_sequence": None, "usage": usage}}))
    out.append(_event({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}))
    out.append(b'event: ping\ndata: {"type": "ping"}\n\n')
    pieces = [TEXT_PIECES[i % len(TEXT_PIECES)] for i in range(n_text)]
    for piece in pieces:
        out.append(_event({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": piece}}))
    out.append(_event({"type": "content_block_stop", "index": 0}))
    calls = []
    for c, count in enumerate(per_call):
        index = c + 1
        sizes = [rng.randint(*frag) for _ in range(count)]
        args = make_arguments(rng, c, sum(sizes))
        tool_id = "toolu_01" + random_id(rng, 22)
        calls.append({"id": tool_id, "name": TOOL_NAMES[c], "arguments": args})
        out.append(_event({"type": "content_block_start", "index": index, "content_block": {
            "type": "tool_use", "id": tool_id, "name": TOOL_NAMES[c], "input": {}}}))
        out.append(_event({"type": "content_block_delta", "index": index,
                           "delta": {"type": "input_json_delta", "partial_json": ""}}))
        pos = 0
        for size in sizes:
            out.append(_event({"type": "content_block_delta", "index": index,
                               "delta": {"type": "input_json_delta", "partial_json": args[pos:pos + size]}}))
            pos += size
        out.append(_event({"type": "content_block_stop", "index": index}))
    out.append(_event({"type": "message_delta", "delta": {"stop_reason": "tool_use", "stop_sequence": None},
                       "usage": {"input_tokens": 812, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0,
                                 "output_tokens": n_events}}))
    out.append(_event({"type": "message_stop"}))
    assert len(out) == n_events
    return b"".join(out), {"text": "".join(pieces), "calls": calls, "finish_reason": "tool_calls",
                           "usage": {"input_tokens": 812, "output_tokens": n_events}}


# ----------------------------------------------------------------------------------------
# Contenders. Each takes the list of reads and returns its result.
# ----------------------------------------------------------------------------------------

def run_kit(reads: list[bytes]) -> dict:
    """bytes -> kit.sse.SSEDecoder -> AnthropicReference -> Plan (kit.replay.replay_reads)."""
    return replay_reads(API, reads).plan


if anthropic is not None:
    # The SDK's own client, only to call its `_process_response_data` (no request is made).
    _CLIENT = anthropic.Anthropic(api_key="sk-ant-bench-not-used", base_url="http://127.0.0.1:9")
    # What `Stream[RawMessageStreamEvent]` casts each event to (as anthropic/_response.py does).
    _CAST_TO = extract_stream_chunk_type(Stream[RawMessageStreamEvent])


def run_sdk(reads: list[bytes]) -> Any:
    """What `client.messages.stream(...)` does with these bytes, to `get_final_message()`.

    Mirrors anthropic/_streaming.py `Stream.__stream__` (decoder from `_make_sse_decoder()`,
    skip `ping` and unnamed events, raise on `error`, skip empty data, `sse.json()`,
    `_process_response_data` with the event union) and
    anthropic/lib/streaming/_messages.py `MessageStream.__stream__` (`accumulate_event`
    into the snapshot, then `build_events`, whose events are consumed). Left out: the
    response and its stream observer (tracing), which are None-checks here.
    """
    decoder = _CLIENT._make_sse_decoder()
    process = _CLIENT._process_response_data
    snapshot = None
    json_bufs: dict[int, bytes] = {}
    for sse in decoder.iter_bytes(iter(reads)):
        if sse.event == "ping":
            continue
        if sse.event is None:
            continue
        if sse.event == "error":
            raise RuntimeError("error event")  # the SDK raises its status error here
        if not sse.data:
            continue
        event = process(data=sse.json(), cast_to=_CAST_TO, response=None)
        if snapshot is None and event.type != "message_start":
            continue
        snapshot = accumulate_event(event=event, current_snapshot=snapshot, json_bufs=json_bufs,
                                    output_format=not_given)
        for _event in build_events(event=event, message_snapshot=snapshot):
            pass
    if snapshot is None:
        raise RuntimeError("no message_start")
    return snapshot


def run_sdk_sse(reads: list[bytes]) -> int:
    """anthropic._streaming.SSEDecoder alone (what every SDK stream runs first)."""
    n = 0
    for _sse in SDKSSEDecoder().iter_bytes(iter(reads)):
        n += 1
    return n


run_kit_machine = machine_runner(AnthropicReference)


# ----------------------------------------------------------------------------------------
# Checks: both accumulators must produce the same thing
# ----------------------------------------------------------------------------------------

def check_sdk(message: Any, plan: dict, kit_calls: list[dict]) -> None:
    """The SDK's final message agrees with the kit's Plan (same text, calls, stop, usage).

    The SDK keeps a tool_use block's input as the parsed object (its partial-JSON parse of
    the joined fragments), so the kit's ``parameters`` are compared with it."""
    (choice,) = plan["choices"]
    does = [c for c in choice["commands"] if c["type"] == "DO"]
    texts = [b.text for b in message.content if b.type == "text"]
    sdk_calls = [{"id": b.id, "name": b.name, "input": b.input} for b in message.content if b.type == "tool_use"]
    require(texts == [choice["commands"][0]["text"]], "SDK and kit disagree on the text")
    require(sdk_calls == [{"id": c["call_id"], "name": c["action"], "input": c["parameters"]} for c in does],
            "SDK and kit disagree on the tool calls")
    require([{"id": c["id"], "name": c["name"]} for c in kit_calls] == [{"id": c["id"], "name": c["name"]}
                                                                         for c in sdk_calls], "call ids / names")
    require(message.stop_reason == "tool_use" and choice["finish_reason"] == "tool_calls",
            "SDK stop_reason / kit finish_reason")
    require(plan["usage"] == {"input_tokens": message.usage.input_tokens,
                              "output_tokens": message.usage.output_tokens}, "SDK and kit disagree on usage")


# ----------------------------------------------------------------------------------------

if anthropic is not None:
    BENCH = Bench(
        prog="bench_anthropic", doc=__doc__, api=API, sdk_name="anthropic",
        header=f"anthropic {anthropic.__version__}",
        make_stream=make_stream, check_kit=check_kit, run_kit=run_kit, run_json=run_json,
        run_kit_machine=run_kit_machine, counts=lambda n: {"json.loads": n, "kit-sse": n, "sdk-sse": n},
        agree="kit Plan and SDK message agree", run_sdk=run_sdk, run_sdk_sse=run_sdk_sse, check_sdk=check_sdk)
else:
    BENCH = Bench(
        prog="bench_anthropic", doc=__doc__, api=API, sdk_name="anthropic", header="anthropic not installed, skipped",
        make_stream=make_stream, check_kit=check_kit, run_kit=run_kit, run_json=run_json,
        run_kit_machine=run_kit_machine, counts=lambda n: {"json.loads": n, "kit-sse": n},
        agree="kit Plan checked",
        sdk_missing="  (no sdk and sdk-sse contenders; to compare with the SDK: pip install anthropic, "
                    "or pip install -e '.[bench]')")


def main(argv: list[str] | None = None) -> int:
    return run(BENCH, argv)


if __name__ == "__main__":
    sys.exit(main())
