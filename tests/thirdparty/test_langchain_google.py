"""The LangChain Gemini chat model (``langchain-google-genai``): ``bind_tools``, ``stream``, add
the chunks up (kit matrix builds its environment, ``langchain_google``)."""

from __future__ import annotations

import pytest

pytest.importorskip("langchain_google_genai",
                    reason="langchain-google-genai is not installed (kit matrix builds its environment)")

from tests.thirdparty.smoke import verify  # noqa: E402

SPEC = "client[name=langchain-google-genai]:kit.adapters.thirdparty.langchain_models:google_genai"


def test_valid_streams_pass_with_made_up_ids_and_server_tools():
    traces = ["y_text_then_call", "y_parallel_calls_one_chunk", "y_thought_then_call", "y_code_execution_then_text",
              "y_google_search_grounding", "y_prompt_blocked"]
    records = verify(SPEC, traces, chunkings=("recorded", "bytewise"))
    # the wire's calls have no id and LangChain makes one up (uuid4): an id the stream never gave
    # is not graded; code execution blocks and the grounding metadata are the server tools; a
    # blocked prompt is an empty message whose response_metadata keeps the prompt feedback
    for (ident, chunking), r in records.items():
        assert r["verdict"] == "PASS", f"{ident} {chunking}: {r['message']}"


def test_the_first_candidate_of_each_chunk_is_taken():
    r = verify(SPEC, ["y_two_candidates"])[("y_two_candidates", "recorded")]
    # _stream yields generations[0] of every chunk: on a stream whose every chunk carries both
    # candidates in index order that is candidate 0, whole (a result of one choice, multi_choice=no)
    assert r["verdict"] == "PASS" and any("choice" in n for n in r["notes"]), r["message"]


def test_sse_crash_is_the_sdks_and_a_stream_error_is_raised():
    records = verify(SPEC, ["gemini/y_done_sentinel_appended", "n_error_resource_exhausted_midstream"])
    done = records[("gemini/y_done_sentinel_appended", "recorded")]
    assert done["verdict"] == "ERROR" and "UnknownApiResponseError" in done["message"]
    assert "_api_client.py" in done["message"]
    # LangChain turns the SDK's ClientError into its own GoogleRateLimitError
    error = records[("n_error_resource_exhausted_midstream", "recorded")]
    assert error["verdict"] == "PASS" and "RESOURCE_EXHAUSTED" in error["message"]
