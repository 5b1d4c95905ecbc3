"""The JavaScript SDK rows: openai-node's Responses stream and the Anthropic TypeScript SDK's MessageStream.

The environment and registration tests need neither node nor npm. The program tests build the
row's environment where node and npm are present (`kit matrix build`, npm ci from the lockfile;
skipped with the reason otherwise) and grade a few traces with the registered worker spec.
"""

from __future__ import annotations

import pytest

from kit import matrix
from kit.adapters import load_adapter
from kit.adapters.thirdparty import ADAPTERS, by_name

from .node_rows import ROOT, built, check_pinned, said, verify_row

ROWS = {"openai-node-responses": ("node_openai", "npm:openai", "openai_responses", "openai"),
        "anthropic-node-messages": ("node_anthropic", "npm:@anthropic-ai/sdk", "anthropic_messages", "@anthropic-ai/sdk")}


# -- the environment and the rows, as committed ---------------------------------------------------------------


def test_the_anthropic_environment_is_pinned_exactly_by_its_lockfile():
    check_pinned("node_anthropic", ("@anthropic-ai/sdk",))


@pytest.mark.parametrize("name", sorted(ROWS))
def test_the_row_is_registered_with_its_program_and_environment(name):
    env, distribution, program, _package = ROWS[name]
    row = by_name()[name]
    assert (row.env, row.distribution) == (env, distribution)
    assert row.spec.startswith("http[worker=yes,") and f"name={name}" in row.spec
    assert row.spec.split("kit.adapters.node ", 1)[1].split() == [program, "--worker"]
    assert (ROOT / "kit" / "adapters" / "node" / f"{program}.mjs").is_file()
    from kit.adapters.node import PROGRAMS

    assert PROGRAMS[program] == env
    assert env in matrix.load_envs(ROOT)
    # the two rows follow the openai-node-chat row, the JavaScript rows together
    names = [a.name for a in ADAPTERS]
    assert names.index(name) > names.index("openai-node-chat")


def test_the_rows_declare_what_their_result_types_can_express():
    responses = load_adapter(by_name()["openai-node-responses"].spec).capabilities
    anthropic = load_adapter(by_name()["anthropic-node-messages"].spec).capabilities
    assert responses.apis == ("openai.responses",) and anthropic.apis == ("anthropic.messages",)
    # a Response's function_call item has a status ("incomplete") and raw arguments
    assert responses.marks_undispatched and responses.holds_invalid_arguments and responses.ordered
    # a ToolUseBlock has no status and only the parsed input
    assert not anthropic.marks_undispatched and not anthropic.holds_invalid_arguments and anthropic.ordered
    assert not responses.multi_choice and not anthropic.multi_choice
    assert responses.omits == () and anthropic.omits == ()


# -- the programs, against the replay server -------------------------------------------------------------------


def _verify(name: str, api: str, *traces: str) -> dict[str, dict]:
    """kit verify of the registered row on these traces (recorded plan): the verdict record by trace."""
    env_name, _distribution, _program, package = ROWS[name]
    return verify_row(name, built(env_name, (package,)), api, traces)


def test_openai_node_responses_passes_text_calls_and_server_tools():
    traces = ("y_text_only", "y_parallel_function_calls", "y_custom_tool_call", "y_computer_call", "y_refusal",
              "y_web_search_with_citations", "n_incomplete_mid_arguments", "n_error_event_flat")
    got = _verify("openai-node-responses", "responses", *traces)
    assert all(r["verdict"] == "PASS" for r in got.values()), {t: said(r) for t, r in got.items()}


def test_openai_node_responses_defects_are_graded():
    got = _verify("openai-node-responses", "responses", "y_item_done_missing", "y_completed_output_null")
    # a terminal response with an empty output replaces the streamed call: the call is lost, silently
    lost = got["y_item_done_missing"]
    assert lost["verdict"] == "FAIL" and lost["rule"] == "resp-item-done-missing", said(lost)
    assert any(d["field"] == "dispatched" and d["expected"] is True and d["actual"] is False
               for d in lost["differences"]), lost["differences"]
    # output: null in response.completed: openai-node's accumulator iterates it and raises
    crash = got["y_completed_output_null"]
    assert crash["verdict"] == "ERROR" and "TypeError:" in crash["message"], said(crash)
    assert "(at ResponsesParser.mjs:" in crash["message"] and "addOutputText" in crash["message"]


