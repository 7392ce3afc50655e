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


# -- the door to the vault: db/api.py ---------------------------------------------------

CLIENTS = ("desktop", "sync", "fieldvault")


def db_imports(path: Path) -> list[tuple[str, list[str]]]:
    """Every import of ``db`` or a module of it in ``path``: (module, names)."""
    found: list[tuple[str, list[str]]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names if alias.name.split(".")[0] == "db"]
        elif (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.level == 0
            and node.module.split(".")[0] == "db"
        ):
            found.append((node.module, [alias.name for alias in node.names]))
    return found


@pytest.mark.parametrize("package", CLIENTS)
def test_other_packages_use_the_vault_only_through_db_api(package: str) -> None:
    """DESIGN.md "The door to the vault": one module declares what the other
    packages may use; the rest of db/ can change without breaking them."""
    import db.api

    offences: dict[str, list[str]] = {}
    for path in (REPO / package).rglob("*.py"):
        for module, names in db_imports(path):
            if module != "db.api":
                offences.setdefault(str(path.relative_to(REPO)), []).append(module)
            elif undeclared := sorted(set(names) - set(db.api.__all__)):
                offences.setdefault(str(path.relative_to(REPO)), []).extend(undeclared)
    assert offences == {}


def test_the_door_declares_what_it_exports_and_loads_nothing_heavy() -> None:
    import subprocess
    import sys

    import db.api

    assert set(db.api.__all__) == set(db.api._WHERE)
    for name in db.api.__all__:
        assert getattr(db.api, name) is not None, name
    # Importing the door, or an error class through it, loads no database stack:
    # the GUI's first screen takes its names without paying for SQLAlchemy.
    probe = (
        "import sys\nfrom db.api import FieldvaultError, InvalidInput\n"
        "print(sorted(m for m in ('sqlalchemy', 'sqlcipher3', 'alembic', 'db.vault') if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "[]"


# -- the server: an operator's install needs neither the vault stack nor Qt -----------


def test_the_server_imports_no_vault_and_no_qt() -> None:
    """DESIGN.md: sync/server/ imports only sync/org.py and the bundle header
    checks, never db/ or Qt. Its own files import nothing of db, desktop,
    fieldvault or PySide6; loaded, it brings in only the error base classes
    that sync/org.py and the bundle errors take from db.api (db/errors.py)
    and the one strict base64 decoder every reader of signed things uses
    (db/strict_b64.py), both standard library only: no SQLCipher, Argon2,
    keyring, vault or GUI."""
    import subprocess
    import sys

    direct = {
        str(path.relative_to(REPO)): sorted(
            imported_top_levels(path) & {"db", "desktop", "fieldvault", "PySide6"}
        )
        for path in (REPO / "sync" / "server").rglob("*.py")
    }
    assert {k: v for k, v in direct.items() if v} == {}
    probe = (
        "import sys\nimport sync.server.deploy, sync.server.app, sync.client.transport\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('db', 'desktop', 'fieldvault', 'PySide6', 'sqlcipher3', 'argon2', 'keyring')))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "['db', 'db.api', 'db.errors', 'db.strict_b64']"
    # `python -m fieldvault.serve_cli` (fieldvault serve without the rest of the CLI) too.
    probe = (
        "import sys\nimport fieldvault.serve_cli, sync.server.deploy\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('db', 'desktop', 'PySide6', 'sqlcipher3', 'argon2', 'keyring')))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "['db', 'db.api', 'db.errors', 'db.strict_b64']"
