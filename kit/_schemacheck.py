"""A quick, conservative check of a document against one of the kit's JSON Schemas.

``jsonschema`` costs a tenth of a second to import and about 9 µs per array item (a trace
with 100k reads: about a second). Almost every document the kit loads is valid, so this
module answers one question fast: *is the document certainly valid?* It understands the
keywords the kit's schemas use, for the JSON types ``json.loads`` makes; whenever it cannot
be sure (an unknown keyword, a float where an integer is wanted, ...) it says "don't
know" and the caller asks ``jsonschema``, which also words the error. So it can only make
loading faster, never accept a document the schema rejects (tests/test_fast_paths.py
compares the two on the corpus and on broken variants of it).

Results are three-valued: ``True`` (valid), ``False`` (invalid), ``None`` (don't know).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Callable

__all__ = ["ItemCheck", "surely_valid"]

Check = Callable[[Any], "bool | None"]

_ANNOTATIONS = {"$schema", "$id", "title", "description", "$comment", "examples", "default"}
_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,), "integer": (int,), "number": (int, float), "boolean": (bool,),
    "null": (type(None),), "object": (dict,), "array": (list,),
}


def surely_valid(name: str, doc: Any) -> bool:
    """True only when ``doc`` is certainly valid against the kit's schema ``name``."""
    return _compiled(name)(doc) is True


@lru_cache(maxsize=None)
def _compiled(name: str) -> Check:
    from ._resources import schema  # noqa: PLC0415

    return _compile(schema(name))


def _unsure(_: Any) -> None:
    return None


def _all(results) -> bool | None:
    """AND in three values: any False is False, else any None is None."""
    unsure = False
    for r in results:
        if r is False:
            return False
        if r is None:
            unsure = True
    return None if unsure else True


def _type_of(instance: Any, names: list[str]) -> bool | None:
    t = type(instance)
    for n in names:
        if t in _TYPES[n]:
            return True
        if n == "integer" and t is float:
            return None  # 1.0 is an integer to JSON Schema: let jsonschema say
    return False


def _scalar(v: Any) -> bool:
    return v is None or type(v) in (str, int, float, bool)


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def _unequal(x: Any) -> bool | None:
    """Not the same as any member: certainly not equal in JSON for a string, boolean or null
    (JSON Schema compares 1 and 1.0 equal, so a number is left to jsonschema)."""
    return False if type(x) in (str, bool, type(None)) else None


def _compile(s: Any) -> Check:
    if s is True:
        return lambda _: True
    if s is False:
        return lambda _: False
    if not isinstance(s, dict) or not set(s) - _ANNOTATIONS <= _KNOWN:
        return _unsure
    checks: list[Check] = []
    if "type" in s:
        names = s["type"] if isinstance(s["type"], list) else [s["type"]]
        if not all(n in _TYPES for n in names):
            return _unsure
        checks.append(lambda x, names=names: _type_of(x, names))
    if "const" in s:
        c = s["const"]
        if not _scalar(c):
            return _unsure
        checks.append(lambda x, c=c: True if _same(x, c) else _unequal(x))
    if "enum" in s:
        members = s["enum"]
        if not all(_scalar(m) for m in members):
            return _unsure
        checks.append(lambda x, m=members: True if any(_same(x, v) for v in m) else _unequal(x))
    if "pattern" in s:
        search = re.compile(s["pattern"]).search
        checks.append(lambda x, search=search: True if type(x) is not str else search(x) is not None)
    if "minLength" in s:
        n = s["minLength"]
        checks.append(lambda x, n=n: True if type(x) is not str else len(x) >= n)
    for key, ok in (("minimum", lambda x, n: x >= n), ("maximum", lambda x, n: x <= n)):
        if key in s:
            checks.append(lambda x, n=s[key], ok=ok: True if type(x) not in (int, float) else ok(x, n))
    if "required" in s:
        req = list(s["required"])
        checks.append(lambda x, req=req: True if type(x) is not dict else all(k in x for k in req))
    if "properties" in s or "additionalProperties" in s:
        props = {k: _compile(v) for k, v in s.get("properties", {}).items()}
        extra = s.get("additionalProperties", True)
        other = _compile(extra)

        def objects(x: Any, props=props, other=other) -> bool | None:
            if type(x) is not dict:
                return True
            return _all((props[k] if k in props else other)(v) for k, v in x.items())
        checks.append(objects)
    if "items" in s:
        checks.append(_items(s["items"]))
    if "minItems" in s:
        n = s["minItems"]
        checks.append(lambda x, n=n: True if type(x) is not list else len(x) >= n)
    if s.get("uniqueItems"):
        def unique(x: Any) -> bool | None:
            if type(x) is not list:
                return True
            if all(type(v) is str for v in x):
                return len(set(x)) == len(x)
            return None
        checks.append(unique)
    if "oneOf" in s:
        subs = [_compile(v) for v in s["oneOf"]]

        def one_of(x: Any, subs=subs) -> bool | None:
            results = [f(x) for f in subs]
            if None in results:
                return None
            return results.count(True) == 1
        checks.append(one_of)
    if "not" in s:
        sub = _compile(s["not"])

        def negation(x: Any, sub=sub) -> bool | None:
            r = sub(x)
            return None if r is None else not r
        checks.append(negation)
    return lambda x, checks=checks: _all(f(x) for f in checks)


