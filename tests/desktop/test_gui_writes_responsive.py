"""Every write the GUI makes waits for another writer off the GUI thread.

The record forms' saves and drafts are covered by test_save_responsiveness.py.
Here the other writes: an evidence item's stated fields, a new case, the
settings dialog's values, and the lock itself. A thread holds the vault's
write transaction (as the sync worker will) while the user makes the write:
a 20 ms timer keeps ticking, the write completes once the writer lets go,
and a lock meanwhile waits for it (the window responding, "Locking…" shown)
and loses nothing. A panic wipe during that wait does not wait for it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer

from db.api import KEY_FILE, Vault
from desktop import window as window_module
from desktop.evidence_item import EvidenceItemView
from desktop.settings_dialog import SettingsDialog
from desktop.tasks import Lane
from desktop.testimony_editor import draft_key
from desktop.vault_view import VaultView
from desktop.window import FieldvaultWindow
from tests import thread_stalls
from tests.factory import make_case
from tests.gui_helpers import (
    SAVE_WAIT_MS,
    Ticks,
    another_writer,
    release_later,
    show,
    type_text,
    unlocked_window,
)
from tests.vault_helpers import open_vault

PLACE = "Ізюм, вул. Шкільна 4"


def stored_item(vault: Vault, case_id: str, tmp_path: Path) -> str:
    note = tmp_path / "note.txt"
    note.write_text("Список евакуйованих.", encoding="utf-8")
    return vault.evidence.ingest(note, case_id).item.id


def test_an_evidence_items_fields_wait_for_another_writer_without_freezing_the_gui(qtbot, vault, tmp_path):
    case = make_case(vault)
    evidence_id = stored_item(vault, case.id, tmp_path)
    view = EvidenceItemView(vault, evidence_id)
    qtbot.addWidget(view)
    show(qtbot, view)
    view.stated_place_field.setFocus()
    type_text(qtbot, view.stated_place_field, PLACE)
    saved: list[str] = []
    view.saved.connect(saved.append)

    with another_writer(vault) as release:
        ticks = Ticks()
        qtbot.keyClick(view.stated_place_field, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
        # The save is in flight: what is stored is what the fields show.
        assert view.is_saving and view.status.text() == "Saving…"
        assert not view.stated_place_field.isEnabled() and not view.save_button.isEnabled()
        assert not view.save()  # a second Save does not save twice
        assert len(view.tasks.running(Lane.SAVE)) == 1
        ticks.wait_out_the_writer(qtbot)
        assert saved == [] and vault.evidence.get(evidence_id).stated_place == ""
        release.set()
        qtbot.waitUntil(lambda: saved == [evidence_id], timeout=SAVE_WAIT_MS)

    assert vault.evidence.get(evidence_id).stated_place == PLACE
    assert view.status.text() == "Saved." and not view.has_unsaved_changes()
    assert view.stated_place_field.isEnabled() and view.stated_place_field.hasFocus()


def test_a_bad_stated_date_is_refused_before_any_write(qtbot, vault, tmp_path):
    case = make_case(vault)
    evidence_id = stored_item(vault, case.id, tmp_path)
    view = EvidenceItemView(vault, evidence_id)
    qtbot.addWidget(view)
    view.stated_date_field.setText("вересень")
    assert not view.save()
    assert "YYYY, YYYY-MM or YYYY-MM-DD" in view.status.text()
    assert not view.is_saving and not view.tasks.running()


def test_a_new_case_waits_for_another_writer_without_freezing_the_gui(qtbot, vault):
    view = VaultView(vault)
    qtbot.addWidget(view)
    show(qtbot, view)
    created: list[str] = []
    view.cases.case_created.connect(created.append)
    type_text(qtbot, view.case_title_field, "Балаклія")

    with another_writer(vault) as release:
        ticks = Ticks()
        qtbot.keyClick(view.case_title_field, Qt.Key.Key_Return)
        assert view.cases.is_creating
        assert view.case_title_field.isReadOnly() and not view.cases.new_button.isEnabled()
        qtbot.keyClick(view.case_title_field, Qt.Key.Key_Return)  # Enter again: still one case
        ticks.wait_out_the_writer(qtbot)
        assert created == [] and view.case_labels() == [] and view.case_title_field.text() == "Балаклія"
        release.set()
        qtbot.waitUntil(lambda: bool(created), timeout=SAVE_WAIT_MS)

    assert [case.title for case in vault.cases.list()] == ["Балаклія"]
    assert view.case_labels() == ["Балаклія"] and view.selected_case_id() == created[0]
    assert view.case_title_field.text() == "" and not view.case_title_field.isReadOnly()
    view.clear_all(save_draft=False)


def test_the_settings_wait_for_another_writer_without_freezing_the_gui(qtbot, vault):
    dialog = SettingsDialog(vault)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.auto_lock.setValue(12)
    dialog.user_label.setText("FW-7")
    accepted: list[bool] = []
    dialog.accepted.connect(lambda: accepted.append(True))

    with another_writer(vault) as release:
        ticks = Ticks()
        assert dialog.save_button is not None
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        assert dialog.is_saving and dialog.save_status.text() == "Saving…"
        assert not dialog.general_box.isEnabled() and not dialog.save_button.isEnabled()
        ticks.wait_out_the_writer(qtbot)
        assert accepted == [] and dialog.isVisible()
        assert vault.settings.get("user_label") == ""
        release.set()
        qtbot.waitUntil(lambda: accepted == [True], timeout=SAVE_WAIT_MS)

    assert vault.settings.get("auto_lock_minutes") == "12"
    assert vault.settings.get("user_label") == "FW-7"
    assert not dialog.isVisible()


def test_a_setting_the_vault_refuses_keeps_the_dialog_open(qtbot, vault, monkeypatch):
    dialog = SettingsDialog(vault)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.backup_reminder.setValue(7)
    # A value the vault refuses (the spin boxes cannot make one): the reason shows.
    monkeypatch.setattr(dialog.auto_lock, "value", lambda: 99_999)
    dialog.save()
    qtbot.waitUntil(lambda: not dialog.is_saving, timeout=SAVE_WAIT_MS)
    assert dialog.isVisible() and dialog.save_status.text().startswith("Not saved: ")
    assert dialog.general_box.isEnabled()
    assert vault.settings.get("auto_lock_minutes") == "5"


# -- locking while another writer holds the vault ---------------------------------------


def unlocked_on_a_case(
    qtbot, created_vault, vault_dir: Path, tmp_path: Path
) -> tuple[FieldvaultWindow, VaultView, str]:
    """The window unlocked on a case holding one evidence item."""
    case = make_case(created_vault.vault)
    stored_item(created_vault.vault, case.id, tmp_path)
    created_vault.vault.lock()
    window = unlocked_window(qtbot, vault_dir)
    view = window.vault_view
    assert view is not None
    view.cases.reload(select_id=case.id)
    return window, view, case.id


def messages_seen(window: FieldvaultWindow) -> list[str]:
    """The status bar's messages, read every 50 ms by the GUI thread."""
    seen: list[str] = []
    timer = QTimer(window)
    timer.setInterval(50)
    timer.timeout.connect(lambda: seen.append(window.statusBar().currentMessage()))
    timer.start()
    return seen


