"""A relay is bound to the coordinator's key, not only its session (review
8, F4; docs/server.md §4, sync/server/relay_statement.py). A coordinator's
session alone — a stolen bearer token — once put bundles of any freshly made
key into the organisation's feed. Now each relay upload carries the
coordinator's statement, signed by its device key over the organisation,
itself and the relayed bundle's id, maker, number and payload hash; the
server checks it against that coordinator's key in the newest profile it
holds. Without a valid one the upload is refused (403 ``relay-statement``)
and nothing of it is stored. Real server on loopback, real bundles."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pyrage
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sync.bundle.reader import check_header
from sync.client.transport import ServerClient
from sync.org import Coordinator
from sync.server.relay_statement import RelayStatement, signature_in, upload_metadata
from tests.sync.server.server_helpers import Org, RunningServer, device_id, make_org, running_server
from tests.sync.server.test_inbox import _coordinator
from tests.sync.server.test_relay import _bundle, relay_metadata
from tests.sync.server.test_server_auth import enrolled, refusal

REFUSED = (403, "relay-statement")


@pytest.fixture
def org() -> Org:
    return make_org()


@pytest.fixture
def server(tmp_path: Path, org: Org) -> Iterator[RunningServer]:
    with running_server(tmp_path / "server", org.profile.fingerprint, profile=org.signed.signed) as running:
        yield running


def _stored_nothing_of(server: RunningServer, client: ServerClient, bundle: Path) -> None:
    """The coordinators' feed does not list it, and no byte run of its
    (encrypted) payload is anywhere in the server's data folder."""
    assert client.changes()["changes"] == []
    tail = bundle.read_bytes()[-512:]
    held = [p for p in server.data.rglob("*") if p.is_file() and tail in p.read_bytes()]
    assert held == []


def _log_events(server: RunningServer) -> list[dict[str, object]]:
    return [json.loads(line) for line in server.log.read_text(encoding="utf-8").splitlines() if line]


def test_a_coordinators_session_without_its_keys_statement_relays_nothing(
    tmp_path: Path, server: RunningServer, org: Org
) -> None:
    coordinator = _coordinator(server, org)
    never_enrolled = Ed25519PrivateKey.generate()  # anyone's fresh key
    usb = _bundle(tmp_path, org, never_enrolled)
    # What an old client sends, or a stolen session token without the device key.
    location = coordinator.create_upload(usb.stat().st_size)
    assert refusal(coordinator.upload, usb, location=location) == REFUSED
    # The upload is refused for good; nothing of the bundle is held.
    assert refusal(coordinator.offset, location) == (410, "upload-refused")
    _stored_nothing_of(server, coordinator, usb)
    refused = [e for e in _log_events(server) if e["event"] == "upload-refused"]
    assert [(e["device_id"], e["code"]) for e in refused] == [(org.coordinator_id, "relay-statement")]

    # The same bundle with the coordinator's statement: filed as before, the relayer on record.
    relayed = coordinator.upload(usb, metadata=relay_metadata(usb, org, org.coordinator_key))
    assert relayed.body["device_id"] == device_id(never_enrolled)
    [change] = coordinator.changes()["changes"]
    assert (change["bundle_id"], change["relayed_by"]) == (relayed.bundle_id, org.coordinator_id)
    stored = [e for e in _log_events(server) if e["event"] == "bundle-stored"]
    assert [(e["bundle_id"], e.get("relayed_by")) for e in stored] == [
        (relayed.bundle_id, org.coordinator_id)
    ]
    # A device's own bundle names no relayer.
    worker, worker_key = enrolled(server, org)
    own = worker.upload(_bundle(tmp_path, org, worker_key))
    by_id = {c["bundle_id"]: c for c in coordinator.changes()["changes"]}
    assert by_id[own.bundle_id]["relayed_by"] is None
    for client in (coordinator, worker):
        client.close()


def test_a_statement_signed_by_any_other_key_is_refused(
    tmp_path: Path, server: RunningServer, org: Org
) -> None:
    worker, worker_key = enrolled(server, org)
    coordinator = _coordinator(server, org)
    maker = Ed25519PrivateKey.generate()
    usb = _bundle(tmp_path, org, maker)
    fresh = Ed25519PrivateKey.generate()
    forged = [
        relay_metadata(usb, org, fresh, org.coordinator_id),  # a fresh key, naming the coordinator
        relay_metadata(usb, org, fresh),  # a fresh key, naming itself
        relay_metadata(usb, org, worker_key, org.coordinator_id),  # a field worker's key
        relay_metadata(usb, org, worker_key),
        relay_metadata(usb, org, maker, org.coordinator_id),  # not even the bundle's maker's
    ]
    for metadata in forged:
        assert refusal(coordinator.upload, usb, metadata=metadata) == REFUSED
    # The right key over another organisation's id verifies for nothing here.
    checked = check_header(usb, org_id=org.profile.org_id)
    other_org = RelayStatement(
        org_id=make_org().profile.org_id,
        relayer_id=org.coordinator_id,
        bundle_id=checked.bundle_id,
        device_id=checked.header.device_id,
        sequence=checked.header.sequence,
        payload_sha256=checked.header.payload_sha256,
    )
    metadata = upload_metadata(other_org.sign(org.coordinator_key))
    assert refusal(coordinator.upload, usb, metadata=metadata) == REFUSED
    _stored_nothing_of(server, coordinator, usb)
    for client in (coordinator, worker):
        client.close()


