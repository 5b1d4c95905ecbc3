"""The grading engine judged: each verdict, on implementations that earn it (tests/impls.py)."""

from __future__ import annotations

import json
import shutil
import sys
import textwrap
from functools import lru_cache

import pytest

from kit.adapters import Case, Outcome, load_adapter, parse_spec
from kit.errors import TraceError, UsageError
from kit.trace import corpus
from kit.verify import Expectations, Run, compare_plans, verify_case
from kit.verify.engine import FAILING, prepare

CHAT, RESP, ANTH = "openai.chat.completions", "openai.responses", "anthropic.messages"


@lru_cache(maxsize=None)
def trace(api: str, tid: str):
    return next(t for t in corpus(api=api) if t.id == tid)


def verdict(spec: str, api: str, tid: str, chunking: str = "recorded", **kw) -> dict:
    return verify_case(load_adapter(spec, **kw), trace(api, tid), chunking)


# -- the reference passes everything ------------------------------------------------------


@pytest.mark.parametrize("spec", ["reference", "reference-plan", "py:tests.impls:events_as_json"])
def test_reference_passes_every_graded_case(spec):
    run = Run([load_adapter(spec)], corpus(), ["recorded", "event", "bytewise"])
    bad = [r for r in run.records() if r["type"] == "verdict" and r["verdict"] not in ("PASS", "INFO")]
    assert not bad, [(r["api"], r["trace"], r["chunking"], r["verdict"], r["message"]) for r in bad[:5]]
    assert sum(run.counts[run.adapters[0].name].values()) == len(corpus()) * 3


def test_events_feed_runs_once_per_trace_and_skips_non_json_data():
    a = load_adapter("py:tests.impls:events_feed")
    assert a.capabilities.feed == "events"
    run = Run([a], corpus(api=ANTH), ["recorded", "bytewise"])
    recs = [r for r in run.records() if r["type"] == "verdict"]
    assert len(recs) == len(corpus(api=ANTH)) and {r["chunking"] for r in recs} == {"events"}
    skipped = [r for r in recs if r["verdict"] == "SKIP"]
    assert skipped and all("not JSON" in r["message"] for r in skipped)
    assert all(r["verdict"] in ("PASS", "INFO", "SKIP") for r in recs)


# -- each verdict ----------------------------------------------------------------------------


def test_buffered_text_is_nonstrict():
    r = verdict("py:tests.impls:buffered_text", CHAT, "y_text_only")
    assert (r["verdict"], r["rule"], r["check"]) == ("NONSTRICT", "plan-text-streamed", "streaming")
    assert "text buffered" in r["message"] and r["position"]["feed"] == "bytes"


def test_buffered_text_in_one_read_is_not_penalised():
    # with the whole body in one read there is nothing to forward earlier
    assert verdict("py:tests.impls:buffered_text", CHAT, "y_text_only", "whole")["verdict"] == "PASS"


@pytest.mark.parametrize("api,tid,rule", [(CHAT, "y_text_then_tool_call", "plan-dispatch-complete"),
                                          (RESP, "y_text_then_function_call", "plan-dispatch-complete"),
                                          (ANTH, "y_text_then_tool_use", "plan-dispatch-complete")])
def test_dispatch_with_empty_arguments_fails(api, tid, rule):
    r = verdict("py:tests.impls:dispatch_at_start", api, tid, "bytewise")
    assert (r["verdict"], r["rule"]) == ("FAIL", rule), r
    assert "with arguments {}" in r["message"] and "complete arguments" in r["message"]
    assert r["position"] is not None and r["position"]["offset"] >= 0


def test_dispatch_twice_fails():
    r = verdict("py:tests.impls:dispatch_twice", CHAT, "y_parallel_calls")
    assert (r["verdict"], r["rule"]) == ("FAIL", "plan-dispatch-once") and "twice" in r["message"]


def test_dispatch_after_the_choice_ended_is_nonstrict():
    # Anthropic: message_delta ends the choice; message_stop follows it
    r = verdict("py:tests.impls:dispatch_at_end", ANTH, "y_text_then_tool_use", "event")
    assert (r["verdict"], r["rule"]) == ("NONSTRICT", "plan-dispatch-timely"), r
    # the same implementation is on time when the finish is the last event it reads
    ok = verdict("py:tests.impls:dispatch_at_end", CHAT, "y_text_then_tool_call", "whole")
    assert ok["verdict"] == "PASS"


