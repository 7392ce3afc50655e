"""An encrypted backup of a whole vault, for a USB stick (``fieldvault backup``).

A backup is itself a vault folder (docs/vault-format.md, "Backups"): the key
file as it is on disk, the database copied with SQLite's online backup API
(SQLCipher encrypts the copy page by page with the same database key), and
the evidence files copied as they are, still encrypted. It opens with the
same passphrase or recovery key and keeps the original's device identity.

Nothing is decrypted to make it: the blobs are copied byte for byte, and the
database pages are re-encrypted by SQLCipher as they are written.

Crash safety: the copy is made in a hidden folder ``.fieldvault-backup-….partial``
next to where it will live; the key file is written last and only then is the
folder renamed to its final name. A copy cut short (kill -9, a pulled stick)
is never a folder with a backup's name, and without its key file it does not
open as a vault. Nothing that exists is overwritten: the backup always goes
to a new folder.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

import sqlcipher3

from db.atomicio import atomic_write, fsync_directory
from db.blobstore import CancelToken, OperationCancelled
from db.errors import Codes, FieldvaultError, Param, StorageError, VaultDamaged
from db.keys import KeyFile
from db.openlock import key_file_change
from db.paths import KEY_FILE

DB_FILE = "vault.db"
BLOB_DIR = "blobs"
# A backup made into an existing folder (a USB stick's root) gets a folder of
# its own there, named after when it was made.
BACKUP_NAME_PREFIX = "fieldvault-backup-"
STAGING_PREFIX = ".fieldvault-backup-"
STAGING_SUFFIX = ".partial"
STAGING_NAME = re.compile(r"\.fieldvault-backup-[0-9a-f]{16}\.partial")
COPY_CHUNK = 1024 * 1024
# A partial copy older than this is an interrupted backup (a backup under way
# renames or removes its own within seconds to minutes): the next backup into
# the same place removes it.
STALE_PARTIAL_SECONDS = 6 * 3600
# What a partial copy may hold: anything else in it is not ours, and it stays.
PARTIAL_FILES = frozenset({"vault.keys", "vault.db", "vault.db-journal", "vault.db-wal", "vault.db-shm"})
PARTIAL_NAME_IN_BLOBS = re.compile(r"[0-9a-f]{32}|\.tmp-[0-9a-f]{16}")
PARTIAL_TEMP = re.compile(r"\.tmp-[0-9a-f]{16}")
# Settings (db/services.py SETTING_DEFAULTS) the reminder reads.
REMINDER_SETTING = "backup_reminder_days"
LAST_BACKUP_SETTING = "last_backup_at"
MAX_REMINDER_DAYS = 365

ProgressCallback = Callable[[int, int], None]


class BackupRefused(FieldvaultError):
    """A backup was not made, and nothing was written: the target cannot take one."""

    codes: ClassVar[Codes] = {
        "backup-inside-vault": ("path",),
        "backup-target-not-a-folder": ("path",),
        "backup-reminder-out-of-range": ("minimum", "maximum"),
    }

    def __init__(self, message: str, code: str, **params: Param) -> None:
        super().__init__(message, code, field=None, **params)


class BackupCancelled(OperationCancelled):
    codes: ClassVar[Codes] = {"backup-cancelled": ()}

    def __init__(self) -> None:
        super().__init__("Backup cancelled; the partial copy was removed.", "backup-cancelled")


@dataclass(frozen=True)
class BackupResult:
    path: Path
    blobs: int  # evidence files copied
    bytes: int  # their size on disk (encrypted)
    finished_at: str  # UTC, ISO 8601, seconds
    # Evidence files the database knows but the vault folder lacked (already
    # missing before the backup; 'fieldvault verify' reports them too).
    missing: list[str] = field(default_factory=list)


def check_reminder_days(value: str) -> None:
    """The ``backup_reminder_days`` setting: 0 (never remind) to 365."""
    if not (re.fullmatch(r"[0-9]{1,3}", value) and int(value) <= MAX_REMINDER_DAYS):
        raise BackupRefused(
            f"{REMINDER_SETTING} must be a whole number of days, 0 to {MAX_REMINDER_DAYS}.",
            "backup-reminder-out-of-range",
            minimum=0,
            maximum=MAX_REMINDER_DAYS,
        )


def days_overdue(last_backup_at: str, reminder_days: str, now: datetime) -> int | None:
    """None when no reminder is due; else the whole days since the last backup
    (-1: never backed up). A reminder of 0 days means never remind."""
    try:
        days = int(reminder_days)
    except ValueError:
        return None
    if days <= 0:
        return None
    if not last_backup_at:
        return -1
    try:
        last = datetime.fromisoformat(last_backup_at)
    except ValueError:
        return -1
    age = (now - last).days
    return age if age >= days else None


def backup_target(to: Path, now: datetime) -> Path:
    """Where the backup goes: ``to`` itself if it does not exist yet, else a
    new folder inside it (never an existing one)."""
    to = Path(to)
    if not to.exists() and not to.is_symlink():
        return to
    if not to.is_dir():
        raise BackupRefused(
            f"{to} is not a folder; give a folder (a USB stick) to put the backup in.",
            "backup-target-not-a-folder",
            path=str(to),
        )
    stem = BACKUP_NAME_PREFIX + now.strftime("%Y-%m-%d-%H%M%S")
    candidate = to / stem
    number = 2
    while candidate.exists() or candidate.is_symlink():
        candidate = to / f"{stem}-{number}"
        number += 1
    return candidate


def _refuse_inside_vault(vault_folder: Path, target: Path, chosen: Path) -> None:
    vault = vault_folder.resolve()
    where = target.parent.resolve() / target.name
    if where == vault or vault in where.parents or where in vault.parents:
        raise BackupRefused(
            f"A backup cannot go into the vault folder {vault_folder} or a folder holding it; "
            "choose another place (a USB stick).",
            "backup-inside-vault",
            path=str(chosen),
        )


def _key_pragma(database_key: bytes) -> str:
    return f"PRAGMA key = \"x'{database_key.hex()}'\""


def _copy_database(source: Any, target: Path, database_key: bytes) -> set[str]:
    """Copy the open database ``source`` (a sqlcipher3 connection) to ``target``
    with SQLite's online backup API, keyed like the original, in one step (one
    snapshot: writers meanwhile are not seen). Returns the blob ids it knows.
    SQLite's own disk errors (a full stick) become OSError, as a file copy's would."""
    try:
        return _copy_database_once(source, target, database_key)
    except sqlcipher3.DatabaseError as err:
        message = str(err)
        code = errno.ENOSPC if "full" in message else errno.EIO
        raise OSError(code, os.strerror(code)) from err


def _copy_database_once(source: Any, target: Path, database_key: bytes) -> set[str]:
    os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    copy = sqlcipher3.connect(str(target), isolation_level=None)
    try:
        copy.execute(_key_pragma(database_key))
        copy.execute("PRAGMA cipher_log_level = NONE")
        copy.execute("PRAGMA temp_store = MEMORY")
        # pages=-1: the whole database in one step, so the copy is one consistent
        # snapshot (in steps, a write in between would restart it).
        source.backup(copy, pages=-1)
        # Exports under way belong to the original: opening the backup must not
        # try to clear files the original's exports are writing.
        copy.execute("DELETE FROM pending_exports")
        copy.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        known = {row[0] for row in copy.execute("SELECT blob_id FROM blobs")}
    finally:
        copy.close()
    for leftover in (f"{DB_FILE}-wal", f"{DB_FILE}-shm"):
        # Closed cleanly, SQLite removed them; a zero-length -wal may stay.
        path = target.with_name(leftover)
        if path.is_file() and path.stat().st_size == 0:
            path.unlink()
    _fsync_file(target)
    return known


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _copy_blob(
    source: Path,
    target: Path,
    done: int,
    total: int,
    progress: ProgressCallback | None,
    cancel: CancelToken | None,
) -> int:
    """Copy one encrypted file as it is, fsynced; returns ``done`` plus its size."""
    # Created 0600 by open(2) itself, not chmod: a FAT-formatted USB stick
    # refuses chmod (EPERM) and ignores the mode anyway.
    with source.open("rb") as src:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with open(fd, "wb", buffering=0) as out:  # noqa: PTH123 - unbuffered
            while chunk := src.read(COPY_CHUNK):
                if cancel is not None and cancel.cancelled:
                    raise BackupCancelled()
                view = memoryview(chunk)
                while view:
                    view = view[out.write(view) :]
                done += len(chunk)
                if progress is not None:
                    progress(done, max(total, done))
            os.fsync(out.fileno())
    return done


def read_key_file(vault_folder: Path, vault_id: str) -> bytes:
    """The key file as it is on disk, read while no passphrase change writes it,
    and checked to be this vault's."""
    with key_file_change(vault_folder):
        data = (vault_folder / KEY_FILE).read_bytes()
    if KeyFile.from_bytes(data, source=KEY_FILE).vault_id != vault_id:
        raise VaultDamaged(
            f"The key file in {vault_folder} now belongs to another vault; no backup was made.",
            "key-file-of-another-vault",
            path=str(vault_folder),
        )
    return data


