"""Vault engines share one dialect and one compiled cache per process
(db/engine.py): a statement compiled for one vault is not compiled again for
another. What users rely on: each vault still reads its own rows, every
connection is still keyed and set up as before, one vault's lock disturbs no
other open vault, and after a lock no cached statement leads to that vault's
data (docs/threat-model.md 4.1)."""

from __future__ import annotations

import gc
import secrets
import types
import uuid
from collections import deque
from pathlib import Path
from typing import Any

import pytest
import sqlcipher3
from sqlalchemy import Engine, column, insert, select, table, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from db.engine import IMMEDIATE_OPTION, check_engine_opens, make_engine, shared_dialect_and_cache
from db.entities import Case
from db.errors import VaultDamaged
from db.keyring_store import NoKeyring
from db.model import EntityRow
from db.vault import Vault
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE


def _new_vault(folder: Path) -> Vault:
    return Vault.create(folder, PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2).vault


def _engine_of(vault: Vault) -> Engine:
    engine = vault._engine  # the test looks under the services, at the database itself
    assert engine is not None
    return engine


def _probe_engine(tmp_path: Path, name: str, probe: str, key: bytes | None = None) -> Engine:
    """A keyed database with one table named for this test: its statements
    are in no cache yet, whatever ran before in this process."""
    engine = make_engine(tmp_path / name, key or secrets.token_bytes(32))
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE TABLE {probe} (id INTEGER PRIMARY KEY, v TEXT UNIQUE NOT NULL)")
    return engine


def _cache_hit(engine: Engine, statement: Any) -> tuple[Any, list[Any]]:
    with engine.connect() as conn:
        result = conn.execute(statement)
        return result.context.cache_hit, list(result)


def _strings_reachable(root: object, limit: int = 500_000) -> list[str | bytes]:
    """The str and bytes reachable from ``root`` through data (not through
    modules, classes, functions or code, which lead to the whole process)."""
    skip = (
        type,
        types.ModuleType,
        types.FunctionType,
        types.BuiltinFunctionType,
        types.CodeType,
        types.MethodType,
    )
    seen: set[int] = set()
    found: list[str | bytes] = []
    queue: deque[object] = deque([root])
    while queue and len(seen) < limit:
        obj = queue.popleft()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, (str, bytes)):
            found.append(obj)
            continue
        if isinstance(obj, skip):
            continue
        queue.extend(gc.get_referents(obj))
    assert len(seen) < limit, "the walk stopped early: raise the limit"
    return found


def test_a_statement_compiled_for_one_vault_is_not_compiled_again_for_another(tmp_path: Path) -> None:
    probe = f"probe_{uuid.uuid4().hex}"
    first = _probe_engine(tmp_path, "first.db", probe)
    second = _probe_engine(tmp_path, "second.db", probe)
    try:
        assert first.dialect is second.dialect
        statement = select(table(probe, column("v")).c.v).where(column("v") == "x")
        hit, _ = _cache_hit(first, statement)
        assert hit == first.dialect.CACHE_MISS
        hit, _ = _cache_hit(second, statement)
        assert hit == second.dialect.CACHE_HIT
    finally:
        first.dispose()
        second.dispose()


