"""A field worker's bundle (and a send-back) is sorted out as a desk's is
whenever the vault keeps a revision left out, set aside or parked (issue
14, review 15 F1; db/sync_import.py ``_any_left_out_or_parked``,
db/parked.py ``forget_left_out``).

Before, an import without ``withhold`` (sync/bundle/vault_io.py gives none
for a bundle whose sender is no coordinator, nor for a send-back) checked
no parents: at a desk that had set a revision aside, left it out past the
cap or as a revoked lineage, a child arriving in a worker's bundle was
stored without its parent (``verify``: "names parent ..., which is not in
the vault", for good after a set-aside), and ``forget_left_out`` deleted
the row saying a revoked lineage's edit was left out. The reviewer's three
sequences, with two desks A and B reading the same bundles.

Real vaults and real signed revisions fed to ``vault.sync.begin_import()``
as sync/bundle/vault_io.py feeds a desk's bundle (``withhold``: the revoked
worker) and a field worker's (nothing withheld), with the helpers of
tests/db/test_parked_cap_desks.py."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pyrage
import pytest
from sqlalchemy import select

from db import parked as parked_module
from db.device import DeviceIdentity
from db.entities import Person
from db.hlc import Timestamp
from db.model import WithheldRevision
from db.parked import PAST_CAP, forget_left_out, parked_revision_count, past_cap_by_signer
from db.parked_set_aside import SET_ASIDE, left_out_files, quarantine_left_out_files, set_aside_parked
from db.revisions import Revision, create_revision
from db.sync_state import Device
from db.vault import Vault
from db.withheld import withheld_revision_ids
from tests.db.test_parked_cap_desks import (
    FULL,
    OTHER_DESK,
    REVOKED,
    ROOMY,
    SIGNER,
    WORKER,
    _case,
    _flood,
    _read,
    _stored,
    _vault,
    _without_parents,
)
from tests.db.test_parked_import import PHOTO, PHOTO_SHA256, _bytes_of, _evidence


@pytest.fixture
def desks(tmp_path: Path) -> Iterator[tuple[Vault, Vault]]:
    a, b = _vault(tmp_path / "a"), _vault(tmp_path / "b")
    try:
        yield a, b
    finally:
        a.lock()
        b.lock()


def _workers_bundle(vault: Vault, cap: int, bundle: list[Revision], monkeypatch: pytest.MonkeyPatch) -> None:
    """A field worker's bundle (or a send-back): nothing withheld, as
    sync/bundle/vault_io.py ``_withheld_signers`` gives for it."""
    monkeypatch.setattr(parked_module, "PARKED_CAP", cap)
    with vault.sync.begin_import() as unit:
        unit.add_revisions([rev.to_wire() for rev in bundle])
        unit.settle_revisions()


def _learned(vault: Vault) -> dict[str, str]:
    with vault.services.context.sessions() as session:
        return dict(session.execute(select(WithheldRevision.revision_id, WithheldRevision.learned)).all())


def _verifies(vault: Vault) -> None:
    assert _without_parents(vault) == [], "the desk holds a revision without its parents"
    report = vault.verify()
    assert report.ok, report.problems


def test_a_workers_edit_of_a_revision_set_aside_here_is_left_out(
    desks: tuple[Vault, Vault], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sequence 1: both desks park S's edit E (W's creation is late); A's
    coordinator sets E aside; the creation arrives at both, so B stores E
    and A does not (final). W took E from B's send-back and edits it (C);
    W's bundle carries E and C to both. Before: A stored C without E and
    its ``verify`` failed for good (E arriving again is a no-op there)."""
    a, b = desks
    created = _case(WORKER, 0, [])
    edit = _case(SIGNER, 1, [created.revision_id])
    workers_edit = _case(WORKER, 2, [edit.revision_id])
    for desk in (a, b):
        _read(desk, ROOMY, [edit], monkeypatch)
        assert parked_revision_count(desk) == 1
    set_aside_parked(a, revision_ids=[edit.revision_id])
    for desk in (a, b):
        _read(desk, ROOMY, [created], monkeypatch)
    assert set(_stored(b)) == {created.revision_id, edit.revision_id}
    assert set(_stored(a)) == {created.revision_id}

    for desk in (a, b):
        _workers_bundle(desk, ROOMY, [edit, workers_edit], monkeypatch)
    assert set(_stored(b)) == {created.revision_id, edit.revision_id, workers_edit.revision_id}
    assert set(_stored(a)) == {created.revision_id}
    assert _learned(a) == {edit.revision_id: SET_ASIDE, workers_edit.revision_id: "left-out"}
    _verifies(a)
    _verifies(b)

    # Alone in a later bundle, and a send-back's copy: left out again.
    _workers_bundle(a, ROOMY, [workers_edit], monkeypatch)
    assert set(_stored(a)) == {created.revision_id}
    _verifies(a)


