"""kit.snapshot: the canonical serialisation, the volatile() matcher, and the whole syrupy
workflow (missing snapshot, --snapshot-update, pass, readable failure, -k) in a throwaway
project run by pytester."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kit.events import ToolCallDone, to_json
from kit.plan import canonical_json
from kit.snapshot import PlanSnapshotExtension, serialize, volatile

pytest_plugins = ["pytester"]

CALL_IDS = "choices.*.commands.*.call_id"


def plan(ids=("call_a", "call_b"), city="Oslo", text="Grüße"):
    return {
        "type": "plan", "api": "openai.chat.completions", "error": None,
        "usage": {"input_tokens": 3, "output_tokens": 5},
        "choices": [{
            "index": 0, "finish_reason": "tool_calls", "refusal": None, "server_tools": [],
            "commands": [
                {"type": "SAY", "text": text},
                {"type": "DO", "call_id": ids[0], "action": "get_weather",
                 "arguments": json.dumps({"city": city}), "parameters": {"city": city}},
                {"type": "DO", "call_id": ids[1], "action": "get_time",
                 "arguments": "{}", "parameters": {}},
            ],
        }],
    }


# -- the serialisation ---------------------------------------------------------------

def test_serialize_is_canonical_json():
    doc = {"b": [1, 2.5, True, None], "a": {"é": "Grüße ☂", "a": {}}}
    text = serialize(doc)
    expected = ('{\n  "a": {\n    "a": {},\n    "é": "Grüße ☂"\n  },\n'
                '  "b": [\n    1,\n    2.5,\n    true,\n    null\n  ]\n}\n')
    assert text == expected
    assert text == canonical_json(doc, indent=2) + "\n"


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=20)


@given(JSON)
def test_serialize_round_trips_and_ignores_insertion_order(doc):
    text = serialize(doc)
    assert text.endswith("\n") and not text.endswith("\n\n")
    assert json.loads(text) == doc
    reordered = json.loads(json.dumps(doc), object_pairs_hook=lambda pairs: dict(reversed(pairs)))
    assert serialize(reordered) == text
    assert all(line == line.rstrip() for line in text.splitlines())


def test_lone_surrogates_are_kept_as_escapes():
    text = serialize({"text": "a\ud800b"})
    assert text == '{\n  "text": "a\\ud800b"\n}\n'
    text.encode("utf-8")
    assert json.loads(text) == {"text": "a\ud800b"}


@pytest.mark.parametrize("doc,where", [
    ({"x": [float("nan")]}, "x.0"),
    ({"x": {1: "a"}}, "x"),
    ({"x": {"y": object()}}, "x.y"),
    ({"x": {"a", "b"}}, "x"),
])
def test_values_json_cannot_hold_are_refused_with_their_path(doc, where):
    with pytest.raises((TypeError, ValueError), match=f" {where} "):
        serialize(doc)


def test_kit_events_are_stored_in_their_json_form():
    event = ToolCallDone(choice=0, call=0, call_id="c1", action="f", arguments="{}", parameters={})
    assert json.loads(serialize([event])) == [to_json(event)]


# -- volatile() ----------------------------------------------------------------------

def snap(doc, matcher):
    return json.loads(serialize(doc, matcher=matcher))


def test_volatile_numbers_generated_ids_by_first_appearance():
    matcher = volatile(paths=(CALL_IDS,))
    got = snap(plan(ids=("gen_9", "gen_1")), matcher)
    commands = got["choices"][0]["commands"]
    assert [c.get("call_id") for c in commands] == [None, "<call_id 1>", "<call_id 2>"]
    # other ids generated on another run: the same snapshot
    assert got == snap(plan(ids=("x", "y")), matcher)
    # the same id twice is not the same as two ids
    assert snap(plan(ids=("x", "x")), matcher) != got
    # a difference elsewhere is still a difference
    assert snap(plan(ids=("x", "y"), city="Bergen"), matcher) != got


def test_volatile_is_opt_in_and_keeps_null_and_booleans():
    assert snap(plan(), volatile()) == plan()  # call ids are checked unless named
    doc = {"choices": [{"commands": [{"call_id": None}, {"call_id": True}, {"call_id": 7}]}]}
    assert snap(doc, volatile(paths=(CALL_IDS,))) == {
        "choices": [{"commands": [{"call_id": None}, {"call_id": True}, {"call_id": "<call_id 1>"}]}]}


def test_volatile_restarts_numbering_for_each_document():
    matcher = volatile(paths=("**.id",))
    assert snap([{"id": "a"}, {"id": "b"}], matcher) == [{"id": "<id 1>"}, {"id": "<id 2>"}]
    assert snap([{"id": "b"}, {"id": "a"}], matcher) == [{"id": "<id 1>"}, {"id": "<id 2>"}]
    assert snap([{"id": "b"}, {"id": "b"}], matcher) == [{"id": "<id 1>"}, {"id": "<id 1>"}]


def test_volatile_numbers_in_the_snapshots_order_not_the_dicts():
    matcher = volatile(paths=("*.id",))
    assert snap({"b": {"id": "x"}, "a": {"id": "y"}}, matcher) == {"a": {"id": "<id 1>"}, "b": {"id": "<id 2>"}}
    assert snap({"a": {"id": "y"}, "b": {"id": "x"}}, matcher) == {"a": {"id": "<id 1>"}, "b": {"id": "<id 2>"}}


def test_volatile_timestamps_and_regex_paths():
    doc = {"created": 1763000000, "run": {"started": "2025-01-01T00:00:00Z", "seconds": 0.25},
           "items": [{"key": "k1"}, {"key": "k2"}]}
    assert snap(doc, volatile()) == {"created": "<created>", "items": [{"key": "k1"}, {"key": "k2"}],
                                     "run": {"started": "<started>", "seconds": 0.25}}
    assert snap(doc, volatile(paths=(r"items\.\d+\.key", r"run\.seconds"), keys=(), regex=True)) == {
        "created": 1763000000, "items": [{"key": "<key 1>"}, {"key": "<key 2>"}],
        "run": {"started": "2025-01-01T00:00:00Z", "seconds": "<seconds 1>"}}


def test_volatile_refuses_a_bare_string():
    with pytest.raises(TypeError):
        volatile(paths=CALL_IDS)


def test_nothing_else_in_the_kit_imports_kit_snapshot():
    code = textwrap.dedent("""
        import importlib, pkgutil, sys
        import kit
        for info in pkgutil.walk_packages(kit.__path__, "kit."):
            if info.name != "kit.snapshot":
                try:
                    importlib.import_module(info.name)
                except Exception:
                    pass
        print("kit.snapshot" in sys.modules, "kit.pytest_plugin" in sys.modules)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "True"]


