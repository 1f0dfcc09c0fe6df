"""Shared fixtures: an injected clock, a throwaway database path, and the kiosk CLI as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

from kiosk.clock import FakeClock

REPO = Path(__file__).resolve().parents[1]

# Property tests: a fixed, derandomized profile in CI (CI=true) so a run is reproducible.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI") == "true":
    settings.load_profile("ci")


@pytest.fixture
def clock() -> FakeClock:
    """Tuesday 24 Nov 2026, 14:00 UTC (= 14:00 Europe/London): inside staffed hours."""
    return FakeClock("2026-11-24T14:00:00+00:00")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "kiosk.db"


def run_kiosk(*args: str, env: dict[str, str] | None = None, input: str | None = None,
              timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run the real CLI (`python -m kiosk`) from this source tree, as a user would."""
    full_env = {**os.environ, "PYTHONPATH": str(REPO), "KIOSK_CONFIG": os.devnull}
    full_env.pop("KIOSK_NOW", None)
    if env:
        full_env.update(env)
    return subprocess.run([sys.executable, "-m", "kiosk", *args], capture_output=True, text=True,
                          env=full_env, input=input, timeout=timeout, cwd=REPO)


@pytest.fixture
def kiosk_cli():
    return run_kiosk
