"""Send-back through the server (docs/sync.md §9; issues 13 and 14): a real
server on loopback, two field workers' vaults and a coordinator's, nothing
carried by hand. The coordinator's sync uploads, after its pull, a bundle
for each worker with something due; the server files it in that worker's
inbox; the worker's sync imports it. The conflict round trip travels this
way end to end; another worker never sees the bundle, nor do the
coordinators' changes feed and the server's disk see anything but
ciphertext; what a bundle relays counts as sent only once a receipt proves
the upload."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from db.api import SYNC_SPOOL_DIR, Case, SyncClientState, Vault
from db.api import Testimony as TestimonyRecord
from sync import org_vault
from sync.client.connection import session
from sync.client.errors import SyncFailed
from sync.client.inbox import RELAY_PENDING, RelayResult, receive_inbox, send_back_over_server
from sync.client.pull import PullResult, pull
from sync.client.push import push
from sync.client.transport import ServerSaid
from tests.sync.client.sync_helpers import Org, SavedOrg, quick_backoff, saved, saved_organisation
from tests.sync.merge.conflict_fixtures import FIRST_NARRATIVE, NARRATIVE, SECOND_NARRATIVE

CANARY = "CANARY-SEND-BACK-7f3a9c"


@dataclass
class Field:
    org: Org
    first: Vault
    second: Vault
    testimony_id: str

    @property
    def coordinator(self) -> Vault:
        return self.org.coordinator


def sync_worker(vault: Vault) -> PullResult:
    """A field worker's ``fieldvault sync``: push, then its inbox."""
    push(vault, backoff=quick_backoff())
    return receive_inbox(vault, backoff=quick_backoff())


def sync_coordinator(vault: Vault) -> tuple[PullResult, RelayResult]:
    """A coordinator's ``fieldvault sync``: pull, then the send-back."""
    return pull(vault, backoff=quick_backoff()), send_back_over_server(vault, backoff=quick_backoff())


