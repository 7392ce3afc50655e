"""Auto-lock, settings and the panic wipe, through the real window."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from db.errors import VaultNotFound
from db.keyring_store import NoKeyring
from db.paths import KEY_FILE
from db.vault import Vault
from desktop.window import FieldvaultWindow
from tests.gui_helpers import unlocked_window
from tests.screenshots import SCREENSHOTS
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE, open_vault

WAIT_MS = 15_000


@pytest.fixture
def unlocked(qtbot, created_vault, vault_dir) -> FieldvaultWindow:
    created_vault.vault.lock()
    return unlocked_window(qtbot, vault_dir)


def test_idle_delay_locks_and_says_why(qtbot, unlocked: FieldvaultWindow) -> None:
    window = unlocked
    window.auto_lock.set_idle_minutes(0.002)  # 120 ms, for the test
    qtbot.waitUntil(lambda: window.vault is None, timeout=WAIT_MS)
    assert window.stack.currentWidget() is window.unlock_page
    assert "without activity" in window.unlock_page.notice.text()
    assert not window.settings_action.isEnabled()


def test_activity_postpones_the_idle_lock(qtbot, unlocked: FieldvaultWindow) -> None:
    window = unlocked
    window.auto_lock.set_idle_minutes(1)
    idle = window.auto_lock._idle
    idle.start(2_000)  # as if 58 s had passed without a key press
    view = window.vault_view
    assert view is not None
    qtbot.keyClick(view.case_title_field, Qt.Key.Key_A)
    assert idle.remainingTime() > 50_000  # the full minute again
    assert window.vault is not None


def test_a_long_gap_between_heartbeats_means_sleep(qtbot, unlocked: FieldvaultWindow, monkeypatch) -> None:
    window = unlocked
    real_time = time.time  # autolock calls time.time(): the patch reaches it
    monkeypatch.setattr(time, "time", lambda: real_time() + 3600)  # an hour asleep
    window.auto_lock._beat()
    assert window.vault is None
    assert "asleep" in window.unlock_page.notice.text()


def test_settings_are_saved_in_the_vault(qtbot, unlocked: FieldvaultWindow, vault_dir: Path) -> None:
    window = unlocked
    window.open_settings()
    dialog = window.settings_dialog
    assert dialog is not None
    dialog.auto_lock.setValue(12)
    dialog.user_label.setText("FW-7")
    dialog.grab().save(str(SCREENSHOTS / "07-settings.png"))
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):  # stored on the save lane
        dialog.save()
    vault = window.vault
    assert vault is not None
    assert vault.settings.all() | {"auto_lock_minutes": "12", "user_label": "FW-7"} == vault.settings.all()


def test_change_passphrase_from_settings(qtbot, unlocked: FieldvaultWindow, vault_dir: Path) -> None:
    window = unlocked
    window.open_settings()
    dialog = window.settings_dialog
    assert dialog is not None
    qtbot.keyClicks(dialog.current, PASSPHRASE)
    qtbot.keyClicks(dialog.new, "a brand new passphrase")
    assert dialog.strength.bar.value() >= 3
    qtbot.keyClicks(dialog.repeat, "a brand new passphrase")
    qtbot.mouseClick(dialog.change_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "changed" in dialog.passphrase_status.text(), timeout=WAIT_MS)
    assert all(
        not f.text() for f in dialog.findChildren(QLineEdit) if f.echoMode() == QLineEdit.EchoMode.Password
    )
    window.lock()
    open_vault(vault_dir, "a brand new passphrase").lock()


def test_panic_wipe_needs_two_steps_and_leaves_nothing_that_opens(
    qtbot, unlocked: FieldvaultWindow, vault_dir: Path, created_vault
) -> None:
    window = unlocked
    window.open_settings()
    dialog = window.settings_dialog
    assert dialog is not None
    qtbot.mouseClick(dialog.wipe_button, Qt.MouseButton.LeftButton)
    assert not dialog.wipe_now.isEnabled()
    qtbot.keyClicks(dialog.wipe_confirmation, "wipe")  # not the exact word
    assert not dialog.wipe_now.isEnabled()
    dialog.wipe_confirmation.clear()
    qtbot.keyClicks(dialog.wipe_confirmation, dialog.confirmation_word())
    dialog.grab().save(str(SCREENSHOTS / "08-panic-wipe.png"))
    qtbot.mouseClick(dialog.wipe_now, Qt.MouseButton.LeftButton)
    assert window.vault is None
    assert window.stack.currentWidget() is window.create_page
    assert not (vault_dir / KEY_FILE).exists()
    with pytest.raises(VaultNotFound):
        open_vault(vault_dir)
    with pytest.raises(VaultNotFound):
        Vault.recover(vault_dir, created_vault.recovery_key, "anything 1234", keyring=NoKeyring())


def test_emergency_shortcut_wipes_even_when_locked(
    qtbot, unlocked: FieldvaultWindow, vault_dir: Path
) -> None:
    window = unlocked
    window.open_settings()
    dialog = window.settings_dialog
    assert dialog is not None
    dialog.emergency_enabled.setChecked(True)
    dialog.save()
    window.lock()
    assert window.emergency_action.isEnabled()
    window.emergency_action.trigger()  # what the key combination does
    assert not (vault_dir / KEY_FILE).exists()
    assert window.stack.currentWidget() is window.create_page


def test_emergency_shortcut_is_off_by_default(qtbot, unlocked: FieldvaultWindow) -> None:
    assert not unlocked.emergency_action.isEnabled()
    assert unlocked.emergency_action.shortcut().isEmpty()


def test_the_recovery_key_can_be_saved_where_the_user_chooses(qtbot, vault_dir: Path, tmp_path: Path) -> None:
    from db.keys import parse_recovery_key

    window = FieldvaultWindow(vault_dir, keyring=NoKeyring(), argon2=FAST_ARGON2)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    page = window.create_page
    qtbot.keyClicks(page.passphrase, PASSPHRASE)
    qtbot.keyClicks(page.confirmation, PASSPHRASE)
    qtbot.keyClick(page.confirmation, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.recovery_page, timeout=WAIT_MS)
    recovery = window.recovery_page
    target = tmp_path / "usb" / "key.txt"
    target.parent.mkdir()
    asked: list[str] = []

    def save_dialog(_parent: object, caption: str, suggested: str) -> str:
        asked.append(suggested)
        return str(target)

    recovery._save_dialog = save_dialog
    qtbot.mouseClick(recovery.save_button, Qt.MouseButton.LeftButton)
    assert asked == ["fieldvault-recovery-key.txt"]
    saved = target.read_text(encoding="utf-8")
    key_line = next(line for line in saved.splitlines() if line.count("-") == 13)
    assert parse_recovery_key(key_line) == parse_recovery_key(recovery.key_field.text())
    assert target.stat().st_mode & 0o077 == 0
    assert "Move that file" in recovery.save_status.text()
    recovery.grab().save(str(SCREENSHOTS / "02b-recovery-key-saved.png"))
    # Cancelling the dialog writes nothing.
    recovery._save_dialog = lambda *_args: ""
    target.unlink()
    qtbot.mouseClick(recovery.save_button, Qt.MouseButton.LeftButton)
    assert not target.exists()


def test_an_unlock_that_quarantined_evidence_files_says_so(qtbot, created_vault, vault_dir: Path) -> None:
    stray = vault_dir / "blobs" / ("ab" * 16)
    stray.write_bytes(b"sealed bytes no record names")
    created_vault.vault.lock()
    window = FieldvaultWindow(vault_dir, keyring=NoKeyring(), argon2=FAST_ARGON2)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    qtbot.keyClicks(window.unlock_page.passphrase, PASSPHRASE)
    qtbot.keyClick(window.unlock_page.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: window.settled_notice is not None and window.settled_notice.isVisible(), timeout=WAIT_MS
    )
    notice = window.settled_notice
    assert notice is not None
    assert "1 evidence file(s)" in notice.text()
    assert "Nothing was deleted" in notice.text()
    assert (vault_dir / "quarantine" / ("ab" * 16)).read_bytes() == b"sealed bytes no record names"
    notice.grab().save(str(SCREENSHOTS / "09-quarantine-notice.png"))
    notice.accept()
