"""Coordinator → Kept re-reads…: the re-reads this desk kept (issue 14;
review 21 R4; db/rereads.py, migration 0028, as ``fieldvault bundle
rereads`` prints them; docs/merge.md "Re-reads").

A re-read (Organisation → Import bundles… → Re-read, ``bundle import
--reread``) reads a bundle this desk received before again in full and
stores what it carries that the desk lacked. Each one that stored its unit
is kept: the bundle, its sender and number, when, the user label at the
keyboard, and by ids what it stored. This view lists them, newest first;
the chosen row's ids are shown in full below the list, so that an examiner
can tell a record a re-read brought from one an import or a hand-over
brought.

Ids only, as the CLI prints them: the vault's account of a re-read names
revisions, evidence items, a bundle and a device, never what a record says
(a title, a file name). The list is read on the export lane, as the
devices view's is (desktop/tasks.py): the window never waits. Closing the
dialog (and so locking the vault) clears what it shows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt, Slot
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QPlainTextEdit,
    QPushButton,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.dialog_parts import drop_tasks, wrapped_label
from desktop.icons import icon
from desktop.item_lists import ID_ROLE, item_list, row_texts, row_with
from desktop.lane_read_dialog import LaneReadDialog
from desktop.tasks import TaskRunner

if TYPE_CHECKING:
    from db.api import Reread, Vault
    from desktop.coordinator_menu import CoordinatorMenu


# -- the task (plain Python) -----------------------------------------------------------


@dataclass(frozen=True)
class RereadsRead:
    rereads: tuple[Reread, ...]  # newest first (db/rereads.py LISTED at most)
    device_labels: dict[str, str]  # device id -> the label this vault knows it by


def read_rereads(vault: Vault) -> RereadsRead:
    """The kept re-reads and the senders' labels (a task: on a lane)."""
    rereads = tuple(vault.sync.rereads())
    labels = {device.device_id: device.label for device in vault.sync.devices() if device.label}
    return RereadsRead(rereads, labels)


def _utc(ms: int) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _device_name(device_id: str, labels: dict[str, str]) -> str:
    short = f"{device_id[:12]}…"
    label = labels.get(device_id)
    return f"{label} · {short}" if label else short


# -- the dialog ------------------------------------------------------------------------


