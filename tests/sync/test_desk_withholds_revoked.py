"""A coordinator desk's bundle to coordinators withholds what a revoked
device signed (issue 14; docs/sync.md §2.3, docs/merge.md "Sending back").

A desk's bundle carries its own work and what it imported that the other
desks may lack (a USB import here: no server, no relay). When the
organisation revokes a field worker whose revisions the desk holds, the
other desk refuses every revision that worker signed, and with one of them
inside, the whole bundle (``signer``): the desk's own work never arrived.
Now the desk leaves the revoked device's revisions (and the evidence bytes
only their items hold) out, and says what it left out.

Real vaults, bundles through a folder standing for a USB stick."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from db.api import NotFound
from sync.bundle import read_bundle
from sync.merge.devices import devices_view
from tests.factory import make_case
from tests.sync.desk_world import UsbDesks, usb_desks

desks = usb_desks  # the fixture, under the name the tests ask for


def _worker_revisions(desks: UsbDesks, device_id: str) -> set[str]:
    return {r.revision_id for r in desks.kyiv.revisions.since(0, 10_000) if r.device_id == device_id}


def test_the_desks_bundle_leaves_out_a_revoked_workers_revisions_and_arrives(
    desks: UsbDesks, tmp_path: Path
) -> None:
    field = desks.worker("field")
    # A second photo whose bytes Kyiv also holds in an item of its own.
    shared = tmp_path / "shared.jpg"
    shared.write_bytes(os.urandom(50_000))
    field.vault.evidence.ingest(shared, field.case_id)
    desks.org.import_(desks.org.export(field.vault).path)  # by USB: travels in Kyiv's own bundle
    worker_revisions = _worker_revisions(desks, field.vault.device_id)
    assert worker_revisions
    own_case = make_case(desks.kyiv, title="Kyiv's own case")
    own_item = desks.kyiv.evidence.ingest(shared, own_case.id).item
    desks.revoke(field.vault.device_id)  # the organisation revokes the worker; Lviv holds the new profile

    made = desks.org.export(desks.kyiv)
    imported = desks.to_lviv(made.path)  # refused as signer:<the worker's revision> before
    assert not imported.replay
    assert set(getattr(made, "withheld", ())) == worker_revisions
    opened = read_bundle(made.path, desks.lviv.vault_keys.age_identity(), org_id=desks.org.org_id)
    assert not set(opened.manifest.revisions) & worker_revisions
    blobs = {b.sha256: b.evidence_ids for b in opened.manifest.blobs}
    assert field.sha256 not in blobs  # only the worker's item holds these bytes
    assert tuple(blobs[own_item.sha256]) == (own_item.id,)  # these, Kyiv's item too: they go, for it
    assert desks.lviv.cases.get(own_case.id).title == "Kyiv's own case"
    with pytest.raises(NotFound):
        desks.lviv.evidence.get(field.evidence_id)
    [own_bytes] = desks.lviv.sync.blobs_of([own_item.id])
    assert own_bytes.sha256 == own_item.sha256
    # Nothing of Kyiv's own was left out: every revision Kyiv signed is at Lviv.
    own = {
        r.revision_id for r in desks.kyiv.revisions.since(0, 10_000) if r.device_id == desks.kyiv.device_id
    }
    at_lviv = {r.revision_id for r in desks.lviv.revisions.since(0, 10_000)}
    assert own <= at_lviv
    assert not worker_revisions & at_lviv
    assert desks.lviv.verify().ok

    # The next bundle withholds them again, and carries Kyiv's new work.
    later = make_case(desks.kyiv, title="Kyiv, later")
    again = desks.org.export(desks.kyiv)
    assert not desks.to_lviv(again.path).replay
    assert desks.lviv.cases.get(later.id).title == "Kyiv, later"


def test_a_bundle_made_before_the_revocation_is_taken_without_them(desks: UsbDesks) -> None:
    """A bundle made before the revocation and read after it at a desk
    holding the new profile: the worker's revisions are left out there
    (listed), Kyiv's work is taken (before: refused as signer, a gap in
    Lviv's devices view until Kyiv's next bundle); the next follows it."""
    field = desks.worker("field")
    desks.org.import_(desks.org.export(field.vault).path)
    worker_revisions = _worker_revisions(desks, field.vault.device_id)
    first_case = make_case(desks.kyiv, title="Kyiv, before the revocation")
    stale = desks.org.export(desks.kyiv)
    assert stale.withheld == ()
    desks.revoke(field.vault.device_id)
    taken = desks.to_lviv(stale.path)
    assert set(taken.withheld_revisions) == worker_revisions
    assert desks.lviv.cases.get(first_case.id).title == "Kyiv, before the revocation"

    second_case = make_case(desks.kyiv, title="Kyiv, after")
    next_bundle = desks.org.export(desks.kyiv)
    assert next_bundle.withheld
    assert desks.to_lviv(next_bundle.path).withheld_revisions == ()
    assert desks.lviv.cases.get(second_case.id).title == "Kyiv, after"
    [row] = [r for r in devices_view(desks.lviv) if r.device_id == desks.kyiv.device_id]
    assert row.gaps == ()
