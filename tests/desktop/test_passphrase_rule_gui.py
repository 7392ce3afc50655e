"""The passphrase rule on screen: the meter gives the rule's verdict as the
user types, Create and Change passphrase stay disabled until it passes, a
refused passphrase is explained and six random words are offered; in English
and Ukrainian."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from db.keyring_store import NoKeyring
from db.passphrase_policy import _wordlist
from desktop.window import FieldvaultWindow
from tests.gui_helpers import in_ukrainian, screenshot, show, unlocked_window
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE, open_vault

WAIT_MS = 30_000
WEAK = "Kharkiv2022!"  # 12 characters, scored 4 by zxcvbn, guessed in hours
CYRILLIC = re.compile("[А-Яа-яІіЇїЄє]")


@pytest.fixture
def ukrainian(tmp_path: Path) -> Iterator[None]:
    with in_ukrainian(tmp_path / "translations"):
        yield


@pytest.fixture
def new_window(qtbot, vault_dir: Path) -> FieldvaultWindow:
    window = FieldvaultWindow(vault_dir, keyring=NoKeyring(), argon2=FAST_ARGON2)
    qtbot.addWidget(window)
    show(qtbot, window)
    return window


def test_a_guessable_passphrase_cannot_create_a_vault(
    qtbot, new_window: FieldvaultWindow, vault_dir: Path
) -> None:
    page = new_window.create_page
    assert not page.create_button.isEnabled()  # nothing typed yet
    qtbot.keyClicks(page.passphrase, WEAK)
    qtbot.keyClicks(page.confirmation, WEAK)
    assert not page.strength.acceptable
    assert page.strength.verdict.text() == "Too easy to guess: add more words"
    assert page.passphrase.accessibleDescription() == page.strength.verdict.text()  # said with the field
    assert page.strength.bar.value() <= 1  # zxcvbn alone said 4
    assert not page.create_button.isEnabled()
    assert page.suggestion.isVisible()
    words = page.suggestion.words.text().split(" ")
    assert len(words) == 6 and all(word in _wordlist() for word in words)
    screenshot(new_window, "create-weak-passphrase.png")

    # Enter does not get around the disabled button.
    qtbot.keyClick(page.confirmation, Qt.Key.Key_Return)
    assert "within a year" in page.error.text() and WEAK not in page.error.text()
    assert not page.is_busy and new_window.tasks.running() == []
    assert not (vault_dir / "vault.keys").exists()


def test_the_suggestion_can_be_taken_and_opens_the_vault(
    qtbot, new_window: FieldvaultWindow, vault_dir: Path
) -> None:
    page = new_window.create_page
    qtbot.keyClicks(page.passphrase, WEAK)
    first = page.suggestion.words.text()
    qtbot.mouseClick(page.suggestion.another_button, Qt.MouseButton.LeftButton)
    suggested = page.suggestion.words.text()
    assert suggested != first
    qtbot.mouseClick(page.suggestion.use_button, Qt.MouseButton.LeftButton)
    assert page.passphrase.text() == suggested == page.confirmation.text()
    assert page.strength.acceptable and page.create_button.isEnabled()
    assert not page.suggestion.isVisible()
    assert page.strength.verdict.text() == "Very strong"
    qtbot.mouseClick(page.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: new_window.stack.currentWidget() is new_window.recovery_page, timeout=WAIT_MS)
    assert page.suggestion.words.text() == ""  # forgotten once used
    new_window.shutdown()
    open_vault(vault_dir, suggested).lock()


def test_the_meter_follows_the_typing(qtbot, new_window: FieldvaultWindow) -> None:
    page = new_window.create_page
    seen: list[bool] = []
    page.strength.verdict_changed.connect(seen.append)
    qtbot.keyClicks(page.passphrase, PASSPHRASE)
    assert len(seen) == len(PASSPHRASE) and seen[-1] is True and not any(seen[:8])
    assert page.create_button.isEnabled()
    assert not page.suggestion.isVisible()


def test_the_refusal_in_ukrainian(qtbot, new_window: FieldvaultWindow, ukrainian) -> None:
    page = new_window.create_page
    qtbot.keyClicks(page.passphrase, WEAK)
    qtbot.keyClicks(page.confirmation, WEAK)
    qtbot.keyClick(page.confirmation, Qt.Key.Key_Return)
    for text in (
        page.strength.verdict.text(),
        page.error.text(),
        page.suggestion.explanation.text(),
        page.suggestion.use_button.text(),
        page.suggestion.another_button.text(),
    ):
        assert CYRILLIC.search(text), text
    screenshot(new_window, "create-weak-passphrase-uk.png")


def test_changing_to_a_guessable_passphrase_is_refused(qtbot, created_vault, vault_dir: Path) -> None:
    created_vault.vault.lock()
    window = unlocked_window(qtbot, vault_dir)
    window.open_settings()
    dialog = window.settings_dialog
    assert dialog is not None
    assert dialog.strength.argon2 == FAST_ARGON2  # judged at this vault's own cost
    qtbot.keyClicks(dialog.current, PASSPHRASE)
    qtbot.keyClicks(dialog.new, WEAK)
    qtbot.keyClicks(dialog.repeat, WEAK)
    assert not dialog.change_button.isEnabled()
    assert dialog.suggestion.isVisible()
    screenshot(dialog, "settings-weak-passphrase.png")
    dialog.change_passphrase()  # as if the button could be pressed anyway
    assert "within a year" in dialog.passphrase_status.text()
    window.lock()
    open_vault(vault_dir, PASSPHRASE).lock()  # unchanged
