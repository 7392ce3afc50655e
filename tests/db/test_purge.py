"""Purge after delivery, the vault's side (db/purge.py): what may be purged,
what stays, what verify accepts and what it still flags, and a kill between
the purge's commit and its unlink.

The delivery proof (a server receipt checked against the server key) is
sync's to make (tests/sync/client/test_sync_purge.py runs it against a real
server); here a ``DeliveredBundle`` stands for it, and the bundle's
``transfer`` events are recorded as the bundle writer records them."""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path

import pytest
from sqlalchemy import select

from db.api import Case, DeliveredBundle, EvidencePurge, EvidencePurged, Vault
from db.entities import EvidenceItem
from db.ids import new_id
from db.model import Blob, EvidenceBlob, PurgedBlob
from db.vault import BLOB_DIR
from tests.crash_helpers import die, run_child, send
from tests.vault_helpers import open_vault

RECEIPT_SHA256 = "ab" * 32


def _item(vault: Vault, tmp_path: Path, size: int = 30_000) -> tuple[str, str, bytes]:
    case = vault.cases.list()[0].id if vault.cases.list() else vault.cases.create(Case(title="Case")).id
    data = secrets.token_bytes(size)
    source = tmp_path / f"source-{secrets.token_hex(4)}.bin"
    source.write_bytes(data)
    item = vault.evidence.ingest(source, case).item
    return item.id, item.sha256, data


def _blob_id(vault: Vault, evidence_id: str) -> str:
    with vault.services.context.sessions() as session:
        blob_id = session.scalar(select(EvidenceBlob.blob_id).where(EvidenceBlob.evidence_id == evidence_id))
    assert blob_id is not None
    return blob_id


def _sent(vault: Vault, bundle_id: str, *items: tuple[str, str]) -> DeliveredBundle:
    """``items`` left in bundle ``bundle_id`` (its transfer events), and a receipt proved it."""
    vault.sync.record_transfers(list(items), bundle_id=bundle_id)
    return DeliveredBundle(bundle_id, 7, RECEIPT_SHA256, tuple(sha for _id, sha in items))


def test_a_delivered_file_is_removed_and_its_record_hash_and_custody_stay(
    vault: Vault, tmp_path: Path
) -> None:
    evidence_id, sha256, _data = _item(vault, tmp_path)
    kept_id, kept_sha, _ = _item(vault, tmp_path)  # not in the bundle: stays
    blob = vault.folder / BLOB_DIR / _blob_id(vault, evidence_id)
    assert blob.is_file()

    result = EvidencePurge.of(vault).purge([_sent(vault, "bundle-1", (evidence_id, sha256))])

    assert result.evidence_ids == [evidence_id] and result.files == 1 and result.unlink_pending == []
    assert not blob.exists()
    assert (vault.folder / BLOB_DIR / _blob_id(vault, kept_id)).is_file()
    item = vault.evidence.get(evidence_id)
    assert item.sha256 == sha256 and item.size == 30_000  # the record and hash stay
    events = vault.evidence.custody(evidence_id)
    assert [e.action for e in events] == ["intake", "transfer", "purge"]
    purge = events[-1]
    assert purge.sha256 == sha256
    assert purge.details == {"bundle": "bundle-1", "receipt": 7, "receipt_sha256": RECEIPT_SHA256}
    purged = EvidencePurge.of(vault).purged(evidence_id)
    assert purged is not None and purged.bundle_id == "bundle-1" and purged.receipt_index == 7
    assert EvidencePurge.of(vault).purged(kept_id) is None
    assert EvidencePurge.of(vault).purged_evidence_ids() == {evidence_id}
    # Its bytes are no longer offered to the next bundle.
    assert [b.sha256 for b in vault.sync.unacknowledged_blobs()] == [kept_sha]
    # Reading it says what happened and what to do, never a crash or "damaged".
    with pytest.raises(EvidencePurged) as raised:
        vault.evidence.open(evidence_id)
    assert raised.value.code == "evidence-purged" and "coordinator" in str(raised.value)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(EvidencePurged):
        vault.evidence.export(evidence_id, out)
    assert list(out.iterdir()) == []
    # Even where a file of its name exists: the purge is what the user is told.
    (out / vault.evidence.get(evidence_id).original_name).write_bytes(b"someone else's")
    with pytest.raises(EvidencePurged):
        vault.evidence.export(evidence_id, out)
    # verify accepts it: the file is absent and a signed purge event says why.
    report = vault.verify()
    assert report.problems == [] and report.blobs_purged == 1 and report.blobs_checked == 1
    # Purging again changes nothing.
    again = EvidencePurge.of(vault).purge([DeliveredBundle("bundle-1", 7, RECEIPT_SHA256, (sha256,))])
    assert (
        again.evidence_ids == []
        and [e.action for e in vault.evidence.custody(evidence_id)].count("purge") == 1
    )


