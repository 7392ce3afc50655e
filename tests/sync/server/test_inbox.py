"""A field worker's inbox on the server (docs/sync.md §9, docs/server.md):
a coordinator's bundle whose signed header names an addressee is filed for
that device alone. The coordinators' changes feed never lists it; another
worker can neither list nor download nor acknowledge it; only a
coordinator may address a bundle; the server holds ciphertext only."""

from __future__ import annotations

import dataclasses
import io
import secrets
from collections.abc import Iterator
from pathlib import Path

import pyrage
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sync.bundle import DeviceIdentity, write_bundle
from sync.client.transport import ServerClient
from tests.sync.bundle_samples import sample
from tests.sync.server.server_helpers import Org, RunningServer, device_id, make_org, running_server
from tests.sync.server.test_server_auth import enrolled, refusal


@pytest.fixture
def org() -> Org:
    return make_org()


@pytest.fixture
def server(tmp_path: Path, org: Org) -> Iterator[RunningServer]:
    with running_server(tmp_path / "server", org.profile.fingerprint, profile=org.signed.signed) as running:
        yield running


def _bundle(
    folder: Path, org: Org, key: Ed25519PrivateKey, addressee: str | None, payload: bytes, recipient: str
) -> Path:
    """A bundle signed by ``key`` (its sequence 1) holding ``payload`` as an
    evidence file, encrypted to ``recipient``, addressed or not."""
    made = sample([payload], org_id=org.profile.org_id)
    contents = dataclasses.replace(made.contents, addressee=addressee)
    name = f"{secrets.token_hex(4)}.fvbundle"
    return write_bundle(folder / name, contents, DeviceIdentity(key, device_id(key)), [recipient]).path


def _coordinator(server: RunningServer, org: Org) -> ServerClient:
    client = server.client()
    client.login(org.coordinator_key, org.coordinator_id)
    return client


def _everything_under(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def test_a_send_back_is_filed_for_its_worker_alone(tmp_path: Path, server: RunningServer, org: Org) -> None:
    first, first_key = enrolled(server, org)
    second, _second_key = enrolled(server, org)
    worker_identity = pyrage.x25519.Identity.generate()
    canary = b"CANARY-INBOX-" + secrets.token_hex(16).encode()
    coordinator = _coordinator(server, org)
    addressed = _bundle(
        tmp_path, org, org.coordinator_key, device_id(first_key), canary, str(worker_identity.to_public())
    )
    sent = coordinator.upload(addressed)
    assert sent.body["device_id"] == org.coordinator_id  # receipted like any bundle
    # A worker's own bundle, the control: it is in the feed.
    own = first.upload(_bundle(tmp_path, org, first_key, None, b"work", org.recipients[0]))

    feed = [c["bundle_id"] for c in coordinator.changes()["changes"]]
    assert feed == [own.bundle_id], "the coordinators' feed lists the worker's bundle, never the inbox one"
    listed = first.request("GET", "/v1/inbox").json()
    assert [b["bundle_id"] for b in listed["bundles"]] == [sent.bundle_id]
    assert listed["bundles"][0]["taken"] is False
    assert listed["bundles"][0]["device_id"] == org.coordinator_id
    assert listed["cursor"] == sent.receipt.index
    assert first.request("GET", "/v1/inbox", params={"cursor": listed["cursor"]}).json()["bundles"] == []

    # The other worker: nothing listed, nothing to download, acknowledge or read.
    assert second.request("GET", "/v1/inbox").json()["bundles"] == []
    assert refusal(second.download, sent.bundle_id, io.BytesIO()) == (403, "coordinator-only")
    assert refusal(second.ack, sent.bundle_id) == (403, "coordinator-only")
    assert refusal(second.receipt, sent.bundle_id) == (404, "bundle-unknown")
    assert refusal(first.download, own.bundle_id, io.BytesIO()) == (403, "coordinator-only")

    # The addressee downloads it whole and by range, and takes it.
    whole, rest = io.BytesIO(), io.BytesIO()
    first.download(sent.bundle_id, whole)
    first.download(sent.bundle_id, rest, start=100)
    assert whole.getvalue() == addressed.read_bytes() and rest.getvalue() == whole.getvalue()[100:]
    assert first.receipt(sent.bundle_id).index == sent.receipt.index
    first.ack(sent.bundle_id)
    assert first.request("GET", "/v1/inbox").json()["bundles"][0]["taken"] is True
    assert coordinator.changes()["changes"][0]["bundle_id"] == own.bundle_id  # still not in the feed
    # Ciphertext only: the canary is nowhere in the server's folder.
    assert canary not in _everything_under(server.data)
    for client in (first, second, coordinator):
        client.close()


def test_only_a_coordinator_addresses_a_bundle(tmp_path: Path, server: RunningServer, org: Org) -> None:
    first, first_key = enrolled(server, org)
    second, second_key = enrolled(server, org)
    forged = _bundle(tmp_path, org, first_key, device_id(second_key), b"not yours", org.recipients[0])
    assert refusal(first.upload, forged) == (403, "bundle-addressee")
    assert second.request("GET", "/v1/inbox").json()["bundles"] == []
    coordinator = _coordinator(server, org)
    assert coordinator.changes()["changes"] == []
    for client in (first, second, coordinator):
        client.close()


def test_nothing_is_filed_for_a_revoked_device(tmp_path: Path, server: RunningServer, org: Org) -> None:
    first, first_key = enrolled(server, org)
    revoked_id = device_id(first_key)
    coordinator = _coordinator(server, org)
    coordinator.put_profile(org.next_version(revoked=(revoked_id,)).signed)
    addressed = _bundle(tmp_path, org, org.coordinator_key, revoked_id, b"too late", org.recipients[0])
    assert refusal(coordinator.upload, addressed) == (403, "addressee-revoked")
    assert coordinator.changes()["changes"] == []
    for client in (first, coordinator):
        client.close()
