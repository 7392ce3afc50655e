"""``remove_source`` for a file whose bytes are already in the case (issue
15): the source goes only when identical bytes are safely in the vault (the
existing item's stored copy read back, the source hashed again), and stays,
with the reason, when that copy differs or cannot be read back. Nothing but
the source is ever deleted."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from db.blobformat import BlobIntegrityError
from db.vault import BLOB_DIR, Vault
from tests.evidence_samples import file_identity, file_sha256, make_random
from tests.factory import make_case

SIZE = 2 * 1024 * 1024 + 17  # three segments


def _blob_files(vault: Vault) -> list[Path]:
    return sorted((vault.folder / BLOB_DIR).iterdir())


def test_a_file_already_in_the_case_is_removed_after_its_bytes_are_checked(
    vault: Vault, tmp_path: Path
) -> None:
    case = make_case(vault)
    first = make_random(tmp_path / "first.bin", SIZE, seed=1)
    kept_item = vault.evidence.ingest(first, case.id).item
    again = tmp_path / "copied-again.bin"
    again.write_bytes(first.read_bytes())
    neighbour = make_random(tmp_path / "neighbour.bin", 100, seed=2)
    before = file_identity(neighbour)

    result = vault.evidence.ingest(again, case.id, remove_source=True)

    assert result.duplicate and result.item.id == kept_item.id
    assert result.source_removed and not again.exists()
    assert first.exists() and file_identity(neighbour) == before  # nothing else touched
    back = vault.evidence.export(kept_item.id, tmp_path / "back.bin").path
    assert file_sha256(back) == file_sha256(first)
    actions = [e.action for e in vault.evidence.custody(kept_item.id)]
    assert actions[:2] == ["intake", "intake-duplicate"]
    assert vault.verify().ok


def test_a_duplicate_is_kept_when_the_copy_in_the_vault_differs(vault: Vault, tmp_path: Path) -> None:
    case = make_case(vault)
    source = make_random(tmp_path / "evidence.bin", SIZE, seed=3)
    vault.evidence.ingest(source, case.id)
    (blob,) = _blob_files(vault)
    with blob.open("r+b") as handle:  # one bit of the stored ciphertext flipped
        handle.seek(200)
        byte = handle.read(1)
        handle.seek(200)
        handle.write(bytes([byte[0] ^ 0x01]))
    identity, digest = file_identity(source), file_sha256(source)

    with pytest.raises(BlobIntegrityError) as raised:
        vault.evidence.ingest(source, case.id, remove_source=True)

    assert raised.value.code == "intake-copy-differs" and "source was kept" in str(raised.value)
    assert file_identity(source) == identity and file_sha256(source) == digest


def test_a_duplicate_is_kept_when_the_copy_in_the_vault_cannot_be_read_back(
    vault: Vault, tmp_path: Path
) -> None:
    case = make_case(vault)
    source = make_random(tmp_path / "evidence.bin", 5000, seed=4)
    vault.evidence.ingest(source, case.id)
    identity, digest = file_identity(source), file_sha256(source)
    (blob,) = _blob_files(vault)
    aside = tmp_path / "blob-aside"
    blob.rename(aside)  # the vault's copy is gone: there is nothing to check against
    try:
        result = vault.evidence.ingest(source, case.id, remove_source=True)
    finally:
        aside.rename(blob)
    assert result.duplicate and result.source_unverified and not result.source_removed
    assert file_identity(source) == identity and file_sha256(source) == digest


def test_a_duplicate_rewritten_before_its_removal_is_kept(
    vault: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same size, same modification time, other bytes: the second hash sees it."""
    case = make_case(vault)
    source = make_random(tmp_path / "evidence.bin", 5000, seed=5)
    vault.evidence.ingest(source, case.id)
    service = type(vault.evidence)
    real_check = service._verify_stored_copy

    def check_then_rewrite(self: object, evidence_id: str, sha256: str) -> None:
        real_check(self, evidence_id, sha256)  # type: ignore[arg-type]
        stat = source.stat()
        with source.open("r+b") as handle:
            handle.write(b"X")
        os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns))

    monkeypatch.setattr(service, "_verify_stored_copy", check_then_rewrite)
    result = vault.evidence.ingest(source, case.id, remove_source=True)
    assert result.duplicate and result.source_changed and not result.source_removed
    assert source.exists() and source.read_bytes()[:1] == b"X"


def test_a_symbolic_link_to_a_duplicate_is_not_followed_into_a_deletion(vault: Vault, tmp_path: Path) -> None:
    case = make_case(vault)
    target = make_random(tmp_path / "target.bin", 5000, seed=6)
    vault.evidence.ingest(target, case.id)
    link = tmp_path / "link.bin"
    link.symlink_to(target)
    result = vault.evidence.ingest(link, case.id, remove_source=True)
    assert result.duplicate and not result.source_removed
    assert link.is_symlink() and target.exists()
