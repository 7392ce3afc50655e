"""A vouch lapses with its coordinator (issues 11 and 14; docs/bundle-format.md
§8 "Vouching between coordinators", docs/threat-model.md).

The Odesa desk, a coordinator, enrols field worker X by its card; its bundle
to the coordinators vouches for X, so Kyiv and Lviv know X on Odesa's word
(``vouched_by``). Then Kyiv removes Odesa from the profile — say its laptop
was seized, and the devices it vouched for may be its own fakes. Before,
X stayed an authorised signer everywhere; now a vault that takes that
profile holds X as ``pending``: revisions of X that arrive from then on are
not authorised (kept aside in a desk's bundle until X is enrolled again,
tests/sync/test_vouch_lapse_kept_aside.py), X's own bundles are held for approval by code, what was stored
while the vouch stood stays (``verify`` clean), and a current coordinator's
vouch enrols X again.

Real vaults and real signed bundles, carried by a folder standing for a USB
stick (tests/sync/desk_world.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from db.api import Vault
from sync import org_vault
from sync.bundle import BundleRejected, read_bundle
from sync.bundle.send_back import send_back
from sync.bundle.vault_io import ExportedBundle
from sync.merge.devices import devices_view
from tests.cli_helpers import Cli, child_env
from tests.db.sync_fixtures import FieldWork
from tests.factory import make_case
from tests.sync.desk_world import (
    UsbDesks,
    assert_verified,
    import_by_usb,
    odesa_adds_x_by_card,
    usb_desks,
)
from tests.vault_helpers import PASSPHRASE

desks = usb_desks  # the fixture, under the name the tests ask for

LATER_CASE = "Recorded after Odesa's removal"


@dataclass
class Removed:
    """Odesa vouched for X at Kyiv and Lviv, then was removed from the
    profile (Kyiv and Lviv hold that version). X's second bundle, with a
    case recorded since, reached Kyiv before the removal."""

    odesa: Vault
    x: FieldWork
    second: ExportedBundle


def _vouched_ids(desks: UsbDesks, path: Path) -> list[str]:
    opened = read_bundle(path, desks.lviv.vault_keys.age_identity(), org_id=desks.org.org_id)
    return [d.device_id for d in opened.manifest.devices]


def _case_titles(vault: Vault) -> set[str]:
    return {case.title for case in vault.cases.list()}


def _odesa_vouched_then_removed(desks: UsbDesks, *, remove: bool = True) -> Removed:
    odesa, x = odesa_adds_x_by_card(desks)
    import_by_usb(odesa, desks.org.export(x.vault).path, desks.org.org_id)
    odesa_bundle = desks.org.export(odesa).path
    assert _vouched_ids(desks, odesa_bundle) == [x.vault.device_id]
    assert desks.to_lviv(odesa_bundle).vouched == (x.vault.device_id,)
    assert desks.org.import_(odesa_bundle).vouched == (x.vault.device_id,)
    make_case(x.vault, title=LATER_CASE)
    second = desks.org.export(x.vault)
    desks.org.import_(second.path)  # Kyiv takes it while Odesa's word stands
    assert LATER_CASE in _case_titles(desks.kyiv)

    if remove:
        removed = org_vault.remove_coordinator(desks.kyiv, odesa.device_id)
        org_vault.update_profile(desks.lviv, removed.signed)
    return Removed(odesa, x, second)


def _status(vault: Vault, device_id: str) -> tuple[str, str | None]:
    known = vault.sync.device(device_id)
    assert known is not None
    return known.status, known.vouched_by


def test_relayed_revisions_of_a_device_vouched_for_by_a_removed_coordinator_are_kept_aside(
    desks: UsbDesks,
) -> None:
    world = _odesa_vouched_then_removed(desks)
    x_id = world.x.vault.device_id
    # Both desks that took the profile hold X as pending, on Odesa's lapsed word.
    assert _status(desks.lviv, x_id) == ("pending", world.odesa.device_id)
    assert _status(desks.kyiv, x_id) == ("pending", world.odesa.device_id)

    # Kyiv's bundle relays X's revisions (both bundles' worth) and, X pending
    # there, no vouch of its own for X.
    kyiv_bundle = desks.kyiv_bundle()
    assert x_id not in _vouched_ids(desks, kyiv_bundle)
    # Taken: the revisions Lviv did not hold (X's later case) are kept aside
    # (parked until X is enrolled again), not stored, and the bundle is not
    # refused (review 15 F2: before, signer:<revision id>, and so was every
    # later bundle of Kyiv's); X's revisions stored while Odesa's word stood
    # are held, a no-op. tests/sync/test_vouch_lapse_kept_aside.py goes on.
    imported = desks.to_lviv(kyiv_bundle)
    assert imported.signer_pending
    assert set(imported.signer_pending) <= {r.revision_id for r in world.x.vault.revisions.since(0)}
    assert not set(imported.signer_pending) & {r.revision_id for r in desks.lviv.revisions.since(0)}
    assert LATER_CASE not in _case_titles(desks.lviv)

    # X's own bundle is held for approval by code, as a stranger's.
    held = desks.hold_at_lviv(world.second.path)
    assert (held.reason, held.device_id) == ("device-unknown", x_id)
    assert LATER_CASE not in _case_titles(desks.lviv)

    # What was stored while the vouch stood stays, and verifies.
    assert desks.lviv.evidence.get(world.x.evidence_id).sha256 == world.x.sha256
    assert_verified(desks.lviv, desks.kyiv)


def test_a_current_coordinators_vouch_enrols_the_device_again(desks: UsbDesks) -> None:
    world = _odesa_vouched_then_removed(desks)
    x_id = world.x.vault.device_id
    assert _status(desks.lviv, x_id) == ("pending", world.odesa.device_id)
    desks.hold_at_lviv(world.second.path)

    # Kyiv compares X's verification code and adds X by its card: its own
    # enrolment, so its next bundle vouches for X on Kyiv's word.
    org_vault.add_device(desks.kyiv, org_vault.own_device_card(world.x.vault).text, label="X")
    assert _status(desks.kyiv, x_id) == ("enrolled", None)
    kyiv_bundle = desks.kyiv_bundle()
    assert x_id in _vouched_ids(desks, kyiv_bundle)
    imported = desks.to_lviv(kyiv_bundle)
    assert imported.vouched == (x_id,)
    assert _status(desks.lviv, x_id) == ("enrolled", desks.kyiv.device_id)
    assert LATER_CASE in _case_titles(desks.lviv)

    # The bundle Lviv held is released now that a current coordinator vouched.
    [released] = desks.release_at_lviv()
    assert released.bundle_id == world.second.bundle_id
    assert desks.lviv.sync.held_bundles() == []
    assert_verified(desks.lviv, desks.kyiv)


def test_approval_by_code_enrols_the_device_on_this_desks_own_word(desks: UsbDesks) -> None:
    world = _odesa_vouched_then_removed(desks)
    x_id = world.x.vault.device_id
    desks.hold_at_lviv(world.second.path)
    desks.approve_at_lviv(world.second.bundle_id, world.x.vault)
    assert _status(desks.lviv, x_id) == ("enrolled", None)
    assert LATER_CASE in _case_titles(desks.lviv)
    assert_verified(desks.lviv)


def test_a_removed_coordinators_later_bundle_cannot_vouch_again(desks: UsbDesks) -> None:
    """Odesa, removed, still holds the profile that names it and still
    holds X as enrolled: its next bundle vouches for X again. Lviv refuses
    it (``signer``, naming X) and X stays pending."""
    world = _odesa_vouched_then_removed(desks)
    x_id = world.x.vault.device_id
    odesa_bundle = desks.org.export(world.odesa).path
    assert _vouched_ids(desks, odesa_bundle) == [x_id]
    with pytest.raises(BundleRejected) as refused:
        desks.to_lviv(odesa_bundle)
    assert (refused.value.kind, refused.value.subject) == ("signer", x_id)
    assert _status(desks.lviv, x_id) == ("pending", world.odesa.device_id)


def test_the_devices_view_and_the_command_line_show_the_lapsed_vouch(desks: UsbDesks, tmp_path: Path) -> None:
    world = _odesa_vouched_then_removed(desks)
    x_id, odesa_id = world.x.vault.device_id, world.odesa.device_id
    [row] = [r for r in devices_view(desks.lviv) if r.device_id == x_id]
    # Before: status "enrolled", verification "verified", no warning.
    assert (row.status, row.verification, row.vouched_by) == ("pending", "pending", odesa_id)
    assert "vouch-lapsed" in row.warnings

    folder = desks.lviv.folder
    desks.lviv.lock()
    cli = Cli(folder, child_env(tmp_path))
    listed = cli.run("devices", "--json", secrets=[PASSPHRASE])
    [shown] = [r for r in map(json.loads, listed.stdout.splitlines()) if r["device_id"] == x_id]
    assert (shown["status"], shown["verification"], shown["vouched_by"]) == ("pending", "pending", odesa_id)
    assert "vouch-lapsed" in shown["warnings"]
    assert f"warning: device {x_id}: " in listed.stderr
    assert f"word of coordinator {odesa_id}, which was removed" in listed.stderr, listed.stderr


def test_a_field_workers_vouch_lapses_too_and_a_current_coordinators_send_back_restores_it(
    desks: UsbDesks,
) -> None:
    """At a field worker: Lviv's send-back vouched for worker B (to relay
    B's revisions); Kyiv removes Lviv and A takes that profile: B is pending
    at A, and A's vault still verifies. Kyiv's send-back, relaying B's later
    work, vouches for B on Kyiv's word and A takes it."""
    a, b = desks.worker("a"), desks.worker("b")
    for work in (a, b):
        desks.org.import_(desks.org.export(work.vault).path)
    desks.to_lviv(desks.kyiv_bundle())  # Lviv knows A and B on Kyiv's word, and holds B's work
    policy = org_vault.set_policy(desks.kyiv, send_to_workers="all")
    for vault in (desks.lviv, a.vault, b.vault):
        org_vault.update_profile(vault, policy.signed)

    stick = desks.tmp_path / "to-a"
    stick.mkdir()
    from_lviv = send_back(desks.lviv, stick, a.vault.device_id)
    assert from_lviv is not None and b.vault.device_id in from_lviv.vouched
    import_by_usb(a.vault, from_lviv.path, desks.org.org_id)
    assert _status(a.vault, b.vault.device_id) == ("enrolled", desks.lviv.device_id)

    removed = org_vault.remove_coordinator(desks.kyiv, desks.lviv.device_id)
    org_vault.update_profile(a.vault, removed.signed)
    assert _status(a.vault, b.vault.device_id) == ("pending", desks.lviv.device_id)
    assert_verified(a.vault)  # B's revisions stored on Lviv's word still verify

    make_case(b.vault, title=LATER_CASE)
    org_vault.update_profile(b.vault, removed.signed)
    desks.org.import_(desks.org.export(b.vault).path)
    from_kyiv = send_back(desks.kyiv, stick, a.vault.device_id)
    assert from_kyiv is not None and b.vault.device_id in from_kyiv.vouched
    imported = import_by_usb(a.vault, from_kyiv.path, desks.org.org_id)
    assert b.vault.device_id in imported.vouched
    assert _status(a.vault, b.vault.device_id) == ("enrolled", desks.kyiv.device_id)
    assert LATER_CASE in _case_titles(a.vault)
    assert_verified(a.vault)


def test_a_vouch_is_worth_nothing_once_its_voucher_is_no_coordinator_here_whatever_the_status_says(
    desks: UsbDesks,
) -> None:
    """The second guard (db/signers.py): Lviv's row for Odesa says it is a
    plain device now, as a profile application does first, but X's row was
    not set pending (an application cut short, or a row edited by hand). X
    still may not write: its own bundle is refused, naming its revision."""
    world = _odesa_vouched_then_removed(desks, remove=False)
    x_id = world.x.vault.device_id
    odesa_row = desks.lviv.sync.device(world.odesa.device_id)
    assert odesa_row is not None and odesa_row.role == "coordinator"
    desks.lviv.sync.put_device(replace(odesa_row, role="device"))
    assert _status(desks.lviv, x_id) == ("enrolled", world.odesa.device_id)
    with pytest.raises(BundleRejected) as refused:
        desks.to_lviv(world.second.path)
    assert refused.value.kind == "signer"
    assert LATER_CASE not in _case_titles(desks.lviv)
