"""The kit's exceptions.

One base class and a short tree, so callers can catch exactly what they mean::

    KitError
    ├── TraceError          the trace file is bad (carries file and JSON pointer)
    ├── UsageError          the caller misused the kit (unknown chunk plan, unknown API, ...)
    └── StreamError         the stream broke a rule the reference cannot tolerate
                            (carries rule id, state and position)

Diagnostics are not exceptions: the reference records a deviation and goes on
(see :class:`kit.rules.Diagnostic`). Exceptions are for the cases where there is
nothing sensible to go on with. Each class maps to a CLI exit code (``exit_code``).
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
    """A trace file (or raw body) could not be loaded."""

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