# -- the workflow, in a project of its own ----------------------------------------------

TEST_PLANS = """
    import json
    from pathlib import Path

    import pytest
    from kit.snapshot import PlanSnapshotExtension, volatile

    HERE = Path(__file__).parent

    def load(name):
        return json.loads((HERE / name).read_text(encoding="utf-8"))

    def test_alpha(snapshot):
        assert load("alpha.json") == snapshot(extension_class=PlanSnapshotExtension)

    @pytest.mark.slow
    def test_beta(snapshot):
        assert load("beta.json") == snapshot(extension_class=PlanSnapshotExtension)
"""

EXPECTED_ALPHA = """\
{
  "api": "openai.chat.completions",
  "choices": [
    {
      "commands": [
        {
          "text": "Grüße",
          "type": "SAY"
        },
        {
          "action": "get_weather",
          "arguments": "{\\"city\\": \\"Oslo\\"}",
          "call_id": "call_a",
          "parameters": {
            "city": "Oslo"
          },
          "type": "DO"
        },
        {
          "action": "get_time",
          "arguments": "{}",
          "call_id": "call_b",
          "parameters": {},
          "type": "DO"
        }
      ],
      "finish_reason": "tool_calls",
      "index": 0,
      "refusal": null,
      "server_tools": []
    }
  ],
  "error": null,
  "type": "plan",
  "usage": {
    "input_tokens": 3,
    "output_tokens": 5
  }
}
"""


@pytest.fixture(autouse=True)
def not_an_xdist_worker(monkeypatch):
    # The projects run in this process; under `pytest -n` syrupy would take them for
    # xdist workers (PYTEST_XDIST_WORKER) and leave the summary and clean-up to a
    # controller that does not exist.
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)


@pytest.fixture
def project(pytester):
    pytester.makeini("[pytest]\nmarkers =\n    slow: a slow test\n")
    pytester.makepyfile(test_plans=TEST_PLANS)
    write(pytester, "alpha.json", plan())
    write(pytester, "beta.json", plan(ids=("call_x", "call_y"), text="Hi"))
    return pytester


def write(pytester, name, doc):
    (pytester.path / name).write_text(json.dumps(doc), encoding="utf-8")


def run(pytester, *args):
    return pytester.runpytest("-p", "no:cacheprovider", *args)


def snapshots(pytester, module="test_plans"):
    folder = pytester.path / "__snapshots__" / module
    return {p.name: p.read_bytes() for p in folder.iterdir()} if folder.exists() else {}


