"""litellm's Gemini provider (``model="gemini/..."``): its conversion of Gemini payloads to OpenAI-style chunks."""

from __future__ import annotations

import pytest

pytest.importorskip("litellm", reason="litellm is not installed (kit matrix builds its environment)")

from tests.thirdparty.smoke import difference, verdicts, verify  # noqa: E402

ADAPTER = "client:kit.adapters.thirdparty.litellm_client:gemini_stream"


def test_whole_calls_pass_with_the_wire_id_read_out_of_litellms_signature_id_and_grounding_is_a_server_tool():
    ids = ["y_text_then_call", "y_parallel_calls_one_chunk", "y_call_with_id", "y_google_search_grounding"]
    records = verify(ADAPTER, ids)
    for ident, verdict in verdicts(records).items():
        assert verdict == "PASS", (ident, records[(ident, "recorded")]["message"])
    # y_call_with_id: the wire's id once the thoughtSignature litellm appends to it (``__thought__``) is cut off, as
    # litellm cuts it when it sends the call back; y_google_search_grounding: the grounding litellm copies onto the
    # built response (vertex_ai_grounding_metadata) is the google_search server tool

def test_a_call_without_args_crashes_and_code_execution_is_lost():
    records = verify(ADAPTER, ["y_call_no_args", "y_code_execution_then_text"])
    # _transform_parts reads part["functionCall"]["args"]; args is optional on the wire
    crash = records[("y_call_no_args", "recorded")]
    assert crash["verdict"] == "ERROR" and "'args'" in crash["message"], crash["message"]
    lost = records[("y_code_execution_then_text", "recorded")]
    assert lost["verdict"] == "FAIL"
    assert difference(lost, "server_tools[0]")["expected"]["type"] == "code_execution"


def test_a_cut_stream_comes_back_as_a_normal_stop_and_streamed_arguments_are_skip():
    records = verify(ADAPTER, ["n_truncated_mid_text", "y_streamed_args_string_split"])
    cut = records[("n_truncated_mid_text", "recorded")]
    assert cut["verdict"] == "FAIL" and cut["rule"] == "plan-fault-reported", cut["message"]
    assert difference(cut, "finish_reason")["actual"] == "stop"
    got = verdicts(records)
    streamed = records[("y_streamed_args_string_split", "recorded")]
    assert got["y_streamed_args_string_split"] == "SKIP", streamed["message"]
