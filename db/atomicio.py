"""Crash-safe small-file writes: temp name, fsync, rename, fsync of the folder."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from db.errors import StorageError

TEMP_PREFIX = ".tmp-"


def sync_data(fd: int) -> None:
    """``fdatasync`` where the system has it; ``fsync`` otherwise (Windows
    and macOS lack it: there the whole file's state is flushed)."""
    getattr(os, "fdatasync", os.fsync)(fd)


def owner_only(fd: int) -> None:
    """Mode 0600 on an open file, where files have modes (Windows has no
    ``fchmod``: there the vault folder's ACL, set at its creation, applies)."""
    if hasattr(os, "fchmod"):
        os.fchmod(fd, 0o600)


def fsync_directory(folder: Path) -> None:
    """Make a rename or unlink in ``folder`` durable (POSIX; a no-op on Windows)."""
    if os.name == "nt":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes, *, what: str) -> None:
    """Replace ``path`` with ``data`` so that a crash leaves the old or the new file.

    The temp file is created with mode 0600 in the same folder (rename must not
    cross file systems). Any OSError becomes a StorageError naming ``what`` and the
    temp file is removed; the previous file is untouched.
    """
    temp = path.with_name(f"{TEMP_PREFIX}{secrets.token_hex(8)}")
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        temp.replace(path)
    except OSError as err:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise StorageError(what, err) from err
    # The new file is in place now, so the previous state is gone: a failing
    # directory fsync must not be reported as "nothing changed". It only means
    # the rename may not survive a power cut (the old, complete file then would).
    with contextlib.suppress(OSError):
        fsync_directory(path.parent)


def remove_stale_temp_files(folder: Path) -> int:
    """Delete temp files a crash left behind; returns how many were removed."""
    removed = 0
    for leftover in folder.glob(f"{TEMP_PREFIX}*"):
        with contextlib.suppress(OSError):
            leftover.unlink()
            removed += 1
    return removed
