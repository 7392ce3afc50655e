"""Vouching between coordinators (issue 14; docs/bundle-format.md §4
``devices`` and §8 "Vouching between coordinators", docs/merge.md).

Only the vault that created the organisation (the Kyiv desk here) holds its
key, issues enrolment tokens and can check a token's proof. Before this, a
second coordinator (the Lviv desk) held every bundle of a worker enrolled
by Kyiv in quarantine (``token-unknown``) for good — it cannot even approve
one by code, which needs the organisation key — and refused Kyiv's own
bundles, which relay that worker's revisions (``signer``). Now Kyiv's
bundles to coordinators vouch for the devices it holds as enrolled, Lviv
takes the vouch from a coordinator of its profile, and Lviv's held bundles
of that worker are imported.

Real vaults, bundles through a folder standing for a USB stick; the
server's path is tests/sync/client/test_sync_vouching.py."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from db.api import Device, Vault
from sync import org_vault
from sync.bundle import BundleRejected, read_bundle
from sync.bundle.admission import BundleQuarantined
from sync.bundle.format import VouchedDevice, canonical, parse_manifest
from sync.bundle.quarantine import release_held
from sync.bundle.vault_io import ImportedBundle, import_bundle
from sync.bundle.vouching import coordinator_vouches
from sync.merge.devices import devices_view
from tests.db.sync_fixtures import record_field_work
from tests.factory import make_case
from tests.sync.desk_world import UsbDesks, add_desk, import_by_usb, signed_by, usb_desks
from tests.sync.trust_fixtures import current_profile

Desks = UsbDesks  # the name other test modules import
desks = usb_desks  # the fixture, under the name the tests ask for


def _vouched_ids(desks: Desks, path: Path) -> list[str]:
    opened = read_bundle(path, desks.lviv.vault_keys.age_identity(), org_id=desks.org.org_id)
    return [d.device_id for d in opened.manifest.devices]


def test_a_worker_enrolled_by_one_desk_is_taken_by_the_other_and_its_held_bundle_imported(
    desks: Desks,
) -> None:
    field = desks.worker("field")
    first = desks.org.export(field.vault)
    # Lviv cannot check Kyiv's token: held, as before.
    assert desks.hold_at_lviv(first.path).reason == "token-unknown"
    desks.org.import_(first.path)  # Kyiv: the token proves it; enrolled there

    kyiv_bundle = desks.kyiv_bundle()
    assert _vouched_ids(desks, kyiv_bundle) == [field.vault.device_id]
    imported = desks.to_lviv(kyiv_bundle)  # refused as signer:<the worker's revision> before
    assert imported.vouched == (field.vault.device_id,)
    known = desks.lviv.sync.device(field.vault.device_id)
    assert known is not None
    assert (known.status, known.role, known.vouched_by) == ("enrolled", "device", desks.kyiv.device_id)
    assert known.public_key == field.vault.device_public_key

    # The bundle Lviv held is imported now, from where it was left.
    [released] = desks.release_at_lviv()
    assert (released.bundle_id, released.replay) == (first.bundle_id, False)
    held_row = desks.lviv.sync.held_bundle(first.bundle_id)
    assert held_row is not None and held_row.status == "approved"
    assert desks.lviv.sync.held_bundles() == []
    assert desks.lviv.evidence.get(field.evidence_id).sha256 == field.sha256
    assert desks.lviv.sync.received_bundle(first.bundle_id) is not None

    # Its next bundle goes straight in; the devices view shows it verified, by Kyiv's word.
    make_case(field.vault, title="Second case")
    second = desks.org.export(field.vault)
    assert not desks.to_lviv(second.path).replay
    [row] = [r for r in devices_view(desks.lviv) if r.device_id == field.vault.device_id]
    assert (row.verification, row.held_bundles, row.gaps, row.vouched_by) == (
        "verified",
        0,
        (),
        desks.kyiv.device_id,
    )
    assert desks.lviv.verify().ok


def test_a_field_workers_vault_still_does_not_take_bundles_of_a_device_vouched_for(
    desks: Desks,
) -> None:
    """A send-back's vouch lets a worker take the relayed revisions, not the
    device's own bundles (unchanged: only coordinators take them)."""
    field = desks.worker("field")
    other = desks.worker("other")
    desks.org.import_(desks.org.export(field.vault).path)
    bundle = desks.org.export(other.vault)
    desks.org.import_(bundle.path)
    # The worker learns "other" as Kyiv's vouch would make it known.
    with field.vault.sync.begin_import() as unit:
        assert unit.vouch_device(
            other.vault.device_id,
            other.vault.device_public_key,
            other.vault.vault_keys.age_recipient(),
            vouched_by=desks.kyiv.device_id,
        )
    with pytest.raises(BundleRejected) as refused:
        import_bundle(
            field.vault, bundle.path, field.vault.vault_keys.age_identity(), org_id=desks.org.org_id
        )
    assert isinstance(refused.value, BundleQuarantined)  # not admitted: held, nothing applied
    assert field.vault.sync.received_bundle(bundle.bundle_id) is None


