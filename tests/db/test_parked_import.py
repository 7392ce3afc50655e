"""The import unit's side of parked revisions (issue 14; db/parked.py,
db/sync_import.py): what waits, what a later import decides, and which
local sequence numbers the revisions take.

Real vaults and real signed revisions fed to ``vault.sync.begin_import()``
as sync/bundle/vault_io.py feeds a desk's bundle (``withhold``: the
devices the newest profile revokes)."""

from __future__ import annotations

import hashlib
import io

import pyrage
import pytest
from sqlalchemy import text

from db import parked as parked_module
from db.device import DeviceIdentity
from db.entities import EvidenceItem
from db.hlc import Timestamp
from db.parked import parked_revision_count
from db.revisions import Revision, create_revision
from db.sync_state import Device
from db.vault import Vault
from db.withheld import withheld_revision_ids
from tests.db.parked_helpers import case_revision

REVOKED = DeviceIdentity.generate()


def _import(
    vault: Vault, revisions: list[Revision], *, lenient: bool = True
) -> tuple[list[str], tuple[int, int] | None]:
    """One import of ``revisions`` in this order; (parked, the run of numbers read before its end)."""
    with vault.sync.begin_import() as unit:
        unit.add_revisions(
            [rev.to_wire() for rev in revisions], withhold={REVOKED.device_id} if lenient else ()
        )
        unit.settle_revisions()
        return unit.summary.parked_revisions, unit.stored_revision_seqs()


def _seqs(vault: Vault) -> dict[str, int]:
    return {r.revision_id: r.local_seq for r in vault.revisions.since(0, 100)}


def _chain(signer: DeviceIdentity, own: DeviceIdentity) -> tuple[Revision, Revision, Revision]:
    parent = case_revision(signer, 0, [])
    child = case_revision(own, 1, [parent.revision_id])
    return parent, child, case_revision(own, 2, [child.revision_id])


def test_parked_revisions_take_their_numbers_after_the_run_of_the_import_storing_their_parent(
    vault: Vault,
) -> None:
    parent, child, grandchild = _chain(vault.services.context.identity, vault.services.context.identity)
    parked, run = _import(vault, [grandchild, child])
    assert sorted(parked) == sorted([child.revision_id, grandchild.revision_id]) and run is None
    assert parked_revision_count(vault) == 2 and _seqs(vault) == {}
    assert vault.verify().ok  # parked: noted, not a fault

    assert _import(vault, [child]) == ([], None)  # known while parked: a no-op
    # The parent in a field worker's bundle (no withhold): stored, then the two after its run.
    parked, run = _import(vault, [parent], lenient=False)
    seqs = _seqs(vault)
    assert run == (seqs[parent.revision_id], seqs[parent.revision_id])  # what came with that bundle
    assert seqs[parent.revision_id] < seqs[child.revision_id] < seqs[grandchild.revision_id]
    assert parked_revision_count(vault) == 0
    assert vault.verify().ok


def test_a_parent_later_in_the_same_bundle_stores_the_chain_in_its_run(vault: Vault) -> None:
    parent, child, grandchild = _chain(vault.services.context.identity, vault.services.context.identity)
    parked, run = _import(vault, [grandchild, child, parent])
    assert parked == [] and parked_revision_count(vault) == 0
    seqs = _seqs(vault)
    assert run == (min(seqs.values()), max(seqs.values())) and len(seqs) == 3


def test_a_parent_left_out_by_a_later_import_leaves_the_parked_chain_out(vault: Vault) -> None:
    parent, child, grandchild = _chain(REVOKED, vault.services.context.identity)
    _import(vault, [grandchild, child])
    with vault.sync.begin_import() as unit:
        unit.add_revisions([parent.to_wire()], withhold={REVOKED.device_id})
        unit.settle_revisions()
        left_out = set(unit.summary.withheld_revisions)
    # The parent at once; its parked descendants at the import's end (after the summary was read).
    assert parent.revision_id in left_out
    assert withheld_revision_ids(vault) == {parent.revision_id, child.revision_id, grandchild.revision_id}
    assert parked_revision_count(vault) == 0 and _seqs(vault) == {}
    assert vault.verify().ok
    # Arriving again, the edits are left out at once (their parent is kept as left out).
    assert _import(vault, [child]) == ([], None)
    assert _seqs(vault) == {}


# -- evidence bytes of parked items (review 13 F2) ----------------------------------------

PHOTO = b"the same photograph, taken in twice" * 50
PHOTO_SHA256 = hashlib.sha256(PHOTO).hexdigest()
CASE_ID = "0190f3a0-0000-7000-8000-0000000000cc"


