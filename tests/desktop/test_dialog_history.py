"""Every file and folder dialog forgets where it was (issue 15, "never
exposed"): Qt keeps the last folder and a history of folders in its own
plain settings file, and a folder's name ("Izium exhumation") can say what
a seized laptop was used for. Each of the app's choosers removes them after
the dialog closes, whatever Qt wrote before."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from desktop import (
    bundle_actions,
    dialog_parts,
    org_acks,
    org_add_device,
    org_join,
)

SECRET_FOLDER = "file:///media/usb/Izium exhumation"


def _qt_file_dialog_settings() -> QSettings:
    settings = QSettings(QSettings.Scope.UserScope, "QtProject")
    settings.beginGroup("FileDialog")
    return settings


def _close_the_dialog_soon() -> None:
    def close() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(20, close)
            return
        dialog.close()

    QTimer.singleShot(50, close)


CHOOSERS: dict[str, Callable[[QWidget], object]] = {
    # Back up and Export case choose with dialog_parts.choose_folder (their default chooser).
    "backup folder": lambda parent: dialog_parts.choose_folder(parent, "Back up to"),
    "export folder": lambda parent: dialog_parts.choose_folder(parent, "Export to"),
    "bundle folder": lambda parent: dialog_parts.choose_folder(parent, "Bundle to"),
    "bundle files": lambda parent: bundle_actions.choose_bundles(parent, "Bundles"),
    "organisation profile": lambda parent: org_join._choose_profile(parent),
    "device card": lambda parent: org_add_device._choose_card(parent, "Device card"),
    "acknowledgement files": lambda parent: org_acks.choose_acks(parent, "Acknowledgements"),
}


@pytest.mark.parametrize("which", sorted(CHOOSERS))
def test_a_chooser_leaves_no_folder_names_in_qts_settings(qtbot: QtBot, which: str) -> None:
    settings = _qt_file_dialog_settings()
    settings.setValue("lastVisited", SECRET_FOLDER)
    settings.setValue("history", [SECRET_FOLDER])
    settings.sync()
    parent = QWidget()
    qtbot.addWidget(parent)
    _close_the_dialog_soon()
    CHOOSERS[which](parent)
    settings = _qt_file_dialog_settings()
    assert settings.value("lastVisited") is None and settings.value("history") is None
