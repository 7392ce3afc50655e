"""A field device's work travels to a coordinator's vault as a bundle file
(issue 11, docs/bundle-format.md): export_bundle on the worker's vault,
import_bundle on the coordinator's, through the real writer, reader and
import unit. What arrives is identical; what is refused leaves nothing."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import pyrage
import pytest
from sqlalchemy import text

from db.api import CancelToken, Device, Vault
from db.device import DeviceIdentity
from db.entities import Case
from db.hlc import Timestamp
from db.keyring_store import NoKeyring
from db.revisions import create_revision
from sync.bundle import BlobSource, BundleContents, BundleRejected, check_bundle, read_bundle, write_bundle
from sync.bundle.vault_io import BundleCancelled, ImportedBundle, export_bundle, import_bundle
from sync.bundle.writer import DeviceIdentity as SigningIdentity
from tests.db.sync_fixtures import FieldWork, record_field_work
from tests.factory import make_case
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE

ORG = str(uuid.UUID(int=0x0193_6F3E_8A00_7000_8000_0000_0000_0042))


@dataclass
class Org:
    field: FieldWork
    coordinator: Vault
    identity: pyrage.x25519.Identity  # the coordinator's age identity
    out: Path

    @property
    def worker(self) -> Vault:
        return self.field.vault

    @property
    def recipient(self) -> str:
        return str(self.identity.to_public())

    def export(self) -> Path:
        return export_bundle(self.worker, self.out, [self.recipient], ORG, 1).path

    def import_(self, path: Path) -> ImportedBundle:
        return import_bundle(self.coordinator, path, self.identity, org_id=ORG)


def device_of(
    vault: Vault, recipient: str = "age1unused", status: str = "enrolled", role: str = "device"
) -> Device:
    identity = vault.services.context.identity
    return Device(identity.device_id, identity.public_key, recipient, status, role)


def make_org(tmp_path: Path, *, worker_status: str = "enrolled") -> Org:
    field = record_field_work(tmp_path / "field", tmp_path)
    coordinator = Vault.create(
        tmp_path / "coordinator", PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2
    ).vault
    identity = pyrage.x25519.Identity.generate()
    field.vault.sync.put_device(device_of(coordinator, str(identity.to_public()), role="coordinator"))
    if worker_status != "unknown":
        coordinator.sync.put_device(device_of(field.vault, status=worker_status))
    out = tmp_path / "usb"
    out.mkdir()
    return Org(field, coordinator, identity, out)


@pytest.fixture(name="org")
def org_fixture(tmp_path: Path) -> Iterator[Org]:
    org = make_org(tmp_path)
    yield org
    org.worker.lock()
    org.coordinator.lock()


def table(vault: Vault, sql: str) -> list[tuple[object, ...]]:
    with vault.services.context.sessions() as session:
        return [tuple(row) for row in session.execute(text(sql))]


def counts(vault: Vault) -> dict[str, int]:
    names = ("revisions", "entities", "blobs", "evidence_blobs", "custody_events")
    more = ("received_custody_events", "received_bundles")
    return {name: cast(int, table(vault, f"SELECT count(*) FROM {name}")[0][0]) for name in (*names, *more)}


def blob_files(vault: Vault) -> list[str]:
    return sorted(p.name for p in (vault.folder / "blobs").iterdir())


def actions(vault: Vault, evidence_id: str) -> list[str]:
    return [event.action for event in vault.evidence.custody(evidence_id)]


def test_round_trip_brings_identical_entities_revisions_and_bytes(org: Org, tmp_path: Path) -> None:
    path = org.export()
    result = org.import_(path)
    worker, coordinator = org.worker, org.coordinator

    revisions = "SELECT revision_id, signed, signature FROM revisions ORDER BY revision_id"
    assert table(coordinator, revisions) == table(worker, revisions)
    entities = "SELECT entity_id, entity_type, body FROM entities ORDER BY entity_id"
    assert table(coordinator, entities) == table(worker, entities)
    evidence = org.field.evidence_id
    copy = coordinator.evidence.export(evidence, tmp_path / "copy.jpg")
    assert (tmp_path / "copy.jpg").read_bytes() == org.field.data
    assert copy.sha256 == hashlib.sha256(org.field.data).hexdigest()
    # Custody on both sides: sent in this bundle, received from it.
    assert actions(worker, evidence)[-1] == "transfer"
    assert "transfer" in actions(coordinator, evidence)
    sent = next(e for e in worker.evidence.custody(evidence) if e.action == "transfer")
    received = next(e for e in coordinator.evidence.custody(evidence) if e.action == "transfer")
    assert sent.details["direction"] == "sent" and received.details["direction"] == "received"
    assert sent.details["bundle"] == received.details["bundle"] == result.bundle_id
    # The worker's chain arrived as its own chain, up to the bundle's head.
    assert (
        len(table(coordinator, "SELECT * FROM received_custody_events"))
        == len(table(worker, "SELECT * FROM custody_events")) - 1
    )  # all but the 'transfer' recorded after the bundle was made
    assert coordinator.verify().ok, coordinator.verify().problems
    assert worker.verify().ok
    assert worker.sync.outgoing().bundle_sequence == 1


def test_a_replayed_bundle_is_a_no_op(org: Org) -> None:
    path = org.export()
    first = import_bundle(org.coordinator, path, org.identity, org_id=ORG)
    before, files = counts(org.coordinator), blob_files(org.coordinator)
    again = import_bundle(org.coordinator, path, org.identity, org_id=ORG)
    assert again.replay and not first.replay
    assert (again.revisions, again.blobs) == (0, 0)
    assert counts(org.coordinator) == before and blob_files(org.coordinator) == files


def test_the_next_bundle_follows_the_first_and_a_missing_one_is_a_gap(org: Org) -> None:
    first = org.export()
    make_case(org.worker)
    second = org.export()
    make_case(org.worker)
    third = org.export()
    assert [check_bundle(p).header.sequence for p in (first, second, third)] == [1, 2, 3]
    assert check_bundle(second).header.previous == check_bundle(first).bundle_id

    org.import_(first)
    result = import_bundle(org.coordinator, third, org.identity, org_id=ORG)
    assert [(g.first, g.last) for g in result.gaps] == [(2, 2)]
    late = import_bundle(org.coordinator, second, org.identity, org_id=ORG)  # fills the gap
    assert late.gaps == () and not late.replay
    assert org.coordinator.verify().ok


def refused(org: Org, path: Path) -> str:
    before, files = counts(org.coordinator), blob_files(org.coordinator)
    with pytest.raises(BundleRejected) as error:
        org.import_(path)
    assert counts(org.coordinator) == before, "a refused bundle left rows"
    assert blob_files(org.coordinator) == files, "a refused bundle left files"
    assert not any(p.name.startswith(".tmp") for p in (org.coordinator.folder / "blobs").iterdir())
    return error.value.reason


def test_a_bundle_from_an_unknown_device_is_refused_and_nothing_applied(tmp_path: Path) -> None:
    org = make_org(tmp_path, worker_status="unknown")
    assert refused(org, org.export()) == "device-unknown"


@pytest.mark.parametrize(("status", "reason"), [("revoked", "device-revoked"), ("pending", "device-unknown")])
def test_a_bundle_from_a_revoked_or_pending_device_is_refused(
    tmp_path: Path, status: str, reason: str
) -> None:
    org = make_org(tmp_path, worker_status=status)
    assert refused(org, org.export()) == reason


def resigned_with(org: Org, extra_revision: dict[str, str], dest: Path) -> Path:
    """The worker's own bundle made again with one more revision inside,
    signed by the worker's device: valid in every way the reader checks."""
    worker = org.worker
    revisions = [
        {
            "id": r.revision_id,
            "signed": base64.b64encode(r.signed).decode(),
            "signature": base64.b64encode(r.signature).decode(),
        }
        for r in worker.revisions.since(0, 10_000)
    ]
    custody = [e.to_wire() for e in worker.sync.custody_since()]
    contents = BundleContents(
        org_id=ORG,
        profile_version=1,
        sequence=1,
        previous=None,
        custody_head=custody[-1]["hash"],
        revisions=[*revisions, extra_revision],
        custody=custody,
    )
    device = SigningIdentity(worker.sync.signing_key(), worker.device_id)
    return write_bundle(dest, contents, device, [org.recipient]).path


