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

__all__ = ["APIS", "STREAMING_PREFIX", "mutant_names", "streaming_names", "load", "base", "spec", "specs"]

# API -> (file prefix of its mutants, module of its naive base)
APIS: dict[str, tuple[str, str]] = {
    "openai.chat.completions": ("m", "_naive"),
    "openai.responses": ("r", "_naive_responses"),
    "anthropic.messages": ("a", "_naive_anthropic"),
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
