"""Plaintext copies outside the vault: where an export may write, and the
record of the copies being written.

An export decrypts evidence into a folder the user chose, under a temp name
that is renamed once the copy is whole. A crash in between would leave a
plaintext ``.tmp-`` copy there for anyone to find. So, before the first byte
is written, the temp file's path is recorded inside the (encrypted) vault in
``pending_exports``, and its device and inode right after it was created; the
record goes when the export finished or failed. At the next unlock,
``remove_export_leftovers`` removes every file still recorded, but only one
we can tell is ours: a regular file (never through a symlink) with the
recorded device and inode, or, if the crash came before those were recorded,
an empty one. Anything else at that path is left alone. (A file put there
later that happens to reuse the freed inode number cannot be told apart; the
temp name holds 64 random bits, so only someone who saw the leftover could.)
"""

from __future__ import annotations

import contextlib
import os
import stat
import time
from pathlib import Path

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from db.atomicio import fsync_directory, owner_only
from db.errors import InvalidInput, StorageError, VaultLocked
from db.model import PendingExport
from db.services import VaultContext, storage_errors

# O_NOFOLLOW does not exist on Windows, where a symlink needs privileges to make.
_CREATE_FLAGS = (
    os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
)


def export_target(destination: Path, default_name: str, *, overwrite: bool) -> Path:
    """The file an export writes: ``destination``, or ``default_name`` inside
    it when it is a folder. Refuses anything that exists and is not a regular
    file (a FIFO, a device, a socket, a folder), and any symlink, dangling or
    not: writing through one would put witness data where the link points."""
    if destination.is_dir():
        destination = destination / default_name
    try:
        found = destination.lstat()
    except FileNotFoundError:
        # A missing folder fails when the copy is created: a StorageError
        # (ENOENT) that says the folder is not there.
        return destination
    except OSError as err:
        raise InvalidInput(
            f"Cannot export to {destination}: {err.strerror}.",
            "export-target-unusable",
            path=str(destination),
            errno=err.errno,
        ) from None
    if stat.S_ISLNK(found.st_mode):
        raise InvalidInput(
            f"{destination} is a symbolic link; an export never writes through one. Choose another name.",
            "export-target-symlink",
            path=str(destination),
        )
    if not stat.S_ISREG(found.st_mode):
        raise InvalidInput(
            f"{destination} exists and is not a regular file; choose another name.",
            "export-target-not-regular",
            path=str(destination),
        )
    if not overwrite:
        raise InvalidInput(
            f"{destination} already exists; choose another name.",
            "export-target-exists",
            path=str(destination),
        )
    return destination


def safe_file_name(name: str, fallback: str) -> str:
    """The last part of a stored original name, or ``fallback`` when that is
    not a usable file name (empty, ``.``/``..``, or holding a NUL)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    if base in ("", ".", "..") or "\0" in base:
        return fallback
    return base


def create_private_file(path: Path) -> int:
    """Create ``path`` for writing, mode 0600, failing if anything is there
    (no following of a symlink planted meanwhile)."""
    fd = os.open(path, _CREATE_FLAGS, 0o600)
    # A umask cannot widen 0600, but an inherited ACL or odd umask could narrow it; be exact.
    owner_only(fd)
    return fd


def _file_id(found: os.stat_result) -> str:
    return f"{found.st_dev}:{found.st_ino}"


class PendingExports:
    """The record of plaintext copies being written by this vault's exports."""

    def __init__(self, ctx: VaultContext) -> None:
        self._ctx = ctx

    def begin(self, temp: Path) -> int:
        """Record ``temp`` before it exists; returns the record's id."""
        with self._ctx.write_transaction("record the export") as session:
            row = PendingExport(
                path=os.fsencode(temp.absolute()), file_id=None, created_ms=time.time_ns() // 1_000_000
            )
            session.add(row)
            session.flush()
            return row.export_id

    def identify(self, export_id: int, fd: int) -> None:
        """Record which file the temp is (device and inode), before any byte is written."""
        file_id = _file_id(os.fstat(fd))
        with self._ctx.write_transaction("record the export") as session:
            session.execute(
                update(PendingExport).where(PendingExport.export_id == export_id).values(file_id=file_id)
            )

    def finish(self, export_id: int) -> None:
        """Forget the record (the copy was renamed or removed). Best effort: a
        record left behind is cleared at the next unlock, which then finds
        nothing of ours at its path."""
        with (
            contextlib.suppress(StorageError, VaultLocked, OperationalError),
            self._ctx.write_transaction("finish the export") as session,
        ):
            session.execute(delete(PendingExport).where(PendingExport.export_id == export_id))


def _remove_if_ours(path: Path, file_id: str | None) -> bool | None:
    """Remove the leftover at ``path`` if it is ours. True: removed; False:
    nothing of ours is there (the record can go); None: cannot tell now (its
    folder is missing: a removable drive not plugged in), keep the record."""
    try:
        found = path.lstat()
    except FileNotFoundError:
        return None if not path.parent.is_dir() else False
    except OSError:
        return None
    if not stat.S_ISREG(found.st_mode):
        return False
    if os.name != "nt" and found.st_uid != os.getuid():
        return False
    ours = _file_id(found) == file_id if file_id is not None else found.st_size == 0
    if not ours:
        return False
    try:
        path.unlink()
    except OSError:
        return None
    with contextlib.suppress(OSError):
        fsync_directory(path.parent)
    return True


def remove_export_leftovers(engine: Engine) -> int:
    """Remove the plaintext copies that interrupted exports left (see the
    module's doc); returns how many files went. Call it only while no other
    process has the vault open: their exports under way are recorded too.
    Never stops an unlock: a failure leaves the records for the next one."""
    removed = 0
    with (
        contextlib.suppress(StorageError),
        storage_errors("clear the record of interrupted exports"),
    ):
        with Session(engine) as session:
            rows = session.execute(
                select(PendingExport.export_id, PendingExport.path, PendingExport.file_id)
            ).all()
        done: list[int] = []
        for export_id, raw_path, file_id in rows:
            outcome = _remove_if_ours(Path(os.fsdecode(raw_path)), file_id)
            removed += outcome is True
            if outcome is not None:
                done.append(export_id)
        if done:
            with engine.begin() as conn:
                conn.execute(delete(PendingExport).where(PendingExport.export_id.in_(done)))
    return removed
