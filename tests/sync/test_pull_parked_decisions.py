"""What a pull's imports decided of parked revisions is in its result and in
``sync --json`` (issue 14; review 14 F4; docs/cli.md ``sync``): stored now
that their parents came, kept aside because they no longer verify, or left
out because their signer's parked slots were full. Before, the pull's
``Received`` had no ``past_parked_cap``: only ``bundle import`` said it.
Real vaults and a real server (tests/sync/pull_parked_scene.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from db import parked as parked_module
from sync.client.pull import PullResult, Received, pull
from tests.sync.client.sync_helpers import quick_backoff
from tests.sync.pull_parked_scene import DAMAGE_PARKED_ROWS, Scene, lviv_behind_kyivs_edit, run_sql


def _pulled(scene: Scene) -> tuple[PullResult, Received, Received]:
    """Lviv's pull: (the result, Kyiv's bundle's import, the worker's, released by Kyiv's vouch)."""
    result = pull(scene.lviv, proxy=False, backoff=quick_backoff(1))
    assert result.refused == []
    [kyivs] = [r for r in result.received if r.bundle_id == scene.kyivs_bundle]
    [workers] = [r for r in result.received if r.device_id == scene.worker_id]
    return result, kyivs, workers


def test_a_pull_says_which_waiting_revisions_it_stored(tmp_path: Path) -> None:
    with lviv_behind_kyivs_edit(tmp_path) as scene:
        _result, kyivs, workers = _pulled(scene)
        assert kyivs.parked_revisions == (scene.edit,)
        assert workers.unparked_revisions == (scene.edit,)  # its parent came with the worker's bundle
        assert workers.to_json()["unparked_revisions"] == [scene.edit]
        assert scene.edit in {r.revision_id for r in scene.lviv.revisions.all()}
        assert scene.lviv.verify().ok


def test_a_pull_says_which_waiting_revisions_no_longer_verify(tmp_path: Path) -> None:
    with lviv_behind_kyivs_edit(tmp_path) as scene:
        run_sql(scene.lviv, *DAMAGE_PARKED_ROWS)
        _result, _kyivs, workers = _pulled(scene)
        assert workers.damaged_parked == (scene.edit,)
        assert workers.to_json()["damaged_parked"] == [scene.edit]
        assert scene.edit not in {r.revision_id for r in scene.lviv.revisions.all()}  # kept aside
        assert scene.edit in [p.subject for p in scene.lviv.verify().problems]


def test_a_pull_says_which_revisions_went_past_the_parked_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parked_module, "PARKED_CAP", 0)  # Kyiv's slots here are full
    with lviv_behind_kyivs_edit(tmp_path) as scene:
        _result, kyivs, _workers = _pulled(scene)
        assert kyivs.past_parked_cap == (scene.edit,)
        # Before: no such field, in the result or in sync --json's bundles.
        assert kyivs.to_json()["past_parked_cap"] == [scene.edit]
        assert kyivs.parked_revisions == ()


def test_a_bundle_held_and_released_in_one_pull_is_not_reported_as_still_held(tmp_path: Path) -> None:
    """The worker's bundle is held (its device unknown) and then imported in
    the same pull on Kyiv's vouch: the result names it released and
    received, and no longer held (before, it was in all three, and the sync
    panel said '1 bundle(s) held in quarantine')."""
    with lviv_behind_kyivs_edit(tmp_path) as scene:
        result, _kyivs, workers = _pulled(scene)
        assert result.released == [workers.bundle_id]
        assert result.held == []
        assert scene.lviv.sync.held_bundles() == []
