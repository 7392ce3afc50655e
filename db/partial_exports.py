"""Exports under way, recorded inside the vault, so that a crash's leftover
is found at the next unlock.

The case exports (sync/exports) write each export under a partial name,
``.<name>.partial-<16 hex>``, in the folder the user chose, and rename it
once whole; a cancel or a failure removes it. A crash (power cut, kill -9)
in between leaves that folder or file behind, with plaintext in it (a bag
holds the original evidence). So, before it is created, its path is recorded
here, in the (encrypted) ``settings`` table under a key of its own
(``export-in-progress:<16 hex>``, never listed among the user's settings),
and its device and inode right after it was created, before any byte is
written; the record goes when the export finished, failed or was cancelled.

At the next unlock (only when no other process has the vault open: its
exports under way are recorded too) ``clear_interrupted_exports`` looks at
every record left. It removes what is there only when it is ours: a folder
or regular file (never a symlink) owned by this user, whose name is a
partial export's name and is the recorded path exactly, with the recorded
device and inode (or, if the crash came before they were recorded, empty).
Anything else at that path is left alone and named to the user. (A folder
made in place of a deleted one that happens to reuse its freed inode number
cannot be told apart; the name holds 64 random bits, so only someone who saw
the leftover could.) Each
finding is returned for the user to be told (GUI notice, CLI line): the
user must know that plaintext lay in that folder.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import stat
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sqlalchemy import Engine, delete, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from db.errors import StorageError, VaultLocked
from db.model import Setting
from db.services import VaultContext, storage_errors

KEY_PREFIX = "export-in-progress:"
# sync/exports/staging.py's partial names: a hidden name, then ".partial-" and 64 random bits.
PARTIAL_NAME = re.compile(r"\..+\.partial-[0-9a-f]{16}", re.DOTALL)

# removed: it was ours and is gone now. left-alone: something else is at the
# path (not ours: never touched). unreachable: its folder is not there now (a
# USB stick not plugged in) or it could not be removed; looked at again at
# the next unlock.
Outcome = Literal["removed", "left-alone", "unreachable"]


@dataclass(frozen=True)
class InterruptedExport:
    """What the unlock found of an export a crash interrupted."""

    path: Path
    outcome: Outcome


def _file_id(found: os.stat_result) -> str:
    return f"{found.st_dev}:{found.st_ino}"


class ExportsInProgress:
    """The record of the partial exports being written by this vault."""

    def __init__(self, ctx: VaultContext) -> None:
        self._ctx = ctx

    def begin(self, partial: Path) -> str:
        """Record ``partial`` before it exists; returns the record's token."""
        if not PARTIAL_NAME.fullmatch(partial.name):
            raise ValueError("not a partial export's name")
        token = secrets.token_hex(8)
        value = {
            "path": os.fsdecode(partial.absolute()),
            "file_id": None,
            "started_ms": time.time_ns() // 1_000_000,
        }
        with self._ctx.write_transaction("record the export") as session:
            session.add(Setting(key=KEY_PREFIX + token, value=json.dumps(value)))
        return token

    def identify(self, token: str, partial: Path) -> None:
        """Record which folder or file ``partial`` is (device and inode), before any byte is written."""
        file_id = _file_id(partial.lstat())
        with self._ctx.write_transaction("record the export") as session:
            row = session.get(Setting, KEY_PREFIX + token)
            if row is not None:
                row.value = json.dumps(json.loads(row.value) | {"file_id": file_id})

    def finish(self, token: str) -> None:
        """Forget the record (the export took its name, or its partial copy
        was removed). Best effort: a record left behind (the vault locked
        meanwhile) is cleared at the next unlock, which finds nothing there."""
        with (
            contextlib.suppress(StorageError, VaultLocked, OperationalError),
            self._ctx.write_transaction("finish the export") as session,
        ):
            session.execute(delete(Setting).where(Setting.key == KEY_PREFIX + token))

    def pending(self) -> list[Path]:
        """The partial exports recorded now (this process's and, until an
        unlock alone clears them, interrupted ones)."""
        with self._ctx.sessions() as session:
            values = session.scalars(select(Setting.value).where(Setting.key.startswith(KEY_PREFIX)))
            return [Path(json.loads(value)["path"]) for value in values]


def _is_empty(path: Path, found: os.stat_result) -> bool:
    if stat.S_ISDIR(found.st_mode):
        with os.scandir(path) as entries:
            return next(entries, None) is None
    return found.st_size == 0


def _remove(path: Path, found: os.stat_result) -> None:
    if stat.S_ISDIR(found.st_mode):
        # rmtree removes links inside as links: it never follows one out.
        shutil.rmtree(path)
    else:
        path.unlink()


def _clear_one(path: Path, file_id: str | None) -> Outcome | None:
    """Remove the partial export at ``path`` if it is ours. None: nothing is
    there (the export finished or was removed before the crash)."""
    if not PARTIAL_NAME.fullmatch(path.name):
        return "left-alone"
    try:
        found = path.lstat()
    except FileNotFoundError:
        return None if path.parent.is_dir() else "unreachable"
    except OSError:
        return "unreachable"
    if not (stat.S_ISDIR(found.st_mode) or stat.S_ISREG(found.st_mode)):
        return "left-alone"  # a symlink, a FIFO, a device: not what we made
    if os.name != "nt" and found.st_uid != os.getuid():
        return "left-alone"
    try:
        ours = _file_id(found) == file_id if file_id is not None else _is_empty(path, found)
        if not ours:
            return "left-alone"
        _remove(path, found)
    except OSError:
        return "unreachable"
    return "removed"


def clear_interrupted_exports(engine: Engine) -> list[InterruptedExport]:
    """Remove the partial exports that crashes left (see the module's doc)
    and say what was found. Call it only while no other process has the
    vault open. Never stops an unlock: a failure keeps the records for the next."""
    found: list[InterruptedExport] = []
    with contextlib.suppress(StorageError), storage_errors("clear the record of interrupted exports"):
        with Session(engine) as session:
            rows = session.execute(
                select(Setting.key, Setting.value).where(Setting.key.startswith(KEY_PREFIX))
            ).all()
        done: list[str] = []
        for key, value in rows:
            try:
                record = json.loads(value)
                path, file_id = Path(record["path"]), record["file_id"]
            except (ValueError, KeyError, TypeError):
                done.append(key)  # not a record we wrote: nothing to look at
                continue
            outcome = _clear_one(path, file_id)
            if outcome is not None:
                found.append(InterruptedExport(path, outcome))
            if outcome != "unreachable":
                done.append(key)
        if done:
            with engine.begin() as conn:
                conn.execute(delete(Setting).where(Setting.key.in_(done)))
    return found
