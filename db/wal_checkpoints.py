"""WAL checkpoints on a thread of their own, not in the thread that commits.

In WAL mode a commit appends the transaction's pages to the ``-wal`` file
and fsyncs it (synchronous FULL: a save that returned survives power loss).
Copying those pages into the database file, the checkpoint, is a second
write and two more fsyncs. Left to SQLite (``wal_autocheckpoint``), the
checkpoint runs inside the commit that takes the WAL past its threshold,
so the thread that committed waits for it: during a coordinator's merge,
whose bundles dirty ~1,100 pages each, that was nearly every commit
(docs/development.md, "Session 23"). Here, once write transactions have
changed CHECKPOINT_ROWS rows since the last checkpoint asked for (counted
with SQLite's own ``total_changes`` of each connection), a thread of the
engine's own runs a PASSIVE checkpoint on a connection of its own while the
writer goes on. A small save leaves the WAL alone, as before (review 33 M1:
a checkpoint after every save tripled a save's fsyncs). A merge bundle
changes ~1,500 rows and asks for one each.

Nothing in this process may open and close the database's files beside
SQLite: closing any descriptor of a file drops every POSIX lock the process
holds on it, SQLite's included (https://sqlite.org/howtocorrupt.html, 2.2).
A first version here read the backlog from the ``-shm`` file that way, and
another process then ran WAL recovery under a live writer ("locking
protocol", tests/e2e/test_cli_bad_input.py). So the count is of rows, from
SQLite, not of pages, from the file.

Nothing about durability changes: a commit still returns only once its
pages are in the fsynced WAL, and a checkpoint, wherever it runs, is
SQLite's own crash-safe copy. PASSIVE never waits for readers or writers;
what it cannot copy yet is copied by the next one. SQLite's own
checkpoint stays as a backstop at BACKSTOP_PAGES (should this thread fall
behind), and the last connection to close, at lock, checkpoints
everything and removes the WAL as before.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

# False: the checkpoint runs in the thread that released the connection, as
# SQLite's own did. Only for fault sweeps (tests/faults/arm.py), which count
# and fail the nth I/O call of an operation and so need every call of it in
# its own thread, in the same order each run. Set before any vault opens.
IN_BACKGROUND = True
# Rows changed (inserted, updated, deleted) by write transactions since the
# last checkpoint asked for, before the next is: ~1,000 pages' worth, SQLite's
# own default threshold, for the vault's rows (a save changes ~5-15).
CHECKPOINT_ROWS = 500
# SQLite's own checkpoint (in the committing thread) once the WAL holds
# this many pages: ~40 MiB at SQLCipher's 4 KiB pages. It must lie above
# one merge bundle's ~1,100 pages, or it would run at nearly every commit
# again before this thread is asked.
BACKSTOP_PAGES = 10_000
# SQLITE_BUSY, SQLITE_LOCKED: another connection holds what the checkpoint
# needs (a recovery, a TRUNCATE at close); a later checkpoint runs.
_BUSY_CODES = (5, 6)
# Held while a checkpoint runs, and taken around a fork (os.register_at_fork):
# a child forked in the middle of one would inherit SQLite's file mutexes
# held by a thread it does not have (review 33 L3; the app forks only
# single-threaded processes, but the crash tests fork pytest).
_CHECKPOINTING = threading.Lock()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(
        before=_CHECKPOINTING.acquire,
        after_in_parent=_CHECKPOINTING.release,
        after_in_child=_CHECKPOINTING.release,
    )


class BackgroundCheckpoints:
    """One engine's checkpointing thread, started when the rows written ask
    for the first checkpoint (with IN_BACKGROUND False: no thread; the
    checkpoint runs there and then).

    ``connect`` opens a keyed connection to the database (the thread's own,
    closed when it stops). ``released`` is called when a connection that
    committed goes back to the pool, once the commit has landed (the
    engine's commit event comes before the commit)."""

    def __init__(self, connect: Callable[[], Any]) -> None:
        self._connect = connect
        self._rows = 0  # changed since the last checkpoint asked for
        self._wanted = threading.Event()
        self._guard = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stopped = False
        self._connection: Any = None

    def released(self, rows: int) -> None:
        """A connection that committed went back to the pool, its write
        transactions having changed ``rows`` rows since it last did."""
        with self._guard:
            self._rows += rows
            if self._rows < CHECKPOINT_ROWS:
                return
            self._rows = 0
        if not IN_BACKGROUND:
            with self._guard:
                if not self._stopped:
                    self._checkpoint()
            return
        with self._guard:
            if self._stopped:
                return
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="wal-checkpoint", daemon=True)
                self._thread.start()
        self._wanted.set()

    def stop(self) -> None:
        """Stop the thread (after a checkpoint under way) and close its
        connection. For good: a commit after this is checkpointed by SQLite
        (BACKSTOP_PAGES) or at the last close."""
        with self._guard:
            self._stopped = True
            thread = self._thread
        self._wanted.set()
        if thread is None:
            with self._guard:  # after an inline checkpoint under way
                self._close()
        elif thread is not threading.current_thread():
            thread.join()

    def _run(self) -> None:
        try:
            while True:
                self._wanted.wait()
                self._wanted.clear()
                if self._stopped:
                    return
                self._checkpoint()
        finally:
            self._close()

    def _checkpoint(self) -> None:
        try:
            with _CHECKPOINTING:
                if self._connection is None:
                    self._connection = self._connect()
                self._connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except Exception as error:  # noqa: BLE001 - the next one tries again; SQLite's backstop remains
            busy = getattr(error, "sqlite_errorcode", None) in _BUSY_CODES
            # The type only: an error's text may name the file.
            log.log(
                logging.DEBUG if busy else logging.WARNING, "WAL checkpoint failed (%s)", type(error).__name__
            )

    def _close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
