"""The Vercel AI SDK rows: streamText with @ai-sdk/openai (chat, responses) and @ai-sdk/anthropic.

The environment and registration tests need neither node nor npm. The program tests build the
node_ai environment where node and npm are present (`kit matrix build node_ai`, npm ci from the
lockfile; skipped with the reason otherwise) and grade a few traces per wire API with the
registered worker specs.
"""

from __future__ import annotations

import pytest

from kit.adapters import load_adapter
from kit.adapters.thirdparty import ADAPTERS, by_name

from .node_rows import ROOT, built, check_pinned, said, verify_row

ENV = "node_ai"
ROWS = {"vercel-ai-openai-chat": ("openai.chat.completions", "npm:@ai-sdk/openai"),
        "vercel-ai-openai-responses": ("openai.responses", "npm:@ai-sdk/openai"),
        "vercel-ai-anthropic": ("anthropic.messages", "npm:@ai-sdk/anthropic")}


# -- the environment and the rows, as committed ---------------------------------------------------------------


def test_the_ai_sdk_environment_is_pinned_exactly_by_its_lockfile():
    # every locked package runs on Node 20 (the newest AI SDK line that does: ai 7 needs Node 22)
    check_pinned(ENV, ("ai", "@ai-sdk/openai", "@ai-sdk/anthropic"))


@pytest.mark.parametrize("name", sorted(ROWS))
def test_the_row_runs_the_ai_sdk_program_in_its_environment(name):
    api, distribution = ROWS[name]
    row = by_name()[name]
    assert (row.env, row.distribution, row.library) == (ENV, distribution, "Vercel AI SDK")
    assert row.sits_on == ()  # the provider packages parse the stream themselves (no SDK beneath)
    assert row.spec.startswith("http[worker=yes,") and f"name={name}" in row.spec
    assert row.spec.split("kit.adapters.node ", 1)[1].split() == ["ai_sdk", "--worker"]
    from kit.adapters.node import PROGRAMS

    assert PROGRAMS["ai_sdk"] == ENV and (ROOT / "kit" / "adapters" / "node" / "ai_sdk.mjs").is_file()
    assert load_adapter(row.spec).capabilities.apis == (api,)
    names = [a.name for a in ADAPTERS]
    assert names.index(name) > names.index("openai-node-chat")  # with the JavaScript rows


def test_the_rows_declare_what_streamtext_results_can_express():
    chat, responses, anthropic = (load_adapter(by_name()[n].spec).capabilities for n in
                                  ("vercel-ai-openai-chat", "vercel-ai-openai-responses", "vercel-ai-anthropic"))
    for caps in (chat, responses, anthropic):
        # a tool-call part has no status; an invalid call keeps its raw input text
        assert not caps.multi_choice and not caps.marks_undispatched and caps.holds_invalid_arguments
    # Chat: one text part for the whole stream, calls emitted at its end
    assert not chat.ordered and responses.ordered and anthropic.ordered
    assert chat.refusal_as_text and responses.refusal_as_text and not anthropic.refusal_as_text
    # provider-executed tools carry the SDK's own names, not the wire's item and block types
    assert responses.omits == ("server_tools",) and anthropic.omits == ("server_tools",) and chat.omits == ()
    assert responses.call_types == ("function_call", "custom_tool_call", "tool_search_call")
    assert anthropic.call_types is None


# -- the program, against the replay server --------------------------------------------------------------------


def _verify(name: str, *traces: str) -> dict[str, dict]:
    """kit verify of the registered row on these traces (recorded plan): the verdict record by trace."""
    env = built(ENV, ("ai", "@ai-sdk/openai", "@ai-sdk/anthropic"))
    return verify_row(name, env, ROWS[name][0], traces)