def test_a_forged_revision_from_an_outsider_inside_a_signed_bundle_is_refused(
    org: Org, tmp_path: Path
) -> None:
    outsider = DeviceIdentity.generate()
    forged = create_revision(
        outsider,
        entity_id="0190f3a0-0000-7000-8000-000000000001",
        entity_type="case",
        op="put",
        body=Case(title="Planted case").body(),
        parents=[],
        hlc=Timestamp(1_700_000_000_000, 0),
    ).to_wire()
    path = resigned_with(org, forged, tmp_path / "forged.fvbundle")
    # The reader alone finds nothing wrong: the device signed it all.
    assert read_bundle(path, org.identity, org_id=ORG).manifest.revisions[-1] == forged["id"]
    assert refused(org, path) == f"signer:{forged['id']}"


def test_a_bundle_naming_evidence_the_vault_does_not_hold_is_refused(org: Org, tmp_path: Path) -> None:
    """§5.13: each evidence id names an evidence revision with that SHA-256."""
    data = os.urandom(1000)
    sha = hashlib.sha256(data).hexdigest()
    worker = org.worker
    revisions = [
        {
            "id": r.revision_id,
            "signed": base64.b64encode(r.signed).decode(),
            "signature": base64.b64encode(r.signature).decode(),
        }
        for r in worker.revisions.since(0, 10_000)
    ]
    contents = BundleContents(
        org_id=ORG, profile_version=1, sequence=1, previous=None, custody_head=None, revisions=revisions,
        blobs=[BlobSource(sha, len(data), [org.field.evidence_id], io.BytesIO(data))],
    )  # fmt: skip
    device = SigningIdentity(worker.sync.signing_key(), worker.device_id)
    path = write_bundle(tmp_path / "other-bytes.fvbundle", contents, device, [org.recipient]).path
    assert refused(org, path) == f"blob:{sha}"


