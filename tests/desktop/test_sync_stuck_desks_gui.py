"""The coordinator's sync panel, for a bundle stuck on the server that
another coordinator desk acknowledged (issue 14, review 17 F2; docs/sync.md
§2 "A bundle stuck on the server"). Real vaults, a real server on loopback
(the scene of tests/sync/client/test_pull_stuck_desks.py: Lviv pulled and
acknowledged W's bundle 2, whose copy on the server was then damaged, and
Kyiv's pull found it stuck), the window's own background pull at Kyiv.

Before, the panel told Kyiv's coordinator to have the worker bring its
work by USB, which Kyiv refuses here (the worker's bundle's custody records
follow bundle 2's): now it names Lviv, whose history hand-over brings it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.sync_panel import SyncPanel
from tests.desktop.test_sync_gui import ukrainian
from tests.gui_helpers import screenshot
from tests.sync.client.test_pull_stuck_desks import _stuck_scene
from tests.sync.desk_world import ServerDesks, server_desks
from tests.sync.window_scenes import synced_panel

__all__ = ["server_desks", "ukrainian"]  # the fixtures, used by name below


@pytest.fixture
def kyiv_stuck(server_desks: ServerDesks, tmp_path: Path) -> Iterator[tuple[Path, str, str]]:
    """Kyiv's folder (locked: the window opens it), W's device id, Lviv's."""
    scene = _stuck_scene(server_desks, tmp_path, evidence=True, edit=False)
    server_desks.kyiv.lock()
    yield Path(server_desks.kyiv.folder), scene.worker.device_id, server_desks.lviv.device_id


def _panel_text(qtbot, folder: Path) -> tuple[SyncPanel, str]:
    _window, panel = synced_panel(qtbot, folder)
    return panel, panel.pull_details.text()


def test_the_panel_names_the_desk_that_holds_the_stuck_bundle(
    qtbot, kyiv_stuck: tuple[Path, str, str]
) -> None:
    folder, worker, lviv = kyiv_stuck
    panel, text = _panel_text(qtbot, folder)
    lines = text.split("\n")
    assert any(line.startswith(f"Bundle 2 of device {worker} cannot be downloaded") for line in lines)
    assert (
        f"The coordinator desk Lviv ({lviv}) acknowledged this bundle and holds its work: a history "
        "hand-over from that desk brings it here (there: Coordinator → Hand over history…, choose this "
        "desk; here: Organisation → Import bundles…)" in text
    )
    assert "A bundle the worker brings by USB may be refused here" in text
    assert "Ask the worker to bring its work by USB" not in text  # the remedy that fails here
    screenshot(panel, "sync-panel-stuck-held-elsewhere.png")


def test_the_held_elsewhere_line_speaks_ukrainian(
    qtbot, kyiv_stuck: tuple[Path, str, str], ukrainian: None
) -> None:
    folder, _worker, lviv = kyiv_stuck
    panel, text = _panel_text(qtbot, folder)
    assert f"Робоче місце координатора Lviv ({lviv}) підтвердило цей пакет" in text
    assert "Координатор → Передати історію…" in text
    screenshot(panel, "sync-panel-stuck-held-elsewhere-uk.png")
