"""Saves and autosaves do not freeze the GUI behind a long write transaction.

The sync worker will hold write transactions (its own thread, the vault's
write lock and SQLite's BEGIN IMMEDIATE); another process may too. Here a
thread holds one through the vault's own ``write_transaction`` (or a second
``Vault`` on the same folder does, as another process would) while the
testimony form autosaves, the user clicks Save or Delete, leaves a form with
unsaved edits, or locks: the event loop must keep turning (a 20 ms timer
keeps ticking) while the write waits, it completes once the writer lets go,
and at a lock the draft is not lost."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer

from db import entities
from db.api import Vault
from desktop import record_form
from desktop.incident_editor import IncidentEditor
from desktop.record_editor import RecordEditor
from desktop.tasks import Lane
from desktop.testimony_editor import TestimonyEditor, draft_key
from desktop.vault_view import VaultView
from tests.factory import make_case
from tests.gui_helpers import (
    Ticks,
    another_writer,
    click_row,
    finish_writing,
    release_later,
    show,
    type_text,
    unlocked_window,
)
from tests.vault_helpers import open_vault

WAIT_MS = 10_000


@pytest.fixture
def case_view(qtbot, vault) -> Iterator[Callable[[str], VaultView]]:
    """``open(case_id)``: the vault's screen with that case selected; emptied
    at the end, before the vault fixture locks."""
    views: list[VaultView] = []

    def open_view(case_id: str) -> VaultView:
        view = VaultView(vault)
        qtbot.addWidget(view)
        show(qtbot, view)
        view.cases.reload(select_id=case_id)
        views.append(view)
        return view

    yield open_view
    for view in views:
        view.clear_all(save_draft=False)


def incidents_of(view: VaultView) -> IncidentEditor:
    view.case_tabs.setCurrentIndex(view.incidents_tab)
    editor = view.incident_editor
    assert isinstance(editor, IncidentEditor)
    return editor


def open_testimony_form(qtbot, vault: Vault, case_id: str) -> tuple[RecordEditor, Callable[[], int]]:
    editor = TestimonyEditor(autosave_ms=60_000)  # no autosave in the way
    qtbot.addWidget(editor)
    show(qtbot, editor)
    editor.load(vault, case_id)
    type_text(qtbot, editor.title_field, "Свідчення W-3")
    type_text(qtbot, editor.narrative_field, "Їх вивезли вночі.")
    return editor, lambda: vault.testimonies.count(case_id)


def open_incident_form(qtbot, vault: Vault, case_id: str) -> tuple[RecordEditor, Callable[[], int]]:
    editor = IncidentEditor()
    qtbot.addWidget(editor)
    show(qtbot, editor)
    editor.load(vault, case_id)
    type_text(qtbot, editor.title_field, "Обстріл ринку")
    return editor, lambda: vault.incidents.count(case_id)


def test_an_autosave_waits_for_another_writer_without_freezing_the_gui(qtbot, vault):
    case = make_case(vault)
    editor = TestimonyEditor(autosave_ms=50)
    qtbot.addWidget(editor)
    show(qtbot, editor)
    editor.load(vault, case.id)
    key = draft_key(case.id, None)
    written: list[str] = []
    editor.draft_saved.connect(written.append)

    with another_writer(vault):
        ticks = Ticks()
        type_text(qtbot, editor.narrative_field, "Свідчення, що чекає на запис.")
        qtbot.waitUntil(lambda: bool(editor.tasks.running(Lane.SAVE)), timeout=WAIT_MS)
        ticks.wait_out_the_writer(qtbot)
        assert editor.tasks.running(Lane.SAVE), "the autosave did not wait for the writer"
        assert written == [] and vault.drafts.get(key) is None

    qtbot.waitUntil(lambda: written == [key], timeout=WAIT_MS)
    draft = vault.drafts.get(key)
    assert draft is not None and draft.body["fields"]["narrative"] == "Свідчення, що чекає на запис."
    assert editor.autosave_status.text().startswith("Unsaved changes kept in the vault")
    editor.clear(save_draft=False)


@pytest.mark.parametrize(
    "make_form", [open_testimony_form, open_incident_form], ids=["testimony", "incident"]
)
def test_save_waits_for_another_writer_without_freezing_the_gui(qtbot, vault, make_form):
    case = make_case(vault)
    editor, count = make_form(qtbot, vault, case.id)
    saved: list[str] = []
    editor.saved.connect(saved.append)

    with another_writer(vault) as release:
        ticks = Ticks()
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
        # The form shows the save in flight, and a second Save does not save twice.
        assert editor.is_writing and not editor.save_button.isEnabled()
        assert editor.status.text() == "Saving…"
        qtbot.keyClick(editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
        assert editor.save() is None
        assert len(editor.tasks.running(Lane.SAVE)) == 1
        ticks.wait_out_the_writer(qtbot)
        assert editor.is_writing and saved == [] and count() == 0
        release.set()
        qtbot.waitUntil(lambda: bool(saved), timeout=WAIT_MS)

    assert count() == 1 and saved == [editor.record_id]
    assert editor.status.text() == "Saved." and not editor.is_dirty
    assert editor.save_button.isEnabled() and not editor.is_writing
    assert editor.scroll_area.isEnabled()


def test_delete_waits_for_another_writer_without_freezing_the_gui(qtbot, vault, monkeypatch):
    case = make_case(vault)
    editor, count = open_incident_form(qtbot, vault, case.id)
    finish_writing(qtbot, editor)
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    finish_writing(qtbot, editor)
    assert count() == 1 and editor.delete_button is not None
    monkeypatch.setattr(record_form, "confirm_delete", lambda *_args: True)
    deleted: list[str] = []
    editor.deleted.connect(deleted.append)

    with another_writer(vault) as release:
        ticks = Ticks()
        qtbot.mouseClick(editor.delete_button, Qt.MouseButton.LeftButton)
        assert editor.is_writing and not editor.delete_button.isEnabled()
        assert editor.status.text() == "Deleting…"
        ticks.wait_out_the_writer(qtbot)
        assert deleted == [] and count() == 1
        release.set()
        qtbot.waitUntil(lambda: bool(deleted), timeout=WAIT_MS)
    assert count() == 0 and editor.record_id is None
    assert editor.status.text() == "Incident deleted."


def test_saving_before_leaving_a_form_waits_without_freezing_the_gui(qtbot, vault, case_view, monkeypatch):
    """New incident with unsaved edits, answered Save: the question's save
    waits for the writer while the window keeps responding, then the form
    moves on to the new incident."""
    case = make_case(vault)
    view = case_view(case.id)
    editor = incidents_of(view)
    type_text(qtbot, editor.title_field, "Обстріл ринку")
    monkeypatch.setattr(record_form, "ask_unsaved", lambda *_args: "save")

    with another_writer(vault) as release:
        ticks = Ticks()
        released = release_later(release)
        qtbot.mouseClick(view.incidents.new_button, Qt.MouseButton.LeftButton)
        ticks.assert_never_froze()
        assert released, "the form moved on before the save was stored"

    assert vault.incidents.count(case.id) == 1
    assert view.incident_labels() == ["Обстріл ринку"]
    assert editor.record_id is None and editor.title_field.text() == ""  # the new one
    assert not editor.is_dirty and not editor.is_writing


@pytest.mark.parametrize("save_succeeds", [True, False], ids=["stored", "refused-busy"])
def test_a_lock_during_a_save_waits_for_it_and_keeps_the_draft(
    qtbot, created_vault, vault_dir: Path, save_succeeds: bool
):
    """Ctrl+L while a Save waits behind another process's write transaction.
    The lock waits for the save: stored, it leaves no draft behind; refused
    (the other process kept the vault past SQLite's 5 s busy timeout), what
    the form held is kept as the draft, written once the vault is free."""
    case = make_case(created_vault.vault)
    created_vault.vault.lock()
    window = unlocked_window(qtbot, vault_dir)
    view = window.vault_view
    assert view is not None
    view.cases.reload(select_id=case.id)
    editor = view.testimony_editor
    type_text(qtbot, view.title_field, "Свідчення W-4")
    type_text(qtbot, view.narrative_field, "Канарка-блокування 3c9e: підвал на Шкільній.")

    other = open_vault(vault_dir)  # another process holding the vault
    try:
        with another_writer(other, hold_s=0.5 if save_succeeds else 6.5):
            qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
            assert editor.is_writing
            window.lock()  # waits for the save (and the draft), then locks
            assert window.vault is None and window.vault_view is None
    finally:
        other.lock()

    reopened = open_vault(vault_dir)
    try:
        stored = reopened.testimonies.list(case.id)
        drafts = reopened.drafts.keys("testimony:")
        if save_succeeds:
            assert [t.narrative for t in stored] == ["Канарка-блокування 3c9e: підвал на Шкільній."]
            assert drafts == []  # the draft queued at the lock saw the save stored
        else:
            assert stored == []
            draft = reopened.drafts.get(draft_key(case.id, None))
            assert draft is not None
            assert draft.body["fields"]["narrative"] == "Канарка-блокування 3c9e: підвал на Шкільній."
            assert draft.body["fields"]["title"] == "Свідчення W-4"
    finally:
        reopened.lock()


def test_a_lock_while_leaving_waits_for_a_save_stays_on_the_form(qtbot, vault, case_view, monkeypatch):
    """The vault locks while the question's save waits for the writer: the
    wait ends, nothing more is shown, and the save still completes."""
    case = make_case(vault)
    view = case_view(case.id)
    editor = incidents_of(view)
    type_text(qtbot, editor.title_field, "Обстріл ринку")
    monkeypatch.setattr(record_form, "ask_unsaved", lambda *_args: "save")

    with another_writer(vault) as release:
        QTimer.singleShot(200, lambda: view.clear_all(save_draft=False))
        assert not view.incidents.may_leave()
        assert editor.title_field.text() == "" and not editor.isEnabled() and not editor.is_writing
        release.set()
        qtbot.waitUntil(lambda: not view.tasks.running(Lane.SAVE) and view.tasks.wait(0), timeout=WAIT_MS)
    assert vault.incidents.count(case.id) == 1


def test_choosing_another_testimony_during_a_save_opens_it_once_saved(qtbot, vault, case_view):
    """Save, then at once another row, while a writer holds the vault: the
    window keeps responding, the saved testimony's row shows its new title,
    and the form and the list's selection are the row chosen."""
    case = make_case(vault)
    first = vault.testimonies.create(entities.Testimony(case_id=case.id, title="Перше"))
    second = vault.testimonies.create(entities.Testimony(case_id=case.id, title="Друге"))
    view = case_view(case.id)
    click_row(qtbot, view.testimony_list, 0)
    assert view.testimony_editor.testimony_id == first.id
    type_text(qtbot, view.title_field, " (виправлене)")

    with another_writer(vault) as release:
        ticks = Ticks()
        qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
        released = release_later(release)
        click_row(qtbot, view.testimony_list, 1)  # returns once the save answered
        ticks.assert_never_froze()
        assert released, "the form moved on before the save was stored"

    assert vault.testimonies.get(first.id).title == "Перше (виправлене)"
    assert view.testimony_labels() == ["Перше (виправлене)", "Друге"]
    assert view.testimony_editor.testimony_id == second.id
    assert view.title_field.text() == "Друге"
    assert view.testimony_list.currentIndex().row() == 1


def test_after_a_save_the_cursor_is_back_where_the_user_typed(qtbot, vault):
    """The rows are disabled while the save is in flight (Qt moves the focus
    away); once stored, typing goes on in the field the user saved from."""
    case = make_case(vault)
    editor, _count = open_testimony_form(qtbot, vault, case.id)
    assert isinstance(editor, TestimonyEditor)
    editor.narrative_field.setFocus()
    qtbot.waitUntil(editor.narrative_field.hasFocus)
    with another_writer(vault) as release:
        qtbot.keyClick(editor.narrative_field, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
        assert editor.is_writing and not editor.narrative_field.hasFocus()
        release.set()
        finish_writing(qtbot, editor)
    assert editor.status.text() == "Saved."
    assert editor.narrative_field.hasFocus()


def test_the_latest_row_chosen_while_a_save_waits_is_the_one_shown(qtbot, vault, case_view, monkeypatch):
    """Incident A edited, row B chosen and Save answered; while that save
    waits for the writer the user chooses row C: C is shown and selected
    once A is stored (B's choice gives up, the list and form agree)."""
    case = make_case(vault)
    a, _b, c = (vault.incidents.create(entities.Incident(case_id=case.id, title=t)) for t in "ABC")
    view = case_view(case.id)
    editor = incidents_of(view)
    rows = view.incidents.list_view
    click_row(qtbot, rows, 0)
    assert editor.record_id == a.id
    type_text(qtbot, editor.title_field, "1")
    monkeypatch.setattr(record_form, "ask_unsaved", lambda *_args: "save")

    with another_writer(vault) as release:
        QTimer.singleShot(300, lambda: click_row(qtbot, rows, 2))
        released = release_later(release)
        click_row(qtbot, rows, 1)  # returns once A is stored and C shown
        assert released

    assert vault.incidents.get(a.id).title == "A1"
    assert editor.record_id == c.id and editor.title_field.text() == "C"
    assert rows.currentIndex().row() == 2
    assert view.incident_labels() == ["A1", "B", "C"]


def test_a_save_refused_by_a_busy_vault_keeps_the_edits_and_their_draft(qtbot, vault, vault_dir):
    """Another process keeps the vault past SQLite's 5 s busy timeout: the
    save comes back refused with the translated reason, the form is editable
    and still unsaved, its draft is written once the vault is free, and
    Save then stores it."""
    case = make_case(vault)
    editor = TestimonyEditor(autosave_ms=300)
    qtbot.addWidget(editor)
    show(qtbot, editor)
    editor.load(vault, case.id)
    type_text(qtbot, editor.narrative_field, "Їх вивезли вночі.")
    answers: list[object] = []
    editor.save_finished.connect(answers.append)
    drafts: list[str] = []
    editor.draft_saved.connect(drafts.append)

    other = open_vault(vault_dir)
    try:
        with another_writer(other, hold_s=6.5):
            qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
            qtbot.waitUntil(lambda: bool(answers), timeout=WAIT_MS)
            assert answers == [None]
            assert editor.status.text().startswith(
                "Another program (a second Fieldvault window or a command)"
            )
            assert editor.is_dirty and not editor.is_writing
            assert editor.save_button.isEnabled() and editor.scroll_area.isEnabled()
            assert vault.testimonies.count(case.id) == 0
        qtbot.waitUntil(lambda: drafts == [draft_key(case.id, None)], timeout=WAIT_MS)
    finally:
        other.lock()
    draft = vault.drafts.get(draft_key(case.id, None))
    assert draft is not None and draft.body["fields"]["narrative"] == "Їх вивезли вночі."

    finish_writing(qtbot, editor)
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    finish_writing(qtbot, editor)
    assert editor.status.text() == "Saved." and vault.testimonies.count(case.id) == 1
    assert vault.drafts.keys("testimony:") == []
    editor.clear(save_draft=False)
