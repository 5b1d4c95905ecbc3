"""LangChain.js rows of the matrix (kit/adapters/node/langchain.mjs, environment matrix/envs/node_langchain/).

The environment and registration tests need neither node nor npm. The grading tests run the three rows
from the clone's built environment (`kit matrix build node_langchain`, built here with npm ci when node
and npm are present) on a few traces each, with the recorded chunk plan, and skip with the reason where
node is not on PATH or the environment cannot be built.
"""

from __future__ import annotations

from kit.adapters.thirdparty import by_name

from .node_rows import ROOT, built, check_pinned, verify_row

ROWS = {"chat": "langchain-js-openai-chat", "responses": "langchain-js-openai-responses",
        "anthropic": "langchain-js-anthropic"}
PACKAGES = ("@langchain/core", "@langchain/openai", "@langchain/anthropic")


# -- the environment, as committed ----------------------------------------------------------------------------


def test_the_langchain_environment_is_pinned_exactly_by_its_lockfile():
    env = check_pinned("node_langchain", PACKAGES)
    assert {r.rsplit("@", 1)[0] for r in env.requirements} == set(PACKAGES)


def test_the_rows_are_registered_with_the_langchain_program():
    rows = by_name()
    for api, name in ROWS.items():
        row = rows[name]
        assert row.env == "node_langchain" and row.library == "LangChain.js"
        assert row.spec.startswith("http[worker=yes,") and f"apis={api}," in row.spec and f"name={name}]" in row.spec
        program = row.http.split("kit.adapters.node ", 1)[1].split()[0]
        assert program == "langchain" and (ROOT / "kit" / "adapters" / "node" / "langchain.mjs").is_file()
    assert rows["langchain-js-openai-chat"].distribution == "npm:@langchain/openai"
    assert rows["langchain-js-anthropic"].distribution == "npm:@langchain/anthropic"
    # the SDKs the rows read the stream through, by their rows' distributions
    assert rows["langchain-js-openai-responses"].sits_on == ("npm:openai",)
    assert rows["langchain-js-anthropic"].sits_on == ("npm:@anthropic-ai/sdk",)
    # text and calls are apart on the OpenAI APIs (content string / text blocks beside tool_calls)
    assert "ordered=no" in rows["langchain-js-openai-chat"].spec
    assert "ordered=no" in rows["langchain-js-openai-responses"].spec
    assert "ordered=yes" in rows["langchain-js-anthropic"].spec


# -- the program, against the replay server --------------------------------------------------------------------


def _verify(api: str, *traces: str) -> dict[str, dict]:
    """kit verify of the registered row of `api` on these traces (recorded plan): the verdict records by trace.
    Validated as any program's output: a finish reason outside the Plan's vocabulary (LangChain's concatenated
    "tool_callsstop") is the library's answer, graded, not a protocol error of the program."""
    return verify_row(ROWS[api], built("node_langchain", PACKAGES), api, traces)


def test_chat_passes_text_and_calls_and_a_concatenated_finish_reason_is_a_failure():
    got = _verify("chat", "y_text_only", "y_text_then_tool_call", "y_parallel_calls", "y_two_finish_reasons")
    for t in ("y_text_only", "y_text_then_tool_call", "y_parallel_calls"):
        assert got[t]["verdict"] == "PASS", got[t]["message"]
    # two finish_reason chunks: AIMessageChunk.concat joins the strings of response_metadata
    bad = got["y_two_finish_reasons"]
    assert bad["verdict"] == "FAIL" and bad["path"] == "choices[0].finish_reason"
    assert bad["actual"] == "tool_callsstop", bad["message"]


def test_responses_passes_custom_and_computer_calls_and_crashes_with_the_frame_that_raised():
    got = _verify("responses", "y_custom_tool_call", "y_computer_call", "y_completed_output_null",
                  "n_response_failed")
    for t in ("y_custom_tool_call", "y_computer_call"):
        assert got[t]["verdict"] == "PASS", got[t]["message"]
    crash = got["y_completed_output_null"]
    assert crash["verdict"] == "ERROR" and crash["check"] == "crash"
    assert "TypeError:" in crash["message"] and "(at responses.js:" in crash["message"]
    assert "convertResponsesMessageToAIMessage" in crash["message"]
    # response.failed is passed over: no error and no finish, a broken stream accepted silently
    failed = got["n_response_failed"]
    assert failed["verdict"] == "FAIL" and failed["path"] == "choices[0].finish_reason"
    assert failed["expected"] == "error" and failed["actual"] is None


def test_anthropic_passes_a_tool_call_and_over_counts_output_tokens():
    got = _verify("anthropic", "y_tool_use_start_without_input", "y_text_only")
    assert got["y_tool_use_start_without_input"]["verdict"] == "PASS", got["y_tool_use_start_without_input"]["message"]
    # message_start's output_tokens (3) is added to message_delta's cumulative count (27)
    bad = got["y_text_only"]
    assert bad["verdict"] == "FAIL" and bad["path"] == "usage.output_tokens"
    assert (bad["expected"], bad["actual"]) == (27, 30), bad["message"]
    assert [d["field"] for d in bad["differences"]] == ["usage"]


def test_responses_reads_who_runs_a_call_from_the_items_langchain_keeps():
    # tool_outputs and response_metadata keep the raw items and the response's tools: a hosted shell call and
    # xAI's undeclared custom calls are server tools, a client tool search a DO, a local shell call a DO
    traces = ("y_tool_search_client", "y_tool_search_server_then_call", "y_hosted_shell_call", "y_shell_call_local",
              "y_xai_x_search_as_custom_calls", "y_mcp_approval_request")
    got = _verify("responses", *traces)
    for t in traces:
        assert got[t]["verdict"] == "PASS", (t, got[t]["message"])