def test_a_statement_for_another_bundle_is_refused(tmp_path: Path, server: RunningServer, org: Org) -> None:
    coordinator = _coordinator(server, org)
    maker = Ed25519PrivateKey.generate()
    first = _bundle(tmp_path, org, maker)
    statement = relay_metadata(first, org, org.coordinator_key)
    relayed = coordinator.upload(first, metadata=statement)
    # Replayed from the earlier relay: for the maker's next bundle, and for another maker's.
    following = _bundle(tmp_path, org, maker, sequence=2, previous=relayed.bundle_id)
    stranger = _bundle(tmp_path, org, Ed25519PrivateKey.generate())
    for bundle in (following, stranger):
        assert refusal(coordinator.upload, bundle, metadata=statement) == REFUSED
    assert [c["bundle_id"] for c in coordinator.changes()["changes"]] == [relayed.bundle_id]
    # Each with its own statement is taken.
    assert coordinator.upload(following, metadata=relay_metadata(following, org, org.coordinator_key))
    coordinator.close()


def test_a_statement_by_a_coordinator_removed_from_the_newest_profile_is_refused(
    tmp_path: Path, server: RunningServer, org: Org
) -> None:
    lviv_key = Ed25519PrivateKey.generate()
    lviv_id = device_id(lviv_key)
    lviv = Coordinator(
        lviv_id,
        lviv_key.public_key().public_bytes_raw(),
        str(pyrage.x25519.Identity.generate().to_public()),
        "Lviv",
    )
    kyiv = _coordinator(server, org)
    kyiv.put_profile(org.next_version(coordinators=(*org.profile.coordinators, lviv)).signed)
    lviv_session = server.client()
    lviv_session.login(lviv_key, lviv_id)
    # While a coordinator, Lviv relays with its own statement.
    before = _bundle(tmp_path, org, Ed25519PrivateKey.generate())
    relayed = lviv_session.upload(before, metadata=relay_metadata(before, org, lviv_key))
    kyiv.put_profile(org.next_version(coordinators=org.profile.coordinators[:1]).signed)

    after = _bundle(tmp_path, org, Ed25519PrivateKey.generate())
    # Lviv's key with Kyiv's session (stolen): naming Lviv, and naming Kyiv.
    as_lviv = relay_metadata(after, org, lviv_key)
    as_kyiv = relay_metadata(after, org, lviv_key, org.coordinator_id)
    for metadata in (as_lviv, as_kyiv):
        assert refusal(kyiv.upload, after, metadata=metadata) == REFUSED
    # Lviv's own session ended with its place in the profile.
    assert refusal(lviv_session.upload, after, metadata=as_lviv) == (403, "device-unknown")
    feed = [(c["bundle_id"], c["relayed_by"]) for c in kyiv.changes()["changes"]]
    assert feed == [(relayed.bundle_id, lviv_id)]
    for client in (kyiv, lviv_session):
        client.close()


def test_a_malformed_statement_is_refused_at_creation_and_other_metadata_ignored(
    tmp_path: Path, server: RunningServer, org: Org
) -> None:
    coordinator = _coordinator(server, org)
    usb = _bundle(tmp_path, org, Ed25519PrivateKey.generate())
    for bad in ("relay-signature", "relay-signature AAAA", "relay-signature " + "A" * 5000):
        assert refusal(coordinator.create_upload, 100, metadata=bad) == (400, "relay-statement")
    # tus clients name files there: ignored, the statement still found.
    metadata = "filename YnVuZGxlLmZ2YnVuZGxl," + relay_metadata(usb, org, org.coordinator_key)
    assert coordinator.upload(usb, metadata=metadata).body["sequence"] == 1
    coordinator.close()


def test_the_statement_is_the_documented_message() -> None:
    """docs/server.md §4, built here from the text alone: the domain, then
    the members in JCS (sorted keys, no spaces; these are ASCII strings and
    an integer), signed with Ed25519 by the coordinator's device key."""
    key = Ed25519PrivateKey.generate()
    statement = RelayStatement(
        org_id="0f2a6c1e-58b4-4e5f-9d0c-7a3b2e1f4c5d",
        relayer_id="a" * 32,
        bundle_id="b" * 64,
        device_id="c" * 32,
        sequence=7,
        payload_sha256="d" * 64,
    )
    members = {
        "org_id": statement.org_id,
        "relayer_id": statement.relayer_id,
        "bundle_id": statement.bundle_id,
        "device_id": statement.device_id,
        "sequence": 7,
        "payload_sha256": statement.payload_sha256,
    }
    documented = b"fieldvault-server-relay/1\n" + json.dumps(
        members, sort_keys=True, separators=(",", ":")
    ).encode("ascii")
    assert statement.message() == documented
    signature = statement.sign(key)
    key.public_key().verify(signature, documented)  # raises if not
    public = key.public_key().public_bytes_raw()
    assert statement.signed_by(public, signature)
    assert not statement.signed_by(public, None)
    assert not statement.signed_by(public, signature[:-1] + bytes([signature[-1] ^ 1]))
    assert signature_in(upload_metadata(signature)) == signature
