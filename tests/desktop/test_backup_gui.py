"""Vault → Back up to USB… through the real window: the backup opens with the
passphrase and holds every file; Cancel and locking leave nothing; the window
reminds when no backup is recent; in English and Ukrainian."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from db.vault import Vault
from desktop.backup_action import BackupDialog
from desktop.window import FieldvaultWindow
from tests.evidence_samples import make_random
from tests.factory import make_case
from tests.gui_helpers import in_ukrainian, screenshot, unlocked_window
from tests.vault_helpers import open_vault

WAIT_MS = 30_000


@pytest.fixture
def ukrainian(tmp_path: Path) -> Iterator[None]:
    with in_ukrainian(tmp_path / "translations"):
        yield


def filled(vault: Vault, tmp_path: Path, *, files: int = 2, size: int = 200_000) -> dict[str, str]:
    case = make_case(vault)
    hashes = {}
    for number in range(files):
        source = make_random(tmp_path / f"file-{number}.bin", size, seed=number)
        item = vault.evidence.ingest(source, case.id).item
        hashes[item.sha256] = item.id
    vault.lock()
    return hashes


def stored_hashes(vault: Vault) -> set[str]:
    found = set()
    for item in vault.evidence.list():
        with vault.evidence.open(item.id, purpose="test") as reader:
            found.add(hashlib.sha256(reader.read()).hexdigest())
    return found


def open_backup_dialog(window: FieldvaultWindow, usb: Path) -> BackupDialog:
    window.backup_action.chooser = lambda _parent, _caption: str(usb)
    assert window.backup_action.isEnabled()
    window.backup_action.trigger()
    dialog = window.backup_action.dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


def test_back_up_from_the_vault_menu(qtbot, created_vault, vault_dir: Path, tmp_path: Path) -> None:
    hashes = filled(created_vault.vault, tmp_path)
    window = unlocked_window(qtbot, vault_dir)
    assert "never been backed up" in window.statusBar().currentMessage()
    assert window.backup_action in window.vault_menu.actions()
    usb = tmp_path / "usb"
    usb.mkdir()
    dialog = open_backup_dialog(window, usb)
    qtbot.mouseClick(dialog.choose_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.running, timeout=WAIT_MS)
    assert dialog.result_path is not None and dialog.result_path.parent == usb
    assert str(dialog.result_path) in dialog.status.text()
    assert "passphrase or recovery key" in dialog.status.text()
    screenshot(dialog, "backup-done.png")
    dialog.close()

    # Locked and unlocked again: a fresh backup means no reminder.
    window.lock()
    assert window.statusBar().currentMessage() == ""
    qtbot.keyClicks(window.unlock_page.passphrase, "correct horse battery staple")
    qtbot.keyClick(window.unlock_page.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.vault_view is not None, timeout=WAIT_MS)
    assert window.statusBar().currentMessage() == ""
    window.lock()

    with open_vault(dialog.result_path) as copy:
        assert copy.verify().ok
        assert stored_hashes(copy) == set(hashes)


def backup_running(
    qtbot, created_vault, vault_dir: Path, tmp_path: Path
) -> tuple[FieldvaultWindow, BackupDialog, Path]:
    """16 MiB of evidence, the window unlocked, and a backup to ``usb`` started from its dialog."""
    filled(created_vault.vault, tmp_path, files=4, size=4 * 1024 * 1024)
    window = unlocked_window(qtbot, vault_dir)
    usb = tmp_path / "usb"
    usb.mkdir()
    dialog = open_backup_dialog(window, usb)
    qtbot.mouseClick(dialog.choose_button, Qt.MouseButton.LeftButton)
    return window, dialog, usb


def stopped_leaving_nothing(qtbot, window: FieldvaultWindow, dialog: BackupDialog, usb: Path) -> None:
    qtbot.waitUntil(lambda: not dialog.running, timeout=WAIT_MS)
    assert "cancelled" in dialog.status.text()
    assert list(usb.iterdir()) == []
    vault = window.vault
    assert vault is not None and vault.settings.get("last_backup_at") == ""


def test_cancel_leaves_no_backup(qtbot, created_vault, vault_dir: Path, tmp_path: Path) -> None:
    window, dialog, usb = backup_running(qtbot, created_vault, vault_dir, tmp_path)
    assert dialog.running and dialog.cancel_button.isVisible()
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    stopped_leaving_nothing(qtbot, window, dialog, usb)


def test_closing_the_dialog_during_a_backup_stops_it_and_leaves_nothing(
    qtbot, created_vault, vault_dir: Path, tmp_path: Path
) -> None:
    window, dialog, usb = backup_running(qtbot, created_vault, vault_dir, tmp_path)
    assert dialog.running
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # closes the dialog as its X does
    assert not dialog.isVisible()
    stopped_leaving_nothing(qtbot, window, dialog, usb)


def test_locking_during_a_backup_stops_it_and_leaves_nothing(
    qtbot, created_vault, vault_dir: Path, tmp_path: Path
) -> None:
    window, _dialog, usb = backup_running(qtbot, created_vault, vault_dir, tmp_path)
    window.lock()
    assert window.backup_action.dialog is None and not window.backup_action.isEnabled()
    assert list(usb.iterdir()) == []


def test_a_failed_backup_says_why_in_ukrainian(
    qtbot, created_vault, vault_dir: Path, tmp_path: Path, ukrainian
) -> None:
    filled(created_vault.vault, tmp_path, files=1)
    window = unlocked_window(qtbot, vault_dir)
    assert re.search("[А-Яа-яІіЇїЄє]", window.statusBar().currentMessage())  # the reminder
    dialog = open_backup_dialog(window, vault_dir / "blobs")  # inside the vault: refused
    assert re.search("[А-Яа-яІіЇїЄє]", dialog.explanation.text())
    assert re.search("[А-Яа-яІіЇїЄє]", dialog.choose_button.text())
    screenshot(dialog, "backup-uk.png")
    qtbot.mouseClick(dialog.choose_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.running, timeout=WAIT_MS)
    assert str(vault_dir / "blobs") in dialog.status.text()
    assert re.search("[А-Яа-яІіЇїЄє]", dialog.status.text())
    screenshot(dialog, "backup-refused-uk.png")


def test_the_reminder_days_are_a_setting(qtbot, created_vault, vault_dir: Path) -> None:
    created_vault.vault.lock()
    window = unlocked_window(qtbot, vault_dir)
    window.open_settings()
    dialog = window.settings_dialog
    assert dialog is not None
    assert dialog.backup_reminder.value() == 14
    dialog.backup_reminder.setValue(0)  # never remind
    dialog.save()
    window.lock()
    with open_vault(vault_dir) as vault:
        assert vault.settings.get("backup_reminder_days") == "0"
    window.unlock_page.passphrase.setText("correct horse battery staple")
    qtbot.keyClick(window.unlock_page.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.vault_view is not None, timeout=WAIT_MS)
    assert window.statusBar().currentMessage() == ""
