"""Migration 0021 (issue 14, review 12 F1): rows of ``withheld_revisions``
made before it keep counting as an import's (``learned`` = ``left-out``,
no bundle), since rows read from a refused bundle before it cannot be told
apart; and it goes down again without losing them."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import text

from db import migrate
from db.engine import make_engine

ROW = {"revision_id": "a" * 64, "entity_id": "01900000-0000-7000-8000-000000000001", "device_id": "b" * 32}


def test_rows_before_0021_count_as_left_out_and_survive_down_and_up(tmp_path: Path) -> None:
    engine = make_engine(tmp_path / "db", bytes(range(32)))
    migrate.upgrade(engine, "0020")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO withheld_revisions (revision_id, entity_id, device_id, withheld_ms)"
                " VALUES (:revision_id, :entity_id, :device_id, 1)"
            ),
            ROW,
        )
    migrate.upgrade(engine)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT revision_id, learned, bundle_id FROM withheld_revisions")).all()
        assert [tuple(r) for r in rows] == [(ROW["revision_id"], "left-out", None)]
        assert conn.execute(text("SELECT count(*) FROM refused_bundle_reads")).scalar_one() == 0

    config = migrate.alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0020")
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT revision_id, entity_id, device_id FROM withheld_revisions")).all()
        assert [tuple(r) for r in rows] == [(ROW["revision_id"], ROW["entity_id"], ROW["device_id"])]
    engine.dispose()