def test_only_a_coordinators_bundle_vouches(desks: Desks) -> None:
    field = desks.worker("field")
    made = desks.org.export(field.vault)
    desks.org.import_(made.path)
    opened = read_bundle(made.path, desks.kyiv.vault_keys.age_identity(), org_id=desks.org.org_id)
    assert opened.manifest.devices == ()  # a worker's bundle vouches for nobody
    assert coordinator_vouches(field.vault, org_vault.held_profile(field.vault)) == ()
    assert [d.device_id for d in coordinator_vouches(desks.kyiv, org_vault.held_profile(desks.kyiv))] == [
        field.vault.device_id
    ]


# -- adversarial -----------------------------------------------------------------------


def _forged(sender: Vault, desks: Desks, dest: Path, vouched: list[VouchedDevice]) -> Path:
    """A bundle signed by ``sender``'s own device key (its next number after
    what Lviv imported of it) whose manifest vouches for ``vouched``."""
    return signed_by(sender, desks, dest, prefix="forged-", devices=vouched)


def _outsider(desks: Desks, name: str) -> Vault:
    vault = record_field_work(desks.tmp_path / name, desks.tmp_path).vault
    desks.others.append(vault)
    return vault


def _card(vault: Vault) -> VouchedDevice:
    return VouchedDevice(vault.device_public_key, vault.vault_keys.age_recipient())


def test_a_vouch_from_a_field_worker_is_refused(desks: Desks) -> None:
    field = desks.worker("field")
    desks.org.import_(desks.org.export(field.vault).path)
    desks.to_lviv(desks.kyiv_bundle())  # Lviv knows the worker, on Kyiv's word
    stranger = _outsider(desks, "stranger")
    forged = _forged(field.vault, desks, desks.tmp_path / "forged", [_card(stranger)])
    with pytest.raises(BundleRejected) as refused:
        desks.to_lviv(forged)
    assert (refused.value.kind, refused.value.subject) == ("signer", stranger.device_id)
    assert desks.lviv.sync.device(stranger.device_id) is None


def test_a_vouch_from_a_removed_coordinator_is_refused(desks: Desks, tmp_path: Path) -> None:
    odesa = add_desk(desks.kyiv, tmp_path / "odesa", label="Odesa desk")
    desks.others.append(odesa)
    org_vault.update_profile(desks.lviv, current_profile(desks.kyiv))
    org_vault.remove_coordinator(desks.kyiv, odesa.device_id)
    org_vault.update_profile(desks.lviv, current_profile(desks.kyiv))
    # The removed desk, still holding the profile that names it, vouches for a stranger.
    stranger = _outsider(desks, "stranger")
    forged = _forged(odesa, desks, desks.tmp_path / "forged", [_card(stranger)])
    known = desks.lviv.sync.device(odesa.device_id)
    assert known is not None and known.role == "device"  # no longer a coordinator at Lviv
    with pytest.raises(BundleRejected) as refused:
        desks.to_lviv(forged)
    assert (refused.value.kind, refused.value.subject) == ("signer", stranger.device_id)
    assert desks.lviv.sync.device(stranger.device_id) is None


def test_a_vouch_does_not_enrol_a_device_the_profile_revokes(desks: Desks) -> None:
    field = desks.worker("field")
    made = desks.org.export(field.vault)
    desks.hold_at_lviv(made.path)
    # Kyiv adds the worker by its card (none of its revisions at Kyiv yet),
    # makes its bundle (vouching), then revokes the worker; Lviv takes the
    # new profile before the old bundle reaches it.
    org_vault.add_device(desks.kyiv, org_vault.own_device_card(field.vault).text)
    stale = desks.kyiv_bundle()
    assert _vouched_ids(desks, stale) == [field.vault.device_id]
    desks.revoke(field.vault.device_id)
    imported = desks.to_lviv(stale)
    assert imported.vouched == ()
    assert desks.lviv.sync.device(field.vault.device_id) is None
    assert desks.release_at_lviv() == []
    with pytest.raises(BundleRejected) as refused:
        desks.to_lviv(made.path)
    assert refused.value.reason == "device-revoked"


