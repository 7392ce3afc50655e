"""A desk added later reading revisions of a device whose vouch lapsed at
the desk that relays them (docs/bundle-format.md §8 "A vouch lapses with its
coordinator", §10).

The scene (tests/sync/test_vouch_after_removal.py): Odesa vouched for field
worker X at Kyiv; Kyiv stored X's later case while Odesa's word stood; Kyiv
removed Odesa, so Kyiv holds X ``pending`` and its bundles carry X's stored
revisions without a vouch for X. Then Kyiv adds a new desk, Rivne, which
never knew X. Before, Rivne refused Kyiv's history hand-over whole as
``signer:<X's revision>`` (the new desk got nothing), and Kyiv's ordinary
bundles too. Now Kyiv's signed manifest names X among the devices it holds
but no longer vouches for (``lapsed``): Rivne notes X ``pending`` and keeps
X's revisions aside, and takes the rest; an outsider's key that no
coordinator names is still refused. Real vaults, real signed bundles by USB."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from db.api import Vault, parked_by_signer
from db.device import DeviceIdentity
from db.entities import Case
from db.hlc import Timestamp
from db.revisions import create_revision
from sync import org_vault
from sync.bundle.errors import BundleRejected
from sync.bundle.format import LapsedDevice, Manifest, canonical, parse_manifest
from sync.bundle.hand_over import hand_over
from sync.bundle.vouching import coordinator_vouches, lapsed_relays
from sync.bundle.writer import BundleContents, write_bundle
from sync.bundle.writer import DeviceIdentity as SigningIdentity
from sync.merge.devices import devices_view
from tests.cli_helpers import Cli, child_env
from tests.factory import make_case
from tests.sync.desk_world import UsbDesks, add_desk, assert_verified, heads_hash, import_by_usb, usb_desks
from tests.sync.test_vouch_after_removal import LATER_CASE, Removed, _case_titles, _odesa_vouched_then_removed
from tests.vault_helpers import PASSPHRASE

desks = usb_desks
BINDING = {
    "org_id": "0190f3a0-0000-7000-8000-00000000000f",
    "device_id": "0" * 32,
    "sequence": 1,
    "previous": None,
}
__all__ = ["desks"]


def _rivne_added(desks: UsbDesks) -> tuple[Removed, Vault]:
    world = _odesa_vouched_then_removed(desks)
    assert desks.kyiv.sync.device(world.x.vault.device_id).status == "pending"  # type: ignore[union-attr]
    rivne = add_desk(desks.kyiv, desks.tmp_path / "rivne", label="Rivne desk")
    desks.others.append(rivne)
    make_case(desks.kyiv, title="Kyiv's own work")
    return world, rivne


def _x_revisions(world: Removed) -> set[str]:
    return {r.revision_id for r in world.x.vault.revisions.since(0)}


def test_a_hand_over_holding_a_lapsed_devices_revisions_is_taken_with_them_kept_aside(
    desks: UsbDesks, tmp_path: Path
) -> None:
    world, rivne = _rivne_added(desks)
    x_id = world.x.vault.device_id
    stick = tmp_path / "stick"
    stick.mkdir()
    made = hand_over(desks.kyiv, stick, rivne.device_id)
    # The result says what the new desk will keep aside: X's stored revisions.
    assert (made.lapsed_devices, made.lapsed_revisions) == (1, len(_x_revisions(world)))
    imported = import_by_usb(
        rivne, made.path, desks.org.org_id
    )  # before: BundleRejected signer:<X's revision>
    # Everything but X's revisions is there: Kyiv's work, the Lviv-era history.
    assert "Kyiv's own work" in _case_titles(rivne)
    assert LATER_CASE not in _case_titles(rivne)
    kept = set(imported.signer_pending)
    assert kept and kept <= _x_revisions(world)
    assert parked_by_signer(rivne) == {x_id: len(kept)}
    known = rivne.sync.device(x_id)
    assert known is not None and (known.status, known.vouched_by) == ("pending", desks.kyiv.device_id)
    assert_verified(rivne)

    # Once X is enrolled again (its card at Kyiv; Kyiv's vouch reaches Rivne),
    # the kept-aside revisions are stored and the desks agree.
    org_vault.add_device(desks.kyiv, org_vault.own_device_card(world.x.vault).text, label="X")
    again = import_by_usb(rivne, desks.kyiv_bundle(), desks.org.org_id)
    assert again.vouched == (x_id,)
    assert LATER_CASE in _case_titles(rivne)
    assert parked_by_signer(rivne) == {}
    assert heads_hash(rivne) == heads_hash(desks.kyiv)
    assert_verified(rivne, desks.kyiv)


def test_a_desks_ordinary_bundle_read_by_a_desk_that_never_knew_the_device_is_taken(
    desks: UsbDesks,
) -> None:
    world, rivne = _rivne_added(desks)
    x_id = world.x.vault.device_id
    imported = import_by_usb(rivne, desks.kyiv_bundle(), desks.org.org_id)  # before: refused signer
    assert "Kyiv's own work" in _case_titles(rivne)
    assert LATER_CASE not in _case_titles(rivne)
    assert imported.signer_pending and set(imported.signer_pending) <= _x_revisions(world)
    assert set(parked_by_signer(rivne)) == {x_id}
    # The devices view warns of X at Rivne, on Kyiv's word that its vouch lapsed.
    [row] = [r for r in devices_view(rivne) if r.device_id == x_id]
    assert (row.status, row.vouched_by) == ("pending", desks.kyiv.device_id)
    assert "vouch-lapsed" in row.warnings
    assert_verified(rivne)


def _kyiv_bundle_with(desks: UsbDesks, stick: Path, extra: dict[str, Any]) -> Path:
    """Kyiv's next bundle to the coordinators with one more revision in it,
    signed by Kyiv's device: valid in every way the reader alone checks."""
    kyiv = desks.kyiv
    profile = org_vault.held_profile(kyiv)
    assert profile is not None
    wires = [_wire(r) for r in kyiv.revisions.since(0, 10_000)]
    outgoing = kyiv.sync.outgoing()
    contents = BundleContents(
        org_id=profile.org_id,
        profile_version=profile.version,
        sequence=outgoing.bundle_sequence + 1,
        previous=outgoing.previous_bundle_id,
        custody_head=None,
        revisions=[*wires, extra],
        custody=[],
        devices=coordinator_vouches(kyiv, profile),
        lapsed=lapsed_relays(kyiv, profile),  # X named as lapsed, as export_bundle does
    )
    recipients = [c.age_recipient for c in profile.coordinators]
    signing = SigningIdentity(kyiv.sync.signing_key(), kyiv.device_id)
    return write_bundle(stick / "forged.fvbundle", contents, signing, recipients).path