def test_each_vault_reads_its_own_rows_through_statements_the_other_compiled(tmp_path: Path) -> None:
    izium, bucha = _new_vault(tmp_path / "izium"), _new_vault(tmp_path / "bucha")
    try:
        izium_case = izium.cases.create(Case(title="Izium, March 2022"))
        bucha_case = bucha.cases.create(Case(title="Bucha, February 2022"))
        # The services' own list statement, run in both.
        assert [case.title for case in izium.cases.list()] == ["Izium, March 2022"]
        assert [case.title for case in bucha.cases.list()] == ["Bucha, February 2022"]

        # One statement object, first compiled in Izium's vault (a label
        # named for this test keeps it out of any earlier test's cache).
        label = f"body_{uuid.uuid4().hex}"
        statement = select(EntityRow.entity_id, EntityRow.body.label(label)).where(
            EntityRow.entity_type == "case"
        )
        hit, izium_rows = _cache_hit(_engine_of(izium), statement)
        assert hit == _engine_of(izium).dialect.CACHE_MISS
        hit, bucha_rows = _cache_hit(_engine_of(bucha), statement)
        assert hit == _engine_of(bucha).dialect.CACHE_HIT
        assert [row.entity_id for row in izium_rows] == [izium_case.id]
        assert [row.entity_id for row in bucha_rows] == [bucha_case.id]
        assert "Bucha" in getattr(bucha_rows[0], label) and "Izium" not in getattr(bucha_rows[0], label)

        # The same ORM query with different values: each gets what its own
        # value names in its own vault, and Izium's id names nothing in Bucha's.
        def by_id(vault: Vault, entity_id: str) -> list[str]:
            query = select(EntityRow).where(EntityRow.entity_id == entity_id, EntityRow.deleted.is_(False))
            with _engine_of(vault).connect() as conn, Session(conn) as session:
                return [row.entity_id for row in session.scalars(query)]

        assert by_id(izium, izium_case.id) == [izium_case.id]
        assert by_id(bucha, bucha_case.id) == [bucha_case.id]
        assert by_id(bucha, izium_case.id) == []
        assert by_id(izium, bucha_case.id) == []
    finally:
        izium.lock()
        bucha.lock()


def test_after_a_lock_no_cached_statement_leads_to_that_vaults_records(tmp_path: Path) -> None:
    # Made at run time, so that no code object of this module holds it.
    marker = f"Witness{uuid.uuid4().hex}"
    locked, still_open = _new_vault(tmp_path / "locked"), _new_vault(tmp_path / "open")
    try:
        case = locked.cases.create(Case(title=f"Case of {marker}"))
        assert locked.cases.get(case.id).title == f"Case of {marker}"
        # The other vault runs the same statements: hits on what the first compiled.
        still_open.cases.create(Case(title="Another case"))
        assert [c.title for c in still_open.cases.list()] == ["Another case"]
        _, compiled_cache = shared_dialect_and_cache()
        # The check can fail: before the lock the cache does lead to the title.
        assert any(marker in str(s) for s in _strings_reachable(compiled_cache))
        locked.lock()
        assert not any(marker in str(s) for s in _strings_reachable(compiled_cache))
        # The open vault is not disturbed: it compiles again what it needs.
        still_open.cases.create(Case(title="A third case"))
        assert [c.title for c in still_open.cases.list()] == ["Another case", "A third case"]
    finally:
        locked.lock()
        still_open.lock()


def test_disposing_one_vault_engine_leaves_another_open_engine_working(tmp_path: Path) -> None:
    probe = f"probe_{uuid.uuid4().hex}"
    first = _probe_engine(tmp_path, "first.db", probe)
    second = _probe_engine(tmp_path, "second.db", probe)
    try:
        rows = table(probe, column("v"))
        with first.begin() as conn:
            conn.execute(insert(rows).values(v="first's row"))
        with second.begin() as conn:
            conn.execute(insert(rows).values(v="second's row"))
        first.dispose()
        with second.connect() as conn:
            assert list(conn.execute(select(rows.c.v)).scalars()) == ["second's row"]
    finally:
        first.dispose()
        second.dispose()


