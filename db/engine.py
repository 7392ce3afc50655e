"""The SQLCipher engine: SQLAlchemy 2 over sqlcipher3 with a raw 256-bit key."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import sqlcipher3
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DatabaseError
from sqlalchemy.pool import QueuePool

from db.errors import PlaintextDatabase, VaultDamaged, WrongPassphrase

PLAINTEXT_SQLITE_HEADER = b"SQLite format 3\x00"
# Execution option that makes a transaction start with BEGIN IMMEDIATE.
IMMEDIATE_OPTION = "fieldvault_immediate"


def refuse_plaintext_database(path: Path) -> None:
    """A vault database never starts with SQLite's plain header (SQLCipher
    encrypts page 1 except the salt); if it does, the file was swapped."""
    try:
        with path.open("rb") as handle:
            head = handle.read(len(PLAINTEXT_SQLITE_HEADER))
    except FileNotFoundError:
        return
    if head == PLAINTEXT_SQLITE_HEADER:
        raise PlaintextDatabase(path.name)


def _key_pragma(db_key: bytes) -> str:
    if len(db_key) != 32:
        raise ValueError("the database key must be 32 bytes")
    # x'…' with exactly 64 hex digits is SQLCipher's raw key form: no PBKDF2,
    # the key is used as is (it is already an HKDF output).
    return f"PRAGMA key = \"x'{db_key.hex()}'\""


def make_engine(path: Path, db_key: bytes, *, read_only: bool = False) -> Engine:
    """An engine whose every connection is keyed, in WAL mode, with temp data in memory.

    ``read_only``: an examination. The file is opened ``immutable``: SQLite
    then writes nothing at all, not even the ``-shm``/``-wal`` files WAL mode
    would create beside it (the caller makes sure no ``-wal`` holds changes,
    which immutable mode would not see)."""
    refuse_plaintext_database(path)
    key_pragma = _key_pragma(db_key)
    if not path.exists() and not read_only:
        # SQLite gives its -wal and -shm files the main file's mode: 0600 for all.
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))

    def connect() -> Any:
        if read_only:
            uri = f"{path.resolve().as_uri()}?mode=ro&immutable=1"
            return sqlcipher3.connect(uri, uri=True, check_same_thread=False, isolation_level=None)
        return sqlcipher3.connect(str(path), check_same_thread=False, isolation_level=None)

    engine = create_engine(
        "sqlite://",
        creator=connect,
        module=sqlcipher3.dbapi2,
        # SQLAlchemy puts statement parameters (witness text) into exception
        # messages, which end up on screens and in tracebacks: never.
        hide_parameters=True,
        poolclass=QueuePool,
        pool_size=2,
        max_overflow=2,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            # A plain SQLite build under the same module name would ignore the
            # key and write witness data in the clear: refuse to go on.
            version = cursor.execute("PRAGMA cipher_version").fetchone()
            if not version or not version[0]:
                raise VaultDamaged(
                    "The database library is not SQLCipher: it would not encrypt. Reinstall Fieldvault.",
                    "sqlcipher-missing",
                )
            cursor.execute(key_pragma)
            # SQLCipher logs "hmac check failed" to stderr on a wrong key; the
            # caller reports a clear error instead.
            cursor.execute("PRAGMA cipher_log_level = NONE")
            # SQLite's temp files (sorts, temp tables) are NOT encrypted by
            # SQLCipher: keep them in memory.
            cursor.execute("PRAGMA temp_store = MEMORY")
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA secure_delete = ON")
            cursor.execute("PRAGMA busy_timeout = 5000")
            # The first read is where a wrong key shows.
            cursor.execute("SELECT count(*) FROM sqlite_master").fetchone()
            if not read_only:
                cursor.execute("PRAGMA journal_mode = WAL").fetchone()
                # FULL: a save that returned survives power loss, not just a crash.
                cursor.execute("PRAGMA synchronous = FULL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # The driver runs in autocommit mode; issue BEGIN ourselves so that a
        # transaction sees one snapshot. Writers take the lock up front.
        immediate = conn.get_execution_options().get(IMMEDIATE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def check_engine_opens(engine: Engine) -> None:
    """Open one connection now, turning SQLCipher's 'not a database' into our errors."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except DatabaseError as err:
        engine.dispose()
        message = str(err.orig) if err.orig is not None else str(err)
        if "not a database" in message:
            # Right master key (the slot unwrapped) but the DB does not open:
            # the file is damaged or not this vault's.
            raise VaultDamaged(
                "The vault database cannot be decrypted with this vault's key: "
                "the file is damaged or was replaced.",
                "database-undecryptable",
            ) from None
        if "malformed" in message:
            raise VaultDamaged(
                "The vault database is damaged (cut short or overwritten). Nothing was "
                "changed and no evidence file was touched: put back vault.db from a copy.",
                "database-damaged",
            ) from None
        raise


__all__ = ["WrongPassphrase", "check_engine_opens", "make_engine", "refuse_plaintext_database"]
