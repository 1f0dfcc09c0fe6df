"""Layers stay layers, and the packages import each other without a circle.

Two kinds of check. A runtime probe: a module is imported alone in a fresh interpreter and
`sys.modules` is inspected, so an indirect import (through another module) is caught too: the pure
domain loads no UI, serial, database or store code; services load neither textual nor the gateway.
A static scan of every import statement in kiosk/ (top-level and inside functions alike, so a
circle cannot hide in a function-level import): each package imports only packages of a lower
layer (LAYERS), screens and widgets never import kiosk.store or peewee directly (they go through
services), and the package graph has no circle. Each check is shown to fail on a forbidden import.
"""

from __future__ import annotations

import ast
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



# --- services: no UI, no gateway (runtime probe) -----------------------------------------------------

SERVICES_FORBIDDEN = ("textual", "kiosk.gateway", "kiosk.screens", "kiosk.widgets", "kiosk.app", "kiosk.ops",
                      "kiosk.cli")


def _services_modules() -> list[str]:
    import kiosk.services

    return ["kiosk.services"] + [info.name for info in pkgutil.walk_packages(kiosk.services.__path__, "kiosk.services.")]


@pytest.mark.parametrize("module", _services_modules())
def test_services_module_loads_neither_textual_nor_the_gateway(module):
    loaded = _loaded_by(module)
    assert [m for m in loaded if any(m == f or m.startswith(f + ".") for f in SERVICES_FORBIDDEN)] == []


def test_the_services_probe_would_notice_textual():
    loaded = _loaded_by("kiosk.services.audit", "textual.app")
    assert "textual.app" in [m for m in loaded if any(m == f or m.startswith(f + ".") for f in SERVICES_FORBIDDEN)]


# --- the package graph (static scan of every import statement) --------------------------------------

# Lowest first. A package may import its own modules and any package of a LOWER layer, never one of
# its own layer or above: that is what "no arrow runs up a layer" means, and it also rules out circles.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("kiosk", "kiosk.domain", "kiosk.clock", "kiosk.themes", "kiosk.gcpolicy", "kiosk.privileges"),
    ("kiosk.config_checks",),
    ("kiosk.config", "kiosk.devices", "kiosk.security", "kiosk.inotify"),
    ("kiosk.store", "kiosk.simulator"),
    ("kiosk.services", "kiosk.dbwatch", "kiosk.trust", "kiosk.web"),
    ("kiosk.ops", "kiosk.widgets"),
    ("kiosk.gateway", "kiosk.screens"),
    ("kiosk.app",),
    ("kiosk.cli",),
    ("kiosk.__main__",),
)
# Lower, but still not to be imported directly: the screens reach stored facts through services.
NEVER_DIRECT = {
    "kiosk.screens": ("kiosk.store", "peewee", "playhouse", "sqlite3"),
    "kiosk.widgets": ("kiosk.store", "peewee", "playhouse", "sqlite3"),
    "kiosk.services": ("textual", "kiosk.gateway"),
    "kiosk.devices": ("kiosk.services", "kiosk.store", "kiosk.domain"),
}
KIOSK = REPO / "kiosk"


def _package(module: str) -> str:
    """kiosk.services.visits -> kiosk.services; kiosk.app -> kiosk.app; peewee.x -> peewee."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "kiosk" else parts[0]


def _module_name(path: Path) -> str:
    rel = path.relative_to(REPO).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def imports_of(source: str, module: str, *, is_package: bool = False) -> set[str]:
    """Every module named by an import statement in `source`, wherever it stands (function bodies
    and `if TYPE_CHECKING:` blocks too); relative imports resolved against `module`."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")[: len(module.split(".")) - node.level + (1 if is_package else 0)]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names if base.startswith("kiosk"))
    return found


def package_edges(sources: dict[str, tuple[str, bool]]) -> dict[tuple[str, str], set[str]]:
    """(importing package, imported package) -> the modules where that import stands."""
    edges: dict[tuple[str, str], set[str]] = {}
    for module, (source, is_package) in sources.items():
        here = _package(module)
        for target in imports_of(source, module, is_package=is_package):
            there = _package(target)
            if there != here:
                edges.setdefault((here, there), set()).add(module)
    return edges


