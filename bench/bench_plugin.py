"""What the pytest plugin costs a project that installs the kit but does not use it.

    python bench/bench_plugin.py [--reps N] [--tests N]

Side by side in one run, on a throwaway project of N trivial tests:
- ``pytest --collect-only -p no:kit`` (the plugin disabled: the floor),
- ``pytest --collect-only`` (the plugin loaded, no --kit-adapter),
- the plugin's own import once pytest is loaded (``python -X importtime``, self + children),
and, for scale, collecting the conformance items of one adapter over the whole corpus.
Budget: under 50 ms added at collection when the plugin is not used.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run(args: list[str], cwd: str) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args], cwd=cwd, check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def import_ms() -> float:
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", "import pytest; import kit.pytest_plugin"],
                         capture_output=True, text=True).stderr
    # the cumulative time of the top-level import line for kit.pytest_plugin (microseconds)
    m = re.search(r"\|\s*(\d+)\s*\|\s*kit\.pytest_plugin\s*$", out, re.M)
    return int(m.group(1)) / 1000 if m else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--tests", type=int, default=200)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        body = "\n".join(f"def test_{i}():\n    pass\n" for i in range(args.tests))
        Path(tmp, "test_many.py").write_text(body)
        off, on = [], []
        for _ in range(args.reps):  # interleaved, so drift hits both alike
            off.append(run(["--collect-only", "-p", "no:kit"], tmp))
            on.append(run(["--collect-only"], tmp))
        kit_items = run(["--collect-only", "--kit-adapter", "reference"], tmp)
        imports = statistics.median(import_ms() for _ in range(args.reps))
    m_off, m_on = statistics.median(off) * 1e3, statistics.median(on) * 1e3
    print(f"{args.tests} trivial tests, median of {args.reps} runs of `pytest --collect-only` (whole process)")
    print(f"  plugin disabled (-p no:kit)   {m_off:7.1f} ms")
    print(f"  plugin loaded, not used       {m_on:7.1f} ms   (+{m_on - m_off:.1f} ms)")
    print(f"  import kit.pytest_plugin      {imports:7.1f} ms   (python -X importtime, cumulative)")
    print(f"  --kit-adapter reference       {kit_items * 1e3:7.1f} ms   (collecting the corpus x 3 chunk plans)")
    print(f"budget: < 50 ms added when unused: {'met' if m_on - m_off < 50 else 'MISSED'}")


if __name__ == "__main__":
    main()
