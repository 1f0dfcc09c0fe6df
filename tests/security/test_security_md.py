"""SECURITY.md stays true: every test it names (`path::test_name`) exists in that file.

The suite itself proves they pass; this proves the threat model does not cite a test that was
renamed or removed.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)::(test_\w+)`")


def references() -> list[tuple[str, str]]:
    return REFERENCE.findall((REPO / "SECURITY.md").read_text(encoding="utf-8"))


def defined_tests(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test_")}




def test_security_md_names_tests_and_every_one_exists():
    refs = references()
    assert len(refs) >= 20
    missing = []
    for file, name in refs:
        path = REPO / file
        if not path.is_file() or name not in defined_tests(path):
            missing.append(f"{file}::{name}")
    assert missing == []


def test_the_reference_pattern_catches_a_missing_test(tmp_path):
    path = tmp_path / "test_x.py"
    path.write_text("def test_here():\n    pass\n")
    assert defined_tests(path) == {"test_here"}
    assert REFERENCE.findall("`tests/a/b.py::test_c` and `tests/d.py::test_e`") == [("tests/a/b.py", "test_c"),
                                                                                      ("tests/d.py", "test_e")]


def test_every_proof_named_in_security_md_exists():
    """Also the references to a whole test file or module (`tests/ui/test_console.py`)."""
    text = (REPO / "SECURITY.md").read_text(encoding="utf-8")
    refs = sorted(set(re.findall(r"`(tests/[^`]+)`", text)))
    assert len(refs) > 20
    missing = []
    for ref in refs:
        path, _, name = ref.partition("::")
        file = REPO / path
        if not file.exists() or (name and name not in defined_tests(file)):
            missing.append(ref)
    assert missing == []
