"""A new vault's schema is made by replaying what the migrations build
(db/migrate.py ``create_schema``), not by running each migration: both
must give the same database, object for object and row for row."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from db import migrate
from db.engine import make_engine


def _database(engine: Engine) -> dict[str, Any]:
    with engine.connect() as conn:
        tables = sorted(
            (str(name), str(kind))
            for _schema, name, kind, *_ in conn.exec_driver_sql("PRAGMA main.table_list")
        )
        objects = sorted(
            tuple(row) for row in conn.exec_driver_sql("SELECT type, name, tbl_name, sql FROM sqlite_master")
        )
        rows = {
            name: sorted(tuple(row) for row in conn.exec_driver_sql(f'SELECT * FROM "{name}"'))
            for name, kind in tables
            if kind in ("table", "shadow") and not name.startswith("sqlite_")
        }
        columns = {
            name: [tuple(col) for col in conn.exec_driver_sql(f'PRAGMA main.table_xinfo("{name}")')]
            for name, kind in tables
            if kind == "table"
        }
    return {"objects": objects, "tables": tables, "rows": rows, "columns": columns}


def _new_engine(folder: Path, name: str) -> Engine:
    return make_engine(folder / name, secrets.token_bytes(32))


def test_a_replayed_schema_is_the_database_every_migration_builds(tmp_path: Path) -> None:
    migrated = _new_engine(tmp_path, "migrated.db")
    replayed = _new_engine(tmp_path, "replayed.db")
    try:
        migrate.upgrade(migrated)
        migrate.create_schema(replayed)
        built, made = _database(migrated), _database(replayed)
    finally:
        migrated.dispose()
        replayed.dispose()
    # The migrations build something worth comparing: the tables the vault
    # keeps its records and search index in, and the schema's version.
    assert {"revisions", "entities", "search_index", "alembic_version"} <= {
        name for name, _ in built["tables"]
    }
    assert built["rows"]["alembic_version"] == [(migrate.head_revision(),)]
    assert made == built


def test_a_replayed_schema_is_at_the_head_and_upgrades_to_nothing(tmp_path: Path) -> None:
    engine = _new_engine(tmp_path, "replayed.db")
    try:
        migrate.create_schema(engine)
        assert migrate.current_revision(engine) == migrate.head_revision()
        before = _database(engine)
        migrate.upgrade(engine)
        assert _database(engine) == before
    finally:
        engine.dispose()
