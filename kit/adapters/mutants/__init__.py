"""Deliberately broken stream handlers ("mutants") that the corpus must catch.

Each mutant module reproduces one real bug from ``research/quirks.md`` or one documented
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
===========================  =====  ===============================================

The three bases share the SSE layer (:class:`._naive.NaiveSSE`). Module attributes of a
mutant:

- ``QUIRK``: the quirk id(s) in ``research/quirks.md`` (or the rule id where the
  catalogue has none);
- ``NEEDS``: the corpus behaviour that kills the mutant (named in a survivor's failure);
- ``accumulate``: the implementation.

``tests/test_mutants.py`` runs each mutant over the graded corpus of its API (classes
``y`` and ``n``) under several chunk plans and asserts that at least one case tells it
apart from the reference. ``python -m tests.test_mutants`` prints which case kills which
mutant.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

__all__ = ["APIS", "mutant_names", "load", "base"]

# API -> (file prefix of its mutants, module of its naive base)
APIS: dict[str, tuple[str, str]] = {
    "openai.chat.completions": ("m", "_naive"),
    "openai.responses": ("r", "_naive_responses"),
    "anthropic.messages": ("a", "_naive_anthropic"),
}


def mutant_names(api: str = "openai.chat.completions") -> list[str]:
    """The mutant module names of ``api`` (``m01_header_concat``, ...), sorted."""
    prefix = APIS[api][0]
    return sorted(m.name for m in pkgutil.iter_modules(__path__)
                  if m.name.startswith(prefix) and m.name[1:2].isdigit())


def load(name: str) -> ModuleType:
    return importlib.import_module(f"{__name__}.{name}")


def base(api: str) -> ModuleType:
    """The naive base module of ``api`` (its ``accumulate`` is the unbroken handler)."""
    return importlib.import_module(f"{__name__}.{APIS[api][1]}")
