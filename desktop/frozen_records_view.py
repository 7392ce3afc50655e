"""Coordinator → Devices…: the records a revocation froze (issue 14; review
11 F2; docs/sync.md §2.3 "What it costs"; the counts are
db/revocation_impact.py's, as ``fieldvault devices frozen`` prints them).

A record a revoked device wrote in has every later edit descend from that
device's revision, so a desk holds those edits back from the other desks,
and the other desks leave them out: the record stays, where they never
arrived, as it was before them. The devices view says so per revoked
device, under its list, and "Frozen records…" lists them. The revision ids read
from a revoked device's refused bundles are only counted, per device: that
device chose which records they name (review 13 F5). Inside the
unlocked app the list may name each record as its own list does (a title,
a pseudonym, a file name): the coordinator may see it; the CLI and logs
name ids only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Slot
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.dialog_parts import wrapped_label
from desktop.item_lists import ID_ROLE, item_list, row_texts

if TYPE_CHECKING:
    from db.api import AffectedRecord, RevocationImpact, Vault


@dataclass(frozen=True)
class FrozenRead:
    impact: RevocationImpact
    labels: dict[str, str]  # record id -> its display name, for the records this vault holds
    device_labels: dict[str, str]  # device id -> the label this vault knows it by


def read_frozen(vault: Vault) -> FrozenRead:
    """The frozen records and what names them here (a task: on a lane)."""
    from db.api import record_labels
    from sync.merge.frozen_records import frozen_records

    impact = frozen_records(vault)
    labels = record_labels(vault, [record.entity_id for record in impact.records])
    devices = {device.device_id: device.label for device in vault.sync.devices() if device.label}
    return FrozenRead(impact, labels, devices)


def _device_name(device_id: str, labels: dict[str, str]) -> str:
    short = f"{device_id[:12]}…"
    label = labels.get(device_id)
    return f"{label} · {short}" if label else short


class FrozenSummary(QFrame):
    """Under the devices list: a line per revoked device that froze records,
    and the button that lists them. Hidden when none is frozen."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QHBoxLayout(self)
        self.text = wrapped_label(name=self.tr("Records frozen by revoked devices"), selectable=True)
        layout.addWidget(self.text, 1)
        self.list_button = QPushButton(self.tr("Frozen records…"))
        self.list_button.setAccessibleName(self.tr("List the records frozen by revoked devices"))
        self.list_button.clicked.connect(self.open_list)
        layout.addWidget(self.list_button)
        self._read: FrozenRead | None = None
        self.list_dialog: FrozenRecordsDialog | None = None
        self.hide()

    def show_read(self, read: FrozenRead) -> None:
        self._read = read
        impact = read.impact
        if not impact.records and not impact.refused_ids:
            self.clear()
            return
        devices = sorted({device for record in impact.records for device in record.revoked_devices})
        lines = [self.device_line(device, impact.of_device(device), read.device_labels) for device in devices]
        # Ids a revoked device's refused bundles named: counted apart, no
        # record listed or named for them (the device chose their record ids;
        # review 13 F5).
        lines += [
            self.refused_line(device, count, read.device_labels)
            for device, count in sorted(impact.refused_ids.items())
        ]
        self.list_button.setVisible(bool(impact.records))
        if not impact.records:
            self.text.setText("\n".join(lines))
            self.show()
            return
        # A record left out only past the cap names no revoked device, rightly (below).
        unattributed = [record for record in impact.records if record.left_out and not record.revoked_devices]
        # Set aside by a coordinator here (db/parked_set_aside.py): that is their
        # reason, whoever signed them; before, they were said to have a revoked
        # signer this vault did not know.
        if set_aside := sum(1 for record in unattributed if record.set_aside == record.left_out):
            lines.append(
                self.tr(
                    "%n record(s) with edits a coordinator here set aside by hand: kept as left out, "
                    "never stored here, whoever signed them.",
                    "",
                    set_aside,
                )
            )
        if others := len(unattributed) - set_aside:
            lines.append(
                self.tr(
                    "%n record(s) with edits left out here that no revoked device known here signed: they "
                    "follow changes left out here (set aside, forged, or a revoked device's known only by "
                    "its refused bundles).",
                    "",
                    others,
                )
            )
        if past_cap := len(impact.left_out_past_cap):
            # No revocation's doing (db/past_cap_lineage.py): decided anew when they arrive again.
            lines.append(
                self.tr(
                    "%n record(s) with edits left out here because the signer's parked slots were full, "
                    "not because of a revocation: those edits are stored if they arrive again once the "
                    "changes they follow are here.",
                    "",
                    past_cap,
                )
            )
        lines.append(
            self.tr(
                "Each stays, at the desks without those edits, as it was before them, and a later edit "
                "of it does not reach the other desks. Look at the list and decide with your "
                "organisation what to do."
            )
        )
        self.text.setText("\n".join(lines))
        self.show()

    def device_line(self, device_id: str, records: tuple[AffectedRecord, ...], labels: dict[str, str]) -> str:
        held = sum(1 for record in records if record.held_back)
        left = sum(1 for record in records if record.left_out)
        return self.tr(
            "Revoked device {device}: %n record(s) frozen ({held} with edits held back here from the "
            "other desks, {left} with edits left out here).",
            "",
            len(records),
        ).format(device=_device_name(device_id, labels), held=held, left=left)

    def refused_line(self, device_id: str, count: int, labels: dict[str, str]) -> str:
        return self.tr(
            "Revoked device {device}: %n revision id(s) named by its refused bundles, kept so that edits "
            "descending from them are left out. They are not verified against a record: the device "
            "chose which records they name, so no record is listed for them.",
            "",
            count,
        ).format(device=_device_name(device_id, labels))

    @Slot()
    def open_list(self) -> None:
        if self._read is None:
            return
        self.list_dialog = FrozenRecordsDialog(self._read, self)
        self.list_dialog.open()

    def clear(self) -> None:
        """Forget what is shown (the devices dialog closes, the vault locks)."""
        self._read = None
        self.text.clear()
        if self.list_dialog is not None:
            self.list_dialog.done(0)
            self.list_dialog = None
        self.hide()


