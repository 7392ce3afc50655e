"""Automatic sync end to end through a real server on loopback (TLS, the
server's own certificate pinned by the organisation profile): two field
workers push, the coordinator pulls and sees everything, byte-identical,
with the chain of custody on every side; then the failures a field worker
meets — a connection cut mid-upload several times, a server that is down, a
certificate that is not the pinned one, a server answering garbage, a
revoked device — each with what it must leave behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from db.api import SyncClientState, Vault
from sync.client.pull import CURSOR, pull
from sync.client.push import push, spool_dir
from tests.sync.client.sync_helpers import Org, Work, organisation, quick_backoff, record_work


@pytest.fixture
def org(tmp_path: Path) -> Org:
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
