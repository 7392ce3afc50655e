"""A coordinator sets parked revisions aside, and moves to quarantine the
files only left-out revisions name (issue 14, review 14 F1/F2;
db/parked_set_aside.py, docs/sync.md §2.3).

Real vaults and real signed revisions fed to ``vault.sync.begin_import()``
as a desk's bundle is (``withhold``), with the helpers of
tests/db/test_parked_import.py."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pyrage
import pytest
from sqlalchemy import select, update

from db.device import DeviceIdentity
from db.keyring_store import NoKeyring
from db.model import Blob, CoordinatorDecision, WithheldRevision
from db.parked import parked_revision_count
from db.parked_set_aside import (
    QUARANTINE_ACTION,
    SET_ASIDE,
    SET_ASIDE_ACTION,
    left_out_files,
    quarantine_left_out_files,
    set_aside_parked,
    set_aside_plan,
)
from db.revisions import Revision
from db.revocation_impact import revocation_impact
from db.sync_state import Device
from db.vault import Vault
from db.withheld import withheld_revision_ids
from tests.db.parked_helpers import ENTITY, case_revision
from tests.db.test_parked_import import (
    PHOTO,
    PHOTO_SHA256,
    REVOKED,
    _bytes_of,
    _evidence,
    _import,
    _seqs,
)
from tests.vault_helpers import PASSPHRASE


def _learned(vault: Vault) -> dict[str, str]:
    with vault.services.context.sessions() as session:
        return dict(session.execute(select(WithheldRevision.revision_id, WithheldRevision.learned)).all())


def _decisions(vault: Vault) -> list[tuple[str, dict[str, object]]]:
    with vault.services.context.sessions() as session:
        return [
            (action, json.loads(subjects))
            for action, subjects in session.execute(
                select(CoordinatorDecision.action, CoordinatorDecision.subjects).order_by(
                    CoordinatorDecision.decision_id
                )
            )
        ]


def _seized_worker(vault: Vault) -> DeviceIdentity:
    """An enrolled worker (authorised: its revisions park, not left out)."""
    worker = DeviceIdentity.generate()
    recipient = str(pyrage.x25519.Identity.generate().to_public())
    vault.sync.put_device(Device(worker.device_id, worker.public_key, recipient, "enrolled"))
    return worker


def _parked_chain(vault: Vault) -> tuple[Revision, Revision, Revision]:
    """An edit and the edit of that edit, parked: their parent has not come."""
    own = vault.services.context.identity
    parent = case_revision(own, 0, [])
    child = case_revision(own, 1, [parent.revision_id])
    grandchild = case_revision(own, 2, [child.revision_id])
    parked, _run = _import(vault, [grandchild, child])
    assert sorted(parked) == sorted([child.revision_id, grandchild.revision_id])
    return parent, child, grandchild


# -- setting aside -------------------------------------------------------------------------


def test_setting_a_parked_revision_aside_keeps_it_and_its_descendants_as_left_out(vault: Vault) -> None:
    """Before: a parked revision whose parent never comes waited for ever;
    nothing could take it off the list."""
    _parent, child, grandchild = _parked_chain(vault)
    plan = set_aside_plan(vault, revision_ids=[child.revision_id, "f" * 64])
    assert plan.revision_ids == tuple(sorted([child.revision_id, grandchild.revision_id]))
    assert plan.not_parked == ("f" * 64,)
    assert parked_revision_count(vault) == 2  # the plan changes nothing

    result = set_aside_parked(vault, revision_ids=[child.revision_id])
    assert {r.revision_id for r in result.set_aside} == {child.revision_id, grandchild.revision_id}
    assert {r.entity_id for r in result.set_aside} == {ENTITY} and result.not_parked == ()
    assert parked_revision_count(vault) == 0 and _seqs(vault) == {}
    assert _learned(vault) == {child.revision_id: SET_ASIDE, grandchild.revision_id: SET_ASIDE}
    report = vault.verify()
    assert report.ok, report.problems
    # Recorded, by ids only.
    [(action, subjects)] = _decisions(vault)
    assert action == SET_ASIDE_ACTION and result.decision_id is not None
    assert subjects["chosen"] == [child.revision_id]
    assert subjects["set_aside"] == sorted([child.revision_id, grandchild.revision_id])
    # The frozen report counts them as left out of their record here.
    [record] = revocation_impact(vault, {REVOKED.device_id}).records
    assert record.entity_id == ENTITY and record.left_out == 2


def test_set_aside_is_final_neither_the_parent_nor_the_revision_again_brings_it_back(vault: Vault) -> None:
    """The parent arriving later (a desk's bundle, then a worker's own
    bundle) stores the parent only; the set-aside revisions arriving again
    with it are a no-op (before the import's check: stored, the coordinator's
    decision undone by any desk relaying them); a later edit of one is left
    out as the child of any left-out revision."""
    parent, child, grandchild = _parked_chain(vault)
    set_aside_parked(vault, revision_ids=[child.revision_id])

    _import(vault, [parent])
    assert set(_seqs(vault)) == {parent.revision_id}
    _import(vault, [parent, child, grandchild])  # another desk relays them, parents first
    assert set(_seqs(vault)) == {parent.revision_id}
    _import(vault, [child, grandchild], lenient=False)  # no revocation checks (a worker's bundle)
    assert set(_seqs(vault)) == {parent.revision_id}
    later = case_revision(vault.services.context.identity, 3, [grandchild.revision_id])
    with vault.sync.begin_import() as unit:
        unit.add_revisions([later.to_wire()], withhold={REVOKED.device_id})
        unit.settle_revisions()
    assert unit.summary.withheld_revisions == [later.revision_id]
    assert set(_seqs(vault)) == {parent.revision_id}
    assert _learned(vault)[child.revision_id] == SET_ASIDE
    report = vault.verify()
    assert report.ok, report.problems


def test_setting_aside_a_signer_takes_its_parked_revisions_and_their_descendants_only(vault: Vault) -> None:
    worker = _seized_worker(vault)
    own = vault.services.context.identity
    flood = [case_revision(worker, n, [f"{n:064x}"]) for n in range(1, 4)]
    edit = case_revision(own, 4, [flood[0].revision_id])  # the desk's edit of one: set aside with it
    honest = case_revision(own, 5, ["e" * 64])  # another signer's orphan: stays parked
    _import(vault, [*flood, edit, honest])
    assert parked_revision_count(vault) == 5

    result = set_aside_parked(vault, signer=worker.device_id)
    assert {r.revision_id for r in result.set_aside} == {r.revision_id for r in [*flood, edit]}
    assert parked_revision_count(vault) == 1
    assert withheld_revision_ids(vault) == {r.revision_id for r in [*flood, edit]}
    assert _decisions(vault)[0][1]["signer"] == worker.device_id
    assert vault.verify().ok


def test_nothing_parked_sets_nothing_aside_and_records_nothing(vault: Vault) -> None:
    result = set_aside_parked(vault, revision_ids=["a" * 64], signer=REVOKED.device_id)
    assert result.set_aside == () and result.not_parked == ("a" * 64,) and result.decision_id is None
    assert _decisions(vault) == [] and withheld_revision_ids(vault) == frozenset()


# -- files only left-out revisions name ----------------------------------------------------


def _park_photo(vault: Vault, signer: DeviceIdentity, entity_id: str, n: int) -> Revision:
    """``signer``'s evidence item naming PHOTO, parked (its parent never
    comes) with its bytes stored, as a desk's bundle carries them."""
    item = _evidence(signer, entity_id, n, [f"{n:064x}"])
    with vault.sync.begin_import() as unit:
        unit.add_revisions([item.to_wire()], withhold={REVOKED.device_id})
        unit.settle_revisions()
        unit.add_blob(PHOTO_SHA256, len(PHOTO), io.BytesIO(PHOTO), [item.entity_id])
    return item