def test_crash_on_valid_stream_is_error_and_on_broken_stream_is_reporting():
    r = verdict("py:tests.impls:crashes", CHAT, "y_text_only")
    assert (r["verdict"], r["check"]) == ("ERROR", "crash") and "ValueError: boom" in r["message"]
    assert "impls.py" in r["message"]  # where it crashed
    r = verdict("py:tests.impls:crashes_on_errors", CHAT, "n_truncated_mid_arguments")
    assert (r["verdict"], r["check"]) == ("PASS", "fault-reported")


def test_broken_stream_turned_silently_into_a_plan_fails():
    for api, tid in ((CHAT, "n_truncated_mid_arguments"), (RESP, "n_truncated_mid_arguments"),
                     (ANTH, "n_truncated_mid_tool_input")):
        r = verdict("py:tests.impls:silent_plan", api, tid)
        assert (r["verdict"], r["rule"], r["check"]) == ("FAIL", "plan-fault-reported", "fault-reported"), r
        assert "silently" in r["message"]


def test_i_traces_are_info_whatever_the_plan():
    for spec in ("reference-plan", "py:tests.impls:silent_plan", "py:tests.test_verify:drops_late_text"):
        r = verdict(spec, CHAT, "i_text_after_finish")
        assert r["verdict"] == "INFO"
    assert "differs" in verdict("py:tests.test_verify:drops_late_text", CHAT, "i_text_after_finish")["message"]


def drops_late_text(reads, api):
    """The reference's Plan without the text of the last SAY after its first sentence: a plan
    that differs from the reference (on i_text_after_finish, a consumer that stops at the finish)."""
    from tests.impls import reference_plan

    plan = reference_plan(reads, api)
    for ch in plan["choices"]:
        for c in ch["commands"]:
            if c["type"] == "SAY" and ". " in c["text"]:
                c["text"] = c["text"].split(". ")[0] + "."
    return plan


def drops_calls_on_stop(reads, api):
    """Runs tools only when the finish reason says tool_calls, as many agent loops do."""
    from tests.impls import reference_plan

    plan = reference_plan(reads, api)
    for ch in plan["choices"]:
        if ch["finish_reason"] != "tool_calls":
            ch["commands"] = [c for c in ch["commands"] if c["type"] != "DO"]
    return plan


@pytest.mark.parametrize("tid", ["y_finish_stop_with_tool_calls", "y_two_finish_reasons"])
def test_tool_calls_finished_with_stop_are_kept(tid):
    # finish tool_calls for the reference's stop with the same DOs is not graded ...
    assert verdict("py:tests.impls:silent_plan", CHAT, tid)["verdict"] == "PASS"
    # ... and a consumer that drops the calls because the finish says stop fails
    r = verdict("py:tests.test_verify:drops_calls_on_stop", CHAT, tid)
    assert r["verdict"] == "FAIL" and r["check"] == "plan", r
    assert r["expected"] != r["actual"] and "DO" in json.dumps(r["expected"]), r


def test_wrong_plan_names_path_rule_and_both_values():
    r = verdict("py:kit.adapters.mutants.m08_dispatch_on_index_switch:accumulate", CHAT, "y_parallel_interleaved")
    assert r["verdict"] == "FAIL" and r["check"] == "plan"
    assert r["path"] == "choices[0].commands[0].parameters"
    assert r["expected"] == {"origin": "BER", "destination": "LIS"} and r["actual"] != r["expected"]
    assert r["rule"] in trace(CHAT, "y_parallel_interleaved").rules


def test_plan_depending_on_the_chunk_plan_is_named():
    a = load_adapter("py:tests.impls:utf8_per_read")
    run = Run([a], [trace(CHAT, "y_utf8_split_across_reads")], ["recorded", "event", "bytewise"])
    recs = {r["chunking"]: r for r in run.records() if r["type"] == "verdict"}
    assert recs["event"]["verdict"] == "PASS"  # no read cuts a character there
    for c in ("recorded", "bytewise"):
        assert recs[c]["verdict"] == "FAIL" and recs[c]["check"] == "chunk-invariance"
        assert any("plan-chunk-invariance" in n for n in recs[c]["notes"])