def test_another_organisation_and_a_flipped_byte_are_refused(org: Org) -> None:
    path = org.export()
    with pytest.raises(BundleRejected) as other:
        import_bundle(org.coordinator, path, org.identity, org_id=str(uuid.uuid4()))
    assert other.value.reason == "organisation"
    data = bytearray(path.read_bytes())
    data[-100] ^= 1
    flipped = path.with_name("flipped.fvbundle")
    flipped.write_bytes(bytes(data))
    assert refused(org, flipped) == "payload-hash"


def test_a_fork_is_refused(org: Org, tmp_path: Path) -> None:
    """Two different bundles with the same sequence from one device."""
    first = org.export()
    org.import_(first)
    make_case(org.worker)
    # A second "bundle 1": the worker's vault made again from an older state.
    revision = org.worker.revisions.since(0, 10_000)[-1]
    wire = {
        "id": revision.revision_id,
        "signed": base64.b64encode(revision.signed).decode(),
        "signature": base64.b64encode(revision.signature).decode(),
    }
    contents = BundleContents(
        org_id=ORG, profile_version=1, sequence=1, previous=None, custody_head=None, revisions=[wire]
    )
    device = SigningIdentity(org.worker.sync.signing_key(), org.worker.device_id)
    fork = write_bundle(tmp_path / "fork.fvbundle", contents, device, [org.recipient]).path
    assert refused(org, fork) == "fork"


def test_a_bundle_that_skips_its_predecessor_in_the_chain_is_refused(org: Org, tmp_path: Path) -> None:
    org.import_(org.export())
    contents = BundleContents(org_id=ORG, profile_version=1, sequence=2, previous="0" * 64, custody_head=None)
    device = SigningIdentity(org.worker.sync.signing_key(), org.worker.device_id)
    path = write_bundle(tmp_path / "cut.fvbundle", contents, device, [org.recipient]).path
    assert refused(org, path) == "chain"


