"""Fit and finish (issue 15): what a field worker sees in Qt's own dialogs, the
keyboard, the window's size, the remembered case, and the mixed-language leftovers.

Screenshots go to build/screenshots/ (make screenshots: docs/screenshots/).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale, QSize, Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QFileDialog, QLabel, QMessageBox, QWidget

from db.keyring_store import NoKeyring
from desktop import i18n
from desktop.help_menu import LICENCE, UserGuideWindow, app_version
from desktop.window import FieldvaultWindow
from tests.factory import make_case
from tests.gui_helpers import TS_FILE, compile_qm, qt_app, screenshot, show, unlocked_window
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE


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


# -- 2. keyboard, Quit, Help ----------------------------------------------------------


def window_with_case(qtbot, vault, vault_dir: Path) -> FieldvaultWindow:
    case = make_case(vault, title="Kharkiv, March")
    window = unlocked_window(qtbot, vault_dir)
    assert window.vault_view is not None
    window.vault_view.cases.reload(select_id=case.id)
    assert window.vault_view.selected_case_id() == case.id
    return window


def test_ctrl_f_focuses_search_and_ctrl_n_starts_a_new_testimony(qtbot, vault, vault_dir: Path) -> None:
    window = window_with_case(qtbot, vault, vault_dir)
    view = window.vault_view
    assert view is not None
    view.case_tabs.setCurrentWidget(view.persons)  # Ctrl+N works from another tab too
    view.case_title_field.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(view.search_field.hasFocus)

    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(view.title_field.hasFocus)
    assert view.case_tabs.currentWidget() is view.testimonies
    assert view.title_field.isEnabled() and view.title_field.text() == ""
    window.lock()
    # Locked: the keys do nothing (and fail nothing).
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert window.vault_view is None


def test_vault_menu_quits_and_help_menu_has_the_guide_and_about(qtbot, vault, vault_dir: Path) -> None:
    window = window_with_case(qtbot, vault, vault_dir)
    assert window.keys.quit_action in window.vault_menu.actions()
    assert window.keys.quit_action.shortcut().toString() == "Ctrl+Q"
    titles = [action.text() for action in window.menuBar().actions()]
    assert titles[-1] == "&Help"

    window.help_menu.about_action.trigger()
    about = window.help_menu.about_box
    assert about is not None and about.isVisible()
    assert app_version() in about.text() and LICENCE in about.text() and "no telemetry" in about.text()
    screenshot(about, "about.png")
    about.close()

    window.help_menu.guide_action.trigger()
    guide = window.help_menu.guide_window
    assert isinstance(guide, UserGuideWindow) and guide.isVisible()
    assert "a field worker's guide" in guide.browser.toPlainText()
    screenshot(guide, "user-guide-window.png")
    guide.close()

    # A copy without the guide says where it is instead of opening nothing.
    window.help_menu.find_guide = lambda: None
    window.help_menu.guide_action.trigger()
    missing = window.help_menu.about_box
    assert missing is not None and "docs/user-guide.md" in missing.text()
    missing.close()

    show(qtbot, window)  # the active window again after the dialogs
    qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not window.isVisible())
    assert window.vault is None  # quitting locked the vault


def test_help_menu_in_ukrainian(qtbot, translations, vault, vault_dir: Path) -> None:
    i18n.switch_language(qt_app(), "uk")
    window = window_with_case(qtbot, vault, vault_dir)
    assert window.help_menu.title() == "&Довідка"
    assert window.keys.quit_action.text() == "&Вийти"
    window.help_menu.about_action.trigger()
    about = window.help_menu.about_box
    assert about is not None and "телеметрії" in about.text()
    screenshot(about, "about-uk.png")
    about.close()
    window.lock()


# -- 3. a 1366×768 laptop -------------------------------------------------------------

LAPTOP = QSize(1366, 768)


def fields_of_the_testimony_form(view) -> list[QWidget]:
    editor = view.testimony_editor
    return [
        editor.title_field,
        editor.witness_field,
        editor.incident_field,
        editor.interviewer_field,
        editor.date_field,
        editor.place_field,
        editor.language_field,
        editor.interpreter_field,
        editor.violations_field,
        editor.narrative_field,
        editor.notes_field,
    ]


def test_the_window_fits_a_laptop_and_every_testimony_field_can_be_reached(
    qtbot, vault, vault_dir: Path
) -> None:
    window = window_with_case(qtbot, vault, vault_dir)
    available = window.screen().availableGeometry().size()
    # The default size fits the screen it opens on (offscreen: 800×800) and a laptop's.
    assert window.width() <= available.width() and window.height() <= available.height()
    assert window.width() <= LAPTOP.width() and window.height() <= LAPTOP.height()
    assert window.minimumSizeHint().boundedTo(LAPTOP) == window.minimumSizeHint()

    window.resize(LAPTOP.width(), LAPTOP.height() - 40)  # a panel takes ~40 px
    view = window.vault_view
    assert view is not None
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(view.title_field.hasFocus)
    area = view.testimony_editor.scroll_area
    for field in fields_of_the_testimony_form(view):
        area.ensureWidgetVisible(field)
        QApplication.processEvents()
        top_left = field.mapTo(area.viewport(), field.rect().topLeft())
        assert area.viewport().rect().contains(top_left), field.objectName() or type(field).__name__
        assert not field.visibleRegion().isEmpty()
    assert not view.save_button.visibleRegion().isEmpty()  # outside the scrolled part
    area.ensureWidgetVisible(view.testimony_editor.title_field)
    screenshot(window, "window-1366x768.png")
    window.lock()


# -- 4. the last case, remembered inside the vault ------------------------------------


def test_the_case_shown_last_is_selected_again_after_the_unlock(
    qtbot, vault, vault_dir: Path, isolated_qt_settings: Path
) -> None:
    first = make_case(vault, title="Bucha, March")
    second = make_case(vault, title="Izium, September")
    window = unlocked_window(qtbot, vault_dir)
    view = window.vault_view
    assert view is not None and view.selected_case_id() is None  # nothing shown yet: none chosen
    assert view.cases.select_case(second.id)
    window.lock()  # waits for the save lane, which stores the choice
    assert vault.settings.get("last_case_id") == second.id

    qtbot.keyClicks(window.unlock_page.passphrase, PASSPHRASE)
    qtbot.keyClick(window.unlock_page.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.vault_view is not None, timeout=15_000)
    view = window.vault_view
    assert view is not None and view.selected_case_id() == second.id
    assert view.testimonies.new_button.isEnabled()  # shown, not only highlighted
    screenshot(window, "last-case-remembered.png")
    window.lock()
    # Never in the plain-file preferences.
    for stored in isolated_qt_settings.rglob("*"):
        if stored.is_file():
            assert second.id not in stored.read_text(errors="replace")
            assert first.id not in stored.read_text(errors="replace")


def test_a_remembered_case_that_is_gone_selects_nothing(qtbot, vault, vault_dir: Path) -> None:
    make_case(vault, title="Bucha, March")
    vault.settings.set("last_case_id", "0" * 32)
    window = unlocked_window(qtbot, vault_dir)
    assert window.vault_view is not None and window.vault_view.selected_case_id() is None
    window.lock()


# -- 5. mixed languages, clipped and detached -----------------------------------------


def test_violation_types_follow_a_language_switch_on_the_unlock_screen(
    qtbot, translations, monkeypatch: pytest.MonkeyPatch, vault, vault_dir: Path
) -> None:
    # Started in English by FIELDVAULT_LANG (as make screenshots does), then
    # Українська chosen on the unlock screen.
    monkeypatch.setenv(i18n.LANGUAGE_VARIABLE, "en")
    case = make_case(vault, title="Bucha, March")
    vault.settings.set("last_case_id", case.id)
    window = FieldvaultWindow(vault_dir, keyring=NoKeyring(), argon2=FAST_ARGON2)
    qtbot.addWidget(window)
    show(qtbot, window)
    window.unlock_page.language_chooser.choose("uk")
    qtbot.waitUntil(lambda: window.unlock_page.unlock_button.text() == "Розблокувати")
    qtbot.keyClicks(window.unlock_page.passphrase, PASSPHRASE)
    qtbot.keyClick(window.unlock_page.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.vault_view is not None, timeout=15_000)
    assert window.vault_view is not None
    violations = window.vault_view.testimony_editor.violations_field
    assert violations.item(0).text() == "Умисне вбивство"  # was "Wilful killing"
    screenshot(window, "violation-types-after-switch-uk.png")
    window.lock()


@pytest.mark.parametrize("language", ["en", "uk"])
def test_the_wipe_confirmation_in_settings_shows_its_whole_warning(
    qtbot, translations, language: str, vault, vault_dir: Path
) -> None:
    i18n.switch_language(qt_app(), language)
    window = unlocked_window(qtbot, vault_dir)
    window.open_settings()
    dialog = window.settings_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    qtbot.mouseClick(dialog.wipe_button, Qt.MouseButton.LeftButton)
    QApplication.processEvents()
    hint = dialog.wipe_hint
    # Every wrapped line of the warning has its room (it was cut to one line and a half).
    assert hint.height() >= hint.heightForWidth(hint.width()), (
        hint.height(),
        hint.heightForWidth(hint.width()),
    )
    assert dialog.height() <= dialog.screen().availableGeometry().height()
    screenshot(dialog, f"wipe-settings-{language}.png")
    dialog.close()
    window.lock()


@pytest.mark.parametrize("height", [728, 1000])
def test_the_incident_notes_label_sits_beside_its_field(qtbot, vault, vault_dir: Path, height: int) -> None:
    """It sat ~20 px above the field, in the space below Description
    (docs/screenshots/incidents-en.png of 2026-11); kept beside it now."""
    window = window_with_case(qtbot, vault, vault_dir)
    view = window.vault_view
    assert view is not None
    window.resize(LAPTOP.width(), height)  # the spare height must not open a gap
    view.case_tabs.setCurrentIndex(view.incidents_tab)
    view.incidents.new_button.click()
    QApplication.processEvents()
    editor = view.incident_editor
    label = next(found for found in editor.findChildren(QLabel) if found.buddy() is editor.notes_field)
    label_top = label.mapTo(editor, label.rect().topLeft()).y()
    field_top = editor.notes_field.mapTo(editor, editor.notes_field.rect().topLeft()).y()
    assert abs(label_top - field_top) <= 6, (label_top, field_top)
    screenshot(window, f"incident-notes-label-{height}.png")
    window.lock()
