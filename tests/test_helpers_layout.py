"""Tests import what they share from helper modules (tests/vault_helpers.py,
tests/cli_helpers.py, ...); a conftest.py holds fixtures only, so pytest's
fixture discovery and the helpers a test imports never get mixed up
(docs/development.md)."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _modules() -> list[Path]:
    return sorted(TESTS.rglob("*.py"))


def _is_fixture(node: ast.FunctionDef) -> bool:
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(target, ast.Attribute) and target.attr == "fixture":
            return True
    return False


def test_no_test_module_imports_from_a_conftest() -> None:
    offences = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[-1] == "conftest":
                offences.append(f"{path.relative_to(TESTS)}:{node.lineno}")
    assert offences == []


def test_conftest_files_define_fixtures_only() -> None:
    offences = []
    for path in TESTS.rglob("conftest.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ClassDef) or (
                isinstance(node, ast.FunctionDef)
                and not _is_fixture(node)
                and not node.name.startswith("pytest_")
            ):
                offences.append(f"{path.relative_to(TESTS)}: {node.name}")
    assert offences == []