def test_protocol_violation_is_error():
    r = verdict("py:tests.impls:returns_garbage", CHAT, "y_text_only")
    assert (r["verdict"], r["rule"]) == ("ERROR", "plan-protocol") and "not a Plan" in r["message"]


def test_capabilities_make_skips_with_reasons():
    r = verdict("py:tests.impls:chat_single_choice", RESP, "y_text_only")
    assert r["verdict"] == "SKIP" and "declares the APIs" in r["message"]
    two = next(t for t in corpus(api=CHAT) if t.id == "y_two_choices")
    # one choice declared is no SKIP: the case is graded on what it did with two (here: kept both)
    r = verify_case(load_adapter("py:tests.impls:chat_single_choice"), two)
    assert r["verdict"] == "PASS"
    # options in the spec override what the implementation declares
    assert load_adapter("py[multi_choice=yes]:tests.impls:chat_single_choice").capabilities.multi_choice


def test_hang_times_out_and_the_run_goes_on():
    a = load_adapter("py:tests.impls:hangs", timeout=0.3)
    b = load_adapter("reference")
    run = Run([a, b], [trace(CHAT, "y_text_only")], ["recorded"])
    recs = [r for r in run.records() if r["type"] == "verdict"]
    assert [r["verdict"] for r in recs] == ["TIMEOUT", "PASS"]


def test_isolation_survives_a_dying_process_and_kills_a_hung_one():
    dead = verdict("py:tests.impls:exits_process", CHAT, "y_text_only", isolate=True)
    assert dead["verdict"] == "ERROR" and "died" in dead["message"]
    hung = load_adapter("py:tests.impls:hangs", isolate=True, timeout=0.5)
    assert verify_case(hung, trace(CHAT, "y_text_only"))["verdict"] == "TIMEOUT"
    hung.close()
    ok = load_adapter("py:tests.impls:dispatch_at_start", isolate=True)
    r = verify_case(ok, trace(CHAT, "y_text_then_tool_call"), "bytewise")
    ok.close()
    assert (r["verdict"], r["rule"]) == ("FAIL", "plan-dispatch-complete")  # streaming is graded across the process


# -- exec: ------------------------------------------------------------------------------------


def _script(tmp_path, body: str) -> str:
    path = tmp_path / "impl.py"
    path.write_text(textwrap.dedent(body))
    return f"exec:{sys.executable} {path}"


def test_exec_simplest_program_reads_stdin_and_prints_a_plan(tmp_path):
    spec = _script(tmp_path, """
        import os, sys, json
        from kit.adapters.builtin import reference_plan
        print(json.dumps(reference_plan([sys.stdin.buffer.read()], os.environ["KIT_API"]), indent=2))
    """)
    for api, tid in ((CHAT, "y_parallel_interleaved"), (ANTH, "y_text_then_tool_use")):
        assert verdict(spec, api, tid, "bytewise")["verdict"] == "PASS"


def test_exec_events_on_stdout_and_api_placeholder(tmp_path):
    spec = _script(tmp_path, """
        import sys, json
        from kit.replay import replay_reads
        from kit.events import to_json
        r = replay_reads(sys.argv[1], [sys.stdin.buffer.read()], keep_outputs=True)
        for e in r.outputs:
            print(json.dumps(to_json(e)))
    """) + " {api}"
    assert verdict(spec, RESP, "y_parallel_function_calls")["verdict"] == "PASS"


def test_exec_failures(tmp_path):
    junk = _script(tmp_path, "print('hello')\n")
    r = verdict(junk, CHAT, "y_text_only")
    assert (r["verdict"], r["rule"]) == ("ERROR", "plan-protocol") and "line 1 is not JSON" in r["message"]
    crash = _script(tmp_path, "import sys; sys.stdin.read(); sys.exit('bad stream')\n")
    assert verdict(crash, CHAT, "y_text_only")["verdict"] == "ERROR"
    assert verdict(crash, CHAT, "n_truncated_mid_arguments")["verdict"] == "PASS"
    slow = _script(tmp_path, "import time; time.sleep(20)\n")
    assert verdict(slow, CHAT, "y_text_only", timeout=0.5)["verdict"] == "TIMEOUT"
    # a program that cannot be run is the spec's problem, found before any case runs
    with pytest.raises(UsageError, match="'/nonexistent/program': no such file"):
        load_adapter("exec:/nonexistent/program")


