from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, settings

# CI runs a fixed, derandomised profile so a red run is reproducible; locally the
# default profile explores more.
settings.register_profile("ci", derandomize=True, max_examples=60, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=100, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

REPO = Path(__file__).resolve().parent.parent
REAL_TRACES = REPO.parent / "shared" / "real-traces"