def _wire(rev: Any) -> dict[str, Any]:
    return {
        "id": rev.revision_id,
        "signed": base64.b64encode(rev.signed).decode(),
        "signature": base64.b64encode(rev.signature).decode(),
    }


def test_an_outsiders_revision_in_a_desks_bundle_is_still_refused(desks: UsbDesks, tmp_path: Path) -> None:
    """A perfectly signed revision by a fresh key that no coordinator names
    (neither vouched for nor named as lapsed), inside Kyiv's otherwise valid
    bundle: Rivne refuses the bundle as ``signer:<its id>``, nothing applied
    and nothing noted of the key (issue 11)."""
    _world, rivne = _rivne_added(desks)
    outsider = DeviceIdentity.generate()
    forged = create_revision(
        outsider,
        entity_id="0190f3a0-0000-7000-8000-0000000000aa",
        entity_type="case",
        op="put",
        body=Case(title="Planted case").body(),
        parents=[],
        hlc=Timestamp(1_700_000_000_000, 0),
    ).to_wire()
    stick = tmp_path / "stick"
    stick.mkdir()
    before = heads_hash(rivne)
    with pytest.raises(BundleRejected) as refused:
        import_by_usb(rivne, _kyiv_bundle_with(desks, stick, forged), desks.org.org_id)
    assert (refused.value.kind, refused.value.subject) == ("signer", forged["id"])
    assert heads_hash(rivne) == before
    assert rivne.sync.device(outsider.device_id) is None
    assert parked_by_signer(rivne) == {}


