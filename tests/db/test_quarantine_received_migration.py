"""Migration 0029 (review 22): a row ``held`` in quarantine whose bundle the
vault counts as received (a vault from before cf289a7 held such a bundle as
a stranger's, for good) becomes ``received``, kept; other rows stay as they
were; the check refuses any other status; and it goes down again keeping
every row (``received`` as ``approved``, what the code before it said)."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Connection, text
from sqlalchemy.exc import IntegrityError

from db import migrate
from db.engine import make_engine

RECEIVED, WAITING, APPROVED = "a" * 64, "b" * 64, "c" * 64


def _row(bundle_id: str, status: str, decided_ms: int | None) -> dict[str, object]:
    return {
        "bundle_id": bundle_id,
        "device_id": "d" * 32,
        "device_key": bytes(32),
        "sequence": 2,
        "reason": "device-unknown",
        "path": "/stick/x.fvbundle",
        "received_ms": 100,
        "status": status,
        "decided_ms": decided_ms,
    }


def _statuses(conn: Connection) -> dict[str, tuple[str, int | None]]:
    rows = conn.execute(text("SELECT bundle_id, status, decided_ms FROM quarantined_bundles"))
    return {r[0]: (r[1], r[2]) for r in rows}


def test_a_held_row_of_a_received_bundle_becomes_received_and_survives_down_and_up(tmp_path: Path) -> None:
    engine = make_engine(tmp_path / "db", bytes(range(32)))
    migrate.upgrade(engine, "0028")
    with engine.begin() as conn:
        for row in (
            _row(RECEIVED, "held", None),
            _row(WAITING, "held", None),
            _row(APPROVED, "approved", 300),
        ):
            conn.execute(
                text(
                    "INSERT INTO quarantined_bundles (bundle_id, device_id, device_key, age_recipient, sequence,"
                    " reason, token_id, path, received_ms, status, decided_ms) VALUES (:bundle_id, :device_id,"
                    " :device_key, NULL, :sequence, :reason, NULL, :path, :received_ms, :status, :decided_ms)"
                ),
                row,
            )
        conn.execute(
            text(
                "INSERT INTO received_bundles (bundle_id, device_id, sequence, custody_head, imported_ms)"
                " VALUES (:bundle_id, :device_id, 2, NULL, 200)"
            ),
            {"bundle_id": RECEIVED, "device_id": "d" * 32},
        )
    migrate.upgrade(engine)
    with engine.connect() as conn:
        assert _statuses(conn) == {
            RECEIVED: ("received", 200),  # when it was recorded received
            WAITING: ("held", None),
            APPROVED: ("approved", 300),
        }
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(
            text("UPDATE quarantined_bundles SET status = 'gone' WHERE bundle_id = :b"), {"b": WAITING}
        )

    config = migrate.alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0028")
    with engine.connect() as conn:
        assert _statuses(conn) == {
            RECEIVED: ("approved", 200),
            WAITING: ("held", None),
            APPROVED: ("approved", 300),
        }
    engine.dispose()
