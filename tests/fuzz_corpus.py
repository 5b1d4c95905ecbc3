"""Fuzz the reference machines and the trace loader with mutated corpus traces.

Not collected by pytest (the name does not start with ``test_``): ``tests/test_fuzz.py``
draws the same mutations with hypothesis, a few hundred cases per run; this script is the
big seeded run, kept out of the suite::

    python tests/fuzz_corpus.py --cases 100000 --seed 1      # ~10 min on one core
    python tests/fuzz_corpus.py --cases 2000 --show 3          # print 3 repros per crash class

A case takes one corpus trace, applies one to four mutations (:data:`KINDS`), cuts the
result into random reads and replays it through every reference (all three wire APIs)
under both profiles; every few cases it also mutates the trace *file* (its JSON document
or its bytes) and loads it. A normal result or a :class:`kit.errors.KitError` is accepted;
any other exception is a crash, grouped by its type and the kit line that raised it.
Exit status 1 when a crash was found.

Mutations take a ``pick(n) -> 0..n-1`` function, so the same code runs from a seeded
``random.Random`` here and from hypothesis draws in the suite (which then shrinks them).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import traceback
from pathlib import Path
from typing import Any, Callable

import kit
from kit.errors import KitError
from kit.plan import canonical_json
from kit.trace import APIS, from_json, from_json_bytes

Pick = Callable[[int], int]
PROFILES = ("lenient", "strict")

# -- values a JSON value can be swapped for ------------------------------------------------------


class Raw:
    """JSON text put into a payload as it is (what ``json.dumps`` cannot write)."""

    def __init__(self, text: str) -> None:
        self.text = text


POOL: list[Any] = [
    None, True, False, 0, 1, -1, 7, 2**64, -2**63, 1.5, -0.0, "", "x", "0", "12", "-1", "²", "٣", "[DONE]", "null",
    [], [None], [{}], [1, "a"], {}, {"type": None}, {"type": []}, {"a": [1, {"b": {}}]}, [[["x"]]],
    {"index": "0"}, {"error": {"message": []}}, "\u0000", "\ud800", "a\udfff", "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
    Raw("1" * 5000), Raw("-" + "9" * 4400), Raw("1e999"), Raw("NaN"), Raw("[" * 900 + "]" * 900),
    Raw("[" * 3000 + "]" * 3000), Raw('{"a":' * 700 + "1" + "}" * 700), Raw("[" * 495 + "]" * 495),
    Raw("[" * 505 + "]" * 505), Raw('[{"type":' * 300 + '"x"' + "}]" * 300), Raw('"' + "\\" * 3 + '"'),
]

INSERTS = [b"\r", b"\n", b"\r\n", b"\n\n", b"\r\r", b"\xef\xbb\xbf", b"\x00", b":", b"data: ", b"event: error\n",
           b"data: [DONE]\n\n", b"\xff", b"\xc3", b"retry: " + b"9" * 5000 + b"\n", b"retry: 12\n", b"id: \x00\n",
           b"9" * 4400, b"[" * 600, b"data: " + b"[" * 520 + b"]" * 520 + b"\n\n"]

# swap: one JSON value (or a whole payload) becomes a value of another type; swap-key: every
# value at one key name, in every payload; vocab: a value becomes one the corpus gives that key;
# retype: a list becomes an object or back; drop: a key is removed; flip: one byte is XORed;
# cut: the body is cut short or loses a stretch; insert: CR, LF, BOM, NUL, a field line, ...
# at a random place or a line start; dup, move: an event is repeated or moved.
# scatter: about one value in 16, in every payload, becomes a value of another type.
KINDS = ("swap", "swap-key", "scatter", "vocab", "retype", "drop", "flip", "cut", "insert", "dup", "move")


def _pick_item(pick: Pick, items: list) -> Any:
    return items[pick(len(items))]


# -- the JSON payloads of a body ---------------------------------------------------------------


def _data_lines(body: bytes) -> list[tuple[int, int, Any]]:
    """``(start, end, value)`` of each ``data:`` line whose value is JSON (``end`` excludes
    the line end)."""
    out = []
    pos = 0
    for line in body.split(b"\n"):
        end = pos + len(line)
        text = line.rstrip(b"\r")
        if text.startswith(b"data:"):
            raw = text[5:].lstrip(b" ")
            if raw[:1] in (b"{", b"["):
                try:
                    value = json.loads(raw)
                except (ValueError, RecursionError):
                    value = None
                else:
                    out.append((pos + len(text) - len(raw), pos + len(text), value))
        pos = end + 1
    return out


def _nodes(value: Any) -> list[tuple[Any, Any]]:
    """Every ``(container, key)`` slot in a JSON value, depth first."""
    out: list[tuple[Any, Any]] = []
    stack = [value]
    while stack:
        v = stack.pop()
        if type(v) is dict:
            for k in v:
                out.append((v, k))
                stack.append(v[k])
        elif type(v) is list:
            for i in range(len(v)):
                out.append((v, i))
                stack.append(v[i])
    return out


def _dumps(value: Any) -> bytes:
    raws: dict[str, str] = {}

    def default(o: Any) -> Any:
        if isinstance(o, Raw):
            key = f"\x01raw{len(raws)}\x01"
            raws[key] = o.text
            return key
        raise TypeError(type(o).__name__)

    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=default)
    for key, raw in raws.items():
        text = text.replace(json.dumps(key), raw)
    return text.encode("utf-8", "surrogatepass")


def vocabulary(traces: list[Any]) -> dict[str, list[Any]]:
    """Per key name, the values the corpus gives it (scalars; at most 40 per key)."""
    vocab: dict[str, dict[str, Any]] = {}
    for t in traces:
        for _, _, value in _data_lines(t.body):
            for container, key in _nodes(value):
                if type(container) is dict:
                    v = container[key]
                    if v is None or type(v) in (str, int, float, bool):
                        seen = vocab.setdefault(key, {})
                        if len(seen) < 40:
                            seen.setdefault(json.dumps(v), v)
    return {k: list(v.values()) for k, v in vocab.items()}


def _swap_payload(body: bytes, pick: Pick, kind: str, vocab: dict[str, list[Any]]) -> bytes:
    lines = _data_lines(body)
    if not lines:
        return body
    start, end, value = _pick_item(pick, lines)
    slots = _nodes(value)
    if kind == "drop":
        slots = [(c, k) for c, k in slots if type(c) is dict]
        if not slots:
            return body
        container, key = _pick_item(pick, slots)
        del container[key]
    elif not slots or pick(8) == 0:  # the whole payload
        value = _pick_item(pick, POOL)
    else:
        container, key = _pick_item(pick, slots)
        old = container[key]
        if kind == "vocab":
            choices = vocab.get(key) if type(key) is str else None
            if not choices:
                choices = [v for vs in vocab.values() for v in vs[:1]] or POOL
            container[key] = _pick_item(pick, choices)
        elif kind == "retype" and type(old) in (dict, list):
            container[key] = list(old.values()) if type(old) is dict else {str(i): v for i, v in enumerate(old)}
        else:
            others = [v for v in POOL if type(v) is not type(old)]
            container[key] = _pick_item(pick, others)
    try:
        return body[:start] + _dumps(value) + body[end:]
    except (ValueError, RecursionError):  # a value json.dumps cannot write again
        return body


def _rewrite(body: bytes, lines: list[tuple[int, int, Any]], change: Callable[[Any, Any], None]) -> bytes:
    """``body`` with every ``data:`` payload rewritten after ``change(container, key)`` ran on
    each of its slots."""
    out, at = [], 0
    for start, end, payload in lines:
        for container, k in _nodes(payload):
            change(container, k)
        try:
            text = _dumps(payload)
        except (ValueError, RecursionError):
            continue
        out.append(body[at:start] + text)
        at = end
    out.append(body[at:])
    return b"".join(out)


def _swap_key(body: bytes, pick: Pick) -> bytes:
    lines = _data_lines(body)
    keys = sorted({k for _, _, v in lines for c, k in _nodes(v) if type(c) is dict})
    if not keys:
        return body
    key = _pick_item(pick, keys)
    value = _pick_item(pick, POOL)

    def change(container: Any, k: Any) -> None:
        if k == key and type(container) is dict:
            container[k] = value
    return _rewrite(body, lines, change)


def _scatter(body: bytes, pick: Pick) -> bytes:
    rng = random.Random(pick(2**30))  # one draw: a payload has hundreds of slots

    def change(container: Any, k: Any) -> None:
        if rng.randrange(16) == 0:
            old = container[k]
            container[k] = rng.choice([v for v in POOL if type(v) is not type(old)])
    return _rewrite(body, _data_lines(body), change)


def _events(body: bytes) -> list[tuple[int, int]]:
    """Blank-line separated blocks (LF line ends): ``(start, end)``."""
    out, at = [], 0
    while at < len(body):
        nxt = body.find(b"\n\n", at)
        end = len(body) if nxt < 0 else nxt + 2
        out.append((at, end))
        at = end
    return out


def mutate_body(body: bytes, pick: Pick, kind: str, vocab: dict[str, list[Any]]) -> bytes:
    """One mutation of a response body."""
    if kind == "swap-key":
        return _swap_key(body, pick)
    if kind == "scatter":
        return _scatter(body, pick)
    if kind in ("swap", "vocab", "retype", "drop"):
        return _swap_payload(body, pick, kind, vocab)
    n = len(body)
    if kind == "flip":
        if not n:
            return body
        at = pick(n)
        return body[:at] + bytes([body[at] ^ (1 + pick(255))]) + body[at + 1:]
    if kind == "cut":
        if not n:
            return body
        a = pick(n + 1)
        if pick(2):
            return body[:a]
        b = a + pick(min(n - a, 200) + 1)
        return body[:a] + body[b:]
    if kind == "insert":
        if pick(2):  # at a line start
            starts = [0] + [i + 1 for i in range(n) if body[i] in (10, 13)]
            at = _pick_item(pick, starts)
        else:
            at = pick(n + 1)
        return body[:at] + _pick_item(pick, INSERTS) + body[at:]
    events = _events(body)
    if len(events) < 2:
        return body
    a, b = _pick_item(pick, events)
    if kind == "dup":
        return body[:b] + body[a:b] + body[b:]
    # move
    rest = body[:a] + body[b:]
    at = _pick_item(pick, [s for s, _ in _events(rest)] + [len(rest)])
    return rest[:at] + body[a:b] + rest[at:]


def cut_reads(body: bytes, pick: Pick) -> list[bytes]:
    """Random reads: the whole body, single bytes, or up to 30 random cuts (empty reads too)."""
    n = len(body)
    how = pick(6)
    if how == 0 or n < 2:
        return [body] if body else []
    if how == 1 and n <= 4000:
        return [body[i:i + 1] for i in range(n)]
    cuts = sorted({pick(n + 1) for _ in range(1 + pick(30))})
    if how == 2:
        cuts = cuts + cuts[: pick(len(cuts) + 1)]  # repeated cuts: empty reads
        cuts.sort()
    edges = [0] + cuts + [n]
    return [body[a:b] for a, b in zip(edges, edges[1:])]


# -- trace files ---------------------------------------------------------------------------------


def mutate_document(doc: dict, pick: Pick) -> Any:
    """A trace file's JSON document with one value swapped or one key dropped."""
    slots = [(c, k) for c, k in _nodes(doc)]
    if not slots or pick(10) == 0:
        return _pick_item(pick, [v for v in POOL if not isinstance(v, Raw)])
    container, key = _pick_item(pick, slots)
    if pick(3) == 0 and type(container) is dict:
        del container[key]
    else:
        container[key] = _pick_item(pick, [v for v in POOL if not isinstance(v, Raw)] + [
            [0] * 50, list(range(0, 500, 7)), [0, 5.0, 9.0], [0.0], [float("nan")], [-0.0, 1e300], ["data: \ud800\n\n"]])
    return doc


