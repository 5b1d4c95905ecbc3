"""Benchmark: the kit as whole processes, side by side with a bare ``json.loads`` process.

Run from the repository root::

    python bench/bench_process.py                    # 100k events, 5 rounds (~4 min on 2 cores)
    python bench/bench_process.py --events 20000 --reps 3 --no-import   # a quick look
    python bench/bench_process.py --breakdown        # also: where the time goes, in process

The in-process benches (``bench_chat.py`` ...) time the pipeline on reads already in
memory. A user runs ``kit replay`` as a command, so this one times whole processes, each
started the way a user starts it, on the same bodies, in one run, interleaved:

``floor``       a bare python process that reads the body and ``json.loads`` every data
                line (nothing else: no SSE decoder, no accumulation, no output)
``sse``         ``kit replay --json --api API body.sse`` (a raw body: no recorded reads)
``trace``       ``kit replay --json trace.json`` on a recorded trace of the same body with
                ~1 read per event (so loading the trace file counts)
``load``        a python process that only loads ``trace.json`` (``kit.trace.load``)
``start-up``    ``kit replay --json`` on a small bundled trace (imports and start-up only)
``python``      ``python -c pass`` (the interpreter's own start)
``import``      ``kit import y_body.sse --to DIR --api API`` (Chat: secret scan, class check, write)

The bodies come from the generators of ``bench_chat.py``, ``bench_responses.py``,
``bench_anthropic.py`` and ``bench_gemini.py`` (text deltas, then three tool calls in 2-8
character argument fragments; Gemini's as streamed ``partialArgs``, CRLF-framed). Each process's wall time, CPU time (user + system) and peak RSS come from
``os.wait4`` (that child alone). Best of the rounds is shown, with median/best.

By default the children run with a private bytecode cache (``PYTHONPYCACHEPREFIX`` in a
temporary folder, filled by an untimed first run): an installed kit has its ``.pyc``
files (pip compiles them); ``--bytecode none`` times a checkout under
``PYTHONDONTWRITEBYTECODE=1`` instead, where every start compiles the kit's modules.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from kit._resources import corpus_dir  # noqa: E402
from kit.trace import Trace  # noqa: E402

APIS = {"chat": ("openai.chat.completions", "bench_chat"),
        "responses": ("openai.responses", "bench_responses"),
        "anthropic": ("anthropic.messages", "bench_anthropic"),
        "gemini": ("google.generate_content", "bench_gemini")}

FLOOR = """\
import json, sys
loads = json.loads
n = 0
with open(sys.argv[1], "rb") as f:
    for line in f:
        if line.startswith(b"data: ") and not line.startswith(b"data: [DONE]"):
            loads(line[6:])
            n += 1
print(n)
"""

LOAD = "import sys; from kit.trace import load; t = load(sys.argv[1]); print(len(t.reads or ()))"

GOAL_RATIO = 1.5
GOAL_START = 0.1
MB = 1 << 20


def kit_command() -> list[str]:
    """``kit`` as a user runs it: the console script next to this python, else ``python -m kit``."""
    script = Path(sys.executable).with_name("kit")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "kit"]


def recorded(body: bytes, api: str, name: str, n_events: int, seed: int = 5) -> Trace:
    """A recorded trace of ``body`` with about one read per event, cut at any byte."""
    rng = random.Random(seed)
    avg = len(body) / n_events
    offsets, at = [], 0
    while at < len(body):
        offsets.append(at)
        at += max(1, int(avg * rng.uniform(0.5, 1.5)))
    return Trace(id=f"y_bench_{name}", api=api, cls="y", body=body, reads=offsets,
                 description="bench_process.py: a synthetic body cut into about one read per event",
                 provenance={"kind": "synthetic"})


# Each timed process is started by a small launcher process, not by this one: the peak RSS
# the kernel reports for a child counts the memory of the process it was forked from
# (this one holds the bodies and the SDKs), so a child of a big parent would show the
# parent's size. The launcher is a bare python, as small as `python -c pass`.
LAUNCHER = """\
import json, os, sys, time
argv = json.loads(sys.argv[1])
t0 = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.execv(argv[0], argv)
    finally:
        os._exit(127)
