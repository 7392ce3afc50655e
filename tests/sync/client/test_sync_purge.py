"""Purge after delivery through a real server on loopback (TLS, pinned
certificate) and real vaults: with the organisation's policy on, a field
worker's evidence bytes leave the laptop once the server's signed receipt
proves the bundle carrying them arrived — and only then. The record, the
SHA-256 and the custody stay; the coordinator still gets the bytes
byte-identical; a later bundle never tries to read what was purged.

The evidence is ciphertext in the vault folder, so the canary for "the
bytes are gone" is a slice of the blob file's own ciphertext (and, to be
sure, of the plaintext): no file under the vault folder may hold either."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from db.api import CancelToken, EvidencePurge, EvidencePurged, OperationCancelled, SyncClientState, Vault
from sync import org_vault
from sync.client.errors import SyncFailed
from sync.client.org_link import publish_profile
from sync.client.pull import pull
from sync.client.purge import purge_delivered
from sync.client.push import push, spool_dir
from sync.client.worker import SyncWorker
from sync.server.protocol import GENESIS
from sync.server.receipts import Receipt, make_entry, sign_entry
from tests.canary_helpers import files_containing
from tests.cli_helpers import Cli
from tests.sync.client.sync_helpers import Org, Work, add_testimony, organisation, quick_backoff, record_work
from tests.sync.client.test_sync_cli import _env
from tests.vault_helpers import PASSPHRASE, open_vault

BLOBS = "blobs"


@pytest.fixture
def org(tmp_path: Path) -> Iterator[Org]:
    with organisation(tmp_path) as made:
        yield made


def purge_policy(org: Org, on: bool = True) -> None:
    """A new profile version with ``policy.purge_after_delivery``, signed by
    the coordinator, held by every worker and published to the server (as
    ``org`` commands do when a coordinator changes the policy)."""
    signed = org_vault._next_version(org.coordinator, purge_after_delivery=on)
    for vault in org.workers:
        org_vault.update_profile(vault, signed.signed)
    assert publish_profile(signed.signed, signed.profile).state == "done"


def _blob_files(vault: Vault) -> list[Path]:
    return sorted((vault.folder / BLOBS).iterdir())


def _canaries(vault: Vault, work: Work) -> list[bytes]:
    """A slice of the evidence's ciphertext as stored, and of its plaintext."""
    (blob,) = _blob_files(vault)
    return [blob.read_bytes()[2000:2256], work.evidence[2000:2256]]


def _actions(vault: Vault, evidence_id: str) -> list[str]:
    return [event.action for event in vault.evidence.custody(evidence_id)]


def test_after_a_receipt_the_evidence_bytes_leave_the_laptop_and_the_record_stays(
    org: Org, tmp_path: Path
) -> None:
    purge_policy(org)
    worker = org.worker("anna")
    work = record_work(worker, tmp_path, "anna")
    canaries = _canaries(worker, work)
    assert files_containing([worker.folder], canaries[:1])  # the scan does find the stored bytes

    pushed = push(worker, backoff=quick_backoff())

    assert pushed.made is not None and pushed.sent == [pushed.made.bundle_id]
    assert pushed.purged == [work.evidence_id]
    assert _blob_files(worker) == [] and files_containing([worker.folder], canaries) == []
    # The record, its SHA-256 and its custody stay, with the purge naming the receipt.
    item = worker.evidence.get(work.evidence_id)
    assert item.sha256 == hashlib.sha256(work.evidence).hexdigest() and item.size == len(work.evidence)
    events = worker.evidence.custody(work.evidence_id)
    assert [e.action for e in events] == ["intake", "transfer", "purge"]
    delivery = SyncClientState.of(worker).delivery(pushed.made.bundle_id)
    assert delivery is not None and delivery.receipt is not None
    receipt = Receipt.from_json(json.loads(delivery.receipt))
    assert events[-1].details == {
        "bundle": pushed.made.bundle_id,
        "receipt": receipt.index,
        "receipt_sha256": receipt.sha256,
    }
    assert EvidencePurge.of(worker).purged(work.evidence_id) is not None
    export_folder = tmp_path / "exports"
    export_folder.mkdir()
    with pytest.raises(EvidencePurged):
        worker.evidence.export(work.evidence_id, export_folder)
    assert list(export_folder.iterdir()) == []
    report = worker.verify()
    assert report.problems == [] and report.blobs_purged == 1

    # New work before any acknowledgement: the next bundle is made without
    # reading the purged bytes (they are on the server already).
    add_testimony(worker, "after the purge")
    second = push(worker, backoff=quick_backoff())
    assert second.made is not None and second.made.blobs == 0 and len(second.sent) == 1
    assert second.purged == []

    # The coordinator gets the bytes, byte-identical, and both chains check.
    pulled = pull(org.coordinator, backoff=quick_backoff())
    assert len(pulled.received) == 2 and pulled.refused == []
    out = tmp_path / "from-the-coordinator"
    org.coordinator.evidence.export(work.evidence_id, out)
    assert out.read_bytes() == work.evidence
    assert org.coordinator.verify().problems == []

    # Locked and opened again: still purged, still verified.
    folder = worker.folder
    worker.lock()
    org.workers.remove(worker)
    reopened = open_vault(folder)
    try:
        assert reopened.purges_finished == [] and _blob_files(reopened) == []
        assert reopened.verify().problems == []
        assert EvidencePurge.of(reopened).purged_evidence_ids() == {work.evidence_id}
    finally:
        reopened.lock()