class FrozenRecordsDialog(QDialog):
    """The records revoked devices froze, newest first."""

    (RECORD_COLUMN, TYPE_COLUMN, DEVICE_COLUMN, HELD_COLUMN, LEFT_COLUMN, NEWEST_COLUMN) = range(6)

    def __init__(self, read: FrozenRead, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Frozen records"))
        self.resize(900, 420)
        layout = QVBoxLayout(self)
        layout.addWidget(
            wrapped_label(
                self.tr(
                    "Records a revoked device wrote in. Held back here: this vault's revisions of it that "
                    "the other desks do not get (the revoked device's, and every edit after them). Left "
                    "out here: revisions of it other desks sent that this vault did not take. Either way "
                    "the record differs between the desks, for good."
                )
            )
        )
        self.table = item_list(
            self.tr("Frozen records"),
            [
                self.tr("Record"),
                self.tr("Type"),
                self.tr("Revoked device"),
                self.tr("Held back here"),
                self.tr("Left out here"),
                self.tr("Newest"),
            ],
        )
        self.table.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.table, 1)
        close = QPushButton(self.tr("Close"))
        close.clicked.connect(self.reject)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(close)
        layout.addLayout(row)
        for record in read.impact.records:
            self.table.addTopLevelItem(self._item(record, read))

    def _item(self, record: AffectedRecord, read: FrozenRead) -> QTreeWidgetItem:
        texts = [""] * 6
        texts[self.RECORD_COLUMN] = read.labels.get(record.entity_id) or f"{record.entity_id[:12]}…"
        texts[self.TYPE_COLUMN] = self.type_name(record.entity_type)
        texts[self.DEVICE_COLUMN] = ", ".join(
            _device_name(device, read.device_labels) for device in record.revoked_devices
        )
        texts[self.HELD_COLUMN] = self.held_text(record) if record.held_back else ""
        left = [str(record.left_out)] if record.left_out else []
        if record.left_out_past_cap:
            left.append(self.tr("{count} (parked slots full)").format(count=record.left_out_past_cap))
        texts[self.LEFT_COLUMN] = ", ".join(left)
        texts[self.NEWEST_COLUMN] = (
            dt.datetime.fromtimestamp(record.newest_ms / 1000, tz=dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
            if record.newest_ms
            else ""
        )
        item = QTreeWidgetItem(texts)
        item.setData(self.RECORD_COLUMN, ID_ROLE, record.entity_id)
        item.setToolTip(self.RECORD_COLUMN, record.entity_id)
        item.setToolTip(self.DEVICE_COLUMN, "\n".join(record.revoked_devices))
        return item

    def held_text(self, record: AffectedRecord) -> str:
        return self.tr("{count} ({later} later edit(s))").format(
            count=record.held_back, later=record.later_edits
        )

    def type_name(self, entity_type: str) -> str:
        if not entity_type:
            return self.tr("not held here")
        # The record types' words as the conflicts view has them, with their translations there.
        return QCoreApplication.translate("ConflictsDialog", entity_type)

    def row_texts(self) -> list[list[str]]:
        """Each row's cells as shown."""
        return row_texts(self.table)