# -- running one case ----------------------------------------------------------------------------


def replay_everywhere(body: bytes, reads: list[bytes], pick: Pick) -> None:
    """Replay the reads through every reference under both profiles; raises what the kit raises."""
    for api in APIS:
        for profile in PROFILES:
            timeline = pick(4) == 0
            result = kit.replay_reads(api, reads, profile=profile, timeline=timeline, keep_outputs=timeline)
            canonical_json(result.plan).encode("utf-8")  # the Plan is a JSON document that can be written
            for d in result.diagnostics:
                str(d)
            if timeline:  # what `kit replay` prints
                from kit.report import timeline as render  # noqa: PLC0415

                trace = kit.Trace(id="i_fuzz", api=api, cls="i", body=b"".join(reads), provenance={"kind": "imported"})
                render(trace, result).encode("utf-8", "backslashreplace")


def load_mutated(trace: Any, pick: Pick) -> None:
    """Load a mutated trace file: its document (value swapped, key dropped) or its bytes."""
    doc = json.loads(json.dumps(trace.to_json()))
    if pick(2):
        loaded = from_json(mutate_document(doc, pick), path="fuzz.json")
    else:
        raw = bytearray(json.dumps(doc).encode())
        for _ in range(1 + pick(3)):
            if not raw:
                break
            k = pick(3)
            at = pick(len(raw))
            if k == 0:
                raw[at] ^= 1 + pick(255)
            elif k == 1:
                del raw[at:]
            else:
                raw[at:at] = _pick_item(pick, INSERTS)
        loaded = from_json_bytes(bytes(raw), path="fuzz.json")
    for plan in ("recorded", "event"):  # a loaded trace can be cut into reads
        loaded.chunks(plan)


