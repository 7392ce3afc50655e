"""A re-read (``bundle import --reread``, sync/bundle/reread.py) whose
sender is revoked, or whose sender's vouch lapses, between the re-read's
checks and its write lock (docs/bundle-format.md §10 "A deliberate
re-read", §5 step 5).

The re-read checks the sender (§5.5: revoked, pending) before it takes the
lock, from the profile and devices held then, and applies what the bundle
carries by that profile. A revocation or a lapse stored in between (a
coordinator in the GUI, a pull or another import storing a newer profile)
must give what it gives before the re-read: the re-read refused as then
(``device-revoked``, ``reread-device-pending``), nothing applied.

The window is made real as in tests/sync/test_revoked_after_admission.py:
``SyncStateService.begin_import`` is wrapped so that the change is stored
through the public API (``org_vault.update_profile`` of the key desk's new
profile, or ``vault.sync.set_device_status``) when the re-read asks for its
lock; each outcome is compared with the same re-read on a copy of the desk's
vault taken just before, where the change came first.

Real vaults and real signed bundles (tests/sync/reread_world.py,
tests/sync/test_old_vouch_never_renews.py's scene)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from db.api import Vault, parked_by_signer, withheld_revision_ids
from sync import org_vault
from sync.bundle.errors import BundleRejected
from sync.bundle.reread import RereadRefused, reread_bundle
from tests.sync.desk_world import (
    UsbDesks,
    act_at_the_import_lock,
    assert_verified,
    import_by_usb,
    odesa_adds_x_by_card,
    usb_desks,
)
from tests.sync.reread_world import Scene, scene, state, stored
from tests.vault_helpers import open_vault

desks = usb_desks  # the fixture, under the name the tests ask for
__all__ = ["desks", "scene"]

Change = Callable[[Vault], None]


@dataclass(frozen=True)
class Outcome:
    answer: str  # "reread" with the count applied, or the refusal's kind / code
    state: tuple[object, ...]
    withheld: frozenset[str]
    parked: dict[str, int]


def _outcome(vault: Vault, run: Callable[[Vault], object]) -> Outcome:
    try:
        done = run(vault)
        answer = f"reread:{len(getattr(done, 'applied', ()))}"
    except BundleRejected as refused:
        answer = f"refused:{refused.kind}"
    except RereadRefused as refused:
        answer = f"refused:{refused.code}"
    return Outcome(answer, state(vault), withheld_revision_ids(vault), parked_by_signer(vault))


def _split(vault: Vault, twin_name: str) -> tuple[Vault, Vault]:
    """``vault`` copied as it is now (locked to copy it, both opened again):
    (the vault opened again, the copy)."""
    folder = Path(vault.folder)
    vault.lock()
    shutil.copytree(folder, folder.with_name(twin_name))
    return open_vault(folder), open_vault(folder.with_name(twin_name))


def _in_the_window(monkeypatch: pytest.MonkeyPatch, act: Callable[[], None]) -> list[str]:
    """``act`` runs once, when the re-read first asks for its write lock
    (a bundle received here: its first ``begin_import`` is the lock's)."""
    return act_at_the_import_lock(monkeypatch, act)


def _compare(
    vault: Vault, twin: Vault, change: Change, run: Callable[[Vault], object], monkeypatch: pytest.MonkeyPatch
) -> Outcome:
    """``run`` on ``twin`` after ``change``, and on ``vault`` with ``change``
    done in the window: both outcomes must be the same."""
    change(twin)
    before = _outcome(twin, run)
    ran = _in_the_window(monkeypatch, lambda: change(vault))
    window = _outcome(vault, run)
    assert ran, "the re-read never asked for its write lock"
    assert window == before
    return window


# -- W revoked while Rivne re-reads its bundle ---------------------------------------------------


def _revoked_by_profile(scene: Scene) -> Change:
    signed = org_vault.revoke_device(scene.kyiv, scene.worker.vault.device_id).signed

    def take(vault: Vault) -> None:
        org_vault.update_profile(vault, signed)

    return take


def _revoked_in_the_table(scene: Scene) -> Change:
    """Only the devices table says revoked (a profile being stored marks
    the rows first, sync/org_vault.py ``_keep``)."""
    return lambda vault: vault.sync.set_device_status(scene.worker.vault.device_id, "revoked")


@pytest.mark.parametrize(
    "revoke", [_revoked_by_profile, _revoked_in_the_table], ids=["profile", "devices-table"]
)
def test_a_sender_revoked_in_the_window_of_a_reread_is_refused_as_revoked(
    scene: Scene, monkeypatch: pytest.MonkeyPatch, revoke: Callable[[Scene], Change]
) -> None:
    change = revoke(scene)
    scene.rivne, twin = _split(scene.rivne, "rivne-twin")
    try:
        before = state(scene.rivne)

        def run(vault: Vault) -> object:
            return reread_bundle(
                vault, scene.bundle.path, vault.vault_keys.age_identity(), org_id=scene.org.org_id
            )

        outcome = _compare(scene.rivne, twin, change, run, monkeypatch)
        # Before: refused ``signer`` (the first of W's revisions the unit
        # no longer authorised), not as W's revocation.
        assert outcome.answer == "refused:device-revoked"
        assert not set(scene.dropped) & stored(scene.rivne)
        assert outcome.state[:3] == before[:3]
        assert_verified(scene.rivne)
    finally:
        scene.rivne.lock()
        twin.lock()


# -- X's vouch lapses while Lviv re-reads its bundle -----------------------------------------------


def test_a_vouch_lapsing_in_the_window_of_a_reread_refuses_it_as_from_a_pending_device(
    desks: UsbDesks, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lviv received X's first bundle while Odesa's word for X stood
    (test_old_vouch_never_renews.py's scene); Kyiv's profile without Odesa
    reaches Lviv while Lviv re-reads that bundle: as when it came first,
    ``reread-device-pending`` (review 21 R3), X pending, nothing applied."""
    odesa, x = odesa_adds_x_by_card(desks)
    first = desks.org.export(x.vault).path
    import_by_usb(odesa, first, desks.org.org_id)
    assert desks.to_lviv(desks.org.export(odesa).path).vouched == (x.vault.device_id,)
    assert not desks.to_lviv(first).replay
    signed = org_vault.remove_coordinator(desks.kyiv, odesa.device_id).signed
    desks.lviv, twin = _split(desks.lviv, "desk2-twin")
    desks.others.append(twin)

    def run(vault: Vault) -> object:
        return reread_bundle(vault, first, vault.vault_keys.age_identity(), org_id=desks.org.org_id)

    def lapse(vault: Vault) -> None:
        org_vault.update_profile(vault, signed)

    outcome = _compare(desks.lviv, twin, lapse, run, monkeypatch)
    # Before: refused ``custody`` (X's events no longer authorised).
    assert outcome.answer == "refused:reread-device-pending"
    known = desks.lviv.sync.device(x.vault.device_id)
    assert known is not None and (known.status, known.vouched_by) == ("pending", odesa.device_id)
