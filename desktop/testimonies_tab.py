"""A case's testimonies: their list beside the testimony form, and the
history of a testimony in a dialog.

Saving changes single rows; it never reads the testimonies up to a row: a new
testimony in a case of 100,000 is counted, and shown when the list is
scrolled to its end (docs/development.md, "Long lists").
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex
from PySide6.QtWidgets import QCheckBox, QDialog, QPushButton, QVBoxLayout, QWidget

from db.api import FieldvaultError, Testimony, Vault
from desktop.history_view import HistoryView
from desktop.icons import icon
from desktop.messages import error_message
from desktop.record_list import ListEntry, RecordList, fill_widget, list_beside_form, list_entry
from desktop.recording_action import RecordInterviewAction
from desktop.tasks import TaskRunner
from desktop.testimony_editor import TestimonyEditor


class TestimoniesTab(QWidget):
    def __init__(
        self, vault: Vault, *, page_size: int, parent: QWidget | None = None, tasks: TaskRunner | None = None
    ) -> None:
        super().__init__(parent)
        self._vault: Vault | None = vault
        self._case_id: str | None = None
        self._editing_id: str | None = None  # the testimony in the form (None: a new one)
        self.list_view = RecordList.of_entries(page_size)
        self.model = self.list_view.records
        self.list_view.setAccessibleName(self.tr("Testimonies of the selected case"))
        self.new_button = QPushButton(icon("new-testimony"), self.tr("New testimony"))
        self.new_button.setAccessibleName(self.tr("New testimony"))
        self.editor = TestimonyEditor(tasks=tasks)
        self.history_view: HistoryView | None = None
        fill_widget(
            self, list_beside_form(self.tr("Testimonies"), self.list_view, self.new_button, self.editor)
        )
        # Quick notes (desktop/quick_note.py) wait in the list with a "to
        # complete" badge; this box lists only them.
        self.to_complete_filter = QCheckBox(self.tr("Only notes to complete"))
        panel = self.new_button.parentWidget()
        column = panel.layout() if panel is not None else None
        assert isinstance(column, QVBoxLayout)
        column.insertWidget(column.indexOf(self.list_view), self.to_complete_filter)
        self.to_complete_filter.toggled.connect(lambda _on: self.reload())

        self.list_view.selectionModel().currentChanged.connect(self._on_current_changed)
        self.list_view.fetch_failed.connect(self.show_status)
        self.new_button.clicked.connect(self.start_new)
        self.editor.saved.connect(self._on_saved)
        self.editor.history_requested.connect(self.show_history)
        # Record interview… for the testimony shown; ``recording.recorded``
        # tells the window the new evidence (the evidence tab lists it).
        self.recording = RecordInterviewAction(self._vault_and_case, self)
        self.editor.record_requested.connect(self.recording.open_for)
        self.recording.recorded.connect(self._on_recorded)
        self.recording.status_message.connect(self.show_status)

    def show_status(self, message: str) -> None:
        """A message for the user under the form (errors of the other lists too)."""
        self.editor.status.setText(message)

    def labels(self) -> list[str]:
        return self.list_view.labels()

    def label(self, testimony: Testimony) -> str:
        title = testimony.title or self.tr("(untitled testimony)")
        label = f"{title} [{testimony.language}]" if testimony.language else title
        # First, so that a narrow list does not cut the badge off.
        return self.tr("To complete: {label}").format(label=label) if testimony.to_complete else label

    def show_case(self, case_id: str | None) -> None:
        """List the case's testimonies from the first page, with an empty form
        for a new one."""
        self._case_id = case_id
        self.reload()
        self.start_new()

    def reload(self, select_id: str | None = None) -> None:
        """Show the case's testimonies from the first page; select ``select_id``
        (reading pages up to it) without reloading the form."""
        case_id, vault = self._case_id, self._vault
        with self.list_view.quietly():
            if case_id is None or vault is None:
                self.model.clear()
            else:
                testimonies = vault.testimonies
                only_to_complete = self.to_complete_filter.isChecked()

                def fetch(offset: int, limit: int) -> list[ListEntry]:
                    if only_to_complete:
                        from db.api import to_complete  # loads with the vault, not at start

                        page = to_complete(vault.services, case_id, offset=offset, limit=limit)
                    else:
                        page = testimonies.list(case_id, offset=offset, limit=limit)
                    return [list_entry(testimony.id, self.label(testimony)) for testimony in page]

                def count() -> int:
                    if only_to_complete:
                        from db.api import count_to_complete

                        return count_to_complete(vault.services, case_id)
                    return testimonies.count(case_id)

                self.model.set_source(fetch, count)
            self.list_view.show_first_page()
            row = self.model.fetch_until(select_id) if select_id else -1
            if row >= 0:
                self.list_view.select_row(row)

    def start_new(self) -> None:
        if not self.editor.wait_for_write():
            return  # locked, or another testimony opened, while a save finished
        self.list_view.select_none()
        self._editing_id = None
        if self._case_id is not None and self._vault is not None:
            self.editor.load(self._vault, self._case_id)

    def load_testimony(self, testimony_id: str) -> None:
        # A save in flight answers first: its report still concerns the testimony shown.
        if not self.editor.wait_for_write():
            return
        if self._case_id is not None and self._vault is not None:
            self._editing_id = testimony_id
            self.editor.load(self._vault, self._case_id, testimony_id)

    def open_testimony(self, testimony_id: str) -> None:
        """Open a testimony found by the search. Its row is selected when it
        is loaded; one deep in a long case is opened without reading the
        pages before it (the list stays where it is: 100,000 rows are not
        read to reach the last one)."""
        row = self.model.row_of(testimony_id)
        if row >= 0 and row != self.list_view.currentIndex().row():
            self.list_view.select_row(row)  # opens it
        elif row < 0:
            with self.list_view.quietly():
                self.list_view.setCurrentIndex(QModelIndex())
            self.load_testimony(testimony_id)

    def _on_current_changed(
        self, current: QModelIndex | QPersistentModelIndex, _previous: QModelIndex | QPersistentModelIndex
    ) -> None:
        if self.list_view.is_quiet or not current.isValid():
            return
        if not self.editor.wait_for_write():
            return  # locked, or another row chosen, while a save in flight finished
        testimony_id = self.model.record_id(current.row())
        if testimony_id is not None:
            with self.list_view.quietly():
                self.list_view.select_row(current.row())  # the save's answer selected its own row
            self.load_testimony(testimony_id)

    def _on_saved(self, testimony_id: str) -> None:
        """Show the saved testimony in the list without reading the list again.
        An edited row changes in place (one not read yet is read as it is when
        scrolled to). A new one is listed last: appended and selected when the
        list is read to its end, else counted and shown when the list is
        scrolled there (reading 100,000 rows to select it would stall)."""
        is_new, self._editing_id = self._editing_id != testimony_id, testimony_id
        if self._vault is None or (not is_new and self.model.row_of(testimony_id) < 0):
            return
        try:
            testimony = self._vault.testimonies.get(testimony_id)
        except FieldvaultError as err:
            self.show_status(error_message(err))
            return
        if testimony.case_id != self._case_id:
            return
        self.list_view.show_saved(list_entry(testimony.id, self.label(testimony)))

    def _vault_and_case(self) -> tuple[Vault, str] | None:
        if self._vault is None or self._case_id is None:
            return None
        return self._vault, self._case_id

    def _on_recorded(self, _evidence_id: str, testimony_id: str) -> None:
        if self._vault is not None and self.editor.testimony_id == testimony_id:
            self.editor.linked_evidence.show_for(self._vault, testimony_id)

    def show_history(self, testimony_id: str) -> None:
        if self._vault is None:
            return
        dialog = QDialog(self)
        dialog.setWindowTitle(self.tr("History of the testimony"))
        view = HistoryView()
        view.load(self._vault, testimony_id)
        layout = QVBoxLayout(dialog)
        layout.addWidget(view)
        dialog.resize(900, 600)
        dialog.finished.connect(view.clear)
        self.history_view = view
        dialog.open()

    def clear(self, *, save_draft: bool = True) -> None:
        """Empty the form, the history and the list and forget the vault (it
        is locking). ``save_draft`` False (panic wipe): do not write what was
        being typed."""
        # A recording under way is stored before the keys go (not waited for
        # by a panic wipe).
        self.recording.close(wait=save_draft)
        self.editor.clear(save_draft=save_draft)
        if self.history_view is not None:
            self.history_view.clear()
            self.history_view = None
        self.list_view.clear()
        self._editing_id = None
        self._case_id = None
        self._vault = None
