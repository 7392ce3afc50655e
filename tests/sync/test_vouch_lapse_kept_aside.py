"""A lapsed device's revisions in a desk's bundle are kept aside, not a
refusal of the bundle (review 15 F2), and a profile applied half-way is
applied again (review 15 F4). docs/bundle-format.md §8 "A vouch lapses with
its coordinator".

The reviewer's scene (tests/sync/test_vouch_after_removal.py): Odesa vouches
for field worker X at Kyiv and Lviv; Kyiv takes X's second bundle (a case
recorded since) while Odesa's word stands; Kyiv removes Odesa, and both desks
hold X as ``pending``. Before, Lviv refused Kyiv's bundle whole as
``signer:<X's revision>``, and every later one of Kyiv's too, until someone
enrolled X again; through the server that was for good. Now Lviv takes
Kyiv's own work and parks X's revisions until X is enrolled again here.

Real vaults, real signed bundles by USB (tests/sync/desk_world.py) and a
real server on loopback for the pull."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from db.api import Case, Device, OrgProfileOutdated, SyncStateService, parked_by_signer
from fieldvault.bundle_cli import _human
from sync import org_vault
from sync.client.org_link import publish_profile
from tests.cli_helpers import Cli, child_env
from tests.factory import make_case
from tests.sync.desk_world import (
    ServerDesks,
    UsbDesks,
    add_desk,
    assert_verified,
    desk_sync,
    export_by_usb,
    heads_hash,
    import_by_usb,
    join,
    server_desks,
    usb_desks,
)
from tests.sync.test_vouch_after_removal import (
    LATER_CASE,
    Removed,
    _case_titles,
    _odesa_vouched_then_removed,
    _status,
)
from tests.vault_helpers import PASSPHRASE

desks = usb_desks  # the fixtures, under the names the tests ask for
__all__ = ["desks", "server_desks"]


def _x_revisions_lviv_lacks(desks: UsbDesks, world: Removed) -> set[str]:
    held = {r.revision_id for r in desks.lviv.revisions.since(0)}
    return {r.revision_id for r in world.x.vault.revisions.since(0)} - held


def _kept_aside_at_lviv(desks: UsbDesks) -> Removed:
    """The scene, then Kyiv's bundle (its own case and X's later one) taken
    at Lviv: checked here, as every test below starts from it."""
    world = _odesa_vouched_then_removed(desks)
    x_id = world.x.vault.device_id
    assert _status(desks.lviv, x_id) == ("pending", world.odesa.device_id)
    waiting = _x_revisions_lviv_lacks(desks, world)
    assert waiting  # X's later case

    make_case(desks.kyiv, title="Kyiv's own work")
    imported = desks.to_lviv(desks.kyiv_bundle())  # before: BundleRejected signer:<X's revision>
    assert "Kyiv's own work" in _case_titles(desks.lviv)
    assert LATER_CASE not in _case_titles(desks.lviv)
    # Kept aside and listed, by the import and by the devices view's count.
    assert set(imported.signer_pending) == waiting
    assert parked_by_signer(desks.lviv) == {x_id: len(waiting)}
    assert not imported.parked_revisions  # listed apart from those waiting for parents
    assert _status(desks.lviv, x_id) == ("pending", world.odesa.device_id)
    assert_verified(desks.lviv)
    return world


def test_a_desks_bundle_relaying_a_lapsed_devices_revisions_is_taken_and_so_is_its_next(
    desks: UsbDesks,
) -> None:
    world = _kept_aside_at_lviv(desks)
    x_id = world.x.vault.device_id
    # Kyiv's next bundle (USB: it carries X's revisions again) is taken too,
    # with Kyiv's later work; X's revisions are a no-op, still kept aside.
    make_case(desks.kyiv, title="Kyiv's later work")
    again = desks.to_lviv(desks.kyiv_bundle())
    assert "Kyiv's later work" in _case_titles(desks.lviv)
    assert again.signer_pending == ()
    assert LATER_CASE not in _case_titles(desks.lviv)
    assert parked_by_signer(desks.lviv) == {x_id: len(_x_revisions_lviv_lacks(desks, world))}
    assert_verified(desks.lviv, desks.kyiv)


@pytest.mark.parametrize("how", ["card at Lviv", "code at Lviv", "Kyiv's vouch"])
def test_x_enrolled_again_gets_its_kept_aside_revisions_stored(desks: UsbDesks, how: str) -> None:
    world = _kept_aside_at_lviv(desks)
    x_id = world.x.vault.device_id
    card = org_vault.own_device_card(world.x.vault).text
    if how == "card at Lviv":
        org_vault.add_device(desks.lviv, card, label="X")
        assert _status(desks.lviv, x_id) == ("enrolled", None)
    elif how == "code at Lviv":
        # X's own second bundle, held as a stranger's, approved by its code:
        # its copy of the later case is the parked one (a no-op on arrival),
        # stored because X is enrolled now.
        desks.hold_at_lviv(world.second.path)
        desks.approve_at_lviv(world.second.bundle_id, world.x.vault)
        assert _status(desks.lviv, x_id) == ("enrolled", None)
    else:
        org_vault.add_device(desks.kyiv, card, label="X")
        imported = desks.to_lviv(desks.kyiv_bundle())
        assert imported.vouched == (x_id,)
        assert _status(desks.lviv, x_id) == ("enrolled", desks.kyiv.device_id)
    assert LATER_CASE in _case_titles(desks.lviv)
    assert _x_revisions_lviv_lacks(desks, world) == set()
    assert parked_by_signer(desks.lviv) == {}
    assert_verified(desks.lviv, desks.kyiv)
    assert heads_hash(desks.lviv) == heads_hash(desks.kyiv)


def test_a_profile_applied_half_way_is_applied_again_and_the_lapsed_device_does_not_write(
    desks: UsbDesks, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review 15 F4: Lviv's application of the profile without Odesa is cut
    in the loop that makes Odesa a plain device (a kill, a power cut).
    Before, Lviv held the new version with Odesa's row still a coordinator
    and X still enrolled on its word, and nothing applied that version
    again: X's later revision, relayed by Kyiv, was stored. Now the profile
    is stored last: the cut leaves the older version held, so the next
    pull (which applies a newer version than the one held) or ``org
    update`` applies all of it."""
    world = _odesa_vouched_then_removed(desks, remove=False)
    x_id, odesa_id = world.x.vault.device_id, world.odesa.device_id
    removed = org_vault.remove_coordinator(desks.kyiv, odesa_id)
    held_before = org_vault.held_profile(desks.lviv)
    assert held_before is not None and held_before.version < removed.profile.version

    real_put_device = SyncStateService.put_device

    def cut_at_the_demotion(self: SyncStateService, device: object) -> None:
        if getattr(device, "device_id", None) == odesa_id and getattr(device, "role", None) == "device":
            raise KeyboardInterrupt  # stands for a kill part-way
        real_put_device(self, device)  # type: ignore[arg-type]

    with monkeypatch.context() as patched:
        patched.setattr(SyncStateService, "put_device", cut_at_the_demotion)
        with pytest.raises(KeyboardInterrupt):
            org_vault.update_profile(desks.lviv, removed.signed)
    # The version held is still the older one: the pull compares with it.
    held = org_vault.held_profile(desks.lviv)
    assert held is not None and held.version == held_before.version

    org_vault.update_profile(desks.lviv, removed.signed)  # what the next pull does
    assert _status(desks.lviv, x_id) == ("pending", odesa_id)
    odesa_row = desks.lviv.sync.device(odesa_id)
    assert odesa_row is not None and odesa_row.role == "device"

    imported = desks.to_lviv(desks.kyiv_bundle())
    assert LATER_CASE not in _case_titles(desks.lviv)  # before: True (X authorised)
    assert imported.signer_pending
    assert_verified(desks.lviv)