def test_a_workers_edit_of_a_revision_past_the_cap_here_is_left_out_until_both_arrive_again(
    desks: tuple[Vault, Vault], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sequence 2: E is past the cap at A and parked at B. W's edit C of E
    comes in W's bundle, then the creation arrives. Before: A stored C
    without E (``verify`` failed until E came again). Now A leaves C out
    below E and B parks it; both verify; when B relays E and C, A stores
    them and the rows saying they were left out go."""
    a, b = desks
    created = _case(WORKER, 0, [])
    edit = _case(SIGNER, 1, [created.revision_id])
    workers_edit = _case(OTHER_DESK, 2, [edit.revision_id])
    _read(a, FULL, _flood(), monkeypatch)
    assert _read(a, FULL, [edit], monkeypatch) == [edit.revision_id]
    assert _read(b, ROOMY, [edit], monkeypatch) == []

    _workers_bundle(a, FULL, [workers_edit], monkeypatch)
    _workers_bundle(b, ROOMY, [workers_edit], monkeypatch)
    assert _stored(a) == {} and _stored(b) == {}
    assert parked_revision_count(b) == 2  # E and C wait for the creation
    assert workers_edit.revision_id in withheld_revision_ids(a)
    _verifies(a)

    _read(a, FULL, [created], monkeypatch)
    _read(b, ROOMY, [created], monkeypatch)
    assert set(_stored(b)) == {created.revision_id, edit.revision_id, workers_edit.revision_id}
    assert set(_stored(a)) == {created.revision_id}
    _verifies(a)
    _verifies(b)

    _read(a, FULL, [edit, workers_edit], monkeypatch)  # B's next desk bundle relays them
    assert _stored(a) == _stored(b)
    assert withheld_revision_ids(a) == set() and past_cap_by_signer(a) == {}
    _verifies(a)


def test_a_workers_bundle_carrying_a_revoked_lineage_edit_leaves_it_out_and_keeps_its_row(
    desks: tuple[Vault, Vault], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sequence 3: a desk's bundle brings the revoked worker's W1 and S's
    edit E of it: both left out. A field worker's bundle (not yet revoked,
    or seized) then carries E and its own edit of E. Before: E was stored
    without W1 (``verify`` failed) and E's left-out row was deleted, so
    nothing said it had ever been left out."""
    a, _b = desks
    w1 = _case(REVOKED, 0, [])
    edit = _case(SIGNER, 1, [w1.revision_id])
    workers_edit = _case(WORKER, 2, [edit.revision_id])
    _read(a, ROOMY, [w1, edit], monkeypatch)
    assert withheld_revision_ids(a) == {w1.revision_id, edit.revision_id}

    _workers_bundle(a, ROOMY, [edit, workers_edit], monkeypatch)
    assert _stored(a) == {}
    assert withheld_revision_ids(a) == {w1.revision_id, edit.revision_id, workers_edit.revision_id}
    _verifies(a)


def test_a_left_out_row_whose_reason_is_in_force_stays_when_its_revision_is_stored(
    desks: tuple[Vault, Vault], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``forget_left_out`` on its own, as an import's store calls it: the row
    of a revision left out below the revoked W1 stays (W1 is still left
    out here), that of one left out past the cap whose parent is stored
    goes. Before, both went."""
    a, _b = desks
    w1 = _case(REVOKED, 0, [])
    below_revoked = _case(SIGNER, 1, [w1.revision_id])
    _read(a, ROOMY, [w1, below_revoked], monkeypatch)
    created = _case(WORKER, 2, [], entity_id="0190f3a0-0000-7000-8000-0000000000f2")
    _read(a, FULL, _flood(), monkeypatch)
    past = _case(SIGNER, 3, [created.revision_id], entity_id=created.entity_id)
    assert _read(a, FULL, [past], monkeypatch) == [past.revision_id]
    _read(a, FULL, [created], monkeypatch)

    with a.services.context.write_transaction("as an import's store") as session:
        forget_left_out(session, [below_revoked, past])
    learned = _learned(a)
    assert learned.get(below_revoked.revision_id) == "left-out"
    assert past.revision_id not in learned and learned.get(w1.revision_id) == "left-out"
    assert PAST_CAP not in learned.values()


# -- review 15 F3: only a final reason lets a left-out file go to quarantine ---------------


def test_a_file_left_out_below_a_revision_past_the_cap_stays_for_the_day_it_is_stored(
    desks: tuple[Vault, Vault], monkeypatch: pytest.MonkeyPatch
) -> None:
    """S records an item (put) and deletes it (D, naming no file); an
    enrolled worker restores it (put, the same file). The restore waits
    parked (D has not come), its bytes stored; D then comes past S's cap,
    so the restore is left out below it, its row naming the file (D's row
    names none, and S's put has not come). Such a row is undone when D
    arrives again after its parent: the restore is stored and its item
    needs its bytes. Before, ``left_out_files`` listed the file and
    ``quarantine_left_out_files`` moved it (only set-aside rows and those
    of a revoked signer are final now)."""
    a, _b = desks
    _read(a, FULL, _flood(), monkeypatch)
    entity = "0190f3a0-0000-7000-8000-0000000000f7"
    recorded = _evidence(SIGNER, entity, 5, [])
    deleted = create_revision(
        SIGNER,
        entity_id=entity,
        entity_type="evidence",
        op="delete",
        body={},
        parents=[recorded.revision_id],
        hlc=Timestamp(1_700_000_000_000, 6),
    )
    restored = _evidence(WORKER, entity, 7, [deleted.revision_id])
    with a.sync.begin_import() as unit:
        unit.add_revisions([restored.to_wire()], withhold={REVOKED.device_id})
        unit.settle_revisions()
        unit.add_blob(PHOTO_SHA256, len(PHOTO), io.BytesIO(PHOTO), [entity])
    assert _read(a, FULL, [deleted], monkeypatch) == [deleted.revision_id]
    assert restored.revision_id in withheld_revision_ids(a)
    assert _learned(a)[restored.revision_id] != SET_ASIDE

    assert left_out_files(a) == []
    assert quarantine_left_out_files(a).moved == ()

    # S's put arrives with its file, then D and the restore again (relayed).
    with a.sync.begin_import() as unit:
        unit.add_revisions([recorded.to_wire()], withhold={REVOKED.device_id})
        unit.settle_revisions()
        unit.add_blob(PHOTO_SHA256, len(PHOTO), io.BytesIO(PHOTO), [entity])
    _read(a, FULL, [deleted, restored], monkeypatch)
    assert set(_stored(a)) == {recorded.revision_id, deleted.revision_id, restored.revision_id}
    assert withheld_revision_ids(a) == set()
    assert _bytes_of(a, entity) == PHOTO
    _verifies(a)


def test_a_file_only_a_revoked_signers_left_out_item_names_may_go_to_quarantine(
    desks: tuple[Vault, Vault], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The final case still moves: the worker's parked item is left out
    because the profile revoked the worker (``known_devices`` revoked)."""
    a, _b = desks
    seized = DeviceIdentity.generate()
    recipient = str(pyrage.x25519.Identity.generate().to_public())
    a.sync.put_device(Device(seized.device_id, seized.public_key, recipient, "enrolled"))
    item = _evidence(seized, "0190f3a0-0000-7000-8000-0000000000f8", 8, ["c" * 64])
    with a.sync.begin_import() as unit:
        unit.add_revisions([item.to_wire()], withhold={REVOKED.device_id})
        unit.settle_revisions()
        unit.add_blob(PHOTO_SHA256, len(PHOTO), io.BytesIO(PHOTO), [item.entity_id])
    a.sync.put_device(Device(seized.device_id, seized.public_key, recipient, "revoked"))
    with a.sync.begin_import() as unit:  # a desk's bundle read under the revoking profile
        unit.add_revisions([_case(SIGNER, 9, []).to_wire()], withhold={seized.device_id})
    assert _learned(a) == {item.revision_id: "left-out"}

    [listed] = left_out_files(a)
    assert listed.signers == (seized.device_id,)
    assert len(quarantine_left_out_files(a).moved) == 1
    _verifies(a)


# -- a parked revision whose record is held with another type -------------------------------


def test_a_parked_revision_whose_record_is_held_with_another_type_stops_no_import(
    desks: tuple[Vault, Vault], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Adversarial (found with review 15 F5): S, seized and not yet
    revoked, parks R, a case revision of record X naming as parent an
    honest worker's revision P that has not come yet, and stores a person
    revision of X. When P's bundle came, the import's end stored R, which
    store_received refused (``entity exists with another type``): the
    import failed, and since R is no revision of P's bundle, the pull
    took it for this vault's damage (``held-revision-damaged``) and
    stopped before that sound bundle at every run, for good. Now R is
    left out, listed (``type_clash``: session 11; before, it stayed parked
    as damaged, which it is not), and P's bundle is imported."""
    a, _b = desks
    honest = _case(WORKER, 0, [], entity_id="0190f3a0-0000-7000-8000-0000000000a1")
    record = "0190f3a0-0000-7000-8000-0000000000a2"
    trap = _case(SIGNER, 1, [honest.revision_id], entity_id=record)
    person = create_revision(
        SIGNER,
        entity_id=record,
        entity_type="person",
        op="put",
        body=Person(case_id=honest.entity_id, pseudonym="P-1").body(),
        parents=[],
        hlc=Timestamp(1_700_000_000_000, 2),
    )
    _read(a, ROOMY, [trap, person], monkeypatch)
    assert parked_revision_count(a) == 1 and set(_stored(a)) == {person.revision_id}

    with a.sync.begin_import() as unit:  # the worker's own bundle
        unit.add_revisions([honest.to_wire()])
        unit.settle_revisions()
    assert unit.summary.type_clash == [trap.revision_id]
    assert unit.summary.damaged_parked == []
    assert set(_stored(a)) == {person.revision_id, honest.revision_id}
    assert parked_revision_count(a) == 0
    assert a.verify().ok
