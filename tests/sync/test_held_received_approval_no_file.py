"""Approving by code a held bundle that a hand-over counted as received,
once its file is gone (review 23 F3; docs/bundle-format.md §5 step 5).

A pull acknowledges a spool-held ``received`` row and removes its copy
(sync/client/pull.py); deleting the file stands in for that here. The
approval enrols the device from what the vault holds (the row's device id
and key, from the bundle's signed header when it was held), so it needs no
file. Before the fix it refused ``quarantine-file-changed`` ("Give the
bundle file") and X stayed pending, its case kept aside. Every refusal
stays: a wrong code, a device revoked (by the profile, or in the vault).

The scene is tests/sync/test_held_bundle_received_elsewhere.py's, real
vaults and signed bundles by USB."""

from __future__ import annotations

from pathlib import Path

import pytest

from db.api import Vault
from sync import org_vault
from sync.bundle.admission import Admission
from sync.bundle.quarantine import QuarantineRefused, approve_bundle
from sync.bundle.vault_io import approve_received
from tests.cli_helpers import Cli, child_env
from tests.sync.desk_world import UsbDesks, assert_verified, usb_desks
from tests.sync.test_held_bundle_received_elsewhere import LATER, _held_then_received_on_word, _row, _titles
from tests.vault_helpers import PASSPHRASE, open_vault

desks = usb_desks
__all__ = ["desks"]
WRONG = "00000 00000 00000 00000 00000 00000"


def _status(vault: Vault, device_id: str) -> str:
    known = vault.sync.device(device_id)
    assert known is not None
    return known.status


def test_the_code_enrols_the_device_without_the_file(desks: UsbDesks, tmp_path: Path) -> None:
    scene = _held_then_received_on_word(desks, tmp_path)
    lviv, x_id, bundle_id = desks.lviv, scene.x.device_id, scene.second.bundle_id
    scene.second.path.unlink()  # as a pull removes a received row's spool copy

    # A misheard code still changes nothing.
    with pytest.raises(QuarantineRefused) as refused:
        approve_bundle(lviv, bundle_id, WRONG, lviv.vault_keys.age_identity())
    assert refused.value.code == "quarantine-code-mismatch"
    assert (_status(lviv, x_id), _row(lviv, bundle_id).status) == ("pending", "received")

    approved = approve_bundle(
        lviv, bundle_id, org_vault.status(scene.x).verification_code, lviv.vault_keys.age_identity()
    )
    assert (approved.replay, approved.bundle_id, approved.device_id) == (True, bundle_id, x_id)
    assert approved.sequence == _row(lviv, bundle_id).sequence
    assert approved.unparked_revisions  # X's case, kept aside, stored now
    known = lviv.sync.device(x_id)
    assert known is not None and (known.status, known.public_key) == (
        "enrolled",
        _row(lviv, bundle_id).device_key,
    )
    assert LATER in _titles(lviv)
    assert _row(lviv, bundle_id).status == "approved"
    assert not scene.second.path.exists()  # nothing written where the file was
    assert_verified(lviv)


def test_a_device_revoked_stays_out_without_the_file(desks: UsbDesks, tmp_path: Path) -> None:
    """Revoked by the profile: approve_bundle refuses before anything. An
    Admission handed straight to approve_received (as if the profile
    changed between that check and the unit): the unit finds the profile
    revoking X and gives the approval's refusal (session 18, H6: before,
    device-revoked; tests/sync/test_approve_received_revoked_window.py).
    Either way X stays revoked, its case out, the row received."""
    scene = _held_then_received_on_word(desks, tmp_path)
    lviv, x_id, bundle_id = desks.lviv, scene.x.device_id, scene.second.bundle_id
    scene.second.path.unlink()
    code = org_vault.status(scene.x).verification_code
    org_vault.update_profile(lviv, org_vault.revoke_device(desks.kyiv, x_id).signed)
    with pytest.raises(QuarantineRefused) as refused:
        approve_bundle(lviv, bundle_id, code, lviv.vault_keys.age_identity())
    assert refused.value.code == "quarantine-device-revoked"
    held = _row(lviv, bundle_id)
    with pytest.raises(QuarantineRefused) as rejected:
        approve_received(lviv, held, Admission(x_id, held.device_key, held.age_recipient or "", None))
    assert rejected.value.code == "quarantine-device-revoked"
    assert _status(lviv, x_id) == "revoked"
    assert LATER not in _titles(lviv)
    assert _row(lviv, bundle_id).status == "received"


def test_bundle_approve_by_id_works_after_the_file_is_gone(desks: UsbDesks, tmp_path: Path) -> None:
    scene = _held_then_received_on_word(desks, tmp_path)
    scene.second.path.unlink()
    code = org_vault.status(scene.x).verification_code
    folder = desks.lviv.folder
    desks.lviv.lock()
    said = Cli(folder, child_env(tmp_path)).run(
        "bundle", "approve", scene.second.bundle_id, "--code", code, secrets=[PASSPHRASE]
    )
    assert f"Device {scene.x.device_id} approved and enrolled." in said.stdout
    assert "kept aside stored now" in said.stdout
    desks.lviv = open_vault(folder)
    assert _status(desks.lviv, scene.x.device_id) == "enrolled"
    assert LATER in _titles(desks.lviv)
    assert _row(desks.lviv, scene.second.bundle_id).status == "approved"
