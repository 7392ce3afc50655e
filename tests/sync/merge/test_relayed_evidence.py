"""An evidence item relayed by another device (it holds the record, not the
file) is merged whatever the order; the sender's own item must still bring
its file (db/sync_import.py, VaultImport._finish). Found by
test_merge_union.py: a bundle relaying a first device's evidence was refused
when imported before that device's own bundle, so the merge depended on the
order of import."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import text

from db.api import ImportRejected
from db.device import DeviceIdentity
from db.sync_state import Device
from tests.db.sync_fixtures import FieldWork, field_fixture  # noqa: F401 - the fixture "field"

OWN_BUNDLE = "a" * 64
RELAY_BUNDLE = "b" * 64


def relay_device() -> Device:
    relay = DeviceIdentity.generate()
    return Device(relay.device_id, relay.public_key, "age1example", "enrolled")


def _attached(vault, evidence_id: str) -> bool:
    with vault.services.context.sessions() as session:
        row = session.execute(
            text("SELECT count(*) FROM evidence_blobs WHERE evidence_id = :e"), {"e": evidence_id}
        ).scalar_one()
    return bool(row)


def test_a_relayed_item_is_merged_first_and_gets_its_file_later(vault, field: FieldWork):
    vault.sync.put_device(field.as_device())
    relay = relay_device()
    vault.sync.put_device(relay)
    with vault.sync.begin_import() as unit:  # the relaying device's bundle: records, no file
        unit.add_revisions(field.revisions())
        unit.record_bundle(RELAY_BUNDLE, relay.device_id, 1)
    assert vault.evidence.get(field.evidence_id).sha256 == field.sha256
    assert not _attached(vault, field.evidence_id)
    with vault.sync.begin_import() as unit:  # then the device's own bundle, with the file
        unit.add_revisions(field.revisions())
        unit.add_custody_events(field.custody())
        unit.add_blob(field.sha256, len(field.data), io.BytesIO(field.data), [field.evidence_id])
        unit.record_bundle(OWN_BUNDLE, field.as_device().device_id, 1, field.vault.sync.custody_head())
    assert _attached(vault, field.evidence_id)
    assert vault.verify().ok


def test_the_senders_own_item_without_its_file_is_still_refused(vault, field: FieldWork):
    vault.sync.put_device(field.as_device())
    before = len(vault.revisions.all())
    with pytest.raises(ImportRejected) as refused, vault.sync.begin_import() as unit:
        unit.add_revisions(field.revisions())
        unit.add_custody_events(field.custody())
        unit.record_bundle(OWN_BUNDLE, field.as_device().device_id, 1, field.vault.sync.custody_head())
    assert refused.value.code == "blob-rejected" and refused.value.params == {"sha256": field.sha256}
    assert len(vault.revisions.all()) == before
