"""Bytes equal to a purged file that come in again (review 6, F1): a new
intake of the same photo into another case (another witness gave it) is a
live item of its own, stored anew, opened, queued for delivery, verified;
the purged item stays purged with its custody whole. (The import side, a
coordinator's send-back carrying such bytes: tests/sync/test_purged_bytes_send_back.py.)

Before the fix the new item was attached to the purged blob: it showed as
"delivered, not on this laptop", was never sent, and ``verify`` reported
its file missing."""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path

from db.api import Case, DeliveredBundle, EvidencePurge, Vault
from db.vault import BLOB_DIR

RECEIPT_SHA256 = "ab" * 32


def _deliver_and_purge(vault: Vault, bundle_id: str, evidence_id: str, sha256: str) -> None:
    """``evidence_id`` left in ``bundle_id`` and a checked receipt proved it (tests/db/test_purge.py)."""
    vault.sync.record_transfers([(evidence_id, sha256)], bundle_id=bundle_id)
    result = EvidencePurge.of(vault).purge([DeliveredBundle(bundle_id, 7, RECEIPT_SHA256, (sha256,))])
    assert result.evidence_ids == [evidence_id] and result.files == 1


def test_the_same_bytes_taken_in_again_after_a_purge_are_a_live_item(vault: Vault, tmp_path: Path) -> None:
    first_case = vault.cases.create(Case(title="A")).id
    second_case = vault.cases.create(Case(title="B")).id
    data = secrets.token_bytes(40_000)
    sha256 = hashlib.sha256(data).hexdigest()
    (tmp_path / "photo.jpg").write_bytes(data)
    first = vault.evidence.ingest(tmp_path / "photo.jpg", first_case).item
    _deliver_and_purge(vault, "bundle-1", first.id, sha256)
    blob_files = set((vault.folder / BLOB_DIR).iterdir())

    # The same photo, given by a second witness, into another case.
    (tmp_path / "again.jpg").write_bytes(data)
    again = vault.evidence.ingest(tmp_path / "again.jpg", second_case, remove_source=True)

    assert not again.duplicate and again.source_removed  # its bytes are safely in the vault
    new = again.item
    assert len(set((vault.folder / BLOB_DIR).iterdir()) - blob_files) == 1  # stored anew
    purge = EvidencePurge.of(vault)
    assert purge.purged(new.id) is None
    with vault.evidence.open(new.id) as reader:
        assert reader.read() == data
    # Queued for delivery (the bundle writer's list and its reader), as any new intake.
    assert [(b.sha256, b.evidence_ids) for b in vault.sync.unacknowledged_blobs()] == [(sha256, (new.id,))]
    with vault.sync.open_blob(sha256) as held:
        assert held.read() == data
    # The first item stays delivered and purged; its custody is as it was.
    assert purge.purged(first.id) is not None
    assert [e.action for e in vault.evidence.custody(first.id)] == ["intake", "transfer", "purge"]
    report = vault.verify()
    assert report.ok, report.problems
    assert report.blobs_purged == 1

    # Delivered in its turn, it is purged as the first was; verify still passes.
    _deliver_and_purge(vault, "bundle-2", new.id, sha256)
    assert purge.purged_evidence_ids() == {first.id, new.id}
    assert vault.sync.unacknowledged_blobs() == []
    assert vault.verify().ok


def test_the_same_bytes_in_the_purged_items_own_case_stay_a_duplicate(vault: Vault, tmp_path: Path) -> None:
    """The same bytes into the same case are the existing item (an
    ``intake-duplicate`` event); that it was purged keeps the source, as
    its copy cannot be read back (tests/db/test_remove_source.py)."""
    case = vault.cases.create(Case(title="A")).id
    data = secrets.token_bytes(10_000)
    sha256 = hashlib.sha256(data).hexdigest()
    (tmp_path / "photo.jpg").write_bytes(data)
    first = vault.evidence.ingest(tmp_path / "photo.jpg", case).item
    _deliver_and_purge(vault, "bundle-1", first.id, sha256)
    (tmp_path / "again.jpg").write_bytes(data)
    again = vault.evidence.ingest(tmp_path / "again.jpg", case, remove_source=True)
    assert again.duplicate and again.item.id == first.id and again.source_unverified
    assert (tmp_path / "again.jpg").read_bytes() == data
    assert vault.verify().ok
