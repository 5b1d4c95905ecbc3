"""What the three benchmarks share: workload pieces, timing, memory, the report, the driver.

``bench_chat.py``, ``bench_responses.py`` and ``bench_anthropic.py`` each describe their
wire API in a :class:`Bench` (stream generator, contenders, agreement checks) and hand it
to :func:`run`, so all three measure the same way and print the same report.
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
from dataclasses import dataclass
from typing import Any, Callable

# Make `import kit` work when the package is not installed (run from a checkout).
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from kit.plan import canonical_json  # noqa: E402
from kit.replay import replay_reads  # noqa: E402
from kit.sse import SSEDecoder as KitSSEDecoder  # noqa: E402

# ----------------------------------------------------------------------------------------
# Workload pieces
# ----------------------------------------------------------------------------------------

WORDS = ("the of and to in is that for it as with was on be by this are or from at an not "
         "stream chunk event token tool call arguments parser buffer decode value index "
         "function return yield state plan agent café naïve 東京 ✓").split()
TEXT_PIECES = ["Sure", ",", " I", "'ll", " write", " the", " three", " files", " now", ".",
               " Here", " is", " the", " plan", ":", " first", " —", " then", " café", " ✓", "\n"]
ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def random_id(rng: random.Random, n: int, alphabet: str = ALNUM) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def make_arguments(rng: random.Random, index: int, length: int) -> str:
    """A valid JSON arguments object of exactly ``length`` characters (long `content`)."""
    prefix = '{"path":"src/pkg/module_%d.py","content":"' % index
    suffix = '","overwrite":true}'
    room = length - len(prefix) - len(suffix)
    assert room > 0, "stream too small for its tool calls"
    words: list[str] = []
    size = 0
    while size < room + 16:
        w = rng.choice(WORDS)
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


def compact(doc: Any) -> bytes:
    """JSON the way the APIs serialise it: compact, UTF-8 kept."""
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()


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
# Contenders every bench has
# ----------------------------------------------------------------------------------------

def run_kit_sse(reads: list[bytes]) -> int:
    """kit.sse.SSEDecoder alone."""
    dec = KitSSEDecoder()
    feed = dec.feed
    n = 0
    for data in reads:
        n += len(feed(data))
    return n + len(dec.close())


def kit_events(reads: list[bytes]) -> list:
    """The kit decoder's events for these reads (the input of ``kit-machine``)."""
    dec = KitSSEDecoder()
    return [e for data in reads for e in dec.feed(data)] + dec.close()


def machine_runner(cls: type) -> Callable[[list], dict]:
    """The kit's reference machine alone, on pre-decoded SSE events."""
    def run_kit_machine(events: list) -> dict:
        machine = cls()
        feed = machine.feed
        for sse in events:
            feed(sse)
        machine.close()
        return machine.plan()
    return run_kit_machine


# ----------------------------------------------------------------------------------------
# Checks
# ----------------------------------------------------------------------------------------

def checker(prog: str) -> Callable[[bool, str], None]:
    def require(ok: bool, what: str) -> None:
        """A check that also holds under ``python -O`` (unlike assert)."""
        if not ok:
            raise SystemExit(f"{prog}: check failed: {what}")
    return require


def run_json(reads: list[bytes]) -> int:
    """The floor: json.loads of each event's data (after an `event:` line, if any), nothing else."""
    loads = json.loads
    n = 0
    for block in b"".join(reads).split(b"\n\n"):
        i = block.find(b"data: ")
        if i >= 0:
            data = block[i + 6:]
            if data != b"[DONE]":
                loads(data)
                n += 1
    return n


