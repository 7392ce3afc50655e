"""Never stuck, never exposed, from the lock screen and Settings: recovery with
the recovery key (the new passphrase held to the rule, a new key shown once),
the panic wipe with its two steps, and the duress passphrase set and cleared
in Settings; in English and Ukrainian."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from db.errors import VaultNotFound, WrongPassphrase
from db.keyring_store import NoKeyring
from db.paths import KEY_FILE
from db.vault import CreatedVault, Vault
from desktop.window import FieldvaultWindow
from tests.factory import make_case
from tests.gui_helpers import in_ukrainian, screenshot, show, type_text, unlocked_window
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE, open_vault

WAIT_MS = 30_000
NEW_PASSPHRASE = "a new laptop, a new passphrase"
DURESS = "the river remembers every stone"
CYRILLIC = re.compile("[А-Яа-яІіЇїЄє]")


@pytest.fixture
def ukrainian(tmp_path: Path) -> Iterator[None]:
    with in_ukrainian(tmp_path / "translations"):
        yield


@pytest.fixture
def locked_window(qtbot, created_vault: CreatedVault, vault_dir: Path) -> FieldvaultWindow:
    make_case(created_vault.vault, title="Bucha, March 2022")
    created_vault.vault.lock()
    window = FieldvaultWindow(vault_dir, keyring=NoKeyring(), argon2=FAST_ARGON2)
    qtbot.addWidget(window)
    show(qtbot, window)
    assert window.stack.currentWidget() is window.unlock_page
    return window


def test_recover_from_the_unlock_screen(
    qtbot, locked_window: FieldvaultWindow, created_vault: CreatedVault, vault_dir: Path
) -> None:
    window = locked_window
    qtbot.mouseClick(window.unlock_page.recover_button, Qt.MouseButton.LeftButton)
    page = window.recover_page
    assert window.stack.currentWidget() is page
    assert page.strength.argon2 == FAST_ARGON2  # the rule at this vault's cost
    assert not page.recover_button.isEnabled()
    qtbot.keyClicks(page.recovery_key, created_vault.recovery_key.lower().replace("-", " "))
    qtbot.keyClicks(page.passphrase, NEW_PASSPHRASE)
    qtbot.keyClicks(page.confirmation, NEW_PASSPHRASE)
    assert page.recover_button.isEnabled()
    screenshot(window, "recover-unlock-screen.png")
    qtbot.mouseClick(page.recover_button, Qt.MouseButton.LeftButton)
    assert page.recovery_key.text() == "" and page.passphrase.text() == ""  # handed over, cleared
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.recovery_page, timeout=WAIT_MS)
    new_key = window.recovery_page.key_field.text()
    assert new_key and new_key != created_vault.recovery_key
    assert "no longer works" in window.recovery_page.notice.text()
    screenshot(window, "recover-new-key.png")
    qtbot.mouseClick(window.recovery_page.done_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.vault_view is not None, timeout=WAIT_MS)
    vault = window.vault
    assert vault is not None and [c.title for c in vault.cases.list()] == ["Bucha, March 2022"]
    window.lock()

    open_vault(vault_dir, NEW_PASSPHRASE).lock()
    assert window.recovery_page.key_field.text() == ""  # forgotten at the lock
    with pytest.raises(WrongPassphrase):
        open_vault(vault_dir, PASSPHRASE)
    # The recovery key used is retired.
    from db.errors import WrongRecoveryKey

    with pytest.raises(WrongRecoveryKey):
        Vault.recover(
            vault_dir, created_vault.recovery_key, "yet another long passphrase here", keyring=NoKeyring()
        )


def test_a_wrong_recovery_key_is_explained_and_changes_nothing(
    qtbot, locked_window: FieldvaultWindow, vault_dir: Path
) -> None:
    window = locked_window
    before = (vault_dir / KEY_FILE).read_bytes()
    qtbot.mouseClick(window.unlock_page.recover_button, Qt.MouseButton.LeftButton)
    page = window.recover_page
    qtbot.keyClicks(page.recovery_key, "AAAA-BBBB-CCCC")
    qtbot.keyClicks(page.passphrase, NEW_PASSPHRASE)
    qtbot.keyClicks(page.confirmation, NEW_PASSPHRASE)
    qtbot.mouseClick(page.recover_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.is_busy, timeout=WAIT_MS)
    assert page.error.isVisible() and "recovery key" in page.error.text().lower()
    assert window.vault is None and (vault_dir / KEY_FILE).read_bytes() == before
    qtbot.mouseClick(page.back_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.unlock_page


def test_a_guessable_new_passphrase_is_refused_on_the_recovery_page(
    qtbot, locked_window: FieldvaultWindow, created_vault: CreatedVault
) -> None:
    page = locked_window.recover_page
    qtbot.mouseClick(locked_window.unlock_page.recover_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(page.recovery_key, created_vault.recovery_key)
    qtbot.keyClicks(page.passphrase, "Kharkiv2022!")
    qtbot.keyClicks(page.confirmation, "Kharkiv2022!")
    assert not page.recover_button.isEnabled() and page.suggestion.isVisible()
    qtbot.keyClick(page.confirmation, Qt.Key.Key_Return)
    assert "within a year" in page.error.text()
    assert locked_window.tasks.running() == []


def test_recovery_page_in_ukrainian(qtbot, locked_window: FieldvaultWindow, ukrainian) -> None:
    window = locked_window
    assert CYRILLIC.search(window.unlock_page.recover_button.text())
    assert CYRILLIC.search(window.unlock_page.wipe.start_button.text())
    qtbot.mouseClick(window.unlock_page.recover_button, Qt.MouseButton.LeftButton)
    page = window.recover_page
    for text in (page.heading.text(), page.intro.text(), page.recover_button.text(), page.back_button.text()):
        assert CYRILLIC.search(text), text
    screenshot(window, "recover-unlock-screen-uk.png")


def test_panic_wipe_from_the_lock_screen_needs_both_steps(
    qtbot, locked_window: FieldvaultWindow, created_vault: CreatedVault, vault_dir: Path
) -> None:
    window = locked_window
    wipe = window.unlock_page.wipe
    assert not wipe.wipe_now.isVisible()
    qtbot.mouseClick(wipe.start_button, Qt.MouseButton.LeftButton)
    assert wipe.wipe_now.isVisible() and not wipe.wipe_now.isEnabled()
    qtbot.keyClicks(wipe.word, "wipe")  # not the exact word
    assert not wipe.wipe_now.isEnabled()
    wipe.word.clear()
    qtbot.keyClicks(wipe.word, wipe.confirmation_word())
    screenshot(window, "wipe-lock-screen.png")
    assert (vault_dir / KEY_FILE).exists()
    qtbot.mouseClick(wipe.wipe_now, Qt.MouseButton.LeftButton)
    assert not (vault_dir / KEY_FILE).exists()
    assert window.stack.currentWidget() is window.create_page
    with pytest.raises(VaultNotFound):
        open_vault(vault_dir)
    with pytest.raises(VaultNotFound):
        Vault.recover(vault_dir, created_vault.recovery_key, NEW_PASSPHRASE, keyring=NoKeyring())


def test_wipe_on_the_lock_screen_in_ukrainian(qtbot, locked_window: FieldvaultWindow, ukrainian) -> None:
    wipe = locked_window.unlock_page.wipe
    qtbot.mouseClick(wipe.start_button, Qt.MouseButton.LeftButton)
    word = wipe.confirmation_word()
    assert word == "ЗНИЩИТИ" and word in wipe.hint.text() and CYRILLIC.search(wipe.hint.text())
    type_text(qtbot, wipe.word, word)  # as a Cyrillic keyboard sends it
    assert wipe.wipe_now.isEnabled()
    screenshot(locked_window, "wipe-lock-screen-uk.png")


def test_duress_passphrase_set_and_cleared_in_settings(
    qtbot, created_vault: CreatedVault, vault_dir: Path
) -> None:
    created_vault.vault.lock()
    window = unlocked_window(qtbot, vault_dir)
    window.open_settings()
    dialog = window.settings_dialog
    assert dialog is not None
    duress = dialog.duress
    assert not duress.isVisible()  # a dialog of its own: Settings stays small
    qtbot.mouseClick(dialog.duress_button, Qt.MouseButton.LeftButton)
    assert duress.isVisible()
    qtbot.keyClicks(duress.current, PASSPHRASE)
    qtbot.keyClicks(duress.duress, DURESS)
    qtbot.keyClicks(duress.repeat, DURESS)
    screenshot(duress, "settings-duress.png")
    qtbot.mouseClick(duress.set_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "set" in duress.status.text(), timeout=WAIT_MS)
    assert duress.duress.text() == "" and duress.current.text() == ""
    window.lock()

    # Typed at unlock, the duress passphrase wipes and looks like a wrong one.
    qtbot.keyClicks(window.unlock_page.passphrase, DURESS)
    qtbot.keyClick(window.unlock_page.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.unlock_page.error.isVisible(), timeout=WAIT_MS)
    assert "Wrong passphrase" in window.unlock_page.error.text()
    assert not (vault_dir / KEY_FILE).exists()


def test_duress_cleared_in_settings_no_longer_wipes(
    qtbot, created_vault: CreatedVault, vault_dir: Path
) -> None:
    vault = created_vault.vault
    vault.set_duress_passphrase(PASSPHRASE, DURESS)
    vault.lock()
    window = unlocked_window(qtbot, vault_dir)
    window.open_settings()
    dialog = window.settings_dialog
    assert dialog is not None
    qtbot.mouseClick(dialog.duress_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.duress.current, PASSPHRASE)
    qtbot.mouseClick(dialog.duress.clear_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "cleared" in dialog.duress.status.text(), timeout=WAIT_MS)
    window.lock()
    with pytest.raises(WrongPassphrase):
        open_vault(vault_dir, DURESS)
    assert (vault_dir / KEY_FILE).exists()
    open_vault(vault_dir).lock()


def test_duress_refusals_are_explained(
    qtbot, created_vault: CreatedVault, vault_dir: Path, ukrainian
) -> None:
    created_vault.vault.lock()
    window = unlocked_window(qtbot, vault_dir)
    window.open_settings()
    dialog = window.settings_dialog
    assert dialog is not None
    duress = dialog.duress
    assert CYRILLIC.search(dialog.duress_button.text())
    qtbot.mouseClick(dialog.duress_button, Qt.MouseButton.LeftButton)
    assert CYRILLIC.search(duress.windowTitle()) and CYRILLIC.search(duress.explanation.text())
    # The same as the passphrase: the core refuses, the message says so.
    qtbot.keyClicks(duress.current, PASSPHRASE)
    qtbot.keyClicks(duress.duress, PASSPHRASE)
    qtbot.keyClicks(duress.repeat, PASSPHRASE)
    qtbot.mouseClick(duress.set_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: duress.set_button.isEnabled() and duress.status.text() != "", timeout=WAIT_MS)
    assert CYRILLIC.search(duress.status.text())
    screenshot(duress, "settings-duress-uk.png")
    window.lock()
    open_vault(vault_dir).lock()  # nothing was wiped or changed
