"""Organisation → Import bundles…: Re-read, a coordinator desk's (review 17
D1; sync/bundle/reread.py, docs/bundle-format.md §10 "A deliberate
re-read"). The world of tests/sync/reread_world.py: a history hand-over
whose maker dropped a worker's testimony and photo, so Rivne counts the
worker's bundle as received and its file, imported again, is a replay.
Re-read takes the same file, reads it in full, and the row says what it
applied; a second Re-read says nothing was new. Real vaults, real bundles,
the real dialog's buttons clicked."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from desktop.bundle_actions import BundleImportDialog
from tests.gui_helpers import in_ukrainian, screenshot
from tests.sync.reread_world import Scene, scene, stored

WAIT_MS = 60_000

__all__ = ["scene"]  # the fixture


@pytest.fixture
def ukrainian(tmp_path: Path) -> Iterator[None]:
    with in_ukrainian(tmp_path / "translations"):
        yield


def _dialog(qtbot: QtBot, scene: Scene, files: list[Path]) -> BundleImportDialog:
    dialog = BundleImportDialog(scene.rivne)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog._chooser = lambda _parent, _caption: [str(f) for f in files]  # the file dialog's answer
    qtbot.mouseClick(dialog.choose_button, Qt.MouseButton.LeftButton)
    return dialog


def _click(qtbot: QtBot, dialog: BundleImportDialog, button: QPushButton) -> list[str]:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)
    return dialog.result_texts()


def test_reread_applies_what_the_hand_over_dropped(qtbot: QtBot, scene: Scene) -> None:
    dialog = _dialog(qtbot, scene, [scene.bundle.path])
    assert dialog.reread_button.isVisible() and dialog.reread_button.isEnabled()
    # Import: a replay, nothing applied (what the coordinator met before).
    [row] = _click(qtbot, dialog, dialog.import_button)
    assert row.startswith("already imported"), row
    assert not set(scene.dropped) & stored(scene.rivne)
    # Re-read: the very file, read again in full.
    with qtbot.waitSignal(dialog.imported, timeout=WAIT_MS):
        [row] = _click(qtbot, dialog, dialog.reread_button)
    device = scene.worker.vault.device_id
    assert row == (
        f"re-read: bundle 2 of device {device}: 2 record changes and 1 evidence files applied that this "
        "desk lacked; 0 of its 2 record changes were here already"
    ), row
    assert set(scene.dropped) <= stored(scene.rivne)  # what the row says is what happened
    assert scene.missing() == []
    assert scene.rivne.verify().ok
    screenshot(dialog, "bundle-import-reread.png")
    [row] = _click(qtbot, dialog, dialog.reread_button)
    assert row == f"re-read: bundle 2 of device {device}: nothing new, this desk holds everything it carries"


def test_reread_refuses_a_bundle_never_received(qtbot: QtBot, scene: Scene) -> None:
    import db.api as vault_api

    scene.worker.vault.testimonies.create(
        vault_api.Testimony(case_id=scene.worker.case_id, title="Later", language="uk", narrative="...")
    )
    later = scene.org.export(scene.worker.vault)
    dialog = _dialog(qtbot, scene, [later.path])
    [row] = _click(qtbot, dialog, dialog.reread_button)
    assert row == (
        f"refused: Bundle {later.bundle_id} was never received here, so there is nothing to re-read. "
        "Import it as any bundle. Nothing was applied."
    ), row
    assert scene.rivne.sync.received_bundle(later.bundle_id) is None


def test_a_field_worker_sees_no_reread(qtbot: QtBot, scene: Scene) -> None:
    dialog = BundleImportDialog(scene.worker.vault)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.reread_button.isVisible()


def test_reread_in_ukrainian(qtbot: QtBot, scene: Scene, ukrainian: None) -> None:
    dialog = _dialog(qtbot, scene, [scene.bundle.path])
    assert dialog.reread_button.text() == "Перечитати"
    [row] = _click(qtbot, dialog, dialog.reread_button)
    assert row.startswith("перечитано: пакет 2 пристрою"), row
    assert "файлів доказів: 1" in row
    screenshot(dialog, "bundle-import-reread-uk.png")
