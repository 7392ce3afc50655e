"""Files a coordinator moved to quarantine come back (issue 14; db/parked_set_aside.py
``restore_quarantined_files``, migration 0024, docs/sync.md §2.3).

Before, ``quarantine_left_out_files`` deleted each file's ``blobs`` row, the
file's only wrapped key, and moved the file: "quarantined" evidence nobody
could read again. Now the key stays in the encrypted database under the
decision, a restore brings the file back with its row, and only ``quarantine
purge`` removes bytes, the kept key with them. Real vaults, real signed
revisions fed to an import as a desk's bundle is (tests/db/test_parked_set_aside.py)."""

from __future__ import annotations

import base64
import hashlib
import logging
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from db.errors import InvalidInput
from db.model import Blob, CoordinatorDecision, QuarantinedFileKey
from db.parked_set_aside import (
    QUARANTINE_ACTION,
    RESTORE_ACTION,
    quarantine_left_out_files,
    quarantined_files,
    restore_quarantined_files,
    set_aside_parked,
)
from db.vault import QUARANTINE_DIR, Vault
from tests.db.test_parked_import import PHOTO, PHOTO_SHA256, _bytes_of, _evidence
from tests.db.test_parked_set_aside import _blob_ids, _decisions, _park_photo, _seized_worker

ITEM = "0190f3a0-0000-7000-8000-0000000000e1"


@pytest.fixture
def quarantined(vault: Vault) -> Iterator[tuple[Vault, str, int, bytes]]:
    """A seized worker's parked item naming PHOTO, set aside, its file moved
    to quarantine: (vault, blob id, the quarantine decision, the wrapped key
    the file had)."""
    worker = _seized_worker(vault)
    item = _park_photo(vault, worker, ITEM, 1)
    set_aside_parked(vault, revision_ids=[item.revision_id])
    with vault.services.context.sessions() as session:
        [(blob_id, wrapped_key)] = session.execute(select(Blob.blob_id, Blob.wrapped_key)).all()
    moved = quarantine_left_out_files(vault)
    assert moved.decision_id is not None and [f.blob_id for f in moved.moved] == [blob_id]
    yield vault, blob_id, moved.decision_id, bytes(wrapped_key)


def _kept_keys(vault: Vault) -> dict[str, int]:
    with vault.services.context.sessions() as session:
        return dict(session.execute(select(QuarantinedFileKey.blob_id, QuarantinedFileKey.decision_id)).all())


def _sha256_of_stored(vault: Vault, blob_id: str) -> str:
    """The stored file read back through its ``blobs`` row's key, hashed."""
    from db.blobstore import unwrap_blob_key

    ctx = vault.services.context
    with ctx.sessions() as session:
        wrapped = session.scalar(select(Blob.wrapped_key).where(Blob.blob_id == blob_id))
    assert wrapped is not None
    digest = hashlib.sha256()
    with ctx.blob_store.open(blob_id, unwrap_blob_key(ctx.blobs_subkey, blob_id, bytes(wrapped))) as reader:
        for segment in reader.segments():
            digest.update(segment)
    return digest.hexdigest()


def test_quarantine_keeps_the_key_and_restore_brings_the_same_bytes_back(
    quarantined: tuple[Vault, str, int, bytes],
) -> None:
    """Before: the blobs row went with the move and nothing kept the key, so
    the quarantined ciphertext could never be read again."""
    vault, blob_id, decision_id, _wrapped = quarantined
    assert _blob_ids(vault) == set() and vault.quarantined() == [blob_id]
    assert _kept_keys(vault) == {blob_id: decision_id}
    assert [(f.blob_id, f.size) for f in quarantined_files(vault, decision_id)] == [(blob_id, len(PHOTO))]

    result = restore_quarantined_files(vault, decision_id)
    assert [(f.blob_id, f.size) for f in result.restored] == [(blob_id, len(PHOTO))]
    assert result.missing == () and result.damaged == () and result.decision_id is not None
    assert _blob_ids(vault) == {blob_id} and vault.quarantined() == [] and _kept_keys(vault) == {}
    assert vault.services.context.blob_store.path(blob_id).is_file()
    assert _sha256_of_stored(vault, blob_id) == PHOTO_SHA256
    report = vault.verify()
    assert report.ok, report.problems
    assert not [n for n in report.notices if n.kind == "quarantine"]
    # Recorded, by ids only, after the quarantine it undoes.
    assert [action for action, _s in _decisions(vault)][-2:] == [QUARANTINE_ACTION, RESTORE_ACTION]
    assert _decisions(vault)[-1][1] == {"quarantine_decision": decision_id, "restored": [blob_id]}
    # What a user relies on: an item with those bytes stored later reads them.
    desks = _evidence(vault.services.context.identity, "0190f3a0-0000-7000-8000-0000000000e2", 2, [])
    with vault.sync.begin_import() as unit:
        unit.add_revisions([desks.to_wire()])
    assert hashlib.sha256(_bytes_of(vault, desks.entity_id)).hexdigest() == PHOTO_SHA256
    assert vault.verify().ok


