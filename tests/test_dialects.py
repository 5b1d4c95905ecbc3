"""The dialect registry (kit/dialects.py), the trace field `dialect`, and `kit dialects`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from kit.cli import main
from kit.dialects import DIALECTS, DIALECTS_BY_ID, dialect_of
from kit.errors import TraceError
from kit.rules import RULES_BY_ID
from kit.trace import corpus, from_json, load

TRACES = corpus()
BASE = next(t for t in TRACES if t.cls == "y" and t.dialect is None)  # a contract trace to vary


def test_every_y_trace_is_contract_or_a_registered_dialect():
    for t in TRACES:
        assert t.dialect is None or t.dialect in DIALECTS_BY_ID, t.name
        assert dialect_of(t) == t.dialect


def test_every_entry_is_carried_by_a_trace_and_has_evidence():
    carried = {t.dialect for t in TRACES if t.dialect}
    for d in DIALECTS:
        assert d.id in carried, f"{d.id}: no trace of the corpus carries it"
        assert d.evidence and all(e.startswith("https://") for e in d.evidence), d.id
        assert d.providers and all(p.strip() for p in d.providers), d.id
        assert d.deviation.endswith(".") and d.deviation.count(". ") == 0, f"{d.id}: one sentence"
        assert d.rules and all(r in RULES_BY_ID for r in d.rules), d.id
    assert len(DIALECTS_BY_ID) == len(DIALECTS), "ids are unique"
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", d.id) for d in DIALECTS)


def test_a_dialect_trace_exercises_a_rule_of_its_entry():
    """The trace's dialect is what it is about: the entry's rules and the trace's overlap."""
    for t in TRACES:
        if t.dialect:
            assert set(DIALECTS_BY_ID[t.dialect].rules) & set(t.rules), t.name


def test_first_party_traces_are_contract():
    """A trace whose provenance names OpenAI or Anthropic as the provider models the provider's
    own stream: it is contract, whatever it exercises."""
    for t in TRACES:
        if t.cls == "y" and (t.provenance.get("provider") or "") in ("openai", "anthropic"):
            assert t.dialect is None, t.name


def _doc(**over):
    doc = json.loads(Path(BASE.path).read_text(encoding="utf-8"))
    doc.update(over)
    return doc


def test_dialect_field_round_trips_and_unknown_ids_are_rejected():
    t = from_json(_doc(dialect="bom-prefix"))
    assert t.dialect == "bom-prefix" and t.to_json()["dialect"] == "bom-prefix"
    assert "dialect" not in from_json(_doc()).to_json() and from_json(_doc()).dialect is None
    with pytest.raises(TraceError) as exc:
        from_json(_doc(dialect="no-such-dialect"), path="x.json")
    assert exc.value.pointer == "/dialect" and "no-such-dialect" in str(exc.value)
    with pytest.raises(TraceError) as exc:  # the schema: a kebab-case string
        from_json(_doc(dialect="Not Kebab"), path="x.json")
    assert exc.value.pointer == "/dialect"


def test_lint_names_the_trace_and_the_field_of_an_unknown_dialect(tmp_path):
    bad = tmp_path / "y_bad.json"
    bad.write_text(json.dumps(_doc(id="y_bad", dialect="no-such-dialect")), encoding="utf-8")
    r = CliRunner().invoke(main, ["lint", str(bad)])
    assert r.exit_code == 3, r.output
    assert str(bad) in r.output and "/dialect" in r.output and "no-such-dialect" in r.output
    assert "Traceback" not in r.output
    good = tmp_path / "y_good.json"
    good.write_text(json.dumps(_doc(id="y_good", dialect="bom-prefix")), encoding="utf-8")
    assert load(good).dialect == "bom-prefix"


def test_kit_dialects_lists_entries_with_their_traces():
    r = CliRunner().invoke(main, ["dialects"])
    assert r.exit_code == 0, r.output
    for d in DIALECTS:
        assert re.search(rf"^{re.escape(d.id)}  \(\d+ traces?\)$", r.output, re.M), d.id
    blocks = {b.split("  (")[0]: b for b in r.output.split("\n\n")}
    for t in TRACES:
        if t.dialect:
            assert t.name in blocks[t.dialect], (t.name, t.dialect)
    y = [t for t in TRACES if t.cls == "y"]
    assert f"of {len(y)} y_ traces, {sum(1 for t in y if t.dialect)} carry a dialect" in r.output


def test_kit_dialects_json_and_extra_folders(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "y_mine.json").write_text(json.dumps(_doc(id="y_mine", dialect="tool-calls-index-zero")),
                                        encoding="utf-8")
    r = CliRunner().invoke(main, ["dialects", "--json", "--id", "tool-calls-index-zero", str(folder)])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    [entry] = doc["dialects"]
    assert entry["id"] == "tool-calls-index-zero" and entry["evidence"] and entry["rules"]
    names = {(x["trace"], x.get("folder")) for x in entry["traces"]}
    bundled = {(t.name, None) for t in TRACES if t.dialect == "tool-calls-index-zero"}
    assert bundled and bundled <= names
    assert (f"{BASE.api}/y_mine", str(folder)) in names
    # the bundled corpus named again is not counted twice
    again = json.loads(CliRunner().invoke(main, ["dialects", "--json", str(Path(BASE.path).parents[1])]).output)
    assert again["counts"]["traces"] == len(TRACES)


def test_kit_dialects_errors():
    r = CliRunner().invoke(main, ["dialects", "--id", "nope"])
    assert r.exit_code == 2 and "unknown dialect id 'nope'" in r.output
    r = CliRunner().invoke(main, ["dialects", "no/such/folder"])
    assert r.exit_code == 3 and "no such file or folder" in r.output


def test_readme_counts_are_the_corpus():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    m = re.search(r"(\d+) dialects; of (\d+) `y_` traces, (\d+) are a dialect of a compatible server, (\d+) the "
                  r"provider's contract", readme)
    assert m, "README's table lost the dialect registry's row"
    y = [t for t in TRACES if t.cls == "y"]
    dialect = sum(1 for t in y if t.dialect)
    assert tuple(map(int, m.groups())) == (len(DIALECTS), len(y), dialect, len(y) - dialect)
