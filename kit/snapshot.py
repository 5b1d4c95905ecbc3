"""Snapshots of Plans (and any JSON value the kit produces) with syrupy.

``PlanSnapshotExtension`` stores one ``.json`` file per snapshot, in the kit's canonical
JSON (sorted keys, 2-space indent, UTF-8 text kept, one trailing newline), so a snapshot
is the same bytes on every run, platform and Python version, and a changed Plan is a
small line diff in review::

    from kit.snapshot import PlanSnapshotExtension, volatile

    def test_plan(snapshot):
        assert plan == snapshot(extension_class=PlanSnapshotExtension)

    def test_plan_with_generated_ids(snapshot):
        ids = volatile(paths=("choices.*.commands.*.call_id",))
        assert plan == snapshot(extension_class=PlanSnapshotExtension, matcher=ids)

``volatile()`` is an ordinary syrupy property matcher (built on
``syrupy.matchers.path_type``): it replaces values that differ from run to run with
stable placeholders before the comparison, so it also works with syrupy's other
extensions and composes with ``syrupy.matchers.compose_matchers``.

This module imports syrupy (the extension subclasses syrupy's class); nothing else in the
kit imports it, so the pytest plugin and ``import kit`` stay light.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator
from typing import Any

from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode
from syrupy.matchers import compose_matchers, path_type

from kit.plan import canonical_json

__all__ = ["PlanSnapshotExtension", "volatile", "Volatile", "TIMESTAMP_KEYS", "serialize"]

#: The keys ``volatile()`` treats as timestamps by default (wherever they occur).
TIMESTAMP_KEYS: tuple[str, ...] = ("created", "created_at", "started", "timestamp")

_SURROGATE = re.compile("[\ud800-\udfff]")


def _is_replaceable(value: Any) -> bool:
    # Only scalar values are replaced: ``None`` (e.g. a call without an id) and ``False``
    # stay visible, and a container is never hidden behind one placeholder.
    return isinstance(value, (str, int, float)) and not isinstance(value, bool)


def _glob_to_regex(pattern: str) -> str:
    """A dotted path pattern as a regular expression over syrupy's dotted path string.

    ``*`` is one segment (a key or a list index), ``**`` any number of segments
    (also none); everything else is literal.
    """
    segments = pattern.split(".")
    if segments[-1] == "**":  # "a.**": a and everything under it
        head = segments[:-1]
        return (_glob_to_regex(".".join(head)) + r"(?:\..*)?") if head else ".*"
    out = ""
    for i, segment in enumerate(segments):
        last = i == len(segments) - 1
        if segment == "**":
            out += r"(?:[^.]+\.)*"
            continue
        out += "[^.]+" if segment == "*" else re.escape(segment)
        if not last:
            out += r"\."
    return out


class Volatile:
    """A syrupy property matcher (``matcher(data=..., path=...)``) made by :func:`volatile`.

    Numbering restarts whenever the matcher is called for the root of a document
    (``path == ()``), which every syrupy serializer does first, so one instance can be
    reused across assertions and each snapshot numbers its own values from 1.
    """

    def __init__(self, paths: Iterable[str] = (), *, keys: Iterable[str] = TIMESTAMP_KEYS,
                 regex: bool = False) -> None:
        if isinstance(paths, str) or isinstance(keys, str):
            raise TypeError("volatile(): paths and keys are collections of strings, not one string")
        self.paths = tuple(paths)
        self.keys = tuple(keys)
        self.regex = regex
        self._numbers: dict[str, dict[Any, int]] = {}
        matchers = []
        if self.paths:
            patterns = [p if regex else _glob_to_regex(p) for p in self.paths]
            matchers.append(path_type(dict.fromkeys(patterns, (str, int, float)), regex=True,
                                      strict=False, replacer=self._numbered))
        if self.keys:
            any_key = r"(?:[^.]+\.)*(?:" + "|".join(re.escape(k) for k in self.keys) + ")"
            matchers.append(path_type({any_key: (str, int, float)}, regex=True, strict=False,
                                      replacer=self._plain))
        self._matcher = compose_matchers(*matchers) if matchers else None

    def _numbered(self, data: Any, match: re.Match[str] | None) -> Any:
        if not _is_replaceable(data) or match is None:
            return data
        label = match.string.rsplit(".", 1)[-1]
        numbers = self._numbers.setdefault(label, {})
        # Keyed by type too: the id "1" and the number 1 are different values.
        number = numbers.setdefault((type(data), data), len(numbers) + 1)
        return f"<{label} {number}>"

    def _plain(self, data: Any, match: re.Match[str] | None) -> Any:
        if not _is_replaceable(data) or match is None:
            return data
        return f"<{match.string.rsplit('.', 1)[-1]}>"

    def __call__(self, *, data: Any, path: tuple[tuple[Any, Any], ...]) -> Any:
        if not path:
            self._numbers = {}
        if self._matcher is None:
            return data
        return self._matcher(data=data, path=path)

    def __repr__(self) -> str:
        return f"volatile(paths={self.paths!r}, keys={self.keys!r}, regex={self.regex!r})"


def volatile(paths: Iterable[str] = (), *, keys: Iterable[str] = TIMESTAMP_KEYS,
             regex: bool = False) -> Volatile:
    """A syrupy matcher that replaces values generated per run with stable placeholders.

    ``paths``: dotted path patterns (``*`` one segment, ``**`` any number; list items are
    their index) of **identifiers** an implementation generates, e.g. the tool call ids
    it makes up when the provider sent none: ``"choices.*.commands.*.call_id"``. Each
    distinct value becomes ``"<call_id 1>"``, ``"<call_id 2>"``, ... (named after the
    last key, numbered by first appearance in the snapshot's canonical order), so two
    places that carried the same id still carry the same placeholder and a mix-up of
    references is still caught. Opt-in: a Plan's call ids normally come from the
    provider and are part of what is checked. ``regex=True`` takes the patterns as
    regular expressions over the dotted path instead.

    ``keys``: key names whose values are **timestamps**, replaced wherever they occur by
    ``"<created>"`` etc. (not numbered: whether two timestamps are equal is itself up to
    the clock). Default :data:`TIMESTAMP_KEYS`; pass ``keys=()`` for none. Note that
    keys also match inside tool ``parameters``.

    Only strings and numbers are replaced; ``null``, booleans, objects and arrays stay
    as they are, so "no id at all" is still a difference.
    """
    return Volatile(paths, keys=keys, regex=regex)


def _event_types() -> tuple[type, ...]:
    from kit.events import EVENT_TYPES
    return tuple(EVENT_TYPES.values())


def _path_text(path: tuple[tuple[Any, Any], ...]) -> str:
    return ".".join(str(p) for p, _ in path) or "(the root)"


def _prepare(data: Any, path: tuple[tuple[Any, Any], ...], *, matcher: Any, include: Any,
             exclude: Any, events: tuple[type, ...], depth: int = 0) -> Any:
    """The JSON value to store: matcher applied to every node (root first, then object
    members in key order and array items in order), filters applied, types checked."""
    if isinstance(data, events):
        from kit.events import to_json
        data = to_json(data)
    if matcher is not None:
        data = matcher(data=data, path=path)
        if isinstance(data, events):
            from kit.events import to_json
            data = to_json(data)
    if depth > 200:
        raise ValueError(f"PlanSnapshotExtension: nesting deeper than 200 at {_path_text(path)}")
    if data is None or isinstance(data, (bool, int, str)):
        return data
    if isinstance(data, float):
        if not math.isfinite(data):
            raise ValueError(f"PlanSnapshotExtension: {data!r} at {_path_text(path)} is not a JSON number")
        return data
    if isinstance(data, dict):
        out = {}
        for key in data:
            if not isinstance(key, str):
                raise TypeError(f"PlanSnapshotExtension: object key {key!r} at {_path_text(path)} "
                                f"is a {type(key).__name__}; JSON object keys are strings")
        for key in sorted(data):
            if exclude is not None and exclude(prop=key, path=path):
                continue
            if include is not None and not include(prop=key, path=path):
                continue
            value = data[key]
            out[key] = _prepare(value, (*path, (key, type(value))), matcher=matcher, include=include,
                                exclude=exclude, events=events, depth=depth + 1)
        return out
    if isinstance(data, (list, tuple)):
        return [_prepare(value, (*path, (i, type(value))), matcher=matcher, include=include,
                         exclude=exclude, events=events, depth=depth + 1)
                for i, value in enumerate(data)]
    raise TypeError(f"PlanSnapshotExtension: {type(data).__name__} at {_path_text(path)} is not a JSON "
                    "value (a Plan document, kit.events tuples and plain JSON are supported)")


def serialize(data: Any, *, matcher: Any = None, include: Any = None, exclude: Any = None) -> str:
    """The snapshot text of a JSON value: the kit's canonical JSON, 2-space indent, one
    trailing newline. Raises ``TypeError``/``ValueError`` (naming the path) for values
    JSON cannot hold: non-string keys, NaN and infinities, other objects."""
    doc = _prepare(data, (), matcher=matcher, include=include, exclude=exclude, events=_event_types())
    text = canonical_json(doc, indent=2)
    # A lone surrogate (from a "\ud800" escape in the stream) cannot be written as
    # UTF-8: keep it as the JSON escape it came from, which reads back the same.
    text = _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return text + "\n"


def _differences(old: Any, new: Any, path: str = "") -> Iterator[str]:
    if type(old) is not type(new):
        yield path or "(the root)"
    elif isinstance(old, dict):
        for key in sorted(old.keys() | new.keys()):
            sub = f"{path}.{key}" if path else str(key)
            if key not in old or key not in new:
                yield sub
            else:
                yield from _differences(old[key], new[key], sub)
    elif isinstance(old, list):
        for i in range(max(len(old), len(new))):
            sub = f"{path}.{i}" if path else str(i)
            if i >= len(old) or i >= len(new):
                yield sub
            else:
                yield from _differences(old[i], new[i], sub)
    elif old != new:
        yield path or "(the root)"


class PlanSnapshotExtension(SingleFileSnapshotExtension):
    """syrupy extension: one canonical ``.json`` file per snapshot.

    Use it per assertion (``snapshot(extension_class=PlanSnapshotExtension)``), per
    fixture (``snapshot.use_extension(PlanSnapshotExtension)``), with syrupy's
    ``matcher=`` (e.g. :func:`volatile`), ``include=`` and ``exclude=`` filters. Files
    live in ``__snapshots__/<test file>/<test name>.json``; ``--snapshot-update`` writes
    them. A failing comparison first names the JSON paths that differ, then shows the
    line diff.
    """

    file_extension = "json"
    _write_mode = WriteMode.TEXT

    def serialize(self, data: Any, *, exclude: Any = None, include: Any = None,
                  matcher: Any = None) -> str:
        return serialize(data, matcher=matcher, include=include, exclude=exclude)

    @classmethod
    def write_snapshot_collection(cls, *, snapshot_collection: Any, name_order: Any = None) -> None:
        # Written as bytes, so the file ends lines with "\n" on every platform (text mode
        # would write "\r\n" on Windows); it is read back in text mode.
        snapshot = next(iter(snapshot_collection))
        if not isinstance(snapshot.data, str):
            raise TypeError(f"PlanSnapshotExtension writes text, got {type(snapshot.data).__name__}")
        with open(snapshot_collection.location, "wb") as f:
            f.write(snapshot.data.encode("utf-8"))

    def diff_lines(self, serialized_data: Any, snapshot_data: Any) -> Iterator[str]:
        if not snapshot_data:  # no file yet (an empty file is never a snapshot of ours)
            yield "run pytest with --snapshot-update to write it"
            yield from super().diff_lines(serialized_data, snapshot_data)
            return
        try:
            paths = list(_differences(json.loads(snapshot_data), json.loads(serialized_data)))
        except (TypeError, ValueError):
            paths = []
        if paths:
            shown = ", ".join(paths[:5]) + (f" and {len(paths) - 5} more" if len(paths) > 5 else "")
            yield f"differs at: {shown}"
        yield from super().diff_lines(serialized_data, snapshot_data)
