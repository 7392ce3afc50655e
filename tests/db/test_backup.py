"""Encrypted backups (db/backup.py): a backup is a vault folder that opens with
the same passphrase or recovery key, keeps the device identity, holds every
evidence file byte for byte, contains no plaintext, overwrites nothing, and a
copy cut short never looks like a finished backup."""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from db.backup import (
    STAGING_NAME,
    BackupCancelled,
    BackupRefused,
    BackupResult,
    days_overdue,
)
from db.blobstore import CancelToken
from db.errors import IncompleteVault, InvalidInput, KeyringSecretMissing, VaultNotFound, WrongPassphrase
from db.keyring_store import MemoryKeyring, NoKeyring
from db.paths import KEY_FILE
from db.vault import CreatedVault, Vault
from tests.canary_helpers import encodings, files_containing
from tests.crash_helpers import die_at_checkpoint, run_child, send
from tests.evidence_samples import make_random
from tests.factory import make_case, make_testimony
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE, open_vault

CANARY = "КАНАРКА-backup-7f3a"


def fill(vault: Vault, tmp_path: Path, *, files: int = 3, size: int = 300_000) -> dict[str, str]:
    """A case, a testimony with the canary, and ``files`` evidence items (one
    holding the canary); returns evidence id -> SHA-256 of its bytes."""
    case = make_case(vault)
    make_testimony(vault, case.id, narrative=f"The witness said {CANARY} twice.")
    hashes = {}
    for number in range(files):
        source = make_random(tmp_path / f"evidence-{number}.bin", size, seed=number)
        if number == 0:
            source.write_bytes(source.read_bytes()[:1000] + CANARY.encode() + source.read_bytes()[1000:])
        item = vault.evidence.ingest(source, case.id).item
        hashes[item.id] = hashlib.sha256(source.read_bytes()).hexdigest()
    return hashes


def evidence_hashes(vault: Vault) -> dict[str, str]:
    hashes = {}
    for item in vault.evidence.list():
        with vault.evidence.open(item.id, purpose="test") as reader:
            hashes[item.id] = hashlib.sha256(reader.read()).hexdigest()
    return hashes


def test_a_backup_opens_with_the_passphrase_and_holds_every_file_byte_for_byte(
    vault: Vault, tmp_path: Path
) -> None:
    hashes = fill(vault, tmp_path)
    usb = tmp_path / "usb"
    usb.mkdir()
    result = vault.back_up(usb)
    assert result.path.parent == usb and result.blobs == 3 and result.missing == []
    original = vault.info()
    vault.lock()

    with open_vault(result.path) as copy:
        info = copy.info()
        assert info.device_id == original.device_id and info.vault_id == original.vault_id
        assert (info.cases, info.testimonies, info.evidence, info.revisions) == (
            original.cases,
            original.testimonies,
            original.evidence,
            original.revisions,
        )
        report = copy.verify()
        assert report.ok, report.problems
        assert report.blobs_checked == 3
        assert evidence_hashes(copy) == hashes
    with pytest.raises(WrongPassphrase):
        open_vault(result.path, "not the passphrase at all")


def test_the_recovery_key_opens_the_backup(created_vault: CreatedVault, tmp_path: Path) -> None:
    vault = created_vault.vault
    hashes = fill(vault, tmp_path, files=1)
    result = vault.back_up(tmp_path / "stick")
    assert result.path == tmp_path / "stick"
    vault.lock()
    restored, _new_key = Vault.recover(
        result.path, created_vault.recovery_key, "a new laptop, a new passphrase", keyring=NoKeyring()
    )
    with restored:
        assert evidence_hashes(restored) == hashes


def test_no_plaintext_in_the_backup(vault: Vault, tmp_path: Path) -> None:
    fill(vault, tmp_path)
    result = vault.back_up(tmp_path / "usb")
    assert files_containing([result.path], encodings(CANARY)) == []
    # The canary is findable where it is in the clear, so the scan does work.
    assert files_containing([tmp_path], encodings(CANARY)) != []
    assert (result.path / "vault.db").read_bytes()[:16] != b"SQLite format 3\x00"


def test_nothing_is_overwritten_and_the_users_files_stay(vault: Vault, tmp_path: Path) -> None:
    fill(vault, tmp_path, files=1)
    usb = tmp_path / "usb"
    usb.mkdir()
    (usb / "holiday.jpg").write_bytes(b"the user's own file")
    first = vault.back_up(usb)
    second = vault.back_up(usb, progress=None)
    assert first.path != second.path
    assert {p.name for p in usb.iterdir()} == {"holiday.jpg", first.path.name, second.path.name}
    assert (usb / "holiday.jpg").read_bytes() == b"the user's own file"
    for backup in (first, second):
        with open_vault(backup.path) as copy:
            assert copy.verify().ok