def _blob_ids(vault: Vault) -> set[str]:
    with vault.services.context.sessions() as session:
        return set(session.scalars(select(Blob.blob_id)))


def test_files_only_set_aside_revisions_name_move_to_quarantine_on_request(vault: Vault) -> None:
    """Review 14 F2: before, such bytes were kept for ever and nothing could
    remove them. Set aside keeps them (never deleted by it); the explicit
    command moves them to quarantine/, where only ``quarantine purge``
    deletes them; verify stays clean."""
    worker = _seized_worker(vault)
    item = _park_photo(vault, worker, "0190f3a0-0000-7000-8000-0000000000e1", 1)
    [blob_id] = _blob_ids(vault)
    set_aside_parked(vault, revision_ids=[item.revision_id])
    assert _blob_ids(vault) == {blob_id}  # kept by the set-aside
    assert vault.verify().ok

    assert [(f.blob_id, f.size, f.signers) for f in left_out_files(vault)] == [
        (blob_id, len(PHOTO), (worker.device_id,))
    ]
    assert left_out_files(vault, signer=REVOKED.device_id) == []
    moved = quarantine_left_out_files(vault)
    assert [f.blob_id for f in moved.moved] == [blob_id] and moved.move_pending == ()
    assert _blob_ids(vault) == set()
    assert vault.quarantined() == [blob_id]
    assert not vault.services.context.blob_store.path(blob_id).exists()
    report = vault.verify()
    assert report.ok, report.problems
    assert [n.subject for n in report.notices if n.kind == "quarantine"] == [blob_id]
    action, subjects = _decisions(vault)[-1]
    assert action == QUARANTINE_ACTION
    assert subjects["files"] == [{"blob_id": blob_id, "sha256": PHOTO_SHA256, "size": len(PHOTO)}]
    assert quarantine_left_out_files(vault).moved == ()  # nothing left to move
    assert vault.purge_quarantine() == [blob_id]