def _evidence(identity: DeviceIdentity, entity_id: str, n: int, parents: list[str]) -> Revision:
    return create_revision(
        identity,
        entity_id=entity_id,
        entity_type="evidence",
        op="put",
        body=EvidenceItem(
            case_id=CASE_ID, original_name=f"photo {n}.jpg", sha256=PHOTO_SHA256, size=len(PHOTO)
        ).body(),
        parents=parents,
        hlc=Timestamp(1_700_000_000_000, n),
    )


def _bytes_of(vault: Vault, evidence_id: str) -> bytes:
    with vault.evidence.open(evidence_id) as reader:
        return reader.read()


def test_bytes_kept_for_a_parked_item_stay_for_another_item_of_the_import_leaving_it_out(
    vault: Vault,
) -> None:
    """Import A parks the desk's edit of the revoked worker's item and keeps
    its bytes; import B leaves the worker's creation out (so the edit too)
    and stores the desk's own item with the same bytes, not carried again.
    Before: the left-out edit dropped the bytes' row, its only key, and B
    was refused (blob-rejected: the item arrived without its file)."""
    own = vault.services.context.identity
    workers = _evidence(REVOKED, "0190f3a0-0000-7000-8000-0000000000d2", 0, [])
    edit = _evidence(own, workers.entity_id, 1, [workers.revision_id])
    desks = _evidence(own, "0190f3a0-0000-7000-8000-0000000000d1", 2, [])
    with vault.sync.begin_import() as unit:
        unit.add_revisions([edit.to_wire()], withhold={REVOKED.device_id})
        unit.settle_revisions()
        unit.add_blob(PHOTO_SHA256, len(PHOTO), io.BytesIO(PHOTO), [workers.entity_id])
    assert parked_revision_count(vault) == 1

    with vault.sync.begin_import() as unit:  # must not raise
        unit.add_revisions([workers.to_wire(), desks.to_wire()], withhold={REVOKED.device_id})
        unit.settle_revisions()
    assert withheld_revision_ids(vault) == {workers.revision_id, edit.revision_id}
    assert _bytes_of(vault, desks.entity_id) == PHOTO
    report = vault.verify()
    assert report.ok, report.problems


def test_bytes_of_a_left_out_parked_item_keep_their_key_and_verify_notes_them(vault: Vault) -> None:
    """Nothing else names the bytes: they stay, readable by a later item
    with them, and verify says so as a notice (before: the row went)."""
    own = vault.services.context.identity
    workers = _evidence(REVOKED, "0190f3a0-0000-7000-8000-0000000000d2", 0, [])
    edit = _evidence(own, workers.entity_id, 1, [workers.revision_id])
    with vault.sync.begin_import() as unit:
        unit.add_revisions([edit.to_wire()], withhold={REVOKED.device_id})
        unit.settle_revisions()
        unit.add_blob(PHOTO_SHA256, len(PHOTO), io.BytesIO(PHOTO), [workers.entity_id])
    _import(vault, [workers])
    assert withheld_revision_ids(vault) == {workers.revision_id, edit.revision_id}
    report = vault.verify()
    assert report.ok, report.problems
    assert any("no item names" in p.detail for p in report.notices)
    later = _evidence(own, "0190f3a0-0000-7000-8000-0000000000d3", 3, [])
    with vault.sync.begin_import() as unit:  # the bytes are here: an item naming them takes them
        unit.add_revisions([later.to_wire()])
    assert _bytes_of(vault, later.entity_id) == PHOTO
    assert vault.verify().ok


def test_a_revision_held_already_is_never_parked_nor_kept_as_left_out(vault: Vault) -> None:
    """Review 13 F4: the desk's edit stored before any revocation (without
    its parent) arrives again in a later bundle while a device is revoked,
    then the revoked worker's creation is left out. Before: the edit was
    parked ("set aside") and then kept as left out while stored."""
    parent, child, _grandchild = _chain(REVOKED, vault.services.context.identity)
    _import(vault, [child], lenient=False)  # stored, parent missing (the old general path)
    parked, _run = _import(vault, [child])
    assert parked == [] and parked_revision_count(vault) == 0
    _import(vault, [parent])
    assert withheld_revision_ids(vault) == {parent.revision_id}
    assert child.revision_id in _seqs(vault)


