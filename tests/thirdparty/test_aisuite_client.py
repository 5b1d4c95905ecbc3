"""aisuite: client.chat.completions.create(stream=True), chunks assembled as the README asks."""

from __future__ import annotations

import pytest

pytest.importorskip("aisuite", reason="aisuite is not installed (kit matrix builds its environment)")

from tests.thirdparty.smoke import verdicts, verify  # noqa: E402

MODULE = "kit.adapters.thirdparty.aisuite_client"
CHAT = f"client[name=aisuite-openai]:{MODULE}:chat_stream"
ANTHROPIC = f"client[name=aisuite-anthropic]:{MODULE}:anthropic_stream"


def test_openai_passthrough_chunks_assemble():
    records = verify(CHAT, ["y_text_then_tool_call", "y_parallel_calls", "y_usage_only_final_chunk"])
    assert set(verdicts(records).values()) == {"PASS"}, records


def test_anthropic_conversion_passes_and_its_stop_and_usage_gaps():
    records = verify(ANTHROPIC, ["y_text_then_tool_use", "y_parallel_tool_use", "y_model_context_window_exceeded",
                                 "y_usage_input_in_message_delta"])
    assert records[("y_text_then_tool_use", "recorded")]["verdict"] == "PASS"
    assert records[("y_parallel_tool_use", "recorded")]["verdict"] == "PASS"
    # only end_turn / max_tokens / tool_use are mapped; everything else becomes "stop"
    r = records[("y_model_context_window_exceeded", "recorded")]
    assert r["verdict"] == "FAIL" and r["path"].endswith("finish_reason") and r["actual"] == "stop"
    # prompt tokens come from message_start only; input_tokens sent in message_delta are ignored
    r = records[("y_usage_input_in_message_delta", "recorded")]
    assert r["verdict"] == "FAIL" and r["path"] == "usage.input_tokens" and r["actual"] == 0
