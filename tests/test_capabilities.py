"""What an implementation's result can express decides what is graded (conformance.md 8.3):
``ordered``, ``marks_undispatched`` and ``multi_choice`` (kit.adapters.Capabilities)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kit import trace as trace_mod
from kit.adapters import Capabilities, load_adapter
from kit.verify import compare_plans, verify_case

ROOT = Path(__file__).resolve().parents[1]
CHAT = ROOT / "traces" / "openai.chat.completions"


def _choice(*commands, index=0, finish="stop"):
    return {"index": index, "commands": list(commands), "finish_reason": finish}


def _plan(*choices, usage=None):
    return {"type": "plan", "choices": list(choices), "usage": usage, "error": None}


def _say(text):
    return {"type": "SAY", "text": text}


def _do(call_id="call_1", action="get_weather", dispatched=True, invalid=False, **parameters):
    cmd = {"type": "DO", "call_id": call_id, "action": action, "parameters": parameters, "dispatched": dispatched}
    if invalid:
        cmd.update(parameters=None, invalid_arguments=True, arguments='{"city": "Par')
    return cmd


# -- ordered ---------------------------------------------------------------------------------

EXP = _plan(_choice(_say("Let me check."), _do(city="Paris"), _say(" It is sunny.")))


def test_unordered_result_compares_joined_text_and_calls_apart():
    flat = _plan(_choice(_say("Let me check. It is sunny."), _do(city="Paris")))
    assert [d["field"] for d in compare_plans(EXP, flat)] == ["text", "text"]  # ordered: the text moved
    assert compare_plans(EXP, flat, ordered=False) == []


@pytest.mark.parametrize("actual, field", [
    (_plan(_choice(_say("Let me check."), _do(city="Paris"))), "text"),  # the text after the call lost
    (_plan(_choice(_say("Let me check. It is sunny."), _do(city="Rome"))), "parameters"),
    (_plan(_choice(_say("Let me check. It is sunny."))), "do"),  # the call lost
])
def test_unordered_result_still_fails_on_lost_or_changed_content(actual, field):
    assert [d["field"] for d in compare_plans(EXP, actual, ordered=False)] == [field]


# -- marks_undispatched ------------------------------------------------------------------------

CUT = _plan(_choice(_say("Writing."), _do("call_1", "write_file", dispatched=False, invalid=True), finish="length"))


@pytest.mark.parametrize("actual, note", [
    (_plan(_choice(_say("Writing."), finish="length")), "dropped"),
    (_plan(_choice(_say("Writing."), _do("call_1", "write_file", invalid=True), finish="length")), "flagged invalid"),
])
def test_result_that_cannot_mark_undispatched_may_drop_or_flag_the_cut_call(actual, note):
    notes: list[str] = []
    assert compare_plans(CUT, actual, marks_undispatched=False, notes=notes) == []
    assert any(note in n for n in notes)
    assert compare_plans(CUT, actual) != []  # a result that can mark it must


def test_result_that_cannot_mark_undispatched_must_not_run_the_cut_call():
    ran = _plan(_choice(_say("Writing."), _do("call_1", "write_file", path="a.txt"), finish="length"))
    [d] = compare_plans(CUT, ran, marks_undispatched=False)
    assert (d["field"], d["expected"]) == ("do", None) and "write_file" in d["actual"]


# -- multi_choice ------------------------------------------------------------------------------

TWO = _plan(_choice(_say("Oslo: 3 C."), index=0), _choice(_say("Tokyo: 12 C."), _do("call_t", "get_time", tz="JST"),
                                                          index=1, finish="tool_calls"))


@pytest.mark.parametrize("taken", [0, 1])
def test_one_choice_result_taking_either_choice_whole_passes(taken):
    ch = dict(TWO["choices"][taken], index=0)
    notes: list[str] = []
    assert compare_plans(TWO, _plan(ch), multi_choice=False, notes=notes) == []
    assert f"choice {taken}" in notes[0]
    assert compare_plans(TWO, _plan(ch)) != []  # a multi-choice result must hold both


def test_one_choice_result_mixing_the_choices_fails():
    mixed = _plan(_choice(_say("Oslo: 3 C.Tokyo: 12 C."), _do("call_t", "get_time", tz="JST"), finish="tool_calls"))
    assert compare_plans(TWO, mixed, multi_choice=False) != []


def _adapter(tmp_path, monkeypatch, body, **caps):
    mod = tmp_path / "capimpl.py"
    mod.write_text("import json\n"
                   f"CAPS = {caps!r}\n"
                   "def handle(inputs):\n" + body + "\nhandle.__kit__ = dict(CAPS, apis=['chat'])\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    return load_adapter("py:capimpl:handle")


def test_one_choice_implementation_refusing_a_multi_choice_stream_passes(tmp_path, monkeypatch):
    body = "    raise ValueError('several choices: not supported')"
    trace = trace_mod.load(CHAT / "y_two_choices.json")
    one = verify_case(_adapter(tmp_path, monkeypatch, body, multi_choice=False), trace)
    assert (one["verdict"], one["check"]) == ("PASS", "capability"), one
    import sys
    sys.modules.pop("capimpl", None)
    many = verify_case(_adapter(tmp_path, monkeypatch, body, multi_choice=True), trace)
    assert many["verdict"] == "ERROR"


def test_capabilities_are_declared_and_described():
    caps = Capabilities(ordered=False, marks_undispatched=False)
    assert (caps.ordered, caps.marks_undispatched) == (False, False)
    a = load_adapter("exec[apis=chat,ordered=no,marks_undispatched=no,multi_choice=no]:true")
    d = a.describe()
    assert (d["ordered"], d["marks_undispatched"], d["multi_choice"]) == (False, False, False)


def test_every_report_says_what_the_result_cannot_express():
    from kit.verify.reports import assumed_notes

    a = load_adapter("exec[apis=chat,ordered=no,marks_undispatched=no,multi_choice=no,omits=usage]:true")
    run = {"type": "run", "adapters": [a.describe()]}
    [note] = [n for n in assumed_notes([run]) if "result" in n]
    for said in ("holds one choice", "does not order text against calls", "cannot mark a call", "has no usage"):
        assert said in note
    b = load_adapter("exec[apis=chat,multi_choice=yes]:true")
    assert not [n for n in assumed_notes([{"type": "run", "adapters": [b.describe()]}]) if "result" in n]


def test_chunk_invariance_ignores_what_is_not_graded():
    from kit.verify.engine import chunk_dependence, normalise_plan

    a = normalise_plan(_plan(_choice(_say("Hello "), _say("world."))))
    b = normalise_plan(_plan(_choice(_say("Hello world. "))))  # whitespace only: no graded difference
    c = normalise_plan(_plan(_choice(_say("Hello"))))
    recs = [{"verdict": "FAIL", "check": "plan", "notes": []}]
    chunk_dependence(recs, {"recorded": a, "bytewise": b})
    assert recs[0]["notes"] == [] and recs[0]["check"] == "plan"
    chunk_dependence(recs, {"recorded": a, "bytewise": b, "event": c})
    assert recs[0]["check"] == "chunk-invariance" and "recorded+bytewise vs event" in recs[0]["notes"][0]


RESP = ROOT / "traces" / "openai.responses"


def test_a_call_type_the_adapter_cannot_request_is_skip(tmp_path, monkeypatch):
    import sys

    trace = trace_mod.load(RESP / "y_computer_call.json")
    body = "    from kit.adapters.builtin import reference_plan\n    return reference_plan(inputs, 'openai.responses')"
    mod = tmp_path / "calltypes.py"
    mod.write_text("def handle(inputs):\n" + body + "\n"
                   "handle.__kit__ = {'apis': ['responses'], 'call_types': ['function_call']}\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    r = verify_case(load_adapter("py:calltypes:handle"), trace)
    assert r["verdict"] == "SKIP" and "computer_call" in r["message"] and "function_call" in r["message"]
    sys.modules.pop("calltypes", None)
    # declared able to hold it (or declaring nothing): graded
    assert verify_case(load_adapter("py[call_types=function_call+computer_call]:calltypes:handle"), trace)["verdict"] == "PASS"
    assert verify_case(load_adapter("py[call_types=function_call]:calltypes:handle"),
                       trace_mod.load(RESP / "y_parallel_function_calls.json"))["verdict"] == "PASS"


BROKEN = _plan(_choice(_say("Checking."), _do("call_1", "lookup", invalid=True), finish="tool_calls"))


def test_result_that_cannot_hold_invalid_arguments_may_drop_the_call_but_not_repair_it():
    dropped = _plan(_choice(_say("Checking."), finish="tool_calls"))
    notes: list[str] = []
    assert compare_plans(BROKEN, dropped, holds_invalid_arguments=False, notes=notes) == []
    assert any("not valid JSON" in n for n in notes)
    assert compare_plans(BROKEN, dropped) != []  # a result that can hold it must keep it
    repaired = _plan(_choice(_say("Checking."), _do("call_1", "lookup", city="Par"), finish="tool_calls"))
    [d] = compare_plans(BROKEN, repaired, holds_invalid_arguments=False)
    assert d["field"] == "do" and d["expected"] is None  # a repaired call would be run: a difference


def test_a_refusal_kept_whole_may_end_as_a_content_filter():
    exp = _plan(dict(_choice(finish="stop"), refusal="I can't help with that."))
    same = _plan(dict(_choice(finish="content_filter"), refusal="I can't help with that."))
    lost = _plan(dict(_choice(finish="content_filter"), refusal=None))
    assert compare_plans(exp, same) == []
    assert [d["field"] for d in compare_plans(exp, lost)] == ["finish_reason", "refusal"]


def test_a_cut_call_reported_flagged_invalid_is_no_dispatch_for_a_result_that_cannot_mark_it(tmp_path, monkeypatch):
    import sys

    trace = trace_mod.load(CHAT / "n_truncated_mid_arguments.json")
    mod = tmp_path / "cutcall.py"
    mod.write_text(
        "from kit.adapters.builtin import reference_plan\n"
        "def handle(reads, sink):\n"
        "    plan = reference_plan(reads, 'openai.chat.completions')\n"
        "    for ch in plan['choices']:\n"
        "        for n, c in enumerate(ch['commands']):\n"
        "            if c['type'] == 'DO':\n"
        "                sink({'type': 'tool_call.done', 'choice': ch['index'], 'call': n, 'call_id': c['call_id'],\n"
        "                      'action': c['action'], 'arguments': c.get('arguments'), 'parameters': None,\n"
        "                      'invalid_arguments': True})\n"
        "    return plan\n"
        "handle.__kit__ = {'apis': ['chat'], 'incremental': False}\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    flagged = verify_case(load_adapter("py[marks_undispatched=no]:cutcall:handle"), trace)
    assert flagged["verdict"] == "PASS", flagged
    sys.modules.pop("cutcall", None)
    # a result that could have marked it not dispatched: reporting it done is a dispatch; the Plans agree,
    # and the record still carries both
    marked = verify_case(load_adapter("py:cutcall:handle"), trace)
    assert (marked["verdict"], marked["check"]) == ("FAIL", "streaming") and marked["plans"]["expected"]


def test_a_normal_finish_derived_on_a_complete_stream_without_one_is_a_note():
    from kit.verify.engine import _derived_finish, plan_differences, normalise_plan

    exp = normalise_plan(_plan(_choice(_say("Hi"), _do(city="Oslo"), finish=None)))
    same = normalise_plan(_plan(_choice(_say("Hi"), _do(city="Oslo"), finish="tool_calls")))
    other = normalise_plan(_plan(_choice(_say("Hi"), _do(city="Rome"), finish="tool_calls")))
    notes: list[str] = []
    assert _derived_finish(plan_differences(exp, same), notes) == [] and "derived" in notes[0]
    assert [d["field"] for d in _derived_finish(plan_differences(exp, other), [])] == ["parameters", "finish_reason"]
    lengthy = normalise_plan(_plan(_choice(_say("Hi"), _do(city="Oslo"), finish="length")))
    assert [d["field"] for d in _derived_finish(plan_differences(exp, lengthy), [])] == ["finish_reason"]


def test_anthropic_tool_kinds_are_blocks_and_server_tools_by_name():
    from kit.verify.engine import prepare

    anth = ROOT / "traces" / "anthropic.messages"
    kinds = {t: prepare(trace_mod.load(anth / f"{t}.json"), "recorded")[1].call_types
             for t in ("y_mcp_tool_use", "y_web_search_citations", "y_text_after_server_tool_then_client_tool")}
    assert kinds["y_mcp_tool_use"] == ("mcp_tool_use",)
    assert kinds["y_web_search_citations"] == ("server_tool_use:web_search",)
    assert kinds["y_text_after_server_tool_then_client_tool"] == ("server_tool_use:tool_search_tool_regex", "tool_use")


def test_a_refusal_given_as_text_by_a_result_with_no_refusal_field():
    exp = _plan(dict(_choice(_say("Hm."), finish="stop"), refusal="I can't help with that."))
    as_text = _plan(_choice(_say("Hm.I can't help with that."), finish="content_filter"))
    notes: list[str] = []
    assert compare_plans(exp, as_text, refusal_as_text=True, notes=notes) == [] and "as text" in notes[0]
    assert compare_plans(exp, as_text) != []  # a result with a refusal field must use it
    lost = _plan(_choice(_say("Hm."), finish="content_filter"))
    assert [d["field"] for d in compare_plans(exp, lost, refusal_as_text=True)] == ["text"]  # the refusal text lost
