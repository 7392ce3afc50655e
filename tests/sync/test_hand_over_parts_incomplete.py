"""A split history hand-over that is never completed (review 18 R1). By USB
with real vaults: Kyiv (the key desk), Lviv and Odesa are coordinators;
worker A enrolled with Kyiv's token, and its bundle 1 was approved at Odesa
by its code. Odesa's hand-over to Lviv needs several parts, and only part 1
reaches Lviv (Odesa withholds the rest, or its laptop was seized).

Before, A's bundles at Lviv were held in quarantine for good, as from "a
device this coordinator does not know", and approving one by its code held
it again. Now the hold has its own reason naming the maker and the part
taken, and it ends: when any complete hand-over is taken, when the profile
revokes the maker, or for one bundle when a coordinator approves it by the
worker's verification code."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from db.api import Vault
from sync import org_vault
from sync.bundle import hand_over as hand_over_module
from sync.bundle.admission import BundleQuarantined
from sync.bundle.hand_over import hand_over
from sync.bundle.hand_over_in_flight import devices_awaiting
from sync.bundle.quarantine import approve_bundle
from sync.bundle.vault_io import ExportedBundle
from tests.db.sync_fixtures import FieldWork
from tests.factory import make_case
from tests.sync.desk_world import UsbDesks, add_desk, assert_verified, import_by_usb


@dataclass
class Withheld:
    desks: UsbDesks
    odesa: Vault
    worker: FieldWork
    first: ExportedBundle  # A's bundle 1, taken at Kyiv and Odesa, not at Lviv
    parts: int  # of Odesa's series, of which Lviv took part 1


@pytest.fixture
def withheld(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Withheld]:
    desks = UsbDesks(tmp_path)
    try:
        odesa = add_desk(desks.kyiv, tmp_path / "desk3", label="Odesa desk")
        desks.others.append(odesa)
        org_vault.update_profile(desks.lviv, org_vault.current_signed(desks.kyiv).signed)
        worker = desks.worker("field-a")
        first = desks.org.export(worker.vault)
        desks.org.import_(first.path)
        with pytest.raises(BundleQuarantined):  # Odesa did not issue A's token
            import_by_usb(odesa, first.path, desks.org.org_id)
        code = org_vault.status(worker.vault).verification_code
        approve_bundle(odesa, first.bundle_id, code, odesa.vault_keys.age_identity())
        for title in ("one", "two", "three"):
            make_case(odesa, title=title)
        monkeypatch.setattr(hand_over_module, "MAX_PART_LINES", 4)
        stick = tmp_path / "odesa-stick"
        stick.mkdir()
        parts = hand_over(odesa, stick, desks.lviv.device_id).parts
        assert len(parts) >= 2
        desks.to_lviv(parts[0].path)  # the rest never comes
        assert devices_awaiting(desks.lviv) == {worker.vault.device_id}
        monkeypatch.setattr(hand_over_module, "MAX_PART_LINES", 600_000)
        yield Withheld(desks, odesa, worker, first, len(parts))
    finally:
        desks.close()


def _held_for_the_series(w: Withheld) -> None:
    """A's bundle 1 at Lviv is held for the series, and says so."""
    held = w.desks.hold_at_lviv(w.first.path)
    assert held.code == "bundle-hand-over-incomplete"
    assert held.params == {
        "bundle_id": w.first.bundle_id,
        "device_id": w.worker.vault.device_id,
        "maker_id": w.odesa.device_id,
        "maker_label": "Odesa desk",  # Lviv knows the desk by its label (the profile's)
        "part": "1",
        "parts": str(w.parts),
    }
    assert "does not know" not in str(held)
    assert f"from coordinator desk Odesa desk ({w.odesa.device_id})" in str(held)
    row = w.desks.lviv.sync.held_bundle(w.first.bundle_id)
    assert row is not None and row.reason == "hand-over-incomplete"


def test_approval_by_code_takes_a_held_bundle_past_the_series(withheld: Withheld) -> None:
    w = withheld
    _held_for_the_series(w)
    code = org_vault.status(w.worker.vault).verification_code
    imported = approve_bundle(w.desks.lviv, w.first.bundle_id, code, w.desks.lviv.vault_keys.age_identity())
    assert imported.bundle_id == w.first.bundle_id and not imported.replay
    assert w.desks.lviv.sync.received_bundle(w.first.bundle_id) is not None
    assert_verified(w.desks.lviv)


def test_a_complete_hand_over_of_another_desk_ends_the_series(withheld: Withheld, tmp_path: Path) -> None:
    w = withheld
    _held_for_the_series(w)
    stick = tmp_path / "kyiv-stick"
    stick.mkdir()
    w.desks.to_lviv(hand_over(w.desks.kyiv, stick, w.desks.lviv.device_id).path)
    assert devices_awaiting(w.desks.lviv) == frozenset()
    # Kyiv's hand-over brought A's bundle 1 as received: the next bundle follows it.
    assert w.desks.lviv.sync.received_bundle(w.first.bundle_id) is not None
    org_vault.update_profile(w.worker.vault, org_vault.current_signed(w.desks.kyiv).signed)
    make_case(w.worker.vault, title="new testimony")
    second = w.desks.org.export(w.worker.vault)
    imported = w.desks.to_lviv(second.path)
    assert imported.bundle_id == second.bundle_id and imported.gaps == ()
    assert_verified(w.desks.lviv)


def test_revoking_the_maker_ends_its_series(withheld: Withheld) -> None:
    w = withheld
    _held_for_the_series(w)
    w.desks.revoke(w.odesa.device_id)
    assert devices_awaiting(w.desks.lviv) == frozenset()
    # Not held for the series any more; A is known here only on Odesa's
    # word, which lapsed with it: a stranger's bundle (Kyiv's token, not
    # held here), approved by its code.
    held = w.desks.hold_at_lviv(w.first.path)
    assert held.code == "bundle-token-unknown"
    code = org_vault.status(w.worker.vault).verification_code
    imported = approve_bundle(w.desks.lviv, w.first.bundle_id, code, w.desks.lviv.vault_keys.age_identity())
    assert imported.bundle_id == w.first.bundle_id
    assert_verified(w.desks.lviv)