def test_a_lock_waits_for_the_draft_with_the_window_responding(
    qtbot, created_vault, vault_dir: Path, tmp_path: Path
):
    """Ctrl+L with a narrative typed (not yet autosaved) while a sync worker
    holds the vault: the window keeps turning and says "Locking…", takes no
    input, and locks once the draft is written."""
    window, view, case_id = unlocked_on_a_case(qtbot, created_vault, vault_dir, tmp_path)
    type_text(qtbot, view.narrative_field, "Канарка-блокування 71d2: двір на Сумській.")
    vault = window.vault
    assert vault is not None
    seen = messages_seen(window)

    with another_writer(vault) as release:
        ticks = Ticks()
        released = release_later(release)
        QTimer.singleShot(500, lambda: seen.append(f"enabled={view.isEnabled()}"))
        qtbot.keyClick(view.narrative_field, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
        ticks.assert_never_froze()
        assert released, "the vault locked before the draft could be written"
    assert window.vault is None and window.vault_view is None
    assert "Locking…" in seen and "enabled=False" in seen
    assert window.stack.currentWidget() is window.unlock_page
    assert window.unlock_page.notice.text() == ""

    reopened = open_vault(vault_dir)
    try:
        draft = reopened.drafts.get(draft_key(case_id, None))
        assert draft is not None
        assert draft.body["fields"]["narrative"] == "Канарка-блокування 71d2: двір на Сумській."
    finally:
        reopened.lock()


def start_item_save(
    qtbot, window: FieldvaultWindow, view: VaultView, case_id: str
) -> Callable[[Vault], bool]:
    vault = window.vault
    assert vault is not None
    (evidence_id,) = [item.id for item in vault.evidence.list(case_id)]
    item = view.evidence.item
    assert item.show_item(evidence_id)
    type_text(qtbot, item.stated_place_field, PLACE)
    assert item.save() and item.is_saving
    return lambda reopened: reopened.evidence.get(evidence_id).stated_place == PLACE


def start_new_case(
    qtbot, window: FieldvaultWindow, view: VaultView, _case_id: str
) -> Callable[[Vault], bool]:
    type_text(qtbot, view.case_title_field, "Балаклія")
    qtbot.keyClick(view.case_title_field, Qt.Key.Key_Return)
    assert view.cases.is_creating
    return lambda reopened: "Балаклія" in [case.title for case in reopened.cases.list()]


def start_settings_save(
    qtbot, window: FieldvaultWindow, view: VaultView, _case_id: str
) -> Callable[[Vault], bool]:
    window.open_settings()
    dialog = window.settings_dialog
    assert dialog is not None
    dialog.user_label.setText("FW-7")
    dialog.save()
    assert dialog.is_saving
    return lambda reopened: reopened.settings.get("user_label") == "FW-7"


@pytest.mark.parametrize(
    "start_write",
    [start_item_save, start_new_case, start_settings_save],
    ids=["evidence-fields", "new-case", "settings"],
)
def test_a_lock_during_a_write_waits_for_it_and_loses_nothing(
    qtbot, created_vault, vault_dir: Path, tmp_path: Path, start_write
):
    window, view, case_id = unlocked_on_a_case(qtbot, created_vault, vault_dir, tmp_path)
    vault = window.vault
    assert vault is not None
    with another_writer(vault) as release:
        stored = start_write(qtbot, window, view, case_id)
        ticks = Ticks()
        released = release_later(release)
        window.lock()
        ticks.assert_never_froze()
        assert released
    assert window.vault is None and window.unlock_page.notice.text() == ""
    reopened = open_vault(vault_dir)
    try:
        assert stored(reopened)
    finally:
        reopened.lock()


def test_a_panic_wipe_while_a_lock_waits_does_not_wait(qtbot, created_vault, vault_dir: Path, tmp_path: Path):
    """The lock waits for a draft behind a writer, the window responding;
    the emergency wipe then shreds the keys at once and the lock's wait
    ends, long before the writer lets go."""
    window, view, _case_id = unlocked_on_a_case(qtbot, created_vault, vault_dir, tmp_path)
    type_text(qtbot, view.narrative_field, "Канарка-витирання 5be0")
    vault = window.vault
    assert vault is not None
    ticks = Ticks()
    wiped_while_locking: list[bool] = []

    def wipe() -> None:
        ticks.assert_never_froze()  # the lock's wait so far
        wiped_while_locking.append(window.statusBar().currentMessage() == "Locking…")
        window.wipe()

    with another_writer(vault, hold_s=30) as release:
        QTimer.singleShot(500, wipe)
        with thread_stalls.HeldUp() as locking:  # not wall clock: a loaded machine stretches that
            window.lock()
        assert locking.stall.held_up < 5, f"the wipe waited for the writer: {locking.stall}"
        assert wiped_while_locking == [True]
        assert not (vault_dir / KEY_FILE).exists()
        assert window.vault is None and window.vault_view is None
        assert window.stack.currentWidget() is window.create_page
        release.set()
    assert window.tasks.wait(SAVE_WAIT_MS)


def test_a_lock_that_gives_up_waiting_says_so(
    qtbot, created_vault, vault_dir: Path, tmp_path: Path, monkeypatch
):
    """The writer keeps the vault past the lock's bound (shortened here from
    20 s): the auto-lock locks anyway, the window responding meanwhile, and
    the unlock screen says why it locked and that the last changes may not
    have been kept."""
    monkeypatch.setattr(window_module, "LOCK_SAVE_WAIT_MS", 800)
    window, view, _case_id = unlocked_on_a_case(qtbot, created_vault, vault_dir, tmp_path)
    type_text(qtbot, view.narrative_field, "Канарка-втрата 0c44")
    vault = window.vault
    assert vault is not None
    with another_writer(vault, hold_s=30) as release:
        ticks = Ticks()
        with thread_stalls.HeldUp() as locking:
            window._lock_by_itself("idle")  # what the idle timer does
        ticks.assert_never_froze()
        assert locking.stall.held_up < 5, locking.stall
        assert window.vault is None and window.stack.currentWidget() is window.unlock_page
        notice = window.unlock_page.notice.text()
        assert "after a period without activity" in notice
        assert "the last changes may not have been kept" in notice
        release.set()
    assert window.tasks.wait(SAVE_WAIT_MS)