def test_a_file_a_stored_item_holds_is_never_touched(vault: Vault) -> None:
    """Adversarial: the seized worker's item, set aside, and the desk's own
    stored item name the same bytes. The file is the stored item's too."""
    worker = _seized_worker(vault)
    item = _park_photo(vault, worker, "0190f3a0-0000-7000-8000-0000000000e1", 1)
    desks = _evidence(vault.services.context.identity, "0190f3a0-0000-7000-8000-0000000000e2", 2, [])
    with vault.sync.begin_import() as unit:
        unit.add_revisions([desks.to_wire()])
    set_aside_parked(vault, revision_ids=[item.revision_id])

    assert left_out_files(vault) == []
    assert quarantine_left_out_files(vault).moved == ()
    assert vault.quarantined() == [] and _bytes_of(vault, desks.entity_id) == PHOTO
    assert vault.verify().ok
    assert [a for a, _s in _decisions(vault)] == [SET_ASIDE_ACTION]  # nothing moved, nothing recorded


def test_a_file_a_still_parked_revision_names_is_never_touched(vault: Vault) -> None:
    """Adversarial: two parked items name the same bytes; only one is set
    aside. The other may still be stored, with them."""
    worker = _seized_worker(vault)
    first = _park_photo(vault, worker, "0190f3a0-0000-7000-8000-0000000000e1", 1)
    second = _evidence(vault.services.context.identity, "0190f3a0-0000-7000-8000-0000000000e3", 3, ["d" * 64])
    _import(vault, [second])
    assert parked_revision_count(vault) == 2
    set_aside_parked(vault, revision_ids=[first.revision_id])

    assert left_out_files(vault) == [] and quarantine_left_out_files(vault).moved == ()
    assert len(_blob_ids(vault)) == 1 and vault.quarantined() == []
    assert vault.verify().ok


def test_files_of_another_signer_are_left_with_signer_given(vault: Vault) -> None:
    worker = _seized_worker(vault)
    other = _seized_worker(vault)
    item = _park_photo(vault, worker, "0190f3a0-0000-7000-8000-0000000000e1", 1)
    set_aside_parked(vault, revision_ids=[item.revision_id])
    assert quarantine_left_out_files(vault, signer=other.device_id).moved == ()
    assert len(_blob_ids(vault)) == 1
    assert len(quarantine_left_out_files(vault, signer=worker.device_id).moved) == 1
    assert vault.verify().ok


def test_quarantine_never_runs_on_a_vault_open_for_examination(vault: Vault, tmp_path: Path) -> None:
    from db.errors import InvalidInput

    worker = _seized_worker(vault)
    item = _park_photo(vault, worker, "0190f3a0-0000-7000-8000-0000000000e1", 1)
    set_aside_parked(vault, revision_ids=[item.revision_id])
    vault.lock()
    examined = Vault.examine(tmp_path / "vault", PASSPHRASE, keyring=NoKeyring())
    try:
        with pytest.raises(InvalidInput):
            quarantine_left_out_files(examined)
        assert len(left_out_files(examined)) == 1
    finally:
        examined.lock()


def test_a_file_a_row_of_another_kind_names_is_never_touched(vault: Vault) -> None:
    """Adversarial: the same bytes named by the set-aside item and by a row
    kept for a reason a later import may undo (written here as the F1 rule
    writes one left out past the cap, ``learned`` 'past-cap'): kept."""
    worker = _seized_worker(vault)
    first = _park_photo(vault, worker, "0190f3a0-0000-7000-8000-0000000000e1", 1)
    second = _park_photo(vault, worker, "0190f3a0-0000-7000-8000-0000000000e4", 4)
    set_aside_parked(vault, revision_ids=[first.revision_id, second.revision_id])
    with vault.services.context.write_transaction("one row of another kind") as session:
        session.execute(
            update(WithheldRevision)
            .where(WithheldRevision.revision_id == second.revision_id)
            .values(learned="past-cap")
        )
    assert left_out_files(vault) == [] and quarantine_left_out_files(vault).moved == ()
    assert len(_blob_ids(vault)) == 1
