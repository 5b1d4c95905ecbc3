"""kit/adapters/node/harness.mjs: what every bundled Node program shares.

A Node program reads its library's result by the kit's own rules (finish vocabulary,
server-executed item and block types, usage), handed over by the launcher; and it runs one
case or, with ``--worker``, many (protocol kit-worker/1) with the same verdicts. Needs node
on PATH (skipped, with the reason, without it); no npm packages.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kit.adapters import client
from kit.adapters.node import HERE, conventions
from kit.reference.anthropic import is_server_block
from kit.reference.responses import is_server_item

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="node is not on PATH")

HARNESS = (HERE / "harness.mjs").as_uri()

ITEM_TYPES = ["function_call", "custom_tool_call", "computer_call", "shell_call", "apply_patch_call",
              "local_shell_call", "web_search_call", "file_search_call", "code_interpreter_call", "mcp_call",
              "mcp_list_tools", "mcp_approval_request", "tool_search_call", "tool_search_output", "message",
              "reasoning", "image_generation_call", "some_future_call", "mcp_future", "tool_search_next", "",
              "server_tool_use", "mcp_tool_use", "web_search_tool_result", "container_upload", "tool_use", "text",
              "thinking", "code_execution_tool_result"]
FINISHES = ["stop", "STOP", "tool_calls", "tool_use", "end_turn", "max_tokens", "refusal", "pause_turn", "completed",
            "length", "content_filter", "function_call", "something_else", "", None, 3]
STATUSES = [("completed", None), ("incomplete", "max_output_tokens"), ("incomplete", "content_filter"),
            ("incomplete", "other"), ("incomplete", None), ("failed", None), ("in_progress", None), (None, None)]
USAGES = [(10, 5, None, None, False), (10, None, None, None, False), (None, None, None, None, False),
          (100, 7, 30, 20, True), (100, 7, 30, None, True), (10, 7, 30, 20, True), ("10", 3, None, None, False)]


def _node(script: str) -> object:
    env = {**os.environ, "KIT_NODE_CONVENTIONS": json.dumps(conventions())}
    proc = subprocess.run(["node", "--input-type=module", "-e", script], capture_output=True, text=True, env=env,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_by_type_the_responses_rule_keeps_its_defaults():
    # the type-level defaults: a tool_search_* item is the server's, a shell or custom call the client's;
    # every other type as is_server_item says
    for t in ITEM_TYPES:
        want = t.startswith("tool_search_") or is_server_item(t or None)
        assert client.is_server_tool("openai.responses", t) == (want and t != "tool_search_next"), t


# items with what decides who runs them (execution, environment, name, call_id) and response tools lists
ITEMS = [
    {"type": "tool_search_call", "execution": "client", "call_id": "ts_1"},
    {"type": "tool_search_call", "execution": "server"},
    {"type": "tool_search_call"},
    {"type": "tool_search_call", "execution": "elsewhere"},
    {"type": "tool_search_output", "execution": "client"},
    {"type": "tool_search_output"},
    {"type": "shell_call", "environment": {"type": "container_reference", "container_id": "cntr_1"}},
    {"type": "shell_call", "environment": {"type": "local"}},
    {"type": "shell_call", "environment": None},
    {"type": "shell_call", "environment": {"type": 3}},
    {"type": "shell_call"},
    {"type": "custom_tool_call", "name": "x_keyword_search", "call_id": "xs_call_1"},
    {"type": "custom_tool_call", "name": "apply_grammar", "call_id": "call_2"},
    {"type": "custom_tool_call", "name": ""},
    {"type": "custom_tool_call"},
    {"type": "function_call", "name": "get_weather", "call_id": "call_answered"},
    {"type": "function_call", "name": "lookup", "call_id": "call_3"},
    {"type": "computer_call", "call_id": "call_answered"},
    {"type": "web_search_call"},
    {"type": "message"},
    {"type": "function_call_output", "call_id": "call_answered"},
]
TOOLS = [
    None,
    [],
    [{"type": "tool_search", "execution": "client"}, {"type": "function", "name": "get_weather"}],
    [{"type": "tool_search", "execution": "server"}],
    [{"type": "shell", "environment": {"type": "container_auto"}}, {"type": "custom", "name": "apply_grammar"}],
    [{"type": "shell", "environment": {"type": "local"}}, {"type": "function", "name": "get_weather"},
     {"type": "namespace", "name": "crm", "tools": [{"type": "function", "name": "lookup"}]}],
    [{"type": "shell"}, {"type": "custom", "name": "x_keyword_search"}, "not a tool"],
    "not a list",
]
OUTPUTS = [None, ["call_answered", "ts_1"]]


def test_the_per_item_responses_rule_is_the_references():
    got = _node(f"""
        import {{ isServerTool, isClientCall, outputCallIds }} from "{HARNESS}";
        const items = {json.dumps(ITEMS)}, toolsLists = {json.dumps(TOOLS)}, outputs = {json.dumps(OUTPUTS)};
        const out = [];
        for (const tools of toolsLists) for (const earlier of outputs) for (const item of items) {{
          const opts = {{ earlierOutputs: earlier && new Set(earlier) }};
          out.push([isServerTool("openai.responses", item.type, item, tools, opts),
                    isClientCall("openai.responses", item.type, item, tools, opts)]);
        }}
        const ids = [...outputCallIds([...items, null, {{ type: "shell_call_output", call_id: "" }},
                                       {{ type: "tool_search_output", call_id: "ts_9" }}])];
        console.log(JSON.stringify({{ out, ids }}));
    """)
    want = [[client.is_server_tool("openai.responses", i["type"], i, tools, earlier_outputs=earlier and set(earlier)),
             client.is_client_call("openai.responses", i["type"], i, tools, earlier_outputs=earlier and set(earlier))]
            for tools in TOOLS for earlier in OUTPUTS for i in ITEMS]
    assert got["out"] == want
    # the cases exercise every answer: a DO, a server tool, neither
    assert {tuple(w) for w in want} == {(True, False), (False, True), (False, False)}
    assert sorted(got["ids"]) == ["call_answered", "ts_9"]


def test_a_node_program_reads_results_by_the_kits_own_rules():
    got = _node(f"""
        import {{ isServerTool, finishReason, responsesFinish, planUsage }} from "{HARNESS}";
        const types = {json.dumps(ITEM_TYPES)};
        const out = {{
          items: types.map((t) => isServerTool("openai.responses", t)),
          blocks: types.map((t) => isServerTool("anthropic.messages", t)),
          chat: types.map((t) => isServerTool("openai.chat.completions", t)),
          finish: {json.dumps(FINISHES)}.map(finishReason),
          status: {json.dumps(STATUSES)}.flatMap(([s, r]) => [responsesFinish(s, r, {{ calls: true }}),
                                                              responsesFinish(s, r, {{ calls: false }})]),
          usage: {json.dumps(USAGES)}.map(([i, o, cr, cw, inc]) =>
            planUsage("anthropic.messages", i, o, {{ cacheRead: cr, cacheWrite: cw, cacheInInput: inc }})),
        }};
        console.log(JSON.stringify(out));
    """)
    assert got == {
        "items": [client.is_server_tool("openai.responses", t) for t in ITEM_TYPES],
        "blocks": [is_server_block(t or None) for t in ITEM_TYPES],
        "chat": [False] * len(ITEM_TYPES),
        "finish": [client.finish_reason(f) for f in FINISHES],
        "status": [client.responses_finish(s, r, calls=c) for s, r in STATUSES for c in (True, False)],
        "usage": [client.plan_usage("anthropic.messages", i, o, cache_read=cr, cache_write=cw, cache_in_input=inc)
                  for i, o, cr, cw, inc in USAGES],
    }


PROGRAM = """\
import { PlanOf, serve } from "HARNESS";
serve(["openai.chat.completions"], async (api) => {
  const response = await fetch(process.env.OPENAI_BASE_URL + "/chat/completions", { method: "POST", body: "{}" });
  await response.text();
  const trace = process.env.KIT_TRACE;
  if (trace === "y_text_only") {
    console.log("a warning a library prints on stdout");  // the harness sends it to stderr
    return new PlanOf(api).text("not the trace's text").finish("stop").end();
  }
  if (trace === "y_parallel_calls") throw new TypeError("thrown by the client");
  if (trace === "y_refusal") {  // an error thrown outside the case's promises, as an event handler throws
    setTimeout(() => { throw new RangeError("thrown in a callback"); }, 0);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (trace === "y_parallel_interleaved") {  // a validation error built without a stack, wrapped by the library
    const inner = new SyntaxError("the chunk is not valid");
    inner.stack = "SyntaxError: the chunk is not valid";
    throw new Error("x".repeat(600), { cause: inner });
  }
  // y_text_then_tool_call: prints nothing
});
"""
TRACES = ["y_text_only", "y_parallel_calls", "y_refusal", "y_text_then_tool_call", "y_text_only", "y_parallel_interleaved"]


def _verdicts(tmp_path: Path, spec: str, api: str = "chat") -> dict[str, str]:
    out = tmp_path / f"{abs(hash(spec))}.jsonl"
    cmd = [sys.executable, "-m", "kit", "verify", "-a", spec, "--api", api, "--chunking", "recorded", "--no-repro",
           "-q", "--json", str(out)]
    for t in TRACES:
        cmd += ["--trace", t]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode in (0, 1), proc.stderr
    return {r["trace"]: f"{r['verdict']} {r.get('message') or ''}" for r in map(json.loads, out.read_text().splitlines())
            if r.get("type") == "verdict"}


@pytest.mark.parametrize("worker", [False, True], ids=["one-shot", "worker"])
def test_a_program_runs_one_case_or_serves_many_with_the_same_verdicts(tmp_path, worker):
    program = tmp_path / "prog.mjs"
    program.write_text(PROGRAM.replace("HARNESS", HARNESS), encoding="utf-8")
    spec = (f"http[worker=yes,apis=chat,name=p]:node {program} --worker" if worker else
            f"http[apis=chat,name=p]:node {program}")
    got = _verdicts(tmp_path, spec)
    # graded on what it printed: the library's console.log did not reach stdout
    assert got["y_text_only"].startswith("FAIL") and "not the trac" in got["y_text_only"]
    assert got["y_parallel_calls"].startswith("ERROR")
    assert "TypeError: thrown by the client (at prog.mjs:10 " in got["y_parallel_calls"]
    # an error escaping the case's promises is the case's crash, and (as a worker) the next case still runs
    assert got["y_refusal"].startswith("ERROR") and "RangeError: thrown in a callback (at prog.mjs:" in got["y_refusal"]
    assert got["y_text_then_tool_call"].startswith("ERROR") and "printed nothing" in got["y_text_then_tool_call"]
    # the innermost cause's type, the message cut to 500 characters, the frame of the error around it
    wrapped = got["y_parallel_interleaved"]
    assert "SyntaxError: " + "x" * 497 + "... (at prog.mjs:" in wrapped and "x" * 498 not in wrapped


def test_another_api_is_a_skip_with_the_reason(tmp_path):
    program = tmp_path / "prog.mjs"
    program.write_text(PROGRAM.replace("HARNESS", HARNESS), encoding="utf-8")
    out = tmp_path / "v.jsonl"
    subprocess.run([sys.executable, "-m", "kit", "verify", "-a", f"http[worker=yes,name=p]:node {program} --worker",
                    "--api", "anthropic", "--trace", "y_text_only", "--chunking", "recorded", "--no-repro", "-q",
                    "--json", str(out)], capture_output=True, text=True, timeout=120)
    records = [r for r in map(json.loads, out.read_text().splitlines()) if r.get("type") == "verdict"]
    assert records and all(r["verdict"] == "SKIP" for r in records)
    assert "makes openai.chat.completions requests, not anthropic.messages" in records[0]["message"]


def test_the_launcher_rejects_an_unknown_program_or_option():
    for args in (["nope"], ["openai_chat", "--fast"], []):
        proc = subprocess.run([sys.executable, "-m", "kit.adapters.node", *args], capture_output=True, text=True)
        assert proc.returncode == 2 and "usage: python -m kit.adapters.node PROGRAM [--worker]" in proc.stderr