def test_bytes_not_sent_in_that_bundle_or_not_taken_in_here_are_kept(vault: Vault, tmp_path: Path) -> None:
    evidence_id, sha256, _ = _item(vault, tmp_path)
    blob = vault.folder / BLOB_DIR / _blob_id(vault, evidence_id)
    # A "delivery" of a bundle these bytes never left in (no transfer naming it).
    vault.sync.record_transfers([(evidence_id, sha256)], bundle_id="bundle-1")
    result = EvidencePurge.of(vault).purge([DeliveredBundle("bundle-2", 3, RECEIPT_SHA256, (sha256,))])
    assert result.evidence_ids == [] and blob.is_file()
    # The same bytes added to another case after the bundle left: a holder
    # whose bytes did not leave in it keeps the shared file here.
    other_case = vault.cases.create(Case(title="Other")).id
    source = tmp_path / "again.bin"
    with vault.evidence.open(evidence_id) as reader:
        source.write_bytes(reader.read())
    second = vault.evidence.ingest(source, other_case).item.id
    assert _blob_id(vault, second) == _blob_id(vault, evidence_id)
    result = EvidencePurge.of(vault).purge([DeliveredBundle("bundle-1", 3, RECEIPT_SHA256, (sha256,))])
    assert result.evidence_ids == [] and blob.is_file()
    assert "purge" not in [e.action for e in vault.evidence.custody(evidence_id)]


def test_bytes_attached_here_to_a_record_that_came_without_them_are_purged_once_delivered(
    vault: Vault, tmp_path: Path
) -> None:
    # A record of this case that holds no file (it came without its bytes),
    # then the file ingested here: attached to it (intake-attached), its
    # bytes taken in from this laptop as an intake's are.
    data = secrets.token_bytes(30_000)
    case_id = vault.cases.create(Case(title="Case")).id
    body = EvidenceItem(
        case_id=case_id,
        original_name="photo.jpg",
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        mime_type="image/jpeg",
    ).body()
    ctx = vault.services.context
    with ctx.write_transaction("a record without its file") as session:
        record = ctx.commit_local(
            session,
            {"entity_id": new_id(), "entity_type": "evidence", "op": "put", "body": body, "parents": []},
        )
    source = tmp_path / "photo.jpg"
    source.write_bytes(data)
    result = vault.evidence.ingest(source, case_id)
    assert result.supplied == (record.entity_id,)
    evidence_id, sha256 = record.entity_id, result.item.sha256
    blob = vault.folder / BLOB_DIR / _blob_id(vault, evidence_id)

    purged = EvidencePurge.of(vault).purge([_sent(vault, "bundle-1", (evidence_id, sha256))])

    assert purged.evidence_ids == [evidence_id] and not blob.exists()
    assert [e.action for e in vault.evidence.custody(evidence_id)] == ["intake-attached", "transfer", "purge"]
    assert vault.verify().problems == []


def test_verify_flags_a_file_removed_by_hand_without_a_purge_event(vault: Vault, tmp_path: Path) -> None:
    evidence_id, sha256, _ = _item(vault, tmp_path)
    blob_id = _blob_id(vault, evidence_id)
    (vault.folder / BLOB_DIR / blob_id).unlink()
    # Even a purged_blobs row written with the database key does not excuse
    # it: only a signed purge event does.
    with vault.services.context.write_transaction("forge a purge row") as session:
        session.add(
            PurgedBlob(
                blob_id=blob_id,
                sha256=sha256,
                bundle_id="forged",
                receipt_index=1,
                receipt_sha256=RECEIPT_SHA256,
                purged_ms=1,
            )
        )
    report = vault.verify()
    assert not report.ok and report.blobs_purged == 0
    assert [(p.kind, p.subject) for p in report.problems if p.kind == "blob"] == [("blob", evidence_id)]


def test_verify_flags_a_purge_event_for_other_bytes(vault: Vault, tmp_path: Path) -> None:
    """A purge event of one item does not excuse another item's missing file."""
    purged_id, purged_sha, _ = _item(vault, tmp_path)
    other_id, _other_sha, _ = _item(vault, tmp_path)
    EvidencePurge.of(vault).purge([_sent(vault, "bundle-1", (purged_id, purged_sha))])
    (vault.folder / BLOB_DIR / _blob_id(vault, other_id)).unlink()
    report = vault.verify()
    assert [(p.kind, p.subject) for p in report.problems] == [("blob", other_id)]
    assert report.blobs_purged == 1


def test_a_kill_between_the_purge_event_and_the_unlink_is_finished_at_the_next_unlock(
    vault: Vault, tmp_path: Path
) -> None:
    evidence_id, sha256, _ = _item(vault, tmp_path)
    blob_id = _blob_id(vault, evidence_id)
    delivered = _sent(vault, "bundle-1", (evidence_id, sha256))
    folder = vault.folder
    vault.lock()

    def child(fd: int) -> None:
        import db.purge

        opened = open_vault(folder)
        send(fd, e="open")
        db.purge._unlink = die  # type: ignore[assignment]  # SIGKILL after the commit, before the unlink
        EvidencePurge.of(opened).purge([delivered])
        send(fd, e="not killed")

    run = run_child(child, kill_after=None)
    assert run.killed and [m["e"] for m in run.messages] == ["open"]
    assert (folder / BLOB_DIR / blob_id).is_file()  # the unlink was not made

    reopened = open_vault(folder)
    try:
        assert reopened.purges_finished == [blob_id]
        assert not (folder / BLOB_DIR / blob_id).exists()
        assert [e.action for e in reopened.evidence.custody(evidence_id)] == ["intake", "transfer", "purge"]
        assert reopened.verify().problems == []
        with reopened.services.context.sessions() as session:
            assert session.get(Blob, blob_id) is not None  # SHA-256 and size stay
    finally:
        reopened.lock()
