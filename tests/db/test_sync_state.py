"""Sync state in the vault (issue 11): the organisation profile, known
devices, this device's bundle sequence and acknowledgements, and reading its
custody events and evidence files by cursor."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from db.device import DeviceIdentity
from db.errors import NotFound, OrgProfileOutdated
from db.sync_state import Device, OrgProfile, OutgoingState
from db.vault import Vault
from tests.db.sync_fixtures import FieldWork, field_fixture  # noqa: F401 - the fixture "field"
from tests.vault_helpers import open_vault

BUNDLE_1 = "1" * 64
BUNDLE_2 = "2" * 64


def a_device(status: str = "enrolled", role: str = "device") -> Device:
    identity = DeviceIdentity.generate()
    return Device(identity.device_id, identity.public_key, "age1recipient", status, role)


def test_an_older_profile_never_replaces_a_newer_one(vault: Vault) -> None:
    assert vault.sync.org_profile() is None
    vault.sync.set_org_profile(OrgProfile(2, b"signed v2"))
    vault.sync.set_org_profile(OrgProfile(2, b"signed v2"))  # the same again: nothing changes
    with pytest.raises(OrgProfileOutdated) as older:
        vault.sync.set_org_profile(OrgProfile(1, b"signed v1"))
    assert older.value.code == "org-profile-outdated" and older.value.params == {"held": 2, "offered": 1}
    with pytest.raises(OrgProfileOutdated):  # same version, other bytes: not a newer profile
        vault.sync.set_org_profile(OrgProfile(2, b"forged v2"))
    assert vault.sync.org_profile() == OrgProfile(2, b"signed v2")
    vault.sync.set_org_profile(OrgProfile(3, b"signed v3"))
    assert vault.sync.org_profile() == OrgProfile(3, b"signed v3")


def test_known_devices_keep_their_key_and_change_status(vault: Vault, vault_dir: Path) -> None:
    worker, coordinator = a_device("pending"), a_device(role="coordinator")
    vault.sync.put_device(worker)
    vault.sync.put_device(coordinator)
    assert vault.sync.devices() == sorted([worker, coordinator], key=lambda d: d.device_id)
    vault.sync.set_device_status(worker.device_id, "enrolled")
    vault.sync.set_device_status(worker.device_id, "revoked")
    # A device id that is not its key's, an unknown status, the vault's own
    # device: a caller's mistake, refused.
    other_key = DeviceIdentity.generate().public_key
    with pytest.raises(ValueError):
        vault.sync.put_device(Device(worker.device_id, other_key, "age1x", "enrolled"))
    with pytest.raises(ValueError):
        vault.sync.put_device(Device(worker.device_id, worker.public_key, "age1x", "trusted"))
    identity = vault.services.context.identity
    with pytest.raises(ValueError):
        vault.sync.put_device(Device(identity.device_id, identity.public_key, "age1x", "enrolled"))
    with pytest.raises(NotFound):
        vault.sync.set_device_status("0" * 32, "enrolled")
    vault.lock()
    vault = open_vault(vault_dir)
    stored = vault.sync.device(worker.device_id)
    assert stored is not None and stored.status == "revoked" and stored.public_key == worker.public_key
    assert stored.last_sequence == 0 and stored.last_bundle_id is None
    vault.lock()


def test_bundle_sequence_follows_on_and_cursors_only_move_forward(vault: Vault, vault_dir: Path) -> None:
    assert vault.sync.outgoing() == OutgoingState(0, None, 0, 0)
    vault.sync.record_bundle_made(1, BUNDLE_1)
    with pytest.raises(ValueError):  # a gap
        vault.sync.record_bundle_made(3, "3" * 64)
    with pytest.raises(ValueError):  # a repeat
        vault.sync.record_bundle_made(1, BUNDLE_2)
    vault.sync.record_bundle_made(2, BUNDLE_2)
    vault.sync.acknowledge(revision_seq=5, custody_seq=3)
    vault.sync.acknowledge(revision_seq=2, custody_seq=1)  # an old receipt late: no step back
    vault.lock()
    vault = open_vault(vault_dir)
    assert vault.sync.outgoing() == OutgoingState(2, BUNDLE_2, 5, 3)
    vault.lock()


def test_custody_events_by_cursor_and_the_chain_head(field: FieldWork) -> None:
    vault = field.vault
    vault.evidence.open(field.evidence_id).close()  # a view: a second event
    events = vault.sync.custody_since()
    assert [e.seq for e in events] == [1, 2]
    assert vault.sync.custody_head() == events[-1].event_hash
    assert [e.seq for e in vault.sync.custody_since(1)] == [2]
    assert vault.sync.custody_since(2) == []
    assert [e.seq for e in vault.sync.custody_since(0, limit=1)] == [1]
    # The wire form is what `fieldvault custody export` prints.
    assert [e.to_wire() for e in events] == vault.evidence.custody_log()
    with pytest.raises(ValueError):
        vault.sync.custody_since(-1)


def test_files_not_acknowledged_are_listed_until_they_are(field: FieldWork, tmp_path: Path) -> None:
    vault = field.vault
    second = tmp_path / "second.bin"
    second.write_bytes(b"second file")
    other = vault.evidence.ingest(second, field.case_id).item
    pending = vault.sync.unacknowledged_blobs()
    assert [(p.sha256, p.evidence_ids) for p in pending] == sorted(
        [(field.sha256, (field.evidence_id,)), (other.sha256, (other.id,))]
    )
    # The bundle writer reads the original bytes, and no view is recorded.
    events_before = vault.sync.custody_since()
    with vault.sync.open_blob(field.sha256) as reader:
        data = reader.read()
    assert hashlib.sha256(data).hexdigest() == field.sha256 and data == field.data
    assert vault.sync.custody_since() == events_before
    vault.sync.acknowledge(blobs=[field.sha256])
    assert [p.sha256 for p in vault.sync.unacknowledged_blobs()] == [other.sha256]
    with pytest.raises(NotFound):
        vault.sync.open_blob("f" * 64)


def test_sent_files_get_a_transfer_event(field: FieldWork) -> None:
    vault = field.vault
    vault.sync.record_transfers([(field.evidence_id, field.sha256)], bundle_id=BUNDLE_1)
    last = vault.evidence.custody(field.evidence_id)[-1]
    assert last.action == "transfer" and last.details == {"direction": "sent", "bundle": BUNDLE_1}
    assert vault.verify().ok
