"""Import bundles… and the sync panel say when a history hand-over was
incomplete (docs/bundle-format.md §10 "Completeness against the workers'
signatures"; session 12 leftover). Before, the check's findings were shown
only later by the Devices view, and the coordinator who took the hand-over
was not told.

Real vaults: Kyiv's real writer leaving a testimony out (as a compromised
desk could), Rivne's real import in the dialog; the sync panel shows what
the sync worker puts in its status from the real import's findings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.sync_panel import SyncPanel
from sync.bundle.hand_over import hand_over
from sync.bundle.vault_io import HandOverFindings
from sync.client.worker import IDLE, SyncStatus
from tests.desktop.bundle_dialog_helpers import import_in_dialog
from tests.gui_helpers import in_ukrainian, screenshot
from tests.sync.test_hand_over_completeness import Scene, _dropping, scene
from tests.sync.window_scenes import panel_showing

__all__ = ["scene"]  # the fixture


@pytest.fixture
def ukrainian(tmp_path: Path) -> Iterator[None]:
    with in_ukrainian(tmp_path / "translations"):
        yield


def _panel(qtbot: QtBot, scene: Scene, found: HandOverFindings) -> SyncPanel:
    """The sync panel after a round that took this hand-over from the inbox."""
    return panel_showing(
        qtbot,
        scene.rivne,
        SyncStatus(
            state=IDLE, role="coordinator", last_success_ms=0, received=1, hand_overs_incomplete=(found,)
        ),
    )


def test_import_bundles_says_nothing_more_of_an_honest_hand_over(qtbot: QtBot, scene: Scene) -> None:
    made = hand_over(scene.kyiv, scene.stick("stick"), scene.rivne.device_id)
    dialog = import_in_dialog(qtbot, scene.rivne, [made.path])
    [row] = dialog.result_texts()
    assert row.startswith(f"imported: bundle {made.sequence} of device {scene.kyiv.device_id}"), row
    assert "INCOMPLETE" not in row


def test_import_bundles_and_the_sync_panel_say_a_hand_over_was_incomplete(
    qtbot: QtBot, scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    _dropping(monkeypatch, scene.testimony_revision)
    made = hand_over(scene.kyiv, scene.stick("stick"), scene.rivne.device_id)
    dialog = import_in_dialog(qtbot, scene.rivne, [made.path])
    [row] = dialog.result_texts()
    assert row.startswith(f"imported: bundle {made.sequence} of device {scene.kyiv.device_id}"), row
    assert (
        f"; INCOMPLETE history hand-over from desk {scene.kyiv.device_id}: record changes a worker's "
        "signed manifest names that did not come: 1; worker manifests that did not verify: 0; worker "
        "bundles that came unchecked: 0. The rest was imported."
    ) in row, row  # before: nothing said
    assert "W-3" not in row  # ids and counts only
    screenshot(dialog, "bundle-import-hand-over-incomplete.png")

    panel = _panel(qtbot, scene, HandOverFindings(scene.kyiv.device_id, missing=1, verified=2))
    lines = panel.pull_details.text().split("\n")
    [line] = [line for line in lines if "hand-over" in line]
    assert line.startswith(
        f"Warning: the history hand-over from desk {scene.kyiv.device_id} is incomplete. Record changes "
        "a worker's signed manifest names that did not come: 1;"
    ), line
    assert "Coordinator → Devices… lists them" in line
    screenshot(panel, "sync-panel-hand-over-incomplete.png")


def test_the_sync_panel_says_nothing_of_complete_hand_overs(qtbot: QtBot, scene: Scene) -> None:
    panel = panel_showing(
        qtbot,
        scene.rivne,
        SyncStatus(state=IDLE, role="coordinator", last_success_ms=0, received=1),
        shown=False,
    )
    assert "hand-over" not in panel.pull_details.text()


def test_it_is_said_in_ukrainian(
    qtbot: QtBot, scene: Scene, monkeypatch: pytest.MonkeyPatch, ukrainian: None
) -> None:
    _dropping(monkeypatch, scene.testimony_revision)
    made = hand_over(scene.kyiv, scene.stick("stick"), scene.rivne.device_id)
    dialog = import_in_dialog(qtbot, scene.rivne, [made.path])
    [row] = dialog.result_texts()
    assert f"НЕПОВНА передача історії від робочого місця {scene.kyiv.device_id}" in row, row
    assert "INCOMPLETE" not in row
    panel = _panel(qtbot, scene, HandOverFindings(scene.kyiv.device_id, missing=1))
    text = panel.pull_details.text()
    assert f"Увага: передача історії від робочого місця {scene.kyiv.device_id} неповна." in text, text
    assert "hand-over" not in text
    screenshot(panel, "sync-panel-hand-over-incomplete-uk.png")
