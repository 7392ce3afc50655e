"""A desk's edit whose parent has not arrived is parked, not stored without
it (issue 14; docs/sync.md §2.3, db/parked.py).

Kyiv pulls a field worker's bundle from the server and edits the worker's
testimony twice (E1, then E2 on E1); its USB bundle carries the two edits
alone (the server holds their parent P). The worker is revoked. Before,
a desk that read Kyiv's USB bundle first stored both edits ("a parent may
come in a later bundle"); then it read the worker's bundle, refused as
``bundle-device-revoked`` with its revisions kept as left out, so P never
came, ``verify`` named the missing parent for good, and the desk held what
a desk that read the two in the other order had left out. Now the edits
wait parked (in no head) and are left out, transitively, when the worker's
revisions are kept as left out: both orders end in the same state, and
both desks verify. When the parent is honest (another device is the one
revoked), it arrives with the worker's bundle and the parked edits are
stored, in order.

Real vaults and bundles; a real server on loopback; the USB stick a folder."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from db.api import Case, Vault, withheld_revision_ids
from db.parked import parked_revision_count
from fieldvault.bundle_cli import _human, _imported_row
from sync import org_vault
from sync.bundle.vault_io import ImportedBundle
from sync.client.pull import pull
from sync.merge.devices import devices_view
from tests.sync.client.sync_helpers import (
    Org,
    SavedOrg,
    quick_backoff,
    record_work,
    saved,
    saved_organisation,
)
from tests.sync.desk_world import (
    add_desk,
    assert_verified,
    desk_sync,
    export_by_usb,
    heads_hash,
    import_by_usb,
    know_worker,
    revoke,
    worker_push,
)
from tests.vault_helpers import open_vault


@dataclass
class Desks:
    org: Org
    lviv: Vault
    odesa: Vault
    worker: Vault
    bystander: Vault

    @property
    def kyiv(self) -> Vault:
        return self.org.coordinator


# The desks' world, built once per test process (the first test that asks
# for it) and copied for each test (sync_helpers.SavedOrg).
_SAVED_DESKS: list[SavedOrg] = []


def _saved_desks(tmp_path_factory: pytest.TempPathFactory) -> SavedOrg:
    if not _SAVED_DESKS:
        with saved_organisation(tmp_path_factory.mktemp("parked-desks")) as org:
            kyiv = org.coordinator
            lviv = add_desk(kyiv, org.tmp / "lviv", label="Lviv", publish=True)
            odesa = add_desk(kyiv, org.tmp / "odesa", label="Odesa", publish=True)
            org_vault.update_profile(lviv, org_vault.current_signed(kyiv).signed)
            worker, bystander = org.worker("field"), org.worker("bystander")
            try:
                for desk in (lviv, odesa):
                    know_worker(desk, worker)
                    know_worker(desk, bystander)
                for field in (worker, bystander):
                    field.cases.create(Case(title="registered"))
                    worker_push(field)
                for desk in (kyiv, lviv, odesa):
                    desk_sync(desk)
            finally:
                lviv.lock()
                odesa.lock()
        _SAVED_DESKS.append(saved(org))
    return _SAVED_DESKS[0]


@pytest.fixture
def desks(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desks]:
    """Kyiv (the key desk), Lviv and Odesa (desks added by their cards), a
    field worker and a bystander worker every desk knows; all registered
    and pulled by every desk. This test's own copy of every vault and of the
    server's data."""
    with _saved_desks(tmp_path_factory).copy(tmp_path) as org:
        lviv, odesa = open_vault(tmp_path / "lviv"), open_vault(tmp_path / "odesa")
        worker, bystander = org.workers
        try:
            yield Desks(org, lviv, odesa, worker, bystander)
        finally:
            lviv.lock()
            odesa.lock()


def _pull(vault: Vault) -> Any:
    return pull(vault, proxy=False, backoff=quick_backoff())


def _revision_ids(vault: Vault) -> set[str]:
    return {r.revision_id for r in vault.revisions.since(0, 100_000)}


def _kyivs_edits_by_usb(desks: Desks, tmp_path: Path) -> tuple[Path, str, str, str]:
    """The worker records work and pushes; Kyiv pulls it and edits the
    testimony twice; its USB bundle carries the two edits alone. (bundle,
    testimony id, E1, E2)"""
    work = record_work(desks.worker, tmp_path, "field work", size=3_000)
    worker_push(desks.worker)
    _pull(desks.kyiv)  # the server holds the worker's bundle: Kyiv's bundles leave it out
    first = desks.kyiv.testimonies.edit(work.testimony_id, title="checked at Kyiv").revision
    second = desks.kyiv.testimonies.edit(work.testimony_id, title="checked again at Kyiv").revision
    exported, _profile = export_by_usb(desks.kyiv, tmp_path / "stick")
    assert exported.revisions == 2 and exported.withheld == ()
    return exported.path, work.testimony_id, first, second


