"""The screen of an unlocked vault: cases, their testimonies, a testimony form, search.

Minimal on purpose (the full GUI is a later issue). It reads and writes only
through the vault's services; those calls are single records or pages, so they
run on the GUI thread. The cases and testimonies lists are ``RecordList``s (a
one-column table view that looks and behaves as a list) over
``LazyRecordModel``s: a case of 100,000 testimonies is read one page (200 rows)
at a time, as the list is scrolled, and a row keeps only the record's id and
label, never its narrative. Saving and opening a search hit change single rows;
they never read the testimonies up to a row (docs/development.md, "Long lists").
Everything shown here is witness data: ``clear_all`` empties every widget, and
the window destroys this view when the vault locks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from operator import itemgetter
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from db.entities import Case, Incident, Person, Testimony
from db.errors import FieldvaultError
from db.services import EntityService, SearchHit
from db.vault import Vault
from desktop import record_form
from desktop.evidence_item import EvidenceItemView
from desktop.evidence_panel import EvidencePanel
from desktop.history_view import HistoryView
from desktop.icons import icon
from desktop.incident_editor import IncidentEditor
from desktop.messages import error_message
from desktop.models import PAGE_SIZE, CountRows, FetchPage, LazyRecordModel
from desktop.person_editor import PersonEditor
from desktop.testimony_editor import TestimonyEditor
from desktop.viewer import EvidenceViewer
from desktop.workers import SearchFailed, SearchFinished, SearchSignals, SearchWorker

SEARCH_DELAY_MS = 250
ID_ROLE = Qt.ItemDataRole.UserRole
CASE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
TYPE_ROLE = Qt.ItemDataRole.UserRole + 2


# What a row of the cases or testimonies list keeps of its record: (id, text
# shown). A testimony's narrative is read with its page and dropped; only the
# editor holds the one testimony that is open. A plain tuple of two strings on
# purpose: Python's cycle collector stops tracking such tuples, so 100,000
# loaded rows add nothing to its full collections (a dataclass or named tuple
# per row made each of those ~100 ms, a stalled scroll step).
ListEntry = tuple[str, str]


def list_entry(record_id: str, text: str) -> ListEntry:
    return (record_id, text)


class RecordList(QTableView):
    """A list of records: one column, no headers or grid, rows of one height,
    a row selected whole; Tab leaves it, Home and End go to the first and last
    row read, as in a list.

    A table view rather than a ``QListView`` because of how each lays out
    rows appended by ``fetchMore``: QListView lays out every row again, asking
    the (Python) model once or twice per row, so with 100,000 rows read each
    new page cost 0.1-0.3 s; a table with fixed row heights costs the same
    few milliseconds for every page (benchmarks/bench_gui.py measures both).
    """

    def __init__(self, model: LazyRecordModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setCornerButtonEnabled(False)
        self.setTabKeyNavigation(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.horizontalHeader().hide()
        self.horizontalHeader().setStretchLastSection(True)
        rows = self.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # never measures a row
        rows.setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.setModel(model)

    def moveCursor(  # noqa: N802  (Qt's name)
        self, action: QAbstractItemView.CursorAction, modifiers: Qt.KeyboardModifier
    ) -> QModelIndex:
        # A table's Home/End go to the row's first/last column; a list's to its first/last row.
        if action in (QAbstractItemView.CursorAction.MoveHome, QAbstractItemView.CursorAction.MoveEnd):
            modifiers |= Qt.KeyboardModifier.ControlModifier
        return super().moveCursor(action, modifiers)


def _record_list(page_size: int) -> tuple[RecordList, LazyRecordModel]:
    model = LazyRecordModel(label=itemgetter(1), record_id=itemgetter(0), page_size=page_size)
    view = RecordList(model)
    model.setParent(view)
    return view, model


def _section_label(text: str) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return label


class VaultView(QWidget):
    lock_requested = Signal()
    search_done = Signal(int)  # number of hits shown; lets tests wait without sleeping

    def __init__(self, vault: Vault, parent: QWidget | None = None, *, page_size: int = PAGE_SIZE) -> None:
        super().__init__(parent)
        self._vault = vault
        self._editing_id: str | None = None  # the testimony in the form (None: a new one)
        self._quiet = 0  # >0: selection changes made by the code, not the user

        # -- top bar: search and lock ----------------------------------------
        self.search_field = QLineEdit()
        self.search_field.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.search_field.setPlaceholderText(self.tr("Search testimonies, incidents and persons…"))
        self.search_field.setAccessibleName(self.tr("Search"))
        self.search_field.setClearButtonEnabled(True)
        self.lock_button = QPushButton(icon("lock"), self.tr("Lock (Ctrl+L)"))
        self.lock_button.setAccessibleName(self.tr("Lock the vault"))
        top = QHBoxLayout()
        top.addWidget(self.search_field, 1)
        top.addWidget(self.lock_button)

        self.search_results = QListWidget()
        self.search_results.setAccessibleName(self.tr("Search results"))
        self.search_results.setWordWrap(True)
        self.search_results.setMaximumHeight(180)
        self.search_results.hide()
        self.search_status = QLabel()
        self.search_status.setWordWrap(True)
        self.search_status.hide()
        # One search at a time, in order; a newer one makes older answers stale.
        self.search_pool = QThreadPool(self)
        self.search_pool.setMaxThreadCount(1)
        self._search_ticket = 0
        self._search_signals = SearchSignals(self)
        self._search_signals.finished.connect(self._on_search_finished)
        self._search_signals.failed.connect(self._on_search_failed)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)

        # -- left: cases -----------------------------------------------------
        self.case_list, self.case_model = _record_list(page_size)
        self.case_list.setAccessibleName(self.tr("Cases"))
        self.case_title_field = QLineEdit()
        self.case_title_field.setPlaceholderText(self.tr("Title of a new case"))
        self.case_title_field.setAccessibleName(self.tr("New case title"))
        self.new_case_button = QPushButton(icon("new-case"), self.tr("New case"))
        self.new_case_button.setAccessibleName(self.tr("New case"))
        cases_panel = QWidget()
        cases_panel.setMinimumWidth(220)
        cases_layout = QVBoxLayout(cases_panel)
        cases_layout.addWidget(_section_label(self.tr("Cases")))
        cases_layout.addWidget(self.case_list, 1)
        new_case_row = QHBoxLayout()
        new_case_row.addWidget(self.case_title_field, 1)
        new_case_row.addWidget(self.new_case_button)
        cases_layout.addLayout(new_case_row)

        # -- middle: testimonies of the selected case ------------------------
        self.testimony_list, self.testimony_model = _record_list(page_size)
        self.testimony_list.setAccessibleName(self.tr("Testimonies of the selected case"))
        self.new_testimony_button = QPushButton(icon("new-testimony"), self.tr("New testimony"))
        self.new_testimony_button.setAccessibleName(self.tr("New testimony"))
        testimonies_panel = QWidget()
        testimonies_layout = QVBoxLayout(testimonies_panel)
        testimonies_layout.addWidget(_section_label(self.tr("Testimonies")))
        testimonies_layout.addWidget(self.testimony_list, 1)
        testimonies_layout.addWidget(self.new_testimony_button)

        # -- right: the testimony editor ---------------------------------------
        self.testimony_editor = TestimonyEditor()
        editor = self.testimony_editor
        # The fields tests and keyboard users reach directly.
        self.title_field = editor.title_field
        self.language_field = editor.language_field
        self.narrative_field = editor.narrative_field
        self.save_button = editor.save_button
        self.form_status = editor.status
        form_panel = editor
        self.form_panel = form_panel
        self.history_view: HistoryView | None = None

        testimonies_tab = QSplitter(Qt.Orientation.Horizontal)
        testimonies_tab.addWidget(testimonies_panel)
        testimonies_tab.addWidget(form_panel)
        testimonies_tab.setStretchFactor(0, 1)
        testimonies_tab.setStretchFactor(1, 2)
        testimonies_tab.setChildrenCollapsible(False)

        # -- the case's evidence -------------------------------------------
        self.evidence_panel = EvidencePanel(vault)
        self.evidence_item = EvidenceItemView(vault)
        self.evidence_viewer = EvidenceViewer()
        item_column = QSplitter(Qt.Orientation.Vertical)
        item_column.addWidget(self.evidence_item)
        item_column.addWidget(self.evidence_viewer)
        item_column.setChildrenCollapsible(False)
        evidence_tab = QSplitter(Qt.Orientation.Horizontal)
        evidence_tab.addWidget(self.evidence_panel)
        evidence_tab.addWidget(item_column)
        evidence_tab.setStretchFactor(0, 1)
        evidence_tab.setStretchFactor(1, 1)
        evidence_tab.setChildrenCollapsible(False)

        # -- the case's incidents and persons ----------------------------------
        # Each a list (incidents by title and date, persons by pseudonym, never
        # by name) beside its form.
        self.incident_list, self.incident_model = _record_list(page_size)
        self.incident_list.setAccessibleName(self.tr("Incidents of the selected case"))
        self.new_incident_button = QPushButton(icon("history"), self.tr("New incident"))
        self.new_incident_button.setAccessibleName(self.tr("New incident"))
        self.incident_editor = IncidentEditor()
        incidents_tab = self._list_and_form(
            self.tr("Incidents"), self.incident_list, self.new_incident_button, self.incident_editor
        )
        self.person_list, self.person_model = _record_list(page_size)
        self.person_list.setAccessibleName(self.tr("Persons of the selected case, by pseudonym"))
        self.new_person_button = QPushButton(icon("view"), self.tr("New person"))
        self.new_person_button.setAccessibleName(self.tr("New person"))
        self.person_editor = PersonEditor()
        persons_tab = self._list_and_form(
            self.tr("Persons"), self.person_list, self.new_person_button, self.person_editor
        )

        self.case_tabs = QTabWidget()
        self.case_tabs.setAccessibleName(self.tr("The selected case"))
        self.case_tabs.addTab(testimonies_tab, icon("new-testimony"), self.tr("&Testimonies"))
        self.case_tabs.addTab(evidence_tab, icon("add-evidence"), self.tr("&Evidence"))
        self.incidents_tab = self.case_tabs.addTab(incidents_tab, icon("history"), self.tr("&Incidents"))
        self.persons_tab = self.case_tabs.addTab(persons_tab, icon("view"), self.tr("Person&s"))

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(cases_panel)
        splitter.addWidget(self.case_tabs)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 4)
        splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.search_status)
        layout.addWidget(self.search_results)
        layout.addWidget(splitter, 1)

        # -- wiring ----------------------------------------------------------
        self.lock_button.clicked.connect(self.lock_requested)
        self.search_field.textChanged.connect(self._search_timer.start)
        self.search_field.returnPressed.connect(self.run_search)
        self._search_timer.timeout.connect(self.run_search)
        self.search_results.itemActivated.connect(self._open_hit)
        self.search_results.itemClicked.connect(self._open_hit)
        self.case_title_field.returnPressed.connect(self.create_case)
        self.new_case_button.clicked.connect(self.create_case)
        self.case_list.selectionModel().currentChanged.connect(self._on_case_changed)
        self.testimony_list.selectionModel().currentChanged.connect(self._on_testimony_changed)
        self.case_model.fetch_failed.connect(self._on_fetch_failed)
        self.testimony_model.fetch_failed.connect(self._on_fetch_failed)
        self.new_testimony_button.clicked.connect(self.start_new_testimony)
        self.evidence_panel.item_activated.connect(self.open_evidence)
        self.evidence_viewer.export_requested.connect(lambda _id: self.evidence_item.export())
        editor.saved.connect(self._on_testimony_saved)
        editor.history_requested.connect(self.show_history)
        self.incident_list.selectionModel().currentChanged.connect(self._on_incident_changed)
        self.person_list.selectionModel().currentChanged.connect(self._on_person_changed)
        self.incident_model.fetch_failed.connect(self._on_fetch_failed)
        self.person_model.fetch_failed.connect(self._on_fetch_failed)
        self.new_incident_button.clicked.connect(self.start_new_incident)
        self.new_person_button.clicked.connect(self.start_new_person)
        self.incident_editor.saved.connect(self._on_incident_saved)
        self.incident_editor.deleted.connect(self._on_incident_deleted)
        self.person_editor.saved.connect(self._on_person_saved)
        self.person_editor.deleted.connect(self._on_person_deleted)

        self.reload_cases()
        self._set_form_enabled(False)

    @staticmethod
    def _list_and_form(title: str, view: RecordList, new_button: QPushButton, form: QWidget) -> QSplitter:
        panel = QWidget()
        column = QVBoxLayout(panel)
        column.addWidget(_section_label(title))
        column.addWidget(view, 1)
        column.addWidget(new_button)
        tab = QSplitter(Qt.Orientation.Horizontal)
        tab.addWidget(panel)
        tab.addWidget(form)
        tab.setStretchFactor(0, 1)
        tab.setStretchFactor(1, 2)
        tab.setChildrenCollapsible(False)
        QWidget.setTabOrder(view, new_button)
        return tab

    # -- the lists ------------------------------------------------------------

    @contextmanager
    def _quietly(self) -> Iterator[None]:
        """Selection changes made here do not count as the user's (no reload).
        The selection model's signals stay on: the view repaints from them."""
        self._quiet += 1
        try:
            yield
        finally:
            self._quiet -= 1

    @staticmethod
    def _show_first_page(model: LazyRecordModel) -> None:
        """Read the first page now rather than at the view's next layout: the
        list never flashes empty. Further pages come as the view scrolls."""
        if model.canFetchMore(QModelIndex()) and model.rowCount() == 0:
            model.fetchMore(QModelIndex())

    @staticmethod
    def _select(view: QAbstractItemView, model: LazyRecordModel, row: int) -> None:
        view.setCurrentIndex(model.index(row, 0))
        view.scrollTo(model.index(row, 0))

    def _restore_row(
        self, view: QAbstractItemView, model: LazyRecordModel, previous: QModelIndex | QPersistentModelIndex
    ) -> None:
        """Put the selection back where it was (the user chose to stay)."""
        if self._vault is None:
            return  # locked while asking: the view is going away
        with self._quietly():
            if previous.isValid():
                view.setCurrentIndex(model.index(previous.row(), 0))
            else:
                view.setCurrentIndex(QModelIndex())
                view.clearSelection()

    def _on_fetch_failed(self, err: object) -> None:
        if isinstance(err, FieldvaultError):
            self._show_status(error_message(err))

    @staticmethod
    def row_labels(view: QAbstractItemView) -> list[str]:
        """The text of every row a list has loaded (tests, screen readers' view)."""
        model = view.model()
        return [str(model.index(row, 0).data()) for row in range(model.rowCount())]

    def case_labels(self) -> list[str]:
        return self.row_labels(self.case_list)

    def testimony_labels(self) -> list[str]:
        return self.row_labels(self.testimony_list)

    # -- cases ---------------------------------------------------------------

    def selected_case_id(self) -> str | None:
        index = self.case_list.currentIndex()
        return self.case_model.record_id(index.row()) if index.isValid() else None

    def _case_source(self) -> tuple[FetchPage, CountRows]:
        cases = self._vault.cases

        def fetch(offset: int, limit: int) -> list[ListEntry]:
            return [list_entry(case.id, case.title) for case in cases.list(offset=offset, limit=limit)]

        return fetch, cases.count

    def reload_cases(self, select_id: str | None = None) -> None:
        """Read the cases again from the start and select ``select_id`` (or the
        case selected before); selecting it reloads its testimonies."""
        select_id = select_id or self.selected_case_id()
        with self._quietly():
            self.case_model.set_source(*self._case_source())
        self._show_first_page(self.case_model)
        row = self.case_model.fetch_until(select_id) if select_id else -1
        if row >= 0:
            self._select(self.case_list, self.case_model, row)
        elif select_id:  # the case is gone: show none
            self._on_case_changed(QModelIndex(), QModelIndex())

    def create_case(self) -> None:
        title = self.case_title_field.text().strip()
        if not title:
            self.case_title_field.setFocus()
            return
        try:
            case = self._vault.cases.create(Case(title=title))
        except FieldvaultError as err:
            self._show_status(error_message(err))
            return
        self.case_title_field.clear()
        # A new case is listed last: appended if the list is read to its end,
        # else counted and read when scrolled to (fetch_until reads up to it).
        row = self.case_model.put_record(list_entry(case.id, case.title))
        if row < 0:
            row = self.case_model.fetch_until(case.id)
        if row >= 0:
            self._select(self.case_list, self.case_model, row)
        else:
            self.reload_cases(select_id=case.id)
        self.title_field.setFocus()

    def open_evidence(self, evidence_id: str) -> None:
        """Show an item's record and, below it, its content (a custody 'view')."""
        self.evidence_item.show_item(evidence_id)
        self.evidence_viewer.show_item(self._vault, evidence_id)

    def _on_case_changed(
        self, current: QModelIndex | QPersistentModelIndex, _previous: QModelIndex | QPersistentModelIndex
    ) -> None:
        if self._quiet:
            return
        if not self._may_leave_records():
            self._restore_row(self.case_list, self.case_model, _previous)
            return
        self.reload_testimonies()
        self.evidence_panel.set_case(self.selected_case_id())
        self.evidence_item.reset()
        self.evidence_viewer.clear()
        self.start_new_testimony()
        self.reload_incidents()
        self.reload_persons()
        self.start_new_incident()
        self.start_new_person()
        self._set_form_enabled(current.isValid())

    # -- testimonies ---------------------------------------------------------

    def _testimony_source(self, case_id: str) -> tuple[FetchPage, CountRows]:
        testimonies = self._vault.testimonies
        label: Callable[[Testimony], str] = self._testimony_label

        def fetch(offset: int, limit: int) -> list[ListEntry]:
            page = testimonies.list(case_id, offset=offset, limit=limit)
            return [list_entry(testimony.id, label(testimony)) for testimony in page]

        return fetch, lambda: testimonies.count(case_id)

    def reload_testimonies(self, select_id: str | None = None) -> None:
        """Show the selected case's testimonies from the first page; select
        ``select_id`` (reading pages up to it) without reloading the form."""
        case_id = self.selected_case_id()
        with self._quietly():
            if case_id is None:
                self.testimony_model.clear()
            else:
                self.testimony_model.set_source(*self._testimony_source(case_id))
            self._show_first_page(self.testimony_model)
            row = self.testimony_model.fetch_until(select_id) if select_id else -1
            if row >= 0:
                self._select(self.testimony_list, self.testimony_model, row)

    def _testimony_label(self, testimony: Testimony) -> str:
        title = testimony.title or self.tr("(untitled testimony)")
        return f"{title} [{testimony.language}]" if testimony.language else title

    def _testimony_entry(self, testimony: Testimony) -> ListEntry:
        return list_entry(testimony.id, self._testimony_label(testimony))

    def start_new_testimony(self) -> None:
        with self._quietly():
            self.testimony_list.setCurrentIndex(QModelIndex())
            self.testimony_list.clearSelection()
        self._editing_id = None
        case_id = self.selected_case_id()
        if case_id is not None:
            self.testimony_editor.load(self._vault, case_id)

    def _on_testimony_changed(
        self, current: QModelIndex | QPersistentModelIndex, _previous: QModelIndex | QPersistentModelIndex
    ) -> None:
        if self._quiet or not current.isValid():
            return
        testimony_id = self.testimony_model.record_id(current.row())
        if testimony_id is not None:
            self.load_testimony(testimony_id)

    def load_testimony(self, testimony_id: str) -> None:
        case_id = self.selected_case_id()
        if case_id is not None:
            self._editing_id = testimony_id
            self.testimony_editor.load(self._vault, case_id, testimony_id)

    def save_testimony(self) -> None:
        self.testimony_editor.save()

    def _on_testimony_saved(self, testimony_id: str) -> None:
        """Show the saved testimony in the list without reading the list again.
        An edited row changes in place (one not read yet is read as it is when
        scrolled to). A new one is listed last: appended and selected when the
        list is read to its end, else counted and shown when the list is
        scrolled there (reading 100,000 rows to select it would stall)."""
        is_new, self._editing_id = self._editing_id != testimony_id, testimony_id
        model = self.testimony_model
        if not is_new and model.row_of(testimony_id) < 0:
            return
        try:
            testimony = self._vault.testimonies.get(testimony_id)
        except FieldvaultError as err:
            self._show_status(error_message(err))
            return
        if testimony.case_id != self.selected_case_id():
            return
        with self._quietly():
            row = model.put_record(self._testimony_entry(testimony))
            if row >= 0:
                self._select(self.testimony_list, model, row)
            else:
                self.testimony_list.setCurrentIndex(QModelIndex())

    def show_history(self, testimony_id: str) -> None:
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

    # -- incidents and persons -------------------------------------------------

    def _reload_records(
        self,
        view: RecordList,
        model: LazyRecordModel,
        service: EntityService[Incident] | EntityService[Person],
        label: Callable[[Any], str],
    ) -> None:
        case_id = self.selected_case_id()
        with self._quietly():
            if case_id is None:
                model.clear()
            else:

                def fetch(offset: int, limit: int) -> list[ListEntry]:
                    page = service.list(case_id, offset=offset, limit=limit)
                    return [list_entry(record.id, label(record)) for record in page]

                model.set_source(fetch, lambda: service.count(case_id))
            self._show_first_page(model)
            view.setCurrentIndex(QModelIndex())

    def reload_incidents(self) -> None:
        self._reload_records(
            self.incident_list, self.incident_model, self._vault.incidents, self.incident_label
        )

    def reload_persons(self) -> None:
        self._reload_records(self.person_list, self.person_model, self._vault.persons, self.person_label)

    def incident_label(self, incident: Incident) -> str:
        title = incident.title or self.tr("(untitled incident)")
        return f"{title} ({incident.date})" if incident.date else title

    def person_label(self, person: Person) -> str:
        """The pseudonym, never the name (a list is seen over a shoulder)."""
        return person.pseudonym or self.tr("(no pseudonym)")

    def incident_labels(self) -> list[str]:
        return self.row_labels(self.incident_list)

    def person_labels(self) -> list[str]:
        return self.row_labels(self.person_list)

    def _may_leave(self, editor: IncidentEditor | PersonEditor) -> bool:
        """True when the form holds no unsaved edits, or the user chose to
        save them (and they were saved) or to discard them."""
        if not editor.is_dirty or self._vault is None:
            return True
        if editor is self.incident_editor:
            title = self.tr("Unsaved incident")
            question = self.tr("This incident has changes that are not saved. Save them?")
        else:
            title = self.tr("Unsaved person")
            question = self.tr("This person has changes that are not saved. Save them?")
        answer = record_form.ask_unsaved(self, title, question)
        if self._vault is None:
            return False  # locked while asking
        if answer == "save":
            return editor.save() is not None  # refused: the reasons show, the edits stay
        return answer == "discard"

    def _may_leave_records(self) -> bool:
        return self._may_leave(self.incident_editor) and self._may_leave(self.person_editor)

    def start_new_incident(self) -> None:
        if not self._may_leave(self.incident_editor):
            return
        with self._quietly():
            self.incident_list.setCurrentIndex(QModelIndex())
            self.incident_list.clearSelection()
        case_id = self.selected_case_id()
        if case_id is None:
            self.incident_editor.clear()
        else:
            self.incident_editor.load(self._vault, case_id)
            self.incident_editor.title_field.setFocus()

    def start_new_person(self) -> None:
        if not self._may_leave(self.person_editor):
            return
        with self._quietly():
            self.person_list.setCurrentIndex(QModelIndex())
            self.person_list.clearSelection()
        case_id = self.selected_case_id()
        if case_id is None:
            self.person_editor.clear()
        else:
            self.person_editor.load(self._vault, case_id)
            self.person_editor.pseudonym_field.setFocus()

    def _on_incident_changed(
        self, current: QModelIndex | QPersistentModelIndex, _previous: QModelIndex | QPersistentModelIndex
    ) -> None:
        case_id = self.selected_case_id()
        if self._quiet or not current.isValid() or case_id is None:
            return
        if not self._may_leave(self.incident_editor):
            self._restore_row(self.incident_list, self.incident_model, _previous)
            return
        incident_id = self.incident_model.record_id(current.row())
        if incident_id is not None:
            self.incident_editor.load(self._vault, case_id, incident_id)

    def _on_person_changed(
        self, current: QModelIndex | QPersistentModelIndex, _previous: QModelIndex | QPersistentModelIndex
    ) -> None:
        case_id = self.selected_case_id()
        if self._quiet or not current.isValid() or case_id is None:
            return
        if not self._may_leave(self.person_editor):
            self._restore_row(self.person_list, self.person_model, _previous)
            return
        person_id = self.person_model.record_id(current.row())
        if person_id is not None:
            self.person_editor.load(self._vault, case_id, person_id)

    def _show_saved(self, view: RecordList, model: LazyRecordModel, entry: ListEntry) -> None:
        """A saved record's row changes in place, or a new one is appended
        (only counted when the list is not read to its end)."""
        with self._quietly():
            row = model.put_record(entry)
            if row >= 0:
                self._select(view, model, row)
            else:
                view.setCurrentIndex(QModelIndex())

    def _on_incident_saved(self, incident_id: str) -> None:
        try:
            incident = self._vault.incidents.get(incident_id)
        except FieldvaultError as err:
            self.incident_editor.status.setText(error_message(err))
            return
        self._show_saved(
            self.incident_list, self.incident_model, list_entry(incident.id, self.incident_label(incident))
        )
        self.testimony_editor.refresh_links()

    def _on_person_saved(self, person_id: str) -> None:
        try:
            person = self._vault.persons.get(person_id)
        except FieldvaultError as err:
            self.person_editor.status.setText(error_message(err))
            return
        self._show_saved(
            self.person_list, self.person_model, list_entry(person.id, self.person_label(person))
        )
        self.testimony_editor.refresh_links()

    def _on_incident_deleted(self, incident_id: str) -> None:
        with self._quietly():
            self.incident_model.remove_record(incident_id)
            self.incident_list.setCurrentIndex(QModelIndex())
        self.testimony_editor.refresh_links()

    def _on_person_deleted(self, person_id: str) -> None:
        with self._quietly():
            self.person_model.remove_record(person_id)
            self.person_list.setCurrentIndex(QModelIndex())
        self.testimony_editor.refresh_links()

    def _set_form_enabled(self, enabled: bool) -> None:
        self.testimony_editor.setEnabled(enabled)
        self.new_testimony_button.setEnabled(enabled)
        self.new_incident_button.setEnabled(enabled)
        self.new_person_button.setEnabled(enabled)

    def _show_status(self, message: str) -> None:
        self.form_status.setText(message)

    # -- search --------------------------------------------------------------

    def run_search(self) -> None:
        """Search what the box holds, in a worker: the GUI stays responsive
        while a broad query runs. Each search gets a ticket; an answer to an
        older one (the user kept typing) is dropped."""
        self._search_timer.stop()
        self._search_ticket += 1
        text = self.search_field.text().strip()
        if not text:
            self.search_results.clear()
            self.search_results.hide()
            self.search_status.hide()
            self.search_done.emit(0)
            return
        if self._vault is None:
            return
        self.search_status.setText(self.tr("Searching…"))
        self.search_status.show()
        self.search_pool.start(SearchWorker(self._search_signals, self._vault, self._search_ticket, text))

    def _on_search_finished(self, report: SearchFinished) -> None:
        if self._vault is None or report.ticket != self._search_ticket:
            return
        self._show_hits(list(report.hits), "", bounded=report.bounded)

    def _on_search_failed(self, report: SearchFailed) -> None:
        if self._vault is None or report.ticket != self._search_ticket:
            return
        failure = report.failure
        self._show_hits([], error_message(failure.error, failure.error_type))

    def _show_hits(self, hits: list[SearchHit], error: str, *, bounded: bool = False) -> None:
        self.search_results.clear()
        if error:
            self.search_status.setText(error)
        else:
            status = self.tr("%n result(s)", "", len(hits)) if hits else self.tr("No results.")
            if bounded:
                status += " " + self.tr(
                    "Very many records match: only the most recently added were ranked. "
                    "Add a word to narrow the search."
                )
            self.search_status.setText(status)
        for hit in hits:
            self.search_results.addItem(self._hit_item(hit))
        self.search_status.show()
        self.search_results.setVisible(bool(hits))
        self.search_done.emit(len(hits))

    def _hit_item(self, hit: SearchHit) -> QListWidgetItem:
        kinds = {
            "case": self.tr("Case"),
            "testimony": self.tr("Testimony"),
            "incident": self.tr("Incident"),
            "person": self.tr("Person"),
        }
        kind = kinds.get(hit.entity_type, hit.entity_type)
        snippet = " ".join(hit.snippet.split())
        item = QListWidgetItem(f"{kind}: {hit.label}\n{snippet}")
        item.setData(ID_ROLE, hit.entity_id)
        item.setData(CASE_ID_ROLE, hit.case_id or (hit.entity_id if hit.entity_type == "case" else ""))
        item.setData(TYPE_ROLE, hit.entity_type)
        return item

    def _open_hit(self, item: QListWidgetItem) -> None:
        """Select the hit's case and open its testimony in the form. The
        testimony's row is selected when it is loaded; a hit deep in a long
        case is opened without reading the pages before it (the list stays
        where it is: 100,000 rows are not read to reach the last one)."""
        case_id = str(item.data(CASE_ID_ROLE) or "")
        row = self.case_model.fetch_until(case_id) if case_id else -1  # cases are few
        if row < 0:
            return
        if row != self.case_list.currentIndex().row():
            self._select(self.case_list, self.case_model, row)
        entity_type = item.data(TYPE_ROLE)
        if entity_type in ("incident", "person"):
            self._open_record_hit(str(entity_type), str(item.data(ID_ROLE)))
            return
        if entity_type != "testimony":
            return
        testimony_id = str(item.data(ID_ROLE))
        row = self.testimony_model.row_of(testimony_id)
        if row >= 0 and row != self.testimony_list.currentIndex().row():
            self._select(self.testimony_list, self.testimony_model, row)  # opens it
        elif row < 0:
            with self._quietly():
                self.testimony_list.setCurrentIndex(QModelIndex())
            self.load_testimony(testimony_id)

    def _open_record_hit(self, entity_type: str, record_id: str) -> None:
        """Show an incident or person found by the search in its tab and form."""
        case_id = self.selected_case_id()
        if case_id is None or not self._may_leave_records():
            return
        if entity_type == "incident":
            tab, view, model = self.incidents_tab, self.incident_list, self.incident_model
        else:
            tab, view, model = self.persons_tab, self.person_list, self.person_model
        self.case_tabs.setCurrentIndex(tab)
        row = model.fetch_until(record_id)
        if row >= 0 and row != view.currentIndex().row():
            self._select(view, model, row)  # opens it
        elif row < 0:
            editor: IncidentEditor | PersonEditor
            editor = self.incident_editor if entity_type == "incident" else self.person_editor
            editor.load(self._vault, case_id, record_id)

    # -- locking -------------------------------------------------------------

    def clear_all(self, *, save_draft: bool = True) -> None:
        """Empty every widget that held vault data and forget the vault.
        ``save_draft`` False (panic wipe): do not write what was being typed."""
        record_form.close_questions(self)  # a question still open is answered Cancel
        self._search_timer.stop()
        self._search_ticket += 1  # a search still running is answered into the void
        self.testimony_editor.clear(save_draft=save_draft)
        self.incident_editor.clear()
        self.person_editor.clear()
        if self.history_view is not None:
            self.history_view.clear()
            self.history_view = None
        for line in (self.search_field, self.case_title_field):
            line.blockSignals(True)
            line.clear()
            line.blockSignals(False)
        self.search_results.blockSignals(True)
        self.search_results.clear()
        self.search_results.blockSignals(False)
        with self._quietly():
            self.testimony_model.clear()
            self.incident_model.clear()
            self.person_model.clear()
            self.case_model.clear()
        self.search_status.clear()
        self._editing_id = None
        # Before the vault locks: the panel waits for its running intake.
        self.evidence_viewer.clear()
        self.evidence_panel.clear()
        self.evidence_item.clear()
        self._vault = None  # type: ignore[assignment]  # the view is being destroyed
