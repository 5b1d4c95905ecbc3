"""The corpus judged: every deliberately broken accumulator must be caught by some trace.

A kit that judges other code must itself be judged (Bowtie's fake implementations,
array-api-tests' meta-tests). ``tests/mutants`` holds Chat Completions stream handlers that
each reproduce one documented bug (``research/quirks.md``) on top of a naive base that is
correct on the corpus. Here each one is run, like an implementation under test, over every
graded trace (``y`` and ``n``; ``i`` cases are not graded) cut by several chunk plans, and
its plan is compared with the reference's.

- A case *kills* a mutant when the naive base gives the reference plan there and the
  mutant does not (a different plan, or an exception). Requiring the base to agree makes
  sure a mutant is caught for its own bug, not for some unrelated weakness of the base.
- Every mutant must be killed; a survivor means the corpus lacks the behaviour named in
  the mutant's ``NEEDS``.
- The base must agree with the reference on every graded case. It is a second,
  independent reading of the Plan conventions, so a disagreement is a bug in one of them.

``python -m tests.test_mutants`` prints the first killing case of every mutant.
"""

from __future__ import annotations

import ast
import functools
import inspect
import sys
from typing import Any, Callable

import pytest

from kit.replay import replay
from kit.trace import Trace, corpus
from tests import mutants
from tests.mutants import _naive

API = "openai.chat.completions"
CHUNKINGS = ("recorded", "event", "bytewise", "random:1")
# Simple traces that the base must get right under every chunk plan, whatever else changes.
SIMPLE_TRACES = ("y_text_only", "y_text_then_tool_call", "y_parallel_calls")

MUTANTS = mutants.mutant_names()

# Mutants the corpus does not kill yet, each with the trace that would. Marked strict xfail:
# the day the trace lands, the XPASS fails the run and the entry must be removed.
KNOWN_SURVIVORS: dict[str, str] = {}


def _mutant_params() -> list[Any]:
    return [pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=KNOWN_SURVIVORS[name]))
            if name in KNOWN_SURVIVORS else name for name in MUTANTS]


@functools.lru_cache(maxsize=None)
def graded_traces() -> tuple[Trace, ...]:
    return tuple(t for t in corpus(api=API) if t.cls in ("y", "n"))


@functools.lru_cache(maxsize=None)
def case(trace_id: str, chunking: str) -> tuple[tuple[bytes, ...], dict[str, Any]]:
    """The reads of one (trace, chunk plan) case and the reference plan for them."""
    trace = next(t for t in graded_traces() if t.id == trace_id)
    return tuple(trace.chunks(chunking)), replay(trace, chunking=chunking).plan


def cases() -> list[tuple[str, str]]:
    return [(t.id, chunking) for t in graded_traces() for chunking in CHUNKINGS]


def outcome(accumulate: Callable[..., dict], reads: tuple[bytes, ...]) -> Any:
    """The implementation's plan, or the exception it raised (a caught mutant)."""
    try:
        return accumulate(iter(reads))
    except Exception as exc:  # noqa: BLE001 - any crash is an outcome
        return exc


@functools.lru_cache(maxsize=None)
def base_agrees(trace_id: str, chunking: str) -> bool:
    reads, expected = case(trace_id, chunking)
    return outcome(_naive.accumulate, reads) == expected


def first_kill(name: str) -> tuple[str, str, str] | None:
    """The first case that kills mutant ``name``: (trace, chunk plan, how), or None."""
    accumulate = mutants.load(name).accumulate
    for trace_id, chunking in cases():
        reads, expected = case(trace_id, chunking)
        got = outcome(accumulate, reads)
        if got == expected or not base_agrees(trace_id, chunking):
            continue
        how = f"raised {type(got).__name__}" if isinstance(got, Exception) else "wrong plan"
        return trace_id, chunking, how
    return None


def _diff(expected: dict, got: Any) -> str:
    if isinstance(got, Exception):
        return f"raised {type(got).__name__}: {got}"
    from kit.plan import canonical_json  # noqa: PLC0415

    return f"expected {canonical_json(expected)}\n     got {canonical_json(got)}"


