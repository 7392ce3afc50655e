"""A sender admitted again after the lock is asked every question of the
first admission (docs/bundle-format.md §5 step 5, §10 "Size").

``import_bundle`` (sync/bundle/vault_io.py) asks, before the write lock:
received already (a replay), admission, and whether a history hand-over
taken in part names the sender (``awaits_hand_over``: its bundles wait in
quarantine, ``hand-over-incomplete``, until the series is complete, review
17 F3). When the lock finds the sender's standing changed (``_Readmit``),
admission is asked again outside it; the hand-over question was not, so a
sender known again by then had its bundle applied while a part taken in the
window named it (its chain and the bundles it follows not all here yet).

The world of tests/sync/test_hand_over_parts_window.py: Kyiv's hand-over to
Lviv in several parts, worker A's bundle 2 made before it. Here Lviv knows
A already by its card (its code compared: ``org add-device``), no bundle of
A taken. In the window (``SyncStateService.begin_import`` wrapped, as in
tests/sync/test_revoked_after_admission.py) Lviv takes part 1, which names
A, and A's row is ``pending`` under the lock and ``enrolled`` again after it
(``vault.sync.set_device_status``). The outcome is compared with the same
import on a copy of Lviv where all that came first. Real vaults and real
signed bundles."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

import pytest

from db.api import SyncStateService, Vault, VaultImport
from sync import org_vault
from tests.sync.desk_world import assert_verified, import_by_usb
from tests.sync.test_hand_over_parts_window import Window, window
from tests.sync.test_vouch_lapsed_after_admission import _import, _outcome, _split

__all__ = ["window"]  # the fixture


def _around_the_lock(
    monkeypatch: pytest.MonkeyPatch, before: Callable[[], None], after: Callable[[], None]
) -> list[str]:
    """``before`` runs once, when an import first asks for its write lock
    (any import it makes is let through), ``after`` once that lock is let
    go. Returns a list that says it ran."""
    begin = SyncStateService.begin_import
    ran: list[str] = []

    @contextmanager
    def first(service: SyncStateService) -> Iterator[VaultImport]:
        before()
        try:
            with begin(service) as unit:
                yield unit
        finally:
            after()

    def begin_import(service: SyncStateService) -> AbstractContextManager[VaultImport]:
        if ran:
            return begin(service)
        ran.append("ran")
        return first(service)

    monkeypatch.setattr(SyncStateService, "begin_import", begin_import)
    return ran


def test_a_part_taken_in_the_window_holds_the_sender_admitted_again(
    window: Window, monkeypatch: pytest.MonkeyPatch
) -> None:
    desks, parts = window.desks, window.handed.parts
    a_id, org_id = window.worker.vault.device_id, desks.org.org_id
    org_vault.add_device(desks.lviv, org_vault.own_device_card(window.worker.vault).text, label="A")
    run = _import(desks, window.second.path)

    def changes(vault: Vault) -> tuple[Callable[[], None], Callable[[], None]]:
        def before() -> None:
            assert not import_by_usb(vault, parts[0].path, org_id).replay  # names A
            vault.sync.set_device_status(a_id, "pending")

        return before, lambda: vault.sync.set_device_status(a_id, "enrolled")

    twin = _split(desks)
    first, then = changes(twin)
    first()
    then()
    reference = _outcome(twin, window.second.bundle_id, a_id, lambda: run(twin))
    lviv = desks.lviv
    ran = _around_the_lock(monkeypatch, *changes(lviv))
    outcome = _outcome(lviv, window.second.bundle_id, a_id, lambda: run(lviv))
    assert ran, "the import never asked for its write lock"
    # Before: admitted again and applied (or refused), the series not asked.
    assert outcome == reference
    assert outcome.answer == "held:hand-over-incomplete" and not outcome.received
    assert outcome.held == ((window.second.bundle_id, "hand-over-incomplete", "held"),)

    # The rest of the series taken (the hook lets every later lock through),
    # the release imports it after the chain.
    for part in parts[1:]:
        assert not desks.to_lviv(part.path).replay
    (released,) = desks.release_at_lviv()
    assert released.bundle_id == window.second.bundle_id and released.gaps == ()
    assert_verified(desks.lviv)


def test_a_part_taken_in_the_window_holds_a_sender_still_enrolled(
    window: Window, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the part is taken in the window: A stays enrolled, so the lock
    finds its admission unchanged; the part's hold must still apply."""
    desks, parts = window.desks, window.handed.parts
    a_id, org_id = window.worker.vault.device_id, desks.org.org_id
    org_vault.add_device(desks.lviv, org_vault.own_device_card(window.worker.vault).text, label="A")
    run = _import(desks, window.second.path)
    twin = _split(desks)
    assert not import_by_usb(twin, parts[0].path, org_id).replay
    reference = _outcome(twin, window.second.bundle_id, a_id, lambda: run(twin))
    lviv = desks.lviv

    def take() -> None:
        assert not import_by_usb(lviv, parts[0].path, org_id).replay

    ran = _around_the_lock(monkeypatch, take, lambda: None)
    outcome = _outcome(lviv, window.second.bundle_id, a_id, lambda: run(lviv))
    assert ran
    assert outcome == reference
    assert outcome.answer == "held:hand-over-incomplete" and not outcome.received
