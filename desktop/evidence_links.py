"""Evidence linked to testimonies, incidents and persons, shown both ways
(issue 15).

``EvidenceLinksBox`` is on an evidence item's view: the records the item is
linked to, a choice of the case's testimonies, incidents and persons to link
it to, and Remove. ``LinkedEvidenceBox`` is on a testimony's (or person's,
incident's) form: the evidence linked to it. Links are records with history
(db/evidence_links.py); adding and removing run on the window's save lane.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from db.api import FieldvaultError, LinkedRecord, Vault
from desktop.messages import error_message
from desktop.tasks import Lane, TaskReport, TaskRunner


def kind_words() -> dict[str, str]:
    return {
        "testimony": QCoreApplication.translate("EvidenceLinks", "Testimony"),
        "incident": QCoreApplication.translate("EvidenceLinks", "Incident"),
        "person": QCoreApplication.translate("EvidenceLinks", "Person"),
        "evidence": QCoreApplication.translate("EvidenceLinks", "Evidence"),
    }


def _row_text(end: LinkedRecord) -> str:
    return f"{kind_words().get(end.entity_type, end.entity_type)}: {end.label}"


def _plain(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    return label


class EvidenceLinksBox(QGroupBox):
    """The records an evidence item is linked to; add and remove links."""

    changed = Signal()

    def __init__(self, vault: Any, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Linked testimonies, incidents and persons"))
        self._vault: Vault | None = vault
        self._tasks = tasks
        self._evidence_id: str | None = None
        self._case_id: str | None = None
        self.links = QListWidget()
        self.links.setAccessibleName(self.tr("Records this evidence is linked to"))
        self.links.setMaximumHeight(100)
        self.target = QComboBox()
        self.target.setAccessibleName(self.tr("Record to link this evidence to"))
        self.add_button = QPushButton(self.tr("&Link"))
        self.add_button.setAccessibleName(self.tr("Link this evidence to the chosen record"))
        self.remove_button = QPushButton(self.tr("Remove link"))
        self.status = _plain()
        self.status.setAccessibleName(self.tr("Link status"))
        row = QHBoxLayout()
        row.addWidget(self.target, 1)
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.links)
        layout.addLayout(row)
        layout.addWidget(self.status)
        self.add_button.clicked.connect(self.add_link)
        self.remove_button.clicked.connect(self.remove_link)
        self.links.currentRowChanged.connect(self._update_buttons)
        self._update_buttons()

    def show_for(self, evidence_id: str | None, case_id: str | None) -> None:
        self._evidence_id, self._case_id = evidence_id, case_id
        self.status.setText("")
        self._reload()

    def forget_vault(self) -> None:
        """At lock: no more reads or writes through this box."""
        self._vault = None
        self.show_for(None, None)

    def _reload(self) -> None:
        self.links.clear()
        self.target.clear()
        vault, evidence_id, case_id = self._vault, self._evidence_id, self._case_id
        if vault is None or evidence_id is None or case_id is None:
            self._update_buttons()
            return
        try:
            linked = vault.evidence_links.targets_of(evidence_id)
            choices: list[tuple[str, str, str]] = [
                *(("testimony", t.id, t.label()) for t in vault.testimonies.list(case_id)),
                *(("incident", i.id, i.label()) for i in vault.incidents.list(case_id)),
                *(("person", p.id, p.label()) for p in vault.persons.list(case_id)),
            ]
        except FieldvaultError as err:
            self.status.setText(error_message(err))
            self._update_buttons()
            return
        for end in linked:
            item = QListWidgetItem(_row_text(end))
            item.setData(Qt.ItemDataRole.UserRole, end.entity_id)
            self.links.addItem(item)
        taken = {end.entity_id for end in linked}
        words = kind_words()
        for kind, entity_id, label in choices:
            if entity_id not in taken:
                self.target.addItem(f"{words[kind]}: {label}", entity_id)
        self._update_buttons()

    def linked_ids(self) -> list[str]:
        return [str(self.links.item(n).data(Qt.ItemDataRole.UserRole)) for n in range(self.links.count())]

    def _update_buttons(self, *_args: object) -> None:
        self.add_button.setEnabled(self._evidence_id is not None and self.target.count() > 0)
        self.remove_button.setEnabled(self.links.currentRow() >= 0)

    def add_link(self) -> None:
        vault, evidence_id, target_id = self._vault, self._evidence_id, self.target.currentData()
        if vault is None or evidence_id is None or not target_id:
            return
        self._write(lambda: vault.evidence_links.link(evidence_id, str(target_id)))

    def remove_link(self) -> None:
        vault, evidence_id, item = self._vault, self._evidence_id, self.links.currentItem()
        if vault is None or evidence_id is None or item is None:
            return
        target_id = str(item.data(Qt.ItemDataRole.UserRole))
        self._write(lambda: vault.evidence_links.unlink(evidence_id, target_id))

    def _write(self, write: Any) -> None:
        self.setEnabled(False)
        self.status.setText(self.tr("Saving…"))
        evidence_id = self._evidence_id
        self._tasks.start(
            Lane.SAVE,
            lambda _context: write(),
            lambda report: self._on_report(evidence_id, report),
            owner=self,
        )

    def _on_report(self, evidence_id: str | None, report: TaskReport) -> None:
        if not report.finished:
            return
        self.setEnabled(True)
        if evidence_id != self._evidence_id:
            return  # another item is shown now
        if report.state == "succeeded":
            self._reload()
            self.status.setText("")
            self.changed.emit()
        elif report.failure is not None:
            self.status.setText(error_message(report.failure.error, report.failure.error_type))


class LinkedEvidenceBox(QGroupBox):
    """The evidence items linked to a testimony, incident or person (read only:
    links are made on the evidence item)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Linked evidence"))
        self.items = QListWidget()
        self.items.setAccessibleName(self.tr("Evidence linked to this record"))
        self.items.setMaximumHeight(80)
        self.empty = _plain(self.tr("No evidence linked. Link it from the evidence item."))
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addWidget(self.items)

    def show_for(self, vault: Vault | None, entity_id: str | None) -> None:
        self.items.clear()
        ends: list[LinkedRecord] = []
        if vault is not None and entity_id is not None:
            try:
                ends = vault.evidence_links.evidence_of(entity_id)
            except FieldvaultError as err:
                self.empty.setText(error_message(err))
                self.empty.show()
                return
        for end in ends:
            item = QListWidgetItem(end.label)
            item.setData(Qt.ItemDataRole.UserRole, end.entity_id)
            self.items.addItem(item)
        self.empty.setText(self.tr("No evidence linked. Link it from the evidence item."))
        self.empty.setVisible(not ends)
        self.items.setVisible(bool(ends))

    def linked_ids(self) -> list[str]:
        return [str(self.items.item(n).data(Qt.ItemDataRole.UserRole)) for n in range(self.items.count())]