def test_a_vouch_does_not_undo_a_revocation_the_vault_holds(desks: Desks) -> None:
    field = desks.worker("field")
    made = desks.org.export(field.vault)
    desks.org.import_(made.path)
    # Lviv holds the device as revoked (a row of its own, the profile silent).
    desks.lviv.sync.put_device(
        Device(
            field.vault.device_id,
            field.vault.device_public_key,
            field.vault.vault_keys.age_recipient(),
            status="revoked",
        )
    )
    kyiv_bundle = desks.kyiv_bundle()
    assert _vouched_ids(desks, kyiv_bundle) == [field.vault.device_id]
    # Kyiv's bundle relays the worker's revisions: refused, not enrolled.
    with pytest.raises(BundleRejected) as refused:
        desks.to_lviv(kyiv_bundle)
    assert refused.value.kind == "signer"
    known = desks.lviv.sync.device(field.vault.device_id)
    assert known is not None and known.status == "revoked" and known.vouched_by is None
    with pytest.raises(BundleRejected) as own:
        desks.to_lviv(made.path)
    assert own.value.reason == "device-revoked"


def test_a_vouch_cannot_name_a_device_id_with_another_key(desks: Desks) -> None:
    """The id in a vouch is its key's (the first 16 bytes of its SHA-256):
    a vouch for a held bundle's device id with another key is not a
    manifest a reader takes; and the vouch taken is the held bundle's key."""
    field = desks.worker("field")
    impostor = _outsider(desks, "impostor")
    manifest = json.loads(
        canonical(
            {
                "format": "fieldvault-bundle-manifest",
                "version": 1,
                "bundle": {
                    "org_id": desks.org.org_id,
                    "device_id": "a" * 32,
                    "sequence": 1,
                    "previous": None,
                },
                "revisions": [],
                "custody": [],
                "blobs": [],
                "devices": [_card(field.vault).to_json()],
            }
        )
    )
    parse_manifest(canonical(manifest))  # the genuine entry reads
    manifest["devices"][0]["device_key"] = base64.b64encode(impostor.device_public_key).decode("ascii")
    with pytest.raises(BundleRejected) as refused:
        parse_manifest(canonical(manifest))
    assert refused.value.reason == "archive-form"

    # End to end: Lviv holds the worker's bundle; Kyiv vouches; what Lviv
    # enrols is the key of the held bundle's header, and only that bundle's
    # device is released.
    made = desks.org.export(field.vault)
    desks.hold_at_lviv(made.path)
    desks.org.import_(made.path)
    desks.to_lviv(desks.kyiv_bundle())
    held = desks.lviv.sync.held_bundle(made.bundle_id)
    known = desks.lviv.sync.device(field.vault.device_id)
    assert held is not None and known is not None and known.public_key == held.device_key
    assert [r.bundle_id for r in desks.release_at_lviv()] == [made.bundle_id]


def test_a_third_desk_learns_the_device_from_the_second_desks_bundle(desks: Desks, tmp_path: Path) -> None:
    """Kyiv's bundle reached Lviv and not Odesa (a lost stick): Lviv's own
    bundle to coordinators vouches for what it took on Kyiv's word, so Odesa
    imports the worker's bundle it held (``vouched_by`` Lviv)."""
    odesa = add_desk(desks.kyiv, tmp_path / "odesa", label="Odesa desk")
    desks.others.append(odesa)
    org_vault.update_profile(desks.lviv, current_profile(desks.kyiv))
    field = desks.worker("field")
    made = desks.org.export(field.vault)
    with pytest.raises(BundleQuarantined):
        import_by_usb(odesa, made.path, desks.org.org_id)
    desks.org.import_(made.path)
    desks.to_lviv(desks.kyiv_bundle())
    lviv_bundle = desks.org.export(desks.lviv)
    taken = import_by_usb(odesa, lviv_bundle.path, desks.org.org_id)
    assert taken.vouched == (field.vault.device_id,)
    known = odesa.sync.device(field.vault.device_id)
    assert known is not None and known.vouched_by == desks.lviv.device_id
    released = release_held(odesa, odesa.vault_keys.age_identity(), org_id=desks.org.org_id)
    assert [r.imported.bundle_id for r in released if r.imported is not None] == [made.bundle_id]