def test_an_older_profile_is_refused_before_any_device_is_touched(desks: UsbDesks) -> None:
    """The profile goes in last now, so the 'not newer' check comes first:
    an older version offered again must not put back a removed
    coordinator's row, nor anything else."""
    world = _odesa_vouched_then_removed(desks, remove=False)
    older = org_vault.current_signed(desks.kyiv)
    org_vault.update_profile(
        desks.lviv, org_vault.remove_coordinator(desks.kyiv, world.odesa.device_id).signed
    )
    before = desks.lviv.sync.devices()
    with pytest.raises(OrgProfileOutdated):
        org_vault.update_profile(desks.lviv, older.signed)
    assert desks.lviv.sync.devices() == before


def test_through_the_server_the_desks_later_bundles_are_still_taken(server_desks: ServerDesks) -> None:
    """The scene with a real server. X joined before Odesa was a coordinator
    and still holds that profile, so its bundle, carried to Kyiv by USB, is
    not one every desk can read: Kyiv does not relay it, and X's revisions
    travel in Kyiv's own bundles (docs/sync.md §2.3), which go through the
    server, counted delivered at its receipt. Before, Lviv's pull refused
    Kyiv's first bundle after the removal as ``signer`` and passed it, and
    every later one as ``bundle-custody`` (its chain starts after events
    Lviv never took): for good. Now both are taken, X's case kept aside."""
    kyiv, lviv, tmp = server_desks.kyiv, server_desks.lviv, server_desks.org.tmp
    org_id = org_vault.current_signed(kyiv).profile.org_id
    x = join(kyiv, tmp / "x")  # with the profile of Kyiv and Lviv
    odesa = add_desk(kyiv, tmp / "odesa", label="Odesa desk", publish=True)
    try:
        desk_sync(lviv)  # takes the profile naming Odesa
        org_vault.add_device(odesa, org_vault.own_device_card(x).text, label="X")
        vouching, _ = export_by_usb(odesa, tmp / "stick-odesa")
        for desk in (kyiv, lviv):
            assert import_by_usb(desk, vouching.path, org_id).vouched == (x.device_id,)
        x.cases.create(Case(title=LATER_CASE))
        made, _ = export_by_usb(x, tmp / "stick-x")
        import_by_usb(kyiv, made.path, org_id)  # while Odesa's word stands
        assert LATER_CASE in _case_titles(kyiv)

        removed = org_vault.remove_coordinator(kyiv, odesa.device_id)
        assert publish_profile(removed.signed, removed.profile).state == "done"
        desk_sync(lviv)  # takes the profile without Odesa
        assert _status(lviv, x.device_id) == ("pending", odesa.device_id)

        for title in ("Kyiv's work after the removal", "Kyiv's next work"):
            kyiv.cases.create(Case(title=title))
            desk_sync(kyiv)
            desk_sync(lviv)
            assert title in _case_titles(lviv)  # before: refused, signer then bundle-custody
        assert LATER_CASE not in _case_titles(lviv)
        assert parked_by_signer(lviv).get(x.device_id, 0) >= 1
        assert_verified(lviv, kyiv)

        # Enrolled again at Lviv by its card: X's case is stored there.
        org_vault.add_device(lviv, org_vault.own_device_card(x).text, label="X")
        assert LATER_CASE in _case_titles(lviv)
        assert parked_by_signer(lviv) == {}
        assert_verified(lviv)
    finally:
        odesa.lock()
        x.lock()


