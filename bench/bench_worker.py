"""Benchmark: per-case overhead of an ``http:`` client run once per case vs as a warm worker.

Run from the repository root::

    python bench/bench_worker.py                     # every Chat trace, recorded plan, 3 rounds (~5 min on 2 cores)
    python bench/bench_worker.py --quick             # 12 traces, 1 round (~30 s)
    python bench/bench_worker.py --api responses --reps 2 --jobs 2

Each contender is ``kit verify`` as a user runs it (a whole process, ``-j JOBS``, the same
traces, chunk plan ``recorded``, no repro files), in one run, interleaved round by round:

``client``   ``openai-chat-client``: the same SDK stream helper in the kit's own process,
             no HTTP and no child process: the client's own work (and the kit's start-up,
             grading and the SDK's one import)
``http``     ``openai-chat-http``: the unmodified SDK client over HTTP against the kit's
             replay server, one Python process per case (protocol ``kit-exec/1``)
``worker``   ``openai-chat-http-worker``: the same program started once per job thread,
             serving every case over ``kit-worker/1``

(``openai-responses-*`` with ``--api responses``.) Before the times are shown, the verdicts
of ``http`` and ``worker`` must be identical case by case (and how many differ from
``client`` is printed). The per-case overhead is ``(wall - client's wall) / cases``: what
going over HTTP and through processes adds to each case. Best of the rounds is shown, with
the median.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from kit._resources import corpus_dir  # noqa: E402
from kit.trace import api_name, load  # noqa: E402

CONTENDERS = {"chat": ("openai-chat-client", "openai-chat-http", "openai-chat-http-worker"),
              "responses": ("openai-responses-client", "openai-responses-http", "openai-responses-http-worker")}
LABELS = ("client", "http", "worker")
GOAL_MS = 50.0  # issue 15: a worker's per-case overhead over the client's own work


def kit_command() -> list[str]:
    return [sys.executable, "-m", "kit"]


def trace_ids(api: str, limit: int | None) -> list[str]:
    full = api_name(api)
    ids = sorted(p.name.removesuffix(".json") for p in (corpus_dir() / full).glob("*.json"))
    ids = [i for i in ids if load(corpus_dir() / full / f"{i}.json").api == full]
    return ids[:limit] if limit else ids


def run_once(adapter: str, api: str, ids: list[str], jobs: int, out: Path) -> dict:
    argv = kit_command() + ["verify", "-a", adapter, "--api", api, "--chunking", "recorded", "-j", str(jobs),
                            "--no-repro", "--json", str(out)]
    for i in ids:
        argv += ["-t", i]
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    proc.stderr.close() if proc.stderr else None
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):  # 1: some cases fail, which is the SDK's business here
        raise SystemExit(f"{adapter}: kit verify exited {code}: {err.strip()[-500:]}")
    verdicts = {}
    for line in out.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        if r.get("type") == "verdict":
            verdicts[(r["trace"], r["chunking"])] = (r["verdict"], r.get("rule"))
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "verdicts": verdicts}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--api", choices=sorted(CONTENDERS), default="chat")
    ap.add_argument("--traces", type=int, default=None, metavar="N", help="only the first N traces (default: all)")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--jobs", "-j", type=int, default=2)
    ap.add_argument("--quick", action="store_true", help="12 traces, 1 round")
    args = ap.parse_args()
    if args.quick:
        args.traces, args.reps = args.traces or 12, 1
    ids = trace_ids(args.api, args.traces)
    names = CONTENDERS[args.api]
    print(f"# bench_worker: {len(ids)} {api_name(args.api)} traces, chunk plan recorded, -j {args.jobs}, "
          f"{args.reps} round(s); {platform.python_implementation()} {platform.python_version()}, "
          f"{os.cpu_count()} CPUs, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC")
    runs: dict[str, list[dict]] = {n: [] for n in names}
    with tempfile.TemporaryDirectory() as tmp:
        for rep in range(args.reps):
            for n in (names if rep % 2 == 0 else names[::-1]):  # interleaved, alternating order
                runs[n].append(run_once(n, args.api, ids, args.jobs, Path(tmp) / f"{n}.jsonl"))
    first = {n: runs[n][0]["verdicts"] for n in names}
    client, http, worker = (first[n] for n in names)
    if http != worker:
        differ = sorted(k for k in http.keys() | worker.keys() if http.get(k) != worker.get(k))
        raise SystemExit(f"http and worker verdicts differ on {len(differ)} cases, e.g. {differ[:3]}")
    cases = len(http)
    apart = sum(1 for k in http if client.get(k) != http[k])
    print(f"# {cases} cases; http and worker verdicts identical; {apart} differ from the in-process client")
    best = {n: min(r["wall"] for r in runs[n]) for n in names}
    print(f"{'contender':<10} {'adapter':<32} {'wall best':>10} {'median':>8} {'cpu':>8} {'per case':>9} "
          f"{'overhead/case':>14}")
    for label, n in zip(LABELS, names):
        walls = [r["wall"] for r in runs[n]]
        cpu = min(r["cpu"] for r in runs[n])
        over = (best[n] - best[names[0]]) / cases * 1000
        print(f"{label:<10} {n:<32} {best[n]:>9.2f}s {statistics.median(walls):>7.2f}s {cpu:>7.2f}s "
              f"{best[n] / cases * 1000:>7.0f}ms {'-' if label == 'client' else f'{over:.0f} ms':>14}")
    gain = best[names[1]] / best[names[2]] if best[names[2]] else float("inf")
    over = (best[names[2]] - best[names[0]]) / cases * 1000
    print(f"# worker: {gain:.1f}x faster than one process per case; its overhead {over:.0f} ms a case "
          f"(goal <= {GOAL_MS:.0f} ms: {'met' if over <= GOAL_MS else 'not met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