def write_backup(
    *,
    vault_folder: Path,
    vault_id: str,
    source_connection: Any,
    database_key: bytes,
    to: Path,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    now: datetime | None = None,
) -> BackupResult:
    """Make a backup of the open vault in ``vault_folder`` under ``to`` (see the
    module's doc). ``source_connection`` is a sqlcipher3 connection to its
    database. Any failure or a cancel removes the partial copy (ours) and
    leaves everything else as it was."""
    now = now or datetime.now(UTC)
    target = backup_target(to, now)
    _refuse_inside_vault(vault_folder, target, Path(to))
    remove_stale_partials(target.parent, now.timestamp())
    staging = target.parent / f"{STAGING_PREFIX}{secrets.token_hex(8)}{STAGING_SUFFIX}"
    try:
        staging.mkdir(mode=0o700)
    except FileNotFoundError:
        raise BackupRefused(
            f"{target.parent} does not exist; give an existing folder (a USB stick).",
            "backup-target-not-a-folder",
            path=str(target.parent),
        ) from None
    except OSError as err:
        raise StorageError("create the backup folder", err) from err
    try:
        key_file = read_key_file(vault_folder, vault_id)
        (staging / BLOB_DIR).mkdir(mode=0o700)
        known = _copy_database(source_connection, staging / DB_FILE, database_key)
        sources = {blob_id: vault_folder / BLOB_DIR / blob_id for blob_id in sorted(known)}
        present = {blob_id: path for blob_id, path in sources.items() if path.is_file()}
        missing = sorted(set(sources) - set(present))
        total = sum(path.stat().st_size for path in present.values())
        done = 0
        if progress is not None:
            progress(0, total)
        for blob_id, path in present.items():
            if cancel is not None and cancel.cancelled:
                raise BackupCancelled()
            done = _copy_blob(path, staging / BLOB_DIR / blob_id, done, total, progress, cancel)
        fsync_directory(staging / BLOB_DIR)
        # Last: until the key file is there, the folder is not a vault.
        atomic_write(staging / KEY_FILE, key_file, what="write the backup's key file")
        fsync_directory(staging)
        staging.rename(target)
        with contextlib.suppress(OSError):
            fsync_directory(target.parent)
    except OSError as err:
        _remove_staging(staging)
        raise StorageError("write the backup", err) from err
    except BaseException:
        _remove_staging(staging)
        raise
    return BackupResult(
        path=target,
        blobs=len(present),
        bytes=done,
        finished_at=datetime.now(UTC).replace(microsecond=0).isoformat(),
        missing=missing,
    )


