"""Benchmark: the kit's Chat Completions pipeline vs the openai SDK vs bare json.loads.

Run from the repository root::

    python bench/bench_chat.py             # 1k, 10k, 100k events
    python bench/bench_chat.py --quick     # 1k, 10k, 3 runs each
    python bench/bench_chat.py --sizes 1k,20k --reps 7
    python bench/bench_chat.py --profile 15 --sizes 100k   # cProfile of the kit

Every contender gets the *same* list of ``bytes`` reads of the *same* synthetic stream,
in one process, in interleaved rounds (see ``main``):

``kit``        bytes -> ``kit.sse.SSEDecoder`` -> ``kit.reference.chat.ChatReference`` -> Plan,
               through ``kit.replay.replay_reads`` (the public pipeline, end to end).
``sdk``        what ``client.chat.completions.stream(...)`` does with the same bytes:
               ``openai._streaming.SSEDecoder.iter_bytes`` -> ``sse.json()`` ->
               ``client._process_response_data(cast_to=ChatCompletionChunk)`` ->
               ``ChatCompletionStreamState.handle_chunk`` -> ``get_final_completion()``
               (a line-for-line copy of ``Stream.__stream__`` and
               ``ChatCompletionStream.__stream__`` without the HTTP plumbing).
``json.loads`` the floor: split the body on ``b"\\n\\n"``, strip ``b"data: "``, skip
               ``[DONE]``, ``json.loads`` each payload. No SSE decoder, no accumulation.
``kit-sse`` / ``sdk-sse``   the two SSE decoders alone (bytes -> event objects).
``kit-machine`` the kit's reference machine alone, fed pre-decoded ``SSEEvent`` objects
               (so ``kit`` ~= ``kit-sse`` + ``kit-machine``: where the time goes).

Before timing, the SDK's final completion and the kit's Plan are checked to agree
(text, finish reason, call ids, names, arguments, usage), so both did the same work;
every other contender is checked to see the same number of events.
"""

from __future__ import annotations

import json
import random
import sys
from typing import Any

# _common (next to this file) also puts the repository root on sys.path for `import kit`.
from _common import TEXT_PIECES, Bench, checker, kit_checker, run_json, machine_runner, run
from _common import make_arguments as _arguments

import openai  # noqa: E402
from openai import OpenAI  # noqa: E402
from openai._streaming import SSEDecoder as SDKSSEDecoder  # noqa: E402
from openai._utils import is_mapping  # noqa: E402
from openai.lib.streaming.chat import ChatCompletionStreamState  # noqa: E402
from openai.lib.streaming.chat._completions import _is_valid_chat_completion_chunk_weak  # noqa: E402
from openai.types.chat import ChatCompletionChunk  # noqa: E402

from kit.reference.chat import API, ChatReference  # noqa: E402
from kit.replay import replay_reads  # noqa: E402

require = checker("bench_chat")
check_kit = kit_checker(require, exact_usage=False)

# ----------------------------------------------------------------------------------------
# Workload: a synthetic but realistic Chat Completions stream
# ----------------------------------------------------------------------------------------

# The tools as they would be sent in the request (and given to the SDK as `input_tools`).
# Not `strict`: the SDK's default path (strict tools would add a partial JSON parse of
# the growing arguments on every fragment, making the SDK slower still).
TOOLS = [
    {"type": "function", "function": {"name": name, "description": desc, "parameters": {
        "type": "object",
        "properties": {"path": {"type": "string"}, "content": {"type": "string"},
                       "overwrite": {"type": "boolean"}},
        "required": ["path", "content"]}}}
    for name, desc in (("write_file", "Write a file."), ("append_file", "Append to a file."),
                       ("create_note", "Save a note."))
]

class _Chunk:
    """Builds chunk JSON the way the API serialises it (compact, UTF-8 kept)."""

    def __init__(self, seed: int) -> None:
        rng = random.Random(seed)
        suffix = "".join(rng.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
                         for _ in range(29))
        self.head = {"id": "chatcmpl-" + suffix, "object": "chat.completion.chunk",
                     "created": 1767225600, "model": "gpt-4.1-2025-04-14", "service_tier": "default",
                     "system_fingerprint": "fp_b3f1157249"}

    def event(self, delta: dict | None = None, *, finish: str | None = None,
              usage: dict | None = None, choices: bool = True) -> bytes:
        doc = dict(self.head)
        doc["choices"] = ([{"index": 0, "delta": delta if delta is not None else {}, "logprobs": None,
                            "finish_reason": finish}] if choices else [])
        doc["usage"] = usage  # `stream_options: {"include_usage": true}` puts `usage: null` everywhere
        return b"data: " + json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode() + b"\n\n"