class KeptRereadsDialog(LaneReadDialog[RereadsRead]):
    """The re-reads kept in this vault, newest first, and the chosen one's ids."""

    (WHEN_COLUMN, BY_COLUMN, BUNDLE_COLUMN, APPLIED_COLUMN, UNPARKED_COLUMN, EVIDENCE_COLUMN) = range(6)

    def __init__(
        self, vault: Vault, parent: QWidget | None = None, *, tasks: TaskRunner | None = None
    ) -> None:
        super().__init__(parent, tasks, RereadsRead)
        self._vault = vault
        self._read: RereadsRead | None = None
        self._rereads: dict[int, Reread] = {}
        self.setWindowTitle(self.tr("Kept re-reads"))
        self.resize(960, 520)
        layout = QVBoxLayout(self)
        layout.addWidget(
            wrapped_label(
                self.tr(
                    "Every re-read done at this desk, newest first: which bundle was read again, when, "
                    "by whom, and what it stored that this desk lacked. Choose one to see the ids of the "
                    "record changes and evidence items it stored."
                )
            )
        )
        self.table = item_list(
            self.tr("Kept re-reads, newest first"),
            [
                self.tr("When"),
                self.tr("By"),
                self.tr("Bundle"),
                self.tr("Record changes stored"),
                self.tr("Parked changes stored"),
                self.tr("Evidence files stored"),
            ],
        )
        self.table.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.currentItemChanged.connect(self._chosen_changed)
        layout.addWidget(self.table, 1)
        # Said instead of the list when nothing is kept: what a re-read is.
        self.empty = wrapped_label(name=self.tr("No re-read kept"))
        self.empty.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.empty.hide()
        layout.addWidget(self.empty, 1)
        # The chosen re-read: its bundle and sender in full, then its ids.
        self.summary = wrapped_label(name=self.tr("The chosen re-read"), selectable=True)
        layout.addWidget(self.summary)
        self.ids = QPlainTextEdit()
        self.ids.setReadOnly(True)
        self.ids.setAccessibleName(self.tr("Ids of what the chosen re-read stored"))
        # Ids are compared character by character with the CLI's or another desk's.
        self.ids.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        layout.addWidget(self.ids, 1)
        self.status = wrapped_label(name=self.tr("Result"), selectable=True)
        layout.addWidget(self.status)
        buttons = QHBoxLayout()
        self.refresh_button = QPushButton(icon("search"), self.tr("Refresh"))
        self.refresh_button.clicked.connect(self.refresh)
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.clicked.connect(self.reject)
        buttons.addWidget(self.refresh_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        self.refresh()

    # -- reading (on the export lane: LaneReadDialog.refresh) ----------------------------

    def _read_list(self) -> RereadsRead:
        return read_rereads(self._vault)

    def _show(self, read: RereadsRead) -> None:
        chosen = self.chosen_reread()
        self._read = read
        self._rereads = {reread.reread_id: reread for reread in read.rereads}
        self.table.blockSignals(True)
        self.table.clear()
        for reread in read.rereads:
            self.table.addTopLevelItem(self._item(reread, read.device_labels))
        self.table.blockSignals(False)
        self.status.clear()
        nothing = not read.rereads
        for widget in (self.table, self.summary, self.ids):
            widget.setVisible(not nothing)
        self.empty.setVisible(nothing)
        self.empty.setText(self.empty_text() if nothing else "")
        if nothing:
            self._show_chosen(None)
            return
        # The row chosen before a refresh stays chosen; else the newest.
        if chosen is not None and chosen.reread_id in self._rereads:
            self.choose(chosen.reread_id)
        elif (newest := self.table.topLevelItem(0)) is not None:
            self.table.setCurrentItem(newest)
        self._show_chosen(self.chosen_reread())

    def empty_text(self) -> str:
        return self.tr(
            "No re-read is kept at this desk. A re-read is a bundle this desk had received already, "
            "read again in full (Organisation → Import bundles…, Re-read) to store the record changes "
            "and evidence files it carries that this desk lacked."
        )

    def _item(self, reread: Reread, labels: dict[str, str]) -> QTreeWidgetItem:
        texts = [""] * 6
        texts[self.WHEN_COLUMN] = _utc(reread.reread_ms)
        texts[self.BY_COLUMN] = reread.user_label or "—"
        texts[self.BUNDLE_COLUMN] = self.tr("#{sequence} of {device}").format(
            sequence=reread.sequence, device=_device_name(reread.device_id, labels)
        )
        texts[self.APPLIED_COLUMN] = str(len(reread.applied))
        texts[self.UNPARKED_COLUMN] = str(len(reread.unparked))
        texts[self.EVIDENCE_COLUMN] = str(len(reread.evidence))
        item = QTreeWidgetItem(texts)
        item.setData(self.WHEN_COLUMN, ID_ROLE, reread.reread_id)
        item.setToolTip(
            self.BUNDLE_COLUMN,
            self.tr("Bundle {bundle}\nDevice {device}").format(
                bundle=reread.bundle_id, device=reread.device_id
            ),
        )
        return item

    # -- the chosen re-read ------------------------------------------------------------

    def chosen_reread(self) -> Reread | None:
        item = self.table.currentItem()
        if item is None:
            return None
        return self._rereads.get(int(item.data(self.WHEN_COLUMN, ID_ROLE)))

    def choose(self, reread_id: int) -> None:
        self.table.setCurrentItem(row_with(self.table, self.WHEN_COLUMN, reread_id))

    @Slot()
    def _chosen_changed(self) -> None:
        self._show_chosen(self.chosen_reread())

    def _show_chosen(self, reread: Reread | None) -> None:
        if reread is None or self._read is None:
            self.summary.clear()
            self.ids.clear()
            return
        self.summary.setText(
            self.tr(
                "Re-read {number} on {when} by {user}: bundle {bundle}, number {sequence} of device {device}."
            ).format(
                number=reread.reread_id,
                when=_utc(reread.reread_ms),
                user=reread.user_label or "—",
                bundle=reread.bundle_id,
                sequence=reread.sequence,
                device=reread.device_id,
            )
        )
        self.ids.setPlainText(self.ids_text(reread))

    def ids_text(self, reread: Reread) -> str:
        """The chosen re-read's ids, by what it did with them."""
        sections = [
            (self.tr("Record changes of the bundle it stored"), reread.applied),
            (self.tr("Record changes parked here before that it let be stored"), reread.unparked),
            (self.tr("Evidence items whose files it stored"), reread.evidence),
        ]
        none = self.tr("none")  # not in an f-string: lupdate would not find it there
        parts = []
        for title, ids in sections:
            lines = [f"{title} ({len(ids)}):"]
            lines += [f"  {value}" for value in ids] if ids else [f"  {none}"]
            parts.append("\n".join(lines))
        if not (reread.applied or reread.unparked or reread.evidence):
            parts.append(self.tr("Nothing was new: this desk held everything the bundle carries."))
        return "\n\n".join(parts)

    def row_texts(self) -> list[list[str]]:
        """Each row's cells as shown."""
        return row_texts(self.table)

    # -- closing ---------------------------------------------------------------------

    def clear(self) -> None:
        """Forget what is shown (the dialog closes, the vault locks)."""
        self.table.clear()
        self._read = None
        self._rereads = {}
        self.summary.clear()
        self.ids.clear()
        self.empty.clear()
        self.status.clear()

    def done(self, result: int) -> None:
        drop_tasks(self.tasks, [self._handle])
        self._handle = None
        self.clear()
        super().done(result)


def make_rereads_dialog(vault: Vault, parent: QWidget, tasks: TaskRunner) -> QDialog:
    return KeptRereadsDialog(vault, parent, tasks=tasks)


def rereads_title() -> str:
    return QCoreApplication.translate("KeptRereadsDialog", "&Kept re-reads…")


def add_rereads_entry(menu: CoordinatorMenu) -> None:
    """Coordinator → Kept re-reads…"""
    menu.add_entry(rereads_title, make_rereads_dialog)