def _everything_under(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


@pytest.fixture(scope="module")
def saved_field(tmp_path_factory: pytest.TempPathFactory) -> tuple[SavedOrg, str]:
    """Both workers hold the first worker's testimony, by the network alone:
    under the policy ``all`` the coordinator's sync sends it to the second.
    Built once for the module; each test gets its own copy (``field``)."""
    with saved_organisation(tmp_path_factory.mktemp("send-back-world")) as org:
        org_vault.set_policy(org.coordinator, send_to_workers="all")
        first, second = org.worker("first"), org.worker("second")
        case = first.cases.create(Case(title="Case of the basement"))
        testimony = first.testimonies.create(
            TestimonyRecord(
                case_id=case.id,
                title="Statement of witness W-1",
                interviewer="Mariia K.",
                narrative=f"{NARRATIVE} {CANARY}",
            )
        )
        second.cases.create(Case(title="Second's own case"))
        for worker in (first, second):
            sync_worker(worker)
        pulled, relayed = sync_coordinator(org.coordinator)
        assert len(pulled.received) == 2
        assert {device for device, _ in relayed.sent} == {first.device_id, second.device_id}
        for worker in (first, second):
            assert len(sync_worker(worker).received) == 1
        assert second.testimonies.get(testimony.id).narrative.endswith(CANARY)
    return saved(org), testimony.id


@pytest.fixture
def field(saved_field: tuple[SavedOrg, str], tmp_path: Path) -> Iterator[Field]:
    """This test's own copy of the saved world: vaults and server data."""
    world, testimony_id = saved_field
    with world.copy(tmp_path) as org:
        first, second = org.workers
        yield Field(org, first, second, testimony_id)


def _heads(vault: Vault, entity_id: str) -> frozenset[str]:
    return vault.revisions.heads()[entity_id]


def _resolve(field: Field) -> str:
    """The coordinator keeps the first worker's title and narrative and the
    second's interviewer: one save through the db API (as the Conflicts
    dialog does). Returns the merge revision's id."""
    coordinator = field.coordinator
    heads = [h for h in coordinator.testimonies.history(field.testimony_id) if h.is_head]
    by_device = {h.device_id: h.body for h in heads}
    first, second = by_device[field.first.device_id], by_device[field.second.device_id]
    current = coordinator.testimonies.get(field.testimony_id)
    coordinator.testimonies.save(
        replace(
            current, title=first["title"], narrative=first["narrative"], interviewer=second["interviewer"]
        )
    )
    (merge,) = [h for h in coordinator.testimonies.history(field.testimony_id) if h.is_head]
    return merge.revision_id


def test_the_conflict_round_trip_travels_entirely_over_the_network(field: Field) -> None:
    field.first.testimonies.edit(
        field.testimony_id, title="Statement of W-1 (corrected)", narrative=FIRST_NARRATIVE
    )
    field.second.testimonies.edit(field.testimony_id, interviewer="Mariia Koval", narrative=SECOND_NARRATIVE)
    for worker in (field.first, field.second):
        assert len(push(worker, backoff=quick_backoff()).sent) == 1
    pulled = pull(field.coordinator, backoff=quick_backoff())
    assert len(pulled.received) == 2
    assert [c.entity_id for c in field.coordinator.revisions.conflicts()] == [field.testimony_id]
    merge_id = _resolve(field)
    assert field.coordinator.revisions.conflicts() == []

    _, relayed = sync_coordinator(field.coordinator)
    assert {device for device, _ in relayed.sent} == {field.first.device_id, field.second.device_id}
    assert relayed.queued == []
    for worker in (field.first, field.second):
        taken = sync_worker(worker)
        assert [r.device_id for r in taken.received] == [field.coordinator.device_id]
    for vault in (field.first, field.second, field.coordinator):
        assert _heads(vault, field.testimony_id) == {merge_id}
        assert vault.revisions.conflicts() == []
        report = vault.verify()
        assert report.ok, report.problems
    merged = field.coordinator.testimonies.get(field.testimony_id)
    assert field.first.testimonies.get(field.testimony_id) == merged
    assert field.second.testimonies.get(field.testimony_id) == merged
    assert (merged.narrative, merged.interviewer) == (FIRST_NARRATIVE, "Mariia Koval")
    # Nothing more is due, and nothing more arrives.
    _, again = sync_coordinator(field.coordinator)
    assert again.made == [] and again.sent == []
    assert sync_worker(field.first).received == []


def test_another_worker_can_neither_list_nor_download_an_inbox_bundle(field: Field) -> None:
    field.coordinator.testimonies.edit(field.testimony_id, title="Checked by the desk")
    _, relayed = sync_coordinator(field.coordinator)
    sent = dict(relayed.sent)
    for_first, for_second = sent[field.first.device_id], sent[field.second.device_id]
    with session(field.second) as client:
        listed = client.request("GET", "/v1/inbox").json()["bundles"]
        listed_ids = [b["bundle_id"] for b in listed]  # from the start: the fixture's, taken, too
        assert for_second in listed_ids and for_first not in listed_ids
        for attempt in (
            lambda: client.download(for_first, io.BytesIO()),
            lambda: client.download(for_first, io.BytesIO(), start=10),
            lambda: client.request("POST", f"/v1/bundles/{for_first}/ack"),
        ):
            with pytest.raises(ServerSaid) as refused:
                attempt()
            assert (refused.value.status, refused.value.code) == (403, "coordinator-only")
        with pytest.raises(ServerSaid) as unknown:
            client.receipt(for_first)
        assert unknown.value.status == 404
    # Each takes its own; the first's is still untaken, then taken by the first alone.
    assert [r.bundle_id for r in receive_inbox(field.second, backoff=quick_backoff()).received] == [
        for_second
    ]
    with session(field.first) as client:
        entries = client.request("GET", "/v1/inbox").json()["bundles"]
        assert [(e["bundle_id"], e["taken"]) for e in entries][-1] == (for_first, False)
        assert all(e["taken"] for e in entries[:-1])
    assert [r.bundle_id for r in receive_inbox(field.first, backoff=quick_backoff()).received] == [for_first]
    assert field.first.testimonies.get(field.testimony_id).title == "Checked by the desk"


def test_the_coordinators_feed_never_lists_inbox_bundles_and_the_server_holds_ciphertext(
    field: Field,
) -> None:
    field.coordinator.testimonies.edit(field.testimony_id, title="Checked by the desk")
    _, relayed = sync_coordinator(field.coordinator)
    inbox_ids = {bundle_id for _, bundle_id in relayed.sent}
    assert len(inbox_ids) == 2
    with session(field.coordinator) as client:
        feed = client.changes(cursor=0, limit=1000)["changes"]
        assert feed and not {c["bundle_id"] for c in feed} & inbox_ids
        assert all(c["device_id"] != field.coordinator.device_id for c in feed)
    assert pull(field.coordinator, backoff=quick_backoff()).received == []
    # The canary travelled to the second worker through the server (fixture)
    # and the merge's narrative now twice more: never in plaintext there.
    assert CANARY.encode() not in _everything_under(field.org.data)
    assert b"Checked by the desk" not in _everything_under(field.org.data)


def test_relayed_revisions_count_as_sent_only_once_a_receipt_proves_the_upload(field: Field) -> None:
    coordinator = field.coordinator
    coordinator.testimonies.edit(field.testimony_id, title="Checked by the desk")
    field.org.stop_server()
    with pytest.raises(SyncFailed) as offline:
        send_back_over_server(coordinator, backoff=quick_backoff())
    assert offline.value.code == "sync-offline"
    # Made and queued, not recorded: still due to both, and in flight.
    for worker in (field.first, field.second):
        assert coordinator.sync.relay_due(worker.device_id, "all").revisions
    pending = SyncClientState.of(coordinator).value(RELAY_PENDING)
    assert pending is not None and len(eval_json(pending)) == 2
    made = len(coordinator.sync.sent_bundles())
    with pytest.raises(SyncFailed):
        send_back_over_server(coordinator, backoff=quick_backoff())
    assert len(coordinator.sync.sent_bundles()) == made, "no second bundle while one is in flight"
    field.org.start_server()
    relayed = send_back_over_server(coordinator, backoff=quick_backoff())
    assert relayed.made == [] and len(relayed.sent) == 2
    for worker in (field.first, field.second):
        assert not coordinator.sync.relay_due(worker.device_id, "all").revisions
        assert sync_worker(worker).received[0].device_id == coordinator.device_id
        assert worker.testimonies.get(field.testimony_id).title == "Checked by the desk"
    assert eval_json(SyncClientState.of(coordinator).value(RELAY_PENDING) or "{}") == {}


def eval_json(text: str) -> dict[str, object]:
    import json

    value = json.loads(text)
    assert isinstance(value, dict)
    return value


def test_a_broken_inbox_download_resumes_where_it_stopped(field: Field) -> None:
    """A worker killed in the middle of a download: the part file in its
    spool stays, and the next sync fetches only the rest (a range request),
    checks the whole against the receipt and imports it."""
    field.coordinator.testimonies.edit(field.testimony_id, title="Checked by the desk")
    _, relayed = sync_coordinator(field.coordinator)
    bundle_id = dict(relayed.sent)[field.first.device_id]
    with session(field.first) as client:
        whole = io.BytesIO()
        client.download(bundle_id, whole)
    size = len(whole.getvalue())
    have = size // 2
    part = field.first.folder / SYNC_SPOOL_DIR / f"{bundle_id}.fvbundle.part"
    part.write_bytes(whole.getvalue()[:have])  # what a kill left
    taken = receive_inbox(field.first, backoff=quick_backoff())
    assert [r.bundle_id for r in taken.received] == [bundle_id]
    assert taken.bytes_received == size - have
    assert not part.exists()
    assert field.first.testimonies.get(field.testimony_id).title == "Checked by the desk"
    assert field.first.verify().ok


def test_a_bundle_for_a_worker_revoked_while_it_waited_is_never_sent(field: Field) -> None:
    """Made while the server was down; the coordinator then revokes that
    worker: the next sync delivers the other worker's bundle, removes the
    revoked one's from its spool instead of uploading it (the server would
    refuse it at every sync) and records nothing as sent to it."""
    coordinator = field.coordinator
    coordinator.testimonies.edit(field.testimony_id, title="Checked by the desk")
    field.org.stop_server()
    with pytest.raises(SyncFailed):
        send_back_over_server(coordinator, backoff=quick_backoff())
    spool = coordinator.folder / SYNC_SPOOL_DIR
    assert len(list(spool.glob("*.fvbundle"))) == 2
    org_vault.revoke_device(coordinator, field.second.device_id)
    field.org.start_server()
    relayed = send_back_over_server(coordinator, backoff=quick_backoff())
    assert [device for device, _ in relayed.sent] == [field.first.device_id]
    assert relayed.queued == [] and list(spool.glob("*.fvbundle")) == []
    assert eval_json(SyncClientState.of(coordinator).value(RELAY_PENDING) or "{}") == {}
    with session(field.first) as client:
        assert client.request("GET", "/v1/inbox").json()["bundles"][-1]["taken"] is False
    assert sync_worker(field.first).received[0].device_id == coordinator.device_id