_, status, ru = os.wait4(pid, 0)
wall = time.perf_counter() - t0
print(json.dumps({"wall": wall, "cpu": ru.ru_utime + ru.ru_stime, "rss": ru.ru_maxrss * 1024,
                  "code": os.waitstatus_to_exitcode(status)}))
"""


def run_once(argv: list[str], env: dict[str, str]) -> dict:
    """One whole-process run of ``argv``: wall and CPU seconds, peak RSS in bytes, exit code."""
    p = subprocess.run([sys.executable, "-c", LAUNCHER, json.dumps(argv)], capture_output=True, text=True, env=env)
    if p.returncode != 0 or not p.stdout.strip():
        raise SystemExit(f"bench_process: launcher failed for {' '.join(argv)}: {p.stderr[-400:]}")
    r = json.loads(p.stdout.strip().splitlines()[-1])
    r["err"] = p.stderr
    return r


def check_output(argv: list[str], env: dict[str, str], expect_calls: int | None) -> None:
    """Run once, untimed, and check the process did the work (exit 0, a plan with the calls)."""
    p = subprocess.run(argv, capture_output=True, env=env)
    if p.returncode != 0:
        raise SystemExit(f"bench_process: {' '.join(argv)} exited {p.returncode}: {p.stderr.decode()[-400:]}")
    if expect_calls is not None:
        plan = json.loads(p.stdout)
        calls = [c for ch in plan["choices"] for c in ch["commands"] if c["type"] == "DO"]
        if len(calls) != expect_calls:
            raise SystemExit(f"bench_process: {' '.join(argv[-2:])}: {len(calls)} tool calls in the plan, not {expect_calls}")


def fmt_s(s: float) -> str:
    return f"{s * 1000:7.1f} ms" if s < 1 else f"{s:7.2f} s "


def breakdown(name: str, api: str, body: bytes, trace_path: Path) -> list[tuple[str, float]]:
    """Where the time of one replay goes, phase by phase, in this process (CPU seconds)."""
    import gc

    from kit.plan import canonical_json
    from kit.reference import reference_for
    from kit.replay import replay
    from kit.trace import load

    def timed(fn):
        gc.collect()
        t0 = time.process_time()
        out = fn()
        return time.process_time() - t0, out

    rows = []
    dt, events = timed(lambda: _decode(body))
    rows.append(("SSE decoder (body -> events)", dt))
    gc.collect()
    gc.freeze()  # the decoded events are kept for the next two phases: the collector must not walk them

    def loads_only():
        loads = json.loads
        for e in events:
            if e.data != "[DONE]":
                loads(e.data)
    dt_loads, _ = timed(loads_only)

    def machine_run():
        m = reference_for(api)
        feed = m.feed
        for e in events:
            feed(e)
        m.close()
        return m.plan()
    dt, plan = timed(machine_run)
    rows.append(("reference machine (events -> plan, with its json decoding)", dt))
    rows.append(("  (json.loads of the same data alone, for comparison)", dt_loads))
    gc.unfreeze()
    dt, _ = timed(lambda: canonical_json(plan, indent=2))
    rows.append(("plan as JSON (--json output)", dt))
    del events
    dt, t = timed(lambda: load(trace_path))
    rows.append(("load trace.json (json.loads, schema check, body)", dt))
    dt, _ = timed(lambda: replay(t))
    rows.append(("replay trace.json's 1 read per event (whole pipeline)", dt))
    dt, _ = timed(lambda: replay(Trace(id="x", api=api, cls="y", body=body)))
    rows.append(("replay the raw body (whole pipeline)", dt))
    return rows


def _decode(body: bytes) -> list:
    from kit.sse import SSEDecoder

    dec = SSEDecoder()
    out = []
    for i in range(0, len(body), 1 << 20):
        out += dec.feed(body[i:i + (1 << 20)])
    return out + dec.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--events", type=int, default=100_000, help="SSE events per body (default 100000)")
    ap.add_argument("--reps", type=int, default=5, help="interleaved rounds (default 5)")
    ap.add_argument("--apis", default="chat,responses,anthropic,gemini",
                    help="comma-separated: chat, responses, anthropic, gemini")
    ap.add_argument("--no-import", action="store_true", help="leave out `kit import` (the slowest contender)")
    ap.add_argument("--import-reps", type=int, default=3, help="rounds for `kit import` (default 3)")
    ap.add_argument("--bytecode", choices=["cached", "none"], default="cached",
                    help="cached: children use a private bytecode cache (as installed); none: they compile every start")
    ap.add_argument("--breakdown", action="store_true", help="also time the phases of a replay in this process")
    ap.add_argument("--keep", metavar="DIR", help="write the bodies and traces to DIR and keep them")
    ap.add_argument("--kit-from", metavar="DIR",
                    help="the children import the kit from DIR (e.g. `git archive OLD | tar -x -C DIR`): before/after")
    args = ap.parse_args(argv)
    names = [a.strip() for a in args.apis.split(",") if a.strip()]
    for n in names:
        if n not in APIS:
            ap.error(f"--apis: unknown {n!r} (chat, responses, anthropic, gemini)")

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="kit-bench-process-"))
    work.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    if args.bytecode == "cached":
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env.pop("PYTHONPYCACHEPREFIX", None)
    kit = kit_command()
    py = sys.executable
    load_code = LOAD
    if args.kit_from:  # ahead of the installed kit (an editable install's finder comes first otherwise)
        prelude = ("import sys; sys.meta_path[:] = [f for f in sys.meta_path if not "
                   "str(getattr(f, '__module__', '')).startswith('__editable__')]; "
                   f"sys.path.insert(0, {str(Path(args.kit_from).resolve())!r}); ")
        kit = [py, "-c", prelude + "from kit.cli import main; main()"]
        load_code = prelude + LOAD
    (work / "floor.py").write_text(FLOOR)
    tiny = corpus_dir() / "openai.chat.completions" / "y_text_only.json"
    if args.kit_from:
        tiny = Path(args.kit_from).resolve() / "traces" / "openai.chat.completions" / "y_text_only.json"

    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=HERE).stdout.strip()
    except OSError:
        commit = ""
    print(f"bench_process: {args.events} events per body, {args.reps} rounds; python {platform.python_version()} "
          f"({platform.machine()}), {os.cpu_count()} CPUs; bytecode {args.bytecode}; "
          f"kit {('from ' + args.kit_from) if args.kit_from else (commit or '?')}; "
          f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC")

    contenders: dict[str, list[str]] = {"python": [py, "-c", "pass"], "start-up": kit + ["replay", "--json", str(tiny)]}
    sizes: dict[str, int] = {}
    bodies: dict[str, tuple[str, Path, Path]] = {}
    t0 = time.perf_counter()
    for name in names:
        api, module = APIS[name]
        body, _ = __import__(module).make_stream(args.events)
        sse = work / f"{name}.sse"
        sse.write_bytes(body)
        tr = work / f"y_bench_{name}.json"
        tr.write_text(json.dumps(recorded(body, api, name, args.events).to_json(), ensure_ascii=False), encoding="utf-8")
        sizes[name] = len(body)
        bodies[name] = (api, sse, tr)
        contenders[f"{name} floor"] = [py, str(work / "floor.py"), str(sse)]
        contenders[f"{name} sse"] = kit + ["replay", "--json", "--api", api, str(sse)]
        contenders[f"{name} trace"] = kit + ["replay", "--json", str(tr)]
        contenders[f"{name} load"] = [py, "-c", load_code, str(tr)]
    print(f"bodies: " + ", ".join(f"{n} {sizes[n] / MB:.1f} MB" for n in names)
          + f" (made in {time.perf_counter() - t0:.0f} s, in {work})")

    # untimed: warm the bytecode cache, check every kit process did the whole work
    for label, cmd in contenders.items():
        expect = 3 if label.endswith((" sse", " trace")) else None
        check_output(cmd, env, expect)

    results: dict[str, list[dict]] = {k: [] for k in contenders}
    order = list(contenders)
    for rnd in range(args.reps):
        k = rnd % len(order)
        for label in order[k:] + order[:k]:
            r = run_once(contenders[label], env)
            if r["code"] != 0:
                raise SystemExit(f"bench_process: {label} exited {r['code']}: {r['err'][-400:]}")
            results[label].append(r)
        print(f"  round {rnd + 1}/{args.reps} done", file=sys.stderr)

    imp: list[dict] = []
    imp_name = "chat" if "chat" in bodies else names[0]
    if not args.no_import:
        src = work / f"y_import_{imp_name}.sse"  # y_: the class is given, so import checks it by a replay
        shutil.copyfile(bodies[imp_name][1], src)
        for rnd in range(args.import_reps):
            out = work / f"imported-{rnd}"
            r = run_once(kit + ["import", str(src), "--to", str(out), "--api", bodies[imp_name][0]], env)
            if r["code"] != 0:
                raise SystemExit(f"bench_process: kit import exited {r['code']}: {r['err'][-400:]}")
            imp.append(r)
            shutil.rmtree(out, ignore_errors=True)

    def best(label: str, key: str) -> float:
        return min(r[key] for r in results[label])

    def row(label: str, runs: list[dict], floor: str | None = None) -> str:
        w = min(r["wall"] for r in runs)
        c = min(r["cpu"] for r in runs)
        med = statistics.median(r["wall"] for r in runs) / w
        rss = max(r["rss"] for r in runs)
        ratio = ""
        if floor:
            ratio = f"  {w / best(floor, 'wall'):5.2f}x {c / best(floor, 'cpu'):5.2f}x"
        return f"{label:18} {fmt_s(w)} {fmt_s(c)}  {med:4.2f}  {rss / MB:7.1f} MB{ratio}"

    print()
    print(f"{'process':18} {'wall':>10} {'cpu':>10}  {'m/b':>4}  {'peak RSS':>10}  {'÷floor wall, cpu':>16}")
    print(row("python -c pass", results["python"]))
    print(row("kit start-up", results["start-up"]))
    verdicts = []
    for name in names:
        print(row(f"{name} floor", results[f"{name} floor"]))
        for kind in ("sse", "trace", "load"):
            print(row(f"{name} {kind}", results[f"{name} {kind}"], f"{name} floor"))
    if imp:
        print(row(f"{imp_name} import", imp, f"{imp_name} floor"))

    print()
    start = best("start-up", "wall")
    verdicts.append((f"kit replay start-up {start * 1000:.0f} ms", f"≤ {GOAL_START * 1000:.0f} ms", start <= GOAL_START))
    for name in names:
        fl = best(f"{name} floor", "wall")
        for kind in ("sse", "trace"):
            rw = best(f"{name} {kind}", "wall") / fl
            rc = best(f"{name} {kind}", "cpu") / best(f"{name} floor", "cpu")
            verdicts.append((f"{name} {kind} ÷ floor: wall {rw:.2f}x, cpu {rc:.2f}x", f"≤ {GOAL_RATIO}x",
                             max(rw, rc) <= GOAL_RATIO))
        rss = max(r["rss"] for r in results[f"{name} sse"])
        limit = 2 * sizes[name] + 50 * MB
        verdicts.append((f"{name} sse peak RSS {rss / MB:.0f} MB for a {sizes[name] / MB:.1f} MB body",
                         f"≤ 2×body+50 MB = {limit / MB:.0f} MB", rss <= limit))
        rss = max(r["rss"] for r in results[f"{name} trace"])
        verdicts.append((f"{name} trace peak RSS {rss / MB:.0f} MB", f"≤ {limit / MB:.0f} MB", rss <= limit))
        load_cost = best(f"{name} load", "wall") - best("python", "wall")
        replay_cost = best(f"{name} trace", "wall") - best(f"{name} load", "wall")
        verdicts.append((f"{name} loading trace.json {load_cost * 1000:.0f} ms, replaying it {replay_cost * 1000:.0f} ms",
                         "load ≤ replay", load_cost <= replay_cost))
    for what, goal, ok in verdicts:
        print(f"{what:62} {goal:28} {'PASS' if ok else 'FAIL'}")

    if imp and not args.kit_from:  # the scan of this process's kit
        from kit.secrets import scan
        from kit.trace import load

        doc = load(bodies[imp_name][1], api=imp_name).to_json()
        t0 = time.process_time()
        scan(doc)
        dt = time.process_time() - t0
        total = min(r["cpu"] for r in imp)
        print(f"{imp_name} import: the secret scan takes {dt:.2f} s CPU in process, "
              f"{dt / total:.0%} of the import's {total:.2f} s CPU")

    if args.breakdown:
        for name in names:
            api, sse, tr = bodies[name]
            print(f"\nwhere the time goes, {name} ({args.events} events), CPU seconds in this process:")
            for what, dt in breakdown(name, api, sse.read_bytes(), tr):
                print(f"  {what:62} {dt:6.3f} s")

    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
