"""A vault's WAL is checkpointed on a thread of the engine's own after each
write transaction, not inside the commit that crosses SQLite's threshold
(db/wal_checkpoints.py): a coordinator's merge no longer waits for the copy
into the database file and its fsync at nearly every bundle. What users
rely on: what was saved is copied in without their waiting for it, lock
stops the thread and leaves no WAL behind, and a checkpoint that fails
says only its error's type."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import pytest

from db.keyring_store import NoKeyring
from db.vault import DB_FILE, Vault
from db.wal_checkpoints import BackgroundCheckpoints
from tests.factory import make_case
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE, checkpointed


def _checkpoint_threads() -> int:
    return sum(1 for thread in threading.enumerate() if thread.name == "wal-checkpoint")


def test_a_save_is_copied_into_the_database_file_in_the_background(tmp_path: Path) -> None:
    vault = Vault.create(tmp_path / "v", PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2).vault
    try:
        for number in range(3):
            # A few pages each: far below SQLite's own threshold, so only
            # the engine's thread copies them in.
            case = make_case(vault, title=f"Case {number}")
            frames, copied = checkpointed(vault.folder)
            assert frames > 0, "the save wrote no WAL frames: the vault is not in WAL mode"
            assert copied == frames, f"{copied} of {frames} WAL frames copied in: no checkpoint ran"
            assert vault.cases.get(case.id).title == f"Case {number}"
    finally:
        vault.lock()


def test_lock_stops_the_thread_and_leaves_no_wal(tmp_path: Path) -> None:
    before = _checkpoint_threads()
    vault = Vault.create(tmp_path / "v", PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2).vault
    folder = vault.folder
    case = make_case(vault, title="Kept through lock")
    checkpointed(folder)
    assert _checkpoint_threads() == before + 1
    make_case(vault, title="Saved just before lock")  # may still be in the WAL alone
    vault.lock()
    assert _checkpoint_threads() == before, "the checkpoint thread outlived the lock"
    assert not (folder / f"{DB_FILE}-wal").exists(), "lock left a WAL beside the database"
    reopened = Vault.open(folder, PASSPHRASE, keyring=NoKeyring())
    try:
        titles = {c.title for c in reopened.cases.list()}
        assert {"Kept through lock", "Saved just before lock"} <= titles
        assert reopened.cases.get(case.id).title == "Kept through lock"
    finally:
        reopened.lock()


def test_a_failed_checkpoint_names_only_its_error_type_and_the_next_one_runs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    attempts: list[int] = []
    done = threading.Event()

    class Connection:
        def execute(self, _sql: str) -> Connection:
            done.set()
            return self

        def fetchall(self) -> list[tuple[int, int, int]]:
            return [(0, 0, 0)]

        def close(self) -> None:
            pass

    def connect() -> Connection:
        attempts.append(1)
        if len(attempts) == 1:
            raise OSError("/home/worker/Secret Case/vault.db: disk I/O error")
        return Connection()

    checkpoints = BackgroundCheckpoints(connect)
    with caplog.at_level(logging.WARNING, logger="db.wal_checkpoints"):
        checkpoints.committed()
        checkpoints.released()
        deadline = time.monotonic() + 5
        while not caplog.records and time.monotonic() < deadline:
            time.sleep(0.01)
        checkpoints.committed()
        checkpoints.released()
        assert done.wait(5), "no checkpoint was tried again after the failed one"
        checkpoints.stop()
    assert [r.getMessage() for r in caplog.records] == ["WAL checkpoint failed (OSError)"]
    assert "Secret" not in caplog.text


def test_a_release_without_a_commit_starts_no_checkpoint() -> None:
    connects: list[int] = []
    checkpoints = BackgroundCheckpoints(lambda: connects.append(1))
    checkpoints.released()  # a read's connection going back to the pool
    checkpoints.stop()
    assert connects == []