def test_a_damaged_parked_row_stays_parked_and_refuses_nothing(vault: Vault) -> None:
    """Review 13 F7: a parked row that no longer verifies. Before: verify
    said nothing, and every import bringing its parent raised a bare
    RevisionRejected naming a revision not in that bundle (ending a pull).
    Now the parent is stored, the row stays parked (listed by the import
    and by verify as a problem), and its parked child waits with it."""
    parent, child, grandchild = _chain(vault.services.context.identity, vault.services.context.identity)
    _import(vault, [grandchild, child])
    with vault.services.context.write_transaction("damage the row") as session:
        session.execute(
            text("UPDATE parked_revisions SET signature = zeroblob(64) WHERE revision_id = :id"),
            {"id": child.revision_id},
        )
    report = vault.verify()
    assert [p.subject for p in report.problems] == [child.revision_id]
    with vault.sync.begin_import() as unit:
        unit.add_revisions([parent.to_wire()])
        unit.settle_revisions()
    assert unit.summary.damaged_parked == [child.revision_id]
    assert set(_seqs(vault)) == {parent.revision_id}
    assert parked_revision_count(vault) == 2
    assert [p.subject for p in vault.verify().problems] == [child.revision_id]


def test_past_the_bound_per_signer_revisions_are_left_out_neither_stored_nor_parked(
    vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review 13 F3: parked rows had no bound. Past PARKED_CAP per signer
    (3 here) the import leaves them out as past the cap and lists them
    (review 14 F1: before, it stored them without their parents)."""
    monkeypatch.setattr(parked_module, "PARKED_CAP", 3)
    own = vault.services.context.identity
    orphans = [case_revision(own, n, [f"{n:064x}"]) for n in range(1, 6)]
    with vault.sync.begin_import() as unit:
        unit.add_revisions([rev.to_wire() for rev in orphans], withhold={REVOKED.device_id})
        unit.settle_revisions()
    assert len(unit.summary.parked_revisions) == 3 and parked_revision_count(vault) == 3
    assert len(unit.summary.past_parked_cap) == 2 and _seqs(vault) == {}
    assert withheld_revision_ids(vault) == set(unit.summary.past_parked_cap)
    assert unit.summary.withheld_revisions == []  # not counted as a revocation's
    assert vault.verify().ok


def test_a_parked_row_whose_links_were_changed_is_not_stored(vault: Vault) -> None:
    """The walk follows the parent links; a revision whose stored links are
    not the parents it signs (the row damaged) is kept parked, never stored
    before its real parent."""
    parent, child, grandchild = _chain(vault.services.context.identity, vault.services.context.identity)
    other = case_revision(vault.services.context.identity, 9, [])
    _import(vault, [grandchild, child])
    with vault.services.context.write_transaction("damage the links") as session:
        session.execute(
            text("UPDATE parked_revision_parents SET parent_id = :other WHERE revision_id = :id"),
            {"other": other.revision_id, "id": grandchild.revision_id},
        )
    with vault.sync.begin_import() as unit:
        unit.add_revisions([other.to_wire(), parent.to_wire()])
    assert unit.summary.damaged_parked == [grandchild.revision_id]
    assert set(_seqs(vault)) == {parent.revision_id, other.revision_id, child.revision_id}
    assert grandchild.revision_id in [p.subject for p in vault.verify().problems]


def test_parked_revisions_of_a_device_revoked_since_are_left_out_by_the_next_desk_bundle(
    vault: Vault,
) -> None:
    """Review 13 F3: a known worker's revision, relayed by a desk, parks
    (its parent invented or never coming); the worker is revoked later.
    Before, it stayed parked for good (left out only once its parents
    came). Now the next desk's bundle read with the worker withheld leaves
    it out, with its parked descendants."""
    worker = DeviceIdentity.generate()
    recipient = str(pyrage.x25519.Identity.generate().to_public())
    vault.sync.put_device(Device(worker.device_id, worker.public_key, recipient, "enrolled"))
    missing = case_revision(REVOKED, 0, [])
    orphan = case_revision(worker, 1, [missing.revision_id])
    edit = case_revision(vault.services.context.identity, 2, [orphan.revision_id])
    _import(vault, [edit, orphan])
    assert parked_revision_count(vault) == 2
    vault.sync.put_device(Device(worker.device_id, worker.public_key, recipient, "revoked"))
    unrelated = case_revision(vault.services.context.identity, 3, [])
    with vault.sync.begin_import() as unit:
        unit.add_revisions([unrelated.to_wire()], withhold={REVOKED.device_id, worker.device_id})
        unit.settle_revisions()
    assert parked_revision_count(vault) == 0
    assert withheld_revision_ids(vault) == {orphan.revision_id, edit.revision_id}
    assert set(unit.summary.withheld_revisions) == {orphan.revision_id, edit.revision_id}
    assert vault.verify().ok