def mutated_body(trace: Any, pick: Pick, vocab: dict[str, list[Any]], count: int) -> tuple[bytes, list[str]]:
    body = trace.body
    kinds = []
    for _ in range(count):
        kind = _pick_item(pick, list(KINDS))
        kinds.append(kind)
        body = mutate_body(body, pick, kind, vocab)
    return body, kinds


def crash_key(exc: BaseException) -> str:
    """The exception type and the innermost line of the kit that it came through."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = "?"
    for f in frames:
        if "/kit/" in f.filename.replace("\\", "/"):
            where = f"{f.filename.replace(chr(92), '/').split('/kit/')[-1]}:{f.lineno} ({f.name})"
    return f"{type(exc).__name__} at kit/{where}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=1, help="repros printed per crash class")
    ap.add_argument("--load-every", type=int, default=5, help="every Nth case also loads a mutated trace file")
    args = ap.parse_args(argv)

    traces = kit.corpus()
    vocab = vocabulary(traces)
    rng = random.Random(args.seed)
    pick: Pick = rng.randrange
    crashes: dict[str, list[str]] = {}
    counts: dict[str, int] = {}
    slowest = (0.0, "")
    started = time.perf_counter()
    replays = loads = 0
    for case in range(args.cases):
        trace = traces[pick(len(traces))]
        body, kinds = mutated_body(trace, pick, vocab, 1 + pick(4))
        reads = cut_reads(body, pick)
        t0 = time.perf_counter()
        what = f"case {case}: {trace.name} {'+'.join(kinds)}, {len(reads)} reads"
        try:
            replay_everywhere(body, reads, pick)
        except KitError:
            pass
        except Exception as exc:  # noqa: BLE001 - what the fuzz is looking for
            key = "replay: " + crash_key(exc)
            counts[key] = counts.get(key, 0) + 1
            crashes.setdefault(key, []).append(f"{what}: {str(exc)[:100]}\n            body={body[:300]!r}")
        replays += 2 * len(APIS)
        if args.load_every and case % args.load_every == 0:
            loads += 1
            try:
                load_mutated(trace, pick)
            except KitError:
                pass
            except Exception as exc:  # noqa: BLE001
                key = "load: " + crash_key(exc)
                counts[key] = counts.get(key, 0) + 1
                crashes.setdefault(key, []).append(f"case {case}: loading a mutated {trace.name}: {str(exc)[:100]}")
        dt = time.perf_counter() - t0
        if dt > slowest[0]:
            slowest = (dt, what)
        if (case + 1) % 10000 == 0:
            print(f"{case + 1} cases, {time.perf_counter() - started:.0f} s, {sum(counts.values())} crashes",
                  file=sys.stderr, flush=True)
    elapsed = time.perf_counter() - started
    print(f"{args.cases} cases (seed {args.seed}): {replays} replays, {loads} trace loads in {elapsed:.1f} s; "
          f"slowest case {slowest[0] * 1000:.1f} ms ({slowest[1]})")
    if not crashes:
        print("no crash: every result was normal or a KitError")
        return 0
    print(f"{sum(counts.values())} crashes in {len(crashes)} classes:")
    for key in sorted(crashes, key=lambda k: -counts[k]):
        print(f"  {counts[key]:6d}  {key}")
        for repro in crashes[key][: args.show]:
            print(f"          {repro}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
