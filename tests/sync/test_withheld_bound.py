"""What a revoked device's refused bundles can leave in a coordinator's
vault is bounded, attributed and trusted for revision ids only (issue 14,
review 12 F1; docs/sync.md §2.3, docs/threat-model.md).

A seized laptop keeps its device key after the revocation: it can sign any
number of new revisions, with record ids of its choice, and send them in
any number of bundles. A coordinator refuses each (``device-revoked``) but
reads it, and keeps the ids of what its maker signed in
``withheld_revisions`` (to leave out a desk's later edit of one). Before,
every one was kept, without a source, without a bound, and their record ids
made evidence bytes naming such a record be hashed and dropped. Now:

- each row says it came from a refused bundle, and which (migration 0021);
- at most ``REFUSED_IDS_CAP`` ids per revoked device are kept; the rest is
  counted, logged (ids and counts only) and shown by ``fieldvault devices``;
- such a row no longer makes another worker's evidence bytes be dropped.

Real vaults, real signed revisions and bundles through a folder standing
for a USB stick (tests/sync/desk_world.py)."""

from __future__ import annotations

import io
import logging
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from db.api import Vault, withheld_revision_ids
from db.device import DeviceIdentity as RevisionSigner
from db.hlc import Timestamp
from db.model import RefusedBundleRead, WithheldRevision
from db.revisions import create_revision
from db.withheld import REFUSED_IDS_CAP
from fieldvault.bundle_cli import _human as bundle_line
from fieldvault.bundle_cli import _refused_row
from fieldvault.devices_cli import _human
from sync.bundle import BlobSource, BundleRejected
from sync.bundle.reader import check_header
from sync.bundle.vault_io import import_bundle
from sync.merge.devices import devices_view
from tests.sync.desk_world import UsbDesks, assert_verified, signed_by, usb_desks

__all__ = ["usb_desks"]  # the fixture

CAP = 40  # REFUSED_IDS_CAP in these tests, so that a bundle past it stays small


def _signer(vault: Vault) -> RevisionSigner:
    return vault.services.context.identity


def _revisions(
    vault: Vault, count: int, *, entity_id: str | None = None, first: int = 0
) -> list[dict[str, Any]]:
    """``count`` new case revisions ``vault``'s device key signs (as a seized
    laptop can after its revocation), each of a record id of its choice."""
    signer = _signer(vault)
    return [
        create_revision(
            signer,
            entity_id=entity_id or str(uuid.uuid4()),
            entity_type="case",
            op="put",
            body={"title": f"made after the seizure {n}", "description": "", "notes": ""},
            parents=[],
            hlc=Timestamp(1_800_000_000_000 + n, 0),
        ).to_wire()
        for n in range(first, first + count)
    ]


def _bundle(
    sender: Vault,
    desks: UsbDesks,
    dest: Path,
    revisions: list[dict[str, Any]],
    blobs: list[BlobSource] | None = None,
    *,
    sequence: int | None = None,
) -> Path:
    """A bundle ``sender``'s own key signs, to the coordinators Lviv knows."""
    return signed_by(sender, desks, dest, revisions=revisions, blobs=blobs or [], sequence=sequence)


def _refused(desks: UsbDesks, path: Path) -> BundleRejected:
    with pytest.raises(BundleRejected) as refused:
        import_bundle(desks.lviv, path, desks.lviv.vault_keys.age_identity(), org_id=desks.org.org_id)
    assert refused.value.kind == "device-revoked"
    return refused.value


def _rows(vault: Vault) -> list[tuple[str, str, str, str | None]]:
    with vault.services.context.sessions() as session:
        return [
            (r.revision_id, r.device_id, r.learned, r.bundle_id)
            for r in session.scalars(select(WithheldRevision))
        ]


def _reads(vault: Vault) -> dict[str, tuple[str, int, int]]:
    with vault.services.context.sessions() as session:
        return {
            r.bundle_id: (r.device_id, r.kept, r.not_kept) for r in session.scalars(select(RefusedBundleRead))
        }