# -- the corpus is there -------------------------------------------------------------------


def test_graded_corpus_is_present() -> None:
    ids = {t.id for t in graded_traces()}
    assert ids, f"no graded ({API}) traces in the bundled corpus: the mutants cannot be judged"
    missing = [t for t in SIMPLE_TRACES if t not in ids]
    assert not missing, f"the simple traces {missing} are not in the bundled corpus (renamed?)"


# -- the base -----------------------------------------------------------------------------


@pytest.mark.parametrize("trace_id", SIMPLE_TRACES)
def test_naive_base_gets_simple_traces_right(trace_id: str) -> None:
    """The base is a correct accumulator for the simple cases, under every chunk plan."""
    for chunking in CHUNKINGS:
        reads, expected = case(trace_id, chunking)
        got = outcome(_naive.accumulate, reads)
        assert got == expected, f"naive base on {trace_id} ({chunking}):\n{_diff(expected, got)}"


def test_naive_base_agrees_with_reference_on_graded_corpus() -> None:
    """Two independent readings of the Plan conventions give the same plans.

    A failure is a bug in the base (tests/mutants/_naive.py) or in the reference: the
    mutants are only credited with kills where the two agree.
    """
    wrong = []
    for trace_id, chunking in cases():
        if not base_agrees(trace_id, chunking):
            reads, expected = case(trace_id, chunking)
            wrong.append(f"{trace_id} ({chunking}):\n{_diff(expected, outcome(_naive.accumulate, reads))}")
    assert not wrong, "the naive base and the reference disagree on:\n" + "\n".join(wrong)


# -- the mutants --------------------------------------------------------------------------


def test_there_are_mutants() -> None:
    assert len(MUTANTS) >= 10, MUTANTS
    assert set(KNOWN_SURVIVORS) <= set(MUTANTS), "KNOWN_SURVIVORS names a mutant that does not exist"


@pytest.mark.parametrize("name", MUTANTS)
def test_mutant_is_self_contained(name: str) -> None:
    """Mutants are naive user code: no kit imports, a quirk cited, one `accumulate` function."""
    module = mutants.load(name)
    source = inspect.getsource(module)
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            assert not node.module.split(".")[0] == "kit", f"{name} imports {node.module}"
        if isinstance(node, ast.Import):
            assert all(a.name.split(".")[0] != "kit" for a in node.names), f"{name} imports the kit"
    assert module.__doc__ and module.QUIRK.split("/")[0] in module.__doc__, f"{name}: cite the quirk in the docstring"
    assert module.NEEDS, f"{name}: say which corpus behaviour kills it"
    assert callable(module.accumulate) and list(inspect.signature(module.accumulate).parameters) == ["reads"]


@pytest.mark.parametrize("name", _mutant_params())
def test_mutant_is_killed(name: str) -> None:
    """Some graded (trace, chunk plan) case tells the mutant apart from the reference."""
    module = mutants.load(name)
    kill = first_kill(name)
    assert kill is not None, (
        f"mutant {name} ({module.QUIRK}: {module.__doc__.splitlines()[0]}) survives all "
        f"{len(cases())} graded cases ({len(graded_traces())} traces x {', '.join(CHUNKINGS)}): "
        f"the corpus lacks {module.NEEDS}"
    )


def kill_table() -> list[tuple[str, str, str]]:
    """(mutant, quirk, first killing case) for every mutant."""
    rows = []
    for name in MUTANTS:
        kill = first_kill(name)
        where = f"{kill[0]} / {kill[1]} ({kill[2]})" if kill else "SURVIVES"
        rows.append((name, mutants.load(name).QUIRK, where))
    return rows


if __name__ == "__main__":
    rows = kill_table()
    width = max(len(r[0]) for r in rows)
    qwidth = max(len(r[1]) for r in rows)
    for name, quirk, where in rows:
        print(f"{name:<{width}}  {quirk:<{qwidth}}  {where}")
    sys.exit(1 if any(r[2] == "SURVIVES" for r in rows) else 0)
