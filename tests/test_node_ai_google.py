"""The Vercel AI SDK row on Gemini: streamText with @ai-sdk/google (createGoogleGenerativeAI).

The environment and registration tests need neither node nor npm; the finish-vocabulary test
needs node. The program tests build the node_ai environment where node and npm are present
(`kit matrix build node_ai`, npm ci from the lockfile; skipped with the reason otherwise) and
grade a few Gemini traces with the registered worker spec.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from kit.adapters import client, load_adapter
from kit.adapters.node import HERE, PROGRAMS, conventions
from kit.adapters.thirdparty import ADAPTERS, by_name
from kit.reference.gemini import FINISH_REASONS

from .node_rows import built, check_pinned, said, verify_row

ENV = "node_ai"
NAME = "vercel-ai-google"
API = "google.generate_content"
PACKAGES = ("ai", "@ai-sdk/google")


# -- the environment and the row, as committed -----------------------------------------------------------------


def test_the_google_provider_is_pinned_with_the_ai_sdk_it_was_built_for():
    env = check_pinned(ENV, PACKAGES)
    lock = json.loads(env.lock.read_text(encoding="utf-8"))["packages"]
    # the provider implements the same provider specification as `ai` (@ai-sdk/provider 3.x, the AI SDK 6
    # line): a provider of another major would not be a model streamText accepts
    provider_spec = lock["node_modules/@ai-sdk/google"]["dependencies"]["@ai-sdk/provider"]
    assert provider_spec == lock["node_modules/ai"]["dependencies"]["@ai-sdk/provider"]
    assert provider_spec.startswith("3.")


def test_the_row_runs_the_google_program_in_its_environment():
    row = by_name()[NAME]
    assert (row.env, row.distribution, row.library) == (ENV, "npm:@ai-sdk/google", "Vercel AI SDK")
    assert row.sits_on == ()  # the provider parses the stream itself
    assert row.spec.startswith("http[worker=yes,") and f"name={NAME}" in row.spec
    assert row.spec.split("kit.adapters.node ", 1)[1].split() == ["ai_sdk_google", "--worker"]
    assert PROGRAMS["ai_sdk_google"] == ENV and (HERE / "ai_sdk_google.mjs").is_file()
    names = [a.name for a in ADAPTERS]
    assert names.index(NAME) > names.index("vercel-ai-anthropic")  # with the other AI SDK rows


def test_the_row_declares_what_its_result_can_express():
    caps = load_adapter(by_name()[NAME].spec).capabilities
    assert caps.apis == (API,)
    # the provider reads candidates[0] only; a functionCall does not end the text part (text after a
    # call joins the text before it); a tool-call part has no "not to be run" mark
    assert not caps.multi_choice and not caps.ordered and not caps.marks_undispatched
    # an invalid call keeps its raw input; the server tools are read in the wire's terms (nothing omitted)
    assert caps.holds_invalid_arguments and caps.omits == ()


def test_the_program_reads_gemini_finish_reasons_as_the_kit_does():
    # rawFinishReason is Gemini's own value, read by the kit's table (KIT_NODE_CONVENTIONS), a value the
    # table maps to none (FINISH_REASON_UNSPECIFIED) included
    if shutil.which("node") is None:
        pytest.skip("node is not on PATH")
    reasons = [*FINISH_REASONS, "SOMETHING_NEW", ""]
    script = (f'import {{ finishReason }} from "{(HERE / "harness.mjs").as_uri()}";\n'
              f"console.log(JSON.stringify({json.dumps(reasons)}.map(finishReason)));")
    proc = subprocess.run(["node", "--input-type=module", "-e", script], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "KIT_NODE_CONVENTIONS": json.dumps(conventions())})
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    assert got == [client.finish_reason(r) for r in reasons]
    assert got[list(FINISH_REASONS).index("FINISH_REASON_UNSPECIFIED")] is None and "content_filter" in got


# -- the program, against the replay server --------------------------------------------------------------------


def _verify(*traces: str) -> dict[str, dict]:
    env = built(ENV, PACKAGES)
    return verify_row(NAME, env, API, traces)


def test_text_thoughts_calls_and_server_tools_pass():
    # most calls have no id on the wire: the SDK makes one up, which is not graded; an id the wire gives
    # (y_call_with_id, y_streamed_call_with_id) is, and kept
    got = _verify("y_text_then_call", "y_thought_then_call", "y_parallel_calls_one_chunk", "y_call_no_args",
                  "y_call_with_id", "y_streamed_call_with_id", "y_streamed_args_string_split",
                  "y_code_execution_then_text", "y_google_search_grounding", "y_usage_only_last_chunk",
                  "y_max_tokens_mid_text")
    for t, r in got.items():
        assert r["verdict"] == "PASS", (t, said(r))


def test_finishes_the_sdk_unifies_are_read_from_the_raw_reason():
    # SAFETY is "content-filter" to the SDK, and so is a prompt block, whose raw reason is the block reason
    # (not a finish reason); MALFORMED_FUNCTION_CALL is "error"; MODEL_ARMOR, which the SDK does not know
    # ("other"), is read from the raw reason by the kit's vocabulary: content_filter
    got = _verify("y_finish_safety", "y_prompt_blocked", "y_malformed_function_call", "y_finish_model_armor")
    for t, r in got.items():
        assert r["verdict"] == "PASS", (t, said(r))


def test_an_error_payload_is_thrown_and_a_bad_path_or_a_nameless_call_is_not():
    got = _verify("n_error_resource_exhausted_midstream", "n_partial_args_bad_json_path", "n_call_without_name",
                  "y_two_candidates")
    error = got["n_error_resource_exhausted_midstream"]
    assert error["verdict"] == "PASS" and error["check"] == "fault-reported", said(error)
    assert "AI_APICallError" in error["message"] and "(at index.mjs:" in error["message"]
    # GoogleJSONAccumulator's parsePath reads `$.tags[` as `tags`, and appends the string to the array
    # already there: a string "beachsunset" where the reference marks the arguments invalid
    bad_path = got["n_partial_args_bad_json_path"]
    assert bad_path["verdict"] == "FAIL" and "beachsunset" in bad_path["message"], said(bad_path)
    assert any(d["field"] == "parameters" and d["actual"] == {"tags": "beachsunset"} for d in bad_path["differences"])
    # a whole functionCall without a name is no tool call to the provider: dropped, and nothing says so
    nameless = got["n_call_without_name"]
    assert nameless["verdict"] == "FAIL" and nameless["differences"][0]["field"] == "do", said(nameless)
    # the provider reads candidates[0] of each payload: on a stream whose every chunk carries both
    # candidates in index order that is candidate 0, whole (it cannot ask for several: multi_choice=no)
    one = got["y_two_candidates"]
    assert one["verdict"] == "PASS" and any("choice" in n for n in one["notes"]), said(one)