def test_a_seized_devices_refused_bundles_keep_at_most_the_cap_and_say_so(
    usb_desks: UsbDesks, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    desks = usb_desks
    monkeypatch.setattr("db.withheld.REFUSED_IDS_CAP", CAP)
    seized = desks.worker("seized").vault
    desks.revoke(seized.device_id)

    # Bundle 1: 30 ids, under the cap: all kept, each attributed to the bundle.
    first = _bundle(seized, desks, desks.tmp_path / "one", _revisions(seized, 30), sequence=1)
    _refused(desks, first)
    first_id = check_header(first).bundle_id
    rows = _rows(desks.lviv)
    assert len(rows) == 30
    assert {(device, learned, bundle) for _rid, device, learned, bundle in rows} == {
        (seized.device_id, "refused-bundle", first_id)
    }
    assert _reads(desks.lviv) == {first_id: (seized.device_id, 30, 0)}

    # Bundle 2 (a new bundle id, as a seized device can make at will): 25 more,
    # only 10 fit. Before: all 55 kept, nothing said.
    caplog.set_level(logging.WARNING, logger="sync.bundle.vault_io")
    second = _bundle(seized, desks, desks.tmp_path / "two", _revisions(seized, 25, first=100), sequence=1)
    refusal = _refused(desks, second)
    second_id = check_header(second).bundle_id
    assert len(withheld_revision_ids(desks.lviv)) == CAP
    assert _reads(desks.lviv)[second_id] == (seized.device_id, 10, 15)
    [warning] = [r for r in caplog.records if second_id in r.getMessage()]
    assert seized.device_id in warning.getMessage() and "15 not kept" in warning.getMessage()
    assert "seizure" not in caplog.text  # ids and counts, never a record's content
    # bundle import says it too (--json and the plain line).
    assert refusal.refused_read == (10, 15)
    row = _refused_row(second, refusal)
    assert (row["refused_ids_kept"], row["refused_ids_not_kept"]) == (10, 15)
    assert "10 revision id(s) its revoked maker signed kept as left out; 15 NOT KEPT" in bundle_line(row)

    # Bundle 3, far past the cap: nothing kept, every one counted (unchecked).
    caplog.clear()
    third = _bundle(seized, desks, desks.tmp_path / "three", _revisions(seized, 60, first=200), sequence=1)
    _refused(desks, third)
    third_id = check_header(third).bundle_id
    assert len(withheld_revision_ids(desks.lviv)) == CAP
    assert _reads(desks.lviv)[third_id] == (seized.device_id, 0, 60)

    # Read again: refused from its header, nothing recounted, nothing said.
    again = _refused(desks, third)
    assert again.refused_read is None and "refused_ids_kept" not in _refused_row(third, again)
    assert _reads(desks.lviv)[third_id] == (seized.device_id, 0, 60)

    # fieldvault devices says it, per device.
    [device] = [r for r in devices_view(desks.lviv) if r.device_id == seized.device_id]
    assert (device.refused_bundles_read, device.refused_ids_kept, device.refused_ids_not_kept) == (3, CAP, 75)
    assert device.to_json()["refused_ids_not_kept"] == 75
    shown = _human(device)
    assert "refused bundles read: 3" in shown and f"kept from them as left out: {CAP}" in shown
    assert "NOT KEPT: 75" in shown
    assert_verified(desks.lviv)


def test_the_cap_is_per_device(usb_desks: UsbDesks, monkeypatch: pytest.MonkeyPatch) -> None:
    """One seized device filling its room leaves another revoked device's."""
    desks = usb_desks
    monkeypatch.setattr("db.withheld.REFUSED_IDS_CAP", CAP)
    one, two = desks.worker("one").vault, desks.worker("two").vault
    desks.revoke(one.device_id)
    desks.revoke(two.device_id)
    _refused(desks, _bundle(one, desks, desks.tmp_path / "one", _revisions(one, CAP + 5), sequence=1))
    _refused(desks, _bundle(two, desks, desks.tmp_path / "two", _revisions(two, 7), sequence=1))
    signers = [device for _rid, device, _learned, _bundle in _rows(desks.lviv)]
    assert signers.count(one.device_id) == CAP and signers.count(two.device_id) == 7


def test_a_refused_bundle_naming_another_workers_item_does_not_drop_its_bytes(usb_desks: UsbDesks) -> None:
    """The seized device signs a revision of the record id of an honest
    worker's evidence item (known from before its seizure). Kyiv's bundle
    carrying that item's bytes then reaches Lviv before the bundle with the
    item's revision (USB imports in any order). Before, Lviv took it and
    dropped the bytes (hashed, not stored; the bundle counted as received),
    so the item's revision, arriving later, would never get its file. Now
    the bytes are checked as any others: refused (``bundle-blob``: no such
    item here yet, nothing recorded) and taken with the item."""
    desks = usb_desks
    honest = desks.worker("honest")
    desks.org.import_(desks.org.export(honest.vault).path)  # Kyiv holds the item and its bytes
    seized = desks.worker("seized").vault
    desks.revoke(seized.device_id)

    poison = _revisions(seized, 1, entity_id=honest.evidence_id)
    refused = _bundle(seized, desks, desks.tmp_path / "seized", poison, sequence=1)
    _refused(desks, refused)
    assert _rows(desks.lviv) == [
        (poison[0]["id"], seized.device_id, "refused-bundle", check_header(refused).bundle_id)
    ]

    data = honest.data
    bytes_only = _bundle(
        desks.kyiv,
        desks,
        desks.tmp_path / "bytes",
        [],
        [BlobSource(honest.sha256, len(data), (honest.evidence_id,), io.BytesIO(data))],
    )
    with pytest.raises(BundleRejected) as taken_apart:
        desks.to_lviv(bytes_only)  # before: imported, blobs == 0, the bytes gone
    assert taken_apart.value.kind == "blob"
    assert desks.lviv.sync.received_bundle(check_header(bytes_only).bundle_id) is None

    # Kyiv's own bundle brings the item with its bytes: stored whole.
    imported = desks.to_lviv(desks.kyiv_bundle())
    assert imported.blobs == 1
    assert desks.lviv.evidence.get(honest.evidence_id).sha256 == honest.sha256
    with desks.lviv.sync.open_blob(honest.sha256) as reader:
        assert reader.read() == data
    assert_verified(desks.lviv)


def test_an_id_a_desks_bundle_also_left_out_counts_again_for_the_bytes(usb_desks: UsbDesks) -> None:
    """The other order of test_desk_revoked_after_upload's bytes test: Lviv
    reads the revoked worker's refused bundle first (its ids kept, from the
    worker's word alone), then Kyiv's bundle made before the revocation,
    carrying the same revisions, which the import leaves out. Those rows
    are then an import's, not only the refused bundle's: a later bundle of
    Kyiv's carrying the worker's evidence bytes is taken, the bytes hashed
    and not stored (not refused as ``bundle-blob``, which through the server
    would refuse Kyiv's later bundles for good)."""
    desks = usb_desks
    field = desks.worker("field")
    workers_bundle = desks.org.export(field.vault).path
    desks.org.import_(workers_bundle)
    stale = desks.org.export(desks.kyiv)  # the worker's revisions and bytes
    desks.revoke(field.vault.device_id)

    _refused(desks, workers_bundle)
    assert {learned for _rid, _device, learned, _bundle in _rows(desks.lviv)} == {"refused-bundle"}
    taken = desks.to_lviv(stale.path)
    assert taken.withheld_revisions == ()  # kept before: not reported again
    assert {(learned, bundle) for _rid, _device, learned, bundle in _rows(desks.lviv)} == {("left-out", None)}

    data = field.data
    blob = BlobSource(field.sha256, len(data), (field.evidence_id,), io.BytesIO(data))
    later = desks.to_lviv(_bundle(desks.kyiv, desks, desks.tmp_path / "bytes", [], [blob]))
    assert later.blobs == 0
    assert desks.lviv.sync.received_bundle(later.bundle_id) is not None
    assert_verified(desks.lviv)


@pytest.mark.stress  # 20,003 signed revisions made, bundled and checked: 10-18 s, so `make stress` only;
# the tests above check the same logic with the cap patched to 40
def test_at_the_real_cap_a_refused_bundle_keeps_the_cap_and_counts_the_rest(usb_desks: UsbDesks) -> None:
    """REFUSED_IDS_CAP as shipped: one refused bundle carrying 3 more of
    its maker's revisions than the cap keeps exactly the cap."""
    desks = usb_desks
    seized = desks.worker("seized").vault
    desks.revoke(seized.device_id)
    path = _bundle(seized, desks, desks.tmp_path / "big", _revisions(seized, REFUSED_IDS_CAP + 3), sequence=1)
    _refused(desks, path)
    assert len(withheld_revision_ids(desks.lviv)) == REFUSED_IDS_CAP
    assert _reads(desks.lviv) == {check_header(path).bundle_id: (seized.device_id, REFUSED_IDS_CAP, 3)}
