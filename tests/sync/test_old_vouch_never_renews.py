"""A coordinator's bundle made before another coordinator's removal never
enrols again a device whose vouch lapsed with that removal (review 21 R1;
docs/bundle-format.md §8 "A vouch lapses with its coordinator").

Worker X is known at Lviv only on Odesa's word; Kyiv's ordinary bundle,
made while that word stood, vouches for X too. Then Kyiv removes Odesa, so
X is pending at both desks, and Kyiv's later bundles no longer vouch for it.
Before the fix, Kyiv's old bundle, read at Lviv late (a gap filled by USB)
or again (``bundle import --reread``), enrolled X again on a word Kyiv no
longer gives, and X's bundle made after the removal was taken with no code
compared. Now a vouch renews a lapsed device only from a bundle made under
the profile held here or a newer one."""

from __future__ import annotations

from pathlib import Path

import pytest

from db.api import Vault
from sync import org_vault
from sync.bundle.reread import RereadRefused, reread_bundle
from tests.db.sync_fixtures import FieldWork
from tests.factory import make_case
from tests.sync.desk_world import UsbDesks, import_by_usb, odesa_adds_x_by_card, usb_desks
from tests.sync.test_vouch_after_removal import _vouched_ids

desks = usb_desks  # the fixture, under the name the tests ask for


def _status(vault: Vault, device_id: str) -> tuple[str, str | None]:
    known = vault.sync.device(device_id)
    assert known is not None
    return known.status, known.vouched_by


def _lapsed_at_lviv(desks: UsbDesks, *, carry_old: bool) -> tuple[str, str, Path]:
    """The scene up to Odesa's removal: (X's id, Odesa's id, Kyiv's old bundle
    vouching for X), that bundle imported at Lviv before the removal when
    ``carry_old``."""
    odesa, x = odesa_adds_x_by_card(desks)
    import_by_usb(odesa, desks.org.export(x.vault).path, desks.org.org_id)
    odesa_bundle = desks.org.export(odesa).path
    assert desks.org.import_(odesa_bundle).vouched == (x.vault.device_id,)
    assert desks.to_lviv(odesa_bundle).vouched == (x.vault.device_id,)  # Lviv knows X on Odesa's word
    old_kyiv = desks.kyiv_bundle()
    assert x.vault.device_id in _vouched_ids(desks, old_kyiv)
    if carry_old:
        assert desks.to_lviv(old_kyiv).vouched == ()  # known already: stays on Odesa's word
    removed = org_vault.remove_coordinator(desks.kyiv, odesa.device_id)
    org_vault.update_profile(desks.lviv, removed.signed)
    assert _status(desks.lviv, x.vault.device_id) == ("pending", odesa.device_id)
    assert x.vault.device_id not in _vouched_ids(desks, desks.kyiv_bundle())  # Kyiv's word now
    make_case(x.vault, title="after removal")
    later = desks.org.export(x.vault).path
    assert desks.hold_at_lviv(later).reason == "device-unknown"
    return x.vault.device_id, odesa.device_id, old_kyiv


def test_a_reread_of_an_old_coordinator_bundle_leaves_a_lapsed_device_pending(desks: UsbDesks) -> None:
    x_id, odesa_id, old_kyiv = _lapsed_at_lviv(desks, carry_old=True)
    done = reread_bundle(desks.lviv, old_kyiv, desks.lviv.vault_keys.age_identity(), org_id=desks.org.org_id)
    assert done.applied == ()
    assert _status(desks.lviv, x_id) == ("pending", odesa_id)
    assert "after removal" not in {case.title for case in desks.lviv.cases.list()}


def test_a_late_import_of_an_old_coordinator_bundle_leaves_a_lapsed_device_pending(desks: UsbDesks) -> None:
    x_id, odesa_id, old_kyiv = _lapsed_at_lviv(desks, carry_old=False)
    late = desks.to_lviv(old_kyiv)
    assert late.vouched == ()
    assert _status(desks.lviv, x_id) == ("pending", odesa_id)
    assert "after removal" not in {case.title for case in desks.lviv.cases.list()}


def _received_then_pending(desks: UsbDesks) -> tuple[FieldWork, Path]:
    """Lviv received X's first bundle while Odesa's word for X stood; then
    Odesa was removed, so X is pending at Lviv. (X, that bundle's file.)"""
    odesa, x = odesa_adds_x_by_card(desks)
    first = desks.org.export(x.vault).path
    import_by_usb(odesa, first, desks.org.org_id)
    assert desks.to_lviv(desks.org.export(odesa).path).vouched == (x.vault.device_id,)
    received = desks.to_lviv(first)
    assert desks.lviv.sync.received_bundle(received.bundle_id) is not None
    org_vault.update_profile(desks.lviv, org_vault.remove_coordinator(desks.kyiv, odesa.device_id).signed)
    assert _status(desks.lviv, x.vault.device_id)[0] == "pending"
    return x, first


def test_a_reread_of_a_pending_workers_bundle_says_to_enrol_it_again(desks: UsbDesks) -> None:
    """Review 21 R3: a re-read of it is refused as from a pending device,
    not as a stranger's bundle to approve from a quarantine holding nothing."""
    x, first = _received_then_pending(desks)
    with pytest.raises(RereadRefused) as refused:
        reread_bundle(desks.lviv, first, desks.lviv.vault_keys.age_identity(), org_id=desks.org.org_id)
    assert refused.value.code == "reread-device-pending"
    assert refused.value.params == {
        "bundle_id": refused.value.params["bundle_id"],
        "device_id": x.vault.device_id,
    }
    assert "quarantine" not in str(refused.value)


def test_a_plain_import_of_a_pending_workers_bundle_received_before_is_a_replay(desks: UsbDesks) -> None:
    """Review 21 (noticed): the same file imported again is a replay, as any
    bundle received here; before, admission ran first and held it in
    quarantine as from an unknown device, a bundle this desk had received."""
    x, first = _received_then_pending(desks)
    again = desks.to_lviv(first)
    assert again.replay
    assert desks.lviv.sync.held_bundles() == []
    assert _status(desks.lviv, x.vault.device_id)[0] == "pending"
