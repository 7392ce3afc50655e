"""A bound re-admission whose last lock found a hand-over taken in part
naming the sender holds the bundle until the hand-over is complete
(docs/bundle-format.md §5 step 5, §10 "Size").

``import_bundle`` (sync/bundle/vault_io.py) asks, before the write lock and
again under it, whether a hand-over taken in part names the sender
(``awaits_hand_over``); under the lock a yes is a re-admission (``_Readmit``)
and the questions are asked again outside it. After ``READMISSIONS``
rounds the last lock's answer stands (``_as_the_lock_answered``): for a
hand-over taken in part, the hold ``hand-over-incomplete`` naming the
maker's series (``hold_until_handed_over``), which the next release or
import takes once the series is complete. tests/sync/test_readmission_bounded.py
reaches the bound with a device's row only (a plain ``device-unknown``
hold); nothing reached this hold.

The scene is tests/sync/test_hand_over_parts_window.py's (real vaults, by
USB): Lviv took part 1 of Kyiv's split hand-over, which names worker A, and
A's bundle 2 arrives. The rounds are forced as test_readmission_bounded.py
forces them, with a wrapped ``SyncStateService.begin_import``: the series
part 1 noted (Lviv's client value, as the part's import writes it) is there
under each lock and gone in each window between, until the last lock, after
which it stays, as it really is."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

import pytest

from db.api import SyncClientState, SyncStateService, Vault, VaultImport
from sync.bundle.admission import HAND_OVER_INCOMPLETE, BundleQuarantined
from sync.bundle.hand_over_in_flight import IN_FLIGHT, awaits_hand_over
from sync.bundle.vault_io import READMISSIONS
from tests.sync.desk_world import heads_hash
from tests.sync.test_hand_over_parts_window import Window, _complete, window
from tests.sync.test_readmission_bounded import LOOP

__all__ = ["window"]  # the fixture

NONE_IN_FLIGHT = "{}"  # the value once no series is in flight (hand_over_in_flight.note_part)


def _part_under_each_lock(monkeypatch: pytest.MonkeyPatch, vault: Vault, in_flight: str) -> list[int]:
    """Each write lock the vault's imports ask for finds ``in_flight`` (a
    series taken in part); each window between finds none, up to the lock
    after READMISSIONS re-admissions, whose world stays. Returns the locks
    asked for (AssertionError past LOOP: a loop)."""
    state = SyncClientState.of(vault)
    begin = SyncStateService.begin_import
    locks: list[int] = []

    @contextmanager
    def flapped(service: SyncStateService) -> Iterator[VaultImport]:
        locks.append(len(locks) + 1)
        assert len(locks) <= LOOP, "import_bundle went round and round"
        state.set_value(IN_FLIGHT, in_flight)
        try:
            with begin(service) as unit:
                yield unit
        finally:
            if len(locks) <= READMISSIONS:
                state.set_value(IN_FLIGHT, NONE_IN_FLIGHT)

    def begin_import(service: SyncStateService) -> AbstractContextManager[VaultImport]:
        return flapped(service)

    monkeypatch.setattr(SyncStateService, "begin_import", begin_import)
    state.set_value(IN_FLIGHT, NONE_IN_FLIGHT)  # the import's first questions find none
    return locks


def test_a_part_found_under_every_lock_holds_the_bundle_until_the_hand_over_is_complete(
    window: Window,
) -> None:
    desks, parts, second = window.desks, window.handed.parts, window.second
    lviv, a_id = desks.lviv, window.worker.vault.device_id
    assert not desks.to_lviv(parts[0].path).replay
    in_flight = SyncClientState.of(lviv).value(IN_FLIGHT)
    assert in_flight is not None and awaits_hand_over(lviv, a_id)
    heads_before = heads_hash(lviv)

    with pytest.MonkeyPatch.context() as patch:
        locks = _part_under_each_lock(patch, lviv, in_flight)
        with pytest.raises(BundleQuarantined) as held:
            desks.to_lviv(second.path)
        assert len(locks) == READMISSIONS + 1

    # The last lock's answer: held until Kyiv's hand-over is complete, naming
    # its series (a plain hold, admission.py ``hold``, names no maker).
    assert held.value.reason == HAND_OVER_INCOMPLETE and held.value.held
    assert held.value.code == "bundle-hand-over-incomplete"
    assert (held.value.params["maker_id"], held.value.params["part"], held.value.params["parts"]) == (
        desks.kyiv.device_id,
        "1",
        str(len(parts)),
    )
    assert [(h.bundle_id, h.device_id, h.reason, h.status) for h in lviv.sync.held_bundles()] == [
        (second.bundle_id, a_id, HAND_OVER_INCOMPLETE, "held")
    ]
    # Nothing of it applied: not received, no record changed.
    assert lviv.sync.received_bundle(second.bundle_id) is None
    assert heads_hash(lviv) == heads_before
    assert desks.release_at_lviv() == []  # not while the series is incomplete

    for part in parts[1:]:
        assert not desks.to_lviv(part.path).replay
    imported = desks.to_lviv(second.path)  # the same file, once the hand-over is complete
    assert imported.bundle_id == second.bundle_id and not imported.replay
    assert imported.gaps == ()  # it follows bundle 1, recorded by the last part
    assert [h.status for h in lviv.sync.held_bundles(include_approved=True)] == ["approved"]
    _complete(window)
