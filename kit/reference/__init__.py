"""Reference accumulators, one pure state machine per wire API."""

from __future__ import annotations

from ..errors import UsageError
from .anthropic import AnthropicReference
from .chat import ChatReference
from .gemini import GeminiReference
from .responses import ResponsesReference

__all__ = ["AnthropicReference", "ChatReference", "GeminiReference", "ResponsesReference", "REFERENCES", "reference_for"]

REFERENCES = {
    ChatReference.api: ChatReference,
    ResponsesReference.api: ResponsesReference,
    AnthropicReference.api: AnthropicReference,
    GeminiReference.api: GeminiReference,
}


def reference_for(api: str, *, profile: str = "lenient"):
    """A fresh reference machine for ``api``."""
    try:
        cls = REFERENCES[api]
    except KeyError:
        known = ", ".join(sorted(REFERENCES))
        raise UsageError(f"no reference accumulator for {api!r} yet (have: {known})") from None
    if profile not in ("lenient", "strict"):
        raise UsageError(f"unknown profile {profile!r}; expected lenient or strict")
    return cls(profile=profile)