def test_without_the_policy_nothing_is_purged(org: Org, tmp_path: Path) -> None:
    worker = org.worker("anna")
    work = record_work(worker, tmp_path, "anna")
    canaries = _canaries(worker, work)
    pushed = push(worker, backoff=quick_backoff())
    assert len(pushed.sent) == 1 and pushed.purged == []
    assert len(_blob_files(worker)) == 1 and files_containing([worker.folder], canaries[:1])
    assert "purge" not in _actions(worker, work.evidence_id)
    assert purge_delivered(worker).evidence_ids == []
    with worker.evidence.open(work.evidence_id) as reader:
        assert reader.read() == work.evidence


def test_without_a_receipt_nothing_is_purged(org: Org, tmp_path: Path) -> None:
    purge_policy(org)
    worker = org.worker("anna")
    work = record_work(worker, tmp_path, "anna", size=300_000)
    # The upload is cut (cancelled mid-way, as a lock does): no receipt.
    cancel = CancelToken()

    def cut(done: int, _total: int) -> None:
        if done > 0:
            cancel.cancel()

    with pytest.raises(OperationCancelled):
        push(worker, backoff=quick_backoff(), chunk=64 * 1024, progress=cut, cancel=cancel)
    assert all(not d.delivered for d in SyncClientState.of(worker).deliveries())
    assert len(_blob_files(worker)) == 1 and purge_delivered(worker).evidence_ids == []
    # The server is down: still no receipt, nothing purged.
    org.stop_server()
    with pytest.raises(SyncFailed) as down:
        push(worker, backoff=quick_backoff())
    assert down.value.code == "sync-offline"
    assert len(_blob_files(worker)) == 1 and purge_delivered(worker).evidence_ids == []
    assert "purge" not in _actions(worker, work.evidence_id)
    # The server is back: the receipt comes, then the purge.
    org.start_server()
    pushed = push(worker, backoff=quick_backoff())
    assert len(pushed.sent) == 1 and pushed.purged == [work.evidence_id] and _blob_files(worker) == []