def test_a_file_as_target_or_the_vault_folder_is_refused(vault: Vault, tmp_path: Path) -> None:
    a_file = tmp_path / "notes.txt"
    a_file.write_text("keep me")
    with pytest.raises(BackupRefused) as refused:
        vault.back_up(a_file)
    assert refused.value.code == "backup-target-not-a-folder"
    assert a_file.read_text() == "keep me"
    before = sorted(p.name for p in vault.folder.iterdir())
    for inside in (vault.folder, vault.folder / "blobs", vault.folder / "new"):
        with pytest.raises(BackupRefused) as refused:
            vault.back_up(inside)
        assert refused.value.code == "backup-inside-vault"
    assert sorted(p.name for p in vault.folder.iterdir()) == before
    with pytest.raises(BackupRefused):
        vault.back_up(tmp_path / "no" / "such" / "place")
    assert not (tmp_path / "no").exists()


def test_a_cancelled_backup_leaves_nothing(vault: Vault, tmp_path: Path) -> None:
    fill(vault, tmp_path, files=3, size=3 * 1024 * 1024)
    usb = tmp_path / "usb"
    usb.mkdir()
    cancel = CancelToken()
    seen = []

    def progress(done: int, total: int) -> None:
        seen.append(done)
        if done > total // 3:
            cancel.cancel()

    with pytest.raises(BackupCancelled):
        vault.back_up(usb, progress=progress, cancel=cancel)
    assert list(usb.iterdir()) == []
    assert vault.settings.get("last_backup_at") == ""
    assert seen and max(seen) < 3 * 3 * 1024 * 1024


def test_the_last_backup_time_is_recorded_and_the_reminder_follows_the_setting(
    vault: Vault, tmp_path: Path
) -> None:
    now = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    assert days_overdue(vault.settings.get("last_backup_at"), "14", now) == -1  # never backed up
    result = vault.back_up(tmp_path / "usb")
    stored = vault.settings.get("last_backup_at")
    assert stored == result.finished_at
    last = datetime.fromisoformat(stored)
    assert days_overdue(stored, "14", last + timedelta(days=13)) is None
    assert days_overdue(stored, "14", last + timedelta(days=15)) == 15
    assert days_overdue(stored, "0", last + timedelta(days=400)) is None  # 0: never remind
    vault.settings.set("backup_reminder_days", "30")
    assert vault.settings.get("backup_reminder_days") == "30"
    for bad in ("-1", "366", "abc", "²"):
        with pytest.raises(BackupRefused) as refused:
            vault.settings.set("backup_reminder_days", bad)
        assert refused.value.code == "backup-reminder-out-of-range"
    with pytest.raises(InvalidInput):
        vault.settings.get("backup_reminder_weeks")


def test_exports_under_way_stay_the_originals(vault: Vault, tmp_path: Path) -> None:
    """The backup does not inherit the record of exports the original is
    writing: opening the backup must never touch the original's files."""
    result = vault.back_up(tmp_path / "usb")
    with open_vault(result.path) as copy, copy.services.context.sessions() as session:
        from sqlalchemy import text

        assert session.execute(text("SELECT count(*) FROM pending_exports")).scalar_one() == 0


# -- a backup cut short ----------------------------------------------------------


def _backup_in_child(vault_folder: Path, usb: Path, checkpoint: int):
    def body(fd: int) -> None:
        vault = open_vault(vault_folder)
        send(fd, e="open")
        restore = die_at_checkpoint(checkpoint)
        try:
            vault.back_up(usb)
        finally:
            restore()
        send(fd, e="done")
        vault.lock()

    return body


def test_a_backup_killed_midway_never_looks_finished(vault: Vault, tmp_path: Path) -> None:
    hashes = fill(vault, tmp_path, files=3, size=200_000)
    folder = vault.folder
    vault.lock()
    usb = tmp_path / "usb"
    usb.mkdir()
    outcomes = {"killed": 0, "finished": 0}
    checkpoint = 1
    while True:
        run = run_child(_backup_in_child(folder, usb, checkpoint), kill_after=None)
        finished = any(m["e"] == "done" for m in run.messages)
        outcomes["finished" if finished else "killed"] += 1
        for entry in usb.iterdir():
            if STAGING_NAME.fullmatch(entry.name):
                # A partial copy: hidden, named as such, and no finished vault.
                if not (entry / KEY_FILE).exists():
                    with pytest.raises((VaultNotFound, IncompleteVault)):
                        open_vault(entry)
                continue
            # Anything with a backup's name is a complete backup.
            with open_vault(entry) as copy:
                assert copy.verify().ok, checkpoint
                assert evidence_hashes(copy) == hashes, checkpoint
        if finished:
            break
        checkpoint += 1
        assert checkpoint < 400
    assert outcomes["killed"] >= 10 and outcomes["finished"] == 1
    # The original is untouched by it all.
    with open_vault(folder) as original:
        assert original.verify().ok
        assert evidence_hashes(original) == hashes


def test_the_backup_folder_is_private(vault: Vault, tmp_path: Path) -> None:
    fill(vault, tmp_path, files=1)
    result = vault.back_up(tmp_path / "usb")
    for path in [result.path, *result.path.rglob("*")]:
        mode = os.stat(path).st_mode & 0o777
        assert mode & 0o077 == 0, (path, oct(mode))