def kit_checker(require: Callable[[bool, str], None], *, exact_usage: bool = True) -> Callable[[dict, dict], list[dict]]:
    """``check_kit(plan, expected)``: the kit's Plan holds what the stream carried; returns its calls."""

    def check_kit(plan: dict, expected: dict) -> list[dict]:
        (choice,) = plan["choices"]
        says = [c["text"] for c in choice["commands"] if c["type"] == "SAY"]
        does = [c for c in choice["commands"] if c["type"] == "DO"]
        calls = [{"id": c["call_id"], "name": c["action"], "arguments": c["arguments"]} for c in does]
        require(says == [expected["text"]], "kit text differs from the stream")
        require(calls == expected["calls"], "kit calls differ from the stream")
        require(all(c["parameters"] == json.loads(c["arguments"]) and not c.get("invalid_arguments") for c in does),
                "kit parameters are not the parsed arguments")
        require(choice["finish_reason"] == expected["finish_reason"], "kit finish_reason")
        usage_ok = plan["usage"] == expected["usage"] if exact_usage else plan["usage"] is not None
        require(usage_ok and plan["error"] is None, "kit usage/error")
        return calls

    return check_kit


# ----------------------------------------------------------------------------------------
# Timing and memory
# ----------------------------------------------------------------------------------------

def time_once(fn: Callable[[Any], Any], arg: Any) -> float:
    """One timed run. gc.collect() first; the collector stays on while timing (as in use)."""
    gc.collect()
    t0 = time.perf_counter()
    fn(arg)
    return time.perf_counter() - t0


def kit_memory(api: str, reads: list[bytes]) -> dict:
    """Peak traced memory of the kit pipeline, and what the resulting plan occupies."""
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    result = replay_reads(api, reads)
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


