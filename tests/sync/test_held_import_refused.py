"""Why a bundle is still held (sync.bundle.quarantine.held_states): an
approval whose import a later check refuses leaves the bundle held and the
device unknown, as before, and now keeps the refusal's reason code, so the
devices view says it was refused instead of "held until its verification
code is compared" (the code was compared: it matched). A later good copy
approved clears it. Real vaults, bundles through a folder."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from db.api import Device
from sync import org_vault
from sync.bundle import BundleRejected
from sync.bundle.admission import BundleQuarantined
from sync.bundle.quarantine import approve_bundle, held_states
from tests.sync.test_coordinator_vouching import Desks


@pytest.fixture
def desks(tmp_path: Path) -> Iterator[Desks]:
    made = Desks(tmp_path)
    yield made
    made.close()


def test_an_approval_refused_by_a_later_check_keeps_its_reason(desks: Desks, tmp_path: Path) -> None:
    field = desks.worker("field")
    made = desks.org.export(field.vault)
    stick = tmp_path / "lviv-stick"
    stick.mkdir()
    damaged = stick / made.path.name
    shutil.copyfile(made.path, damaged)
    data = bytearray(damaged.read_bytes())
    data[-1] ^= 0x01  # after the header: only the import's payload check sees it
    damaged.write_bytes(bytes(data))
    with pytest.raises(BundleQuarantined):
        desks.to_lviv(damaged)
    [state] = held_states(desks.lviv)
    assert state.state == "awaiting-verification"

    code = org_vault.status(field.vault).verification_code
    identity = desks.lviv.vault_keys.age_identity()
    with pytest.raises(BundleRejected) as refused:
        approve_bundle(desks.lviv, str(damaged), code, identity)
    assert refused.value.reason == "payload-hash"
    assert desks.lviv.sync.device(field.vault.device_id) is None  # all or nothing, as before
    [state] = held_states(desks.lviv)
    assert (state.state, state.reason, state.held.bundle_id) == ("refused", "payload-hash", made.bundle_id)

    # The worker's good copy, approved with the same code: imported, nothing held or said.
    imported = approve_bundle(desks.lviv, str(made.path), code, identity)
    assert imported.bundle_id == made.bundle_id
    assert held_states(desks.lviv) == []


def test_approving_a_device_this_vault_holds_revoked_is_refused_with_its_reason(desks: Desks) -> None:
    """The vault's row says revoked while the profile it holds does not list
    the device (a profile applied half way): the approval by code is refused
    as admission refuses a revoked device, with its reason kept, instead of
    failing inside the enrolment with a ValueError; nothing is stored."""
    field = desks.worker("field")
    made = desks.org.export(field.vault)
    with pytest.raises(BundleQuarantined):
        desks.to_lviv(made.path)
    device_id = field.vault.device_id
    desks.lviv.sync.put_device(
        Device(
            device_id=device_id,
            public_key=field.vault.device_public_key,
            age_recipient="",
            status="revoked",
        )
    )
    profile = org_vault.held_profile(desks.lviv)
    assert profile is not None and device_id not in profile.revoked
    revisions_before = len(desks.lviv.revisions.since(0, 10_000))

    code = org_vault.status(field.vault).verification_code
    with pytest.raises(BundleRejected) as refused:
        approve_bundle(desks.lviv, str(made.path), code, desks.lviv.vault_keys.age_identity())
    assert refused.value.reason == "device-revoked"
    device = desks.lviv.sync.device(device_id)
    assert device is not None and device.status == "revoked"
    assert len(desks.lviv.revisions.since(0, 10_000)) == revisions_before
    [state] = held_states(desks.lviv)
    assert (state.state, state.reason) == ("refused", "device-revoked")
