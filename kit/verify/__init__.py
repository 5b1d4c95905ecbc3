"""``kit verify``: grade implementations against the reference, case by case.

- :mod:`kit.verify.engine` grades one case (trace x chunk plan) of one adapter;
- :mod:`kit.verify.runner` runs adapters x traces x chunk plans, applies the
  expectations file and writes repro files;
- :mod:`kit.verify.reports` turns the verdict records into tables, JUnit, Markdown, HTML.
"""

from __future__ import annotations

from .engine import FAILING, VERDICTS, compare_plans, normalise_plan, prepare, verify_case
from .runner import Expectations, Run, load_repro, write_repro

__all__ = ["FAILING", "VERDICTS", "compare_plans", "normalise_plan", "prepare", "verify_case",
           "Expectations", "Run", "load_repro", "write_repro"]
