"""Evidence bytes for an item whose only revision here is parked (issue 14;
docs/sync.md §2.3, db/parked.py).

Kyiv imports a field worker's bundle by USB and edits the worker's evidence
item; a bundle signed by Kyiv carries that edit and the item's bytes, not
the worker's revisions. Lviv, holding a profile that revokes some device,
reads it first: the edit is parked (its parent is neither here nor left
out). Before, the bytes were refused (``bundle-blob``: no such evidence item
here), and with them the whole bundle. Now they are stored and wait with the
edit: when the worker's own bundle brings the item, the edit is stored and
the item holds its bytes; when the worker is the one revoked, its refused
bundle leaves the edit out, the bytes stay with their key (``verify`` notes them), and
``verify`` is clean either way.

Real vaults and bundles; a folder stands for the USB stick."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import text

from db.api import Vault, withheld_revision_ids
from db.parked import parked_revision_count
from sync.bundle import BlobSource, BundleRejected
from tests.db.sync_fixtures import FieldWork
from tests.sync.desk_world import (
    UsbDesks,
    assert_verified,
    know_worker,
    kyivs_edit_alone,
    stored_bytes,
    usb_desks,
)

__all__ = ["usb_desks"]  # the fixture


def kyivs_edit_by_usb(desks: UsbDesks, *, revoke_the_worker: bool) -> tuple[FieldWork, str, Path, Path]:
    """The worker's bundle (Kyiv imports it), Kyiv's edit of its evidence
    item, a revocation Lviv takes (the worker's, or a bystander's), and a
    bundle of Kyiv's to Lviv carrying the edit and the item's bytes alone.
    (the worker's work, the edit, the worker's bundle, Kyiv's bundle)"""
    field, bystander = desks.worker("field"), desks.worker("bystander")
    know_worker(desks.lviv, field.vault)  # Lviv holds the worker's card
    workers_bundle = desks.org.export(field.vault).path
    desks.org.import_(workers_bundle)
    edit = desks.kyiv.evidence.edit(field.evidence_id, description="seen at the Kyiv desk").revision
    desks.revoke((field if revoke_the_worker else bystander).vault.device_id)

    blob = BlobSource(field.sha256, len(field.data), (field.evidence_id,), io.BytesIO(field.data))
    kyivs = kyivs_edit_alone(desks.kyiv, desks.lviv, edit, desks.tmp_path / "kyiv-stick", [blob])
    return field, edit, workers_bundle, kyivs


def _kyivs_edit_with_the_bytes(desks: UsbDesks, *, revoke_the_worker: bool) -> tuple[FieldWork, str, Path]:
    """Lviv imports Kyiv's bundle of ``kyivs_edit_by_usb``: the edit waits,
    the bytes are kept. (the worker's work, the edit, the worker's bundle)"""
    field, edit, workers_bundle, kyivs = kyivs_edit_by_usb(desks, revoke_the_worker=revoke_the_worker)
    taken = desks.to_lviv(kyivs)  # before: BundleRejected blob, nothing applied
    assert taken.revisions == 0 and taken.withheld_revisions == () and taken.parked_revisions == (edit,)
    assert taken.blobs == 1 and taken.evidence_attached == ()
    assert parked_revision_count(desks.lviv) == 1
    assert stored_bytes(desks.lviv, field.data) == field.data  # kept, waiting with the edit
    report = desks.lviv.verify()
    assert report.ok, report.problems
    assert any("wait for their parents" in p.detail for p in report.notices)
    return field, edit, workers_bundle


def _evidence_ids(vault: Vault) -> set[str]:
    return {item.id for item in vault.evidence.list()}


def test_bytes_of_a_parked_item_are_kept_and_attached_when_it_is_stored(usb_desks: UsbDesks) -> None:
    desks = usb_desks
    field, edit, workers_bundle = _kyivs_edit_with_the_bytes(desks, revoke_the_worker=False)
    taken = desks.to_lviv(workers_bundle)  # the parent arrives: the edit is stored after it
    # The result says so (review 13 F6: before, it was built before the import's end).
    assert taken.unparked_revisions == (edit,) and taken.damaged_parked == ()
    assert parked_revision_count(desks.lviv) == 0
    assert desks.lviv.evidence.get(field.evidence_id).description == "seen at the Kyiv desk"
    assert edit in {r.revision_id for r in desks.lviv.revisions.all()}
    assert stored_bytes(desks.lviv, field.data) == field.data
    assert_verified(desks.lviv)


def test_bytes_of_a_parked_item_left_out_are_kept_with_their_key(usb_desks: UsbDesks) -> None:
    """Review 13 F2: the bytes' row holds the file's only wrapped key; it
    stays (readable, noted by verify), never dropped."""
    desks = usb_desks
    field, edit, workers_bundle = _kyivs_edit_with_the_bytes(desks, revoke_the_worker=True)
    with pytest.raises(BundleRejected) as refused:
        desks.to_lviv(workers_bundle)
    assert refused.value.kind == "device-revoked"
    assert parked_revision_count(desks.lviv) == 0
    assert edit in withheld_revision_ids(desks.lviv)
    assert field.evidence_id not in _evidence_ids(desks.lviv)
    assert stored_bytes(desks.lviv, field.data) == field.data
    report = desks.lviv.verify()
    assert report.ok, report.problems
    assert any("no item names" in p.detail for p in report.notices)


def test_a_damaged_parked_row_refuses_nothing_through_a_real_import(usb_desks: UsbDesks) -> None:
    """Review 13 F7: the parked edit's row is damaged; the worker's bundle,
    which brings its parent, is imported (before: a bare RevisionRejected
    escaped import_bundle, which ends a pull, every round). The edit stays
    parked, the result and verify name it."""
    desks = usb_desks
    field, edit, workers_bundle = _kyivs_edit_with_the_bytes(desks, revoke_the_worker=False)
    with desks.lviv.services.context.write_transaction("damage the row") as session:
        session.execute(
            text("UPDATE parked_revisions SET signature = zeroblob(64) WHERE revision_id = :id"), {"id": edit}
        )
    taken = desks.to_lviv(workers_bundle)
    assert taken.damaged_parked == (edit,) and taken.revisions > 0
    assert parked_revision_count(desks.lviv) == 1
    assert desks.lviv.evidence.get(field.evidence_id).description != "seen at the Kyiv desk"
    assert [p.subject for p in desks.lviv.verify().problems] == [edit]