def label(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


# ----------------------------------------------------------------------------------------
# The driver
# ----------------------------------------------------------------------------------------

@dataclass
class Bench:
    """One wire API's benchmark.

    ``make_stream(n, frag=(lo, hi))`` returns the body of a stream of exactly ``n`` SSE
    events and what it should yield; ``check_kit(plan, expected)`` checks the kit's Plan
    and returns its calls; ``counts(n)`` gives the number of events each counting
    contender (``json.loads``, ``kit-sse``, ``sdk-sse``) must see; ``run_sdk`` and
    ``check_sdk(result, plan, kit_calls)`` are the SDK contender and its agreement check
    (``None`` with ``sdk_missing`` saying why when the SDK is not importable).
    """

    prog: str
    doc: str
    api: str
    sdk_name: str  # "openai", "anthropic"
    header: str  # versions, after the Python version
    make_stream: Callable[..., tuple[bytes, dict]]
    check_kit: Callable[[dict, dict], list[dict]]
    run_kit: Callable[[list[bytes]], Any]
    run_json: Callable[[list[bytes]], int]
    run_kit_machine: Callable[[list], dict]
    counts: Callable[[int], dict[str, int]]
    agree: str  # "kit Plan and SDK completion agree"
    run_sdk: Callable[[list[bytes]], Any] | None = None
    run_sdk_sse: Callable[[list[bytes]], int] | None = None
    check_sdk: Callable[[Any, dict, list[dict]], None] | None = None
    sdk_missing: str | None = None


def parse_args(bench: Bench, argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog=f"{bench.prog}.py", description=bench.doc.split("\n\n")[0],
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
    ap.add_argument("--no-sdk", action="store_true", help=f"skip the {bench.sdk_name} SDK contender")
    ap.add_argument("--no-memory", action="store_true", help="skip the tracemalloc measurement")
    ap.add_argument("--profile", type=int, default=0, metavar="TOP",
                    help="only profile the kit pipeline (cProfile) at the largest size and print "
                         "the TOP functions by own time, e.g. --profile 15 --sizes 100k")
    return ap.parse_args(argv)


def run(bench: Bench, argv: list[str] | None = None) -> int:
    args = parse_args(bench, argv)
    require = checker(bench.prog)
    sizes = ([int(s.strip().lower().replace("_", "").replace("k", "000")) for s in args.sizes.split(",")]
             if args.sizes else [1000, 10000] if args.quick else [1000, 10000, 100000])

    print(f"python {platform.python_version()} ({platform.machine()}), {bench.header}, "
          f"{os.cpu_count()} CPU(s)")
    if bench.sdk_missing:
        print(bench.sdk_missing)
    if args.profile:
        return profile_kit(bench, max(sizes), args.profile)
    use_sdk = bench.run_sdk is not None and not args.no_sdk

    # -- workloads, and the honesty check: everybody produces the same thing ---------------
    counters: dict[str, Callable[[list[bytes]], int]] = {"json.loads": bench.run_json, "kit-sse": run_kit_sse}
    if bench.run_sdk_sse is not None:
        counters["sdk-sse"] = bench.run_sdk_sse
    work: dict[int, dict[str, Any]] = {}
    for n in sizes:
        body, expected = bench.make_stream(n)
        reads = cut_reads(body, n)
        plan = bench.run_kit(reads)
        kit_calls = bench.check_kit(plan, expected)
        want = bench.counts(n)
        require(all(fn(reads) == want[name] for name, fn in counters.items()),
                "a decoder saw a different number of events")
        events = kit_events(reads)
        require(bench.run_kit_machine(events) == plan, "kit machine alone gives another plan")
        if use_sdk:
            bench.check_sdk(bench.run_sdk(reads), plan, kit_calls)  # type: ignore[misc]
        reps = args.reps or (3 if args.quick or n >= 50000 else 5)
        work[n] = {"bytes": len(body), "reads": reads, "events": events, "reps": reps}
        agree = bench.agree if use_sdk else "kit Plan checked"
        print(f"{n:>8,d} events: {fmt_bytes(len(body))} in {len(reads)} reads; "
              f"{agree} ({len(kit_calls)} calls, "
              f"{sum(len(c['arguments']) for c in kit_calls):,d} characters of arguments)", flush=True)
        del body

    contenders: list[tuple[str, Callable, str]] = [
        ("json.loads", bench.run_json, "reads"), ("kit", bench.run_kit, "reads"), ("kit-sse", run_kit_sse, "reads")]
    if bench.run_sdk_sse is not None:
        contenders.append(("sdk-sse", bench.run_sdk_sse, "reads"))
    contenders.append(("kit-machine", bench.run_kit_machine, "events"))
    if use_sdk:
        contenders.append(("sdk", bench.run_sdk, "reads"))

    rows = time_rounds(sizes, work, contenders, args.budget)

    # -- memory ------------------------------------------------------------------------------
    mem: dict[int, dict] = {}
    if not args.no_memory:
        for n in sizes:
            if n < 10000:
                continue
            # Same number of events, two plan sizes: 2-8 character fragments (the timed
            # stream) and 20-80 (10x the arguments). Memory bounded by the output grows
            # ~10x between the two; memory proportional to the events stays about equal.
            coarse, _ = bench.make_stream(n, frag=(20, 80))
            mem[n] = {"2-8": kit_memory(bench.api, work[n]["reads"]),
                      "20-80": kit_memory(bench.api, cut_reads(coarse, n))}
            del coarse

    print()
    print_table(sizes, rows, work, mem)
    return 0


def time_rounds(sizes: list[int], work: dict, contenders: list[tuple[str, Callable, str]],
                budget: float) -> dict:
    """Interleaved rounds; returns rows[n][name] = (best seconds, runs, median seconds).

    Each round runs every contender once on every size (order rotated per round), so
    slow drift of the machine's speed hits all of them alike; each keeps its best run.
    A contender stops once it has spent ``budget`` seconds at a size (it runs at least once).
    """
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
                if done and sum(done) + min(done) > budget:
                    continue
                done.append(time_once(fn, work[n][arg]))
        print(f"  round {r + 1}: {time.perf_counter() - t_round:.1f} s", flush=True)
    return {n: {name: (min(ts), len(ts), sorted(ts)[len(ts) // 2]) for (m, name), ts in times.items() if m == n}
            for n in sizes}


def profile_kit(bench: Bench, n: int, top: int) -> int:
    """cProfile of the kit pipeline (bytes -> Plan) on the n-event stream."""
    import cProfile
    import pstats

    body, expected = bench.make_stream(n)
    reads = cut_reads(body, n)
    bench.check_kit(bench.run_kit(reads), expected)  # also warms up
    gc.collect()
    prof = cProfile.Profile()
    prof.enable()
    bench.run_kit(reads)
    prof.disable()
    print(f"cProfile of the kit pipeline, {n:,d} events, top {top} by own time (tottime)")
    pstats.Stats(prof).strip_dirs().sort_stats("tottime").print_stats(top)
    return 0


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
