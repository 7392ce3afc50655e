"""Knowing whether this process is the vault's only user.

Every open Vault holds a shared lock on ``vault.lock``. Clean-up that could
race with another process's write in progress (removing temp files and blobs
not yet committed) runs only when an exclusive lock can be had, i.e. when no
other Fieldvault process (the GUI while a CLI command runs, say) has the vault
open. Advisory locks vanish with the process, so a crash leaves none behind.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

LOCK_FILE = "vault.lock"

try:
    import fcntl
except ImportError:  # Windows: no clean-up at open, which is always safe
    fcntl = None  # type: ignore[assignment]


class OpenLock:
    def __init__(self, folder: Path, *, read_only: bool = False) -> None:
        self._handle: IO[bytes] | None = None
        if fcntl is None:
            return
        if read_only:
            # An examination creates nothing; it still shows itself to writers.
            with contextlib.suppress(FileNotFoundError):
                self._handle = os.fdopen(os.open(folder / LOCK_FILE, os.O_RDONLY), "rb")
                # Shared, like any open vault: a writer opening meanwhile then
                # never gets the exclusive lock its clean-up needs.
                fcntl.flock(self._handle, fcntl.LOCK_SH)
            return
        fd = os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
        self._handle = os.fdopen(fd, "r+b")

    def try_exclusive(self) -> bool:
        """True if no other process has the vault open (we then hold it alone
        until ``share``)."""
        if self._handle is None:
            return False
        try:
            fcntl.flock(self._handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        return True

    def share(self) -> None:
        """Hold the vault open alongside other processes."""
        if self._handle is not None:
            fcntl.flock(self._handle, fcntl.LOCK_SH)

    def release(self) -> None:
        if self._handle is not None:
            with contextlib.suppress(OSError):
                self._handle.close()
            self._handle = None


@contextlib.contextmanager
def key_file_change(folder: Path, *, timeout: float | None = None) -> Iterator[None]:
    """Hold an exclusive lock while ``vault.keys`` is read, checked and replaced.

    Changes (passphrase, recovery, duress) come from any process with the
    vault open: the GUI open for hours, a CLI command meanwhile. Each one
    re-reads the file under this lock and builds on what it finds, so none
    writes back a stale copy that would undo another. The lock is taken on the
    folder itself (flock on a directory descriptor), because the key file is
    replaced by a rename and a lock on it would not outlive the change. On
    Windows (no flock) changes are not serialised across processes."""
    if fcntl is None:
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        if timeout is None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        else:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise TimeoutError("the key file is being changed") from None
                    time.sleep(0.02)
        yield
    finally:
        os.close(fd)  # releases the lock
