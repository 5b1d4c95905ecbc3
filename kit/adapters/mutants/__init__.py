"""Deliberately broken stream handlers ("mutants") that the corpus must catch.

They ship with the kit so that ``kit verify`` can report a mutation score: how many of
them its checks catch. They are *not* kit code: every module here is written the way a
user writes a stream handler, imports nothing from the kit, and declares what it
handles with a plain ``accumulate.__kit__`` dict (read by
:func:`kit.adapters.python.declared`). :func:`specs` gives their adapter specs::

    py[name=mutant:m08_dispatch_on_index_switch]:kit.adapters.mutants.m08_dispatch_on_index_switch:accumulate

Each *plan mutant* reproduces one real bug from ``research/quirks.md`` or one documented
failure named by a rule of ``conformance.md`` (its docstring names the quirk or rule and
the issues) in the simplest implementation contract the kit accepts: a plain function
``accumulate(reads: Iterable[bytes]) -> dict`` returning a Plan document. Each subclasses
the naive base of its API (correct on the corpus) and overrides one method with the bug:

===========================  =====  ===============================================
API                          files  naive base
===========================  =====  ===============================================
``openai.chat.completions``  m*.py  :mod:`._naive` (``NaiveChat``)
``openai.responses``         r*.py  :mod:`._naive_responses` (``NaiveResponses``)
``anthropic.messages``       a*.py  :mod:`._naive_anthropic` (``NaiveAnthropic``)
``google.generate_content``  g*.py  :mod:`._naive_gemini` (``NaiveGemini``)
all three                    s*.py  :mod:`._streaming` (``StreamingChat``, ...)
===========================  =====  ===============================================

The three bases share the SSE layer (:class:`._naive.NaiveSSE`). The *streaming
mutants* (``s*.py``) are incremental handlers, ``accumulate(reads, sink, *, api)``: they
report output events through ``sink`` while they read, on top of the naive bases made
incremental by :mod:`._streaming`, and each gets the final Plan right on the trace its
bug shows on; only the kit's streaming checks (when a call is dispatched, whether text
is held back) catch them. Module attributes of a mutant:

- ``QUIRK``: the quirk id(s) in ``research/quirks.md`` (or the rule id where the
  catalogue has none);
- ``BREAKS``: the ids of the catalogue rules (``kit/rules.py``) the bug breaks, usually
  one; ``()`` when it breaks a Plan convention no rule names. :func:`rule_kills` finds
  the graded traces that exercise such a rule and kill the mutant, and ``conformance.md``
  ("Every rule has a mutant") tabulates them;
- ``NEEDS``: the corpus behaviour that kills the mutant (named in a survivor's failure);
- ``accumulate``: the implementation; a streaming mutant also has ``EXPECTED`` (the
  verdict ``kit verify`` should give it) and ``SHOWN_BY`` (traces the bug shows on).

``tests/test_mutants.py`` runs each plan mutant over the graded corpus of its API
(classes ``y`` and ``n``) under several chunk plans and asserts that at least one case
tells it apart from the reference. ``python -m tests.test_mutants`` prints which case
kills which mutant.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

__all__ = ["APIS", "STREAMING_PREFIX", "CHUNKINGS", "mutant_names", "streaming_names", "load", "base", "spec",
           "specs", "breaks", "exercises", "rule_kills"]

# API -> (file prefix of its mutants, module of its naive base)
APIS: dict[str, tuple[str, str]] = {
    "openai.chat.completions": ("m", "_naive"),
    "openai.responses": ("r", "_naive_responses"),
    "anthropic.messages": ("a", "_naive_anthropic"),
    "google.generate_content": ("g", "_naive_gemini"),
}


STREAMING_PREFIX = "s"  # streaming mutants, of any API


def _modules(prefix: str) -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(__path__)
                  if m.name.startswith(prefix) and m.name[1:2].isdigit())


def mutant_names(api: str = "openai.chat.completions") -> list[str]:
    """The plan mutant module names of ``api`` (``m01_header_concat``, ...), sorted."""
    return _modules(APIS[api][0])


def apis_of(name: str) -> list[str]:
    """The APIs mutant ``name`` declares (its ``accumulate.__kit__["apis"]``)."""
    return list(load(name).accumulate.__kit__["apis"])


def streaming_names(api: str | None = None) -> list[str]:
    """The streaming mutant module names (``s01_...``), of ``api`` or of every API, sorted."""
    names = _modules(STREAMING_PREFIX)
    return [n for n in names if api is None or api in apis_of(n)]


def load(name: str) -> ModuleType:
    return importlib.import_module(f"{__name__}.{name}")


def spec(name: str) -> str:
    """The adapter spec of mutant ``name``, named ``mutant:NAME`` in reports."""
    return f"py[name=mutant:{name}]:{__name__}.{name}:accumulate"


def specs(api: str | None = None) -> list[str]:
    """Adapter specs of every mutant (plan mutants, then streaming ones), of ``api`` or of all APIs."""
    apis = [api] if api is not None else list(APIS)
    names = [n for a in apis for n in mutant_names(a)] + streaming_names(api)
    return [spec(n) for n in names]


def base(api: str) -> ModuleType:
    """The naive base module of ``api`` (its ``accumulate`` is the unbroken handler)."""
    return importlib.import_module(f"{__name__}.{APIS[api][1]}")


# -- which rule each mutant proves -------------------------------------------------------------

CHUNKINGS: tuple[str, ...] = ("recorded", "event", "bytewise", "random:1")  # the chunk plans a plan mutant is run under


def breaks(name: str) -> tuple[str, ...]:
    """The rule ids mutant ``name`` declares it breaks (its ``BREAKS``)."""
    return tuple(load(name).BREAKS)


def exercises(trace, rule_id: str) -> bool:
    """Whether ``trace`` exercises rule ``rule_id``: it names the rule, or the rule binds every
    consumer on every stream (the ``plan-*`` rules)."""
    from kit.rules import get  # noqa: PLC0415

    return get(rule_id).api == "plan" or rule_id in trace.rules


CAUGHT = ("FAIL", "ERROR", "TIMEOUT", "NONSTRICT")  # verdicts of `kit verify` that catch an implementation
_BASE_PASSES: dict = {}  # (trace name, body, chunking) -> (reads, reference plan, whether the naive base PASSes)


def _outcome(accumulate, reads):
    try:
        return accumulate(iter(reads))
    except Exception as exc:  # noqa: BLE001 - a crash is an outcome
        return exc



_ADAPTERS: dict = {}


def _verdict(spec_: str, trace, chunking: str) -> str:
    from kit.adapters import load_adapter  # noqa: PLC0415
    from kit.verify import engine  # noqa: PLC0415

    if spec_ not in _ADAPTERS:
        _ADAPTERS[spec_] = load_adapter(spec_)
    return engine.verify_case(_ADAPTERS[spec_], trace, chunking)["verdict"]


def kills(name: str, trace, chunking: str) -> bool:
    """Whether plan mutant ``name`` is caught on ``trace`` cut by ``chunking``: ``kit verify``
    PASSes the naive base of its API there and does not pass the mutant (FAIL, ERROR, TIMEOUT
    or NONSTRICT). Requiring the base to pass makes the kill this mutant's own bug."""
    key = (trace.name, trace.body, chunking)
    if key not in _BASE_PASSES:
        from kit.replay import replay  # noqa: PLC0415

        reads = tuple(trace.chunks(chunking))
        _BASE_PASSES[key] = (reads, replay(trace, chunking=chunking).plan,
                             _verdict(f"py:{base(trace.api).__name__}:accumulate", trace, chunking) == "PASS")
    reads, expected, base_passes = _BASE_PASSES[key]
    if not base_passes:
        return False  # the base is wrong here too: not this mutant's bug
    if _outcome(load(name).accumulate, reads) == expected:
        return False  # the reference's own plan (a shortcut: kit verify passes it)
    return _verdict(spec(name), trace, chunking) in CAUGHT


