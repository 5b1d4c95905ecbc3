from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# CI runs a fixed, derandomised profile so a red run is reproducible; locally the
# default profile explores more.
settings.register_profile("ci", derandomize=True, max_examples=60, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=100, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

REPO = Path(__file__).resolve().parent.parent
REAL_TRACES = REPO.parent / "shared" / "real-traces"


def real_traces_or_skip() -> Path:
    if not (REAL_TRACES / "manifest.json").is_file():
        pytest.skip(f"real traces not found at ../shared/real-traces (relative to the repository); "
                    "these tests need the shared folder beside the checkout")
    return REAL_TRACES


@pytest.fixture(scope="session")
def real_manifest() -> list[dict]:
    root = real_traces_or_skip()
    return json.loads((root / "manifest.json").read_text())