def test_org_hand_over_says_how_many_revisions_the_new_desk_keeps_aside(
    desks: UsbDesks, tmp_path: Path
) -> None:
    """``fieldvault org hand-over`` names the lapsed devices' revisions it
    carried; ``bundle import`` at the new desk takes the hand-over and says
    they were kept aside (before: refused whole, signer)."""
    world, rivne = _rivne_added(desks)
    kyiv_folder, rivne_folder, rivne_id = desks.kyiv.folder, rivne.folder, rivne.device_id
    desks.kyiv.lock()
    rivne.lock()
    desks.others.remove(rivne)
    env = child_env(tmp_path)
    stick = tmp_path / "stick"
    stick.mkdir()
    handed = Cli(kyiv_folder, env).json(
        "org", "hand-over", "--to-device", rivne_id, "--to", str(stick), secrets=[PASSPHRASE]
    )
    assert (handed["lapsed_devices"], handed["lapsed_revisions"]) == (1, len(_x_revisions(world)))
    said = Cli(kyiv_folder, env).run(
        "org", "hand-over", "--to-device", rivne_id, "--to", str(stick), secrets=[PASSPHRASE]
    )
    assert "whose vouch lapsed here: the new desk keeps them aside" in said.stdout
    imported = Cli(rivne_folder, env).json("bundle", "import", handed["bundle"], secrets=[PASSPHRASE])
    row = imported if isinstance(imported, dict) else imported[0]
    assert row.get("refused") is None, row
    assert set(row["signer_pending"]) <= _x_revisions(world) and row["signer_pending"]


def _outsider_case() -> tuple[DeviceIdentity, dict[str, Any]]:
    outsider = DeviceIdentity.generate()
    forged = create_revision(
        outsider,
        entity_id="0190f3a0-0000-7000-8000-0000000000bb",
        entity_type="case",
        op="put",
        body=Case(title="Planted case").body(),
        parents=[],
        hlc=Timestamp(1_700_000_000_000, 0),
    ).to_wire()
    return outsider, forged


def test_a_field_workers_bundle_naming_a_lapsed_device_is_refused(desks: UsbDesks, tmp_path: Path) -> None:
    """Only a coordinator's word notes a device: a field worker's own bundle
    (signed by its key, valid in every other way) naming an outsider in
    ``lapsed`` to get its revision kept aside is ``signer``, nothing noted."""
    worker = desks.worker("field")
    first = desks.org.export(worker.vault)
    desks.org.import_(first.path)
    outsider, forged = _outsider_case()
    profile = org_vault.held_profile(worker.vault)
    assert profile is not None
    contents = BundleContents(
        org_id=profile.org_id,
        profile_version=profile.version,
        sequence=2,
        previous=first.bundle_id,
        custody_head=None,
        revisions=[forged],
        lapsed=[LapsedDevice(outsider.public_key)],
    )
    signing = SigningIdentity(worker.vault.sync.signing_key(), worker.vault.device_id)
    path = write_bundle(
        tmp_path / "worker.fvbundle", contents, signing, [c.age_recipient for c in profile.coordinators]
    ).path
    before = heads_hash(desks.kyiv)
    with pytest.raises(BundleRejected) as refused:
        desks.org.import_(path)
    assert (refused.value.kind, refused.value.subject) == ("signer", outsider.device_id)
    assert desks.kyiv.sync.device(outsider.device_id) is None
    assert heads_hash(desks.kyiv) == before


def test_a_malformed_lapsed_list_is_archive_form() -> None:
    """§4: sorted by device id, no duplicates, each id its key's, exactly
    two members; else ``archive-form``. A well-formed one round-trips."""
    keys = sorted(
        (DeviceIdentity.generate().public_key for _ in range(2)), key=lambda k: LapsedDevice(k).device_id
    )
    good = Manifest(
        binding=BINDING, revisions=(), custody=(), blobs=(), lapsed=tuple(LapsedDevice(k) for k in keys)
    )
    assert parse_manifest(canonical(good.to_json())).lapsed == good.lapsed
    entries = good.to_json()["lapsed"]
    other_key = base64.b64encode(DeviceIdentity.generate().public_key).decode()
    for bad in (
        [],
        list(reversed(entries)),
        [entries[0], entries[0]],
        [{**entries[0], "device_key": other_key}],
        [{**entries[0], "age_recipient": "age1x"}],
        [{"device_id": entries[0]["device_id"]}],
        "not a list",
    ):
        with pytest.raises(BundleRejected) as refused:
            parse_manifest(canonical(good.to_json() | {"lapsed": bad}))
        assert refused.value.kind == "archive-form", bad
