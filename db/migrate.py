"""Bringing a vault database to the current schema with Alembic."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext, RevisionStep
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

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
