"""The vault's cases: their list, and a field and button to open a new one.

Choosing a case is asked of ``may_leave`` first (a form may hold unsaved
edits); when it allows, ``case_changed`` tells the screen to show the case.

A new case is created on the save lane of the window's task runner
(desktop/tasks.py), never in the GUI thread: a write transaction held
elsewhere (the sync worker, another process) must not freeze the window.
While it is in flight the title field and New case are disabled; once
stored, the case is listed and selected (``case_created``). A lock waits for it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Signal
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from db.api import Case, Vault
from desktop.icons import icon
from desktop.messages import error_message
from desktop.models import CountRows, FetchPage
from desktop.record_list import ListEntry, RecordList, list_entry, section_label
from desktop.tasks import Lane, TaskContext, TaskHandle, TaskReport, TaskRunner


def _create_case(vault: Vault, title: str, _context: TaskContext) -> Case:
    """The creation as the save lane runs it: plain Python, no widget touched."""
    return vault.cases.create(Case(title=title))


class CaseList(QWidget):
    case_changed = Signal()  # another case (or none) is selected: show it
    case_created = Signal(str)  # the new case's id, once it is selected
    status_message = Signal(str)  # a translated error for the user

    def __init__(
        self,
        vault: Vault,
        may_leave: Callable[[], bool],
        *,
        page_size: int,
        parent: QWidget | None = None,
        tasks: TaskRunner | None = None,
    ) -> None:
        super().__init__(parent)
        self._vault: Vault | None = vault
        # The window's runner; a list shown alone (tests) has its own.
        self.tasks = tasks if tasks is not None else TaskRunner(self)
        self._creating: TaskHandle | None = None  # the new case being stored
        self._may_leave = may_leave
        self.list_view = RecordList.of_entries(page_size)
        self.model = self.list_view.records
        self.list_view.setAccessibleName(self.tr("Cases"))
        self.title_field = QLineEdit()
        self.title_field.setPlaceholderText(self.tr("Title of a new case"))
        self.title_field.setAccessibleName(self.tr("New case title"))
        self.new_button = QPushButton(icon("new-case"), self.tr("New case"))
        self.new_button.setAccessibleName(self.tr("New case"))
        self.setMinimumWidth(220)
        layout = QVBoxLayout(self)
        layout.addWidget(section_label(self.tr("Cases")))
        layout.addWidget(self.list_view, 1)
        new_case_row = QHBoxLayout()
        new_case_row.addWidget(self.title_field, 1)
        new_case_row.addWidget(self.new_button)
        layout.addLayout(new_case_row)

        self.title_field.returnPressed.connect(self.create_case)
        self.new_button.clicked.connect(self.create_case)
        self.list_view.selectionModel().currentChanged.connect(self._on_current_changed)
        self.list_view.fetch_failed.connect(self.status_message)

    def selected_case_id(self) -> str | None:
        return self.list_view.current_record_id()

    def labels(self) -> list[str]:
        return self.list_view.labels()

    def _source(self, vault: Vault) -> tuple[FetchPage, CountRows]:
        cases = vault.cases

        def fetch(offset: int, limit: int) -> list[ListEntry]:
            return [list_entry(case.id, case.title) for case in cases.list(offset=offset, limit=limit)]

        return fetch, cases.count

    def reload(self, select_id: str | None = None) -> None:
        """Read the cases again from the start and select ``select_id`` (or the
        case selected before); selecting it shows the case."""
        if self._vault is None:
            return
        select_id = select_id or self.selected_case_id()
        with self.list_view.quietly():
            self.model.set_source(*self._source(self._vault))
        self.list_view.show_first_page()
        row = self.model.fetch_until(select_id) if select_id else -1
        if row >= 0:
            self.list_view.select_row(row)
        elif select_id:  # the case is gone: show none
            self._on_current_changed(QModelIndex(), QModelIndex())

    def select_case(self, case_id: str) -> bool:
        """Select a case (reading pages up to it: cases are few); False when
        it is not listed or the user chose to stay on the case shown."""
        row = self.model.fetch_until(case_id) if case_id else -1
        if row < 0:
            return False
        if row != self.list_view.currentIndex().row():
            self.list_view.select_row(row)  # may be refused: a form kept its unsaved edits
        return self.selected_case_id() == case_id

    @property
    def is_creating(self) -> bool:
        """A new case is being stored on the save lane."""
        return self._creating is not None

    def create_case(self) -> None:
        """Start storing a case titled as typed; ``case_created`` follows
        once it is stored and selected."""
        title = self.title_field.text().strip()
        if not title:
            self.title_field.setFocus()
            return
        if self._vault is None or self._creating is not None:
            return
        handle: TaskHandle | None = None

        def finished(report: TaskReport) -> None:
            if report.finished and handle is self._creating:
                self._on_create_report(report)

        handle = self.tasks.start(Lane.SAVE, partial(_create_case, self._vault, title), finished, owner=self)
        self._creating = handle
        self._show_creating(True)

    def _show_creating(self, creating: bool) -> None:
        """What is stored is what the field shows: it cannot change meanwhile."""
        self.title_field.setReadOnly(creating)
        self.new_button.setEnabled(not creating)

    def _on_create_report(self, report: TaskReport) -> None:
        self._creating = None
        self._show_creating(False)
        case = report.value if report.state == "succeeded" else None
        if not isinstance(case, Case):
            failed = report.failure
            error = failed.error if failed is not None else None
            self.status_message.emit(error_message(error, failed.error_type if failed is not None else ""))
            return
        self.title_field.clear()
        # A new case is listed last: appended if the list is read to its end,
        # else counted and read when scrolled to (fetch_until reads up to it).
        row = self.model.put_record(list_entry(case.id, case.title))
        if row < 0:
            row = self.model.fetch_until(case.id)
        if row >= 0:
            self.list_view.select_row(row)
        else:
            self.reload(select_id=case.id)
        self.case_created.emit(case.id)

    def _on_current_changed(
        self, _current: QModelIndex | QPersistentModelIndex, previous: QModelIndex | QPersistentModelIndex
    ) -> None:
        if self.list_view.is_quiet:
            return
        if not self._may_leave():
            if self._vault is not None:  # else locked while asking: the view is going away
                self.list_view.restore_row(previous)
            return
        self.case_changed.emit()

    def clear(self) -> None:
        """Forget the cases, the title being typed and the vault (it is locking).
        A case being stored goes on (the window waits for the save lane before
        the vault locks); its answer is no longer shown."""
        if self._creating is not None:
            self.tasks.forget(self._creating)
            self._creating = None
            self._show_creating(False)
        self._vault = None
        self.title_field.blockSignals(True)
        self.title_field.clear()
        self.title_field.blockSignals(False)
        self.list_view.clear()
