"""toolstream-kit: deterministic replay and conformance for streamed LLM tool calls.

The public API is what ``__all__`` lists; everything else may change. Names are imported
on first use (PEP 562), so ``import kit`` and the pytest plugin cost next to nothing in
a test run that does not use them.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    "KitError": "errors", "StreamError": "errors", "TraceError": "errors", "UsageError": "errors",
    "TextDelta": "events", "ToolCallStarted": "events", "ToolCallArgumentsDelta": "events",
    "ToolCallDone": "events", "RefusalDelta": "events", "ReasoningDelta": "events", "ServerTool": "events",
    "Usage": "events", "Error": "events", "MessageDone": "events",
    "PlanBuilder": "plan", "build_plan": "plan", "canonical_json": "plan", "parse_arguments": "plan",
    "ChatReference": "reference", "ResponsesReference": "reference", "AnthropicReference": "reference",
    "GeminiReference": "reference", "reference_for": "reference",
    "Replay": "replay", "replay": "replay", "replay_reads": "replay",
    "RULES": "rules", "Rule": "rules", "Diagnostic": "rules",
    "SSEDecoder": "sse", "SSEEvent": "sse",
    "Trace": "trace", "chunk": "trace", "corpus": "trace", "load": "trace",
    "assert_conforms": "testing", "cases": "testing",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'kit' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # the next access is a plain lookup
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


class _Kit(types.ModuleType):
    """``kit.replay`` is the function, as it was when this package imported it eagerly:
    importing the submodule of the same name must not replace it."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _EXPORTS and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Kit
