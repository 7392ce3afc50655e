"""Migration 0030 (review 21 "Bytes-only drop"): ``hand_over_unaccounted``
keeps every finding recorded before (``sha256`` and ``evidence_id`` '' on
them), takes a ``missing-file`` row, one a file and item, beside a revision
of the same bundle and maker, refuses an unknown problem, and goes down
again keeping the revisions' findings (the files' ones, which the code
before it neither records nor reads, are deleted)."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Connection, text
from sqlalchemy.exc import IntegrityError

from db import migrate
from db.engine import make_engine

MAKER, BUNDLE, WORKER = "k" * 32, "b" * 64, "w" * 32
REVISION, SHA256 = "r" * 64, "f" * 64
ITEMS = ("01a22da9-df47-75e6-9389-101dd0869f95", "01a22da9-df47-75e6-9389-101dd0869f96")


def _insert(conn: Connection, problem: str, revision_id: str, **file: str) -> None:
    columns = ", sha256, evidence_id" if file else ""
    values = ", :sha256, :evidence_id" if file else ""
    conn.execute(
        text(
            "INSERT INTO hand_over_unaccounted (maker_id, bundle_id, revision_id, device_id, sequence, problem,"
            f" hand_over_id, recorded_ms{columns}) VALUES (:maker, :bundle, :revision, :worker, 2, :problem,"
            f" :hand_over, 100{values})"
        ),
        {
            "maker": MAKER,
            "bundle": BUNDLE,
            "revision": revision_id,
            "worker": WORKER,
            "problem": problem,
            "hand_over": "h" * 64,
            **file,
        },
    )


def _rows(conn: Connection) -> set[tuple[object, ...]]:
    return {tuple(row) for row in conn.execute(text("SELECT * FROM hand_over_unaccounted"))}


def test_findings_survive_files_are_kept_by_item_and_down_keeps_the_revisions(tmp_path: Path) -> None:
    engine = make_engine(tmp_path / "db", bytes(range(32)))
    migrate.upgrade(engine, "0029")
    with engine.begin() as conn:
        _insert(conn, "missing", REVISION)
        with pytest.raises(IntegrityError), conn.begin_nested():
            _insert(conn, "missing-file", "")
    migrate.upgrade(engine)
    with engine.begin() as conn:
        assert _rows(conn) == {(MAKER, BUNDLE, REVISION, WORKER, 2, "missing", "h" * 64, 100, "", "")}
        for item in ITEMS:  # one file named for two items: two findings
            _insert(conn, "missing-file", "", sha256=SHA256, evidence_id=item)
        assert len(_rows(conn)) == 3
    with pytest.raises(IntegrityError), engine.begin() as conn:
        _insert(conn, "lost", "", sha256=SHA256, evidence_id="x")

    config = migrate.alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0029")
    with engine.connect() as conn:
        assert _rows(conn) == {(MAKER, BUNDLE, REVISION, WORKER, 2, "missing", "h" * 64, 100)}
    engine.dispose()
