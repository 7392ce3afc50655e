"""A history hand-over's entry of a removed coordinator desk's bundle is no
unchecked field bundle (session 18, H9; docs/bundle-format.md §10
"Completeness against the workers' signatures").

The lapsed-worker scene of tests/sync/test_hand_over_lapsed_evidence.py,
real vaults and real signed bundles by USB: Odesa, a coordinator desk,
vouches for field worker X at Kyiv and Lviv (Lviv reads Odesa's bundle
itself); X records a photo; Kyiv takes X's bundle and makes Lviv a history
hand-over; Odesa is then removed, so Lviv's profile no longer names it when
it takes the hand-over.

Before: Lviv judged "a field device" by its current profile only, so the
entry of Odesa's bundle, which carries no worker's manifest (a desk's
bundle: none is kept of it anywhere), was recorded ``unchecked`` and the
honest hand-over reported incomplete. Now a desk notes the numbers of the
coordinators' bundles it reads itself, and such an entry is not recorded.
A field worker's entry that comes without its manifest is still."""

from __future__ import annotations

from pathlib import Path

import pytest

from db.worker_manifests import unaccounted_list
from sync import org_vault
from sync.bundle import hand_over_manifests
from sync.bundle.hand_over import hand_over
from tests.factory import make_case
from tests.sync.desk_world import UsbDesks, add_desk, usb_desks
from tests.sync.test_hand_over_lapsed_evidence import _lapsed_at_lviv
from tests.sync.trust_fixtures import current_profile

desks = usb_desks
__all__ = ["desks"]


def test_an_honest_hand_over_with_a_removed_desks_bundle_is_complete(desks: UsbDesks, tmp_path: Path) -> None:
    scene = _lapsed_at_lviv(desks, tmp_path)
    findings = desks.to_lviv(scene.made.path).hand_over_findings
    assert findings is not None
    # X's bundle: its manifest carried and verified; Odesa's: a desk's, not unchecked.
    assert (findings.verified, findings.unchecked, findings.missing, findings.unverifiable) == (1, 0, 0, 0)
    assert unaccounted_list(desks.lviv) == ([], 0)


def test_a_field_workers_bundle_without_its_manifest_is_still_unchecked(
    desks: UsbDesks, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Kyiv's budget for carried manifests at 0: X's entry goes without its
    manifest (as an honest maker's past the budget, or a stripped one), and
    Lviv keeps none of X's bundle: that one is listed unchecked, naming the
    maker; Odesa's is not."""
    monkeypatch.setattr(hand_over_manifests, "MAX_CARRIED_MANIFEST_BYTES", 0)
    scene = _lapsed_at_lviv(desks, tmp_path)
    findings = desks.to_lviv(scene.made.path).hand_over_findings
    assert findings is not None and (findings.verified, findings.unchecked) == (0, 1)
    rows, total = unaccounted_list(desks.lviv)
    assert total == 1
    [row] = rows
    assert (row.problem, row.device_id, row.bundle_id, row.maker) == (
        "unchecked",
        scene.x.device_id,
        scene.bundle.bundle_id,
        desks.kyiv.device_id,
    )


def test_a_removed_desks_later_bundle_without_its_manifest_is_still_unchecked(
    desks: UsbDesks, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the numbers Lviv read as a coordinator's are a desk's: Odesa,
    removed, sends bundle 2 as a plain device (Kyiv keeps its manifest as a
    field device's); carried without it (Kyiv's budget at 0), that entry is
    listed unchecked, bundle 1 (read at Lviv as a desk's) is not."""
    kyiv, lviv = desks.kyiv, desks.lviv
    odesa = add_desk(kyiv, tmp_path / "odesa", label="Odesa desk")
    desks.others.append(odesa)
    org_vault.update_profile(lviv, current_profile(kyiv))
    make_case(odesa, title="Odesa's case")
    first = desks.org.export(odesa).path
    desks.to_lviv(first)
    desks.org.import_(first)
    removed = org_vault.remove_coordinator(kyiv, odesa.device_id).signed
    org_vault.update_profile(lviv, removed)
    org_vault.update_profile(odesa, removed)
    make_case(odesa, title="Odesa's later case")
    later = desks.org.export(odesa)
    desks.org.import_(later.path)
    monkeypatch.setattr(hand_over_manifests, "MAX_CARRIED_MANIFEST_BYTES", 0)
    stick = tmp_path / "stick"
    stick.mkdir()
    made = hand_over(kyiv, stick, lviv.device_id)
    findings = desks.to_lviv(made.path).hand_over_findings
    assert findings is not None and findings.unchecked == 1
    [row] = unaccounted_list(lviv)[0]
    assert (row.problem, row.device_id, row.bundle_id, row.sequence) == (
        "unchecked",
        odesa.device_id,
        later.bundle_id,
        2,
    )
