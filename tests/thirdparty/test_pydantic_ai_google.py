"""pydantic-ai's ``GoogleModel`` (Gemini API, on google-genai) through the direct streamed model request."""

from __future__ import annotations

import pytest

pytest.importorskip("pydantic_ai.models.google",
                    reason="pydantic-ai with its google extra (google-genai) is not installed (kit matrix builds its "
                           "environment)")

from tests.thirdparty.smoke import verdicts, verify  # noqa: E402

ADAPTER = "client:kit.adapters.thirdparty.pydantic_ai_direct:google"


def test_whole_calls_text_thoughts_and_server_tools_pass_and_made_up_ids_are_not_graded():
    ids = ["y_text_then_call", "y_parallel_calls_one_chunk", "y_calls_successive_chunks", "y_thought_then_call",
           "y_call_with_id", "y_call_no_args", "y_code_execution_then_text", "y_google_search_grounding"]
    records = verify(ADAPTER, ids)
    for ident, verdict in verdicts(records).items():
        assert verdict == "PASS", (ident, records[(ident, "recorded")]["message"])
    # y_parallel_calls_one_chunk: no functionCall.id on the wire, and pydantic-ai makes one up for each ToolCallPart
    # (not graded); y_call_with_id: the wire's ids, kept (a made-up one there is a difference); the code execution
    # and web_search native tool parts are the Plan's code_execution, code_execution_result and google_search

def test_a_file_data_part_is_an_assertion_and_the_first_candidate_is_taken():
    records = verify(ADAPTER, ["y_unknown_parts_and_fields", "y_two_candidates"])
    # GeminiStreamedResponse._map_part asserts that a part it has no branch for is a function_response
    crash = records[("y_unknown_parts_and_fields", "recorded")]
    assert crash["verdict"] == "ERROR" and "AssertionError: Unexpected part" in crash["message"], crash["message"]
    assert "file_data=FileData" in crash["message"]
    # candidates[0] of each payload: on a stream whose every chunk carries both candidates in index order that is
    # candidate 0, whole (a result of one choice, multi_choice=no)
    one = records[("y_two_candidates", "recorded")]
    assert one["verdict"] == "PASS" and any("choice" in n for n in one["notes"]), one["message"]


def test_streamed_arguments_are_skip_and_a_cut_stream_has_no_finish():
    records = verify(ADAPTER, ["y_streamed_args_string_split", "n_truncated_mid_text",
                               "n_error_resource_exhausted_midstream"])
    got = verdicts(records)
    # GoogleModel cannot request streamFunctionCallArguments: the row declares call_types=("functionCall",)
    streamed = records[("y_streamed_args_string_split", "recorded")]
    assert got["y_streamed_args_string_split"] == "SKIP", streamed["message"]
    assert got["n_truncated_mid_text"] == "PASS", records[("n_truncated_mid_text", "recorded")]["message"]
    error = records[("n_error_resource_exhausted_midstream", "recorded")]
    assert error["verdict"] == "PASS" and "ModelRateLimitError" in error["message"], error["message"]
