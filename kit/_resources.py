"""Where the bundled corpus and schemas are.

In a source checkout they are the top-level ``traces/`` and ``schemas/`` folders; in an
installed wheel they are shipped inside the package as ``kit/_corpus`` and ``kit/_schemas``.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

_PKG = Path(__file__).resolve().parent
_REPO = _PKG.parent


def _pick(checkout: str, bundled: str) -> Path:
    here = _REPO / checkout
    if (_REPO / "pyproject.toml").is_file() and here.is_dir():
        return here
    return _PKG / bundled


def corpus_dir() -> Path:
    """The bundled corpus: one folder per wire API."""
    return _pick("traces", "_corpus")


def schemas_dir() -> Path:
    return _pick("schemas", "_schemas")


@lru_cache(maxsize=None)
def schema(name: str) -> dict:
    """A JSON Schema shipped with the kit, by file stem (``trace``, ``plan``, ``events``)."""
    with open(schemas_dir() / f"{name}.schema.json", encoding="utf-8") as f:
        return json.load(f)