def test_a_later_engine_keeps_every_connection_setting(tmp_path: Path) -> None:
    probe = f"probe_{uuid.uuid4().hex}"
    key = secrets.token_bytes(32)
    earlier = _probe_engine(tmp_path, "earlier.db", probe)
    later = _probe_engine(tmp_path, "later.db", probe, key)
    try:
        with later.connect() as conn:
            settings = {
                name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in (
                    "foreign_keys",
                    "temp_store",
                    "secure_delete",
                    "busy_timeout",
                    "journal_mode",
                    "synchronous",
                )
            }
        assert settings == {
            "foreign_keys": 1,
            "temp_store": 2,  # MEMORY
            "secure_delete": 1,
            "busy_timeout": 5000,
            "journal_mode": "wal",
            "synchronous": 2,  # FULL
        }
        # The file is SQLCipher's: no plain SQLite header.
        assert not (tmp_path / "later.db").read_bytes().startswith(b"SQLite format 3\x00")

        # hide_parameters: a refused statement's message does not carry its values.
        rows = table(probe, column("v"))
        with later.begin() as conn:
            conn.execute(insert(rows).values(v="secret witness name"))
        with pytest.raises(IntegrityError) as refused, later.begin() as conn:
            conn.execute(insert(rows).values(v="secret witness name"))
        assert "secret witness name" not in str(refused.value)

        # BEGIN IMMEDIATE: a writer holds the write lock from its first statement.
        with later.connect().execution_options(**{IMMEDIATE_OPTION: True}) as conn, conn.begin():
            conn.execute(select(rows.c.v)).all()  # a read, yet the lock is taken
            other = sqlcipher3.connect(str(tmp_path / "later.db"), timeout=0, isolation_level=None)
            try:
                other.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
                with pytest.raises(sqlcipher3.OperationalError, match="locked"):
                    other.execute("BEGIN IMMEDIATE")
            finally:
                other.close()
    finally:
        earlier.dispose()
        later.dispose()


def test_a_read_only_engine_shares_the_cache_and_writes_nothing(tmp_path: Path) -> None:
    probe = f"probe_{uuid.uuid4().hex}"
    key = secrets.token_bytes(32)
    writer = _probe_engine(tmp_path, "vault.db", probe, key)
    rows = table(probe, column("v"))
    with writer.begin() as conn:
        conn.execute(insert(rows).values(v="kept"))
    writer.dispose()  # checkpoints the WAL into the file
    files_before = sorted(p.name for p in tmp_path.iterdir())
    examined = make_engine(tmp_path / "vault.db", key, read_only=True)
    try:
        statement = select(rows.c.v)
        assert examined.dialect is writer.dialect
        _, got = _cache_hit(examined, statement)
        assert [row.v for row in got] == ["kept"]
        with pytest.raises(OperationalError, match="readonly"), examined.begin() as conn:
            conn.execute(insert(rows).values(v="added"))
    finally:
        examined.dispose()
    assert sorted(p.name for p in tmp_path.iterdir()) == files_before


def test_a_wrong_key_leaves_the_shared_dialect_and_other_vaults_working(tmp_path: Path) -> None:
    probe = f"probe_{uuid.uuid4().hex}"
    key = secrets.token_bytes(32)
    right = _probe_engine(tmp_path, "vault.db", probe, key)
    try:
        wrong = make_engine(tmp_path / "vault.db", secrets.token_bytes(32))
        with pytest.raises(VaultDamaged):
            check_engine_opens(wrong)
        with right.connect() as conn:
            assert conn.execute(text(f"SELECT count(*) FROM {probe}")).scalar() == 0
        again = make_engine(tmp_path / "vault.db", key)
        try:
            check_engine_opens(again)
        finally:
            again.dispose()
    finally:
        right.dispose()


def test_an_engine_dropped_without_dispose_takes_its_statements_out(tmp_path: Path) -> None:
    probe = f"probe_{uuid.uuid4().hex}"
    engine = _probe_engine(tmp_path, "dropped.db", probe)
    rows = table(probe, column("v"))
    with engine.begin() as conn:
        conn.execute(insert(rows).values(v=f"row of {probe}"))
    _, compiled_cache = shared_dialect_and_cache()
    assert any(probe in str(s) for s in _strings_reachable(compiled_cache))
    engine.pool.dispose()  # closes the connections, not the engine
    del engine, conn
    gc.collect()
    assert not any(probe in str(s) for s in _strings_reachable(compiled_cache))
