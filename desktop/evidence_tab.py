"""A case's evidence: the list of items and their intake beside the open
item's record and, below it, its content (opening one is a custody 'view')."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from db.api import Vault
from desktop.evidence_item import EvidenceItemView
from desktop.evidence_panel import EvidencePanel
from desktop.record_list import fill_widget, side_by_side
from desktop.tasks import TaskRunner
from desktop.viewer import EvidenceViewer


class EvidenceTab(QWidget):
    def __init__(
        self, vault: Vault, parent: QWidget | None = None, *, tasks: TaskRunner | None = None
    ) -> None:
        super().__init__(parent)
        self._vault: Vault | None = vault
        self.tasks = tasks if tasks is not None else TaskRunner(self)
        self.panel = EvidencePanel(vault, tasks=self.tasks)
        self.item = EvidenceItemView(vault, tasks=self.tasks)
        self.viewer = EvidenceViewer(tasks=self.tasks)
        item_column = side_by_side(
            self.item, self.viewer, stretch=(0, 0), orientation=Qt.Orientation.Vertical
        )
        fill_widget(self, side_by_side(self.panel, item_column))

        self.panel.item_activated.connect(self.open_evidence)
        self.viewer.export_requested.connect(lambda _id: self.item.export())
        # The viewer records its 'view' on the viewer lane, after the item's
        # record was shown: re-read the custody so the table lists the view.
        self.viewer.shown.connect(self._viewed)

    def show_case(self, case_id: str | None) -> None:
        self.panel.set_case(case_id)
        self.item.reset()
        self.viewer.clear()

    def open_evidence(self, evidence_id: str) -> None:
        """Show an item's record and, below it, its content (a custody 'view')."""
        if self._vault is None:
            return
        self.item.show_item(evidence_id)
        self.viewer.show_item(self._vault, evidence_id)

    def _viewed(self, _kind: str) -> None:
        if self.viewer.evidence_id is not None and self.viewer.evidence_id == self.item.evidence_id:
            self.item.refresh_custody()

    def clear(self) -> None:
        """Empty every part and forget the vault. Before the vault locks: the
        panel waits for its running intake."""
        self.viewer.clear()
        self.panel.clear()
        self.item.clear()
        self._vault = None