def test_exec_validate_protocol_checks_each_line(tmp_path):
    spec = _script(tmp_path, """
        import sys, json
        sys.stdin.read()
        print(json.dumps({"type": "text.delta", "choice": 0, "text": "hi", "extra": 1}))
        print(json.dumps({"type": "message.done", "choice": 0, "finish_reason": "stop"}))
    """)
    a = load_adapter(spec)
    lenient = verify_case(a, trace(CHAT, "y_text_only"))
    assert lenient["check"] != "protocol"  # read leniently: the extra field is ignored
    a.validate_protocol = True
    strict = verify_case(a, trace(CHAT, "y_text_only"))
    assert (strict["verdict"], strict["rule"]) == ("ERROR", "plan-protocol")
    assert "stdout line 1" in strict["message"]


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not on PATH")
def test_exec_skip_line(tmp_path):
    prog = tmp_path / "skip.js"
    prog.write_text('process.stdin.resume(); process.stdin.on("end", () => '
                    'console.log(JSON.stringify({type: "skip", reason: "no Responses here"})));\n')
    r = verdict(f"exec:node {prog}", RESP, "y_text_only")
    assert r["verdict"] == "SKIP" and r["message"] == "no Responses here"


# -- specs ------------------------------------------------------------------------------------


@pytest.mark.parametrize("spec,fragment", [
    ("nothing", "expected py:"), ("py:tests.impls", "py:package.module:attr"),
    ("py:no_such_module_here:f", "cannot import"), ("py:tests.impls:nope", "no attribute"),
    ("py[colour=red]:tests.impls:hangs", "option"), ("py[apis=klingon]:tests.impls:hangs", "unknown API"),
    ("exec:", "expected py:"), ("ftp:x", "unknown kind"), ("exec[feed=events]:cat", "fed bytes"),
])
def test_bad_specs_are_usage_errors(spec, fragment):
    with pytest.raises(UsageError, match=fragment):
        load_adapter(spec)


def test_spec_options_and_aliases():
    kind, options, target = parse_spec("exec[apis=chat+anthropic,name=x]:node a.js {api}")
    assert (kind, target) == ("exec", "node a.js {api}") and options == {"apis": "chat+anthropic", "name": "x"}
    a = load_adapter("exec[apis=chat+anthropic,name=x]:node a.js {api}")
    assert a.name == "x" and a.capabilities.apis == (CHAT, ANTH)
    assert a.command_for(RESP)[-1] == RESP


# -- plans, expectations ----------------------------------------------------------------------


def test_compare_plans_ignores_what_is_not_graded():
    case, exp = prepare(trace(CHAT, "y_text_then_tool_call"), "recorded")
    plan = json.loads(json.dumps(exp.plan))
    plan["error"] = None
    plan["choices"][0]["commands"][-1]["arguments"] = " " + plan["choices"][0]["commands"][-1]["arguments"]
    plan["usage"] = dict(plan["usage"] or {}, extra=1) if plan["usage"] else None
    assert compare_plans(exp.plan, plan) == []
    plan["choices"][0]["commands"][-1]["call_id"] = "other"
    [d] = compare_plans(exp.plan, plan)
    assert d["path"].endswith(".call_id") and d["field"] == "call_id" and d["actual"] == "other"


def test_expectations_known_failures_xpass_and_unused(tmp_path):
    doc = {"format": "kit-expectations/1", "known": [
        {"adapter": "py:tests.impls:crashes", "trace": "y_text_*", "reason": "crashes, tracked upstream"},
        {"adapter": "reference", "trace": "y_text_only", "reason": "stale entry"},
        {"adapter": "nobody", "trace": "*", "reason": "matches nothing"},
    ]}
    path = tmp_path / "known.json"
    path.write_text(json.dumps(doc))
    exp = Expectations.load(str(path))
    run = Run([load_adapter("py:tests.impls:crashes"), load_adapter("reference")],
              [trace(CHAT, "y_text_only")], ["recorded"], expectations=exp)
    recs = list(run.records())
    summary = recs[-1]
    assert summary["known"] == 1 and summary["unexpected_failures"] == 0
    assert [e["reason"] for e in summary["xpass"]] == ["stale entry"]
    assert [e["reason"] for e in summary["unused_expectations"]] == ["matches nothing"]
    assert Expectations.from_records(recs)["known"][0]["trace"] == "y_text_only"


