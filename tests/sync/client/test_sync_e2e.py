"""Automatic sync end to end through a real server on loopback (TLS, the
server's own certificate pinned by the organisation profile): two field
workers push, the coordinator pulls and sees everything, byte-identical,
with the chain of custody on every side; then the failures a field worker
meets — a connection cut mid-upload several times, a server that is down, a
certificate that is not the pinned one, a server answering garbage, a
revoked device — each with what it must leave behind."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from db.api import SyncClientState, Vault
from sync import org_vault
from sync.acks import Acknowledgement, sign_ack
from sync.client.errors import SyncFailed
from sync.client.org_link import publish_profile
from sync.client.pull import CURSOR, pull
from sync.client.push import push, spool_dir
from tests.sync.client.sync_helpers import (
    CuttingProxy,
    Org,
    Socks5Proxy,
    Work,
    add_testimony,
    garbage_server,
    organisation,
    quick_backoff,
    record_work,
)


@pytest.fixture
def org(tmp_path: Path) -> Iterator[Org]:
    with organisation(tmp_path) as made:
        yield made


def _custody_actions(vault: Vault, evidence_id: str) -> list[str]:
    return [event.action for event in vault.evidence.custody(evidence_id)]


def _everything_under(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def test_two_workers_push_and_the_coordinator_pulls_everything(org: Org, tmp_path: Path) -> None:
    anna, boris = org.worker("anna"), org.worker("boris")
    works: list[tuple[Vault, Work]] = [
        (anna, record_work(anna, tmp_path, "anna")),
        (boris, record_work(boris, tmp_path, "boris")),
    ]
    for vault, _ in works:
        pushed = push(vault, backoff=quick_backoff())
        assert pushed.made is not None and pushed.sent == [pushed.made.bundle_id]
        assert pushed.queued == [] and list(spool_dir(vault).iterdir()) == []
        delivery = SyncClientState.of(vault).delivery(pushed.made.bundle_id)
        assert delivery is not None and delivery.delivered and delivery.receipt_index in (1, 2)
        # Nothing new: no bundle is made, nothing is sent.
        again = push(vault, backoff=quick_backoff())
        assert again.made is None and again.sent == [] and again.bytes_sent == 0

    pulled = pull(org.coordinator, backoff=quick_backoff())
    assert sorted(r.device_id for r in pulled.received) == sorted(v.device_id for v, _ in works)
    assert pulled.held == [] and pulled.refused == [] and not any(r.replay for r in pulled.received)
    narratives = {t.narrative for t in org.coordinator.testimonies.list()}
    for vault, work in works:
        assert work.narrative in narratives
        out = tmp_path / f"out-{work.evidence_id}"
        org.coordinator.evidence.export(work.evidence_id, out)
        assert out.read_bytes() == work.evidence  # byte-identical through the server
        assert "transfer" in _custody_actions(vault, work.evidence_id)  # the worker's side: sent
        actions = _custody_actions(org.coordinator, work.evidence_id)
        assert "transfer" in actions and "export" in actions  # the coordinator's side: received
    # Acknowledged on the server; a second pull finds nothing and keeps its cursor.
    with org.server.client() as client:
        client.login(org.coordinator.sync.signing_key(), org.coordinator.device_id)
        assert all(change["acked"] for change in client.changes(0)["changes"])
    assert pull(org.coordinator, backoff=quick_backoff()).received == []
    assert SyncClientState.of(org.coordinator).value(CURSOR) == "2"
    # The workers' custody chains arrived whole: verify checks them (and every blob).
    report = org.coordinator.verify()
    assert report.problems == [] and report.custody_events_checked >= 4
    # The server holds ciphertext only.
    stored = _everything_under(org.data)
    for _, work in works:
        assert work.narrative.encode() not in stored


def _queued_files(vault: Vault) -> list[Path]:
    return sorted(spool_dir(vault).iterdir())


def _cut_upload(org: Org, tmp_path: Path, *, size: int, chunk: int, every: int, cuts: int) -> None:
    """Upload ``size`` bytes of evidence through a proxy that cuts the
    connection ``cuts`` times; then the coordinator pulls it."""
    worker = org.worker("anna")
    source = tmp_path / "video.bin"
    digest = hashlib.sha256()
    with source.open("wb") as sink:  # never the whole file in memory
        for start in range(0, size, 1 << 24):
            piece = os.urandom(min(1 << 24, size - start))
            digest.update(piece)
            sink.write(piece)
    case = record_work(worker, tmp_path, "anna", size=10).case_id  # a case to file the video in
    evidence_id = worker.evidence.ingest(source, case).item.id
    source.unlink()
    proxy = CuttingProxy(org.port, every=every, cuts=cuts)
    try:
        org.point_at(proxy.url, org.server.cert_sha256)
        pushed = push(worker, backoff=quick_backoff(), chunk=chunk)
    finally:
        proxy.close()
    assert proxy.cuts_made == cuts and pushed.retries >= cuts
    assert pushed.made is not None and pushed.sent == [pushed.made.bundle_id]
    assert not pushed.made.path.exists()  # delivered: the spool copy is gone
    delivery = SyncClientState.of(worker).delivery(pushed.made.bundle_id)
    assert delivery is not None and delivery.receipt is not None
    bundle_size = json.loads(_receipt_entry(delivery.receipt))["size"]
    # Every cut loses at most the chunk on the wire; nothing else is sent twice.
    assert bundle_size <= pushed.bytes_sent <= bundle_size + proxy.cuts_made * chunk
    org.point_at(org.server.url, org.server.cert_sha256)
    pulled = pull(org.coordinator, backoff=quick_backoff())
    assert [r.bundle_id for r in pulled.received] == [pushed.made.bundle_id]
    out = tmp_path / "out.bin"
    org.coordinator.evidence.export(evidence_id, out)
    exported = hashlib.sha256()
    with out.open("rb") as copy:
        while block := copy.read(1 << 24):
            exported.update(block)
    assert exported.hexdigest() == digest.hexdigest()


def test_a_connection_cut_mid_upload_resumes_and_resends_at_most_a_chunk_per_cut(
    org: Org, tmp_path: Path
) -> None:
    _cut_upload(org, tmp_path, size=3 * 1024 * 1024, chunk=256 * 1024, every=700_000, cuts=4)


@pytest.mark.stress
def test_a_1_gib_upload_cut_six_times_arrives_whole_stress(org: Org, tmp_path: Path) -> None:
    _cut_upload(org, tmp_path, size=1 << 30, chunk=8 << 20, every=150_000_000, cuts=6)


def _receipt_entry(receipt_json: str) -> bytes:
    return base64.b64decode(json.loads(receipt_json)["entry"])


def test_server_down_keeps_the_work_queued_and_the_next_sync_delivers(org: Org, tmp_path: Path) -> None:
    worker = org.worker("anna")
    work = record_work(worker, tmp_path, "anna")
    org.stop_server()
    with pytest.raises(SyncFailed) as down:
        push(worker, backoff=quick_backoff())
    assert down.value.code == "sync-offline" and "queued" in str(down.value)
    queued = _queued_files(worker)
    assert len(queued) == 1  # the bundle waits in the spool, nothing lost
    assert all(not d.delivered for d in SyncClientState.of(worker).deliveries())
    org.start_server()
    pushed = push(worker, backoff=quick_backoff())
    assert pushed.made is None and len(pushed.sent) == 1 and _queued_files(worker) == []
    assert work.narrative in {t.narrative for t in _pulled_testimonies(org)}


def _pulled_testimonies(org: Org) -> list:
    pull(org.coordinator, backoff=quick_backoff())
    return org.coordinator.testimonies.list()


def test_a_certificate_that_is_not_the_pinned_one_is_refused(org: Org, tmp_path: Path) -> None:
    worker = org.worker("anna")
    record_work(worker, tmp_path, "anna")
    with garbage_server(tmp_path) as (_url, other_cert):
        # The profile names the real server but pins another certificate:
        # what an interceptor presenting its own certificate looks like.
        org.point_at(org.server.url, other_cert)
        with pytest.raises(SyncFailed) as refused:
            push(worker, backoff=quick_backoff())
    assert refused.value.code == "sync-pin-mismatch"
    assert "not the one your organisation pinned" in str(refused.value)
    assert len(_queued_files(worker)) == 1
    with org.server.client() as client:  # nothing reached the server
        client.login(org.coordinator.sync.signing_key(), org.coordinator.device_id)
        assert client.changes(0)["changes"] == []


def test_garbage_answers_are_a_clear_error_and_nothing_is_applied(org: Org, tmp_path: Path) -> None:
    worker = org.worker("anna")
    record_work(worker, tmp_path, "anna")
    push(worker, backoff=quick_backoff())
    more = record_work(worker, tmp_path, "anna-2")
    testimonies_before = len(org.coordinator.testimonies.list())
    with garbage_server(tmp_path) as (url, cert):
        org.point_at(url, cert)
        with pytest.raises(SyncFailed) as pushed:
            push(worker, backoff=quick_backoff())
        with pytest.raises(SyncFailed) as pulled:
            pull(org.coordinator, backoff=quick_backoff())
    assert (pushed.value.code, pulled.value.code) == ("sync-garbage", "sync-garbage")
    said = str(pushed.value)
    assert "not a Fieldvault server's answer" in said and "Nothing was applied" in said
    assert len(_queued_files(worker)) == 1  # the new bundle waits
    assert len(org.coordinator.testimonies.list()) == testimonies_before
    assert SyncClientState.of(org.coordinator).value(CURSOR) is None
    # Back on the real server, everything arrives.
    org.point_at(org.server.url, org.server.cert_sha256)
    push(worker, backoff=quick_backoff())
    assert more.narrative in {t.narrative for t in _pulled_testimonies(org)}


def test_a_revoked_device_is_refused_with_its_reason(org: Org, tmp_path: Path) -> None:
    worker = org.worker("anna")
    record_work(worker, tmp_path, "anna")
    push(worker, backoff=quick_backoff())
    record_work(worker, tmp_path, "anna-2")
    revoked = org_vault.revoke_device(org.coordinator, worker.device_id)
    assert publish_profile(revoked.signed, revoked.profile).state == "done"
    with pytest.raises(SyncFailed) as refused:
        push(worker, backoff=quick_backoff())
    assert refused.value.code == "sync-device-revoked" and "revoked" in str(refused.value)
    assert len(_queued_files(worker)) == 1


def test_the_coordinators_signed_ack_comes_back_through_the_server_and_trims_the_next_bundle(
    org: Org, tmp_path: Path
) -> None:
    worker = org.worker("anna")
    record_work(worker, tmp_path, "anna")
    first = push(worker, backoff=quick_backoff()).made
    assert first is not None and first.blobs == 1

    # What a server (or whoever holds it) might slip in: an acknowledgement
    # signed by a key that is not a coordinator's. The worker refuses it.
    forger = Ed25519PrivateKey.generate()
    forged = sign_ack(
        Acknowledgement(
            org_id=org_vault.held_profile(worker).org_id,  # type: ignore[union-attr]
            device_id=worker.device_id,
            bundle_id=first.bundle_id,
            sequence=first.sequence,
            coordinator_id=org.coordinator.device_id,
            coordinator_key=forger.public_key().public_bytes_raw(),
            created_ms=1,
        ),
        forger,
    )
    with sqlite3.connect(org.data / "server.db") as db:
        db.execute(
            "INSERT INTO acks (bundle_id, coordinator_id, acked_ms, signed) VALUES (?, ?, ?, ?)",
            (first.bundle_id, "f" * 32, 1, forged),
        )
    add_testimony(worker, "more")
    second = push(worker, backoff=quick_backoff())
    assert second.acknowledged == [] and second.made is not None
    assert second.made.blobs == 1  # not acknowledged: the evidence travels again

    pull(org.coordinator, backoff=quick_backoff())  # imports both, acknowledges each, signed
    add_testimony(worker, "late")
    third = push(worker, backoff=quick_backoff())
    assert third.acknowledged == [second.made.bundle_id]
    assert third.made is not None and (third.made.blobs, third.made.revisions) == (0, 1)
    acked = worker.sync.sent_bundle(second.made.bundle_id)
    assert acked is not None and acked.acked_by == org.coordinator.device_id


def test_the_sync_proxy_setting_sends_everything_through_socks5(org: Org, tmp_path: Path) -> None:
    worker = org.worker("anna")
    record_work(worker, tmp_path, "anna")
    worker.settings.set("sync_proxy", "http://127.0.0.1:8080")  # not SOCKS5: refused before connecting
    with pytest.raises(SyncFailed) as refused:
        push(worker, backoff=quick_backoff())
    assert refused.value.code == "sync-proxy-invalid" and _queued_files(worker) == []
    proxy = Socks5Proxy()
    try:
        worker.settings.set("sync_proxy", proxy.url)
        pushed = push(worker, backoff=quick_backoff())
    finally:
        proxy.close()
    assert len(pushed.sent) == 1
    assert proxy.connected and set(proxy.connected) == {("127.0.0.1", org.port)}
