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

import argparse
import gc
import io
import json
import os
import platform
import random
import sys
import time
import tracemalloc
from typing import Any, Callable

# Make `import kit` work when the package is not installed (run from a checkout).
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import openai  # noqa: E402
from openai import OpenAI  # noqa: E402
from openai._streaming import SSEDecoder as SDKSSEDecoder  # noqa: E402
from openai._utils import is_mapping  # noqa: E402
from openai.lib.streaming.chat import ChatCompletionStreamState  # noqa: E402
from openai.lib.streaming.chat._completions import _is_valid_chat_completion_chunk_weak  # noqa: E402
from openai.types.chat import ChatCompletionChunk  # noqa: E402

from kit.plan import canonical_json  # noqa: E402
from kit.reference.chat import API, ChatReference  # noqa: E402
from kit.replay import replay_reads  # noqa: E402
from kit.sse import SSEDecoder as KitSSEDecoder  # noqa: E402

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

_WORDS = ("the of and to in is that for it as with was on be by this are or from at an not "
          "stream chunk event token tool call arguments parser buffer decode value index "
          "function return yield state plan agent café naïve 東京 ✓").split()
_TEXT_PIECES = ["Sure", ",", " I", "'ll", " write", " the", " three", " files", " now", ".",
                " Here", " is", " the", " plan", ":", " first", " —", " then", " café", " ✓", "\n"]


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


def _arguments(rng: random.Random, index: int, length: int) -> str:
    """A valid JSON arguments object of exactly ``length`` characters (long `content`)."""
    prefix = '{"path":"src/pkg/module_%d.py","content":"' % index
    suffix = '","overwrite":true}'
    room = length - len(prefix) - len(suffix)
    assert room > 0, "stream too small for its tool calls"
    words: list[str] = []
    size = 0
    while size < room + 16:
        w = rng.choice(_WORDS)
        r = rng.random()
        if r < 0.06:
            w += "\n"  # escapes (\n, \") inside the JSON string, split across fragments
        elif r < 0.09:
            w = '"' + w + '"'
        words.append(w)
        size += len(w) + 1
    escaped = json.dumps(" ".join(words), ensure_ascii=False)[1:-1][:room]
    tail = len(escaped) - len(escaped.rstrip("\\"))
    if tail % 2:  # do not end inside an escape sequence
        escaped = escaped[:-1] + " "
    text = prefix + escaped + suffix
    json.loads(text)  # valid JSON by construction
    assert len(text) == length
    return text


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
        piece = _TEXT_PIECES[i % len(_TEXT_PIECES)]
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


def cut_reads(body: bytes, n_events: int, seed: int = 11) -> list[bytes]:
    """Cut the body like a network would: 1-4 events' worth of bytes per read, at any byte
    (so reads end mid-event, mid-line and sometimes inside a UTF-8 character)."""
    rng = random.Random(seed)
    avg = len(body) / n_events
    reads, pos = [], 0
    while pos < len(body):
        size = max(1, int(avg * rng.uniform(1.0, 4.0)))
        reads.append(body[pos:pos + size])
        pos += size
    return reads


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


def run_json(reads: list[bytes]) -> int:
    """(c) The floor: json.loads of each event's data, nothing else."""
    loads = json.loads
    n = 0
    for block in b"".join(reads).split(b"\n\n"):
        if block.startswith(b"data: "):
            data = block[6:]
            if data != b"[DONE]":
                loads(data)
                n += 1
    return n


def run_kit_sse(reads: list[bytes]) -> int:
    """(d) kit.sse.SSEDecoder alone."""
    dec = KitSSEDecoder()
    feed = dec.feed
    n = 0
    for data in reads:
        n += len(feed(data))
    return n + len(dec.close())


def run_sdk_sse(reads: list[bytes]) -> int:
    """(d) openai._streaming.SSEDecoder alone (what every SDK stream runs first)."""
    n = 0
    for _sse in SDKSSEDecoder().iter_bytes(iter(reads)):
        n += 1
    return n


def run_kit_machine(events: list) -> dict:
    """The kit's reference machine alone, on pre-decoded SSE events."""
    machine = ChatReference()
    feed = machine.feed
    for sse in events:
        feed(sse)
    machine.close()
    return machine.plan()


# ----------------------------------------------------------------------------------------
# Checks: both accumulators must produce the same thing
# ----------------------------------------------------------------------------------------