@pytest.mark.parametrize("content,fragment", [("[]", "expected"), ("{", "invalid JSON"),
                                               ('{"known": [{"adapter": "a", "trace": "t"}]}', "reason")])
def test_bad_expectations_file(tmp_path, content, fragment):
    path = tmp_path / "known.json"
    path.write_text(content)
    with pytest.raises(TraceError, match=fragment):  # a file that cannot be loaded: exit 3, as every input file
        Expectations.load(str(path))


def test_failures_write_repro_files_that_replay(tmp_path):
    a = load_adapter("py:tests.impls:dispatch_twice")
    run = Run([a], [trace(CHAT, "y_parallel_calls")], ["bytewise"], repro_dir=str(tmp_path))
    rec = next(r for r in run.records() if r["type"] == "verdict")
    assert rec["verdict"] in FAILING and rec["repro"]
    from kit.verify import load_repro

    doc, t = load_repro(rec["repro"])
    assert t.body == trace(CHAT, "y_parallel_calls").body and doc["chunking"] == "bytewise"
    assert doc["adapter"] == "py:tests.impls:dispatch_twice" and doc["versions"]["kit"]
    again = verify_case(load_adapter(doc["adapter"]), t, doc["chunking"])
    assert (again["verdict"], again["rule"]) == (rec["verdict"], rec["rule"])


def test_outcome_of_an_adapter_that_raises_itself():
    class Broken:
        kind = "py"
        name = "broken"
        spec = "broken"

    from kit.adapters import Adapter, Capabilities

    class BrokenAdapter(Adapter):
        def run(self, case: Case) -> Outcome:
            raise OSError("disk full")

    r = verify_case(BrokenAdapter("x", "x", Capabilities()), trace(CHAT, "y_text_only"))
    assert r["verdict"] == "ERROR" and "the adapter failed" in r["message"]


def test_exec_events_are_checked_for_repeated_dispatch(tmp_path):
    spec = _script(tmp_path, """
        import sys, json
        from kit.replay import replay_reads
        from kit.events import to_json
        r = replay_reads(sys.argv[1], [sys.stdin.buffer.read()], keep_outputs=True)
        for e in r.outputs:
            print(json.dumps(to_json(e)))
            if e.type == "tool_call.done":
                print(json.dumps(to_json(e)))
    """) + " {api}"
    r = verdict(spec, CHAT, "y_parallel_calls")
    assert (r["verdict"], r["rule"]) == ("FAIL", "plan-dispatch-once"), r


# -- every difference, the rule that governs each, both Plans ------------------------------------


def _reference(reads, api):
    from kit.adapters.builtin import reference_plan

    return reference_plan(list(reads), api)


def two_wrong(reads, api):
    """The reference's plan with a call's arguments and the finish reason changed: two differences."""
    plan = _reference(reads, api)
    ch = plan["choices"][0]
    do = next(c for c in ch["commands"] if c["type"] == "DO")
    do["parameters"], do["arguments"] = {"wrong": True}, '{"wrong": true}'
    ch["finish_reason"] = "stop" if ch["finish_reason"] != "stop" else "length"
    return plan


def finish_only(reads, api):
    """The reference's plan with only the finish reason changed, to another class of finish
    (stop and tool_calls are one class: the choice ended normally)."""
    plan = _reference(reads, api)
    normal = plan["choices"][0]["finish_reason"] in ("stop", "tool_calls")
    plan["choices"][0]["finish_reason"] = "length" if normal else "stop"
    return plan


def crlf_per_read(reads, api):
    """An SSE parser that turns CRLF into LF in each read on its own, so a CRLF split across two
    reads stays a CR and an LF; it splits events at blank lines and skips data that is not JSON."""
    buffer, events = b"", []
    for read in reads:
        buffer += read.replace(b"\r\n", b"\n")
        *blocks, buffer = buffer.split(b"\n\n")
        for block in blocks:
            data = b"\n".join(line[5:].lstrip(b" ") for line in block.split(b"\n") if line.startswith(b"data:"))
            try:
                json.loads(data)
            except ValueError:
                continue  # "a keep-alive": skipped
            events.append(data)
    return _reference([b"".join(b"data: " + d + b"\n\n" for d in events)], api)