def _parked_in_devices_view(desk: Vault, signer: Vault) -> int:
    [row] = [row for row in devices_view(desk) if row.device_id == signer.device_id]
    assert row.to_json()["parked_revisions"] == row.parked_revisions
    return row.parked_revisions


def _by_usb(desk: Vault, path: Path, desks: Desks) -> ImportedBundle:
    profile = org_vault.held_profile(desk)
    assert profile is not None
    return import_by_usb(desk, path, profile.org_id)


def test_an_edit_read_before_its_revoked_parent_ends_as_in_the_other_order(
    desks: Desks, tmp_path: Path
) -> None:
    stick, _testimony, first, second = _kyivs_edits_by_usb(desks, tmp_path)
    revoke(desks.kyiv, desks.worker.device_id, publish=True, tell=[desks.lviv, desks.odesa])

    # Lviv: Kyiv's USB bundle first. The edits wait: not stored, not left out yet.
    taken = _by_usb(desks.lviv, stick, desks)
    assert taken.withheld_revisions == () and set(taken.parked_revisions) == {first, second}
    assert "2 revision(s) waiting for their parents" in _human(_imported_row(taken))  # bundle import
    assert not {first, second} & _revision_ids(desks.lviv)  # before: both stored
    assert parked_revision_count(desks.lviv) == 2
    report = desks.lviv.verify()
    assert report.ok, report.problems
    assert any("2 revision(s) wait" in p.detail for p in report.notices)
    # Then the worker's bundle: refused, its revisions kept as left out, and the edits with them.
    pulled = _pull(desks.lviv)
    assert [code for _id, code in pulled.refused] == ["bundle-device-revoked"]
    assert {first, second} <= withheld_revision_ids(desks.lviv)
    assert parked_revision_count(desks.lviv) == 0

    # Odesa: the other order. The worker's bundle first, then Kyiv's USB bundle.
    _pull(desks.odesa)
    taken = _by_usb(desks.odesa, stick, desks)
    assert set(taken.withheld_revisions) == {first, second}

    assert heads_hash(desks.lviv) == heads_hash(desks.odesa)
    assert_verified(desks.lviv, desks.odesa)  # before: Lviv's names parent ..., not in the vault


def test_a_parked_edit_is_stored_when_its_honest_parent_arrives(desks: Desks, tmp_path: Path) -> None:
    stick, testimony_id, first, second = _kyivs_edits_by_usb(desks, tmp_path)
    # Someone else is revoked: Lviv reads desks' bundles as ones that may leave parents out.
    revoke(desks.kyiv, desks.bystander.device_id, publish=True, tell=[desks.lviv])

    taken = _by_usb(desks.lviv, stick, desks)
    assert taken.revisions == 0 and taken.withheld_revisions == ()
    assert parked_revision_count(desks.lviv) == 2
    assert _parked_in_devices_view(desks.lviv, desks.kyiv) == 2  # Kyiv signed them
    assert_verified(desks.lviv)

    # The same edits in Kyiv's next bundle (not acknowledged, so carried again): known, a no-op.
    again, _profile = export_by_usb(desks.kyiv, tmp_path / "stick2")
    assert again.revisions == 2
    repeated = _by_usb(desks.lviv, again.path, desks)
    assert repeated.revisions == 0 and repeated.withheld_revisions == () and not repeated.replay
    assert repeated.parked_revisions == ()  # waiting already: nothing new
    assert parked_revision_count(desks.lviv) == 2

    # The worker's bundle arrives: its revisions stored, then E1, then E2 on E1.
    _pull(desks.lviv)
    assert parked_revision_count(desks.lviv) == 0
    assert _parked_in_devices_view(desks.lviv, desks.kyiv) == 0
    assert {first, second} <= _revision_ids(desks.lviv)
    assert desks.lviv.testimonies.get(testimony_id).title == "checked again at Kyiv"
    seqs = {r.revision_id: r.local_seq for r in desks.lviv.revisions.since(0, 100_000)}
    assert seqs[first] < seqs[second]  # each gets its number when stored, in order
    assert heads_hash(desks.lviv) == heads_hash(desks.kyiv)
    assert_verified(desks.lviv)


def test_a_failing_import_parks_nothing(desks: Desks, tmp_path: Path) -> None:
    _stick, _testimony, first, _second = _kyivs_edits_by_usb(desks, tmp_path)
    [edit] = [r for r in desks.kyiv.revisions.since(0, 100_000) if r.revision_id == first]
    wire = {
        "id": edit.revision_id,
        "signed": base64.b64encode(edit.signed).decode("ascii"),
        "signature": base64.b64encode(edit.signature).decode("ascii"),
    }
    with pytest.raises(RuntimeError), desks.lviv.sync.begin_import() as unit:
        unit.add_revisions([wire], withhold={desks.bystander.device_id})
        unit.settle_revisions()
        assert unit.summary.parked_revisions == [first]
        raise RuntimeError("the import fails after parking")
    assert parked_revision_count(desks.lviv) == 0
    assert first not in _revision_ids(desks.lviv)
