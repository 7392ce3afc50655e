"""The language is chosen on the first screen: it applies at once, keeps what
was typed, carries into the vault's main window, and is read at the next start.

Screenshots go to build/screenshots/ (make screenshots: docs/screenshots/; STYLE.md, rule 6).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, QSettings, Qt, QTimer
from PySide6.QtWidgets import QAbstractButton, QApplication, QGroupBox, QLabel, QWidget

from db.keyring_store import NoKeyring
from desktop import i18n
from desktop.app import run_gui
from desktop.window import FieldvaultWindow
from tests.gui_helpers import TS_FILE, compile_qm, qt_app, screenshot, show
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE

WAIT_MS = 15_000
WRONG_PASSPHRASE = "not the passphrase at all"


def english_sources() -> dict[str, str]:
    """Each English source text of the .ts (mnemonics removed) → its Ukrainian."""
    found: dict[str, str] = {}
    for message in ET.parse(TS_FILE).getroot().iter("message"):
        source = (message.findtext("source") or "").replace("&", "")
        translation = message.find("translation")
        if translation is not None and translation.text:
            found[source] = translation.text.replace("&", "")
    return found


def untranslated_texts(root: QWidget) -> list[str]:
    """Visible labels, buttons and group titles still in English (a source text
    whose translation differs)."""
    sources = english_sources()
    left = []
    for widget in root.findChildren(QWidget):
        if not widget.isVisibleTo(root):
            continue
        if isinstance(widget, QLabel | QAbstractButton):
            text = widget.text().replace("&", "")
        elif isinstance(widget, QGroupBox):
            text = widget.title().replace("&", "")
        else:
            continue
        if text in sources and sources[text] != text:
            left.append(text)
    return left


@pytest.fixture
def ukrainian_available(tmp_path: Path, monkeypatch) -> Iterator[Path]:
    """A fresh .qm from the .ts, found by the app's own lookup; the language of
    the test process (translators, default locale) restored afterwards."""
    folder = tmp_path / "translations"
    folder.mkdir()
    compile_qm(TS_FILE, folder / "fieldvault_uk.qm")
    monkeypatch.setattr(i18n, "translations_dir", lambda: folder)
    monkeypatch.delenv(i18n.LANGUAGE_VARIABLE, raising=False)
    app = qt_app()
    saved_locale = QLocale()
    i18n.remove_translators(app)
    QLocale.setDefault(QLocale("en"))  # the starting point, whatever this machine's locale
    yield folder
    i18n.remove_translators(app)
    QLocale.setDefault(saved_locale)


def test_ukrainian_chosen_on_the_create_page_applies_at_once(qtbot, vault_dir, ukrainian_available):
    window = FieldvaultWindow(vault_dir, keyring=NoKeyring(), argon2=FAST_ARGON2)
    qtbot.addWidget(window)
    show(qtbot, window)
    page = window.create_page
    chooser = page.language_chooser
    assert window.stack.currentWidget() is page
    assert chooser.combo.currentData() == "en" and chooser.combo.currentText() == "English"
    assert [chooser.combo.itemText(i) for i in range(chooser.combo.count())] == ["English", "Українська"]
    # The chooser sits above the heading: the first thing on the page.
    assert (
        chooser.mapTo(page, chooser.rect().topLeft()).y()
        < page.heading.mapTo(page, page.heading.rect().topLeft()).y()
    )
    assert not window.windowIcon().isNull()

    qtbot.keyClicks(page.passphrase, PASSPHRASE)
    qtbot.keyClicks(page.confirmation, PASSPHRASE)
    english_verdict = page.strength.verdict.text()
    assert english_verdict and page.create_button.text() == "Create vault"
    screenshot(window, "first-run-language-en.png")

    # The user picks Ukrainian with the keyboard.
    chooser.combo.setFocus()
    qtbot.keyClick(chooser.combo, Qt.Key.Key_Down)
    assert chooser.combo.currentData() == "uk"
    # Qt posts LanguageChange to every window: it arrives with the next events.
    qtbot.waitUntil(lambda: page.create_button.text() == "Створити сховище")

    # At once: the page's texts, the other first screens, the window's menu.
    assert page.heading.text() == page.heading.accessibleName() == "Створення сховища"
    assert page.create_button.text() == "Створити сховище"
    assert page.passphrase_label.text() == "&Нова парольна фраза:"
    assert chooser.label.text() == "&Мова:"
    assert page.strength.verdict.text() not in ("", english_verdict)
    assert untranslated_texts(page) == []
    assert window.unlock_page.unlock_button.text() == "Розблокувати"
    assert window.unlock_page.language_chooser.combo.currentData() == "uk"
    assert untranslated_texts(window.recovery_page) == []
    assert window.vault_menu.title() == "&Сховище"
    assert window.lock_action.text() == "Заблокувати сховище"
    # What was typed is still there; numbers and dates follow the language.
    assert page.passphrase.text() == page.confirmation.text() == PASSPHRASE
    assert QLocale().language() == QLocale.Language.Ukrainian
    # Kept for the next start, in the non-sensitive preferences only.
    assert QSettings("Fieldvault", "Fieldvault").value("language") == "uk"
    screenshot(window, "first-run-language-uk.png")

    # The vault is created with what was typed before the switch.
    qtbot.keyClick(page.confirmation, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.recovery_page, timeout=WAIT_MS)
    recovery = window.recovery_page
    assert recovery.done_button.text() == "Ключ записано"
    assert re.search("[А-Яа-яІіЇїЄє]", recovery.notice.text())  # the keyring notice too
    qtbot.mouseClick(recovery.done_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.vault_view is not None, timeout=WAIT_MS)

    # The main window is built in Ukrainian.
    view = window.vault_view
    assert view is not None
    assert view.testimony_editor.save_button.text() == QCoreApplication.translate(
        "TestimonyEditor", "Save testimony"
    )
    assert view.testimony_editor.save_button.text() != "Save testimony"
    assert untranslated_texts(window) == []
    screenshot(window, "first-run-main-uk.png")


def test_a_fresh_start_reads_the_choice(qtbot, vault_dir, created_vault, ukrainian_available):
    i18n.switch_language(qt_app(), "uk")
    # As if the app had quit: no translator, the default locale back to English.
    i18n.remove_translators(qt_app())
    QLocale.setDefault(QLocale("en"))
    assert QCoreApplication.translate("UnlockPage", "Unlock") == "Unlock"

    seen: list[FieldvaultWindow] = []

    def look_and_quit() -> None:
        seen.extend(
            w for w in QApplication.topLevelWidgets() if isinstance(w, FieldvaultWindow) and w.isVisible()
        )
        assert seen
        unlock = seen[0].unlock_page
        seen_texts.append(unlock.unlock_button.text())
        seen_texts.append(unlock.language_chooser.combo.currentText())
        QApplication.quit()

    seen_texts: list[str] = []
    QTimer.singleShot(0, look_and_quit)
    assert run_gui(vault_dir) == 0
    assert seen_texts == ["Розблокувати", "Українська"]
    assert not QApplication.windowIcon().isNull()  # run_gui sets the application's icon
    # run_gui removes its translators on the way out.
    assert QCoreApplication.translate("UnlockPage", "Unlock") == "Unlock"


def test_fieldvault_lang_still_wins_at_start(monkeypatch, ukrainian_available):
    QSettings("Fieldvault", "Fieldvault").setValue("language", "uk")
    assert i18n.chosen_locale().language() == QLocale.Language.Ukrainian
    monkeypatch.setenv(i18n.LANGUAGE_VARIABLE, "en")
    assert i18n.chosen_locale().language() == QLocale.Language.English
    with pytest.raises(ValueError):
        i18n.switch_language(qt_app(), "xx")


def test_the_unlock_page_switches_too_and_its_error_follows(
    qtbot, vault_dir, created_vault, ukrainian_available
):
    created_vault.vault.lock()
    window = FieldvaultWindow(vault_dir, keyring=NoKeyring(), argon2=FAST_ARGON2)
    qtbot.addWidget(window)
    show(qtbot, window)
    unlock = window.unlock_page
    assert window.stack.currentWidget() is unlock

    qtbot.keyClicks(unlock.passphrase, WRONG_PASSPHRASE)
    qtbot.keyClick(unlock.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not unlock.error.isHidden(), timeout=WAIT_MS)
    assert unlock.error.text() == "Wrong passphrase. Nothing was changed; try again."
    qtbot.keyClicks(unlock.passphrase, "half typed")

    unlock.language_chooser.choose("uk")
    qtbot.waitUntil(lambda: unlock.unlock_button.text() == "Розблокувати")
    assert unlock.error.text() == "Неправильна парольна фраза. Нічого не змінено; спробуйте ще раз."
    assert unlock.unlock_button.text() == "Розблокувати"
    assert unlock.passphrase.text() == "half typed"
    assert window.create_page.language_chooser.combo.currentData() == "uk"
    assert untranslated_texts(unlock) == []

    unlock.language_chooser.choose("en")
    qtbot.waitUntil(lambda: unlock.unlock_button.text() == "Unlock")
    assert unlock.error.text() == "Wrong passphrase. Nothing was changed; try again."
    assert unlock.unlock_button.text() == "Unlock"
    assert QSettings("Fieldvault", "Fieldvault").value("language") == "en"