def test_restoring_twice_changes_nothing_the_second_time(quarantined: tuple[Vault, str, int, bytes]) -> None:
    vault, blob_id, decision_id, _wrapped = quarantined
    first = restore_quarantined_files(vault, decision_id)
    assert [f.blob_id for f in first.restored] == [blob_id]
    decisions = _decisions(vault)

    again = restore_quarantined_files(vault, decision_id)
    assert again.restored == () and again.missing == () and again.damaged == ()
    assert again.decision_id is None and _decisions(vault) == decisions  # nothing recorded
    assert quarantined_files(vault, decision_id) == []
    assert _blob_ids(vault) == {blob_id} and vault.quarantined() == []
    assert vault.verify().ok


def test_a_decision_that_is_no_quarantine_is_refused_by_id(vault: Vault) -> None:
    worker = _seized_worker(vault)
    item = _park_photo(vault, worker, ITEM, 1)
    set_aside = set_aside_parked(vault, revision_ids=[item.revision_id]).decision_id
    assert set_aside is not None
    for decision_id in (set_aside, 999):
        with pytest.raises(InvalidInput) as refused:
            restore_quarantined_files(vault, decision_id)
        assert refused.value.code == "decision-not-a-quarantine"
        assert refused.value.params == {"decision_id": str(decision_id)}
        assert str(decision_id) in str(refused.value)
        with pytest.raises(InvalidInput):
            quarantined_files(vault, decision_id)
    assert len(_blob_ids(vault)) == 1 and len(_decisions(vault)) == 1  # nothing changed


def test_the_wrapped_key_never_leaves_the_encrypted_database(
    quarantined: tuple[Vault, str, int, bytes], caplog: pytest.LogCaptureFixture
) -> None:
    """Adversarial: the key that reads the quarantined file is in no file of
    the vault folder in the clear (SQLCipher encrypts the database and its
    WAL), not in the decision's subjects (ids only), and in no log line,
    through the quarantine and the restore."""
    vault, _blob_id, decision_id, wrapped = quarantined
    caplog.set_level(logging.DEBUG)
    with vault.services.context.sessions() as session:
        subjects = list(session.scalars(select(CoordinatorDecision.subjects)))
    restore_quarantined_files(vault, decision_id)
    forms = [wrapped, wrapped.hex().encode(), base64.b64encode(wrapped)]
    for path in vault.folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert not any(form in data for form in forms), path.name
    text = "\n".join(subjects) + "\n".join(r.getMessage() for r in caplog.records)
    assert not any(form.decode("latin-1") in text for form in forms)


def test_purge_deletes_the_file_and_its_kept_key_and_then_nothing_is_restored(
    quarantined: tuple[Vault, str, int, bytes],
) -> None:
    vault, blob_id, decision_id, _wrapped = quarantined
    assert vault.purge_quarantine() == [blob_id]
    assert _kept_keys(vault) == {}  # before: nothing was kept, now it goes with the bytes
    assert quarantined_files(vault, decision_id) == []
    result = restore_quarantined_files(vault, decision_id)
    assert result.restored == () and result.decision_id is None
    assert _blob_ids(vault) == set() and vault.verify().ok


def test_a_damaged_or_missing_quarantined_file_is_not_restored_and_keeps_its_key(
    quarantined: tuple[Vault, str, int, bytes],
) -> None:
    """Adversarial: a file changed in quarantine/ never comes back as the
    evidence it was (verify would fail), and its key stays for another try."""
    vault, blob_id, decision_id, _wrapped = quarantined
    path = vault.folder / QUARANTINE_DIR / blob_id
    original = path.read_bytes()
    damaged = bytearray(original)
    damaged[-20] ^= 0x01
    path.write_bytes(bytes(damaged))
    result = restore_quarantined_files(vault, decision_id)
    assert result.restored == () and result.damaged == (blob_id,) and result.decision_id is None
    assert _blob_ids(vault) == set() and _kept_keys(vault) == {blob_id: decision_id}
    assert vault.quarantined() == [blob_id]

    path.unlink()
    assert restore_quarantined_files(vault, decision_id).missing == (blob_id,)
    path.write_bytes(original)  # put back by hand: now it comes back
    assert [f.blob_id for f in restore_quarantined_files(vault, decision_id).restored] == [blob_id]
    assert _sha256_of_stored(vault, blob_id) == PHOTO_SHA256 and vault.verify().ok


def test_a_file_whose_move_was_cut_short_is_restored_from_where_it_is(
    quarantined: tuple[Vault, str, int, bytes],
) -> None:
    """The quarantine committed but the file stayed in blobs/ (the next
    unlock was to move it): the restore takes it there."""
    vault, blob_id, decision_id, _wrapped = quarantined
    (vault.folder / QUARANTINE_DIR / blob_id).replace(vault.services.context.blob_store.path(blob_id))
    result = restore_quarantined_files(vault, decision_id)
    assert [f.blob_id for f in result.restored] == [blob_id]
    assert _sha256_of_stored(vault, blob_id) == PHOTO_SHA256 and vault.verify().ok