def _items(item_schema: Any) -> Check:
    """Arrays, with the item schemas of long arrays (reads, read times, body pieces) checked
    a whole array at a time."""
    each = _compile(item_schema)
    check = ItemCheck.of(item_schema)

    def items(x: Any) -> bool | None:
        if type(x) is not list or not x:
            return True
        if check is not None:
            if check.whole(x):
                return True
            if len(x) > 64:  # a long array not certainly valid: jsonschema decides, its items check
                return None  # is a whole-array one too for these schemas (kit.trace._fast_items)
        return _all(each(v) for v in x)
    return items


_KNOWN = {"type", "const", "enum", "pattern", "minLength", "minimum", "maximum", "required", "properties",
          "additionalProperties", "items", "minItems", "uniqueItems", "oneOf", "not"}


class ItemCheck:
    """The items of an array against a simple item schema: ``type`` (one of integer, number,
    string) with ``minimum``, ``minLength``, ``pattern`` (and ``description``), as jsonschema's
    Draft 2020-12 keywords see them. :meth:`of` gives ``None`` for any other schema. Used by
    :func:`_items` here (a whole array certainly valid) and by ``kit.trace``'s ``items`` keyword
    for jsonschema (which items of a long array may be invalid)."""

    def __init__(self, kind: str, minimum: Any, min_len: int | None, pattern: str | None) -> None:
        self.kind, self.minimum, self.min_len = kind, minimum, min_len
        self.search = re.compile(pattern).search if pattern is not None else None
        self.types = {"integer": {int}, "number": {int, float}, "string": {str}}[kind]

    @classmethod
    def of(cls, items: Any) -> ItemCheck | None:
        if type(items) is not dict or not items.keys() <= {"type", "minimum", "minLength", "pattern", "description"}:
            return None
        kind, minimum = items.get("type"), items.get("minimum")
        min_len, pattern = items.get("minLength"), items.get("pattern")
        if kind not in ("integer", "number", "string") or minimum is not None and type(minimum) not in (int, float) \
                or min_len is not None and type(min_len) is not int or pattern is not None and type(pattern) is not str:
            return None
        return cls(kind, minimum, min_len, pattern)

    def ok(self, x: Any) -> bool:
        """Whether jsonschema finds ``x`` valid (``type``, then ``minimum``, ``minLength``, ``pattern``)."""
        t = type(x)  # bool is not int here (type(True) is bool), nor for jsonschema
        if self.kind == "string":
            return t is str and (self.min_len is None or len(x) >= self.min_len) and (
                self.search is None or self.search(x) is not None)
        if not (t is int or t is float and (self.kind == "number" or x.is_integer())):
            return False
        return self.minimum is None or not x < self.minimum

    def whole(self, values: list) -> bool:
        """True when every item is certainly valid, by whole-array operations (C loops)."""
        if not set(map(type, values)) <= self.types:
            return False
        if self.kind == "string":
            return (self.min_len is None or min(map(len, values)) >= self.min_len) and (
                self.search is None or all(map(self.search, values)))
        return self.minimum is None or min(values) >= self.minimum  # a NaN minimum: False, the loop decides

    def invalid(self, values: list, *, reverse: bool = False) -> Any:
        """The indices of the invalid items, in order (or from the end)."""
        ok = self.ok
        indices = range(len(values) - 1, -1, -1) if reverse else range(len(values))
        items = reversed(values) if reverse else values
        types = map(type, reversed(values) if reverse else values)
        if self.kind == "string":
            if self.min_len is None and self.search is None:
                return (i for i, t in zip(indices, types) if t is not str)
            return (i for i, t, x in zip(indices, types, items) if t is not str or not ok(x))
        low = self.minimum if self.minimum is not None else float("-inf")
        # an int at or above the minimum is valid without a call; anything else asks ok()
        return (i for i, t, x in zip(indices, types, items) if (t is not int or x < low) and not ok(x))
