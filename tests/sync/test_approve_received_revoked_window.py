"""The approval by code of a bundle received on a hand-over's word, for a
device revoked after the approval's own check, gives what the same
approval gives after the revocation (docs/bundle-format.md §5 step 5).

``approve_bundle`` (sync/bundle/quarantine.py) refuses a device the profile
held revokes (``quarantine-device-revoked``): nothing changes, no refusal
recorded. A held bundle this desk counts as received (a hand-over named it)
is approved from its row (``approve_received``, sync/bundle/vault_io.py);
a revocation stored after that check and before the approval's write lock
ended it ``device-revoked`` instead, the refusal recorded for the held
bundle. b608d15 did the same for an approval that imports the file
(tests/sync/test_readmission_approval.py).

The scene of tests/sync/test_held_bundle_received_elsewhere.py, real vaults
and signed bundles by USB: worker X pending at Lviv, its second bundle held
there and then received on Kyiv's hand-over's word. The window is made
real through the public API (a wrapped ``SyncStateService.begin_import``,
as tests/sync/test_revoked_after_admission.py does); each outcome is
compared with the same approval on a copy of Lviv where the change came
first."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from db.api import FieldvaultError, Vault, withheld_revision_ids
from sync import org_vault
from sync.bundle.quarantine import approve_bundle, import_refusals
from tests.sync.desk_world import UsbDesks, act_at_the_import_lock, usb_desks
from tests.sync.test_held_bundle_received_elsewhere import LATER, _held_then_received_on_word, _titles
from tests.vault_helpers import open_vault

desks = usb_desks
__all__ = ["desks"]


@dataclass(frozen=True)
class Outcome:
    """What the approval left in Lviv's vault: ids, states and titles."""

    answer: str  # "approved", or the error's code
    device_status: str | None
    row_status: str | None
    refusals: dict[str, str]
    withheld: frozenset[str]
    later_stored: bool


def _outcome(vault: Vault, bundle_id: str, device_id: str, approve: Callable[[], object]) -> Outcome:
    try:
        approve()
        answer = "approved"
    except FieldvaultError as refused:
        answer = refused.code or type(refused).__name__
    device = vault.sync.device(device_id)
    row = vault.sync.held_bundle(bundle_id)
    return Outcome(
        answer=answer,
        device_status=device.status if device is not None else None,
        row_status=row.status if row is not None else None,
        refusals=import_refusals(vault),
        withheld=withheld_revision_ids(vault),
        later_stored=LATER in _titles(vault),
    )


def _copy(desks: UsbDesks) -> Vault:
    """A copy of Lviv as it is now (locked to copy it, both opened again)."""
    folder = Path(desks.lviv.folder)
    desks.lviv.lock()
    shutil.copytree(folder, folder.with_name("lviv-twin"))
    desks.lviv = open_vault(folder)
    twin = open_vault(folder.with_name("lviv-twin"))
    desks.others.append(twin)
    return twin


def _in_the_window(monkeypatch: pytest.MonkeyPatch, act: Callable[[], None]) -> list[str]:
    """``act`` runs once, when the approval first asks for its write lock:
    after approve_bundle's check of the profile. Returns a list that says
    it ran."""
    return act_at_the_import_lock(monkeypatch, act)


def _compare(
    desks: UsbDesks, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, revoke: Callable[[Vault, str], None]
) -> Outcome:
    """The approval of X's received bundle on a copy of Lviv revoked first,
    and on Lviv revoked in the window: both must give the same. Returns it."""
    scene = _held_then_received_on_word(desks, tmp_path)
    x_id, bundle_id = scene.x.device_id, scene.second.bundle_id
    code = org_vault.status(scene.x).verification_code

    def approve(vault: Vault) -> Callable[[], object]:
        return lambda: approve_bundle(vault, bundle_id, code, vault.vault_keys.age_identity())

    twin = _copy(desks)
    revoke(twin, x_id)
    reference = _outcome(twin, bundle_id, x_id, approve(twin))
    lviv = desks.lviv
    ran = _in_the_window(monkeypatch, lambda: revoke(lviv, x_id))
    window = _outcome(lviv, bundle_id, x_id, approve(lviv))
    assert ran, "the approval never asked for its write lock"
    assert window == reference
    return window


def test_a_device_the_profile_revokes_in_the_window_is_refused_as_the_approval_refuses_it(
    desks: UsbDesks, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    revoking: list[bytes] = []

    def by_profile(vault: Vault, device_id: str) -> None:
        # One signed profile, made once by Kyiv (the key desk), applied at
        # each copy of Lviv: Lviv's own revocation of X.
        if not revoking:
            revoking.append(org_vault.revoke_device(desks.kyiv, device_id).signed)
        org_vault.update_profile(vault, revoking[0])

    outcome = _compare(desks, tmp_path, monkeypatch, by_profile)
    # Before: bundle-device-revoked, recorded as the held bundle's refusal.
    assert outcome.answer == "quarantine-device-revoked"
    assert outcome.refusals == {}
    assert (outcome.device_status, outcome.row_status) == ("revoked", "received")
    assert not outcome.later_stored and not outcome.withheld


def test_a_revocation_only_the_devices_table_holds_is_refused_as_before(
    desks: UsbDesks, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """approve_bundle's check reads the profile only: such a revocation,
    before or in the window, is the unit's refusal, recorded, as b608d15
    left it for an approval that imports the file."""

    def by_devices_table(vault: Vault, device_id: str) -> None:
        vault.sync.set_device_status(device_id, "revoked")

    outcome = _compare(desks, tmp_path, monkeypatch, by_devices_table)
    assert outcome.answer == "bundle-device-revoked"
    assert list(outcome.refusals.values()) == ["device-revoked"]
    assert (outcome.device_status, outcome.row_status) == ("revoked", "received")
    assert not outcome.later_stored
