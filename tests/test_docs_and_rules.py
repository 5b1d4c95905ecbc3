"""conformance.md and the rule catalogue cannot drift apart."""

from __future__ import annotations

import re
from pathlib import Path

from kit.docs import render
from kit.rules import RULES, RULES_BY_ID

DOC = Path(__file__).resolve().parent.parent / "conformance.md"


def test_conformance_md_is_generated_from_the_code():
    text = DOC.read_text(encoding="utf-8")
    assert render(text) == text, "conformance.md is out of date: run `kit docs`"


def test_every_rule_documented_once():
    text = DOC.read_text(encoding="utf-8")
    for rule in RULES:
        assert text.count(f"#### {rule.id}\n") == 1, rule.id
    documented = set(re.findall(r"^#### ([a-z0-9-]+)$", text, re.M))
    assert documented == set(RULES_BY_ID)


def test_rule_catalogue_well_formed():
    assert len(RULES_BY_ID) == len(RULES), "duplicate rule id"
    for r in RULES:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", r.id), r.id
        assert r.level in ("MUST", "SHOULD") and r.kind in ("fault", "dialect", "info", "behaviour")
        assert r.requirement.endswith(".") and r.evidence, r.id
        assert all(e.startswith("https://") for e in r.evidence), r.id


def test_rule_ids_used_in_code_exist():
    root = Path(__file__).resolve().parent.parent / "kit"
    used = set()
    for path in root.rglob("*.py"):
        used |= set(re.findall(r'"((?:sse|chat|resp|anth|plan)-[a-z0-9-]+)"', path.read_text()))
    unknown = used - set(RULES_BY_ID)
    assert not unknown, unknown


def test_openai_sdk_matrix_is_current():
    """docs/openai-sdk.md publishes what the bundled openai adapters get: it must be what they get."""
    import importlib.util
    from importlib.metadata import version

    root = Path(__file__).resolve().parent.parent
    text = (root / "docs" / "openai-sdk.md").read_text(encoding="utf-8")
    documented = re.search(r"with openai ([0-9][^,\s]*),", text)
    assert documented, "docs/openai-sdk.md does not say which openai version it was generated with"
    if documented.group(1) != version("openai"):
        import pytest

        pytest.skip(f"docs/openai-sdk.md was generated with openai {documented.group(1)}, "
                    f"this environment has {version('openai')}")
    spec = importlib.util.spec_from_file_location("openai_sdk_matrix", root / "docs" / "openai_sdk_matrix.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    block = re.search(r"<!-- kit:begin openai-sdk-matrix -->\n(.*?)<!-- kit:end openai-sdk-matrix -->", text, re.S)
    assert block, "docs/openai-sdk.md lost its generated block"
    # the in-process rows (seconds); the http rows rebuild one client process per case (minutes) and
    # tests/test_http_adapter.py checks that those clients agree with the in-process ones
    names = module.IN_PROCESS_ADAPTERS
    assert module.parts(block.group(1), names) == module.parts(module.block(names), names), \
        "docs/openai-sdk.md is out of date: run python docs/openai_sdk_matrix.py"