def test_the_list_is_bounded(desks: Desks, monkeypatch: pytest.MonkeyPatch) -> None:
    from sync.bundle import vouching

    workers = [desks.worker(f"w{n}") for n in range(3)]
    for work in workers:
        org_vault.add_device(desks.kyiv, org_vault.own_device_card(work.vault).text)
    profile = org_vault.held_profile(desks.kyiv)
    every = [d.device_id for d in coordinator_vouches(desks.kyiv, profile)]
    assert every == sorted(w.vault.device_id for w in workers)
    monkeypatch.setattr(vouching, "MAX_VOUCHED", 2)
    assert [d.device_id for d in coordinator_vouches(desks.kyiv, profile)] == every[:2]


def _swap_at_the_import(desks: Desks, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str, str]:
    """A worker's first bundle held at Lviv, then vouched for by Kyiv; the
    release's import is wrapped so that the held file becomes the worker's
    second bundle (valid, never imported at Lviv) at the moment between the
    release's check and the import's read. (held file, held id, other id)"""
    from sync.bundle import quarantine

    field = desks.worker("field")
    first = desks.org.export(field.vault)
    desks.hold_at_lviv(first.path)
    desks.org.import_(first.path)
    make_case(field.vault, title="Second case")
    second = desks.org.export(field.vault)
    assert second.bundle_id != first.bundle_id
    desks.to_lviv(desks.kyiv_bundle())  # the vouch: the worker is enrolled at Lviv
    real_import = import_bundle

    def swapped_then_imported(vault: Vault, path: Path, *args: object, **kwargs: object) -> ImportedBundle:
        if path.absolute() == first.path.absolute():
            path.write_bytes(second.path.read_bytes())
        return real_import(vault, path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(quarantine, "import_bundle", swapped_then_imported)
    return first.path, first.bundle_id, second.bundle_id


def test_a_held_file_swapped_before_the_import_is_not_reported_as_the_held_bundle(
    desks: Desks, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review 8 F7: the release checks the held file's bundle id, then the
    import reads the file again. Swapped in between for another valid bundle
    of the same device, that bundle is imported (it passes every check), and
    the result says so: the held bundle is not named imported, and its row
    stays held (before: ``Released(held, imported=<the other bundle>)``)."""
    _, held_id, other_id = _swap_at_the_import(desks, monkeypatch)
    [released] = release_held(desks.lviv, desks.lviv.vault_keys.age_identity(), org_id=desks.org.org_id)

    assert released.held.bundle_id == held_id
    assert released.imported is None
    assert released.imported_instead is not None
    assert released.imported_instead.bundle_id == other_id
    held_row = desks.lviv.sync.held_bundle(held_id)
    assert held_row is not None and held_row.status == "held"
    assert desks.lviv.sync.received_bundle(held_id) is None
    assert desks.lviv.sync.received_bundle(other_id) is not None  # passed every check
    assert [h.bundle_id for h in desks.lviv.sync.held_bundles()] == [held_id]


class _Printed:
    """What ``fieldvault bundle import`` prints, kept (the command's output sink)."""

    def __init__(self) -> None:
        self.rows: list[dict[str, object]] = []
        self.lines: list[str] = []

    def __call__(self, rows: list[dict[str, object]], human: object) -> None:
        self.rows += rows
        self.lines += [human(row) for row in rows]  # type: ignore[operator]


def test_the_command_line_names_the_swapped_bundle_and_counts_it_refused(
    desks: Desks, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``fieldvault bundle import``'s release rows (fieldvault/bundle_cli.py):
    the held bundle is reported still held, with the bundle imported in its
    place, and counts as refused (the command exits 1)."""
    from types import SimpleNamespace

    from fieldvault.bundle_cli import _release_held

    path, held_id, other_id = _swap_at_the_import(desks, monkeypatch)
    printed = _Printed()
    out = SimpleNamespace(rows=printed)
    counted = _release_held(out, desks.lviv, desks.lviv.vault_keys.age_identity(), desks.org.org_id)

    assert counted == (1, 0, 0)  # refused, failed, held again
    [row] = printed.rows
    assert (row["bundle_id"], row["ok"], row["released"]) == (held_id, False, False)
    assert (row["reason"], row["imported_instead"]) == ("quarantine-file-changed", other_id)
    [line] = printed.lines
    assert f"bundle {held_id}: held in quarantine and still held" in line
    assert f"{path} was bundle {other_id} when imported, which is imported (it passed every check)" in line