def _only_ours(partial: Path) -> bool:
    """Whether ``partial`` holds nothing but what a backup writes."""
    try:
        for entry in partial.iterdir():
            if entry.is_symlink():
                return False
            if entry.name == BLOB_DIR and entry.is_dir():
                if not all(
                    PARTIAL_NAME_IN_BLOBS.fullmatch(blob.name) and blob.is_file() and not blob.is_symlink()
                    for blob in entry.iterdir()
                ):
                    return False
            elif not (
                (entry.name in PARTIAL_FILES or PARTIAL_TEMP.fullmatch(entry.name)) and entry.is_file()
            ):
                return False
    except OSError:
        return False
    return True


def remove_stale_partials(folder: Path, now: float) -> list[str]:
    """Remove the partial copies interrupted backups left in ``folder`` (a
    kill, a pulled stick): only folders with our staging name, older than
    STALE_PARTIAL_SECONDS, holding nothing but what a backup writes. Returns
    their names. Anything else, and any doubt, stays."""
    removed: list[str] = []
    try:
        candidates = [entry for entry in Path(folder).iterdir() if STAGING_NAME.fullmatch(entry.name)]
    except OSError:
        return removed
    for partial in candidates:
        try:
            if partial.is_symlink() or not partial.is_dir():
                continue
            # Each evidence file copied touches blobs/: the newest of the two says when it last moved.
            blobs = partial / BLOB_DIR
            last = max(partial.stat().st_mtime, blobs.stat().st_mtime if blobs.is_dir() else 0.0)
            if now - last < STALE_PARTIAL_SECONDS or not _only_ours(partial):
                continue
        except OSError:
            continue
        _remove_staging(partial)
        if not partial.exists():
            removed.append(partial.name)
    return removed


def _remove_staging(staging: Path) -> None:
    """The partial copy is ours alone (a fresh random name): remove it all."""
    if STAGING_NAME.fullmatch(staging.name) and staging.is_dir() and not staging.is_symlink():
        shutil.rmtree(staging, ignore_errors=True)
