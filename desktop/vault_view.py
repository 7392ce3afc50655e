"""The screen of an unlocked vault: cases, their testimonies, a testimony form, search.

Minimal on purpose (the full GUI is a later issue). It reads and writes only
through the vault's services; those calls take milliseconds, so they run on the
GUI thread. Everything shown here is witness data: ``clear_all`` empties every
widget, and the window destroys this view when the vault locks.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from db.entities import Case, Testimony
from db.errors import FieldvaultError
from db.services import SearchHit
from db.vault import Vault
from desktop.evidence_item import EvidenceItemView
from desktop.evidence_panel import EvidencePanel
from desktop.history_view import HistoryView
from desktop.messages import error_message
from desktop.testimony_editor import TestimonyEditor
from desktop.viewer import EvidenceViewer

SEARCH_DELAY_MS = 250
ID_ROLE = Qt.ItemDataRole.UserRole
CASE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
TYPE_ROLE = Qt.ItemDataRole.UserRole + 2


def _section_label(text: str) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return label


class VaultView(QWidget):
    lock_requested = Signal()
    search_done = Signal(int)  # number of hits shown; lets tests wait without sleeping

    def __init__(self, vault: Vault, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vault = vault
        self._editing_id: str | None = None

        # -- top bar: search and lock ----------------------------------------
        self.search_field = QLineEdit()
        self.search_field.setPlaceholderText(self.tr("Search cases and testimonies…"))
        self.search_field.setAccessibleName(self.tr("Search"))
        self.search_field.setClearButtonEnabled(True)
        self.lock_button = QPushButton(self.tr("Lock (Ctrl+L)"))
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
        self.search_status.hide()
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)

        # -- left: cases -----------------------------------------------------
        self.case_list = QListWidget()
        self.case_list.setAccessibleName(self.tr("Cases"))
        self.case_title_field = QLineEdit()
        self.case_title_field.setPlaceholderText(self.tr("Title of a new case"))
        self.case_title_field.setAccessibleName(self.tr("New case title"))
        self.new_case_button = QPushButton(self.tr("New case"))
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
        self.testimony_list = QListWidget()
        self.testimony_list.setAccessibleName(self.tr("Testimonies of the selected case"))
        self.new_testimony_button = QPushButton(self.tr("New testimony"))
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

        self.case_tabs = QTabWidget()
        self.case_tabs.setAccessibleName(self.tr("The selected case"))
        self.case_tabs.addTab(testimonies_tab, self.tr("&Testimonies"))
        self.case_tabs.addTab(evidence_tab, self.tr("&Evidence"))

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
        self.case_list.currentItemChanged.connect(self._on_case_changed)
        self.testimony_list.currentItemChanged.connect(self._on_testimony_changed)
        self.new_testimony_button.clicked.connect(self.start_new_testimony)
        self.evidence_panel.item_activated.connect(self.open_evidence)
        self.evidence_viewer.export_requested.connect(lambda _id: self.evidence_item.export())
        editor.saved.connect(self._on_testimony_saved)
        editor.history_requested.connect(self.show_history)

        self.reload_cases()
        self._set_form_enabled(False)

    # -- cases ---------------------------------------------------------------

    def selected_case_id(self) -> str | None:
        item = self.case_list.currentItem()
        return None if item is None else str(item.data(ID_ROLE))

    def reload_cases(self, select_id: str | None = None) -> None:
        select_id = select_id or self.selected_case_id()
        self.case_list.blockSignals(True)
        self.case_list.clear()
        chosen: QListWidgetItem | None = None
        for case in self._vault.cases.list():
            item = QListWidgetItem(case.title)
            item.setData(ID_ROLE, case.id)
            self.case_list.addItem(item)
            if case.id == select_id:
                chosen = item
        self.case_list.blockSignals(False)
        if chosen is not None:
            self.case_list.setCurrentItem(chosen)

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
        self.reload_cases(select_id=case.id)
        self.title_field.setFocus()

    def open_evidence(self, evidence_id: str) -> None:
        """Show an item's record and, below it, its content (a custody 'view')."""
        self.evidence_item.show_item(evidence_id)
        self.evidence_viewer.show_item(self._vault, evidence_id)

    def _on_case_changed(self, current: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        self.reload_testimonies()
        self.evidence_panel.set_case(self.selected_case_id())
        self.evidence_item.clear()
        self.evidence_viewer.clear()
        self.start_new_testimony()
        self._set_form_enabled(current is not None)

    # -- testimonies ---------------------------------------------------------

    def reload_testimonies(self, select_id: str | None = None) -> None:
        self.testimony_list.blockSignals(True)
        self.testimony_list.clear()
        case_id = self.selected_case_id()
        chosen: QListWidgetItem | None = None
        if case_id is not None:
            for testimony in self._vault.testimonies.list(case_id):
                item = QListWidgetItem(self._testimony_label(testimony))
                item.setData(ID_ROLE, testimony.id)
                self.testimony_list.addItem(item)
                if testimony.id == select_id:
                    chosen = item
        if chosen is not None:
            self.testimony_list.setCurrentItem(chosen)
        self.testimony_list.blockSignals(False)

    def _testimony_label(self, testimony: Testimony) -> str:
        title = testimony.title or self.tr("(untitled testimony)")
        return f"{title} [{testimony.language}]" if testimony.language else title

    def start_new_testimony(self) -> None:
        self.testimony_list.blockSignals(True)
        self.testimony_list.setCurrentRow(-1)
        self.testimony_list.clearSelection()
        self.testimony_list.blockSignals(False)
        case_id = self.selected_case_id()
        if case_id is not None:
            self.testimony_editor.load(self._vault, case_id)

    def _on_testimony_changed(
        self, current: QListWidgetItem | None, _previous: QListWidgetItem | None
    ) -> None:
        if current is None:
            return
        self.load_testimony(str(current.data(ID_ROLE)))

    def load_testimony(self, testimony_id: str) -> None:
        case_id = self.selected_case_id()
        if case_id is not None:
            self.testimony_editor.load(self._vault, case_id, testimony_id)

    def save_testimony(self) -> None:
        self.testimony_editor.save()

    def _on_testimony_saved(self, testimony_id: str) -> None:
        self.reload_testimonies(select_id=testimony_id)

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

    def _set_form_enabled(self, enabled: bool) -> None:
        self.testimony_editor.setEnabled(enabled)
        self.new_testimony_button.setEnabled(enabled)

    def _show_status(self, message: str) -> None:
        self.form_status.setText(message)

    # -- search --------------------------------------------------------------

    def run_search(self) -> None:
        self._search_timer.stop()
        text = self.search_field.text().strip()
        self.search_results.clear()
        if not text:
            self.search_results.hide()
            self.search_status.hide()
            self.search_done.emit(0)
            return
        try:
            hits = self._vault.search.query(text, as_you_type=True)
        except FieldvaultError as err:
            hits = []
            self.search_status.setText(error_message(err))
        else:
            self.search_status.setText(
                self.tr("%n result(s)", "", len(hits)) if hits else self.tr("No results.")
            )
        for hit in hits:
            self.search_results.addItem(self._hit_item(hit))
        self.search_status.show()
        self.search_results.setVisible(bool(hits))
        self.search_done.emit(len(hits))

    def _hit_item(self, hit: SearchHit) -> QListWidgetItem:
        kinds = {"case": self.tr("Case"), "testimony": self.tr("Testimony")}
        kind = kinds.get(hit.entity_type, hit.entity_type)
        snippet = " ".join(hit.snippet.split())
        item = QListWidgetItem(f"{kind}: {hit.label}\n{snippet}")
        item.setData(ID_ROLE, hit.entity_id)
        item.setData(CASE_ID_ROLE, hit.case_id or (hit.entity_id if hit.entity_type == "case" else ""))
        item.setData(TYPE_ROLE, hit.entity_type)
        return item

    def _open_hit(self, item: QListWidgetItem) -> None:
        case_id = str(item.data(CASE_ID_ROLE) or "")
        for row in range(self.case_list.count()):
            if self.case_list.item(row).data(ID_ROLE) == case_id:
                self.case_list.setCurrentRow(row)
                break
        if item.data(TYPE_ROLE) == "testimony":
            for row in range(self.testimony_list.count()):
                if self.testimony_list.item(row).data(ID_ROLE) == item.data(ID_ROLE):
                    self.testimony_list.setCurrentRow(row)
                    break

    # -- locking -------------------------------------------------------------

    def clear_all(self, *, save_draft: bool = True) -> None:
        """Empty every widget that held vault data and forget the vault.
        ``save_draft`` False (panic wipe): do not write what was being typed."""
        self._search_timer.stop()
        self.testimony_editor.clear(save_draft=save_draft)
        if self.history_view is not None:
            self.history_view.clear()
            self.history_view = None
        for line in (self.search_field, self.case_title_field):
            line.blockSignals(True)
            line.clear()
            line.blockSignals(False)
        for listing in (self.search_results, self.case_list, self.testimony_list):
            listing.blockSignals(True)
            listing.clear()
            listing.blockSignals(False)
        self.search_status.clear()
        self._editing_id = None
        # Before the vault locks: the panel waits for its running intake.
        self.evidence_viewer.clear()
        self.evidence_panel.clear()
        self.evidence_item.clear()
        self._vault = None  # type: ignore[assignment]  # the view is being destroyed
