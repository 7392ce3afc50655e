"""Migration 0031 (docs/bundle-format.md §4 ``reads``): ``known_devices``
keeps every row, each with ``reads_revision`` NULL (nothing declared since),
takes a value, and goes down again keeping the rows without the column."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import text

from db import migrate
from db.engine import make_engine

DEVICE = "d" * 32


def test_rows_survive_start_undeclared_and_down_drops_only_the_column(tmp_path: Path) -> None:
    engine = make_engine(tmp_path / "db", bytes(range(32)))
    migrate.upgrade(engine, "0030")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO known_devices (device_id, public_key, age_recipient, role, status, label,"
                " last_sequence, last_bundle_id, updated_ms) VALUES (:d, x'00', 'age1x', 'device', 'enrolled',"
                " 'field', 3, NULL, 100)"
            ),
            {"d": DEVICE},
        )
    migrate.upgrade(engine)
    with engine.begin() as conn:
        row = conn.execute(text("SELECT last_sequence, reads_revision FROM known_devices")).one()
        assert tuple(row) == (3, None)
        conn.execute(text("UPDATE known_devices SET reads_revision = 2"))
    config = migrate.alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0030")
    with engine.connect() as conn:
        columns = [r[1] for r in conn.execute(text("PRAGMA table_info(known_devices)"))]
        assert "reads_revision" not in columns
        assert conn.execute(text("SELECT device_id, last_sequence FROM known_devices")).one() == (DEVICE, 3)
    engine.dispose()
