"""Benchmark: the whole compatibility matrix, rows as warm workers vs as before workers.

Run from the repository root, with the matrix environments built (``kit matrix build``)::

    python bench/bench_matrix.py                      # every row both ways (~20 min on 2 cores)
    python bench/bench_matrix.py -a openai-node-chat -a litellm-chat
    python bench/bench_matrix.py --chunking recorded  # one chunk plan: a third of the cases

Each row is run exactly as ``kit matrix run`` runs it (:func:`kit.matrix.run_adapter`: its
environment's kit, ``kit verify`` as a whole process with the default ``-j`` (the CPU count),
the chunk plans of the published matrix), once per mode, the modes interleaved row by row:

``before``   what the rows were before warm workers: a JavaScript row (``http:``) starts one
             Node process per case; a Python row (``client:``) runs in the kit's process
``workers``  the registry's rows: ``http[worker=yes]:`` and ``client[worker=yes]:``, one
             worker per job, serving every case (protocol ``kit-worker/1``)

The verdicts of the two modes must agree cell by cell (worst chunk plan of each adapter ×
trace; messages may differ only in saying the exit status), or the script says where they do
not. Printed: wall time per row and mode, per-case time, the sum per language and in all,
and the per-case overhead of a worker over the row's own work is in bench_worker.py. Results
go to a temporary folder, not to matrix/results.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from kit import matrix  # noqa: E402
from kit.adapters.thirdparty import ADAPTERS  # noqa: E402

ORDER = ["PASS", "INFO", "SKIP", "NONSTRICT", "FAIL", "TIMEOUT", "ERROR"]


def cells(records: list[dict]) -> dict[str, str]:
    worst: dict[str, str] = {}
    for r in records:
        if r.get("type") == "verdict":
            worst[r["trace"]] = max(worst.get(r["trace"], "PASS"), r["verdict"], key=ORDER.index)
    return worst


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-a", "--adapter", action="append", default=[], help="only these rows (repeatable)")
    ap.add_argument("--chunking", default="recorded,event,bytewise", help="chunk plans (default: the matrix's)")
    ap.add_argument("--timeout", type=float, default=10.0)
    args = ap.parse_args(argv)
    envs = matrix.load_envs(ROOT)
    rows = [a for a in ADAPTERS if not a.bundled and (not args.adapter or a.name in args.adapter)]
    if not rows:
        print("no such row", file=sys.stderr)
        return 2
    print(f"bench_matrix  {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC  {platform.machine()}  "
          f"{os.cpu_count()} CPUs  chunk plans {args.chunking}\n")
    print(f"{'row':34} {'lang':4} {'cases':>5} {'before s':>9} {'workers s':>9} {'ms/case':>8} {'ms/case':>8}  same")
    totals: dict[str, list[float]] = {}
    differ = 0
    with tempfile.TemporaryDirectory(prefix="kit-bench-matrix-") as tmp:
        for row in rows:
            env = envs.get(row.env)
            if env is None or not env.built or env.missing_tools():
                print(f"{row.name:34} skipped: environment {row.env} is not built (kit matrix build {row.env})")
                continue
            got = {}
            for mode, adapter in (("before", replace(row, worker=False)), ("workers", row)):
                res = matrix.run_adapter(adapter, env, ROOT, chunking=args.chunking, timeout=args.timeout,
                                         json_path=Path(tmp) / f"{row.name}-{mode}.jsonl")
                if not res["ok"] and not res["records"]:
                    print(f"{row.name:34} {mode}: {res['error']}")
                    break
                got[mode] = (res["seconds"], cells(res["records"]),
                             sum(1 for r in res["records"] if r.get("type") == "verdict"))
            if len(got) < 2:
                continue
            (b, bcells, n), (w, wcells, _) = got["before"], got["workers"]
            same = bcells == wcells
            if not same:
                differ += 1
                diff = {t: (bcells.get(t), wcells.get(t)) for t in set(bcells) | set(wcells) if bcells.get(t) != wcells.get(t)}
                print(f"  {row.name}: cells differ: {json.dumps(diff)[:300]}")
            lang = "js" if row.distribution.startswith("npm:") else "py"
            for key in (lang, "all"):
                t = totals.setdefault(key, [0.0, 0.0, 0])
                t[0] += b
                t[1] += w
                t[2] += n
            print(f"{row.name:34} {lang:4} {n:5d} {b:9.1f} {w:9.1f} {1000 * b / max(n, 1):8.0f} {1000 * w / max(n, 1):8.0f}  "
                  f"{'yes' if same else 'NO'}")
    print()
    for key, (b, w, n) in totals.items():
        print(f"{'total ' + key:39} {n:5d} {b:9.1f} {w:9.1f} {1000 * b / max(n, 1):8.0f} {1000 * w / max(n, 1):8.0f}  "
              f"{b / max(w, 1e-9):.1f}x")
    if differ:
        print(f"\n{differ} row(s) with different cells between the modes")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