def make_stream(n_events: int, seed: int = 7, frag: tuple[int, int] = (2, 8)) -> tuple[bytes, dict]:
    """The body of a stream of exactly ``n_events`` SSE events, and what it should yield.

    Layout: a role chunk, ~10% text deltas (a few characters each), three tool calls one
    after the other (the first fragment carries index, id, type, name and ``arguments:
    ""``; the others only index and a 2-8 character piece of the arguments), a finish
    chunk (``tool_calls``), a usage chunk (``choices: []``) and ``data: [DONE]``.
    ``frag`` sets the fragment sizes (the memory check also uses 20-80: same events,
    10x the arguments).
    """
    rng = random.Random(seed)
    ck = _Chunk(seed)
    n_text = max(1, n_events // 10)
    n_frag = n_events - 4 - n_text - 3  # role, finish, usage, [DONE]; one header per call
    per_call = [n_frag // 3 + (1 if i < n_frag % 3 else 0) for i in range(3)]
    if min(per_call) < 15:
        raise SystemExit(f"--sizes: {n_events} events is too few (at least 100)")
    out = [ck.event({"role": "assistant", "content": "", "refusal": None})]
    text = []
    for i in range(n_text):
        piece = TEXT_PIECES[i % len(TEXT_PIECES)]
        text.append(piece)
        out.append(ck.event({"content": piece}))
    calls = []
    for c, count in enumerate(per_call):
        sizes = [rng.randint(*frag) for _ in range(count)]
        args = _arguments(rng, c, sum(sizes))
        call_id = "call_" + "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(24))
        name = TOOLS[c]["function"]["name"]
        calls.append({"id": call_id, "name": name, "arguments": args})
        out.append(ck.event({"tool_calls": [{"index": c, "id": call_id, "type": "function",
                                             "function": {"name": name, "arguments": ""}}]}))
        pos = 0
        for size in sizes:
            out.append(ck.event({"tool_calls": [{"index": c, "function": {"arguments": args[pos:pos + size]}}]}))
            pos += size
    out.append(ck.event({}, finish="tool_calls"))
    usage = {"prompt_tokens": 812, "completion_tokens": n_events, "total_tokens": 812 + n_events,
             "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
             "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0,
                                           "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}}
    out.append(ck.event(usage=usage, choices=False))
    out.append(b"data: [DONE]\n\n")
    assert len(out) == n_events
    return b"".join(out), {"text": "".join(text), "calls": calls, "finish_reason": "tool_calls"}


# ----------------------------------------------------------------------------------------
# Contenders. Each takes the list of reads and returns its result.
# ----------------------------------------------------------------------------------------

def run_kit(reads: list[bytes]) -> dict:
    """(a) bytes -> kit.sse.SSEDecoder -> ChatReference -> Plan (kit.replay.replay_reads)."""
    return replay_reads(API, reads).plan


# The SDK's own client, only to call its `_process_response_data` (no request is made).
_CLIENT = OpenAI(api_key="sk-bench-not-used", base_url="http://127.0.0.1:9/v1")


def run_sdk(reads: list[bytes]) -> Any:
    """(b) What `client.chat.completions.stream(..., tools=TOOLS)` does with these bytes.

    Mirrors openai/_streaming.py `Stream.__stream__` (decoder from `_make_sse_decoder()`,
    break at [DONE], `sse.json()`, in-band error check, `_process_response_data`) and
    openai/lib/streaming/chat/_completions.py `ChatCompletionStream.__stream__` (weak chunk
    check, `handle_chunk`, consume the events it returns), then `get_final_completion()`.
    """
    decoder = _CLIENT._make_sse_decoder()
    process = _CLIENT._process_response_data
    state = ChatCompletionStreamState(input_tools=TOOLS)
    for sse in decoder.iter_bytes(iter(reads)):
        if sse.data.startswith("[DONE]"):
            break
        data = sse.json()
        if is_mapping(data) and data.get("error"):
            raise RuntimeError("in-band error")  # the SDK raises APIError here
        chunk = process(data=data, cast_to=ChatCompletionChunk, response=None)
        if not _is_valid_chat_completion_chunk_weak(chunk):
            continue
        for _event in state.handle_chunk(chunk):
            pass
    return state.get_final_completion()


def run_sdk_sse(reads: list[bytes]) -> int:
    """(d) openai._streaming.SSEDecoder alone (what every SDK stream runs first)."""
    n = 0
    for _sse in SDKSSEDecoder().iter_bytes(iter(reads)):
        n += 1
    return n


run_kit_machine = machine_runner(ChatReference)


# ----------------------------------------------------------------------------------------
# Checks: both accumulators must produce the same thing
# ----------------------------------------------------------------------------------------

def check_sdk(completion: Any, plan: dict, kit_calls: list[dict]) -> None:
    """The SDK's final completion agrees with the kit's Plan (same text, calls, finish, usage)."""
    (choice,) = plan["choices"]
    (sdk_choice,) = completion.choices
    msg = sdk_choice.message
    sdk_calls = [{"id": t.id, "name": t.function.name, "arguments": t.function.arguments}
                 for t in msg.tool_calls or []]
    require(msg.content == choice["commands"][0]["text"], "SDK and kit disagree on the text")
    require(sdk_calls == kit_calls, "SDK and kit disagree on the tool calls")
    require(sdk_choice.finish_reason == choice["finish_reason"], "SDK and kit disagree on finish_reason")
    require(plan["usage"] == {"input_tokens": completion.usage.prompt_tokens,
                              "output_tokens": completion.usage.completion_tokens}, "SDK and kit disagree on usage")


# ----------------------------------------------------------------------------------------

BENCH = Bench(
    prog="bench_chat", doc=__doc__, api=API, sdk_name="openai", header=f"openai {openai.__version__}",
    make_stream=make_stream, check_kit=check_kit, run_kit=run_kit, run_json=run_json,
    run_kit_machine=run_kit_machine, counts=lambda n: {"json.loads": n - 1, "kit-sse": n, "sdk-sse": n},
    agree="kit Plan and SDK completion agree", run_sdk=run_sdk, run_sdk_sse=run_sdk_sse, check_sdk=check_sdk)


def main(argv: list[str] | None = None) -> int:
    return run(BENCH, argv)


if __name__ == "__main__":
    sys.exit(main())
