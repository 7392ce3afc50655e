"""A vault never deletes evidence it cannot account for (issue 9, "Never lose evidence").

A missing, empty or truncated database is refused, never re-created; blob
files the database does not know move to quarantine/ and come back when the
right database does; only an explicit purge removes them.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

from db.errors import DatabaseMissing, VaultDamaged
from db.keyring_store import NoKeyring
from db.vault import BLOB_DIR, DB_FILES, QUARANTINE_DIR, Vault
from tests.conftest import open_vault
from tests.factory import make_case


def ingest_two(vault: Vault, tmp_path: Path) -> tuple[list[str], list[bytes]]:
    case = make_case(vault)
    contents = [os.urandom(50_000), os.urandom(70_000)]
    ids = []
    for number, content in enumerate(contents):
        source = tmp_path / f"photo{number}.jpg"
        source.write_bytes(content)
        ids.append(vault.evidence.ingest(source, case.id).item.id)
    return ids, contents


def blob_files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (folder / BLOB_DIR).iterdir()}


def move_database_away(folder: Path, to: Path) -> None:
    to.mkdir()
    for name in DB_FILES:
        if (folder / name).exists():
            shutil.move(folder / name, to / name)


def put_database_back(saved: Path, folder: Path) -> None:
    for name in DB_FILES:
        (folder / name).unlink(missing_ok=True)
        if (saved / name).exists():
            shutil.copy2(saved / name, folder / name)


def exported_sha256(vault: Vault, evidence_id: str, dest: Path) -> str:
    vault.evidence.export(evidence_id, dest)
    return hashlib.sha256(dest.read_bytes()).hexdigest()


@pytest.mark.parametrize("damage", ["missing", "empty"])
def test_an_unlock_without_the_database_is_refused_and_touches_no_evidence(
    vault: Vault, vault_dir: Path, tmp_path: Path, damage: str
) -> None:
    ingest_two(vault, tmp_path)
    vault.lock()
    before = blob_files(vault_dir)
    move_database_away(vault_dir, tmp_path / "saved")
    if damage == "empty":
        (vault_dir / "vault.db").touch()
    with pytest.raises(DatabaseMissing, match="Put back vault.db"):
        open_vault(vault_dir)
    assert blob_files(vault_dir) == before
    assert not (vault_dir / QUARANTINE_DIR).exists()
    assert (vault_dir / "vault.db").exists() == (damage == "empty")  # nothing created either


@pytest.mark.parametrize("keep_bytes", [0.5, 4096, 1024])
def test_a_truncated_database_is_refused_and_touches_no_evidence(
    vault: Vault, vault_dir: Path, tmp_path: Path, keep_bytes: float
) -> None:
    ids, _contents = ingest_two(vault, tmp_path)
    vault.lock()
    before = blob_files(vault_dir)
    database = vault_dir / "vault.db"
    size = database.stat().st_size
    with database.open("r+b") as handle:
        handle.truncate(int(size * keep_bytes) if keep_bytes < 1 else int(keep_bytes))
    with pytest.raises((DatabaseMissing, VaultDamaged)):
        open_vault(vault_dir)
    assert blob_files(vault_dir) == before


def test_an_older_database_quarantines_newer_evidence_and_the_right_one_restores_it(
    vault: Vault, vault_dir: Path, tmp_path: Path
) -> None:
    case = make_case(vault)
    first = tmp_path / "first.jpg"
    first.write_bytes(os.urandom(30_000))
    first_id = vault.evidence.ingest(first, case.id).item.id
    vault.lock()
    older = tmp_path / "older-copy"
    older.mkdir()
    for name in DB_FILES:
        if (vault_dir / name).exists():
            shutil.copy2(vault_dir / name, older / name)

    vault = open_vault(vault_dir)
    second = tmp_path / "second.jpg"
    second.write_bytes(os.urandom(40_000))
    second_id = vault.evidence.ingest(second, case.id).item.id
    vault.lock()
    newer = tmp_path / "newer-copy"
    newer.mkdir()
    for name in DB_FILES:
        if (vault_dir / name).exists():
            shutil.copy2(vault_dir / name, newer / name)
    all_blobs = blob_files(vault_dir)

    # An older database (a backup that predates the second intake) is put in.
    put_database_back(older, vault_dir)
    vault = open_vault(vault_dir)
    assert vault.settled is not None and len(vault.settled.quarantined) == 1
    quarantined = vault.quarantined()
    assert len(quarantined) == 1
    assert (vault_dir / QUARANTINE_DIR / quarantined[0]).read_bytes() == all_blobs[quarantined[0]]
    report = vault.verify()
    assert report.ok  # what the database knows is intact
    assert [(p.kind, p.subject) for p in report.notices] == [("quarantine", quarantined[0])]
    assert (
        exported_sha256(vault, first_id, tmp_path / "out1") == hashlib.sha256(first.read_bytes()).hexdigest()
    )
    vault.lock()

    # The right database comes back: everything is there again.
    put_database_back(newer, vault_dir)
    vault = open_vault(vault_dir)
    assert vault.settled is not None and vault.settled.restored == quarantined
    assert vault.quarantined() == []
    assert blob_files(vault_dir) == all_blobs
    assert (
        exported_sha256(vault, second_id, tmp_path / "out2")
        == hashlib.sha256(second.read_bytes()).hexdigest()
    )
    report = vault.verify()
    assert report.problems == [] and report.notices == []


def test_only_an_explicit_purge_removes_quarantined_files(vault: Vault, vault_dir: Path) -> None:
    stray = vault_dir / BLOB_DIR / ("cd" * 16)
    stray.write_bytes(b"sealed bytes no record names")
    vault.lock()
    for _ in range(2):  # unlocking again never deletes it
        vault = open_vault(vault_dir)
        assert vault.quarantined() == ["cd" * 16]
        vault.lock()
    vault = open_vault(vault_dir)
    assert vault.purge_quarantine() == ["cd" * 16]
    assert vault.quarantined() == [] and not stray.exists()
    assert vault.verify().notices == []


def test_examination_writes_nothing_to_the_vault_folder(
    vault: Vault, vault_dir: Path, tmp_path: Path
) -> None:
    ingest_two(vault, tmp_path)
    vault.lock()
    open_vault(vault_dir).lock()  # checkpointed: no -wal left with changes
    for name in ("vault.db-wal", "vault.db-shm", "vault.lock"):
        (vault_dir / name).unlink(missing_ok=True)

    def snapshot() -> dict[str, tuple[bytes, int]]:
        return {
            str(p.relative_to(vault_dir)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(vault_dir.rglob("*"))
            if p.is_file()
        }

    before = snapshot()
    examined = Vault.examine(vault_dir, "correct horse battery staple", keyring=NoKeyring())
    report = examined.verify()
    assert report.ok and report.blobs_checked == 2
    examined.lock()
    assert snapshot() == before
