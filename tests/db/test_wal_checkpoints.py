"""A vault's WAL is checkpointed on a thread of the engine's own once write
transactions changed CHECKPOINT_ROWS rows, not inside the commit that
crosses SQLite's threshold (db/wal_checkpoints.py): a
coordinator's merge no longer waits for the copy into the database file
and its fsync at nearly every bundle. What users rely on: a large write is
copied in without their waiting for it, a small save costs no checkpoint
(no extra fsyncs on a USB stick), lock stops the thread and leaves no WAL
behind, and a checkpoint that fails says only its error's type."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text

from db.keyring_store import NoKeyring
from db.vault import DB_FILE, Vault
from db.wal_checkpoints import CHECKPOINT_ROWS, BackgroundCheckpoints
from tests.factory import make_case
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE, wal_index

DRAFT = {"narrative": "Свідок розповів про обстріл села вранці. " * 50}


def _frames(folder: Path) -> tuple[int, int]:
    index = wal_index(folder)
    assert index != (0, 0), "no WAL index beside the database: the vault is not in WAL mode"
    return index


def _many_rows(vault: Vault) -> None:
    """One write transaction of CHECKPOINT_ROWS + 100 drafts, as an editor's
    autosave would write them one at a time."""
    with vault.services.context.write_transaction("autosave the drafts") as session:
        session.execute(
            text("INSERT INTO drafts (draft_key, body, updated_ms) VALUES (:key, :body, 0)"),
            [{"key": f"testimony:new:{n}", "body": json.dumps(DRAFT)} for n in range(CHECKPOINT_ROWS + 100)],
        )


def _all_copied_in(folder: Path, within: float = 10.0) -> tuple[int, int]:
    deadline = time.monotonic() + within
    while True:
        frames, copied = _frames(folder)
        if (frames and copied == frames) or time.monotonic() > deadline:
            return frames, copied
        time.sleep(0.02)


def _checkpoint_threads() -> int:
    return sum(1 for thread in threading.enumerate() if thread.name == "wal-checkpoint")


@pytest.fixture
def vault(tmp_path: Path) -> Any:
    opened = Vault.create(tmp_path / "v", PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2).vault
    yield opened
    if not opened.is_locked:
        opened.lock()


def test_small_saves_leave_the_wal_and_many_rows_are_copied_in_the_background(vault: Vault) -> None:
    before = _checkpoint_threads()
    for number in range(3):
        case = make_case(vault, title=f"Case {number}")
        assert vault.cases.get(case.id).title == f"Case {number}"
    time.sleep(0.3)
    frames, copied = _frames(vault.folder)
    assert copied < frames, "a small save was checkpointed: each save would pay two more fsyncs"
    assert _checkpoint_threads() == before

    _many_rows(vault)
    frames, copied = _all_copied_in(vault.folder)
    assert copied == frames, f"{copied} of {frames} WAL frames copied in: no checkpoint ran"
    assert _checkpoint_threads() == before + 1, "the checkpoint did not run on the engine's thread"
    assert len(vault.drafts.keys("testimony:new:")) == CHECKPOINT_ROWS + 100


def test_lock_stops_the_thread_and_leaves_no_wal(vault: Vault) -> None:
    before = _checkpoint_threads()
    folder = vault.folder
    _many_rows(vault)
    _all_copied_in(folder)
    assert _checkpoint_threads() == before + 1
    case = make_case(vault, title="Saved just before lock")  # in the WAL alone
    vault.lock()
    assert _checkpoint_threads() == before, "the checkpoint thread outlived the lock"
    assert not (folder / f"{DB_FILE}-wal").exists(), "lock left a WAL beside the database"
    reopened = Vault.open(folder, PASSPHRASE, keyring=NoKeyring())
    try:
        assert reopened.cases.get(case.id).title == "Saved just before lock"
        assert len(reopened.drafts.keys("testimony:new:")) == CHECKPOINT_ROWS + 100
    finally:
        reopened.lock()


def test_a_read_ending_during_a_commit_does_not_take_its_checkpoint(vault: Vault) -> None:
    """The engine's commit event comes before the COMMIT: a read on another
    thread that gives its connection back in between must not be taken for
    the write's end (review 33 L1), or the checkpoint runs before the
    commit lands and the write's own end asks for none."""
    writer = threading.current_thread()

    def read_meanwhile(_conn: Any) -> None:
        if threading.current_thread() is writer:
            reader = threading.Thread(target=vault.cases.list)
            reader.start()
            reader.join()

    assert vault._engine is not None  # the test looks under the services, at the engine
    event.listen(vault._engine, "commit", read_meanwhile)
    _many_rows(vault)
    frames, copied = _all_copied_in(vault.folder, within=5.0)
    assert copied == frames, f"{copied} of {frames} WAL frames copied in after a read during the commit"


def test_another_process_opens_the_vault_beside_a_writer_after_a_checkpoint(vault: Vault) -> None:
    """Nothing in the process closes a descriptor of the database's files
    beside SQLite (which would drop its POSIX locks, and let another process
    run WAL recovery under a live writer: 'locking protocol')."""
    _many_rows(vault)
    _all_copied_in(vault.folder)
    make_case(vault)
    code = (
        "import sys; from pathlib import Path; from db.keyring_store import NoKeyring; from db.vault import Vault\n"
        "Vault.open(Path(sys.argv[1]), sys.argv[2], keyring=NoKeyring()).lock(); print('opened')"
    )
    with vault.services.context.write_transaction("hold the write lock") as session:
        session.execute(text("UPDATE settings SET value = value"))
        other = subprocess.run(
            [sys.executable, "-c", code, str(vault.folder), PASSPHRASE],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert "locking protocol" not in other.stderr
    assert other.stdout.strip() == "opened", other.stderr[-400:]


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
        checkpoints.released(CHECKPOINT_ROWS)
        deadline = time.monotonic() + 5
        while not caplog.records and time.monotonic() < deadline:
            time.sleep(0.01)
        checkpoints.released(CHECKPOINT_ROWS)
        assert done.wait(5), "no checkpoint was tried again after the failed one"
        checkpoints.stop()
    assert [r.getMessage() for r in caplog.records] == ["WAL checkpoint failed (OSError)"]
    assert "Secret" not in caplog.text
