"""Benchmark: the kit's OpenAI Responses pipeline vs the openai SDK vs bare json.loads.

Run from the repository root::

    python bench/bench_responses.py             # 1k, 10k, 100k events
    python bench/bench_responses.py --quick     # 1k, 10k, 3 runs each
    python bench/bench_responses.py --sizes 1k,20k --reps 7
    python bench/bench_responses.py --profile 15 --sizes 100k   # cProfile of the kit

Every contender gets the *same* list of ``bytes`` reads of the *same* synthetic stream,
in one process, in interleaved rounds (as ``bench_chat.py``; see ``_common.run``):

``kit``        bytes -> ``kit.sse.SSEDecoder`` -> ``kit.reference.responses.ResponsesReference``
               -> Plan, through ``kit.replay.replay_reads("openai.responses", reads)``.
``sdk``        what ``client.responses.stream(..., tools=...)`` does with the same bytes:
               ``openai._streaming.SSEDecoder.iter_bytes`` -> ``sse.json()`` ->
               ``client._process_response_data(cast_to=ResponseStreamEvent)`` (the
               discriminated union ``Stream[ResponseStreamEvent]`` casts to) ->
               ``ResponseStreamState.handle_event`` -> the final response
               (``get_final_response()``): a line-for-line copy of ``Stream.__stream__``
               and ``ResponseStream.__stream__`` without the HTTP plumbing.
``json.loads`` the floor: split the body on ``b"\\n\\n"``, take what follows
               ``b"data: "``, ``json.loads`` it. No SSE decoder, no accumulation.
``kit-sse`` / ``sdk-sse``   the two SSE decoders alone (bytes -> event objects).
``kit-machine`` the kit's reference machine alone, fed pre-decoded ``SSEEvent`` objects.

Before timing, the SDK's final response and the kit's Plan are checked to agree (text,
call ids, names, arguments, usage, status), so both did the same work; every other
contender is checked to see the same number of events.
"""

from __future__ import annotations

import random
import sys
from typing import Any

# _common (next to this file) also puts the repository root on sys.path for `import kit`.
from _common import TEXT_PIECES, Bench, checker, kit_checker, run_json, compact, machine_runner, make_arguments, random_id, run

import openai  # noqa: E402
from openai import OpenAI  # noqa: E402
from openai._streaming import SSEDecoder as SDKSSEDecoder  # noqa: E402
from openai._streaming import Stream, extract_stream_chunk_type  # noqa: E402
from openai._types import omit  # noqa: E402
from openai._utils import is_mapping  # noqa: E402
from openai.lib.streaming.responses import ResponseStreamState  # noqa: E402
from openai.types.responses import ResponseStreamEvent  # noqa: E402

from kit.reference.responses import API, ResponsesReference  # noqa: E402
from kit.replay import replay_reads  # noqa: E402

require = checker("bench_responses")
check_kit = kit_checker(require)

# ----------------------------------------------------------------------------------------
# Workload: a synthetic but realistic Responses stream
# ----------------------------------------------------------------------------------------

# The tools as sent in the request (Responses shape) and given to the SDK as `input_tools`.
# Not `strict`: the SDK's default path (strict tools add a json.loads of each call's
# arguments in `parse_response`).
TOOLS = [
    {"type": "function", "name": name, "description": desc, "strict": False, "parameters": {
        "type": "object",
        "properties": {"path": {"type": "string"}, "content": {"type": "string"},
                       "overwrite": {"type": "boolean"}},
        "required": ["path", "content"]}}
    for name, desc in (("write_file", "Write a file."), ("append_file", "Append to a file."),
                       ("create_note", "Save a note."))
]
N_CALLS = 3
# Events that are not text or argument deltas: created, in_progress; the message item's
# added, content_part.added, output_text.done, content_part.done, done; per call added,
# arguments.done, done; completed.
FRAMING = 2 + 5 + 3 * N_CALLS + 1