def module_edges(sources: dict[str, tuple[str, bool]]) -> dict[tuple[str, str], set[str]]:
    """(importing module, imported kiosk module) for every import statement: a circle between two
    modules of one package (alarms <-> visits) is as much a knot as one between packages."""
    edges: dict[tuple[str, str], set[str]] = {}
    for module, (source, is_package) in sources.items():
        for target in imports_of(source, module, is_package=is_package):
            while target and target not in sources:
                target = target.rpartition(".")[0]  # kiosk.services.visits.close -> kiosk.services.visits
            if module.startswith(target + "."):
                continue  # `from kiosk.services import audit` in kiosk.services.x: the package is already loading
            if target and target != module and target.startswith("kiosk."):
                edges.setdefault((module, target), set()).add(module)
    return edges


def violations(edges: dict[tuple[str, str], set[str]]) -> list[str]:
    """Every import that runs up (or across) a layer, or breaks a NEVER_DIRECT rule."""
    layer_of = {package: i for i, layer in enumerate(LAYERS) for package in layer}
    found = []
    for (here, there), where in sorted(edges.items()):
        if here not in layer_of:
            found.append(f"{here}: not in LAYERS (add it where it belongs)")
            continue
        if there.startswith("kiosk"):
            if there not in layer_of:
                found.append(f"{there}: not in LAYERS (imported by {sorted(where)})")
            elif layer_of[there] >= layer_of[here]:
                found.append(f"{here} -> {there} runs up or across a layer ({sorted(where)})")
        if any(there == bad or there.startswith(bad + ".") for bad in NEVER_DIRECT.get(here, ())):
            found.append(f"{here} -> {there} is never direct ({sorted(where)})")
    return found


def circles(edges: dict[tuple[str, str], set[str]]) -> list[list[str]]:
    """Strongly connected sets of kiosk packages larger than one (each is a circle)."""
    graph: dict[str, set[str]] = {}
    for here, there in edges:
        if there.startswith("kiosk"):
            graph.setdefault(here, set()).add(there)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return out


def _kiosk_sources() -> dict[str, tuple[str, bool]]:
    return {_module_name(path): (path.read_text(encoding="utf-8"), path.name == "__init__.py")
            for path in sorted(KIOSK.rglob("*.py"))}


def test_no_import_runs_up_a_layer():
    assert violations(package_edges(_kiosk_sources())) == []


def test_no_circle_between_packages():
    assert circles(package_edges(_kiosk_sources())) == []


def test_no_circle_between_modules():
    """Not even through a function-level import: kiosk.services.alarms <-> visits was one (moved to
    kiosk.services.contact and .closing, which both import)."""
    assert circles(module_edges(_kiosk_sources())) == []


def test_every_package_has_a_layer():
    layer_of = {package for layer in LAYERS for package in layer}
    assert {_package(m) for m in _kiosk_sources()} <= layer_of


def test_the_scan_would_notice_a_forbidden_import():
    """The checks can fail: a screen reading the models, a service inside a function importing the
    gateway, a store module importing services, and a circle made of two such imports."""
    sources = _kiosk_sources()
    sources["kiosk.screens.bad"] = ("from kiosk.store.models import Staff\n", False)
    sources["kiosk.services.bad"] = ("def f():\n    from kiosk.gateway import service\n", False)
    sources["kiosk.store.bad"] = ("import kiosk.services.visits\n", False)
    found = violations(package_edges(sources))
    assert any(v.startswith("kiosk.screens -> kiosk.store is never direct") for v in found)
    assert any(v.startswith("kiosk.services -> kiosk.gateway runs up") for v in found)
    assert any(v.startswith("kiosk.store -> kiosk.services runs up") for v in found)
    assert any({"kiosk.services", "kiosk.store"} <= set(group) for group in circles(package_edges(sources)))
    sources["kiosk.services.audit"] = (sources["kiosk.services.audit"][0]
                                       + "\n\ndef f():\n    from kiosk.services import visits\n", False)
    assert any({"kiosk.services.audit", "kiosk.services.visits"} <= set(group)
               for group in circles(module_edges(sources)))


def test_relative_imports_are_resolved():
    assert imports_of("from ..store import models\n", "kiosk.screens.board") >= {"kiosk.store", "kiosk.store.models"}
    assert imports_of("from . import audit\n", "kiosk.services", is_package=True) >= {"kiosk.services.audit"}
