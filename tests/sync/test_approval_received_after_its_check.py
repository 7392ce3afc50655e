"""An approval by code whose held bundle a hand-over counts as received
after the approval's own check: the import takes the approval from the
vault's rows, as the same approval after the hand-over does
(docs/bundle-format.md §5 step 5, "Approval").

``approve_bundle`` (sync/bundle/quarantine.py) reads whether the held bundle
is received; not yet, so it imports the file (``import_bundle`` with the
admission the code compared). Should a hand-over's ``received`` name the
bundle before the import's own read (``_before_lock``), the import enrols
the device from the rows (``_approve_received``) instead of reading the
file again; a device the profile held revokes by then gives the approval's
own refusal (``_as_the_approval_refuses``). No test reached that path
before: tests/sync/test_approve_received_revoked_window.py and
test_held_received_approval_no_file.py start from a bundle received before
the approval, which ``approve_received`` takes.

The scene is tests/sync/test_held_bundle_received_elsewhere.py's (real
vaults, signed bundles by USB): worker X pending at Lviv, its bundle 2 held
there, and Kyiv's hand-over naming it. A copy of Lviv is taken before it
takes the hand-over; there the hand-over (and the change, if any) is taken
in the window, through the import's own header read
(tests/sync/test_readmission_approval.py ``_before_admission``). Each
outcome is compared with the same approval on Lviv, which took the
hand-over (and the change) first."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from db.api import Vault
from sync import org_vault
from sync.bundle.admission import BundleQuarantined
from sync.bundle.quarantine import approve_bundle
from tests.sync.desk_world import UsbDesks, assert_verified, import_by_usb, usb_desks
from tests.sync.test_approve_received_revoked_window import Outcome, _copy, _outcome
from tests.sync.test_held_bundle_received_elsewhere import _held_then_received_on_word
from tests.sync.test_readmission_approval import _before_admission

desks = usb_desks
__all__ = ["desks"]


@dataclass(frozen=True)
class Before:
    """Lviv's copy before it took the hand-over, and the hand-over's file."""

    lviv: Vault  # X pending, its bundle 2 held (device-unknown), not received
    hand_over: Path
    x: Vault
    bundle_id: str


def _scene(desks: UsbDesks) -> Before:
    """The scene built to its end (Lviv took the hand-over: bundle 2
    received), with a copy of Lviv made right after bundle 2 was held."""
    copies: list[Vault] = []
    taken: list[Path] = []
    hold, take = desks.hold_at_lviv, desks.to_lviv

    def held_then_copied(path: Path) -> BundleQuarantined:
        held = hold(path)
        copies.append(_copy(desks))
        return held

    def to_lviv(path: Path) -> object:
        taken.append(path)
        return take(path)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(desks, "hold_at_lviv", held_then_copied)
        patch.setattr(desks, "to_lviv", to_lviv)
        scene = _held_then_received_on_word(desks, desks.tmp_path)
    (early,) = copies
    bundle_id = scene.second.bundle_id
    assert early.sync.received_bundle(bundle_id) is None
    assert desks.lviv.sync.received_bundle(bundle_id) is not None
    return Before(early, taken[-1], scene.x, bundle_id)


def _nothing(_vault: Vault, _device_id: str) -> None:
    pass


def _by_devices_table(vault: Vault, device_id: str) -> None:
    vault.sync.set_device_status(device_id, "revoked")


Change = Callable[[Vault, str], None]


@pytest.fixture
def by_profile(desks: UsbDesks) -> Change:
    """Kyiv revokes X (one signed profile, made once); the vault takes it."""
    made: list[bytes] = []

    def revoke(vault: Vault, device_id: str) -> None:
        if not made:
            made.append(org_vault.revoke_device(desks.kyiv, device_id).signed)
        org_vault.update_profile(vault, made[0])

    return revoke


# What the approval answered, as ``bundle approve`` reports it: a replay (its
# content not read again), and the revisions kept aside that it stored.
Said = tuple[bool, int, tuple[str, ...]]


def _compare(desks: UsbDesks, monkeypatch: pytest.MonkeyPatch, change: Change) -> tuple[Outcome, list[Said]]:
    """The approval on Lviv (hand-over, then ``change``, then the approval)
    and on the copy made before the hand-over (the approval's check, then
    the hand-over and ``change`` in the window): both must give the same.
    Returns it, and what each approval answered (none if refused)."""
    before = _scene(desks)
    x_id, bundle_id = before.x.device_id, before.bundle_id
    code = org_vault.status(before.x).verification_code
    said: dict[str, Said] = {}

    def approve(vault: Vault, name: str) -> Callable[[], object]:
        def run() -> None:
            imported = approve_bundle(vault, bundle_id, code, vault.vault_keys.age_identity())
            said[name] = (imported.replay, imported.revisions, imported.unparked_revisions)

        return run

    lviv = desks.lviv
    change(lviv, x_id)
    reference = _outcome(lviv, bundle_id, x_id, approve(lviv, "reference"))

    early = before.lviv

    def in_the_window() -> None:
        taken = import_by_usb(early, before.hand_over, desks.org.org_id)
        assert taken.signer_pending and early.sync.received_bundle(bundle_id) is not None
        change(early, x_id)

    ran = _before_admission(monkeypatch, in_the_window)
    window = _outcome(early, bundle_id, x_id, approve(early, "window"))
    assert ran, "the approval never imported the file"
    assert window == reference
    assert said.get("window") == said.get("reference")
    return window, list(said.values())


def test_the_approval_enrols_the_device_from_the_rows_when_the_hand_over_came_in_the_window(
    desks: UsbDesks, monkeypatch: pytest.MonkeyPatch
) -> None:
    outcome, said = _compare(desks, monkeypatch, _nothing)
    assert outcome.answer == "approved"
    # X's case, kept aside, stored now and said so. With the enrolment from
    # the rows skipped (the file applied again under the lock), the answer
    # was a replay of 0 revisions, nothing stored said, though X's case was.
    ((replay, revisions, unparked),) = set(said)
    assert replay and revisions == len(unparked) == 1
    assert (outcome.device_status, outcome.row_status) == ("enrolled", "approved")
    assert outcome.refusals == {} and not outcome.withheld
    assert outcome.later_stored  # X's case, kept aside by the hand-over, stored now
    assert_verified(desks.lviv, *desks.others)


def test_a_device_the_profile_revokes_in_the_window_is_refused_as_the_approval_refuses_it(
    desks: UsbDesks, monkeypatch: pytest.MonkeyPatch, by_profile: Change
) -> None:
    outcome, said = _compare(desks, monkeypatch, by_profile)
    assert said == []
    assert outcome.answer == "quarantine-device-revoked"
    assert outcome.refusals == {}  # nothing recorded, as when the revocation came first
    assert (outcome.device_status, outcome.row_status) == ("revoked", "received")
    assert not outcome.later_stored and not outcome.withheld


def test_a_revocation_only_the_devices_table_holds_is_the_units_refusal_recorded(
    desks: UsbDesks, monkeypatch: pytest.MonkeyPatch
) -> None:
    """approve_bundle's check reads the profile only: the unit refuses the
    device, and the refusal is recorded for the held bundle."""
    outcome, said = _compare(desks, monkeypatch, _by_devices_table)
    assert said == []
    assert outcome.answer == "bundle-device-revoked"
    assert list(outcome.refusals.values()) == ["device-revoked"]
    assert (outcome.device_status, outcome.row_status) == ("revoked", "received")
    assert not outcome.later_stored
