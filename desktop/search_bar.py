"""The search bar over the vault screen: the field, the status line and the
list of hits, and the worker that runs each search off the GUI thread.

Each search gets a ticket; an answer to an older one (the user kept typing, or
the vault locked) is dropped. Opening a hit is the screen's business: the bar
only says which record was chosen (``hit_opened``).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from db.api import SearchHit, Vault
from desktop.icons import icon
from desktop.messages import error_message
from desktop.tasks import Lane, TaskReport, TaskRunner
from desktop.workers import Search, SearchFinished

SEARCH_DELAY_MS = 250
ID_ROLE = Qt.ItemDataRole.UserRole
CASE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
TYPE_ROLE = Qt.ItemDataRole.UserRole + 2


class SearchBar(QWidget):
    search_done = Signal(int)  # number of hits shown; lets tests wait without sleeping
    hit_opened = Signal(str, str, str)  # entity type, entity id, case id ("" when unknown)

    def __init__(
        self, vault: Vault, parent: QWidget | None = None, *, tasks: TaskRunner | None = None
    ) -> None:
        super().__init__(parent)
        self._vault: Vault | None = vault
        # The window's runner; a bar shown alone (tests) has its own.
        self.tasks = tasks if tasks is not None else TaskRunner(self)

        self.field = QLineEdit()
        self.field.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.field.setPlaceholderText(self.tr("Search testimonies, evidence, incidents and persons…"))
        self.field.setAccessibleName(self.tr("Search"))
        self.field.setClearButtonEnabled(True)
        self.results = QListWidget()
        self.results.setAccessibleName(self.tr("Search results"))
        self.results.setWordWrap(True)
        self.results.setMaximumHeight(180)
        self.results.hide()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.hide()

        # Searches run one at a time, in order, on the search lane; a newer
        # one makes older answers stale.
        self._ticket = 0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)

        self._field_row = QHBoxLayout()
        self._field_row.addWidget(self.field, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._field_row)
        layout.addWidget(self.status)
        layout.addWidget(self.results)

        self.field.textChanged.connect(self._timer.start)
        self.field.returnPressed.connect(self.run_search)
        self._timer.timeout.connect(self.run_search)
        self.results.itemActivated.connect(self._open_hit)
        self.results.itemClicked.connect(self._open_hit)

    def add_beside_field(self, widget: QWidget) -> None:
        """Put ``widget`` (the lock button) at the end of the field's row."""
        self._field_row.addWidget(widget)

    def run_search(self) -> None:
        """Search what the field holds, in a worker: the GUI stays responsive
        while a broad query runs. Each search gets a ticket; an answer to an
        older one (the user kept typing) is dropped."""
        self._timer.stop()
        self._ticket += 1
        text = self.field.text().strip()
        if not text:
            self.results.clear()
            self.results.hide()
            self.status.hide()
            self.search_done.emit(0)
            return
        if self._vault is None:
            return
        self.status.setText(self.tr("Searching…"))
        self.status.show()
        ticket = self._ticket
        self.tasks.start(
            Lane.SEARCH,
            Search(self._vault, ticket, text),
            lambda report: self._on_report(ticket, report),
            owner=self,
        )

    def _on_report(self, ticket: int, report: TaskReport) -> None:
        if self._vault is None or ticket != self._ticket:
            return
        if isinstance(report.value, SearchFinished):
            self._show_hits(list(report.value.hits), "", bounded=report.value.bounded)
        elif report.failure is not None:
            failure = report.failure
            self._show_hits([], error_message(failure.error, failure.error_type))

    def _show_hits(self, hits: list[SearchHit], error: str, *, bounded: bool = False) -> None:
        self.results.clear()
        if error:
            self.status.setText(error)
        else:
            status = self.tr("%n result(s)", "", len(hits)) if hits else self.tr("No results.")
            if bounded:
                status += " " + self.tr(
                    "Very many records match: only the most recently added were ranked. "
                    "Add a word to narrow the search."
                )
            self.status.setText(status)
        for hit in hits:
            self.results.addItem(self._hit_item(hit))
        self.status.show()
        self.results.setVisible(bool(hits))
        self.search_done.emit(len(hits))

    def _kind_words(self) -> dict[str, str]:
        return {
            "case": self.tr("Case"),
            "testimony": self.tr("Testimony"),
            "incident": self.tr("Incident"),
            "person": self.tr("Person"),
            "evidence": self.tr("Evidence"),
            "link": self.tr("Link"),
        }

    def hit_label(self, hit: SearchHit) -> str:
        """The hit's name as the lists show it. The core falls back to the
        record's id (an untitled testimony) or to an English "person 0192…"
        when a record has no name of its own: those are replaced by the
        words the lists use, translated."""
        fallbacks = {"", hit.entity_id, f"{hit.entity_type} {hit.entity_id[:8]}"}
        if hit.entity_type == "link":
            return self.tr("Evidence link") if hit.label == "evidence-of" else hit.label
        if hit.label not in fallbacks:
            return hit.label
        untitled = {
            "case": self.tr("(untitled case)"),
            "testimony": self.tr("(untitled testimony)"),
            "incident": self.tr("(untitled incident)"),
            "person": self.tr("(no pseudonym)"),
            "evidence": self.tr("(no name)"),
        }
        return untitled.get(hit.entity_type, self.tr("(untitled)"))

    def _hit_item(self, hit: SearchHit) -> QListWidgetItem:
        kind = self._kind_words().get(hit.entity_type, hit.entity_type)
        snippet = " ".join(hit.snippet.split())
        item = QListWidgetItem(f"{kind}: {self.hit_label(hit)}\n{snippet}")
        item.setData(ID_ROLE, hit.entity_id)
        item.setData(CASE_ID_ROLE, hit.case_id or (hit.entity_id if hit.entity_type == "case" else ""))
        item.setData(TYPE_ROLE, hit.entity_type)
        return item

    def _open_hit(self, item: QListWidgetItem) -> None:
        self.hit_opened.emit(
            str(item.data(TYPE_ROLE) or ""), str(item.data(ID_ROLE) or ""), str(item.data(CASE_ID_ROLE) or "")
        )

    def clear(self) -> None:
        """Forget the query, the hits and the vault; a search still running
        is answered into the void (the vault is locking)."""
        self._timer.stop()
        self._ticket += 1
        self._vault = None
        self.field.blockSignals(True)
        self.field.clear()
        self.field.blockSignals(False)
        self.results.blockSignals(True)
        self.results.clear()
        self.results.blockSignals(False)
        self.status.clear()
