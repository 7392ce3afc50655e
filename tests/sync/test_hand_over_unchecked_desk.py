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
from sync.bundle import hand_over_manifests
from tests.sync.desk_world import UsbDesks, usb_desks
from tests.sync.test_hand_over_lapsed_evidence import _lapsed_at_lviv

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
