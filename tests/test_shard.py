"""Sharded runs: ``kit verify --shard I/N`` splits the cases, ``kit verify --merge`` makes
the whole run's records, reports and exit status from the shards' ``--json`` files."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest
from click.testing import CliRunner

from kit.adapters import load_adapter
from kit.adapters.mutants import specs
from kit.cli import main
from kit.trace import corpus
from kit.verify.runner import Run, parse_shard, shard_units

# one adapter that passes and one that fails some cases, on a slice of the corpus (fast)
MUTANT = next(s for s in specs() if "m08_dispatch_on_index_switch" in s)  # fails y_parallel_interleaved
BYTEWISE = next(s for s in specs() if "m06_lines_per_read" in s)  # fails under the bytewise plan only
SELECT = ["--api", "chat", "--trace", "y_parallel*", "--trace", "y_text*", "--trace", "n_*", "--no-repro", "-q"]
ADAPTERS = ["-a", "reference", "-a", MUTANT, "-a", BYTEWISE]


@pytest.fixture(autouse=True)
def _elsewhere(tmp_path, monkeypatch):
    """Each test runs in its own folder: kit verify's .kit/ cache is not the checkout's."""
    monkeypatch.chdir(tmp_path)


def invoke(*args):
    return CliRunner().invoke(main, ["verify", *args], catch_exceptions=False)


def lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def comparable(records: list[dict]) -> list[dict]:
    """Records without what differs from run to run: start time, timings, the shard field."""
    out = []
    for r in records:
        r = {k: v for k, v in r.items() if k not in ("started", "seconds", "shard")}
        out.append(r)
    return out


def untimed(text: str) -> str:
    text = re.sub(r'(time|timestamp)="[^"]*"', r'\1=""', text)
    text = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "T", text)
    return re.sub(r"\d+\.\d s\b", "S", text)


@pytest.mark.parametrize("n", [1, 2, 3, 5, 7])
def test_every_case_lands_in_exactly_one_shard_and_the_shards_balance(n):
    traces = [t for t in corpus() if t.id.startswith(("y_parallel", "y_text", "n_"))]
    adapters = [load_adapter("reference"), load_adapter(MUTANT), load_adapter("openai-chat-state")]
    plans = ["recorded", "event"]
    whole = [(a.name, t.api, t.id, c) for t in Run(adapters, traces, plans).traces
             for a, c, _ in Run(adapters, traces, plans)._cases(t)]
    seen: Counter = Counter()
    sizes, per_adapter = [], []
    for i in range(1, n + 1):
        run = Run(adapters, traces, plans, shard=(i, n))
        cases = [(a.name, t.api, t.id, c) for t in run.traces for a, c, _ in run._cases(t)]
        assert run.total == len(cases)
        seen.update(cases)
        units = shard_units(adapters, traces, i, n)
        sizes.append(len(units))
        per_adapter.append(Counter(u[0] for u in units))
        assert run.header()["shard"] == {"index": i, "count": n, "traces": len(run.traces), "cases": len(cases),
                                         "trace_digest": run.trace_digest}
        assert run.header()["cases"] == len(whole)  # the whole run's count, in every shard
    assert sorted(seen) == sorted(whole) and set(seen.values()) == {1}
    assert max(sizes) - min(sizes) <= 1
    for a in adapters:  # each adapter is spread over every shard
        shares = [c[a.name] for c in per_adapter]
        assert max(shares) - min(shares) <= 1


def test_the_split_is_the_same_on_every_call():
    traces = corpus()
    adapters = [load_adapter("reference"), load_adapter(MUTANT)]
    assert shard_units(adapters, traces, 2, 3) == shard_units(list(adapters), list(traces), 2, 3)
    assert shard_units(adapters, traces, 2, 3) != shard_units(adapters, traces, 1, 3)


@pytest.mark.parametrize("value", ["0/3", "4/3", "3", "a/b", "1/0", "-1/2", "2/ 1"])
def test_a_bad_shard_is_a_usage_error_naming_the_option(value):
    res = CliRunner().invoke(main, ["verify", "--shard", value])
    assert res.exit_code == 2
    assert "--shard" in res.output and "I/N" in res.output
    with pytest.raises(ValueError):
        parse_shard(value)


def test_merged_shards_are_the_single_run(tmp_path):
    whole = invoke(*ADAPTERS, *SELECT, "--json", str(tmp_path / "whole.jsonl"),
                   "--markdown", str(tmp_path / "whole.md"), "--junit", str(tmp_path / "whole.xml"),
                   "--html", str(tmp_path / "whole.html"))
    assert whole.exit_code == 1  # the mutant fails
    shards = tmp_path / "shards"
    shards.mkdir()
    for i in (3, 1, 2):
        res = invoke(*ADAPTERS, *SELECT, "--shard", f"{i}/3", "--json", str(shards / f"shard-{i}.jsonl"))
        assert res.exit_code in (0, 1)
        head = lines(shards / f"shard-{i}.jsonl")[0]
        assert head["shard"]["index"] == i and head["shard"]["count"] == 3
    merged = invoke("--merge", str(shards), "--json", str(tmp_path / "merged.jsonl"),
                    "--markdown", str(tmp_path / "merged.md"), "--junit", str(tmp_path / "merged.xml"),
                    "--html", str(tmp_path / "merged.html"))
    assert merged.exit_code == whole.exit_code
    full, joined = lines(tmp_path / "whole.jsonl"), lines(tmp_path / "merged.jsonl")
    assert sum(r["type"] == "verdict" for r in full) > 50
    assert any(r.get("verdict") == "FAIL" for r in full)
    assert comparable(joined) == comparable(full)
    for suffix in ("md", "xml", "html"):
        assert untimed((tmp_path / f"merged.{suffix}").read_text()) == untimed((tmp_path / f"whole.{suffix}").read_text())
    assert untimed(merged.output.replace(str(tmp_path / "merged"), "X")) \
        == untimed(whole.output.replace(str(tmp_path / "whole"), "X"))
    # the files one by one, in any order, are the same as their folder
    again = invoke("--merge", str(shards / "shard-2.jsonl"), "--merge", str(shards / "shard-3.jsonl"),
                   "--merge", str(shards / "shard-1.jsonl"), "--json", str(tmp_path / "again.jsonl"))
    assert comparable(lines(tmp_path / "again.jsonl")) == comparable(full)


def test_merged_expectations_are_those_of_the_whole_run(tmp_path):
    known = tmp_path / "known.json"
    invoke(*ADAPTERS, *SELECT, "--write-expectations", str(known))
    doc = json.loads(known.read_text())
    assert doc["known"]
    # one entry passes now (XPASS), one matches nothing (unused)
    doc["known"].append({"adapter": "reference", "trace": "y_parallel*", "reason": "stale"})
    doc["known"].append({"adapter": "nobody", "trace": "*", "reason": "never matches"})
    known.write_text(json.dumps(doc))
    common = [*ADAPTERS, *SELECT, "--expectations", str(known)]
    whole = invoke(*common, "--json", str(tmp_path / "whole.jsonl"))
    for i in (1, 2):
        invoke(*common, "--shard", f"{i}/2", "--json", str(tmp_path / f"s{i}.jsonl"))
    merged = invoke("--merge", str(tmp_path / "s1.jsonl"), "--merge", str(tmp_path / "s2.jsonl"),
                    "--strict-expectations", "--json", str(tmp_path / "merged.jsonl"))
    full, joined = lines(tmp_path / "whole.jsonl"), lines(tmp_path / "merged.jsonl")
    assert full[-1]["xpass"] and full[-1]["unused_expectations"] and full[-1]["known"]
    assert comparable(joined) == comparable(full)
    assert whole.exit_code == 0 and merged.exit_code == 1  # --strict-expectations: the XPASS fails the merge
    assert "known failure now passes: reference y_parallel*" in merged.output


def test_shards_that_do_not_make_one_run_are_clear_errors(tmp_path):
    for i in (1, 2, 3):
        invoke(*ADAPTERS, *SELECT, "--shard", f"{i}/3", "--json", str(tmp_path / f"s{i}.jsonl"))
    invoke("-a", "reference", *SELECT, "--shard", "2/3", "--json", str(tmp_path / "other-adapters.jsonl"))
    invoke(*ADAPTERS, *SELECT, "--chunking", "recorded", "--shard", "2/3", "--json", str(tmp_path / "other-plans.jsonl"))
    invoke(*ADAPTERS, *SELECT, "--trace", "y_refusal*", "--shard", "2/3", "--json", str(tmp_path / "other-traces.jsonl"))
    invoke(*ADAPTERS, *SELECT, "--shard", "2/2", "--json", str(tmp_path / "other-n.jsonl"))
    invoke(*ADAPTERS, *SELECT, "--json", str(tmp_path / "whole.jsonl"))
    cut = tmp_path / "cut.jsonl"  # a shard that did not finish: no summary
    cut.write_text("".join(line + "\n" for line in (tmp_path / "s3.jsonl").read_text().splitlines()[:-1]))
    s1, s2, s3 = (str(tmp_path / f"s{i}.jsonl") for i in (1, 2, 3))
    copy = tmp_path / "copy-of-s2.jsonl"  # the same shard downloaded twice under two names
    copy.write_text((tmp_path / "s2.jsonl").read_text())
    cases = [
        ([s1, s2], "shard 3/3 missing (2 of 3 given)"),
        ([s1, s2, s2, s3], None),  # the same file twice is read once
        ([s1, s2, str(copy), s3], "shard 2/3 is given twice"),
        ([s1, str(tmp_path / "other-adapters.jsonl"), s3], "different runs (their `adapters` differ)"),
        ([s1, str(tmp_path / "other-plans.jsonl"), s3], "different runs (their `chunkings` differ)"),
        ([s1, str(tmp_path / "other-traces.jsonl"), s3], "different runs"),
        ([s1, str(tmp_path / "other-n.jsonl"), s3], "one of 3: shards of different runs"),
        ([s1, s2, str(cut)], "has no summary record"),
        ([s1, s2, s3, str(tmp_path / "whole.jsonl")], "is not a shard"),
    ]
    for files, message in cases:
        args = [x for f in files for x in ("--merge", f)]
        res = CliRunner().invoke(main, ["verify", *args])
        if message is None:
            assert res.exit_code == 1, res.output  # the mutant's failures
            continue
        assert res.exit_code == 2, (files, res.output)
        assert message in res.output and "Traceback" not in res.output
        assert len(res.output.strip().splitlines()) == 1
    # a file that is not kit verify --json output, and one that does not exist: exit 3
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n")
    res = CliRunner().invoke(main, ["verify", "--merge", str(bad)])
    assert res.exit_code == 3 and "bad.jsonl" in res.output and "line 1" in res.output
    res = CliRunner().invoke(main, ["verify", "--merge", str(tmp_path / "nothing.jsonl")])
    assert res.exit_code == 3 and "no such file" in res.output
    bad.write_text('{"type": "summary"}\n')
    res = CliRunner().invoke(main, ["verify", "--merge", str(bad)])
    assert res.exit_code == 3 and "bad.jsonl" in res.output and "not kit verify --json output" in res.output


def test_merge_runs_nothing_and_says_which_options_belong_to_the_shards(tmp_path):
    invoke(*SELECT, "--json", str(tmp_path / "one.jsonl"))
    for extra in (["--adapter", "reference"], ["--chunking", "recorded"], ["--shard", "1/2"], ["--expectations", "x.json"]):
        res = CliRunner().invoke(main, ["verify", "--merge", str(tmp_path / "one.jsonl"), *extra])
        assert res.exit_code == 2 and f"it takes no {extra[0]}" in res.output
    # one unsharded file: its reports again
    res = CliRunner().invoke(main, ["verify", "--merge", str(tmp_path / "one.jsonl"), "--markdown", "-"])
    assert res.exit_code == 0 and "**PASSED**" in res.output


@pytest.mark.parametrize("extra", [["--mutants"], ["--lf"]])
def test_shard_refuses_what_it_cannot_split(extra):
    res = CliRunner().invoke(main, ["verify", "--shard", "1/2", *extra])
    assert res.exit_code == 2 and "--shard" in res.output
