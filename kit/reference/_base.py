"""What the three reference machines share: diagnostics, the Plan, the ends of a stream.

Each machine feeds its own inputs through its own ``_input(kind, payload)`` (the move in
its stream-level transition table); this base only holds what does not depend on the
wire API.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..errors import StreamError
from ..plan import PlanBuilder
from ..rules import Diagnostic, diagnostic
from ..sse import SSEEvent

_loads = json.loads
_scan = json.JSONDecoder().scan_once  # the C scanner: json.loads without its wrappers
_JSONError = json.JSONDecodeError
BLOCK = 256  # fragments kept before they are joined: memory follows the text, not the event count
MAX_DEPTH = 500  # a payload nested deeper is not decoded (see `decode`)
# a JSON string or one bracket: what `_too_deep` counts nesting with
_NESTING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


class Undecodable(ValueError):
    """A data payload the reference cannot decode, valid JSON or not (``str(exc)`` says why)."""


def decode(data: str) -> Any:
    """``json.loads(data)``, faster for the common case of a bare JSON value.

    Raises :class:`Undecodable` (a ``ValueError``) for data that is not JSON, and for JSON
    that Python cannot hold: values nested more than ``MAX_DEPTH`` deep (they could not be
    shown or written out again from every stack) and integers of more than 4300 digits.
    The message is the decoder's own (``json.JSONDecodeError``) when the data is not JSON.
    """
    try:
        try:
            obj, end = _scan(data, 0)
        except StopIteration:
            end = -1
        if end != len(data):  # leading/trailing whitespace or an error: the full decoder decides
            obj = _loads(data)
    except _JSONError as exc:
        raise Undecodable(f"data is not JSON: {_shown(data)}") from exc
    except RecursionError:
        raise Undecodable(f"data nests deeper than {MAX_DEPTH} levels: {_shown(data)}") from None
    except ValueError as exc:  # valid JSON Python refuses: an integer of more than 4300 digits
        raise Undecodable(f"data holds JSON Python cannot decode ({str(exc).split(':')[0]}): {_shown(data)}") from None
    if len(data) > 2 * MAX_DEPTH and _too_deep(data):
        raise Undecodable(f"data nests deeper than {MAX_DEPTH} levels: {_shown(data)}")
    return obj


def _shown(data: str) -> str:
    return repr(data if len(data) <= 40 else data[:37] + "...")


def _too_deep(text: str) -> bool:
    """Whether the JSON ``text`` nests more than ``MAX_DEPTH`` arrays and objects."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return False
    depth = 0
    for m in _NESTING.finditer(text):
        c = m.group()
        if c == "[" or c == "{":
            depth += 1
            if depth > MAX_DEPTH:
                return True
        elif c == "]" or c == "}":
            depth -= 1
    return False


def _key(value: Any) -> Any:
    """A set key for ``value`` that never hashes a payload's list or object: scalars stand
    for themselves, tuples are keyed item by item, anything else by its type name."""
    t = type(value)
    if value is None or t is str or t is int or t is bool or t is float:
        return value
    if t is tuple:
        return tuple(_key(v) for v in value)
    return f"<{t.__name__}>"


class Machine:
    api: str
    closed_state = "CLOSED"
    sentinel_input = "sentinel"  # the input `data: [DONE]` is, in the stream table

    def __init__(self, *, profile: str = "lenient") -> None:
        self.profile = profile
        self.diagnostics: list[Diagnostic] = []
        self._builder = PlanBuilder(self.api)
        self._noted: set = set()
        self._event: int | None = None
        self._offset: int | None = None

    def _input(self, kind: str, payload: Any) -> list[Any]:  # pragma: no cover - each machine has one
        raise NotImplementedError

    def _step(self, table: dict, kind: str, closed_rule: str) -> tuple[str, str | None]:
        """Take the stream-level move for ``kind``: ``(previous state, rule to report)``.
        Input after ``close()`` is the caller's error, not the stream's."""
        try:
            nxt, rule = table[(self.state, kind)]  # type: ignore[attr-defined]
        except KeyError:
            raise StreamError(f"{kind} after the stream was closed", rule=closed_rule,
                              state=self.state) from None  # type: ignore[attr-defined]
        prev, self.state = self.state, nxt  # type: ignore[attr-defined]
        return prev, rule

    def _emit(self, out: list[Any]) -> list[Any]:
        """Add the output events to the Plan and hand them to the caller."""
        add = self._builder.add
        for e in out:
            add(e)
        return out

    def feed_done(self, *, event: int | None = None, offset: int | None = None) -> list[Any]:
        """The ``data: [DONE]`` sentinel."""
        self._event, self._offset = event, offset
        return self._input(self.sentinel_input, None)

    def stray(self, lines: list[bytes]) -> list[Any]:
        """The lines of the stream that were no SSE field (the decoder ignored and reported them),
        given once, before :meth:`close`: a wire API whose provider sends some payload that way
        reads it here. None does by default."""
        return []

    def close(self, stray: Any = ()) -> list[Any]:
        """End of stream. ``stray``: the decoder's lines that were no SSE field
        (:attr:`kit.sse.SSEDecoder.stray`), read first by :meth:`stray`."""
        if self.state == self.closed_state:  # type: ignore[attr-defined]
            return []
        out = self.stray(list(stray)) if stray else []
        self._event, self._offset = None, None
        return out + self._input("close", None)

    def plan(self) -> dict[str, Any]:
        """The Plan of everything fed so far."""
        return self._builder.plan()

    def _feed_typed(self, sse: SSEEvent, name_rule: str) -> list[Any]:
        """An SSE event whose data is a ``{"type": ...}`` object (Responses, Anthropic)."""
        self._event, self._offset = sse.index, sse.offset
        data = sse.data
        if data.strip() == "[DONE]":
            return self._input(self.sentinel_input, None)
        try:
            obj = decode(data)
        except Undecodable as exc:
            return self._input("invalid", str(exc))
        if type(obj) is not dict or type(obj.get("type")) is not str:
            return self._input("invalid", "payload is not an object with a string `type`")
        if sse.event == obj["type"]:
            pass
        elif sse.event == "message":
            self._once(name_rule, None, "events without `event:` lines; routed by payload type")
        elif sse.event != obj["type"]:
            self._once(name_rule, (sse.event, obj["type"]),
                       f"SSE event name {sse.event!r} but payload type {obj['type']!r}; routed by type")
        return self.feed_json(obj, event=sse.index, offset=sse.offset)  # type: ignore[attr-defined]

    def _note(self, rule: str, message: str, *, state: str | None = None) -> None:
        self.diagnostics.append(diagnostic(rule, message, profile=self.profile, event=self._event,
                                           offset=self._offset, state=state))

    def _once(self, rule: str, key: Any, message: str) -> None:
        """Note ``rule`` once per ``key``. The key may carry values from the payload, of any
        JSON type: lists and objects are keyed by their type (see :func:`_key`)."""
        k = (rule, _key(key))
        if k not in self._noted:
            self._noted.add(k)
            self._note(rule, message)
