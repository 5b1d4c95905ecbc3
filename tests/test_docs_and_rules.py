"""conformance.md and the rule catalogue cannot drift apart."""

from __future__ import annotations

import os
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

        why = (f"docs/openai-sdk.md was generated with openai {documented.group(1)}, "
               f"this environment has {version('openai')} (pip install '.[test]' installs the published one)")
        if os.environ.get("CI"):  # CI installs the test extra: the published check must run there
            pytest.fail(why)
        pytest.skip(why)
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


def _test_extra_pins() -> dict[str, str]:
    text = (Path(__file__).resolve().parent.parent / "pyproject.toml").read_text(encoding="utf-8")
    extra = re.search(r"^test = \[(.*?)\]", text, re.M | re.S)
    assert extra, "pyproject.toml has no test extra"
    return dict(re.findall(r'"([A-Za-z0-9_.-]+)==([^"]+)"', extra.group(1)))


def test_the_test_extra_installs_the_published_sdks():
    """What `pip install '.[test]'` installs is what the docs were generated with: the pins of the
    sdk matrix environment, which docs/openai-sdk.md and docs/compatibility.md name."""
    root = Path(__file__).resolve().parent.parent
    pins = _test_extra_pins()
    locked = dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)$", (root / "matrix" / "envs" / "sdk.txt").read_text(), re.M))
    for sdk in ("openai", "anthropic"):
        assert pins.get(sdk) == locked[sdk], (
            f"pyproject.toml's test extra pins {sdk} {pins.get(sdk)}, matrix/envs/sdk.txt {locked[sdk]}")
    documented = re.search(r"with openai ([0-9][^,\s]*),", (root / "docs" / "openai-sdk.md").read_text(encoding="utf-8"))
    assert documented and documented.group(1) == pins["openai"]
    summary = (root / "README.md").read_text(encoding="utf-8")
    for sdk in ("openai", "anthropic"):
        assert f"{sdk} {pins[sdk]}," in summary, f"the README's matrix paragraph does not name {sdk} {pins[sdk]}"


def test_ci_runs_the_readme_quick_start():
    """.ci/run runs what .ci/quickstart-commands takes from README.md: two commands, the first
    installs the kit and runs the main job, the second installs the test extra and runs pytest."""
    import shutil
    import subprocess

    import pytest

    if shutil.which("bash") is None:
        pytest.skip("bash is not on PATH")
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run(["bash", str(root / ".ci" / "quickstart-commands")], capture_output=True, text=True, check=True)
    commands = out.stdout.splitlines()
    assert len(commands) == 2, commands
    main_job, tests = commands
    assert "pip install ." in main_job and main_job.rstrip().endswith("kit verify"), main_job
    assert "pip install '.[test]'" in tests and tests.rstrip().endswith("-m pytest"), tests
    ci = (root / ".ci" / "run").read_text(encoding="utf-8")
    assert "bash .ci/quickstart-commands" in ci and '"${commands[$i]}"' in ci
