"""kiosk/devices knows nothing about visits: its modules import no store, services, domain, UI or
database code (each imported alone in a fresh interpreter, so indirect imports are caught too)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FORBIDDEN = ("textual", "rich", "peewee", "playhouse", "sqlite3", "kiosk.store", "kiosk.services",
             "kiosk.domain", "kiosk.screens", "kiosk.widgets", "kiosk.gateway", "kiosk.config", "kiosk.cli")
MODULES = ["kiosk.devices.modem", "kiosk.devices.simulator", "kiosk.devices.sim_console",
           "kiosk.devices.quirks", "kiosk.devices.atlines", "kiosk.devices.listing", "kiosk.devices.events",
           "kiosk.devices.errors", "kiosk.devices.calls", "kiosk.devices.modem_config", "kiosk.devices.sim_commands"]
PROBE = """
import importlib, json, sys
before = set(sys.modules)
importlib.import_module(sys.argv[1])
print(json.dumps(sorted(set(sys.modules) - before)))
"""


@pytest.mark.parametrize("module", MODULES)
def test_device_module_imports_nothing_about_visits(module):
    done = subprocess.run([sys.executable, "-c", PROBE, module], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO)}, cwd=REPO, timeout=60)
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stdout)
    assert [m for m in loaded if any(m == f or m.startswith(f + ".") for f in FORBIDDEN)] == []
