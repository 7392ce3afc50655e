"""The SQLCipher engine: SQLAlchemy 2 over sqlcipher3 with a raw 256-bit key."""

from __future__ import annotations

import contextlib
import os
import threading
import weakref
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import Any

import sqlcipher3
from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.exc import DatabaseError
from sqlalchemy.pool import NullPool, QueuePool
from sqlalchemy.util import LRUCache

from db.errors import PlaintextDatabase, VaultDamaged, WrongPassphrase
from db.wal_checkpoints import BACKSTOP_PAGES, BackgroundCheckpoints

PLAINTEXT_SQLITE_HEADER = b"SQLite format 3\x00"
# Execution option that makes a transaction start with BEGIN IMMEDIATE.
IMMEDIATE_OPTION = "fieldvault_immediate"
# A pooled connection's record of a commit since it was checked out.
_COMMITTED = "fieldvault_committed"
# Its total_changes when it was last counted (db/wal_checkpoints.py).
_CHANGES_SEEN = "fieldvault_changes_seen"

# SQLAlchemy caches compiled SQL under a key that holds the dialect object,
# and create_engine makes a new dialect (and an empty cache) for every engine:
# every vault opened compiled every statement again (6 % of the test suite's
# wall, docs/development.md). Every vault engine of the process is therefore
# built over one dialect and uses one compiled cache. What a compiled
# statement gives another execution is its SQL and structure only: each
# execution's values are taken from its own statement. But the compiled
# object keeps the statement it was compiled from, with that first
# execution's values (an INSERT's revision body, a record id): so each engine
# takes out again at dispose (lock) what it put in, and after lock no live
# structure leads to that vault's data (docs/threat-model.md 4.1).
# tests/db/test_engine_shared_compilation.py checks both.
_VAULT_URL = make_url("sqlite://")
# Entries, not bytes: SQLAlchemy's per-engine default is 500, pruned back to
# that at 1.5x. One process now keeps all its vaults' statements in one cache
# (the app's read, write, sync and migration statements together).
COMPILED_CACHE_SIZE = 1500
_shared_lock = threading.Lock()
_shared: tuple[Dialect, LRUCache[Any, Any]] | None = None


