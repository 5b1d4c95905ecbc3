"""The kit's exceptions.

One base class and a short tree, so callers can catch exactly what they mean::

    KitError
    ├── TraceError          an input file is missing or bad (carries file and JSON pointer)
    ├── UsageError          the caller misused the kit (unknown chunk plan, unknown API, ...)
    └── StreamError         the stream broke a rule the reference cannot tolerate
                            (carries rule id, state and position)

Diagnostics are not exceptions: the reference records a deviation and goes on
(see :class:`kit.rules.Diagnostic`). Exceptions are for the cases where there is
nothing sensible to go on with. Each class maps to a CLI exit code (``exit_code``).
The helpers at the end (:func:`missing`, :func:`unreadable`, :func:`not_json`,
:func:`read_json`, :func:`unwritable`) give every command the same words for the same
file problem.
"""

from __future__ import annotations


class KitError(Exception):
    """Base class of every error the kit raises on purpose."""

    exit_code = 1

    def one_line(self) -> str:
        """The message as one line, for the CLI."""
        return " ".join(str(self).split())


class UsageError(KitError):
    """The caller asked for something that does not exist or does not fit."""

    exit_code = 2


class TraceError(KitError):
    """An input file could not be loaded: a trace, a raw body, a recording, an expectations
    or repro file, matrix results (missing, unreadable, not JSON, against its schema)."""

    exit_code = 3

    def __init__(self, message: str, *, path: str | None = None, pointer: str | None = None):
        self.path = path
        self.pointer = pointer
        where = path or "<trace>"
        if pointer is not None:
            where += f" at {pointer or '/'}"
        super().__init__(f"{where}: {message}")


class StreamError(KitError):
    """The stream broke a rule so badly that the reference cannot go on."""

    exit_code = 4

    def __init__(self, message: str, *, rule: str, state: str | None = None, position: str | None = None):
        self.rule = rule
        self.state = state
        self.position = position
        parts = [message]
        if state:
            parts.append(f"(state {state})")
        if position:
            parts.append(f"at {position}")
        super().__init__(" ".join(parts) + f"; rule {rule}")


# -- the wording of file errors, one for every command ---------------------------------------
#
# Every command that reads a file (a trace, a raw body, a recording, an expectations or repro
# file, matrix results) says the same thing for the same problem, with exit code 3; every
# command that writes one says the same thing when it cannot, with exit code 2.


def missing(path: object, *, hint: str | None = None) -> TraceError:
    """``PATH: no such file or folder`` (exit 3)."""
    return TraceError("no such file or folder" + (f" ({hint})" if hint else ""), path=str(path))


def unreadable(path: object, exc: OSError) -> TraceError:
    """The error for an ``OSError`` raised while reading ``path`` (exit 3)."""
    if isinstance(exc, FileNotFoundError):
        return missing(path)
    if isinstance(exc, IsADirectoryError):
        return TraceError("is a folder, not a file", path=str(path))
    return TraceError(f"cannot read: {exc.strerror or exc}", path=str(path))


def not_json(path: object, exc: ValueError) -> TraceError:
    """The error for a file that is not JSON (exit 3): where the parser stopped, and why."""
    if isinstance(exc, UnicodeDecodeError):
        return TraceError("not UTF-8 text (a JSON file was expected)", path=str(path))
    lineno, colno, msg = getattr(exc, "lineno", None), getattr(exc, "colno", None), getattr(exc, "msg", str(exc))
    where = f" at line {lineno} column {colno}" if lineno is not None else ""
    return TraceError(f"invalid JSON{where}: {msg}", path=str(path))


def read_json(path: object) -> object:
    """The JSON document in the file ``path``; a missing, unreadable or non-JSON file raises
    :class:`TraceError` with the wording every command uses."""
    import json  # noqa: PLC0415

    try:
        with open(str(path), "rb") as f:
            raw = f.read()
    except OSError as exc:
        raise unreadable(path, exc) from None
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise not_json(path, exc) from None


def unwritable(path: object, exc: OSError) -> UsageError:
    """``PATH: cannot write: REASON`` (exit 2)."""
    return UsageError(f"{path}: cannot write: {exc.strerror or exc}")
