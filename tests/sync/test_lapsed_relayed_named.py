"""A desk's bundles still relay the revisions of a device whose vouch lapsed
there, and name that device in the signed manifest's ``lapsed`` member
(docs/bundle-format.md §4, §8 "A vouch lapses with its coordinator"; issue
14, closing note 10: "the sending side still relays a pending device's
revisions").

Relaying them is what a careful coordinator wants: another desk may still
trust the device (it holds a newer vouch, or enrolled it by its card), and
stores them; one that holds it pending, or never knew it, keeps them aside
on the relaying desk's word until the device is enrolled again, and takes
the rest. Not relaying them would leave the other desks without them for
good through the server (the desk's later bundles never carry them again).

The scene (tests/sync/test_vouch_after_removal.py): Odesa vouched for X;
Kyiv took X's later case while Odesa's word stood, then removed Odesa, so
Kyiv holds X ``pending``. Real vaults, real signed bundles."""

from __future__ import annotations

from sync import org_vault
from sync.bundle import read_bundle
from tests.sync.desk_world import UsbDesks, assert_verified, usb_desks
from tests.sync.test_vouch_after_removal import LATER_CASE, _case_titles, _odesa_vouched_then_removed

desks = usb_desks  # the fixture, under the name the scene's helpers use
__all__ = ["desks"]


def test_a_desks_bundle_relays_a_lapsed_devices_revisions_and_names_it_in_lapsed(desks: UsbDesks) -> None:
    world = _odesa_vouched_then_removed(desks)
    x_id = world.x.vault.device_id
    assert desks.kyiv.sync.device(x_id).status == "pending"  # type: ignore[union-attr]
    path = desks.kyiv_bundle()
    opened = read_bundle(path, desks.lviv.vault_keys.age_identity(), org_id=desks.org.org_id)
    manifest = opened.manifest
    # Relayed: every revision of X's that Kyiv holds is listed in the signed manifest.
    x_revisions = {r.revision_id for r in world.x.vault.revisions.since(0)}
    assert x_revisions <= {r.revision_id for r in desks.kyiv.revisions.since(0)}
    assert x_revisions <= set(manifest.revisions)
    # Named as lapsed (with its key), not vouched for.
    assert [(d.device_id, d.device_key) for d in manifest.lapsed] == [(x_id, world.x.vault.device_public_key)]
    assert x_id not in [d.device_id for d in manifest.devices]

    # A desk that trusts X (enrolled by its card at Lviv) stores them from
    # Kyiv's bundle; before the enrolment they would be kept aside.
    org_vault.add_device(desks.lviv, org_vault.own_device_card(world.x.vault).text, label="X")
    imported = desks.to_lviv(path)
    assert imported.signer_pending == ()
    assert LATER_CASE in _case_titles(desks.lviv)
    assert_verified(desks.lviv, desks.kyiv)