def test_a_receipt_the_server_key_did_not_sign_or_that_names_another_bundle_purges_nothing(
    org: Org, tmp_path: Path
) -> None:
    purge_policy(org)
    worker = org.worker("anna")
    first = record_work(worker, tmp_path, "first")
    assert push(worker, backoff=quick_backoff()).purged == [first.evidence_id]  # the server key is known
    second = record_work(worker, tmp_path, "second")
    org.stop_server()
    with pytest.raises(SyncFailed):
        push(worker, backoff=quick_backoff())  # bundle 2 made, not delivered
    queued = worker.sync.sent_bundles()[-1]
    (bundle_file,) = spool_dir(worker).iterdir()
    fields = {
        "org_id": org_vault.current_signed(worker).profile.org_id,
        "device_id": worker.device_id,
        "sequence": queued.sequence,
        "bundle_id": queued.bundle_id,
        "payload_sha256": "00" * 32,
        "file_sha256": hashlib.sha256(bundle_file.read_bytes()).hexdigest(),
        "size": bundle_file.stat().st_size,
        "received_ms": 1,
    }
    state = SyncClientState.of(worker)
    # Signed by a key that is not the server's.
    entry = make_entry(9, GENESIS, fields)
    forged = Receipt(9, entry, sign_entry(Ed25519PrivateKey.generate(), entry))
    state.mark_delivered(queued.bundle_id, json.dumps(forged.to_json()), 9)
    assert purge_delivered(worker).evidence_ids == []
    assert len(_blob_files(worker)) == 1 and "purge" not in _actions(worker, second.evidence_id)
    with worker.evidence.open(second.evidence_id) as reader:
        assert reader.read() == second.evidence


def test_a_genuine_receipt_of_another_bundle_purges_nothing(org: Org, tmp_path: Path) -> None:
    purge_policy(org)
    worker = org.worker("anna")
    first = record_work(worker, tmp_path, "first")
    assert push(worker, backoff=quick_backoff()).purged == [first.evidence_id]
    first_receipt = SyncClientState.of(worker).delivery(worker.sync.sent_bundles()[0].bundle_id)
    assert first_receipt is not None and first_receipt.receipt is not None
    second = record_work(worker, tmp_path, "second")
    org.stop_server()
    with pytest.raises(SyncFailed):
        push(worker, backoff=quick_backoff())
    queued = worker.sync.sent_bundles()[-1]
    # The server's real receipt, but for bundle 1, stored as if it were bundle 2's.
    SyncClientState.of(worker).mark_delivered(queued.bundle_id, first_receipt.receipt, 1)
    assert purge_delivered(worker).evidence_ids == []
    assert len(_blob_files(worker)) == 1 and "purge" not in _actions(worker, second.evidence_id)


def test_fieldvault_sync_says_how_many_files_were_purged(org: Org, tmp_path: Path) -> None:
    purge_policy(org)
    worker = org.worker("anna")
    work = record_work(worker, tmp_path, "anna")
    worker.lock()  # the command opens the vault itself
    org.workers.remove(worker)
    env = _env(tmp_path)
    anna = Cli(worker.folder, env)
    pushed = anna.json("sync", secrets=[PASSPHRASE])
    assert pushed == pushed | {"role": "worker", "sent": 1, "purged": 1}
    assert anna.json("sync", secrets=[PASSPHRASE])["purged"] == 0
    verified = anna.json("verify", secrets=[PASSPHRASE])
    assert verified["ok"] and verified["purged"] == 1 and verified["blobs"] == 0
    reopened = open_vault(worker.folder)
    try:
        assert EvidencePurge.of(reopened).purged_evidence_ids() == {work.evidence_id}
    finally:
        reopened.lock()
    # The human sentence says it too (a second item, delivered and purged).
    reopened = open_vault(worker.folder)
    try:
        record_work(reopened, tmp_path, "anna-2")
    finally:
        reopened.lock()
    said = anna.run("sync", secrets=[PASSPHRASE])
    assert "1 evidence file(s) delivered and removed from this laptop" in said.stdout


def test_the_background_worker_purges_after_its_delivery_and_says_so(org: Org, tmp_path: Path) -> None:
    purge_policy(org)
    vault = org.worker("anna")
    work = record_work(vault, tmp_path, "anna")
    worker = SyncWorker(vault, interval=3600)
    worker.start()
    try:
        done = worker.wait_until(lambda s: s.last_success_ms is not None or s.last_error is not None, 60)
    finally:
        worker.stop()
    assert done.last_error is None and done.sent == 1 and done.purged == 1
    assert _blob_files(vault) == [] and "purge" in _actions(vault, work.evidence_id)
