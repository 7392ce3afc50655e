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
from collections.abc import Iterator
from pathlib import Path

import pytest

from db.api import Device, Vault
from sync import org_vault
from sync.bundle import BundleContents, BundleRejected, DeviceIdentity, read_bundle, write_bundle
from sync.bundle.admission import BundleQuarantined
from sync.bundle.format import VouchedDevice, canonical, parse_manifest
from sync.bundle.quarantine import release_held
from sync.bundle.vault_io import ImportedBundle, import_bundle
from sync.bundle.vouching import coordinator_vouches
from sync.merge.devices import devices_view
from tests.db.sync_fixtures import FieldWork, record_field_work
from tests.factory import make_case
from tests.sync.test_bundle_acks import second_coordinator
from tests.sync.trust_fixtures import Organisation, current_profile, make_organisation


class Desks:
    """The Kyiv desk (created the organisation: its key, its tokens) and the
    Lviv desk (a coordinator of the profile, without the key)."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.org: Organisation = make_organisation(tmp_path)
        self.lviv: Vault = second_coordinator(self.org, tmp_path)
        self.others: list[Vault] = []

    @property
    def kyiv(self) -> Vault:
        return self.org.coordinator

    def worker(self, name: str) -> FieldWork:
        """A field worker enrolled with one of Kyiv's tokens."""
        work = self.org.worker(name, token=self.org.token())
        return work

    def to_lviv(self, path: Path) -> ImportedBundle:
        return import_bundle(self.lviv, path, self.lviv.vault_keys.age_identity(), org_id=self.org.org_id)

    def release_at_lviv(self) -> list[ImportedBundle]:
        released = release_held(self.lviv, self.lviv.vault_keys.age_identity(), org_id=self.org.org_id)
        assert all(r.refusal is None and not r.file_gone for r in released)
        return [r.imported for r in released if r.imported is not None]

    def kyiv_bundle(self) -> Path:
        """Kyiv's ordinary bundle, to every coordinator (``bundle export``)."""
        return self.org.export(self.kyiv).path

    def close(self) -> None:
        for vault in self.others:
            vault.lock()
        self.lviv.lock()
        self.org.close()


@pytest.fixture
def desks(tmp_path: Path) -> Iterator[Desks]:
    made = Desks(tmp_path)
    yield made
    made.close()


def _vouched_ids(desks: Desks, path: Path) -> list[str]:
    opened = read_bundle(path, desks.lviv.vault_keys.age_identity(), org_id=desks.org.org_id)
    return [d.device_id for d in opened.manifest.devices]


def test_a_worker_enrolled_by_one_desk_is_taken_by_the_other_and_its_held_bundle_imported(
    desks: Desks,
) -> None:
    field = desks.worker("field")
    first = desks.org.export(field.vault)
    # Lviv cannot check Kyiv's token: held, as before.
    with pytest.raises(BundleQuarantined) as held:
        desks.to_lviv(first.path)
    assert held.value.reason == "token-unknown"
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
    last = desks.lviv.sync.device(sender.device_id)
    sequence = (last.last_sequence if last is not None else 0) + 1
    previous = last.last_bundle_id if last is not None else None
    profile = org_vault.held_profile(desks.lviv)
    assert profile is not None
    dest.mkdir(exist_ok=True)
    written = write_bundle(
        dest / f"forged-{sender.device_id}-{sequence}.fvbundle",
        BundleContents(
            org_id=desks.org.org_id,
            profile_version=profile.version,
            sequence=sequence,
            previous=previous,
            custody_head=None,
            devices=vouched,
        ),
        DeviceIdentity(sender.sync.signing_key(), sender.device_id),
        [c.age_recipient for c in profile.coordinators],
    )
    return written.path


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
    odesa = second_coordinator(desks.org, tmp_path / "odesa-desk")
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
    with pytest.raises(BundleQuarantined):
        desks.to_lviv(made.path)
    # Kyiv adds the worker by its card (none of its revisions at Kyiv yet),
    # makes its bundle (vouching), then revokes the worker; Lviv takes the
    # new profile before the old bundle reaches it.
    org_vault.add_device(desks.kyiv, org_vault.own_device_card(field.vault).text)
    stale = desks.kyiv_bundle()
    assert _vouched_ids(desks, stale) == [field.vault.device_id]
    org_vault.revoke_device(desks.kyiv, field.vault.device_id)
    org_vault.update_profile(desks.lviv, current_profile(desks.kyiv))
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
    with pytest.raises(BundleQuarantined):
        desks.to_lviv(made.path)
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
    odesa = second_coordinator(desks.org, tmp_path / "odesa-desk")
    desks.others.append(odesa)
    org_vault.update_profile(desks.lviv, current_profile(desks.kyiv))
    field = desks.worker("field")
    made = desks.org.export(field.vault)
    with pytest.raises(BundleQuarantined):
        import_bundle(odesa, made.path, odesa.vault_keys.age_identity(), org_id=desks.org.org_id)
    desks.org.import_(made.path)
    desks.to_lviv(desks.kyiv_bundle())
    lviv_bundle = desks.org.export(desks.lviv)
    taken = import_bundle(odesa, lviv_bundle.path, odesa.vault_keys.age_identity(), org_id=desks.org.org_id)
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
