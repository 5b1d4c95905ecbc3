"""Deliberately broken Chat Completions accumulators ("mutants") that the corpus must catch.

Each ``m*.py`` module reproduces one real bug from ``research/quirks.md`` (its docstring
names the quirk and the issues) in the simplest implementation contract the kit accepts:
a plain function ``accumulate(reads: Iterable[bytes]) -> dict`` returning a Plan document.
Each subclasses the naive base (:mod:`._naive`, correct on the corpus) and overrides one
method with the bug. Module attributes:

- ``QUIRK``: the quirk id(s) in ``research/quirks.md``;
- ``NEEDS``: the corpus behaviour that kills the mutant (named in a survivor's failure);
- ``accumulate``: the implementation.

``tests/test_mutants.py`` runs each mutant over the graded corpus (classes ``y`` and
``n``) under several chunk plans and asserts that at least one case tells it apart from
the reference. ``python -m tests.test_mutants`` prints which case kills which mutant.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

__all__ = ["mutant_names", "load"]


def mutant_names() -> list[str]:
    """The mutant module names (``m01_header_concat``, ...), sorted."""
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name.startswith("m"))


def load(name: str) -> ModuleType:
    return importlib.import_module(f"{__name__}.{name}")