def test_missing_update_pass_change(project):
    first = run(project)
    first.assert_outcomes(failed=2)
    first.stdout.fnmatch_lines(["*Snapshot 'test_alpha' does not exist!*", "*2 snapshots failed.*"])
    assert snapshots(project) == {}

    update = run(project, "--snapshot-update")
    update.assert_outcomes(passed=2)
    update.stdout.fnmatch_lines(["*2 snapshots generated.*"])
    files = snapshots(project)
    assert sorted(files) == ["test_alpha.json", "test_beta.json"]
    assert files["test_alpha.json"] == EXPECTED_ALPHA.encode("utf-8")
    assert b"\r" not in files["test_alpha.json"]

    again = run(project)
    again.assert_outcomes(passed=2)
    again.stdout.fnmatch_lines(["*2 snapshots passed.*"])
    assert run(project, "--snapshot-update").ret == 0
    assert snapshots(project) == files  # byte-stable

    write(project, "alpha.json", plan(city="Bergen"))
    changed = run(project)
    changed.assert_outcomes(failed=1, passed=1)
    changed.stdout.fnmatch_lines([  # a line diff of the canonical text, shown by default
        '*-           "arguments": "{?"city?": ?"Oslo?"}",*',
        '*+           "arguments": "{?"city?": ?"Bergen?"}",*',
    ])
    assert snapshots(project) == files  # a failing run writes nothing


@pytest.mark.parametrize("keyword", ["alpha", "not beta", "not slow"])
def test_partial_update_keeps_the_other_snapshot(project, keyword):
    assert run(project, "--snapshot-update").ret == 0
    files = snapshots(project)
    write(project, "alpha.json", plan(city="Bergen"))
    partial = run(project, "--snapshot-update", "-k", keyword)
    partial.assert_outcomes(passed=1, deselected=1)
    after = snapshots(project)
    assert after["test_beta.json"] == files["test_beta.json"]
    assert b"Bergen" in after["test_alpha.json"]

    # unused snapshots are deleted on update when their test is gone, so the check
    # above is not vacuous
    project.makepyfile(test_plans=TEST_PLANS.split("    @pytest.mark.slow")[0])
    run(project, "--snapshot-update").assert_outcomes(passed=1)
    assert sorted(snapshots(project)) == ["test_alpha.json"]


TEST_VOLATILE = """
    import json
    from pathlib import Path

    from kit.snapshot import PlanSnapshotExtension, volatile

    def test_generated_ids(snapshot):
        plan = json.loads((Path(__file__).parent / "plan.json").read_text(encoding="utf-8"))
        ids = volatile(paths=("choices.*.commands.*.call_id",))
        assert plan == snapshot(extension_class=PlanSnapshotExtension, matcher=ids)

    def test_exact_ids(snapshot):
        plan = json.loads((Path(__file__).parent / "plan.json").read_text(encoding="utf-8"))
        assert plan == snapshot(extension_class=PlanSnapshotExtension)
"""


def test_volatile_matcher_in_a_project(pytester):
    pytester.makepyfile(test_volatile=TEST_VOLATILE)
    write(pytester, "plan.json", plan(ids=("gen_1", "gen_2")))
    assert run(pytester, "--snapshot-update").ret == 0
    stored = snapshots(pytester, "test_volatile")["test_generated_ids.json"].decode("utf-8")
    assert '"call_id": "<call_id 1>"' in stored and '"call_id": "<call_id 2>"' in stored
    assert "gen_1" not in stored

    write(pytester, "plan.json", plan(ids=("gen_7", "gen_8")))  # ids generated by another run
    result = run(pytester)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*FAILED test_volatile.py::test_exact_ids*"])

    write(pytester, "plan.json", plan(ids=("gen_7", "gen_7")))  # one id used for both calls
    run(pytester, "-k", "generated").assert_outcomes(failed=1)

    write(pytester, "plan.json", plan(ids=("gen_7", "gen_8"), text="Hallo"))  # another difference
    result = run(pytester, "-k", "generated")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(['*-*"text": "Grüße",', '*+*"text": "Hallo",'])


TEST_FIXTURE = """
    import pytest
    from kit.snapshot import PlanSnapshotExtension

    @pytest.fixture
    def snapshot_plan(snapshot):
        return snapshot.use_extension(PlanSnapshotExtension)

    def test_plan(snapshot_plan):
        assert {"choices": [{"index": 0, "text": "%s"}]} == snapshot_plan
"""


def test_the_fixture_form_names_what_to_do_and_where_it_differs(pytester):
    pytester.makepyfile(test_fixture=TEST_FIXTURE % "one")
    missing = run(pytester)
    missing.assert_outcomes(failed=1)
    missing.stdout.fnmatch_lines(["*run pytest with --snapshot-update to write it*"])
    assert run(pytester, "--snapshot-update").ret == 0
    pytester.makepyfile(test_fixture=TEST_FIXTURE % "two!")
    changed = run(pytester)
    changed.assert_outcomes(failed=1)
    changed.stdout.fnmatch_lines(["*differs at: choices.0.text*"])