class _EngineCompiledCache(MutableMapping[Any, Any]):
    """One vault engine's door to the process's compiled cache.

    It remembers the keys this engine compiled and stored, so that the
    engine's dispose can take those statements out again: a statement another
    vault compiled is used here as it is (a hit), and goes when that vault
    locks (this engine then compiles it again, with its own values)."""

    def __init__(self, shared: LRUCache[Any, Any]) -> None:
        self._shared = shared
        self._stored_here: set[Any] = set()
        # A statement stored by a thread still running while the engine is
        # disposed must be recorded before forget() reads the record, or it
        # would stay in the cache: the two take this lock (only on a miss).
        self._record_lock = threading.Lock()

    def get(self, key: Any, default: Any = None) -> Any:
        # LRUCache.get marks the entry as used; Mapping.get would go through
        # __getitem__ and an exception on every miss.
        return self._shared.get(key, default)

    def __getitem__(self, key: Any) -> Any:
        return self._shared[key]

    def __setitem__(self, key: Any, value: Any) -> None:
        with self._record_lock:
            self._shared[key] = value
            self._stored_here.add(key)

    def __delitem__(self, key: Any) -> None:
        self._stored_here.discard(key)
        del self._shared[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(list(self._stored_here))

    def __len__(self) -> int:
        return len(self._stored_here)

    def forget(self) -> None:
        """Take out of the shared cache every statement this engine stored."""
        with self._record_lock:
            stored, self._stored_here = self._stored_here, set()
        for key in stored:
            # The cache may have pruned it (least recently used) meanwhile.
            with contextlib.suppress(KeyError):
                del self._shared[key]


def _memory_connection() -> Any:
    return sqlcipher3.connect(":memory:", check_same_thread=False, isolation_level=None)


def new_dialect_and_cache() -> tuple[Dialect, LRUCache[Any, Any]]:
    """A new initialised vault dialect and an empty compiled cache.

    The dialect comes from create_engine itself (the same arguments as a vault
    engine: sqlcipher3's module, the same defaults), initialised on an
    in-memory database that holds nothing and touches no file: its version and
    default isolation level are those of the one sqlcipher3 library every
    vault uses. (benchmarks/bench_first_operations.py calls it for every
    engine to measure what the sharing saves.)"""
    donor = create_engine(
        "sqlite://", creator=_memory_connection, module=sqlcipher3.dbapi2, poolclass=NullPool
    )
    with donor.connect():
        pass  # create_engine's first-connect hook runs dialect.initialize
    donor.dispose()
    return donor.dialect, LRUCache(COMPILED_CACHE_SIZE)


def shared_dialect_and_cache() -> tuple[Dialect, LRUCache[Any, Any]]:
    """The process's vault dialect and the compiled cache every vault engine uses.

    Made once, under a lock, before any vault engine exists: no vault's first
    connection initialises a dialect that other threads compile with."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = new_dialect_and_cache()
        return _shared


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

    dialect, compiled_cache = shared_dialect_and_cache()
    # What create_engine would build, but over the shared dialect: a pool of
    # this vault's own connections (dispose() of one vault's engine closes
    # only its pool), the dialect's connect hook, and an Engine whose
    # "compiled_cache" execution option is the shared cache.
    # LIFO: the connection used last is used next. In WAL mode a connection
    # drops its whole page cache once another connection has committed, and a
    # page read again is decrypted and its HMAC checked again; with the
    # pool's default FIFO order two connections took turns, so each write
    # transaction (each bundle of an import) began with a cold cache.
    # bench_merge --quick, interleaved at load ~5: the importing thread's CPU
    # -13% (1.92 -> 1.66 s); 60 bundles of the 100k corpus: -9.5%.
    pool = QueuePool(connect, pool_size=2, max_overflow=2, dialect=dialect, use_lifo=True)
    dialect_on_connect = dialect.on_connect_url(_VAULT_URL)
    if dialect_on_connect is not None:
        # pysqlite's regexp() and floor() SQL functions, as create_engine adds them.
        event.listen(pool, "connect", lambda dbapi_connection, _record: dialect_on_connect(dbapi_connection))
    compiled_here = _EngineCompiledCache(compiled_cache)
    engine = Engine(
        pool,
        dialect,
        _VAULT_URL,
        # SQLAlchemy puts statement parameters (witness text) into exception
        # messages, which end up on screens and in tracebacks: never.
        hide_parameters=True,
        # No per-engine cache: the execution option below replaces it.
        query_cache_size=0,
        execution_options={"compiled_cache": compiled_here},
    )

    @event.listens_for(engine, "engine_disposed")
    def _on_dispose(_engine: Engine) -> None:
        # Lock disposes the engine: the statements compiled here hold this
        # vault's values (see _EngineCompiledCache).
        compiled_here.forget()

    # An engine dropped without dispose, or used again after it (SQLAlchemy
    # then opens a new pool), takes its statements out when it is collected.
    weakref.finalize(engine, compiled_here.forget)

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
                # Checkpoints run on their own thread (db/wal_checkpoints.py);
                # SQLite's own, in the committing thread, only past this.
                cursor.execute(f"PRAGMA wal_autocheckpoint = {BACKSTOP_PAGES}")
        finally:
            cursor.close()

    if not read_only:
        _checkpoint_in_background(engine, pool, path, key_pragma)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # The driver runs in autocommit mode; issue BEGIN ourselves so that a
        # transaction sees one snapshot. Writers take the lock up front.
        immediate = conn.get_execution_options().get(IMMEDIATE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _checkpoint_in_background(engine: Engine, pool: QueuePool, path: Path, key_pragma: str) -> None:
    """WAL checkpoints once write transactions changed enough rows, on a
    thread of the engine's own (db/wal_checkpoints.py), stopped when the
    engine is disposed (lock) or dropped."""

    def keyed() -> Any:
        # mode=rw: never creates the file. A checkpoint copies WAL frames as
        # they are (encrypted); the key is for reading the header page.
        uri = f"{path.resolve().as_uri()}?mode=rw"
        connection = sqlcipher3.connect(uri, uri=True, check_same_thread=False, isolation_level=None)
        try:
            connection.execute(key_pragma)
            connection.execute("PRAGMA cipher_log_level = NONE")
            # Closed last at lock, this connection makes the final checkpoint
            # and its fsync of vault.db: FULL whatever the build's default.
            connection.execute("PRAGMA synchronous = FULL")
        except BaseException:
            connection.close()
            raise
        return connection

    checkpoints = BackgroundCheckpoints(keyed)

    def committed(conn: Any) -> None:
        # On the connection's own record: another connection going back to
        # the pool between this event and the COMMIT it precedes must not
        # take it for this one's end (review 33 L1).
        conn.info[_COMMITTED] = True

    def checked_in(dbapi_connection: Any, record: Any) -> None:
        if record is None or not record.info.pop(_COMMITTED, False):
            return
        # SQLite's count of the rows this connection changed since it opened.
        changes = int(dbapi_connection.total_changes)
        rows, record.info[_CHANGES_SEEN] = changes - record.info.get(_CHANGES_SEEN, 0), changes
        checkpoints.released(rows)

    event.listen(engine, "commit", committed)
    event.listen(pool, "checkin", checked_in)
    # Dispose closes the pool's connections and then tells its listeners: the
    # thread's connection, closed last, checkpoints everything and removes
    # the WAL, as the pool's last one did before.
    event.listen(engine, "engine_disposed", lambda _engine: checkpoints.stop())
    weakref.finalize(engine, checkpoints.stop)


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
