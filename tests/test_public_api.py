"""The public surface is pinned, and `import kit` stays light."""

from __future__ import annotations

import subprocess
import sys

import kit

EXPECTED = {
    "__version__", "KitError", "StreamError", "TraceError", "UsageError",
    "TextDelta", "ToolCallStarted", "ToolCallArgumentsDelta", "ToolCallDone", "RefusalDelta", "ReasoningDelta",
    "ServerTool", "Usage", "Error", "MessageDone", "PlanBuilder", "build_plan", "canonical_json", "parse_arguments",
    "ChatReference", "ResponsesReference", "AnthropicReference", "GeminiReference", "reference_for", "Replay", "replay", "replay_reads", "RULES", "Rule", "Diagnostic",
    "SSEDecoder", "SSEEvent", "Trace", "chunk", "corpus", "load", "assert_conforms", "cases",
}


def test_exported_members():
    assert set(kit.__all__) == EXPECTED
    for name in kit.__all__:
        assert hasattr(kit, name), name


def test_import_kit_is_light():
    code = ("import sys, kit; heavy = [m for m in ('click', 'jsonschema', 'openai', 'pytest', 'hypothesis', 'httpx') "
            "if m in sys.modules]; print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""
