"""Fixtures for the deployment tests: run systemd/install.sh into a temporary root."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
INSTALL = REPO / "systemd" / "install.sh"

EXAMPLE_CONFIG = """\
# kiosk example config (a stand-in for data/kiosk.example.toml in these tests)
[school]
name = "Example School"

[database]
# path = "kiosk.db"

[modem]
# port = "/dev/ttyUSB0"
baud = 115200
"""


def run_install(root: Path, *args: str, source: Path | None = None,
                check: bool = True) -> subprocess.CompletedProcess[str]:
    cmd = ["bash", str(INSTALL), "--root", str(root), "--no-venv"]
    if source is not None:
        cmd += ["--source", str(source)]
    result = subprocess.run([*cmd, *args], capture_output=True, text=True, timeout=60)
    if check and result.returncode != 0:
        raise AssertionError(f"install.sh {args} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    return result


@pytest.fixture
def source(tmp_path: Path) -> Path:
    """A kiosk source tree: the real systemd/ folder and an example config."""
    src = tmp_path / "src"
    shutil.copytree(REPO / "systemd", src / "systemd")
    (src / "data").mkdir()
    (src / "data" / "kiosk.example.toml").write_text(EXAMPLE_CONFIG)
    return src


@pytest.fixture
def root(tmp_path: Path) -> Path:
    path = tmp_path / "root"
    path.mkdir()
    return path