def test_chat_passes_text_calls_refusal_and_a_reported_error():
    got = _verify("vercel-ai-openai-chat", "y_text_then_tool_call", "y_parallel_calls", "y_refusal",
                  "y_whole_call_with_finish_same_chunk", "n_truncated_mid_arguments", "n_error_event_no_finish",
                  "y_all_calls_index_zero_streamed", "y_choice_index_missing")
    for t in ("y_text_then_tool_call", "y_parallel_calls", "y_refusal", "y_whole_call_with_finish_same_chunk",
              "n_truncated_mid_arguments", "n_error_event_no_finish"):
        assert got[t]["verdict"] == "PASS", (t, said(got[t]))
    # an error event before any output: the provider raises it, streamText hands it over as an error
    # part, the program throws it: the library's answer, with the frame that raised it
    error = got["n_error_event_no_finish"]
    assert error["check"] == "fault-reported" and "AI_APICallError" in error["message"], said(error)
    assert "(at index.mjs:" in error["message"] and "createOpenAIStreamError" in error["message"]
    # two calls at index 0: the second call's argument fragments (index 0, no id) are dropped as
    # ambiguous, and the call is returned with {} (data lost)
    merged = got["y_all_calls_index_zero_streamed"]
    assert merged["verdict"] == "FAIL", said(merged)
    assert any(d["field"] == "parameters" and d["actual"] == {} and d["expected"] == {"path": "docs/guides"}
               for d in merged["differences"]), merged["differences"]
    # a relay's chunks without a choice index fail the provider's chunk schema: an error part on a
    # valid stream, a crash
    crash = got["y_choice_index_missing"]
    assert crash["verdict"] == "ERROR" and crash["check"] == "crash", said(crash)
    assert "ZodError" in crash["message"] and '"index"' in crash["message"]


def test_responses_passes_items_in_order_and_skips_what_it_cannot_request():
    got = _verify("vercel-ai-openai-responses", "y_text_then_function_call", "y_parallel_function_calls",
                  "y_custom_tool_call", "y_web_search_with_citations", "y_refusal", "n_response_failed",
                  "y_computer_call", "y_item_done_missing")
    for t in ("y_text_then_function_call", "y_parallel_function_calls", "y_custom_tool_call",
              "y_web_search_with_citations", "y_refusal", "n_response_failed"):
        assert got[t]["verdict"] == "PASS", (t, said(got[t]))
    assert got["y_computer_call"]["verdict"] == "SKIP" and "computer_call" in got["y_computer_call"]["message"]
    # a converter that sends no .done events: the call never becomes a tool-call part (lost), and the
    # finish says stop
    lost = got["y_item_done_missing"]
    assert lost["verdict"] == "FAIL", said(lost)
    fields = {d["field"]: d for d in lost["differences"]}
    assert fields["do"]["actual"] is None and fields["finish_reason"]["actual"] == "stop", lost["differences"]


def test_anthropic_passes_blocks_and_crashes_on_an_unknown_block():
    got = _verify("vercel-ai-anthropic", "y_text_then_tool_use", "y_parallel_tool_use", "y_thinking_then_tool_use",
                  "y_web_search_citations", "y_usage_cumulative", "n_overloaded_error_mid_tool_input",
                  "y_unknown_block_and_event_types")
    for t in ("y_text_then_tool_use", "y_parallel_tool_use", "y_thinking_then_tool_use", "y_web_search_citations",
              "y_usage_cumulative", "n_overloaded_error_mid_tool_input"):
        assert got[t]["verdict"] == "PASS", (t, said(got[t]))
    # a content block of a type the chunk schema does not list: an error part on a valid stream
    crash = got["y_unknown_block_and_event_types"]
    assert crash["verdict"] == "ERROR" and "ZodError" in crash["message"] and "progress_note" in crash["message"]


def test_responses_reads_a_provider_executed_result_and_a_client_tool_search():
    # a hosted shell is requested by declaring the shell tool, which the row does not (its call_types):
    # SKIP, whoever runs the call; a server tool search is passed on as a provider-executed result
    got = _verify("vercel-ai-openai-responses", "y_hosted_shell_call", "y_tool_search_server_then_call",
                  "y_xai_x_search_as_custom_calls", "y_tool_search_client")
    assert got["y_hosted_shell_call"]["verdict"] == "SKIP" and "shell_call" in got["y_hosted_shell_call"]["message"]
    assert got["y_tool_search_server_then_call"]["verdict"] == "PASS", said(got["y_tool_search_server_then_call"])
    # the OpenAI provider's result keeps no item type: a custom call naming no declared tool (xAI's X search)
    # is an invalid call like any undeclared one, a DO
    lost = got["y_xai_x_search_as_custom_calls"]
    assert lost["verdict"] == "FAIL" and lost["rule"] == "resp-custom-call-undeclared", said(lost)
    # a client tool search (declared as the provider's tool search tool run by the client): its arguments
    assert got["y_tool_search_client"]["verdict"] == "PASS", said(got["y_tool_search_client"])
