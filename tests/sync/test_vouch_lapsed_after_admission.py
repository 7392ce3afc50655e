"""A coordinator's vouch that lapses between admission and the import's
write lock (docs/bundle-format.md §5 step 5, §8 "A vouch lapses with its
coordinator").

The Odesa desk vouched for field worker X at Kyiv and Lviv
(tests/sync/test_vouch_after_removal.py). X's own bundle reaches Lviv: its
admission reads X ``enrolled`` on Odesa's word, Odesa a coordinator of the
profile held, and admits it. Before the import takes the write lock, Lviv
takes Kyiv's profile without Odesa (a pull, another import, the GUI), which
sets X ``pending`` (sync/bundle/vouching.py ``lapse_vouches``). The import
must give what the same import gives after the profile: the bundle held in
quarantine as from an unknown device (``device-unknown``, approved by code
or released by a current coordinator's vouch), nothing of it applied,
nothing recorded as received.

The window is made real as in tests/sync/test_revoked_after_admission.py:
``SyncStateService.begin_import`` is wrapped so that the profile is stored
through the public API (``org_vault.update_profile``) when the import asks
for its lock, after admission; the outcome is compared with the same import
on a copy of Lviv's vault taken just before, where the profile came first.

Real vaults and real signed bundles, through a folder standing for a USB
stick."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import pytest
from sqlalchemy import text

from db.api import Vault, parked_by_signer, withheld_revision_ids
from sync import org_vault
from sync.bundle import BundleRejected
from sync.bundle.admission import BundleQuarantined
from sync.bundle.reread import RereadRefused
from sync.bundle.vault_io import import_bundle
from tests.sync.desk_world import UsbDesks, act_at_the_import_lock, assert_verified, usb_desks
from tests.sync.test_vouch_after_removal import LATER_CASE, _case_titles, _odesa_vouched_then_removed, _status
from tests.vault_helpers import open_vault

desks = usb_desks  # the fixture, under the name the tests ask for
__all__ = ["desks"]

TABLES = (
    "revisions",
    "received_bundles",
    "received_custody_events",
    "evidence_blobs",
    "known_devices",
    "withheld_revisions",
    "parked_revisions",
)


def _counts(vault: Vault) -> dict[str, int]:
    with vault.services.context.sessions() as session:
        return {t: cast(int, session.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()) for t in TABLES}


@dataclass(frozen=True)
class Outcome:
    """What an import or a re-read left in Lviv's vault."""

    answer: str  # "imported", "replay", or the refusal's reason / code
    counts: dict[str, int]
    withheld: frozenset[str]
    parked: dict[str, int]
    received: bool
    device: tuple[str, str | None]
    held: tuple[tuple[str, str, str], ...]
    titles: frozenset[str]


def _outcome(vault: Vault, bundle_id: str, x_id: str, run: Callable[[], object]) -> Outcome:
    try:
        done = run()
        answer = "replay" if getattr(done, "replay", False) else "imported"
    except BundleQuarantined as held:
        answer = f"held:{held.reason}"
    except BundleRejected as refused:
        answer = f"refused:{refused.reason}"
    except RereadRefused as refused:
        answer = f"refused:{refused.code}"
    return Outcome(
        answer=answer,
        counts=_counts(vault),
        withheld=withheld_revision_ids(vault),
        parked=parked_by_signer(vault),
        received=vault.sync.received_bundle(bundle_id) is not None,
        device=_status(vault, x_id),
        held=tuple((h.bundle_id, h.reason, h.status) for h in vault.sync.held_bundles(include_approved=True)),
        titles=frozenset(_case_titles(vault)),
    )


def _split(desks: UsbDesks) -> Vault:
    """Lviv's vault copied as it is now (locked to copy, both opened again)."""
    folder = Path(desks.lviv.folder)
    desks.lviv.lock()
    twin_folder = folder.with_name("desk2-twin")
    shutil.copytree(folder, twin_folder)
    desks.lviv = open_vault(folder)
    twin = open_vault(twin_folder)
    desks.others.append(twin)
    return twin


def _in_the_window(monkeypatch: pytest.MonkeyPatch, act: Callable[[], None]) -> list[str]:
    """``act`` runs once, when an import first asks for its write lock."""
    return act_at_the_import_lock(monkeypatch, act)


def _compare(
    desks: UsbDesks,
    monkeypatch: pytest.MonkeyPatch,
    signed: bytes,
    bundle_id: str,
    x_id: str,
    run: Callable[[Vault], object],
) -> Outcome:
    """``run`` on a copy of Lviv that took ``signed`` first, and on Lviv
    taking it in the window: the two outcomes must be the same."""
    twin = _split(desks)
    org_vault.update_profile(twin, signed)
    before = _outcome(twin, bundle_id, x_id, lambda: run(twin))
    lviv = desks.lviv

    def take() -> None:
        org_vault.update_profile(lviv, signed)

    ran = _in_the_window(monkeypatch, take)
    window = _outcome(lviv, bundle_id, x_id, lambda: run(lviv))
    assert ran, "the import never asked for its write lock"
    assert window == before
    return window


def _import(desks: UsbDesks, path: Path) -> Callable[[Vault], object]:
    return lambda vault: import_bundle(vault, path, vault.vault_keys.age_identity(), org_id=desks.org.org_id)


def test_a_workers_bundle_whose_vouch_lapses_in_the_window_is_held_as_from_an_unknown_device(
    desks: UsbDesks, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = _odesa_vouched_then_removed(desks, remove=False)
    x_id, odesa_id = world.x.vault.device_id, world.odesa.device_id
    assert _status(desks.lviv, x_id) == ("enrolled", odesa_id)
    removed = org_vault.remove_coordinator(desks.kyiv, odesa_id).signed
    outcome = _compare(
        desks, monkeypatch, removed, world.second.bundle_id, x_id, _import(desks, world.second.path)
    )
    assert outcome.answer == "held:device-unknown"
    assert outcome.device == ("pending", odesa_id) and not outcome.received
    assert outcome.held == ((world.second.bundle_id, "device-unknown", "held"),)
    assert LATER_CASE not in outcome.titles

    # Approved by its code afterwards, as any held bundle: X enrolled on
    # Lviv's own word, the case applied, the vault verifying.
    desks.approve_at_lviv(world.second.bundle_id, world.x.vault)
    assert _status(desks.lviv, x_id) == ("enrolled", None)
    assert LATER_CASE in _case_titles(desks.lviv)
    assert_verified(desks.lviv)


def test_a_profile_that_keeps_the_voucher_changes_nothing_in_the_window(
    desks: UsbDesks, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A newer profile stored in the window that still names Odesa (Kyiv
    revokes another worker): admission is asked again under the lock and
    answers "known" again; X's bundle is applied as without the window."""
    world = _odesa_vouched_then_removed(desks, remove=False)
    x_id, odesa_id = world.x.vault.device_id, world.odesa.device_id
    other = desks.worker("other")
    revoked = org_vault.revoke_device(desks.kyiv, other.vault.device_id).signed
    outcome = _compare(
        desks, monkeypatch, revoked, world.second.bundle_id, x_id, _import(desks, world.second.path)
    )
    assert outcome.answer == "imported" and outcome.received
    assert outcome.device == ("enrolled", odesa_id) and outcome.held == ()
    assert LATER_CASE in outcome.titles
    assert_verified(desks.lviv)
