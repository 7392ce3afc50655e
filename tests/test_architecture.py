"""Dependencies point one way: desktop → sync → db (DESIGN.md, STYLE.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

FORBIDDEN = {
    "db": {"sync", "desktop", "fieldvault", "PySide6"},
    "sync": {"desktop", "fieldvault", "PySide6"},
    # The GUI reaches data only through the services: no SQL, no crypto.
    "desktop": {"sqlalchemy", "sqlcipher3", "cryptography", "argon2", "alembic", "fieldvault"},
}


def imported_top_levels(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_only_what_its_layer_may(package: str) -> None:
    offences = {
        str(path.relative_to(REPO)): sorted(imported_top_levels(path) & FORBIDDEN[package])
        for path in (REPO / package).rglob("*.py")
    }
    assert {k: v for k, v in offences.items() if v} == {}


def test_checker_sees_imports() -> None:
    assert {"sqlalchemy", "cryptography"} <= imported_top_levels(
        REPO / "db" / "engine.py"
    ) | imported_top_levels(REPO / "db" / "keys.py")
