"""The minimal window, driven through its real widgets against a real vault.

Screenshots of each screen go to build/screenshots/ (make screenshots: docs/screenshots/; STYLE.md, rule 6).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, Qt, QTimer
from PySide6.QtWidgets import QApplication, QLineEdit

from db.errors import FieldvaultError
from db.keyring_store import MemoryKeyring, NoKeyring
from db.keys import parse_recovery_key
from db.vault import Vault
from desktop import messages
from desktop.app import run_gui
from desktop.i18n import chosen_locale, install_translators, translations_dir
from desktop.vault_view import VaultView
from desktop.window import FieldvaultWindow
from tests.gui_helpers import (
    REPO,
    SAVE_WAIT_MS,
    TS_FILE,
    VAULT_FOLDER_NAMES,
    all_texts,
    click_row,
    compile_qm,
    finish_writing,
    lupdate,
    placeholders,
    qt_app,
    screenshot,
    show,
    ts_messages,
    type_text,
)
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE

# 32 key bytes + 2 check bytes in Base32: 55 characters, in groups of four.
RECOVERY_KEY_SHAPE = re.compile(r"^(?:[A-Z2-7]{4}-){13}[A-Z2-7]{3}$")

CASE_TITLE = "Ізюм, березень 2022"
TESTIMONY_TITLE = "Свідчення W-1"
NARRATIVE = "Свідок бачив, як двох полонених вивели з підвалу.\nЦе було вранці."
WRONG_PASSPHRASE = "not the passphrase at all"
WAIT_MS = 15_000


@pytest.fixture
def make_window(qtbot, vault_dir):
    def make(folder: Path = vault_dir, keyring=None) -> FieldvaultWindow:
        window = FieldvaultWindow(folder, keyring=keyring or NoKeyring(), argon2=FAST_ARGON2)
        qtbot.addWidget(window)  # closed (and so locked) at teardown
        show(qtbot, window)
        return window

    return make


def open_view(window: FieldvaultWindow) -> VaultView:
    assert window.vault_view is not None
    assert window.stack.currentWidget() is window.vault_view
    return window.vault_view


def test_create_write_search_lock_unlock(qtbot, make_window, vault_dir):
    window = make_window()
    page = window.create_page
    assert window.stack.currentWidget() is page

    # Create: the passphrase typed twice, Enter in the second field submits.
    qtbot.keyClicks(page.passphrase, PASSPHRASE)
    qtbot.keyClick(page.passphrase, Qt.Key.Key_Return)  # moves on to the empty confirmation
    assert page.confirmation.hasFocus()
    qtbot.keyClicks(page.confirmation, PASSPHRASE)
    screenshot(window, "01-create-vault.png")
    qtbot.keyClick(page.confirmation, Qt.Key.Key_Return)
    assert page.is_busy and not page.create_button.isEnabled()  # the worker reports later
    assert page.passphrase.text() == page.confirmation.text() == ""
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.recovery_page, timeout=WAIT_MS)

    # The recovery key, once, read-only and selectable.
    key_field = window.recovery_page.key_field
    recovery_key = key_field.text()
    assert RECOVERY_KEY_SHAPE.match(recovery_key), recovery_key
    assert len(parse_recovery_key(recovery_key)) == 32
    assert key_field.isReadOnly()
    assert "keyring" in window.recovery_page.notice.text()
    screenshot(window, "02-recovery-key.png")
    qtbot.keyClick(key_field, Qt.Key.Key_Return)  # Enter must not dismiss the key
    assert window.stack.currentWidget() is window.recovery_page
    qtbot.mouseClick(window.recovery_page.done_button, Qt.MouseButton.LeftButton)
    assert key_field.text() == ""
    view = open_view(window)

    # A case, by its inline field and Enter.
    type_text(qtbot, view.case_title_field, CASE_TITLE)
    with qtbot.waitSignal(view.cases.case_created, timeout=SAVE_WAIT_MS):  # stored on the save lane
        qtbot.keyClick(view.case_title_field, Qt.Key.Key_Return)
    assert view.case_labels() == [CASE_TITLE]
    assert view.case_list.currentIndex().data() == CASE_TITLE
    assert view.case_title_field.text() == ""

    # A testimony with a Cyrillic narrative, saved with the button.
    type_text(qtbot, view.title_field, TESTIMONY_TITLE)
    qtbot.keyClicks(view.testimony_editor.language_field, "uk")
    type_text(qtbot, view.narrative_field, NARRATIVE)
    assert view.narrative_field.toPlainText() == NARRATIVE
    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    finish_writing(qtbot, view.testimony_editor)  # the vault answers from the save lane
    assert view.form_status.text() == "Saved."
    assert view.testimony_labels() == [f"{TESTIMONY_TITLE} [uk]"]
    assert view.testimony_list.currentIndex().row() == 0  # the saved testimony is selected
    stored = window.vault.testimonies.list(view.selected_case_id())
    assert [(t.title, t.language, t.narrative) for t in stored] == [(TESTIMONY_TITLE, "uk", NARRATIVE)]

    # Editing and saving with Ctrl+Enter updates the same testimony.
    qtbot.keyClick(view.narrative_field, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    type_text(qtbot, view.narrative_field, " Їх було двоє.")
    qtbot.keyClick(view.narrative_field, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    finish_writing(qtbot, view.testimony_editor)  # the vault answers from the save lane
    assert view.testimony_labels() == [f"{TESTIMONY_TITLE} [uk]"]
    assert window.vault.testimonies.list()[0].narrative == NARRATIVE + " Їх було двоє."
    screenshot(window, "03-main.png")

    # Search an inflected form; typing fast runs one (debounced) search.
    searches: list[int] = []
    view.search_done.connect(searches.append)
    with qtbot.waitSignal(view.search_done, timeout=WAIT_MS) as blocker:
        type_text(qtbot, view.search_field, "полонений")
    assert searches == [1] and blocker.args == [1]
    assert view.search_status.text() == "1 result(s)"
    hit = view.search_results.item(0)
    assert hit.text().startswith(f"Testimony: {TESTIMONY_TITLE}\n")
    assert "полонених" in hit.text()
    screenshot(window, "04-search.png")
    view.testimonies.start_new()
    qtbot.mouseClick(
        view.search_results.viewport(),
        Qt.MouseButton.LeftButton,
        pos=view.search_results.visualItemRect(hit).center(),
    )
    assert view.narrative_field.toPlainText().startswith(NARRATIVE)

    # Ctrl+L: the vault closes and no widget keeps any of its data.
    assert f"{TESTIMONY_TITLE} [uk]" in all_texts(window)  # the lists' rows are seen
    vault = window.vault
    qtbot.keyClick(view.search_field, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    unlock = window.unlock_page
    assert window.stack.currentWidget() is unlock
    assert window.vault is None and window.vault_view is None
    assert vault.is_locked
    assert unlock.passphrase.text() == ""
    texts = all_texts(window)
    for secret in (CASE_TITLE, TESTIMONY_TITLE, "Свідок", "полонен", "Їх було", recovery_key):
        assert secret not in texts
    qtbot.waitUntil(lambda: not window.findChildren(VaultView), timeout=WAIT_MS)

    # A wrong passphrase: the core's message, no traceback, nothing opened.
    qtbot.keyClicks(unlock.passphrase, WRONG_PASSPHRASE)
    qtbot.keyClick(unlock.passphrase, Qt.Key.Key_Return)
    assert unlock.is_busy
    qtbot.waitUntil(lambda: not unlock.error.isHidden(), timeout=WAIT_MS)
    assert unlock.error.text() == "Wrong passphrase. Nothing was changed; try again."
    assert "Traceback" not in all_texts(window)
    assert window.vault is None and not unlock.is_busy and unlock.passphrase.isEnabled()
    assert unlock.passphrase.text() == ""
    screenshot(window, "05-unlock-wrong.png")

    # The right one, with the button: the data is back.
    qtbot.keyClicks(unlock.passphrase, PASSPHRASE)
    qtbot.mouseClick(unlock.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.vault_view is not None, timeout=WAIT_MS)
    view = open_view(window)
    assert unlock.error.isHidden()
    assert view.case_labels() == [CASE_TITLE]
    click_row(qtbot, view.case_list, 0)
    assert view.testimony_labels() == [f"{TESTIMONY_TITLE} [uk]"]
    click_row(qtbot, view.testimony_list, 0)
    assert view.title_field.text() == TESTIMONY_TITLE
    assert view.narrative_field.toPlainText() == NARRATIVE + " Їх було двоє."

    # Nothing but the vault's own files was written.
    assert {p.name for p in vault_dir.iterdir()} <= VAULT_FOLDER_NAMES


def test_new_passphrase_is_checked_before_any_work(qtbot, make_window, vault_dir):
    window = make_window()
    page = window.create_page
    qtbot.keyClicks(page.passphrase, "short")
    qtbot.keyClicks(page.confirmation, "short")
    assert (
        not page.create_button.isEnabled()
    )  # the passphrase rule (tests/desktop/test_passphrase_rule_gui.py)
    qtbot.keyClick(page.confirmation, Qt.Key.Key_Return)
    assert page.error.text() == "The passphrase needs at least 8 characters."
    assert not page.is_busy

    page.passphrase.clear()
    page.confirmation.clear()
    qtbot.keyClicks(page.passphrase, PASSPHRASE)
    qtbot.keyClicks(page.confirmation, PASSPHRASE + "!")
    qtbot.keyClick(page.confirmation, Qt.Key.Key_Return)
    assert page.error.text() == "The two passphrases differ. Type them again."
    assert page.confirmation.text() == ""
    assert not page.is_busy
    screenshot(window, "01b-create-mismatch.png")
    assert window.tasks.running() == []
    assert not (vault_dir / "vault.keys").exists()


def test_an_existing_vault_opens_on_the_unlock_screen(qtbot, make_window, created_vault, vault_dir):
    window = make_window(vault_dir)
    unlock = window.unlock_page
    assert window.stack.currentWidget() is unlock
    assert unlock.passphrase.echoMode() == QLineEdit.EchoMode.Password
    qtbot.keyClick(unlock.passphrase, Qt.Key.Key_Return)
    assert unlock.error.text() == "Type the vault's passphrase."
    assert not unlock.is_busy


def test_creation_errors_are_shown_not_raised(qtbot, make_window, tmp_path):
    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "vault.db").write_bytes(b"")  # a half-made vault: no key file, a database
    window = make_window(occupied)
    page = window.create_page
    qtbot.keyClicks(page.passphrase, PASSPHRASE)
    qtbot.keyClicks(page.confirmation, PASSPHRASE)
    qtbot.keyClick(page.confirmation, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not page.error.isHidden(), timeout=WAIT_MS)
    assert "holds a vault database but no key file" in page.error.text()
    assert not page.is_busy and window.vault is None


class LeakyKeyring(MemoryKeyring):
    """A keyring that fails with witness data in its message."""

    def available(self) -> bool:
        raise RuntimeError("Свідок бачив полонених")


def test_unexpected_errors_show_their_type_only(qtbot, make_window, vault_dir):
    window = make_window(vault_dir, keyring=LeakyKeyring())
    page = window.create_page
    qtbot.keyClicks(page.passphrase, PASSPHRASE)
    qtbot.keyClicks(page.confirmation, PASSPHRASE)
    qtbot.keyClick(page.confirmation, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not page.error.isHidden(), timeout=WAIT_MS)
    assert "RuntimeError" in page.error.text()
    assert "Свідок" not in all_texts(window)


def test_closing_the_window_locks_the_vault(qtbot, make_window, created_vault, vault_dir):
    window = make_window(vault_dir)
    qtbot.keyClicks(window.unlock_page.passphrase, PASSPHRASE)
    qtbot.keyClick(window.unlock_page.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.vault is not None, timeout=WAIT_MS)
    vault = window.vault
    window.close()
    assert vault.is_locked and window.vault is None


def test_closing_while_unlocking_locks_what_the_worker_opened(
    qtbot, make_window, created_vault, vault_dir, monkeypatch
):
    window = make_window(vault_dir)
    opened: list[Vault] = []
    real_open = Vault.open

    def recording_open(*args, **kwargs):
        vault = real_open(*args, **kwargs)
        opened.append(vault)
        return vault

    monkeypatch.setattr(Vault, "open", recording_open)
    qtbot.keyClicks(window.unlock_page.passphrase, PASSPHRASE)
    qtbot.keyClick(window.unlock_page.passphrase, Qt.Key.Key_Return)
    window.close()  # before the worker's report is delivered: no event loop ran
    assert window.vault is None
    assert len(opened) == 1 and opened[0].is_locked


def test_run_gui_opens_the_window_on_the_given_folder(qtbot, created_vault, vault_dir):
    seen: list[FieldvaultWindow] = []

    def look_and_quit() -> None:
        seen.extend(
            w for w in QApplication.topLevelWidgets() if isinstance(w, FieldvaultWindow) and w.isVisible()
        )
        QApplication.quit()

    QTimer.singleShot(0, look_and_quit)
    assert run_gui(vault_dir) == 0
    assert len(seen) == 1
    assert seen[0].folder == vault_dir
    assert seen[0].stack.currentWidget() is seen[0].unlock_page
    assert not seen[0].isVisible()  # closed on the way out


def test_fieldvault_lang_chooses_the_language():
    assert chosen_locale({"FIELDVAULT_LANG": "uk"}).language() == QLocale.Language.Ukrainian
    assert chosen_locale({}) == QLocale.system()


# -- translations ------------------------------------------------------------


def test_the_ukrainian_file_translates_every_string(tmp_path):
    fresh = tmp_path / "fresh.ts"
    sources = sorted((REPO / "desktop").glob("*.py"))
    wanted = ts_messages(lupdate(sources, fresh))
    ours = ts_messages(TS_FILE)
    assert len(wanted) > 50
    missing = sorted(set(wanted) - set(ours))
    assert not missing, missing
    stale = sorted(set(ours) - set(wanted))
    assert not stale, stale
    for key, translation in ours.items():
        assert translation is not None, key
        assert translation.get("type") not in ("unfinished", "obsolete", "vanished"), key
        forms = [f.text or "" for f in translation.iter("numerusform")] or [translation.text or ""]
        for form in forms:
            assert form.strip(), key
            for placeholder in placeholders(key[1]):
                assert placeholder in form, (key, placeholder)


def test_the_window_speaks_ukrainian_when_asked(qtbot, tmp_path, created_vault, vault_dir):
    compile_qm(TS_FILE, tmp_path / "fieldvault_uk.qm")
    app = qt_app()
    translators = install_translators(app, QLocale("uk"), tmp_path)
    try:
        assert translators
        window = FieldvaultWindow(vault_dir, keyring=NoKeyring(), argon2=FAST_ARGON2)
        qtbot.addWidget(window)
        show(qtbot, window)
        unlock = window.unlock_page
        assert unlock.unlock_button.text() == "Розблокувати"
        assert QCoreApplication.translate("SearchBar", "%n result(s)", "", 3) == "3 результати"
        assert QCoreApplication.translate("SearchBar", "%n result(s)", "", 11) == "11 результатів"
        qtbot.keyClicks(unlock.passphrase, WRONG_PASSPHRASE)
        qtbot.keyClick(unlock.passphrase, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: not unlock.error.isHidden(), timeout=WAIT_MS)
        assert unlock.error.text() == "Неправильна парольна фраза. Нічого не змінено; спробуйте ще раз."
        screenshot(window, "06-unlock-wrong-uk.png")
        # The core's notice, translated from its code.
        assert messages.keyring_notice(created_vault.keyring) != created_vault.keyring_notice
    finally:
        for translator in translators:
            app.removeTranslator(translator)


def test_the_translation_directory_is_in_resources():
    assert translations_dir() == REPO / "resources" / "translations"
    assert TS_FILE.is_file()


def test_every_core_error_has_a_safe_message():
    assert (
        messages.error_message(None, "KeyError") == "An unexpected error stopped this (KeyError). Try again."
    )
    assert messages.error_message(FieldvaultError("Disk full.")) == "Disk full."


def test_the_duress_passphrase_looks_like_a_wrong_one(qtbot, make_window, created_vault, vault_dir):
    created_vault.vault.set_duress_passphrase(PASSPHRASE, "under duress, wipe it")
    created_vault.vault.lock()
    window = make_window(vault_dir)
    unlock = window.unlock_page
    qtbot.keyClicks(unlock.passphrase, "under duress, wipe it")
    qtbot.keyClick(unlock.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not unlock.error.isHidden(), timeout=WAIT_MS)
    assert unlock.error.text() == "Wrong passphrase. Nothing was changed; try again."
    assert window.stack.currentWidget() is unlock and window.vault is None
    assert not (vault_dir / "vault.keys").exists()