def test_bundle_import_lists_what_it_kept_aside(desks: UsbDesks, tmp_path: Path) -> None:
    """``fieldvault bundle import --json`` at Lviv lists the kept-aside ids
    (``signer_pending``), and its plain line says what became of them."""
    world = _odesa_vouched_then_removed(desks)
    waiting = _x_revisions_lviv_lacks(desks, world)
    kyiv_bundle = desks.kyiv_bundle()
    folder = desks.lviv.folder
    desks.lviv.lock()
    done = Cli(folder, child_env(tmp_path)).run(
        "bundle", "import", str(kyiv_bundle), "--json", secrets=[PASSPHRASE]
    )
    [row] = [json.loads(line) for line in done.stdout.splitlines()]
    assert row["ok"] is True
    assert set(row["signer_pending"]) == waiting
    assert "revision(s) KEPT ASIDE, their device's vouch lapsed" in _human(row)


def test_enrolling_by_card_stores_what_was_kept_aside_in_the_same_transaction(
    desks: UsbDesks, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``org add-device`` for X at Lviv enrols it and stores its kept-aside
    revisions in one transaction, before the card's label is saved: a kill
    after it (here, in saving the label) never leaves X enrolled with its
    revisions still aside, which nothing would decide again."""
    world = _kept_aside_at_lviv(desks)
    x_id = world.x.vault.device_id

    def cut(self: SyncStateService, device: object) -> None:
        raise KeyboardInterrupt  # stands for a kill after the enrolment

    with monkeypatch.context() as patched:
        patched.setattr(SyncStateService, "put_device", cut)
        with pytest.raises(KeyboardInterrupt):
            org_vault.add_device(desks.lviv, org_vault.own_device_card(world.x.vault).text, label="X")
    assert _status(desks.lviv, x_id) == ("enrolled", None)
    assert LATER_CASE in _case_titles(desks.lviv)
    assert parked_by_signer(desks.lviv) == {}
    assert_verified(desks.lviv)


def test_a_pull_cut_while_applying_the_profile_applies_it_at_the_next_pull(
    server_desks: ServerDesks, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review 15 F4 through a real pull: Lviv's sync is killed while it
    applies the profile without Odesa (in making Odesa's row a plain
    device). Before, Lviv then held that version, Odesa's row was still a
    coordinator and X still wrote there; the next pull saw no newer
    version and applied nothing. Now the next pull applies it all: X is
    pending, and its case relayed by Kyiv is kept aside."""
    kyiv, lviv, tmp = server_desks.kyiv, server_desks.lviv, server_desks.org.tmp
    org_id = org_vault.current_signed(kyiv).profile.org_id
    x = join(kyiv, tmp / "x")
    odesa = add_desk(kyiv, tmp / "odesa", label="Odesa desk", publish=True)
    try:
        desk_sync(lviv)
        org_vault.add_device(odesa, org_vault.own_device_card(x).text, label="X")
        vouching, _ = export_by_usb(odesa, tmp / "stick-odesa")
        for desk in (kyiv, lviv):
            import_by_usb(desk, vouching.path, org_id)
        x.cases.create(Case(title=LATER_CASE))
        made, _ = export_by_usb(x, tmp / "stick-x")
        import_by_usb(kyiv, made.path, org_id)
        removed = org_vault.remove_coordinator(kyiv, odesa.device_id)
        assert publish_profile(removed.signed, removed.profile).state == "done"

        real_put_device = SyncStateService.put_device

        def cut_at_the_demotion(self: SyncStateService, device: Device) -> None:
            if device.device_id == odesa.device_id and device.role == "device":
                raise KeyboardInterrupt  # stands for a kill part-way
            real_put_device(self, device)

        with monkeypatch.context() as patched:
            patched.setattr(SyncStateService, "put_device", cut_at_the_demotion)
            with pytest.raises(KeyboardInterrupt):
                desk_sync(lviv)
        held = org_vault.held_profile(lviv)
        assert held is not None and held.version < removed.profile.version

        desk_sync(lviv)  # the next pull
        held = org_vault.held_profile(lviv)
        assert held is not None and held.version == removed.profile.version
        assert _status(lviv, x.device_id) == ("pending", odesa.device_id)
        odesa_row = lviv.sync.device(odesa.device_id)
        assert odesa_row is not None and odesa_row.role == "device"

        kyiv.cases.create(Case(title="Kyiv's work after the removal"))
        desk_sync(kyiv)
        desk_sync(lviv)
        assert "Kyiv's work after the removal" in _case_titles(lviv)
        assert LATER_CASE not in _case_titles(lviv)  # X does not write on Odesa's word
        assert_verified(lviv)
    finally:
        odesa.lock()
        x.lock()
