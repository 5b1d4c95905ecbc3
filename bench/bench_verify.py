"""How long `kit verify` takes: the budget is the whole bundled corpus, three chunk plans,
the reference adapter, under 10 s on 2 cores (it runs in users' CI on every commit).

    python bench/bench_verify.py [--reps N]

Side by side in one run, on the same cases:
- ``replay``: the reference alone over every (trace, chunk plan): the floor;
- ``verify``: ``kit verify``'s whole work for the bundled ``reference`` adapter (replay the
  reference with positions, run the adapter in its worker thread, grade plan and
  streaming, chunk invariance);
- ``verify-plan``: the same with ``reference-plan`` (final Plan only, no streaming checks);
- ``verify-sdk``: the five bundled openai SDK adapters over their APIs (for scale).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import warnings

from kit.adapters import load_adapter
from kit.replay import replay
from kit.trace import corpus
from kit.verify import Run

CHUNKINGS = ["recorded", "event", "bytewise"]
SDK = ["openai-chat-state", "openai-chat-client", "openai-chat-create", "openai-responses-state",
       "openai-responses-client"]


def timed(fn, reps: int) -> float:
    best = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        best.append(time.perf_counter() - t)
    return statistics.median(best)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    traces = corpus()
    cases = len(traces) * len(CHUNKINGS)
    warnings.simplefilter("ignore")

    def run(specs):
        adapters = [load_adapter(s) for s in specs]
        n = 0
        for r in Run(adapters, traces, CHUNKINGS).records():
            n += r["type"] == "verdict"
        return n

    rows = [
        ("replay", timed(lambda: [replay(t, chunking=c) for t in traces for c in CHUNKINGS], args.reps), cases),
        ("verify", timed(lambda: run(["reference"]), args.reps), cases),
        ("verify-plan", timed(lambda: run(["reference-plan"]), args.reps), cases),
        ("verify-sdk", timed(lambda: run(SDK), 1), None),
    ]
    print(f"{len(traces)} traces x {len(CHUNKINGS)} chunk plans = {cases} cases; {os.cpu_count()} CPUs; "
          f"median of {args.reps} runs")
    floor = rows[0][1]
    for name, seconds, n in rows:
        per = f"{seconds / n * 1e3:7.2f} ms/case" if n else " " * 15
        print(f"{name:<12} {seconds:7.2f} s  {per}  {seconds / floor:5.1f}x replay")
    print(f"budget: kit verify (reference, 3 chunk plans) under 10 s: "
          f"{'met' if rows[1][1] < 10 else 'MISSED'} ({rows[1][1]:.2f} s)")


if __name__ == "__main__":
    main()
