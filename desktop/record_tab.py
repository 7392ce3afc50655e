"""A case's tab of one kind of record, its list beside its form: one
``RecordTab`` serves incidents and persons.

The list shows a short label per record (an incident by title and date, a
person by pseudonym, never by name: a list is seen over a shoulder). Choosing
another row, or New, first asks about unsaved edits in the form. The form
saves on the save lane (desktop/record_editor.py): answering Save waits for
the vault's answer in a local event loop, the window responding meanwhile.

PySide's ``self.tr`` takes its context from the runtime class: the base class
says nothing itself, each kind's subclass gives its own texts (``texts``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Signal
from PySide6.QtWidgets import QPushButton, QWidget

from db.api import EntityService, FieldvaultError, Incident, Person, Vault
from desktop import record_form
from desktop.icons import icon
from desktop.incident_editor import IncidentEditor
from desktop.messages import error_message
from desktop.person_editor import PersonEditor
from desktop.record_list import ListEntry, RecordList, fill_widget, list_beside_form, list_entry
from desktop.tasks import TaskRunner

RecordEditor = IncidentEditor | PersonEditor


@dataclass(frozen=True)
class RecordTexts:
    heading: str  # over the list
    list_name: str  # the list's accessible name
    new_record: str  # the New button
    unsaved_title: str  # the question asked before unsaved edits would be replaced
    unsaved_question: str


class RecordTab(QWidget):
    records_changed = Signal()  # a record was saved or deleted: forms that link to them refresh
    status_message = Signal(str)  # a translated error for the user (a page could not be read)

    def __init__(
        self,
        vault: Vault,
        editor: RecordEditor,
        first_field: QWidget,
        new_icon: str,
        *,
        page_size: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._vault: Vault | None = vault
        self._case_id: str | None = None
        self.editor = editor
        self._first_field = first_field  # where typing starts in a new record
        # Counts the user's choices (a row, New, a search hit): a choice made
        # while an earlier one waited for a save wins, the earlier one gives up.
        self._choices = 0
        texts = self.texts()
        self._texts = texts
        self.list_view = RecordList.of_entries(page_size)
        self.model = self.list_view.records
        self.list_view.setAccessibleName(texts.list_name)
        self.new_button = QPushButton(icon(new_icon), texts.new_record)
        self.new_button.setAccessibleName(texts.new_record)
        fill_widget(self, list_beside_form(texts.heading, self.list_view, self.new_button, editor))

        self.list_view.selectionModel().currentChanged.connect(self._on_current_changed)
        self.list_view.fetch_failed.connect(self.status_message)
        self.new_button.clicked.connect(self.start_new)
        editor.saved.connect(self._on_saved)
        editor.deleted.connect(self._on_deleted)

    # -- what each kind of record says -------------------------------------------

    def texts(self) -> RecordTexts:
        raise NotImplementedError

    def label(self, record: Any) -> str:
        raise NotImplementedError

    def records(self, vault: Vault) -> EntityService[Any]:
        raise NotImplementedError

    # -- the case's records ------------------------------------------------------

    def labels(self) -> list[str]:
        return self.list_view.labels()

    def show_case(self, case_id: str | None) -> None:
        """List the case's records from the first page, with an empty form
        for a new one (the screen has asked about unsaved edits before)."""
        self._case_id = case_id
        self.reload()
        if case_id is None or self._vault is None:
            self.editor.clear()
        else:
            self.editor.load(self._vault, case_id)

    def reload(self) -> None:
        """Read the case's records again from the first page."""
        case_id, vault = self._case_id, self._vault
        with self.list_view.quietly():
            if case_id is None or vault is None:
                self.model.clear()
            else:
                service = self.records(vault)

                def fetch(offset: int, limit: int) -> list[ListEntry]:
                    page = service.list(case_id, offset=offset, limit=limit)
                    return [list_entry(record.id, self.label(record)) for record in page]

                self.model.set_source(fetch, lambda: service.count(case_id))
            self.list_view.show_first_page()
            self.list_view.setCurrentIndex(QModelIndex())

    def may_leave(self) -> bool:
        """True when the form holds no unsaved edits, or the user chose to
        save them (and they were saved) or to discard them. A save already
        in flight is waited for first (the window keeps responding)."""
        if not self.editor.wait_for_write():
            return False  # locked, or another record opened, while it was written
        if not self.editor.is_dirty or self._vault is None:
            return True
        answer = record_form.ask_unsaved(self, self._texts.unsaved_title, self._texts.unsaved_question)
        if self._vault is None:
            return False  # locked while asking
        if answer == "save":
            # Refused or failed: the reasons show, the edits stay; locked meanwhile: stay.
            return self.editor.save_and_wait() is not None and self._vault is not None
        return answer == "discard"

    def _may_leave_for_choice(self) -> bool | None:
        """``may_leave`` for a choice of the user's; None when another choice
        was made while it waited (the save's answer, the question)."""
        self._choices += 1
        choice = self._choices
        leave = self.may_leave()
        return None if choice != self._choices else leave

    def start_new(self) -> None:
        if not self._may_leave_for_choice():
            return
        self.list_view.select_none()
        if self._case_id is None or self._vault is None:
            self.editor.clear()
        else:
            self.editor.load(self._vault, self._case_id)
            self._first_field.setFocus()

    def open_record(self, record_id: str) -> None:
        """Show a record found by the search in the form, and its row when
        the list holds it (reading pages up to it)."""
        if self._case_id is None or self._vault is None or not self._may_leave_for_choice():
            return
        row = self.model.fetch_until(record_id)
        with self.list_view.quietly():
            if row >= 0:
                self.list_view.select_row(row)
            else:
                self.list_view.setCurrentIndex(QModelIndex())
        self.editor.load(self._vault, self._case_id, record_id)

    def _on_current_changed(
        self, current: QModelIndex | QPersistentModelIndex, previous: QModelIndex | QPersistentModelIndex
    ) -> None:
        if self.list_view.is_quiet or not current.isValid() or self._case_id is None:
            return
        leave = self._may_leave_for_choice()
        if leave is None:
            return  # another row was chosen meanwhile: that choice is shown
        if not leave:
            if self._vault is not None:  # else locked while asking: the view is going away
                self.list_view.restore_row(previous)
            return
        record_id = self.model.record_id(current.row())
        if record_id is not None and self._vault is not None:
            with self.list_view.quietly():
                self.list_view.select_row(current.row())  # a save answered meanwhile selected its own row
            self.editor.load(self._vault, self._case_id, record_id)

    def _on_saved(self, record_id: str) -> None:
        if self._vault is None:
            return
        try:
            record = self.records(self._vault).get(record_id)
        except FieldvaultError as err:
            self.editor.status.setText(error_message(err))
            return
        self.list_view.show_saved(list_entry(record.id, self.label(record)))
        self.records_changed.emit()

    def _on_deleted(self, record_id: str) -> None:
        with self.list_view.quietly():
            self.model.remove_record(record_id)
            self.list_view.setCurrentIndex(QModelIndex())
        self.records_changed.emit()

    def clear(self) -> None:
        """Empty the form and the list and forget the vault (it is locking)."""
        self.editor.clear()
        self.list_view.clear()
        self._case_id = None
        self._vault = None


