"""The Lviv desk's Import bundles… after the Kyiv desk's vouch (issue 14;
docs/bundle-format.md §8 "Vouching between coordinators"). The Lviv desk,
a coordinator without the organisation key, chooses a worker's bundle and
Kyiv's bundle to coordinators together: the worker's is held first (Lviv
cannot check Kyiv's token), Kyiv's vouches for the worker, and the held one
is then imported, its row saying so and its approve box gone. Real vaults
and bundle files; the dialog is the app's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.bundle_actions import BundleImportDialog
from tests.gui_helpers import screenshot
from tests.sync.test_coordinator_vouching import Desks

WAIT_MS = 60_000


@pytest.fixture
def desks(tmp_path: Path) -> Iterator[Desks]:
    made = Desks(tmp_path)
    yield made
    made.close()


def _import(qtbot: QtBot, dialog: BundleImportDialog, files: list[Path]) -> list[str]:
    dialog._chooser = lambda _parent, _caption: [str(f) for f in files]  # the file dialog's answer
    qtbot.mouseClick(dialog.choose_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)
    return dialog.result_texts()


def test_a_held_bundle_in_the_same_import_is_imported_after_the_other_desks_vouch(
    qtbot: QtBot, desks: Desks
) -> None:
    field = desks.worker("field")
    worker_bundle = desks.org.export(field.vault)
    desks.org.import_(worker_bundle.path)  # Kyiv: its token checks out
    kyiv_bundle = desks.kyiv_bundle()

    dialog = BundleImportDialog(desks.lviv)
    qtbot.addWidget(dialog)
    dialog.show()
    worker_row, kyiv_row = _import(qtbot, dialog, [worker_bundle.path, kyiv_bundle])
    assert worker_row.startswith(f"imported: bundle 1 of device {field.vault.device_id}"), worker_row
    assert kyiv_row.startswith(f"imported: bundle 1 of device {desks.kyiv.device_id}"), kyiv_row
    first = dialog.results.topLevelItem(0)
    assert first is not None
    dialog.results.setCurrentItem(first)
    assert not dialog.approve_box.isVisible()  # nothing left to approve
    screenshot(dialog, "bundle-import-vouched.png")
    assert desks.lviv.sync.held_bundles() == []
    assert desks.lviv.evidence.get(field.evidence_id).sha256 == field.sha256


def test_without_the_vouch_the_bundle_stays_held(qtbot: QtBot, desks: Desks) -> None:
    """The control: the worker's bundle alone is held, as before."""
    field = desks.worker("field")
    worker_bundle = desks.org.export(field.vault)
    dialog = BundleImportDialog(desks.lviv)
    qtbot.addWidget(dialog)
    dialog.show()
    [row] = _import(qtbot, dialog, [worker_bundle.path])
    assert row.startswith("held in quarantine: "), row
    assert [h.bundle_id for h in desks.lviv.sync.held_bundles()] == [worker_bundle.bundle_id]
