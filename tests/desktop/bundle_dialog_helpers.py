"""The coordinator's bundle dialogs driven as a user drives them, for the
desk tests (tests/sync/desk_world.py builds the desks): Import bundles…
with files chosen, Coordinator → Devices… once its table is filled, and
its list of a revoked device's frozen records."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QRadioButton
from pytestqt.qtbot import QtBot

from db.api import Vault
from desktop.bundle_actions import BundleImportDialog
from desktop.devices_view import DevicesDialog
from desktop.frozen_records_view import FrozenRecordsDialog

WAIT_MS = 60_000


def import_in_dialog(qtbot: QtBot, vault: Vault, files: list[Path]) -> BundleImportDialog:
    """Import bundles…: the dialog shown, ``files`` chosen (the file
    dialog's answer), Import pressed; returned when the import is done."""
    dialog = BundleImportDialog(vault)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog._chooser = lambda _parent, _caption: [str(f) for f in files]
    qtbot.mouseClick(dialog.choose_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)
    return dialog


def shown_devices(qtbot: QtBot, vault: Vault) -> DevicesDialog:
    """Coordinator → Devices…, shown, once its table lists the devices."""
    dialog = DevicesDialog(vault)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: not dialog.busy and dialog.table.topLevelItemCount() > 0, timeout=WAIT_MS)
    return dialog


def frozen_list(qtbot: QtBot, dialog: DevicesDialog) -> FrozenRecordsDialog:
    """The Devices view's List… of frozen records clicked: the list, once shown."""
    qtbot.mouseClick(dialog.frozen.list_button, Qt.MouseButton.LeftButton)
    listed = dialog.frozen.list_dialog
    assert listed is not None
    qtbot.waitUntil(listed.isVisible, timeout=WAIT_MS)
    return listed


def shown_frozen_list(qtbot: QtBot, dialog: DevicesDialog) -> FrozenRecordsDialog:
    """The Devices view ``dialog`` shown, its read done, and its list of frozen records opened."""
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: not dialog.busy and dialog.frozen.isVisible(), timeout=WAIT_MS)
    return frozen_list(qtbot, dialog)


def pick(qtbot: QtBot, button: QRadioButton) -> None:
    """Click a radio button on its indicator (its middle may be past its text)."""
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=QPoint(6, button.height() // 2))


def choose_record(listed: FrozenRecordsDialog, title: str) -> None:
    """The row of the frozen record shown as ``title`` made the current one."""
    for index in range(listed.table.topLevelItemCount()):
        item = listed.table.topLevelItem(index)
        if item is not None and item.text(listed.RECORD_COLUMN) == title:
            listed.table.setCurrentItem(item)
            return
    raise AssertionError(f"{title} is not listed")
