"""The screen of an unlocked vault: the search bar over the cases and the
selected case's tabs (testimonies, evidence, incidents, persons).

This class only puts the parts together and passes between them what one
part does to another: a case chosen in the list is shown in every tab; a
search hit selects its case and opens its record in its tab; a saved incident
or person refreshes the links a testimony offers. Each part reads and writes
only through the vault's services, single records or pages at a time:
small reads on the GUI thread; searches, intake, export, the viewer's reads
and every write (the forms' saves, deletions and drafts, an evidence item's
stated fields, a new case) on the window's task runner (desktop/tasks.py).

Everything shown here is witness data: ``clear_all`` empties every widget, and
the window destroys this view when the vault locks.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QPushButton, QTabWidget, QVBoxLayout, QWidget

from db.api import FieldvaultError, Vault
from desktop import record_form
from desktop.case_list import CaseList
from desktop.evidence_tab import EvidenceTab
from desktop.icons import icon
from desktop.models import PAGE_SIZE
from desktop.record_list import side_by_side
from desktop.record_tab import IncidentsTab, PersonsTab
from desktop.search_bar import SearchBar
from desktop.tasks import Lane, TaskContext, TaskRunner
from desktop.testimonies_tab import TestimoniesTab

# The vault setting naming the case shown last, selected again at the next
# unlock. In the encrypted vault, never in QSettings: a case id leads to
# witness data, and QSettings is a plain file.
LAST_CASE_SETTING = "last_case_id"


def _remember_case(vault: Vault, case_id: str, _context: TaskContext) -> None:
    vault.settings.set(LAST_CASE_SETTING, case_id)


class VaultView(QWidget):
    lock_requested = Signal()

    def __init__(
        self,
        vault: Vault,
        parent: QWidget | None = None,
        *,
        page_size: int = PAGE_SIZE,
        tasks: TaskRunner | None = None,
    ) -> None:
        super().__init__(parent)
        self._vault: Vault | None = vault
        # The window's runner; a view shown alone (tests) has its own.
        self.tasks = tasks if tasks is not None else TaskRunner(self)

        self.search_bar = SearchBar(vault, tasks=self.tasks)
        self.lock_button = QPushButton(icon("lock"), self.tr("Lock (Ctrl+L)"))
        self.lock_button.setAccessibleName(self.tr("Lock the vault"))
        self.search_bar.add_beside_field(self.lock_button)

        self.cases = CaseList(vault, self._may_leave_records, page_size=page_size, tasks=self.tasks)
        self.testimonies = TestimoniesTab(vault, page_size=page_size, tasks=self.tasks)
        self.evidence = EvidenceTab(vault, tasks=self.tasks)
        self.incidents = IncidentsTab(vault, page_size=page_size, tasks=self.tasks)
        self.persons = PersonsTab(vault, page_size=page_size, tasks=self.tasks)

        self.case_tabs = QTabWidget()
        self.case_tabs.setAccessibleName(self.tr("The selected case"))
        self.case_tabs.addTab(self.testimonies, icon("new-testimony"), self.tr("&Testimonies"))
        self.case_tabs.addTab(self.evidence, icon("add-evidence"), self.tr("&Evidence"))
        self.incidents_tab = self.case_tabs.addTab(self.incidents, icon("history"), self.tr("&Incidents"))
        self.persons_tab = self.case_tabs.addTab(self.persons, icon("view"), self.tr("Person&s"))

        layout = QVBoxLayout(self)
        layout.addWidget(self.search_bar)
        layout.addWidget(side_by_side(self.cases, self.case_tabs, stretch=(1, 4)), 1)

        # Paths many tests (and the window) reach directly.
        self.search_field = self.search_bar.field
        self.search_results = self.search_bar.results
        self.search_status = self.search_bar.status
        self.search_done = self.search_bar.search_done
        self.case_list = self.cases.list_view
        self.case_model = self.cases.model
        self.case_title_field = self.cases.title_field
        self.testimony_list = self.testimonies.list_view
        self.testimony_model = self.testimonies.model
        self.testimony_editor = self.testimonies.editor
        self.title_field = self.testimony_editor.title_field
        self.narrative_field = self.testimony_editor.narrative_field
        self.save_button = self.testimony_editor.save_button
        self.form_status = self.testimony_editor.status
        self.evidence_panel = self.evidence.panel
        self.incident_editor = self.incidents.editor
        self.person_list = self.persons.list_view
        self.person_editor = self.persons.editor
        self.new_person_button = self.persons.new_button

        self.lock_button.clicked.connect(self.lock_requested)
        self.search_bar.hit_opened.connect(self._open_hit)
        self.cases.case_changed.connect(self._show_selected_case)
        self.cases.case_created.connect(lambda _id: self.title_field.setFocus())
        for part in (self.cases, self.incidents, self.persons):
            part.status_message.connect(self.testimonies.show_status)
        for tab in (self.incidents, self.persons):
            tab.records_changed.connect(self.testimony_editor.refresh_links)
        # A recording stored from the testimony form is listed in the evidence tab.
        self.testimonies.recording.recorded.connect(
            lambda evidence_id, _t: self.evidence_panel.reload(evidence_id)
        )

        self._set_case_enabled(False)
        self._remembered_case = vault.settings.get(LAST_CASE_SETTING)
        self.cases.reload(select_id=self._remembered_case or None)

    # -- paths many tests use --------------------------------------------------

    def selected_case_id(self) -> str | None:
        return self.cases.selected_case_id()

    def case_labels(self) -> list[str]:
        return self.cases.labels()

    def testimony_labels(self) -> list[str]:
        return self.testimonies.labels()

    def incident_labels(self) -> list[str]:
        return self.incidents.labels()

    def person_labels(self) -> list[str]:
        return self.persons.labels()

    def run_search(self) -> None:
        self.search_bar.run_search()

    def reload_persons(self) -> None:
        self.persons.reload()

    # -- between the parts -------------------------------------------------------

    def _may_leave_records(self) -> bool:
        return self.incidents.may_leave() and self.persons.may_leave()

    def _show_selected_case(self) -> None:
        case_id = self.cases.selected_case_id()
        self.testimonies.show_case(case_id)
        self.evidence.show_case(case_id)
        self.incidents.show_case(case_id)
        self.persons.show_case(case_id)
        self._set_case_enabled(case_id is not None)
        if case_id is not None and self._vault is not None and case_id != self._remembered_case:
            self._remembered_case = case_id
            remember = partial(_remember_case, self._vault, case_id)
            self.tasks.start(Lane.SAVE, remember, lambda _report: None, owner=self)

    def _set_case_enabled(self, enabled: bool) -> None:
        self.testimony_editor.setEnabled(enabled)
        for button in (self.testimonies.new_button, self.incidents.new_button, self.persons.new_button):
            button.setEnabled(enabled)

    def _open_hit(self, entity_type: str, entity_id: str, case_id: str) -> None:
        """Select the hit's case and open its record in its tab, whichever tab
        was showing. An evidence link opens its evidence item."""
        if entity_type == "link" and self._vault is not None:
            try:
                entity_id = self._vault.links.get(entity_id).from_id
                entity_type = self._vault.evidence_links.kind_of(entity_id)
            except FieldvaultError:
                return  # removed since the search: nothing to open
        if not self.cases.select_case(case_id):
            return
        if entity_type == "testimony":
            self.case_tabs.setCurrentWidget(self.testimonies)
            self.testimonies.open_testimony(entity_id)
        elif entity_type == "evidence":
            self.case_tabs.setCurrentWidget(self.evidence)
            self.evidence_panel.reload(select_id=entity_id)
            self.evidence.open_evidence(entity_id)
        elif entity_type in ("incident", "person"):
            tab = self.incidents if entity_type == "incident" else self.persons
            self.case_tabs.setCurrentWidget(tab)
            tab.open_record(entity_id)

    # -- locking -------------------------------------------------------------

    def clear_all(self, *, save_draft: bool = True) -> None:
        """Empty every widget that held vault data and forget the vault.
        ``save_draft`` False (panic wipe): do not write what was being typed."""
        record_form.close_questions(self)  # a question still open is answered Cancel
        self.search_bar.clear()
        self.testimonies.clear(save_draft=save_draft)
        self.incidents.clear()
        self.persons.clear()
        self.cases.clear()
        self.evidence.clear()  # before the vault locks: the panel waits for its running intake
        self._vault = None
