"""A history hand-over's completeness findings told where the import is seen
(docs/bundle-format.md §10 "Completeness against the workers' signatures";
session 12 leftover): ``ImportedBundle.hand_over_findings``, ``fieldvault
bundle import --json`` and its stderr line, and ``fieldvault sync --json``
(``hand_over.findings``) for a hand-over taken from the inbox. Before, the
import said nothing, and the person who took an incomplete hand-over learnt
of it only from ``devices parked``.

The makers here are real desks whose writer leaves a testimony out (as a
compromised desk could); the new desk's import is the real one, through
the command where it says so."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from db.api import unaccounted_list
from sync.bundle import hand_over as hand_over_module
from sync.bundle.hand_over import hand_over
from sync.bundle.vault_io import HandOverFindings
from sync.client.worker import SyncWorker
from tests.cli_helpers import Cli, child_env
from tests.sync.test_desk_hand_over import _saved_three_bundles, desk_added_after_three_bundles
from tests.sync.test_hand_over_completeness import Scene, _dropping, scene
from tests.vault_helpers import PASSPHRASE, open_vault

__all__ = ["scene"]  # the fixture, shared with test_hand_over_completeness.py


def test_an_honest_hand_over_reports_zero_findings(scene: Scene) -> None:
    made = hand_over(scene.kyiv, scene.stick("stick"), scene.rivne.device_id)
    taken = scene.to_rivne(made.path)
    assert taken.hand_over_findings == HandOverFindings(scene.kyiv.device_id, verified=2)
    assert not taken.hand_over_findings.incomplete
    # Any other bundle (the desk's own) carries none: no check ran.
    assert scene.to_rivne(scene.org.export(scene.kyiv).path).hand_over_findings is None


def test_bundle_import_json_reports_a_dropped_testimony_naming_the_maker(
    scene: Scene, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _dropping(monkeypatch, scene.testimony_revision)
    made = hand_over(scene.kyiv, scene.stick("stick"), scene.rivne.device_id)
    folder = scene.rivne.folder
    scene.rivne.lock()  # the command opens the vault itself
    done = Cli(folder, child_env(tmp_path)).run(
        "--json", "bundle", "import", str(made.path), secrets=[PASSPHRASE]
    )
    [row] = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    assert row["ok"] and row["bundle_id"] == made.bundle_id
    assert row["hand_over_findings"] == {
        "maker_id": scene.kyiv.device_id,
        "missing": 1,
        "unverifiable": 0,
        "unchecked": 0,
        "verified": 2,
        "missing_files": 0,
    }
    [warning] = [line for line in done.stderr.splitlines() if "is incomplete" in line]
    assert f"hand-over {made.bundle_id} from desk {scene.kyiv.device_id} is incomplete" in warning
    assert "1 revision(s) named by a worker's signed manifest did not come" in warning
    assert "fieldvault devices parked" in warning and "fieldvault bundle import --reread" in warning
    # Ids and counts only: the witness's words are nowhere in what it printed.
    assert "W-3" not in done.stdout + done.stderr


def test_bundle_import_plain_says_nothing_of_an_honest_hand_over(scene: Scene, tmp_path: Path) -> None:
    made = hand_over(scene.kyiv, scene.stick("stick"), scene.rivne.device_id)
    folder = scene.rivne.folder
    scene.rivne.lock()
    done = Cli(folder, child_env(tmp_path)).run("bundle", "import", str(made.path), secrets=[PASSPHRASE])
    assert "WARNING" not in done.stderr and "incomplete" not in done.stderr
    assert f"bundle {made.sequence} of device {scene.kyiv.device_id}" in done.stdout


def _dropping_testimony_of(monkeypatch: pytest.MonkeyPatch, entity_id: str) -> None:
    """The maker's real writer, walking its history without the revisions of
    record ``entity_id`` (a testimony made once: one revision, no edits,
    that no other record's revision names)."""
    carried = hand_over_module._Split.carried

    def without(self: hand_over_module._Split, after: int, end: int | None) -> Iterator[object]:
        return (rev for rev in carried(self, after, end) if entity_id.encode() not in rev.signed)

    monkeypatch.setattr(hand_over_module._Split, "carried", without)


@pytest.mark.parametrize("drops", [False, True], ids=["honest", "drops-a-testimony"])
def test_sync_json_reports_the_findings_of_a_hand_over_taken_from_the_inbox(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, drops: bool
) -> None:
    """Kyiv's round after it added Lviv makes the hand-over and delivers it
    to Lviv's inbox (test_desk_hand_over.py's world); Lviv's ``fieldvault
    sync`` takes it before its pull."""
    _world, earlier = _saved_three_bundles(tmp_path.parent)
    third = earlier[2]
    if drops:  # before Kyiv's round, which makes the hand-over
        _dropping_testimony_of(monkeypatch, third.testimony_id)
    with desk_added_after_three_bundles(tmp_path) as desks:
        kyiv, lviv = desks.kyiv, desks.lviv
        folder = lviv.folder
        lviv.lock()
        done = Cli(folder, child_env(tmp_path)).run("--json", "sync", secrets=[PASSPHRASE])
        data = json.loads(done.stdout)
        [taken] = data["hand_over"]["taken"]
        [found] = data["hand_over"]["findings"]
        assert (found["bundle_id"], found["maker_id"]) == (taken, kyiv.device_id)
        assert (found["missing"], found["unverifiable"], found["unchecked"]) == (int(drops), 0, 0)
        assert found["verified"] == 3  # the worker's three bundles, each with its signed manifest
        warnings = [line for line in done.stderr.splitlines() if "is incomplete" in line]
        if drops:
            [warning] = warnings
            assert f"hand-over {taken} from desk {kyiv.device_id} is incomplete" in warning
            assert "fieldvault devices parked" in warning
            assert third.narrative not in done.stdout + done.stderr
        else:
            assert warnings == []
        lviv = open_vault(folder)
        try:
            rows, total = unaccounted_list(lviv)
            assert total == int(drops)
            assert [(r.problem, r.maker) for r in rows] == [("missing", kyiv.device_id)] * int(drops)
        finally:
            lviv.lock()


def test_plain_sync_says_a_hand_over_was_taken_incomplete(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without --json, the summary line on stdout counts it too, beside the
    stderr warning that names it."""
    _world, earlier = _saved_three_bundles(tmp_path.parent)
    _dropping_testimony_of(monkeypatch, earlier[2].testimony_id)
    with desk_added_after_three_bundles(tmp_path) as desks:
        folder = desks.lviv.folder
        desks.lviv.lock()
        done = Cli(folder, child_env(tmp_path)).run("sync", secrets=[PASSPHRASE])
        assert "1 history hand-over(s) taken incomplete" in done.stdout
        assert "fieldvault devices parked" in done.stdout
        assert earlier[2].narrative not in done.stdout + done.stderr


def test_the_sync_workers_round_keeps_an_incomplete_hand_over_for_the_panel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The app's round (the sync panel's status) takes the same hand-over
    from the inbox: its findings are in the status, naming the maker."""
    _world, earlier = _saved_three_bundles(tmp_path.parent)
    _dropping_testimony_of(monkeypatch, earlier[2].testimony_id)
    with desk_added_after_three_bundles(tmp_path) as desks:
        status = SyncWorker(desks.lviv, proxy=False).run_once()
        assert status.last_error is None, status.last_error
        assert status.hand_overs_incomplete == (
            HandOverFindings(desks.kyiv.device_id, missing=1, verified=3),
        )
        # The next round takes nothing from the inbox: nothing to say again.
        again = SyncWorker(desks.lviv, proxy=False).run_once()
        assert again.last_error is None and again.hand_overs_incomplete == ()