def test_a_backup_made_while_evidence_is_added_is_consistent(vault: Vault, tmp_path: Path) -> None:
    """Intake and saves go on during the backup (the GUI does both): every
    backup is one moment of the vault, each record's file present, nothing
    left over, and it verifies."""
    import threading

    case = make_case(vault)
    stop = threading.Event()
    written: list[int] = []

    def writer() -> None:
        number = 0
        while not stop.is_set():
            source = make_random(tmp_path / f"during-{number}.bin", 120_000, seed=1000 + number)
            vault.evidence.ingest(source, case.id)
            make_testimony(vault, case.id, title=f"Statement {number}")
            number += 1
            written.append(number)

    thread = threading.Thread(target=writer)
    thread.start()
    usb = tmp_path / "usb"
    usb.mkdir()
    try:
        backups: list[BackupResult] = []
        # Until the writer has added a few items meanwhile (bounded).
        while (len(backups) < 4 or len(written) < 3) and len(backups) < 60:
            backups.append(vault.back_up(usb))
    finally:
        stop.set()
        thread.join()
    assert len(written) >= 3, "the writer ran alongside"
    vault.lock()
    counts = []
    for result in backups:
        assert result.missing == []
        with open_vault(result.path) as copy:
            report = copy.verify()
            assert report.ok, report.problems
            assert copy.quarantined() == []  # no file the copied database does not know
            assert report.blobs_checked == copy.evidence.count() == result.blobs
            # One moment: the writer adds an item, then a testimony.
            assert copy.evidence.count() - copy.testimonies.count() in (0, 1)
            counts.append(copy.evidence.count())
    assert counts == sorted(counts) and counts[0] < len(written) + 1


def test_a_keyring_vaults_backup_moves_to_a_new_laptop_with_the_recovery_key(tmp_path: Path) -> None:
    """docs/user-guide.md, "Restoring, or moving to a new laptop": a vault that
    keeps part of its key in this computer's keyring opens from its backup here
    with the passphrase; on another computer (another keyring) only the
    recovery key opens it, and every file comes back."""
    this_laptop = MemoryKeyring()
    created = Vault.create(tmp_path / "vault", PASSPHRASE, keyring=this_laptop, argon2=FAST_ARGON2)
    with created.vault as vault:
        assert vault.info().uses_keyring
        hashes = fill(vault, tmp_path, files=2)
        device_id = vault.device_id
        result = vault.back_up(tmp_path / "usb")
    Vault.open(result.path, PASSPHRASE, keyring=this_laptop).lock()

    new_laptop = tmp_path / "new-laptop" / "vault"
    new_laptop.parent.mkdir()
    shutil.copytree(result.path, new_laptop)
    with pytest.raises(KeyringSecretMissing):
        Vault.open(new_laptop, PASSPHRASE, keyring=MemoryKeyring())
    restored, _new_key = Vault.recover(
        new_laptop, created.recovery_key, "a new laptop, a new passphrase", keyring=MemoryKeyring()
    )
    with restored:
        assert restored.device_id == device_id
        assert restored.verify().ok
        assert evidence_hashes(restored) == hashes


def _partial(folder: Path, name: str, *, age_hours: float, extra: str | None = None) -> Path:
    """A partial copy as an interrupted backup leaves it, ``age_hours`` old."""
    partial = folder / name
    (partial / "blobs").mkdir(parents=True)
    (partial / "vault.db").write_bytes(os.urandom(4096))
    (partial / "blobs" / ("ab" * 16)).write_bytes(os.urandom(100))
    if extra is not None:
        (partial / extra).write_text("the user's own")
    then = time.time() - age_hours * 3600
    os.utime(partial / "blobs", (then, then))
    os.utime(partial, (then, then))
    return partial


def test_stale_partial_copies_of_ours_are_cleared_and_nothing_else(vault: Vault, tmp_path: Path) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    stale = _partial(usb, ".fieldvault-backup-0123456789abcdef.partial", age_hours=30)
    fresh = _partial(usb, ".fieldvault-backup-fedcba9876543210.partial", age_hours=0.1)  # maybe under way
    holds_more = _partial(usb, ".fieldvault-backup-00112233445566ff.partial", age_hours=30, extra="notes.txt")
    other_name = _partial(usb, ".fieldvault-backup-mine.partial", age_hours=30)
    # Old, but an evidence file was copied into it a minute ago: a long backup under way.
    still_copying = _partial(usb, ".fieldvault-backup-0000000000000001.partial", age_hours=30)
    os.utime(still_copying / "blobs", (time.time() - 60, time.time() - 60))
    result = vault.back_up(usb)
    assert not stale.exists()
    assert fresh.exists() and holds_more.exists() and other_name.exists() and still_copying.exists()
    assert (holds_more / "notes.txt").read_text() == "the user's own"
    with open_vault(result.path) as copy:
        assert copy.verify().ok
