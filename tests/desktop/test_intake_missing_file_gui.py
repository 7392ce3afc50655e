"""The evidence panel's intake of a file an item of the case names but does
not hold (session 18, H5; tests/db/test_intake_missing_file.py for the
core): the row says the missing file was added and attached, not "already
in this case", and the item is pointed out.

The scene of tests/sync/test_hand_over_files_dropped.py (real vaults): at
Rivne, worker W's photo item came by a history hand-over without its file;
Rivne's coordinator drops the photo into W's case."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.evidence_panel import EvidencePanel
from desktop.intake import IntakeFailed, IntakeStopped, IntakeStored
from tests.gui_helpers import drop_files
from tests.sync.reread_world import PHOTO
from tests.sync.test_hand_over_files_dropped import Scene, _held_bytes
from tests.sync.test_hand_over_files_dropped import scene as dropped_scene

__all__ = ["dropped_scene"]

WAIT_MS = 60_000


@pytest.fixture
def panel(qtbot, dropped_scene: Scene) -> Iterator[EvidencePanel]:
    widget = EvidencePanel(dropped_scene.rivne, dropped_scene.worker.case_id, open_files_dialog=lambda *_: [])
    qtbot.addWidget(widget)
    widget.show()
    yield widget
    widget.clear()  # stops any intake before the scene's vaults are locked


def test_the_row_says_the_missing_file_was_added(
    qtbot, panel: EvidencePanel, dropped_scene: Scene, tmp_path: Path
) -> None:
    outcomes: list[IntakeStored | IntakeStopped | IntakeFailed] = []
    panel.intake_finished.connect(outcomes.append)
    photo = tmp_path / "from-the-worker-by-hand.jpg"
    photo.write_bytes(PHOTO)
    with qtbot.waitSignal(panel.intake_idle, timeout=WAIT_MS):
        drop_files(panel, [photo])
    (row,) = panel.intake_rows()
    assert row.status_label.text() == "Added: the file this record was missing, now attached to it."
    [stored] = outcomes
    assert isinstance(stored, IntakeStored)
    assert (stored.evidence_id, stored.duplicate, stored.supplied) == (dropped_scene.photo_item, False, True)
    assert panel.selected_evidence_id() == dropped_scene.photo_item
    assert _held_bytes(dropped_scene.rivne) == PHOTO
