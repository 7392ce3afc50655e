"""A sender that carries its enrolment token proof and whose standing
changes between admission and the import's write lock (docs/bundle-format.md
§5 step 5, §8 "A vouch lapses with its coordinator").

Field worker X joined with one of Kyiv's tokens (unspent at Kyiv) and was
enrolled at the Odesa desk by its card; Odesa's bundle vouches for X. X's
first bundle carries the token proof (no coordinator acknowledged a bundle
of X yet). At Kyiv:

- admitted as known, on Odesa's word, and Odesa removed from the profile in
  the window (X ``pending``): the lock finds X no longer enrolled, admission
  is asked again and admits X by its token;
- admitted by its token (X unknown), and in the window Kyiv takes Odesa's
  bundle (X enrolled on Odesa's word), or takes it and then removes Odesa.

Each must give what the same import gives after the change: compared with
the same import on a copy of Kyiv where the change came first
(tests/sync/test_revoked_after_admission.py ``Desks.compare``: a wrapped
``SyncStateService.begin_import`` makes the change through the public API
when the import asks for its lock). Real vaults and real signed bundles."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from db.api import Vault
from sync import org_vault
from sync.bundle.vault_io import ExportedBundle
from tests.db.sync_fixtures import FieldWork
from tests.sync.desk_world import UsbDesks, add_desk, assert_verified, import_by_usb, usb_desks
from tests.sync.test_revoked_after_admission import Desks, _import, _revision_ids, _signed_by

desks = usb_desks  # the fixture, under the name the tests ask for
__all__ = ["desks"]


@dataclass(frozen=True)
class Vouched:
    odesa: Vault
    x: FieldWork
    first: ExportedBundle  # X's first bundle, with its token proof
    odesa_bundle: Path  # vouches for X


def _vouched_by_odesa(desks: UsbDesks) -> Vouched:
    odesa = add_desk(desks.kyiv, desks.tmp_path / "odesa", label="Odesa desk")
    desks.others.append(odesa)
    x = desks.worker("x")  # one of Kyiv's tokens, unspent there
    org_vault.add_device(odesa, org_vault.own_device_card(x.vault).text, label="X")
    first = desks.org.export(x.vault)
    assert not import_by_usb(odesa, first.path, desks.org.org_id).replay
    odesa_bundle = desks.org.export(odesa).path
    return Vouched(odesa, x, first, odesa_bundle)


def _take(path: Path, org_id: str) -> Callable[[Vault, str], None]:
    def take(vault: Vault, _device_id: str) -> None:
        import_by_usb(vault, path, org_id)

    return take


def _remove(odesa_id: str) -> Callable[[Vault, str], None]:
    def remove(vault: Vault, _device_id: str) -> None:
        org_vault.remove_coordinator(vault, odesa_id)

    return remove


def _both(*changes: Callable[[Vault, str], None]) -> Callable[[Vault, str], None]:
    def both(vault: Vault, device_id: str) -> None:
        for change in changes:
            change(vault, device_id)

    return both


def test_a_sender_known_on_a_vouch_that_lapses_in_the_window_is_admitted_by_its_token(
    desks: UsbDesks, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = _vouched_by_odesa(desks)
    x_id, org_id = world.x.vault.device_id, desks.org.org_id
    assert import_by_usb(desks.kyiv, world.odesa_bundle, org_id).vouched == (x_id,)
    window = Desks(desks.org, monkeypatch)
    try:
        outcome = window.compare(
            world.first, x_id, _remove(world.odesa.device_id), _import(world.first.path, org_id)
        )
    finally:
        window.close()
    # Enrolled by its token (the vouch lapsed: pending, then enrolled on the
    # token, its own now), the token spent for X, the bundle applied.
    assert outcome.reason is None and not outcome.replay and outcome.received
    assert outcome.device_status == "enrolled" and x_id in outcome.token_users
    assert desks.kyiv.sync.device(x_id) is not None
    assert _signed_by(world.x.vault) <= _revision_ids(desks.kyiv)
    assert_verified(desks.kyiv)


@pytest.mark.parametrize("lapses", [False, True], ids=["vouched", "vouched-then-lapsed"])
def test_a_sender_admitted_by_its_token_then_vouched_for_in_the_window(
    desks: UsbDesks, monkeypatch: pytest.MonkeyPatch, lapses: bool
) -> None:
    world = _vouched_by_odesa(desks)
    x_id, org_id = world.x.vault.device_id, desks.org.org_id
    change = _take(world.odesa_bundle, org_id)
    if lapses:
        change = _both(change, _remove(world.odesa.device_id))
    window = Desks(desks.org, monkeypatch)
    try:
        outcome = window.compare(world.first, x_id, change, _import(world.first.path, org_id))
    finally:
        window.close()
    assert outcome.reason is None and not outcome.replay and outcome.received
    assert outcome.device_status == "enrolled"
    # Known on Odesa's word: the token is not spent; lapsed, X is enrolled by it.
    assert (x_id in outcome.token_users) == lapses
    assert _signed_by(world.x.vault) <= _revision_ids(desks.kyiv)
    assert_verified(desks.kyiv)
