"""Fit and finish (issue 15): what a field worker sees in Qt's own dialogs, the
keyboard, the window's size, the remembered case, and the mixed-language leftovers.

Screenshots go to build/screenshots/ (make screenshots: docs/screenshots/).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QLabel, QMessageBox

from desktop import i18n
from tests.gui_helpers import TS_FILE, compile_qm, qt_app, screenshot


@pytest.fixture
def translations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh .qm from the .ts, found by the app's own lookup; the test
    process's language restored afterwards."""
    folder = tmp_path / "translations"
    folder.mkdir()
    compile_qm(TS_FILE, folder / "fieldvault_uk.qm")
    monkeypatch.setattr(i18n, "translations_dir", lambda: folder)
    monkeypatch.delenv(i18n.LANGUAGE_VARIABLE, raising=False)
    app = qt_app()
    saved_locale = QLocale()
    i18n.remove_translators(app)
    QLocale.setDefault(QLocale("en"))
    yield folder
    i18n.remove_translators(app)
    QLocale.setDefault(saved_locale)


def file_dialog_labels(qtbot) -> tuple[list[str], list[str]]:
    """The labels and button texts of Qt's own (non-native) open dialog."""
    dialog = QFileDialog(None, "Fieldvault", str(Path.home()))
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    qtbot.addWidget(dialog)
    labels = [label.text() for label in dialog.findChildren(QLabel) if label.text()]
    buttons = [button.text() for button in dialog.findChildren(QDialogButtonBox)[0].buttons()]
    return labels, buttons


# -- 1. Qt's own dialogs ------------------------------------------------------------


def test_qt_dialogs_speak_ukrainian_after_a_switch_and_english_after_the_switch_back(qtbot, translations):
    app = qt_app()
    i18n.switch_language(app, "uk")
    labels, buttons = file_dialog_labels(qtbot)
    # Every label of the file dialog, including the two qtbase_uk.qm lacks.
    assert labels == ["&Шукати в:", "&Ім'я файлу:", "&Тип файлів:"]
    assert "Скасувати" in buttons
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "Fieldvault",
        "?",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
    )
    qtbot.addWidget(box)
    assert sorted(button.text() for button in box.buttons()) == ["&Ні", "Т&ак"]
    dialog = QFileDialog(None, "Fieldvault", str(Path.home()))
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    qtbot.addWidget(dialog)
    dialog.resize(700, 420)
    screenshot(dialog, "qt-file-dialog-uk.png")

    i18n.switch_language(app, "en")
    labels, buttons = file_dialog_labels(qtbot)
    assert labels == ["&Look in:", "File &name:", "Files of &type:"]
    assert "Cancel" in buttons
