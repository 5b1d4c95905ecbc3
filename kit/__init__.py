"""toolstream-kit: deterministic replay and conformance for streamed LLM tool calls.

The public API is what ``__all__`` lists; everything else may change.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .errors import KitError, StreamError, TraceError, UsageError
from .events import (
    Error, MessageDone, ReasoningDelta, RefusalDelta, ServerTool, TextDelta, ToolCallArgumentsDelta, ToolCallDone,
    ToolCallStarted, Usage,
)
from .plan import PlanBuilder, build_plan, canonical_json, parse_arguments
from .reference import AnthropicReference, ChatReference, ResponsesReference, reference_for
from .replay import Replay, replay, replay_reads
from .rules import RULES, Diagnostic, Rule
from .sse import SSEDecoder, SSEEvent
from .trace import Trace, chunk, corpus, load

__all__ = [
    "__version__",
    "KitError", "StreamError", "TraceError", "UsageError",
    "TextDelta", "ToolCallStarted", "ToolCallArgumentsDelta", "ToolCallDone", "RefusalDelta",
    "ReasoningDelta", "ServerTool", "Usage", "Error", "MessageDone",
    "PlanBuilder", "build_plan", "canonical_json", "parse_arguments",
    "ChatReference", "ResponsesReference", "AnthropicReference", "reference_for",
    "Replay", "replay", "replay_reads",
    "RULES", "Rule", "Diagnostic",
    "SSEDecoder", "SSEEvent",
    "Trace", "chunk", "corpus", "load",
]
