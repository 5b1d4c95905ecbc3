"""The google-genai SDK's ``generate_content_stream`` adapter (kit matrix builds its environment)."""

from __future__ import annotations

import pytest

pytest.importorskip("google.genai", reason="google-genai is not installed (kit matrix builds its environment)")

from tests.thirdparty.smoke import verdicts, verify  # noqa: E402

SPEC = "client[name=google-genai-stream]:kit.adapters.thirdparty.google_genai:generate_content_stream"


def test_valid_streams_pass_with_calls_candidates_and_server_tools():
    traces = ["y_text_then_call", "y_parallel_calls_one_chunk", "y_thought_then_call", "y_two_candidates",
              "y_code_execution_then_text", "y_google_search_grounding", "y_prompt_blocked"]
    records = verify(SPEC, traces, chunkings=("recorded", "bytewise"))
    # among them: several functionCall parts in one chunk (each its own call), two candidates
    # kept apart by index, code execution parts and Google Search grounding as server tools, a
    # blocked prompt (prompt_feedback.block_reason, no candidate) as a content_filter finish
    for (ident, chunking), r in records.items():
        assert r["verdict"] == "PASS", f"{ident} {chunking}: {r['message']}"


def test_an_error_payload_is_raised_and_a_sentinel_is_a_crash_of_its_sse_reader():
    records = verify(SPEC, ["n_error_resource_exhausted_midstream", "gemini/y_done_sentinel_appended",
                            "n_truncated_mid_text"])
    got = verdicts(records)
    # BaseApiClient.request_streamed raises APIError for a payload that starts {"error":
    error = records[("n_error_resource_exhausted_midstream", "recorded")]
    assert got["n_error_resource_exhausted_midstream"] == "PASS" and "429" in error["message"]
    assert error["check"] == "fault-reported"
    # every data payload goes to json.loads: `[DONE]` is an UnknownApiResponseError
    done = records[("gemini/y_done_sentinel_appended", "recorded")]
    assert done["verdict"] == "ERROR" and "UnknownApiResponseError" in done["message"]
    assert "_api_client.py" in done["message"]
    # a stream cut before any finishReason is not raised, but its chunks never carry a finish:
    # the plan is the reference's (finish null), not a complete one
    assert got["n_truncated_mid_text"] == "PASS", records[("n_truncated_mid_text", "recorded")]["message"]


def test_streamed_arguments_are_a_kind_of_call_it_cannot_request():
    r = verify(SPEC, ["y_streamed_args_string_split"])[("y_streamed_args_string_split", "recorded")]
    assert r["verdict"] == "SKIP" and "functionCall:streamed" in r["message"]