def require(ok: bool, what: str) -> None:
    """A check that also holds under ``python -O`` (unlike assert)."""
    if not ok:
        raise SystemExit(f"bench_chat: check failed: {what}")


def check_kit(plan: dict, expected: dict) -> list[dict]:
    """The kit's Plan holds what the stream carried; returns its calls."""
    (choice,) = plan["choices"]
    says = [c["text"] for c in choice["commands"] if c["type"] == "SAY"]
    does = [c for c in choice["commands"] if c["type"] == "DO"]
    calls = [{"id": c["call_id"], "name": c["action"], "arguments": c["arguments"]} for c in does]
    require(says == [expected["text"]], "kit text differs from the stream")
    require(calls == expected["calls"], "kit calls differ from the stream")
    require(all(c["parameters"] == json.loads(c["arguments"]) and not c.get("invalid_arguments") for c in does),
            "kit parameters are not the parsed arguments")
    require(choice["finish_reason"] == expected["finish_reason"], "kit finish_reason")
    require(plan["usage"] is not None and plan["error"] is None, "kit usage/error")
    return calls


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
# Timing and memory
# ----------------------------------------------------------------------------------------

def time_once(fn: Callable[[Any], Any], arg: Any) -> float:
    """One timed run. gc.collect() first; the collector stays on while timing (as in use)."""
    gc.collect()
    t0 = time.perf_counter()
    fn(arg)
    return time.perf_counter() - t0


def kit_memory(reads: list[bytes]) -> dict:
    """Peak traced memory of the kit pipeline, and what the resulting plan occupies."""
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    result = replay_reads(API, reads)
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    plan = result.plan
    return {
        "peak": peak - base,
        "retained": current - base,  # the Replay (plan, diagnostics) still alive
        "plan_json": len(canonical_json(plan).encode()),
        "args": sum(len(c["arguments"].encode()) for ch in plan["choices"] for c in ch["commands"]
                    if c["type"] == "DO"),
    }


def fmt_time(s: float) -> str:
    if s >= 1:
        return f"{s:8.2f} s "
    return f"{s * 1e3:8.2f} ms"


def fmt_bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(n) < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