def test_every_difference_is_reported_in_a_stable_order():
    r = verdict("py:tests.test_verify:two_wrong", CHAT, "y_text_then_tool_call")
    assert (r["verdict"], r["check"]) == ("FAIL", "plan")
    paths = [d["path"] for d in r["differences"]]
    assert paths == ["choices[0].commands[1].parameters", "choices[0].finish_reason"]  # commands before finish
    assert r["differences"][0]["actual"] == {"wrong": True} and r["differences"][1]["actual"] == "stop"
    # the record's own path/expected/actual are the first difference; the message counts the rest
    assert (r["path"], r["actual"]) == (paths[0], {"wrong": True})
    assert r["message"].endswith("(+1 more difference)")
    assert [c["type"] for c in r["plans"]["expected"]["choices"][0]["commands"]] == ["SAY", "DO"]
    assert r["plans"]["actual"]["choices"][0]["finish_reason"] == "stop"
    assert r["plans"]["expected"]["choices"][0]["finish_reason"] == "tool_calls"
    assert verdict("reference", CHAT, "y_text_then_tool_call")["plans"] is None  # no Plans on a PASS


def test_a_missing_or_extra_command_is_one_difference_not_a_cascade():
    case, exp = prepare(trace(CHAT, "y_parallel_interleaved"), "recorded")
    plan = json.loads(json.dumps(exp.plan))
    cmds = plan["choices"][0]["commands"]
    assert [c["type"] for c in cmds] == ["DO", "DO"]
    cmds.insert(0, {"type": "SAY", "text": "invented"})
    [d] = compare_plans(exp.plan, plan)
    assert (d["path"], d["field"], d["expected"]) == ("choices[0].commands[0]", "text", None)
    assert d["actual"].startswith("SAY 'invented'")
    del cmds[0], cmds[0]  # the first call lost: the second still pairs with its own
    [d] = compare_plans(exp.plan, plan)
    assert (d["path"], d["field"], d["actual"]) == ("choices[0].commands[0]", "do", None)
    assert "search_flights" in d["expected"]


def test_a_crlf_parser_is_never_charged_to_an_unrelated_rule():
    from kit.verify.engine import LOST, RULE_FIELDS

    t = trace(CHAT, "y_crlf_framing")
    assert t.rules == ["sse-line-endings"]
    r = verdict("py:tests.test_verify:crlf_per_read", CHAT, "y_crlf_framing")
    assert r["verdict"] == "FAIL" and r["differences"], r
    for d in r["differences"]:
        assert d["rule"] in ("sse-line-endings", None), d
        if d["rule"] is None:
            assert "sse-line-endings" in d["note"]
        else:
            assert d["field"] in RULE_FIELDS["sse-line-endings"] or LOST in RULE_FIELDS["sse-line-endings"]
    assert r["rule"] == r["differences"][0]["rule"]
    assert not any(d["rule"] and "finish" in d["rule"] for d in r["differences"])
    # the same trace read right, but a finish reason the framing cannot explain: no rule, said so
    r = verdict("py:tests.test_verify:finish_only", CHAT, "y_crlf_framing")
    [d] = r["differences"]
    assert (d["field"], d["rule"]) == ("finish_reason", None)
    assert r["rule"] is None and r["check"] == "plan"
    assert r["notes"][0] == d["note"] == "no rule of this trace governs finish_reason (its rules: sse-line-endings)"


def test_a_responses_finish_is_charged_only_where_a_rule_governs_it():
    r = verdict("py:tests.test_verify:finish_only", RESP, "y_text_then_function_call")
    assert [d["field"] for d in r["differences"]] == ["finish_reason"]
    assert r["rule"] is None and "resp-incomplete" not in json.dumps(r)
    # on a trace that exercises response.incomplete, its rule governs the finish reason
    r = verdict("py:tests.test_verify:finish_only", RESP, "y_incomplete_max_output_tokens_text")
    assert r["rule"] == "resp-incomplete" and r["differences"][0]["field"] == "finish_reason"


