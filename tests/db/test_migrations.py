"""Alembic migrations: the model equals `upgrade head`, and old vaults upgrade."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, text
from sqlalchemy.exc import SAWarning

from db import migrate
from db.device import DeviceIdentity
from db.engine import make_engine
from db.hlc import Timestamp
from db.keys import KeyFile, derive_subkeys
from db.model import Base
from db.paths import KEY_FILE
from db.revisions import create_revision
from db.vault import DB_FILE, Vault
from tests.factory import make_case, make_person, make_testimony
from tests.vault_helpers import PASSPHRASE, open_vault


def _database_key(vault_dir: Path) -> bytes:
    """The database key, from the key file and the passphrase (the test
    opens the database itself, below the vault)."""
    key_file = KeyFile.from_bytes((vault_dir / KEY_FILE).read_bytes(), source=KEY_FILE)
    master_key = key_file.unwrap_with_passphrase(key_file.stretch(PASSPHRASE), None)
    return derive_subkeys(master_key, key_file.vault_id).database


def test_model_matches_the_migrated_schema(vault: Vault, vault_dir: Path) -> None:
    engine = vault._engine  # the test inspects the live schema
    assert engine is not None
    with engine.connect() as conn, warnings.catch_warnings():
        # The review's partial indexes on JSON expressions (migration 0015)
        # are raw SQL, as the FTS5 tables are; SQLAlchemy cannot reflect them.
        warnings.filterwarnings(
            "ignore",
            "Skipped unsupported reflection of expression-based index ix_entities_review_",
            SAWarning,
        )
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        review_indexes = conn.execute(
            text("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'ix_entities_review_%'")
        ).scalars()
        assert sorted(review_indexes) == [
            f"ix_entities_review_{t}" for t in ("evidence", "incident", "testimony", "testimony_incident")
        ]
    # The FTS5 tables are created by raw SQL and not part of the ORM model.
    diff = [d for d in diff if not (d[0] == "remove_table" and d[1].name.startswith("search_index"))]
    assert diff == []
    assert migrate.current_revision(engine) == migrate.head_revision()


def test_every_migration_goes_down_and_up_again(tmp_path: Path) -> None:
    engine = make_engine(tmp_path / "db", bytes(range(32)))
    migrate.upgrade(engine)
    config = migrate.alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
    assert migrate.current_revision(engine) is None
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()
    engine.dispose()


def test_a_vault_from_the_first_schema_upgrades_and_keeps_its_data(
    created_vault: object, vault_dir: Path
) -> None:
    """Take the vault's database back to the first release's schema (0001, no
    search index; its device key kept), store a record as that release did,
    then open it with today's code: the search index is built from the
    existing entities."""
    vault = created_vault.vault  # type: ignore[attr-defined]
    vault.lock()

    engine = make_engine(vault_dir / DB_FILE, _database_key(vault_dir))
    config = migrate.alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0001")
    device = DeviceIdentity.generate()
    case = create_revision(
        device,
        entity_id="01900000-0000-7000-8000-000000000001",
        entity_type="case",
        op="put",
        body={"title": "Стара справа", "description": "", "notes": "ексгумація"},
        parents=[],
        hlc=Timestamp(1_700_000_000_000, 0),
    )
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO revisions VALUES (:id, :entity, 'case', 'put', :ms, 0, :device, :signed, :sig)"
            ),
            {
                "id": case.revision_id,
                "entity": case.entity_id,
                "ms": case.hlc.ms,
                "device": device.device_id,
                "signed": case.signed,
                "sig": case.signature,
            },
        )
        conn.execute(
            text("INSERT INTO heads VALUES (:entity, :id)"),
            {"entity": case.entity_id, "id": case.revision_id},
        )
        conn.execute(
            text(
                "INSERT INTO entities (entity_id, entity_type, case_id, head_revision_id, body, deleted, conflicted, "
                "created_ms, updated_ms) VALUES (:entity, 'case', NULL, :id, :body, 0, 0, :ms, :ms)"
            ),
            {
                "entity": case.entity_id,
                "id": case.revision_id,
                "body": json.dumps(case.body),
                "ms": case.hlc.ms,
            },
        )
    engine.dispose()

    upgraded = open_vault(vault_dir)
    assert upgraded.info().schema == migrate.head_revision()
    assert upgraded.cases.get(case.entity_id).title == "Стара справа"
    assert [h.entity_id for h in upgraded.search.query("ексгумації")] == [case.entity_id]
    # The upgraded vault signs new work with its own device identity.
    edited = upgraded.cases.edit(case.entity_id, title="Нова назва")
    assert upgraded.cases.history(edited.id)[-1].parents == (case.revision_id,)
    upgraded.lock()


def _index_sql(engine: Engine) -> str:
    with engine.connect() as conn:
        return str(
            conn.execute(text("SELECT sql FROM sqlite_master WHERE name = 'search_index'")).scalar_one()
        )


def _index_matches(engine: Engine, expressions: list[str]) -> dict[str, list[int]]:
    with engine.connect() as conn:
        return {
            expression: list(
                conn.scalars(
                    text("SELECT rowid FROM search_index WHERE search_index MATCH :q ORDER BY rowid"),
                    {"q": expression},
                )
            )
            for expression in expressions
        }


def test_the_prefix_index_migration_keeps_every_hit_up_and_down(
    created_vault: object, vault_dir: Path
) -> None:
    """Migration 0006 rebuilds the search index (two- and three-letter
    prefix indexes, the record type indexed) from the terms stored in the
    old one: every prefix and word finds the same records before, after,
    and after going back down."""
    vault = created_vault.vault  # type: ignore[attr-defined]
    case = make_case(vault, title="Обстріл ринку")
    ids = [
        make_testimony(vault, case.id, narrative=text_).id
        for text_ in ("Полонених вивели з підвалу.", "Пожежа на полі.", "Дрон над школою.", "Поле і школа.")
    ]
    person = make_person(vault, case.id, pseudonym="Свідок", notes="Бачила пожежу.").id
    vault.testimonies.delete(ids[2])
    expected = {h.entity_id for h in vault.search.query("по", as_you_type=True)}
    assert expected == {ids[0], ids[1], ids[3], person}
    vault.lock()

    engine = make_engine(vault_dir / DB_FILE, _database_key(vault_dir))
    config = migrate.alembic_config()
    expressions = ['"по"*', '"пол"*', '"пожеж"*', '"школа"', '"ш"*', '"обстріл"', '"дрон"']

    def go_to(target: str) -> None:
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            if target == "0005":
                command.downgrade(config, target)
            else:
                command.upgrade(config, target)

    go_to("0005")
    assert "prefix" not in _index_sql(engine)
    before = _index_matches(engine, expressions)
    assert before['"дрон"'] == [] and len(before['"по"*']) == 4
    go_to("0006")
    assert "prefix = '2 3'" in _index_sql(engine)
    with engine.connect() as conn:  # the rebuild leaves no table behind
        tables = set(conn.scalars(text("SELECT name FROM sqlite_master WHERE name LIKE 'search_index%'")))
    assert tables == {
        f"search_index{suffix}" for suffix in ("", "_data", "_idx", "_content", "_docsize", "_config")
    }
    assert _index_matches(engine, [f"terms : {e}" for e in expressions]) == {
        f"terms : {e}": rows for e, rows in before.items()
    }
    go_to("0005")
    assert _index_matches(engine, expressions) == before
    engine.dispose()

    reopened = open_vault(vault_dir)  # upgrades to head again
    assert reopened.info().schema == migrate.head_revision()
    assert {h.entity_id for h in reopened.search.query("по", as_you_type=True)} == expected
    assert {h.entity_id for h in reopened.search.query("пожежа")} == {ids[1], person}
    reopened.lock()