# ----------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default=None,
                    help="comma-separated stream sizes in SSE events, e.g. 1000,10k "
                         "(default 1000,10000,100000; with --quick 1000,10000)")
    ap.add_argument("--quick", action="store_true", help="sizes 1k and 10k, 3 runs each")
    ap.add_argument("--reps", type=int, default=None,
                    help="runs per measurement, best kept (default 5, and 3 from 50k events; --quick 3)")
    ap.add_argument("--budget", type=float, default=60.0,
                    help="seconds after which a contender is not run again at that size (default 60): "
                         "a contender slower than this per run runs once")
    ap.add_argument("--no-sdk", action="store_true", help="skip the openai SDK contender")
    ap.add_argument("--no-memory", action="store_true", help="skip the tracemalloc measurement")
    ap.add_argument("--profile", type=int, default=0, metavar="TOP",
                    help="only profile the kit pipeline (cProfile) at the largest size and print "
                         "the TOP functions by own time, e.g. --profile 15 --sizes 100k")
    args = ap.parse_args(argv)

    sizes = ([int(s.strip().lower().replace("_", "").replace("k", "000")) for s in args.sizes.split(",")]
             if args.sizes else [1000, 10000] if args.quick else [1000, 10000, 100000])

    print(f"python {platform.python_version()} ({platform.machine()}), openai {openai.__version__}, "
          f"{os.cpu_count()} CPU(s)")
    if args.profile:
        return profile_kit(max(sizes), args.profile)

    # -- workloads, and the honesty check: everybody produces the same thing ---------------
    work: dict[int, dict[str, Any]] = {}
    for n in sizes:
        body, expected = make_stream(n)
        reads = cut_reads(body, n)
        plan = run_kit(reads)
        kit_calls = check_kit(plan, expected)
        require(run_json(reads) == n - 1 and run_kit_sse(reads) == n and run_sdk_sse(reads) == n,
                "a decoder saw a different number of events")
        dec = KitSSEDecoder()
        events = [e for data in reads for e in dec.feed(data)] + dec.close()
        require(run_kit_machine(events) == plan, "kit machine alone gives another plan")
        if not args.no_sdk:
            check_sdk(run_sdk(reads), plan, kit_calls)
        reps = args.reps or (3 if args.quick or n >= 50000 else 5)
        work[n] = {"bytes": len(body), "reads": reads, "events": events, "reps": reps}
        agree = "kit Plan and SDK completion agree" if not args.no_sdk else "kit Plan checked"
        print(f"{n:>8,d} events: {fmt_bytes(len(body))} in {len(reads)} reads; "
              f"{agree} ({len(kit_calls)} calls, "
              f"{sum(len(c['arguments']) for c in kit_calls):,d} characters of arguments)", flush=True)
        del body

    contenders: list[tuple[str, Callable, str]] = [
        ("json.loads", run_json, "reads"), ("kit", run_kit, "reads"), ("kit-sse", run_kit_sse, "reads"),
        ("sdk-sse", run_sdk_sse, "reads"), ("kit-machine", run_kit_machine, "events")]
    if not args.no_sdk:
        contenders.append(("sdk", run_sdk, "reads"))

    # -- timing: interleaved rounds --------------------------------------------------------
    # Each round runs every contender once on every size (order rotated per round), so
    # slow drift of the machine's speed hits all of them alike; each keeps its best run.
    # A contender stops once it has spent --budget seconds at a size (it runs at least once).
    print("\ntiming: best wall time (time.perf_counter) of interleaved runs, gc.collect() before each")
    times: dict[tuple[int, str], list[float]] = {(n, c[0]): [] for n in sizes for c in contenders}
    for r in range(max(w["reps"] for w in work.values())):
        t_round = time.perf_counter()
        k = r % len(contenders)
        for n in sizes:
            if r >= work[n]["reps"]:
                continue
            for name, fn, arg in contenders[k:] + contenders[:k]:
                done = times[n, name]
                if done and sum(done) + min(done) > args.budget:
                    continue
                done.append(time_once(fn, work[n][arg]))
        print(f"  round {r + 1}: {time.perf_counter() - t_round:.1f} s", flush=True)
    rows = {n: {name: (min(ts), len(ts), sorted(ts)[len(ts) // 2]) for (m, name), ts in times.items() if m == n}
            for n in sizes}

    # -- memory ------------------------------------------------------------------------------
    mem: dict[int, dict] = {}
    if not args.no_memory:
        for n in sizes:
            if n < 10000:
                continue
            # Same number of events, two plan sizes: 2-8 character fragments (the timed
            # stream) and 20-80 (10x the arguments). Memory bounded by the output grows
            # ~10x between the two; memory proportional to the events stays about equal.
            coarse, _ = make_stream(n, frag=(20, 80))
            mem[n] = {"2-8": kit_memory(work[n]["reads"]), "20-80": kit_memory(cut_reads(coarse, n))}
            del coarse

    print()
    print_table(sizes, rows, work, mem)
    return 0


def profile_kit(n: int, top: int) -> int:
    """cProfile of the kit pipeline (bytes -> Plan) on the n-event stream."""
    import cProfile
    import pstats

    body, expected = make_stream(n)
    reads = cut_reads(body, n)
    check_kit(run_kit(reads), expected)  # also warms up
    gc.collect()
    prof = cProfile.Profile()
    prof.enable()
    run_kit(reads)
    prof.disable()
    print(f"cProfile of the kit pipeline, {n:,d} events, top {top} by own time (tottime)")
    pstats.Stats(prof).strip_dirs().sort_stats("tottime").print_stats(top)
    return 0


def label(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


def print_table(sizes: list[int], rows: dict, work: dict, mem: dict) -> None:
    """rows[n][name] = (best seconds, runs, median seconds)."""
    out = io.StringIO()
    w = out.write
    line = "=" * 104 + "\n"
    rule = "-" * 104 + "\n"
    col = 30

    w(line)
    w("time: best of (runs); µs per SSE event; median/best shows the noise\n")
    w(rule)
    w(f"{'contender':13s}" + "".join(f"{label(n) + ' events':>{col}s}" for n in sizes) + "\n")
    for name in ("json.loads", "kit", "sdk", "kit-sse", "sdk-sse", "kit-machine"):
        if not all(rows[n].get(name) for n in sizes):
            continue
        cells = []
        for n in sizes:
            best, runs, median = rows[n][name]
            cells.append(f"{fmt_time(best)} {best / n * 1e6:7.2f}µs ({runs}) {median / best:4.2f}")
        w(f"{name:13s}" + "".join(f"{c:>{col}s}" for c in cells) + "\n")

    def verdict(values: list[float], ok: Callable[[float], bool] | None) -> str:
        if ok is None:
            return ""
        return "  PASS" if all(ok(v) for v in values) else "  FAIL"

    def ratio(text: str, num: str, den: str, target: str, ok: Callable[[float], bool] | None) -> None:
        if not all(rows[n].get(num) and rows[n].get(den) for n in sizes):
            return
        values = [rows[n][num][0] / rows[n][den][0] for n in sizes]
        w(f"{text:13s}" + "".join(f"{v:>{col - 1}.2f}×" for v in values) + f"   {target}{verdict(values, ok)}\n")

    w(rule)
    w("ratios of best times\n")
    ratio("kit/json", "kit", "json.loads", "target ≤ 3×", lambda v: v <= 3)
    ratio("sdk/kit", "sdk", "kit", "target ≥ 15×", lambda v: v >= 15)
    ratio("kit-sse/sdk-sse", "kit-sse", "sdk-sse", "target ≤ 1×", lambda v: v <= 1)
    ratio("kit-sse/json", "kit-sse", "json.loads", "(decoder's share)", None)
    ratio("machine/json", "kit-machine", "json.loads", "(reference machine's share)", None)

    w(rule)
    w("linearity: best time at 10x the events / best time (target ≤ 11× for 10×)\n")
    for name in ("kit", "json.loads", "sdk"):
        parts, values = [], []
        for a, b in zip(sizes, sizes[1:]):
            if rows[a].get(name) and rows[b].get(name):
                v = rows[b][name][0] / rows[a][name][0]
                values.append(v * 10 / (b / a))
                parts.append(f"{label(b)}/{label(a)} = {v:6.2f}× (for {b / a:g}×)")
        if parts:
            w(f"  {name:11s}" + "    ".join(parts) + (verdict(values, lambda v: v <= 11) if name == "kit" else "") + "\n")
    # The floor's own growth shows what the machine does at larger sizes (caches): the kit's
    # growth divided by it is what the kit adds (1.00 = exactly as linear as json.loads).
    parts = []
    for a, b in zip(sizes, sizes[1:]):
        if all(rows[m].get(k) for m in (a, b) for k in ("kit", "json.loads")):
            rel = (rows[b]["kit"][0] / rows[a]["kit"][0]) / (rows[b]["json.loads"][0] / rows[a]["json.loads"][0])
            parts.append(f"{label(b)}/{label(a)} = {rel:6.2f}")
    if parts:
        w(f"  {'kit÷floor':11s}" + "    ".join(parts) + "   (kit's growth / json.loads' growth)\n")

    if mem:
        w(rule)
        w("kit pipeline memory, tracemalloc (the input reads are not counted)\n")
        w("  retained = still allocated after the run (the Replay: plan, diagnostics); arguments = the\n"
          "  argument strings in UTF-8; fragments 20-80 = same number of events, ~10x the arguments\n")
        w(f"  {'events':>8s} {'fragments':>10s} {'peak':>10s} {'retained':>10s} {'plan JSON':>10s} "
          f"{'arguments':>10s} {'peak/plan':>10s} {'peak/event':>11s}\n")
        for n, pair in mem.items():
            for frag, m in pair.items():
                w(f"  {n:8,d} {frag:>10s} {fmt_bytes(m['peak']):>10s} {fmt_bytes(m['retained']):>10s} "
                  f"{fmt_bytes(m['plan_json']):>10s} {fmt_bytes(m['args']):>10s} "
                  f"{m['peak'] / m['plan_json']:9.2f}× {m['peak'] / n:9.0f} B\n")
        ns = sorted(mem)
        for a, b in zip(ns, ns[1:]):
            fa, fb = mem[a]["2-8"], mem[b]["2-8"]
            w(f"  2-8 fragments, {label(b)}/{label(a)}: peak {fb['peak'] / fa['peak']:.2f}×, "
              f"plan JSON {fb['plan_json'] / fa['plan_json']:.2f}×\n")
        for n in ns:
            f, c = mem[n]["2-8"], mem[n]["20-80"]
            w(f"  {label(n)}, 20-80 vs 2-8 fragments: plan JSON {c['plan_json'] / f['plan_json']:.2f}×, "
              f"peak {c['peak'] / f['peak']:.2f}×  (if memory followed the output only, peak ≈ the plan ratio)\n")
    w(line)
    print(out.getvalue(), end="")


if __name__ == "__main__":
    sys.exit(main())