def test_rule_fields_cover_the_catalogue():
    from kit.rules import RULES
    from kit.verify.engine import FIELDS, GENERAL_RULES, LOST, RULE_FIELDS

    assert {r.id for r in RULES} == set(RULE_FIELDS), "classify a new rule in kit.verify.engine.RULE_FIELDS"
    assert {f for fields in RULE_FIELDS.values() for f in fields} <= set(FIELDS) | {LOST}
    by_id = {r.id: r for r in RULES}
    for api, rules in GENERAL_RULES.items():
        for field, rule in rules.items():
            assert by_id[rule].api == api and field in RULE_FIELDS[rule], (api, field, rule)


def test_verify_json_terminal_and_repro_carry_every_difference(tmp_path):
    from click.testing import CliRunner

    from kit._resources import schema
    from kit.cli import main
    from kit.verify import load_repro

    jsonschema = pytest.importorskip("jsonschema")
    out = tmp_path / "v.jsonl"
    r = CliRunner().invoke(main, ["verify", "-a", "py:tests.test_verify:two_wrong", "-a", "reference",
                                  "--trace", "y_text_then_tool_call", "--api", "chat", "--chunking", "recorded",
                                  "--json", str(out), "--repro-dir", str(tmp_path / "repro")])
    assert r.exit_code == 1, r.output
    assert "(+1 more difference)" in r.output  # the terminal: the first difference and how many more
    recs = [json.loads(line) for line in out.read_text().splitlines()]
    verdicts = {v["adapter"]: v for v in recs if v["type"] == "verdict"}
    fail, ok = verdicts["py:tests.test_verify:two_wrong"], verdicts["reference"]
    assert len(fail["differences"]) == 2 and set(fail["plans"]) == {"expected", "actual"}
    assert (ok["differences"], ok["plans"]) == ([], None)
    validator = jsonschema.Draft202012Validator(schema("verdict"))
    for v in (fail, ok):
        assert not list(validator.iter_errors(v)), list(validator.iter_errors(v))
    doc, _ = load_repro(fail["repro"])
    assert doc["verdict"]["differences"] == fail["differences"] and doc["verdict"]["plans"] == fail["plans"]


def test_failure_text_lists_every_difference_and_both_plans():
    from kit.verify.format import format_verdict

    text = format_verdict(verdict("py:tests.test_verify:two_wrong", CHAT, "y_text_then_tool_call"))
    assert "+1 more difference; all 2" in text
    assert 'choices[0].finish_reason: expected "tool_calls", got "stop" (no governing rule)' in text
    assert "choices[0].commands[1].parameters: expected" in text and '"wrong": true' in text
    assert text.index("expected Plan:") < text.index("actual Plan:")
    assert 'DO get_weather {"wrong": true}' in text.split("actual Plan:")[1]


# -- what the comparison does not grade (conformance.md §8.3, 4) -----------------------------------


def _plan(*commands, finish="stop", usage=None):
    return {"type": "plan", "choices": [{"index": 0, "commands": list(commands), "finish_reason": finish}],
            "usage": usage, "error": None}


def _say(text):
    return {"type": "SAY", "text": text}


def _do(call_id="call_1", action="get_weather", **parameters):
    return {"type": "DO", "call_id": call_id, "action": action, "parameters": parameters, "dispatched": True}


def test_say_runs_are_compared_joined_and_whitespace_is_a_note():
    exp = _plan(_say("Hel"), _say("lo, "), _do(city="Paris"), _say("Done."))
    notes: list[str] = []
    # the same text cut into other SAYs within each run: equal, and nothing to note
    assert compare_plans(exp, _plan(_say("Hello, "), _do(city="Paris"), _say("Do"), _say("ne.")), notes=notes) == []
    assert notes == []
    # a run that differs only in whitespace: a note, not a difference
    assert compare_plans(exp, _plan(_say("Hello,\n"), _do(city="Paris"), _say("Done.")), notes=notes) == []
    assert len(notes) == 1 and "whitespace" in notes[0] and "commands[0].text" in notes[0]
    # a whitespace-only run missing: a note too
    notes.clear()
    assert compare_plans(_plan(_say("\n\n"), _do(city="Paris")), _plan(_do(city="Paris")), notes=notes) == []
    assert len(notes) == 1 and "missing" in notes[0]
    # text moved across a DO is still a difference (runs are never joined across a DO) ...
    diffs = compare_plans(exp, _plan(_say("Hello, "), _do(city="Paris"), _say("Done!")), notes=notes)
    assert [(d["path"], d["field"], d["expected"], d["actual"]) for d in diffs] == [
        ("choices[0].commands[2].text", "text", "Done.", "Done!")]
    diffs = compare_plans(exp, _plan(_say("Hello, Done."), _do(city="Paris")))
    assert {d["field"] for d in diffs} == {"text"} and len(diffs) == 2
    # ... and so is a text that differs in more than whitespace, words glued together included
    [d] = compare_plans(_plan(_say("Hello world")), _plan(_say("Helloworld")), notes=notes)
    assert (d["path"], d["field"]) == ("choices[0].commands[0].text", "text")
    assert [d["path"] for d in compare_plans(exp, _plan(_say("Hello "), _do(city="Paris"), _say("Done.")))] == [
        "choices[0].commands[0].text"]


