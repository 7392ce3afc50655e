"""Bringing a vault database to the current schema with Alembic."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import sqlcipher3
from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext, RevisionStep
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.pool import StaticPool

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


@cache
def migration_scripts() -> ScriptDirectory:
    """The migration scripts, read once a process: a new ScriptDirectory
    reads and compiles every migration module again, which cost each vault
    opened ~20 ms even when it had nothing to upgrade."""
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    head = migration_scripts().get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, target: str = "head") -> None:
    """Run pending migrations in one transaction: all of them or none.

    A vault already at ``target`` is left alone without reading a script.
    This is what alembic's ``command.upgrade`` does, with the scripts read
    once (``migration_scripts``)."""
    scripts = migration_scripts()
    destination = scripts.get_current_head() if target == "head" else target
    with engine.begin() as conn:
        if MigrationContext.configure(conn).get_current_revision() == destination:
            return
        config = alembic_config()
        config.attributes["connection"] = conn

        def steps(current: str, _context: MigrationContext) -> list[RevisionStep]:
            return scripts._upgrade_revs(target, current)

        with EnvironmentContext(config, scripts, fn=steps, destination_rev=target):
            scripts.run_env()


# The order a schema's statements are replayed in: every table before
# anything that names one (a table rebuilt by a later migration has a later
# rowid than the indexes, views and triggers made before it).
_REPLAY_ORDER = {"table": 0, "index": 1, "view": 2, "trigger": 3}


@dataclass(frozen=True)
class NewVaultSchema:
    """What running every migration on an empty database leaves: the
    statements that make its schema and the rows of its ordinary tables
    (today only alembic_version's head)."""

    statements: tuple[str, ...]
    rows: tuple[tuple[str, tuple[tuple[Any, ...], ...]], ...]


def _scratch_engine() -> Engine:
    """An in-memory database of the same SQLite build as the vaults (no key:
    it holds a schema, nothing else), with the vault engine's transaction
    handling, for the migrations to run on."""
    engine = create_engine(
        "sqlite://",
        creator=lambda: sqlcipher3.connect(":memory:", check_same_thread=False, isolation_level=None),
        module=sqlcipher3.dbapi2,
        poolclass=StaticPool,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA foreign_keys = ON")

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN")

    return engine


def _renamed_virtual_table(name: str, sql: str) -> tuple[str, str]:
    """A virtual table a migration made under another name and renamed, made
    the same way: FTS5 names its shadow tables in single quotes, SQLite's
    rename rewrites them in double quotes, and a new vault's DDL must read
    exactly as every older vault's (docs/vault-format.md, the independent
    verifier)."""
    scratch = f"{name}_replayed"
    created = re.sub(
        rf'^CREATE VIRTUAL TABLE ("?){re.escape(name)}\1 ', f'CREATE VIRTUAL TABLE "{scratch}" ', sql
    )
    if created == sql:
        raise RuntimeError(f"cannot replay virtual table {name}: {sql[:60]}")
    return created, f'ALTER TABLE "{scratch}" RENAME TO "{name}"'


@cache
def new_vault_schema() -> NewVaultSchema:
    """The schema a new vault gets, taken once a process by running every
    migration on a scratch database, so it cannot drift from them.

    Replaying it (``create_schema``) instead of running every migration
    for each new vault makes a vault in under half the time (~30 ms against ~70) (the test suite
    creates thousands); tests/db/test_new_vault_schema.py checks that the
    two give the same database."""
    engine = _scratch_engine()
    try:
        upgrade(engine)
        with engine.connect() as conn:
            kinds = {
                str(name): str(kind)
                for _schema, name, kind, *_ in conn.exec_driver_sql("PRAGMA main.table_list")
            }
            objects = conn.exec_driver_sql(
                "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid"
            ).all()
            # Shadow tables (FTS5's) are made by their virtual table; sqlite_*
            # tables by SQLite itself.
            made = [
                (str(kind), str(name), str(sql))
                for kind, name, sql in objects
                if kinds.get(str(name)) != "shadow" and not str(name).startswith("sqlite_")
            ]
            renamed = {
                str(name).rsplit("_", 1)[0]
                for kind, name, sql in objects
                if kinds.get(str(name)) == "shadow" and str(sql).startswith('CREATE TABLE "')
            }
            statements = tuple(
                statement
                for _kind, name, sql in sorted(made, key=lambda obj: _REPLAY_ORDER[obj[0]])
                for statement in (_renamed_virtual_table(name, sql) if name in renamed else (sql,))
            )
            ordinary = [name for kind, name, _sql in made if kind == "table" and kinds.get(name) == "table"]
            # Table names from our own migrations, not from any input.
            rows = tuple(
                (name, tuple(tuple(row) for row in conn.exec_driver_sql(f'SELECT * FROM "{name}"')))  # noqa: S608
                for name in ordinary
            )
    finally:
        engine.dispose()
    return NewVaultSchema(statements, tuple((name, table_rows) for name, table_rows in rows if table_rows))


def create_schema(engine: Engine) -> None:
    """Give a new, empty vault database the current schema, in one
    transaction: what ``upgrade`` from nothing gives, made by replaying
    ``new_vault_schema``."""
    schema = new_vault_schema()
    with engine.begin() as conn:
        for statement in schema.statements:
            conn.exec_driver_sql(statement)
        for table, table_rows in schema.rows:
            marks = ", ".join("?" * len(table_rows[0]))
            conn.exec_driver_sql(f'INSERT INTO "{table}" VALUES ({marks})', list(table_rows))  # noqa: S608
