"""A coordinator relays another device's bundle (docs/sync.md §2.3,
docs/server.md upload checks): a bundle that reached it on a USB stick is
uploaded as it is, signed by its maker, and filed under the maker's device
and number, so the other coordinators pull it whole. Only a coordinator of
the profile may relay, with its relay statement signed by its device key
(tests/sync/server/test_relay_statement.py: without one, nothing is
stored), never a bundle addressed to a worker, never a revoked device's."""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from db.api import SyncClientState
from sync.bundle import DeviceIdentity, write_bundle
from sync.bundle.org_held import relays
from sync.bundle.reader import check_header
from sync.client.connection import session
from sync.client.transport import Uploaded
from sync.server.relay_statement import RelayStatement, upload_metadata
from tests.sync.bundle_samples import sample
from tests.sync.client.sync_helpers import record_work
from tests.sync.desk_world import (
    ServerDesks,
    desk_push,
    desk_sync,
    export_by_usb,
    feed,
    import_by_usb,
    narratives,
    server_desks,
)
from tests.sync.server.server_helpers import Org, RunningServer, device_id, make_org, running_server
from tests.sync.server.test_inbox import _coordinator
from tests.sync.server.test_server_auth import enrolled, refusal

desks = server_desks  # tests/sync/desk_world.py's fixture, under the name the test asks for


@pytest.fixture
def org() -> Org:
    return make_org()


@pytest.fixture
def server(tmp_path: Path, org: Org) -> Iterator[RunningServer]:
    with running_server(tmp_path / "server", org.profile.fingerprint, profile=org.signed.signed) as running:
        yield running


def _bundle(
    folder: Path,
    org: Org,
    key: Ed25519PrivateKey,
    *,
    sequence: int = 1,
    previous: str | None = None,
    addressee: str | None = None,
) -> Path:
    made = sample([secrets.token_bytes(64)], org_id=org.profile.org_id)
    contents = dataclasses.replace(made.contents, sequence=sequence, previous=previous, addressee=addressee)
    name = f"{secrets.token_hex(4)}.fvbundle"
    return write_bundle(folder / name, contents, DeviceIdentity(key, device_id(key)), org.recipients).path


def relay_metadata(path: Path, org: Org, key: Ed25519PrivateKey, relayer_id: str | None = None) -> str:
    """The Upload-Metadata of a relay of ``path``: its statement signed by
    ``key``, naming ``relayer_id`` (by default, the key's own device)."""
    checked = check_header(path, org_id=org.profile.org_id)
    statement = RelayStatement(
        org_id=org.profile.org_id,
        relayer_id=relayer_id or device_id(key),
        bundle_id=checked.bundle_id,
        device_id=checked.header.device_id,
        sequence=checked.header.sequence,
        payload_sha256=checked.header.payload_sha256,
    )
    return upload_metadata(statement.sign(key))


def test_a_coordinator_relays_a_usb_only_workers_bundle_under_the_workers_number(
    tmp_path: Path, server: RunningServer, org: Org
) -> None:
    worker_key = Ed25519PrivateKey.generate()  # a worker that never reached the server
    worker_id = device_id(worker_key)
    coordinator = _coordinator(server, org)
    usb = _bundle(tmp_path, org, worker_key)

    def relay(path: Path) -> Uploaded:
        return coordinator.upload(path, metadata=relay_metadata(path, org, org.coordinator_key))

    relayed = relay(usb)
    assert (relayed.body["device_id"], relayed.body["sequence"]) == (worker_id, 1)
    [change] = coordinator.changes()["changes"]
    assert (change["bundle_id"], change["device_id"]) == (relayed.bundle_id, worker_id)
    assert change["relayed_by"] == org.coordinator_id  # who put it into the feed is on record
    # The same file relayed again (another desk had it too): the bundle stored before.
    assert relay(usb).receipt == relayed.receipt
    # The worker's next bundle follows it on the server: the chain holds.
    second = _bundle(tmp_path, org, worker_key, sequence=2, previous=relayed.bundle_id)
    assert relay(second).body["sequence"] == 2
    forked = _bundle(tmp_path, org, worker_key, sequence=2, previous="0" * 64)
    assert refusal(relay, forked)[1] in {"bundle-chain", "bundle-conflict"}
    coordinator.close()


def test_only_a_coordinator_relays_and_never_an_addressed_or_revoked_devices_bundle(
    tmp_path: Path, server: RunningServer, org: Org
) -> None:
    first, first_key = enrolled(server, org)
    other_key = Ed25519PrivateKey.generate()
    others = _bundle(tmp_path, org, other_key)
    assert refusal(first.upload, others) == (403, "bundle-other-device")
    # A field worker's own relay statement makes no relayer of it: refused
    # when the upload is created (server.md §2), nothing of it kept.
    signed = relay_metadata(others, org, first_key)
    assert refusal(first.upload, others, metadata=signed) == (400, "relay-not-coordinator")
    coordinator = _coordinator(server, org)
    addressed = _bundle(tmp_path, org, other_key, addressee=device_id(first_key))
    signed = relay_metadata(addressed, org, org.coordinator_key)
    assert refusal(coordinator.upload, addressed, metadata=signed) == (403, "bundle-other-device")
    revoked_key = Ed25519PrivateKey.generate()
    coordinator.put_profile(org.next_version(revoked=(device_id(revoked_key),)).signed)
    revoked = _bundle(tmp_path, org, revoked_key)
    signed = relay_metadata(revoked, org, org.coordinator_key)
    assert refusal(coordinator.upload, revoked, metadata=signed) == (403, "bundle-device-revoked")
    assert coordinator.changes()["changes"] == []
    for client in (first, coordinator):
        client.close()


def test_a_relay_upload_begun_without_a_statement_is_sent_again_signed(
    desks: ServerDesks, tmp_path: Path
) -> None:
    """Review 9 F5. A relay whose upload was created before relay statements
    (by the older client, or before the server's migration) is resumed
    without one and refused ``relay-statement`` on its last byte. The desk
    forgets that upload and sends the relay again as a new, signed upload in
    the same round; before, it set the relay aside for good."""
    kyiv, first = desks.kyiv, desks.first
    desks.registered(first)
    work = record_work(first, tmp_path, "carried", size=5_000)
    made, profile = export_by_usb(first, tmp_path / "stick")
    import_by_usb(kyiv, made.path, profile.org_id)
    [relay] = relays(kyiv)
    # What the older client did: an upload with no Upload-Metadata, half sent, its address kept.
    data = relay.path.read_bytes()
    with session(kyiv, proxy=None) as client:
        location = client.create_upload(len(data))
        client.request(
            "PATCH",
            location,
            content=data[: len(data) // 2],
            headers={
                "Tus-Resumable": "1.0.0",
                "Upload-Offset": "0",
                "Content-Type": "application/offset+octet-stream",
            },
        )
    SyncClientState.of(kyiv).set_upload(relay.bundle_id, location)

    shared = desk_push(kyiv)
    assert shared.relays_set_aside == []
    assert shared.relayed == [made.bundle_id] and relays(kyiv) == []
    by_id = {c["bundle_id"]: c for c in feed(kyiv)}
    assert by_id[made.bundle_id]["relayed_by"] == kyiv.device_id
    assert by_id[made.bundle_id]["device_id"] == first.device_id
    desk_sync(desks.lviv)
    assert work.narrative in narratives(desks.lviv)