def spaced_text(reads, api):
    """The reference's plan with its first SAY cut in two and a trailing newline added."""
    plan = _reference(reads, api)
    cmds = plan["choices"][0]["commands"]
    first = next(i for i, c in enumerate(cmds) if c["type"] == "SAY")
    text = cmds[first]["text"]
    cmds[first:first + 1] = [{"type": "SAY", "text": text[:2]}, {"type": "SAY", "text": text[2:] + "\n"}]
    return plan


def test_a_whitespace_difference_is_a_note_on_a_pass():
    r = verdict("py:tests.test_verify:spaced_text", CHAT, "y_text_then_tool_call")
    assert (r["verdict"], r["differences"]) == ("PASS", []), r
    assert any("differs only in whitespace" in n for n in r["notes"]), r["notes"]


def test_stop_and_tool_calls_are_one_class_of_finish_when_the_dos_agree():
    exp = _plan(_say("Hi"), _do(city="Paris"), finish="tool_calls")
    assert compare_plans(exp, _plan(_say("Hi"), _do(city="Paris"), finish="stop")) == []
    assert compare_plans(_plan(_say("Hi"), finish="stop"), _plan(_say("Hi"), finish="tool_calls")) == []
    # another class of finish is still a difference
    for other in ("length", "content_filter", "error", "incomplete", None):
        [d] = compare_plans(exp, _plan(_say("Hi"), _do(city="Paris"), finish=other))
        assert (d["field"], d["expected"], d["actual"]) == ("finish_reason", "tool_calls", other)
    # when the DOs differ, stop against tool_calls is reported next to them
    diffs = compare_plans(exp, _plan(_say("Hi"), _do(city="Rome"), finish="stop"))
    assert [d["field"] for d in diffs] == ["parameters", "finish_reason"]
    diffs = compare_plans(exp, _plan(_say("Hi"), finish="stop"))
    assert [d["field"] for d in diffs] == ["do", "finish_reason"]


def test_no_usage_and_all_zero_usage_are_a_note():
    zero = {"input_tokens": 0, "output_tokens": 0}
    for exp_usage, act_usage in ((None, zero), (zero, None)):
        notes: list[str] = []
        assert compare_plans(_plan(_say("Hi"), usage=exp_usage), _plan(_say("Hi"), usage=act_usage), notes=notes) == []
        assert len(notes) == 1 and notes[0].startswith("usage:")
    # a count that is not 0 is still a difference, either way
    some = {"input_tokens": 0, "output_tokens": 5}
    for exp_usage, act_usage in ((None, some), (some, None), (zero, some)):
        notes = []
        diffs = compare_plans(_plan(_say("Hi"), usage=exp_usage), _plan(_say("Hi"), usage=act_usage), notes=notes)
        assert diffs and {d["field"] for d in diffs} == {"usage"} and notes == []


def test_empty_and_null_call_id_and_action_are_equal():
    for key in ("call_id", "action"):
        exp = _plan(_do(**{key: ""}, city="Paris"), finish="tool_calls")
        assert compare_plans(exp, _plan(_do(**{key: None}, city="Paris"), finish="tool_calls")) == []
        assert compare_plans(_plan(_do(**{key: None}, city="Paris"), finish="tool_calls"), exp) == []
        # an empty value against a real one is still a difference
        [d] = compare_plans(exp, _plan(_do(**{key: "x"}, city="Paris"), finish="tool_calls"))
        assert (d["field"], d["expected"], d["actual"]) == (key, None, "x")
