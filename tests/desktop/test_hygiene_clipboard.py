"""Lock and panic wipe empty the clipboard when what is on it came from the
app (a copied narrative, the recovery key), through the real window."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import QApplication

from db.keyring_store import NoKeyring
from desktop.window import FieldvaultWindow
from tests.gui_helpers import unlocked_window
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE

WAIT_MS = 15_000
NARRATIVE = "Свідок W-3 бачив, як двох полонених вивели з підвалу школи."


@pytest.fixture
def unlocked(qtbot, created_vault, vault_dir) -> FieldvaultWindow:
    created_vault.vault.lock()
    return unlocked_window(qtbot, vault_dir)


def copy_narrative(qtbot, window: FieldvaultWindow) -> None:
    view = window.vault_view
    assert view is not None
    field = view.testimony_editor.narrative_field
    field.setPlainText(NARRATIVE)
    field.selectAll()
    field.setFocus()
    field.copy()  # what Ctrl+C and the context menu's Copy do
    assert QApplication.clipboard().text() == NARRATIVE


def test_lock_clears_a_narrative_copied_from_the_app(qtbot, unlocked: FieldvaultWindow) -> None:
    copy_narrative(qtbot, unlocked)
    unlocked.lock()
    assert QApplication.clipboard().text() == ""


def test_panic_wipe_clears_a_copied_narrative(qtbot, unlocked: FieldvaultWindow) -> None:
    copy_narrative(qtbot, unlocked)
    unlocked.wipe()
    assert QApplication.clipboard().text() == ""


def test_the_recovery_key_copied_at_creation_is_cleared_by_the_lock(qtbot, vault_dir: Path) -> None:
    window = FieldvaultWindow(vault_dir, keyring=NoKeyring(), argon2=FAST_ARGON2)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    page = window.create_page
    qtbot.keyClicks(page.passphrase, PASSPHRASE)
    qtbot.keyClicks(page.confirmation, PASSPHRASE)
    qtbot.keyClick(page.confirmation, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.recovery_page, timeout=WAIT_MS)
    key_field = window.recovery_page.key_field
    key_field.selectAll()
    key_field.setFocus()
    qtbot.keySequence(key_field, QKeySequence.StandardKey.Copy)
    assert QApplication.clipboard().text() == key_field.text() != ""
    window.lock()
    assert QApplication.clipboard().text() == ""


def test_text_copied_while_the_app_was_not_active_is_left_alone(
    qtbot, unlocked: FieldvaultWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another program's clipboard content is not ours to clear: a change made
    while the app was not the active one is not recognised as ours."""
    clipboard = QApplication.clipboard()
    # As if the user switched to a browser and copied a link there (offscreen
    # Qt has no other application to switch to).
    monkeypatch.setattr(
        QGuiApplication, "applicationState", staticmethod(lambda: Qt.ApplicationState.ApplicationInactive)
    )
    clipboard.setText("https://example.org/a-link-from-elsewhere")
    monkeypatch.undo()
    unlocked.lock()
    assert clipboard.text() == "https://example.org/a-link-from-elsewhere"