class _Stream:
    """Builds events the way the API serialises them: ``event: <type>`` then the payload
    (compact, UTF-8 kept, the type first and ``sequence_number`` on every event)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.seq = 0
        self.out: list[bytes] = []

    def emit(self, doc: dict) -> None:
        doc["sequence_number"] = self.seq
        self.seq += 1
        self.out.append(b"event: " + doc["type"].encode() + b"\ndata: " + compact(doc) + b"\n\n")

    def obfuscation(self, delta: str) -> str:
        # Delta events carry padding so that their size does not reveal the token.
        return random_id(self.rng, max(2, 16 - len(delta)))


def _response(resp_id: str, status: str, output: list, usage: dict | None) -> dict:
    return {"id": resp_id, "object": "response", "created_at": 1767225600, "status": status,
            "background": False, "completed_at": 1767225611 if status == "completed" else None,
            "error": None, "incomplete_details": None, "instructions": "Use the tools to write the files.",
            "max_output_tokens": None, "max_tool_calls": None, "model": "gpt-4.1-2025-04-14",
            "output": output, "parallel_tool_calls": True, "previous_response_id": None,
            "prompt_cache_key": None, "reasoning": {"effort": None, "summary": None}, "safety_identifier": None,
            "service_tier": "default", "store": True, "temperature": 1.0,
            "text": {"format": {"type": "text"}, "verbosity": "medium"}, "tool_choice": "auto", "tools": TOOLS,
            "top_logprobs": 0, "top_p": 1.0, "truncation": "disabled", "usage": usage, "user": None,
            "metadata": {}}


def make_stream(n_events: int, seed: int = 7, frag: tuple[int, int] = (2, 8)) -> tuple[bytes, dict]:
    """The body of a stream of exactly ``n_events`` SSE events, and what it should yield.

    Layout: ``response.created``, ``response.in_progress``; a message item (output_item.added,
    content_part.added, ~10% of the events as output_text.delta of a few characters,
    output_text.done, content_part.done, output_item.done); three function_call items one
    after the other (output_item.added with ``arguments: ""``, function_call_arguments.delta
    of 2-8 characters each, function_call_arguments.done, output_item.done); then
    ``response.completed`` with the full ``output`` and usage. ``frag`` sets the fragment
    sizes (the memory check also uses 20-80: same events, 10x the arguments).
    """
    rng = random.Random(seed)
    s = _Stream(rng)
    resp_id = "resp_" + random_id(rng, 48, "0123456789abcdef")
    n_text = max(1, n_events // 10)
    n_frag = n_events - FRAMING - n_text
    per_call = [n_frag // N_CALLS + (1 if i < n_frag % N_CALLS else 0) for i in range(N_CALLS)]
    if min(per_call) < 15:
        raise SystemExit(f"--sizes: {n_events} events is too few (at least 100)")

    s.emit({"type": "response.created", "response": _response(resp_id, "in_progress", [], None)})
    s.emit({"type": "response.in_progress", "response": _response(resp_id, "in_progress", [], None)})

    msg_id = "msg_" + random_id(rng, 48, "0123456789abcdef")
    pieces = [TEXT_PIECES[i % len(TEXT_PIECES)] for i in range(n_text)]
    text = "".join(pieces)
    s.emit({"type": "response.output_item.added", "item": {"id": msg_id, "type": "message", "status": "in_progress",
                                                           "content": [], "role": "assistant"}, "output_index": 0})
    s.emit({"type": "response.content_part.added", "content_index": 0, "item_id": msg_id, "output_index": 0,
            "part": {"type": "output_text", "annotations": [], "logprobs": [], "text": ""}})
    for piece in pieces:
        s.emit({"type": "response.output_text.delta", "content_index": 0, "delta": piece, "item_id": msg_id,
                "logprobs": [], "obfuscation": s.obfuscation(piece), "output_index": 0})
    s.emit({"type": "response.output_text.done", "content_index": 0, "item_id": msg_id, "logprobs": [],
            "output_index": 0, "text": text})
    part = {"type": "output_text", "annotations": [], "logprobs": [], "text": text}
    s.emit({"type": "response.content_part.done", "content_index": 0, "item_id": msg_id, "output_index": 0,
            "part": part})
    message = {"id": msg_id, "type": "message", "status": "completed", "content": [part], "role": "assistant"}
    s.emit({"type": "response.output_item.done", "item": message, "output_index": 0})
    output: list[dict] = [message]

    calls = []
    for c, count in enumerate(per_call):
        index = c + 1
        sizes = [rng.randint(*frag) for _ in range(count)]
        args = make_arguments(rng, c, sum(sizes))
        item_id = "fc_" + random_id(rng, 48, "0123456789abcdef")
        call_id = "call_" + random_id(rng, 24)
        name = TOOLS[c]["name"]
        calls.append({"id": call_id, "name": name, "arguments": args})
        s.emit({"type": "response.output_item.added", "item": {
            "id": item_id, "type": "function_call", "status": "in_progress", "arguments": "", "call_id": call_id,
            "name": name}, "output_index": index})
        pos = 0
        for size in sizes:
            piece = args[pos:pos + size]
            s.emit({"type": "response.function_call_arguments.delta", "delta": piece, "item_id": item_id,
                    "obfuscation": s.obfuscation(piece), "output_index": index})
            pos += size
        s.emit({"type": "response.function_call_arguments.done", "arguments": args, "item_id": item_id,
                "output_index": index})
        item = {"id": item_id, "type": "function_call", "status": "completed", "arguments": args,
                "call_id": call_id, "name": name}
        s.emit({"type": "response.output_item.done", "item": item, "output_index": index})
        output.append(item)

    usage = {"input_tokens": 812, "input_tokens_details": {"cached_tokens": 0}, "output_tokens": n_events,
             "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": 812 + n_events}
    s.emit({"type": "response.completed", "response": _response(resp_id, "completed", output, usage)})
    assert len(s.out) == n_events
    return b"".join(s.out), {"text": text, "calls": calls, "finish_reason": "tool_calls",
                             "usage": {"input_tokens": 812, "output_tokens": n_events}}


# ----------------------------------------------------------------------------------------
# Contenders. Each takes the list of reads and returns its result.
# ----------------------------------------------------------------------------------------

def run_kit(reads: list[bytes]) -> dict:
    """bytes -> kit.sse.SSEDecoder -> ResponsesReference -> Plan (kit.replay.replay_reads)."""
    return replay_reads(API, reads).plan


# The SDK's own client, only to call its `_process_response_data` (no request is made).
_CLIENT = OpenAI(api_key="sk-bench-not-used", base_url="http://127.0.0.1:9/v1")
# What `Stream[ResponseStreamEvent]` casts each event to (as openai/_response.py does).
_CAST_TO = extract_stream_chunk_type(Stream[ResponseStreamEvent])


def run_sdk(reads: list[bytes]) -> Any:
    """What `client.responses.stream(..., tools=TOOLS)` does with these bytes.

    Mirrors openai/_streaming.py `Stream.__stream__` (decoder from `_make_sse_decoder()`,
    break at [DONE], `sse.json()`, in-band error check, `_process_response_data` with the
    event union) and openai/lib/streaming/responses/_responses.py `ResponseStream.__stream__`
    (`ResponseStreamState.handle_event`, consume the events it returns, no
    `starting_after`), then `get_final_response()` (the state's completed response).
    """
    decoder = _CLIENT._make_sse_decoder()
    process = _CLIENT._process_response_data
    state = ResponseStreamState(input_tools=TOOLS, text_format=omit)
    for sse in decoder.iter_bytes(iter(reads)):
        if sse.data.startswith("[DONE]"):
            break
        data = sse.json()
        if is_mapping(data) and data.get("error"):
            raise RuntimeError("in-band error")  # the SDK raises APIError here
        event = process(data=data, cast_to=_CAST_TO, response=None)
        for _event in state.handle_event(event):
            pass
    response = state._completed_response
    if not response:
        raise RuntimeError("Didn't receive a `response.completed` event.")
    return response


def run_sdk_sse(reads: list[bytes]) -> int:
    """openai._streaming.SSEDecoder alone (what every SDK stream runs first)."""
    n = 0
    for _sse in SDKSSEDecoder().iter_bytes(iter(reads)):
        n += 1
    return n


run_kit_machine = machine_runner(ResponsesReference)


# ----------------------------------------------------------------------------------------
# Checks: both accumulators must produce the same thing
# ----------------------------------------------------------------------------------------

def check_sdk(response: Any, plan: dict, kit_calls: list[dict]) -> None:
    """The SDK's final response agrees with the kit's Plan (same text, calls, usage)."""
    (choice,) = plan["choices"]
    texts = [part.text for item in response.output if item.type == "message" for part in item.content
             if part.type == "output_text"]
    sdk_calls = [{"id": item.call_id, "name": item.name, "arguments": item.arguments}
                 for item in response.output if item.type == "function_call"]
    require(texts == [choice["commands"][0]["text"]], "SDK and kit disagree on the text")
    require(sdk_calls == kit_calls, "SDK and kit disagree on the tool calls")
    require(response.status == "completed" and choice["finish_reason"] == "tool_calls",
            "SDK status / kit finish_reason")
    require(plan["usage"] == {"input_tokens": response.usage.input_tokens,
                              "output_tokens": response.usage.output_tokens}, "SDK and kit disagree on usage")


# ----------------------------------------------------------------------------------------

BENCH = Bench(
    prog="bench_responses", doc=__doc__, api=API, sdk_name="openai", header=f"openai {openai.__version__}",
    make_stream=make_stream, check_kit=check_kit, run_kit=run_kit, run_json=run_json,
    run_kit_machine=run_kit_machine, counts=lambda n: {"json.loads": n, "kit-sse": n, "sdk-sse": n},
    agree="kit Plan and SDK response agree", run_sdk=run_sdk, run_sdk_sse=run_sdk_sse, check_sdk=check_sdk)


def main(argv: list[str] | None = None) -> int:
    return run(BENCH, argv)


if __name__ == "__main__":
    sys.exit(main())