def test_anthropic_node_messages_passes_text_calls_and_server_tools():
    traces = ("y_text_only", "y_parallel_tool_use", "y_thinking_then_tool_use", "y_web_search_citations",
              "y_tool_input_many_fragments", "y_usage_cumulative", "n_overloaded_error_mid_tool_input")
    got = _verify("anthropic-node-messages", "anthropic", *traces)
    assert all(r["verdict"] == "PASS" for r in got.values()), {t: said(r) for t, r in got.items()}


def test_anthropic_node_messages_defects_are_graded():
    got = _verify("anthropic-node-messages", "anthropic", "y_block_index_gap", "y_text_delta_block_never_started",
                  "n_tool_input_malformed_json")
    # deltas for a block index past the end of the content list are dropped: the call runs with {}
    gap = got["y_block_index_gap"]
    assert gap["verdict"] == "FAIL", said(gap)
    assert any(d["field"] == "parameters" and d["actual"] == {} and d["expected"] == {"path": "src/main.rs"}
               for d in gap["differences"]), gap["differences"]
    # a delta for a block that never started: MessageStream reads the type of a missing block
    crash = got["y_text_delta_block_never_started"]
    assert crash["verdict"] == "ERROR" and "TypeError:" in crash["message"], said(crash)
    assert "(at MessageStream.mjs:" in crash["message"]
    # the partial-JSON parser raises on input that is not JSON: the library's answer to a broken stream
    bad = got["n_tool_input_malformed_json"]
    assert bad["verdict"] == "PASS" and "SyntaxError" in bad["message"] and "partialParse" in bad["message"], said(bad)


def test_a_node_crash_is_placed_by_its_frame_for_root_causes():
    # a worker's crash message says "status 1: " (a one-shot program's "exit status 1: ") before the
    # exception; the matrix places the crash by the frame after it, so that two rows reading through
    # the same SDK share a root cause, and a library on an SDK inherits the SDK row's crash
    for prefix in ("status 1: ", "exit status 1: ", ""):
        record = {"verdict": "ERROR", "check": "crash",
                  "message": f"crashed on a valid stream: {prefix}TypeError: rsp.output is not iterable "
                             "(at ResponsesParser.mjs:154 in addOutputText)"}
        assert matrix.crash_site(record) == {"package": None, "file": "ResponsesParser.mjs", "line": 154,
                                             "function": "addOutputText", "exception": "TypeError"}
    record = {"verdict": "ERROR", "check": "crash",
              "message": "crashed on a valid stream: status 1: APIError: Overloaded (path: /v1/messages, type: x) "
                         "(at streaming.mjs:54 in Stream.iterator)"}
    site = matrix.crash_site(record)
    assert site is not None and (site["file"], site["function"], site["exception"]) == \
        ("streaming.mjs", "Stream.iterator", "APIError")


def test_openai_node_responses_reads_who_runs_a_call_per_item():
    # a client tool search is a DO; a server one, xAI's undeclared custom calls and an MCP approval request are
    # not; a local shell call is; openai-node keeps each item whole, so the program reads them by the reference's rule
    passing = ("y_tool_search_client", "y_tool_search_server_then_call", "y_xai_x_search_as_custom_calls",
               "y_shell_call_local", "y_mcp_approval_request", "y_computer_call_pending_safety_check")
    got = _verify("openai-node-responses", "responses", *passing, "y_hosted_shell_call")
    for t in passing:
        assert got[t]["verdict"] == "PASS", (t, said(got[t]))
    # the hosted shell's command events: openai-node's accumulator has no case for them and throws
    crash = got["y_hosted_shell_call"]
    assert crash["verdict"] == "ERROR" and "Unhandled response stream event" in crash["message"], said(crash)
    assert "shell_call_command" in crash["message"] and "(at ResponseAccumulator.mjs:" in crash["message"]
