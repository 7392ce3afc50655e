"""Vault → Quick note… (Ctrl+Shift+N, issue 15) on a real vault through the
real window: a title and text typed, files dropped, saved; the note is
listed with a "to complete" badge (and alone under the filter), its files
are evidence linked to it; opened in the full form and completed, the badge
goes."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from desktop.quick_note import QuickNoteDialog
from tests.factory import make_case, make_testimony
from tests.gui_helpers import click_row, drop_files, finish_writing, screenshot, type_text, unlocked_window

TITLE = "Підвал, вул. Шкільна"
TEXT = "Шість людей, два дні. Повернутися до свідка завтра."


def test_a_quick_note_is_typed_dropped_saved_listed_and_completed(
    qtbot, vault, vault_dir: Path, tmp_path
) -> None:
    case = make_case(vault, title="Ізюм")
    make_testimony(vault, case.id, title="Повне свідчення")
    photo, voice = tmp_path / "door.jpg", tmp_path / "memo.txt"
    photo.write_bytes(b"\xff\xd8\xff\xe0 door")
    voice.write_text("what the neighbour said", encoding="utf-8")
    window = unlocked_window(qtbot, vault_dir)
    view = window.vault_view
    assert view is not None
    view.cases.reload(select_id=case.id)
    view.case_tabs.setCurrentWidget(view.persons)  # from any tab

    qtbot.keyClick(
        window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    dialog = window.quick_note_action.dialog
    assert isinstance(dialog, QuickNoteDialog)
    qtbot.waitUntil(dialog.isVisible)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)  # no title: said at once
    assert dialog.status.text() == "Give the note a title."
    type_text(qtbot, dialog.title_field, TITLE)
    type_text(qtbot, dialog.text_field, TEXT)
    drop_files(dialog, [photo, voice, tmp_path])  # the folder is not taken
    assert [dialog.file_list.item(n).text() for n in range(dialog.file_list.count())] == [
        "door.jpg",
        "memo.txt",
    ]
    screenshot(dialog, "quick-note.png")
    with qtbot.waitSignal(dialog.saved, timeout=20_000) as saved:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    note_id = saved.args[0].testimony_id
    qtbot.waitUntil(lambda: window.quick_note_action.dialog is None)

    stored = vault.testimonies.get(note_id)
    assert stored.to_complete and stored.title == TITLE and stored.narrative == TEXT
    linked = {end.label for end in vault.evidence_links.evidence_of(note_id)}
    assert linked == {"door.jpg", "memo.txt"}
    assert view.testimony_labels() == ["Повне свідчення [uk]", f"To complete: {TITLE}"]
    assert sorted(view.evidence_panel.evidence_ids()) == sorted(
        end.entity_id for end in vault.evidence_links.evidence_of(note_id)
    )

    view.case_tabs.setCurrentWidget(view.testimonies)
    qtbot.mouseClick(view.testimonies.to_complete_filter, Qt.MouseButton.LeftButton)
    assert view.testimony_labels() == [f"To complete: {TITLE}"]
    screenshot(window, "quick-note-listed.png")

    click_row(qtbot, view.testimony_list, 0)
    editor = view.testimony_editor
    qtbot.waitUntil(lambda: editor.testimony_id == note_id)
    assert editor.to_complete_box.isVisible() and editor.to_complete_box.isChecked()
    assert editor.narrative_field.toPlainText() == TEXT
    type_text(qtbot, editor.interviewer_field, "О. К.")
    qtbot.mouseClick(editor.to_complete_box, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    finish_writing(qtbot, editor)
    assert editor.status.text() == "Saved."
    completed = vault.testimonies.get(note_id)
    assert not completed.to_complete and completed.interviewer == "О. К."
    assert view.testimony_labels() == [TITLE]  # badge gone
    assert not editor.to_complete_box.isVisible()
    qtbot.mouseClick(view.testimonies.to_complete_filter, Qt.MouseButton.LeftButton)  # filter off
    qtbot.mouseClick(view.testimonies.to_complete_filter, Qt.MouseButton.LeftButton)  # and on again
    assert view.testimony_labels() == []
    window.lock()


def test_the_note_dialog_closes_when_the_vault_locks(qtbot, vault, vault_dir: Path) -> None:
    case = make_case(vault, title="Ізюм")
    window = unlocked_window(qtbot, vault_dir)
    assert window.vault_view is not None
    window.vault_view.cases.reload(select_id=case.id)
    dialog = window.quick_note_action.open_dialog()
    assert dialog is not None
    type_text(qtbot, dialog.title_field, TITLE)
    window.lock()
    qtbot.waitUntil(lambda: window.quick_note_action.dialog is None)
    assert not window.quick_note_action.isEnabled()
