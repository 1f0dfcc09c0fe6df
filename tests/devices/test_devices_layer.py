"""kiosk/devices (and kiosk/simulator) know nothing about visits: their modules import no store,
services, domain, UI or database code (each imported alone in a fresh interpreter, so indirect
imports are caught too)."""

from __future__ import annotations

import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FORBIDDEN = ("textual", "rich", "peewee", "playhouse", "sqlite3", "kiosk.store", "kiosk.services",
             "kiosk.domain", "kiosk.screens", "kiosk.widgets", "kiosk.gateway", "kiosk.config", "kiosk.cli")


def _modules() -> list[str]:
    """Every module of kiosk.devices (the hardware) and kiosk.simulator (the tool that stands in for it)."""
    import kiosk.devices
    import kiosk.simulator

    return [info.name for package in (kiosk.devices, kiosk.simulator)
            for info in pkgutil.walk_packages(package.__path__, package.__name__ + ".")]


MODULES = _modules()
PROBE = """
import importlib, json, sys
before = set(sys.modules)
importlib.import_module(sys.argv[1])
print(json.dumps(sorted(set(sys.modules) - before)))
"""


def test_every_part_of_the_driver_and_the_simulator_is_checked():
    assert {"kiosk.devices.modem", "kiosk.devices.at_channel", "kiosk.devices.urc", "kiosk.devices.at_commands",
            "kiosk.simulator.modem", "kiosk.simulator.commands", "kiosk.simulator.console"} <= set(MODULES)


@pytest.mark.parametrize("module", MODULES)
def test_device_module_imports_nothing_about_visits(module):
    done = subprocess.run([sys.executable, "-c", PROBE, module], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO)}, cwd=REPO, timeout=60)
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stdout)
    assert [m for m in loaded if any(m == f or m.startswith(f + ".") for f in FORBIDDEN)] == []
