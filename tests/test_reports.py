"""kit.verify.reports: the text, JUnit, Markdown and HTML reports built from verdict records."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

from kit._resources import corpus_dir
from kit.verify import reports
from kit.verify.reports import html, junit_xml, markdown, read_records, summary_table

API = "openai.chat.completions"
CORPUS_TRACE = corpus_dir() / API / "y_parallel_interleaved.json"


def verdict(adapter: str, trace: str, chunking: str, v: str = "PASS", **extra) -> dict:
    rec = {"type": "verdict", "adapter": adapter, "trace": trace, "trace_path": None, "api": extra.pop("api", API),
           "class": trace[0], "chunking": chunking, "verdict": v, "rule": None, "check": "plan",
           "message": "matches the reference", "path": None, "expected": None, "actual": None,
           "position": None, "notes": [], "known": None, "repro": None, "seconds": 0.25}
    rec.update(extra)
    return rec


def make_records() -> list[dict]:
    """Two adapters, two APIs, three chunk plans; one of each verdict and some failures."""
    plans = ["recorded", "event", "bytewise"]
    recs: list[dict] = [{
        "type": "run", "format": "kit-verify/1", "kit": "0.1.0", "started": "2026-11-22T05:40:00Z",
        "adapters": [{"name": "reference", "spec": "reference", "kind": "py", "feed": "bytes",
                      "apis": [API], "incremental": True, "multi_choice": True},
                     {"name": "naive", "spec": "py:naive:Adapter", "kind": "py", "feed": "bytes",
                      "apis": [API], "incremental": True, "multi_choice": False}],
        "chunkings": plans, "traces": 4, "cases": 24}]
    for c in plans:
        recs.append(verdict("reference", "y_text_only", c))
        recs.append(verdict("reference", "y_parallel_interleaved", c, trace_path=str(CORPUS_TRACE)))
        recs.append(verdict("reference", "i_odd", c, "INFO", message="implementation-defined"))
        recs.append(verdict("reference", "y_msg", c, api="anthropic.messages"))
        recs.append(verdict("naive", "y_text_only", c, "NONSTRICT", check="streaming",
                            message="text buffered until the end", notes=["SAY arrived in one piece at the end"]))
        # the same trace failing under all three plans: one line in the terminal summary
        recs.append(verdict("naive", "y_parallel_interleaved", c, "FAIL", rule="chat-interleaved-fragments",
                            message="arguments of call_1 contain <script>alert(1)</script> | pipe",
                            path="choices[0].commands[1].parameters",
                            expected={"city": "Paris <b>"}, actual={"city": "Par"},
                            position={"feed": "bytes", "input": 3, "inputs": 10, "event": 7, "offset": 812},
                            repro=f"repro/naive/y_parallel_interleaved.{c}.json",
                            trace_path=str(CORPUS_TRACE)))
    recs.append(verdict("naive", "i_odd", "recorded", "ERROR", check="crash", message="KeyError: 'delta'\x00\x1b[31m"))
    recs.append(verdict("naive", "i_odd", "event", "TIMEOUT", check="timeout", message="no answer after 10 s"))
    recs.append(verdict("naive", "i_odd", "bytewise", "SKIP", check="capability", message="multi_choice not declared"))
    recs.append(verdict("naive", "y_msg", "recorded", "FAIL", api="anthropic.messages", rule="anthropic-ping",
                        message="ping taken as a block event", known="mutant a12, fixed upstream later"))
    recs.append(verdict("naive", "y_msg", "event", "PASS", api="anthropic.messages", known="flaky"))
    recs.append(verdict("naive", "y_msg", "bytewise", "PASS", api="anthropic.messages"))
    recs.append({"type": "summary", "seconds": 4.2, "counts": {}, "known": 1, "xpass": [], "exit": 1})
    return recs


def jsonl(records: list[dict]) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


# -- read_records ------------------------------------------------------------------------------


def test_read_records_from_text_lines_and_file(tmp_path):
    recs = make_records()
    assert read_records(jsonl(recs)) == recs
    assert read_records(jsonl(recs).splitlines()) == recs
    path = tmp_path / "run.jsonl"
    path.write_text(jsonl(recs) + "\n\n", encoding="utf-8")
    assert read_records(path) == recs
    assert read_records(str(path)) == recs


@pytest.mark.parametrize("bad, needle", [
    ("{not json", "line 3: invalid JSON"),
    ("[1, 2]", "line 3: expected a JSON object"),
    ('{"type": "verdict", "adapter": "a", "trace": "t", "api": "x", "chunking": "event", "verdict": "MAYBE"}',
     "line 3: unknown verdict 'MAYBE'"),
    ('{"type": "verdict", "adapter": "a", "trace": "t", "api": "x", "verdict": "PASS"}',
     "line 3: a verdict record needs a string `chunking`"),
])
def test_read_records_names_the_bad_line(bad, needle):
    lines = [json.dumps(make_records()[0]), "", bad]
    with pytest.raises(ValueError, match=re.escape(needle)):
        read_records(lines)


# -- terminal summary ------------------------------------------------------------------------------


def _row(text: str, adapter: str, api: str) -> list[str]:
    for line in text.splitlines():
        cells = line.split()
        if cells[:2] == [adapter, api]:
            return cells[2:]
    raise AssertionError(f"no row {adapter} {api} in\n{text}")


def test_summary_table_counts_and_failures():
    text = summary_table(make_records())
    header = text.splitlines()[0].split()
    assert header[:10] == ["adapter", "api", "PASS", "NONSTRICT", "FAIL", "ERROR", "TIMEOUT", "SKIP", "INFO", "total"]
    #                                           PASS NONSTRICT FAIL ERROR TIMEOUT SKIP INFO total
    assert _row(text, "reference", API) == ["6", "0", "0", "0", "0", "0", "3", "9"]
    assert _row(text, "reference", "(all)")[:8] == ["9", "0", "0", "0", "0", "0", "3", "12"]
    assert _row(text, "naive", API) == ["0", "3", "3", "1", "1", "1", "0", "9"]
    assert _row(text, "naive", "anthropic.messages") == ["2", "0", "1", "0", "0", "0", "0", "3"]
    # total row; the known column counts the expected failure, the XPASS column the stale expectation
    assert _row(text, "naive", "(all)") == ["2", "3", "4", "1", "1", "1", "0", "12", "1", "1"]
    # the three plans of one failing trace are one line
    fail_lines = [ln for ln in text.splitlines() if "y_parallel_interleaved" in ln]
    assert len(fail_lines) == 1
    assert "[recorded, event, bytewise]" in fail_lines[0] and "chat-interleaved-fragments" in fail_lines[0]
    assert "\x1b" not in text and "KeyError: 'delta'\\x00\\x1b[31m" in text  # no terminal escapes
    assert "Failures (5 cases):" in text  # 3 FAIL + ERROR + TIMEOUT; the known failure is not one
    assert not any("anthropic-ping" in ln for ln in text.splitlines() if ln.startswith("  "))
    assert any("XPASS" in ln and "y_msg" in ln and "[event]" in ln for ln in text.splitlines())
    assert text.splitlines()[-1].startswith("FAILED: 24 cases, 2 adapters, 5 failing, 1 known failure")


def test_summary_table_columns_are_aligned():
    lines = summary_table(make_records()).splitlines()
    table = lines[:lines.index("Failures (5 cases):") - 1]
    end = lines[0].index("total") + len("total")  # numbers are right-aligned under their header
    rows = [ln for ln in table if ln and not ln.startswith("-")]
    assert len(rows) == 1 + 3 + 3
    for line in rows[1:]:
        assert line[end - 1].isdigit() and line[end:end + 1] in ("", " "), line


def test_summary_table_caps_the_failure_list():
    recs = [verdict("a", f"y_{i:03d}", c, "FAIL", rule="r", message=f"wrong {i}")
            for i in range(30) for c in ("recorded", "event")]
    text = summary_table(recs, max_failures=5)
    assert sum(1 for ln in text.splitlines() if "wrong" in ln) == 5
    assert "... and 25 more (see --json)" in text
    assert text.splitlines()[-1].startswith("FAILED: 60 cases")


def test_summary_table_all_passing():
    recs = [verdict("a", "y_x", "event")]
    text = summary_table(recs)
    assert "Failures" not in text and text.splitlines()[-1].startswith("PASSED: 1 case, 1 adapter")


# -- JUnit ---------------------------------------------------------------------------------------


def test_junit_parses_and_counts():
    text = junit_xml(make_records())
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == "testsuites"
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert list(suites) == ["reference", "naive"]
    naive = suites["naive"]
    assert (naive.get("tests"), naive.get("failures"), naive.get("errors"), naive.get("skipped")) == ("12", "3", "2", "2")
    ref = suites["reference"]
    assert (ref.get("tests"), ref.get("failures"), ref.get("errors"), ref.get("skipped")) == ("12", "0", "0", "0")
    assert (root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped")) == ("24", "3", "2", "2")
    # counts agree with the elements
    for suite in suites.values():
        cases = suite.findall("testcase")
        assert len(cases) == int(suite.get("tests"))
        assert sum(len(c.findall("failure")) for c in cases) == int(suite.get("failures"))
        assert sum(len(c.findall("error")) for c in cases) == int(suite.get("errors"))
        assert sum(len(c.findall("skipped")) for c in cases) == int(suite.get("skipped"))
        assert abs(float(suite.get("time")) - 0.25 * len(cases)) < 1e-6
    assert root.get("time") == "4.200000"


def test_junit_structure_and_required_attributes():
    root = ET.fromstring(junit_xml(make_records()))
    for suite in root.iter("testsuite"):
        for attr in ("name", "tests", "failures", "errors", "skipped", "time", "timestamp", "hostname", "id", "package"):
            assert suite.get(attr), attr
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", suite.get("timestamp"))
        # the schema's order: properties first, then test cases
        tags = [child.tag for child in suite]
        assert tags[0] == "properties" and set(tags[1:]) == {"testcase"}
        for case in suite.iter("testcase"):
            assert case.get("name") and case.get("classname") and float(case.get("time")) >= 0
            assert len([c for c in case if c.tag in ("failure", "error", "skipped")]) <= 1
            for child in case:
                if child.tag in ("failure", "error"):
                    assert child.get("message") is not None and child.get("type")
    case = root.find("testsuite[@name='naive']/testcase[@name='y_parallel_interleaved[bytewise]']")
    assert case.get("classname") == f"naive.{API}"
    failure = case.find("failure")
    assert failure.get("type") == "chat-interleaved-fragments"
    assert "<script>" in failure.get("message")  # escaped in the file, intact once parsed
    body = failure.text
    for part in ("choices[0].commands[1].parameters", '"Paris <b>"', '"Par"', "input 3 of 10 (bytes)",
                 "SSE event #7", "byte 812", "kit verify --repro repro/naive/y_parallel_interleaved.bytewise.json"):
        assert part in body, part


def test_junit_known_failures_nonstrict_and_control_characters():
    text = junit_xml(make_records())
    assert "\x00" not in text and "\x1b" not in text
    root = ET.fromstring(text)
    naive = root.find("testsuite[@name='naive']")
    known = naive.find("testcase[@name='y_msg[recorded]']/skipped")
    assert known.get("message") == "known failure: mutant a12, fixed upstream later"
    assert naive.find("testcase[@name='y_msg[recorded]']/failure") is None
    error = naive.find("testcase[@name='i_odd[recorded]']/error")
    assert error.get("message").startswith("KeyError: 'delta'\\x00\\x1b[31m")
    assert naive.find("testcase[@name='i_odd[event]']/error").get("type") == "TIMEOUT"
    assert naive.find("testcase[@name='i_odd[bytewise]']/skipped").get("message") == "multi_choice not declared"
    out = naive.find("testcase[@name='y_text_only[event]']/system-out").text
    assert "NONSTRICT" in out and "SAY arrived in one piece at the end" in out
    assert "XPASS" in naive.find("testcase[@name='y_msg[event]']/system-out").text
    assert root.find("testsuite[@name='reference']/testcase[@name='i_odd[event]']/system-out").text.startswith("INFO")
    assert root.find("testsuite[@name='reference']/testcase[@name='y_text_only[event]']/system-out") is None


# -- Markdown ------------------------------------------------------------------------------------


def _md_rows(text: str) -> list[list[str]]:
    rows = []
    for line in text.splitlines():
        if line.startswith("| ") and not line.startswith("|---"):
            # split on pipes that are not escaped
            rows.append([c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]])
    return rows


def test_markdown_summary_and_failures():
    text = markdown(make_records())
    lines = text.splitlines()
    assert lines[0] == "## kit verify"
    assert lines[2].startswith("**FAILED**: 24 cases, 2 adapters, 5 failing")
    rows = _md_rows(text)
    assert rows[0] == ["adapter", "api", "PASS", "NONSTRICT", "FAIL", "ERROR", "TIMEOUT", "SKIP", "INFO", "total"]
    assert ["naive", API, "0", "3", "**3**", "**1**", "**1**", "1", "0", "9"] in rows
    assert ["reference", API, "6", "0", "0", "0", "0", "0", "3", "9"] in rows
    assert ["naive", "(all)", "2", "3", "4", "1", "1", "1", "0", "12"] in rows
    # failures grouped by rule: the three plans of the FAIL are one row of 3 cases
    by_rule = {r[0]: r for r in rows if len(r) == 5}
    fail = by_rule["chat-interleaved-fragments"]
    assert fail[1] == "3" and fail[2] == "y_parallel_interleaved"
    assert "&lt;script&gt;" in fail[3] and "\\|" in fail[3] and "<script>" not in fail[3]
    assert fail[4].startswith("`kit verify --repro repro/naive/y_parallel_interleaved.")
    assert by_rule["(crash)"][1] == "1" and by_rule["(timeout)"][1] == "1"
    assert "anthropic-ping" not in by_rule
    assert "1 known failure (expected): anthropic-ping ×1" in text
    assert "unexpected pass" in text and "y_msg [event]" in text
    # every table row has as many cells as its header
    assert all(len(r) in (5, 10) for r in rows)


def test_markdown_escapes_pipes_and_newlines_in_cells():
    recs = [verdict("a|b", "y_x", "event", "FAIL", rule="r", message="line one\nline two | three")]
    text = markdown(recs)
    row = next(ln for ln in text.splitlines() if ln.startswith("| r |"))
    assert "line one line two \\| three" in row  # the example message is kept to one line
    assert len(_md_rows(row)[0]) == 5
    assert "| a\\|b |" in text


# -- HTML ----------------------------------------------------------------------------------------


class _Checker(HTMLParser):
    """Collects tags and checks <details> and tables are balanced."""

    def __init__(self):
        super().__init__()
        self.stack: list[str] = []
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in ("details", "table", "tr", "td", "summary", "pre"):
            self.stack.append(tag)
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        if tag in ("details", "table", "tr", "td", "summary", "pre"):
            assert self.stack and self.stack[-1] == tag, (tag, self.stack[-5:])
            self.stack.pop()
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


def test_html_escapes_and_shows_the_details():
    page = html(make_records())
    assert page.startswith("<!DOCTYPE html>")
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    # expected and actual, pretty JSON, escaped
    assert "&quot;city&quot;: &quot;Paris &lt;b&gt;&quot;" in page
    assert "&quot;city&quot;: &quot;Par&quot;" in page
    assert "choices[0].commands[1].parameters" in page
    assert "input 3 of 10 (bytes), SSE event #7, byte 812" in page
    assert "\x00" not in page and "\x1b" not in page
    checker = _Checker()
    checker.feed(page)
    checker.close()
    assert checker.stack == []
    # self-contained: no external assets, one tiny script
    for tag, attrs in checker.tags:
        assert not attrs.get("src") and not (tag == "link"), (tag, attrs)
    assert len(checker.scripts) == 1 and len(checker.scripts[0]) < 400
    assert "http://" not in page and "https://" not in page


def test_html_collapses_plans_and_marks_disagreement():
    page = html(make_records())
    # identical plans collapse to one cell
    assert '<td class="cell v-PASS" title="recorded: PASS, event: PASS, bytewise: PASS">PASS ×3</td>' in page
    # the FAIL under three plans is shown once, naming the plans
    assert page.count("FAIL</b> under recorded, event, bytewise") == 1
    # disagreeing plans: per-plan marks
    row = re.search(r"<tr[^>]*><td><details><summary>i_odd</summary>.*?</tr>", page, re.S).group()
    assert 'title="recorded: ERROR"' in row and 'title="event: TIMEOUT"' in row and 'title="bytewise: SKIP"' in row
    assert "v-ERROR" in row


def test_html_clusters_identical_patterns():
    plans = ["event"]
    recs = []
    for i, pattern in enumerate(["PF", "PP", "PF", "PP", "PF", "FF"]):
        for adapter, v in zip(("a", "b"), pattern):
            recs.append(verdict(adapter, f"y_{i}", plans[0], "PASS" if v == "P" else "FAIL", rule="r"))
    page = html(recs)
    order = re.findall(r"<summary>(y_\d)</summary>", page)
    # worst pattern first, then identical patterns together
    assert order == ["y_5", "y_0", "y_2", "y_4", "y_1", "y_3"]


def test_html_wire_view_of_a_corpus_trace():
    assert CORPUS_TRACE.is_file()
    page = html(make_records())
    row = re.search(r"<summary>y_parallel_interleaved</summary>(.*?)</details>", page, re.S).group(1)
    assert '<table class="wire">' in row
    from kit.trace import load
    from kit.sse import decode
    events, _ = decode(load(CORPUS_TRACE).body)
    cells = re.findall(r'<tr><td class="n">(\d+)</td><td class="n">(\d+)</td><td>([^<]*)</td>', row)
    assert [(int(i), int(o)) for i, o, _ in cells] == [(e.index, e.offset) for e in events]
    assert "tool_call[" in row  # kit.report's description of a chat chunk


def test_html_wire_view_missing_file_is_said(tmp_path):
    recs = [verdict("a", "y_gone", "event", trace_path="no/such/trace.json"), verdict("a", "y_none", "event")]
    page = html(recs, root=tmp_path)
    assert "Trace file no/such/trace.json not found" in page
    assert "trace_path is null" in page


def test_html_is_fast_enough_for_a_full_matrix():
    import time
    recs = [verdict(f"adapter{a}", f"y_{t:03d}", c, "PASS" if (a + t) % 5 else "FAIL", rule="r",
                    expected={"x": t}, actual={"x": -t})
            for a in range(8) for t in range(150) for c in ("recorded", "event", "bytewise")]
    start = time.perf_counter()
    page = html(recs)
    assert time.perf_counter() - start < 5
    assert page.count("<summary>y_") == 150


# -- writing -------------------------------------------------------------------------------------


def test_write_report_picks_the_format_from_the_suffix(tmp_path):
    recs = make_records()
    assert reports.write_report(tmp_path / "r.xml", recs) == "junit"
    ET.parse(tmp_path / "r.xml")
    assert reports.write_report(tmp_path / "r.md", recs) == "markdown"
    assert (tmp_path / "r.md").read_text(encoding="utf-8").startswith("## kit verify")
    with pytest.raises(ValueError, match="suffix"):
        reports.write_report(tmp_path / "r.bin", recs)
    with pytest.raises(ValueError, match="unknown report format"):
        reports.render(recs, "pdf")


def test_html_wire_view_from_a_relative_trace_path():
    relative = CORPUS_TRACE.relative_to(corpus_dir().parent).as_posix()  # traces/<api>/<file>, as kit verify writes it
    page = html([verdict("a", "y_parallel_interleaved", "event", trace_path=relative)], root=corpus_dir().parent)
    assert '<table class="wire">' in page and "not found" not in page


def test_known_failure_under_one_plan_does_not_make_the_others_xpass():
    reason = "fails bytewise only"
    recs = [verdict("a", "y_x", "bytewise", "FAIL", rule="r", known=reason),
            verdict("a", "y_x", "event", "PASS", known=reason),
            verdict("a", "y_z", "event", "PASS", known="stale")]
    text = summary_table(recs)
    assert text.splitlines()[-1] == "PASSED: 3 cases, 1 adapter, 1 known failure, 1 unexpected pass (XPASS)"
    xpass_lines = [ln for ln in text.splitlines() if "XPASS" in ln and ln.startswith("  ")]
    assert len(xpass_lines) == 1 and "y_z" in xpass_lines[0]
    root = ET.fromstring(junit_xml(recs))
    assert root.get("skipped") == "1" and root.get("failures") == "0"


# -- every difference and both Plans (records that carry them) ---------------------------------------


def _two_differences(adapter: str = "naive", trace: str = "y_two") -> dict:
    plan = {"choices": [{"index": 0, "finish_reason": "tool_calls", "refusal": None, "server_tools": [],
                         "commands": [{"type": "DO", "call_id": "c1", "action": "get_weather", "parameters": {"city": "Oslo"},
                                       "invalid_arguments": False, "arguments": None, "dispatched": True}]}],
            "usage": None, "error": None}
    actual = json.loads(json.dumps(plan))
    actual["choices"][0]["commands"][0]["parameters"] = {"city": "Os<i>"}
    actual["choices"][0]["finish_reason"] = "stop"
    diffs = [{"path": "choices[0].commands[0].parameters", "field": "parameters", "expected": {"city": "Oslo"},
              "actual": {"city": "Os<i>"}, "rule": "chat-interleaved-fragments"},
             {"path": "choices[0].finish_reason", "field": "finish_reason", "expected": "tool_calls", "actual": "stop",
              "rule": None, "note": "no rule of this trace governs finish_reason (its rules: chat-interleaved-fragments)"}]
    message = "choices[0].commands[0].parameters: expected " + "x" * 150 + " (+1 more difference)"
    return verdict(adapter, trace, "recorded", "FAIL", rule="chat-interleaved-fragments", message=message,
                   path=diffs[0]["path"], expected=diffs[0]["expected"], actual=diffs[0]["actual"],
                   differences=diffs, plans={"expected": plan, "actual": actual})


def test_terminal_keeps_the_count_of_other_differences_when_it_cuts_the_message():
    line = next(ln for ln in summary_table([_two_differences()]).splitlines() if "y_two" in ln)
    assert line.endswith("x... (+1 more difference)")


def test_html_shows_every_difference_with_its_rule_and_both_plans():
    page = html([_two_differences()])
    assert page.count("<tr><td><code>choices[0]") == 2  # one row per difference
    assert "<code>chat-interleaved-fragments</code>" in page
    assert "no rule of this trace governs finish_reason" in page
    assert "&quot;Os&lt;i&gt;&quot;" in page and "<i>" not in page
    plans = re.search(r'<table class="plans">.*?</table>', page, re.S).group()
    assert "expected Plan" in plans and "actual Plan" in plans
    assert plans.count("DO get_weather") == 2 and 'finish &quot;tool_calls&quot;' in plans and 'finish &quot;stop&quot;' in plans
    checker = _Checker()
    checker.feed(page)
    checker.close()
    assert checker.stack == []


def test_cells_that_differ_after_the_first_difference_are_not_one_behaviour():
    a, b = _two_differences("a"), _two_differences("b")
    b["differences"] = b["differences"][:1]
    assert reports.behaviour([a]) != reports.behaviour([b])
    assert reports.behaviour([a]) == reports.behaviour([_two_differences("c")])


def test_an_info_record_with_differences_still_shows_its_plan():
    rec = verdict("a", "i_odd", "recorded", "INFO", message="implementation-defined; differs from the reference at usage",
                  actual={"type": "plan", "choices": [], "usage": {"input_tokens": 7}, "error": None},
                  differences=[{"path": "usage", "field": "usage", "expected": None, "actual": {"input_tokens": 7},
                                "rule": "chat-usage"}])
    box = re.search(r'<div class="box">.*?</div>', html([rec]), re.S).group()
    assert "<code>chat-usage</code>" in box and box.count("&quot;input_tokens&quot;: 7") == 2  # the table and the Plan


def test_markdown_keeps_the_count_of_other_differences():
    text = markdown([_two_differences()])
    assert "(+1 more difference)" in text


def test_committed_verdict_records_match_the_verdict_schema():
    """schemas/verdict.schema.json describes every verdict record the kit has published, old and new."""
    from pathlib import Path

    from kit._resources import schema

    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(schema("verdict"))
    results = Path(__file__).resolve().parent.parent / "matrix" / "results"
    checked = 0
    for path in sorted(results.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            rec = json.loads(line)
            if rec.get("type") == "verdict":
                errors = [e.message for e in validator.iter_errors(rec)]
                assert not errors, f"{path.name} line {number}: {errors[:2]}"
                checked += 1
    assert checked > 1000
    bad = dict(verdict("a", "y_x", "recorded", "FAIL"), differences=[{"path": "usage", "field": "colour",
                                                                        "expected": 1, "actual": 2, "rule": None}])
    assert list(validator.iter_errors(bad))  # an unknown field is caught