def test_a_cancelled_import_leaves_nothing_and_a_cancelled_export_no_file(org: Org) -> None:
    cancel = CancelToken()
    cancel.cancel()
    with pytest.raises(BundleCancelled):
        export_bundle(org.worker, org.out, [org.recipient], ORG, 1, cancel=cancel)
    assert list(org.out.iterdir()) == [] and org.worker.sync.outgoing().bundle_sequence == 0

    path = org.export()
    before, files = counts(org.coordinator), blob_files(org.coordinator)
    token = CancelToken()

    def stop(done: int, total: int) -> None:
        if done > total // 2:
            token.cancel()

    with pytest.raises(BundleCancelled):
        import_bundle(org.coordinator, path, org.identity, org_id=ORG, progress=stop, cancel=token)
    assert counts(org.coordinator) == before and blob_files(org.coordinator) == files
    assert org.import_(path).replay is False


def test_a_large_evidence_file_spanning_segments_arrives_whole(tmp_path: Path) -> None:
    """Blob bytes are pushed into the vault in pieces: sizes around the 1 MiB
    segment (an exact multiple has no empty last segment)."""
    org = make_org(tmp_path)
    try:
        case = make_case(org.worker)
        sizes = [1 << 20, (2 << 20) + 7, 0]
        items = {}
        for n, size in enumerate(sizes):
            source = tmp_path / f"file{n}.bin"
            source.write_bytes(os.urandom(size))
            items[org.worker.evidence.ingest(source, case.id).item.id] = source.read_bytes()
        org.import_(org.export())
        for evidence_id, data in items.items():
            dest = tmp_path / f"out-{evidence_id}"
            org.coordinator.evidence.export(evidence_id, dest)
            assert dest.read_bytes() == data
        assert org.coordinator.verify().ok
    finally:
        org.worker.lock()
        org.coordinator.lock()


def test_the_bundle_file_names_no_content(org: Org) -> None:
    path = org.export()
    header = json.loads(path.read_bytes()[24 : 24 + int.from_bytes(path.read_bytes()[20:24], "big")])
    assert header["device_id"] == org.worker.device_id and header["org_id"] == ORG
    assert org.field.sha256.encode() not in path.read_bytes()


def test_custody_events_of_another_device_inside_a_bundle_are_refused(org: Org, tmp_path: Path) -> None:
    """§5.12: a bundle anchors its sender's own chain. Events of another
    enrolled device, carried in a bundle the sender signed, are refused
    (they would be attributed to a bundle that cannot anchor them)."""
    other = record_field_work(tmp_path / "other", tmp_path)
    try:
        org.coordinator.sync.put_device(device_of(other.vault))
        theirs, own = other.custody(), org.field.custody()
        contents = BundleContents(
            org_id=ORG,
            profile_version=1,
            sequence=1,
            previous=None,
            custody_head=own[-1]["hash"],  # the sender's own head: only the borrowed events are wrong
            revisions=org.field.revisions(),
            custody=[*theirs, *own],
            blobs=[
                BlobSource(
                    org.field.sha256, len(org.field.data), [org.field.evidence_id], io.BytesIO(org.field.data)
                )
            ],
        )
        device = SigningIdentity(org.worker.sync.signing_key(), org.worker.device_id)
        path = write_bundle(tmp_path / "borrowed.fvbundle", contents, device, [org.recipient]).path
        assert refused(org, path) == f"custody:{theirs[0]['hash']}"
    finally:
        other.vault.lock()


def test_an_unknown_sender_is_named_before_the_payload_is_read(tmp_path: Path) -> None:
    """§5's order: the device (5) before the payload hash (7); the importer
    reads only the header of a bundle it will not take."""
    org = make_org(tmp_path, worker_status="unknown")
    try:
        path = org.export()
        data = bytearray(path.read_bytes())
        data[-100] ^= 1
        path.write_bytes(bytes(data))
        assert refused(org, path) == "device-unknown"
    finally:
        org.worker.lock()
        org.coordinator.lock()
