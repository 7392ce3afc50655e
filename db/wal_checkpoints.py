"""WAL checkpoints on a thread of their own, not in the thread that commits.

In WAL mode a commit appends the transaction's pages to the ``-wal`` file
and fsyncs it (synchronous FULL: a save that returned survives power loss).
Copying those pages into the database file, the checkpoint, is a second
write and a second fsync. Left to SQLite (``wal_autocheckpoint``), the
checkpoint runs inside the commit that takes the WAL past its threshold,
so the thread that committed waits for it: during a coordinator's merge,
whose bundles dirty ~1,100 pages each, that is nearly every commit
(docs/development.md, "Session 23"). Here a thread of the engine's own runs
a PASSIVE checkpoint after each write transaction has ended, on a
connection of its own, while the writer goes on with its next work.

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
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

# False: the checkpoint runs in the thread that released the connection, as
# SQLite's own did. Only for fault sweeps (tests/faults/arm.py), which count
# and fail the nth I/O call of an operation and so need every call of it in
# its own thread, in the same order each run.
IN_BACKGROUND = True
# SQLITE_BUSY, SQLITE_LOCKED: another connection holds what the checkpoint
# needs (a recovery, a TRUNCATE at close); the next commit's checkpoint runs.
_BUSY_CODES = (5, 6)

# SQLite's own checkpoint (in the committing thread) once the WAL holds
# this many pages: ~40 MiB at SQLCipher's 4 KiB pages. Above one merge
# bundle's ~1,100 pages, which would otherwise start one at every commit
# (SQLite's default is 1,000).
BACKSTOP_PAGES = 10_000


class BackgroundCheckpoints:
    """One engine's checkpointing thread, started at its first commit
    (with IN_BACKGROUND False: no thread; the checkpoint runs at release).

    ``connect`` opens a keyed connection to the same database (the thread's
    own, closed when it stops). ``committed`` is called when a transaction
    commits and ``released`` when a connection goes back to the pool: the
    checkpoint is asked for at the release that follows a commit, once the
    commit has landed (the engine's commit event comes before the commit)."""

    def __init__(self, connect: Callable[[], Any]) -> None:
        self._connect = connect
        self._wanted = threading.Event()
        self._guard = threading.Lock()
        self._thread: threading.Thread | None = None
        self._committed = False
        self._stopped = False
        self._connection: Any = None

    def committed(self) -> None:
        self._committed = True

    def released(self) -> None:
        if not self._committed:
            return
        self._committed = False
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