_CORPUS: list = []  # the bundled corpus, loaded once
_RULE_KILLS: dict = {}  # mutant name -> rule_kills(name) over the bundled corpus


def rule_kills(name: str, traces=None) -> dict[str, list[str]]:
    """For each rule mutant ``name`` breaks, the graded (``y``/``n``) traces of its API that
    exercise the rule and catch the mutant, sorted by id.

    A plan mutant is caught on a trace when ``kit verify`` catches it under some chunk plan of
    :data:`CHUNKINGS` (:func:`kills`). A streaming mutant is caught on the traces of its ``SHOWN_BY`` (where
    ``tests/test_mutants.py`` checks that ``kit verify`` gives it its ``EXPECTED`` verdict).
    ``traces`` defaults to the bundled corpus (the answer is then computed once per process).
    """
    from kit.trace import corpus  # noqa: PLC0415

    if traces is None:
        if name not in _RULE_KILLS:
            if not _CORPUS:
                _CORPUS.extend(corpus())
            _RULE_KILLS[name] = rule_kills(name, _CORPUS)
        return {rule_id: list(hits) for rule_id, hits in _RULE_KILLS[name].items()}
    api = apis_of(name)[0]
    pool = [t for t in traces if t.api == api and t.cls in ("y", "n")]
    module = load(name)
    shown = set(getattr(module, "SHOWN_BY", ()))
    out: dict[str, list[str]] = {}
    for rule_id in breaks(name):
        hits = []
        for trace in sorted(pool, key=lambda t: t.id):
            if not exercises(trace, rule_id):
                continue
            if name.startswith(STREAMING_PREFIX):
                caught = trace.id in shown
            else:
                caught = any(kills(name, trace, chunking) for chunking in CHUNKINGS)
            if caught:
                hits.append(trace.id)
        out[rule_id] = hits
    return out