class IncidentsTab(RecordTab):
    def __init__(
        self, vault: Vault, *, page_size: int, parent: QWidget | None = None, tasks: TaskRunner | None = None
    ) -> None:
        editor = IncidentEditor(tasks=tasks)
        super().__init__(vault, editor, editor.title_field, "history", page_size=page_size, parent=parent)

    def texts(self) -> RecordTexts:
        return RecordTexts(
            heading=self.tr("Incidents"),
            list_name=self.tr("Incidents of the selected case"),
            new_record=self.tr("New incident"),
            unsaved_title=self.tr("Unsaved incident"),
            unsaved_question=self.tr("This incident has changes that are not saved. Save them?"),
        )

    def label(self, record: Incident) -> str:
        title = record.title or self.tr("(untitled incident)")
        return f"{title} ({record.date})" if record.date else title

    def records(self, vault: Vault) -> EntityService[Incident]:
        return vault.incidents


class PersonsTab(RecordTab):
    def __init__(
        self, vault: Vault, *, page_size: int, parent: QWidget | None = None, tasks: TaskRunner | None = None
    ) -> None:
        editor = PersonEditor(tasks=tasks)
        super().__init__(vault, editor, editor.pseudonym_field, "view", page_size=page_size, parent=parent)

    def texts(self) -> RecordTexts:
        return RecordTexts(
            heading=self.tr("Persons"),
            list_name=self.tr("Persons of the selected case, by pseudonym"),
            new_record=self.tr("New person"),
            unsaved_title=self.tr("Unsaved person"),
            unsaved_question=self.tr("This person has changes that are not saved. Save them?"),
        )

    def label(self, record: Person) -> str:
        """The pseudonym, never the name (a list is seen over a shoulder)."""
        return record.pseudonym or self.tr("(no pseudonym)")

    def records(self, vault: Vault) -> EntityService[Person]:
        return vault.persons
