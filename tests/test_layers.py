"""Layers stay layers: the pure domain imports no UI, serial, database or store/devices/screens code.

Each domain module is imported alone in a fresh interpreter and `sys.modules` is inspected, so an
indirect import (through another module) is caught too, which an AST scan would miss.
"""

from __future__ import annotations

import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FORBIDDEN = ("textual", "rich", "serial", "peewee", "playhouse", "sqlite3", "_sqlite3",
             "kiosk.store", "kiosk.devices", "kiosk.screens", "kiosk.widgets", "kiosk.gateway",
             "kiosk.models", "kiosk.services", "kiosk.cli")


def _domain_modules() -> list[str]:
    import kiosk.domain

    names = ["kiosk.domain"]
    for info in pkgutil.walk_packages(kiosk.domain.__path__, "kiosk.domain."):
        names.append(info.name)
    return names


def test_domain_has_modules_to_check():
    assert {"kiosk.domain.parser", "kiosk.domain.times", "kiosk.domain.codewords",
            "kiosk.domain.phones", "kiosk.domain.text"} <= set(_domain_modules())


_PROBE = """
import importlib, json, sys
before = set(sys.modules)
for name in sys.argv[1:]:
    importlib.import_module(name)
print(json.dumps(sorted(set(sys.modules) - before)))
"""


def _loaded_by(*modules: str) -> list[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", _PROBE, *modules], capture_output=True, text=True,
                          env=env, cwd=REPO, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _offenders(loaded: list[str]) -> list[str]:
    return [m for m in loaded if any(m == f or m.startswith(f + ".") for f in FORBIDDEN)]


@pytest.mark.parametrize("module", _domain_modules())
def test_domain_module_imports_nothing_forbidden(module):
    loaded = _loaded_by(module)
    assert module in loaded or module == "kiosk.domain"
    assert _offenders(loaded) == []


def test_the_probe_would_notice_a_forbidden_import():
    """The check can fail: importing sqlite3 in the same probe is reported."""
    assert "sqlite3" in _offenders(_loaded_by("kiosk.domain.text", "sqlite3"))
