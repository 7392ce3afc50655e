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

**Re-root…** (db/reroot.py; docs/sync.md §2.3 "Re-rooting a frozen
record"): for the chosen record, a person picks one of two contents, each
explained, and confirms; the desk then signs one new revision outside the
revoked line, on the save lane, and the lists are read again. Never
automatic: nothing is signed until the person confirms. Refused because
devices enrolled here have not said they read a re-root (docs/sync.md §2.3
"Old readers"), the box shows the refusal and a checkbox to sign anyway.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Slot
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QRadioButton,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.dialog_parts import failure_text, wrapped_label
from desktop.item_lists import ID_ROLE, item_list, row_texts
from desktop.tasks import Lane, TaskHandle, TaskReport, TaskRunner

if TYPE_CHECKING:
    from db.api import AffectedRecord, Rerooted, RevocationImpact, Vault


@dataclass(frozen=True)
class Rerooter:
    """What the list needs to re-root a record: the vault, the dialog's task
    runner, and what to call once done (the devices view reads again)."""

    vault: Vault
    tasks: TaskRunner
    after: Callable[[], None]


def reroot_task(vault: Vault, entity_id: str, choice: str, *, despite_old_readers: bool = False) -> Rerooted:
    """The re-root itself (a task: on the save lane)."""
    from sync.merge.frozen_records import reroot

    return reroot(vault, entity_id, choice, despite_old_readers=despite_old_readers)


# The refusal that the box answers with its checkbox (db/reroot.py).
READERS_BEHIND = "reroot-readers-behind"


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
        self.rerooter: Rerooter | None = None
        self.hide()

    def enable_reroot(self, vault: Vault, tasks: TaskRunner, after: Callable[[], None]) -> None:
        """Offer Re-root… in the list (the devices view, which holds the vault)."""
        self.rerooter = Rerooter(vault, tasks, after)

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
        self.list_dialog = FrozenRecordsDialog(self._read, self, rerooter=self.rerooter)
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

    def __init__(
        self, read: FrozenRead, parent: QWidget | None = None, *, rerooter: Rerooter | None = None
    ) -> None:
        super().__init__(parent)
        self._read = read
        self._rerooter = rerooter
        self._handle: TaskHandle | None = None
        self._asked: tuple[str, bool, bool] | None = None  # the re-root running: record, as-before, as-held
        self.setWindowTitle(self.tr("Frozen records"))
        self.resize(900, 420)
        layout = QVBoxLayout(self)
        layout.addWidget(
            wrapped_label(
                self.tr(
                    "Records a revoked device wrote in. Held back here: this vault's revisions of it that "
                    "the other desks do not get (the revoked device's, and every edit after them). Left "
                    "out here: revisions of it other desks sent that this vault did not take. Either way "
                    "the record differs between the desks until a coordinator re-roots it with "
                    "Re-root… below."
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
        self.table.currentItemChanged.connect(self._chosen_changed)
        layout.addWidget(self.table, 1)
        self._build_reroot_box(layout)
        self.status = wrapped_label(name=self.tr("Result"), selectable=True)
        layout.addWidget(self.status)
        self.reroot_button = QPushButton(self.tr("Re-root…"))
        self.reroot_button.setAccessibleName(self.tr("Re-root the chosen record"))
        self.reroot_button.setToolTip(
            self.tr(
                "Sign one new version of the chosen record, made only of changes every desk holds, so "
                "that the desks show the same record again. You choose its content."
            )
        )
        self.reroot_button.clicked.connect(self.ask_reroot)
        self.reroot_button.setVisible(rerooter is not None)
        self.reroot_button.setEnabled(False)
        close = QPushButton(self.tr("Close"))
        close.clicked.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.reroot_button)
        row.addStretch(1)
        row.addWidget(close)
        layout.addLayout(row)
        self._records = {record.entity_id: record for record in read.impact.records}
        for record in read.impact.records:
            self.table.addTopLevelItem(self._item(record, read))

    def _build_reroot_box(self, layout: QVBoxLayout) -> None:
        """The two choices, each explained, and the confirmation: shown by Re-root…."""
        self.reroot_box = QFrame()
        self.reroot_box.setFrameShape(QFrame.Shape.StyledPanel)
        box = QVBoxLayout(self.reroot_box)
        self.reroot_text = wrapped_label(selectable=True)
        box.addWidget(self.reroot_text)
        self.as_before = QRadioButton(self.tr("As it was before the revoked device's edits"))
        self.as_before_text = wrapped_label(
            self.tr(
                "The revoked device's edits, and every later edit that followed them, are undone: the "
                "record returns to the last version all desks hold. Choose this when you do not trust "
                "what the revoked device wrote."
            )
        )
        self.as_held = QRadioButton(self.tr("As this desk holds it now"))
        self.as_held_text = wrapped_label(
            self.tr(
                "The record keeps what it says here, the revoked device's edits and the later ones "
                "included, now signed by this desk because you looked at it. Choose this when you have "
                "checked those edits and they are right. Only at a desk that holds them."
            )
        )
        self.choices = QButtonGroup(self)
        for button in (self.as_before, self.as_held):
            self.choices.addButton(button)
            button.toggled.connect(self._choice_changed)
        for widget in (self.as_before, self.as_before_text, self.as_held, self.as_held_text):
            box.addWidget(widget)
        box.addWidget(
            wrapped_label(
                self.tr(
                    "Either way the old versions stay in the record's history, and the new one reaches "
                    "the other desks with this desk's next bundle or sync. It cannot be taken back, "
                    "only edited again."
                )
            )
        )
        # Shown only after a refusal for devices that cannot read a re-root yet.
        self.readers_behind_text = wrapped_label(selectable=True)
        self.despite_old_readers = QCheckBox(self.tr("Sign anyway: these devices cannot read it yet"))
        self.despite_old_readers.setAccessibleName(self.tr("Sign anyway: these devices cannot read it yet"))
        for shown_later in (self.readers_behind_text, self.despite_old_readers):
            shown_later.hide()
            box.addWidget(shown_later)
        self.despite_old_readers.toggled.connect(self._choice_changed)
        row = QHBoxLayout()
        self.reroot_confirm = QPushButton(self.tr("Re-root"))
        self.reroot_confirm.setEnabled(False)
        self.reroot_confirm.clicked.connect(self.confirm_reroot)
        self.reroot_cancel = QPushButton(self.tr("Cancel"))
        self.reroot_cancel.clicked.connect(self.cancel_reroot)
        row.addStretch(1)
        row.addWidget(self.reroot_confirm)
        row.addWidget(self.reroot_cancel)
        box.addLayout(row)
        self.reroot_box.hide()
        layout.addWidget(self.reroot_box)

    def chosen_record(self) -> AffectedRecord | None:
        item = self.table.currentItem()
        return self._records.get(str(item.data(self.RECORD_COLUMN, ID_ROLE))) if item is not None else None

    @Slot()
    def _chosen_changed(self) -> None:
        record = self.chosen_record()
        # A record this vault holds nothing of cannot be re-rooted here.
        self.reroot_button.setEnabled(
            record is not None and bool(record.entity_type) and self._handle is None
        )
        self.cancel_reroot()

    @Slot()
    def ask_reroot(self) -> None:
        """The first step: the chosen record's two choices, none chosen yet."""
        record = self.chosen_record()
        if record is None or self._rerooter is None or self._handle is not None:
            return
        name = self._read.labels.get(record.entity_id) or record.entity_id
        self.reroot_text.setText(
            self.tr("Re-root {record}: which content should the new version have?").format(record=name)
        )
        self.choices.setExclusive(False)
        self.as_before.setChecked(False)
        self.as_held.setChecked(False)
        self.choices.setExclusive(True)
        # Nothing before the revoked edits when all of it here is theirs; nothing held when left out here.
        self.as_before.setEnabled(not record.whole)
        self.as_held.setEnabled(record.held_back > 0)
        self._old_readers_shown(None)
        self.reroot_confirm.setEnabled(False)
        self.reroot_box.show()

    def _old_readers_shown(self, refusal: str | None) -> None:
        """The refusal for devices behind and the checkbox to sign anyway
        (unchecked), or neither (None)."""
        self.readers_behind_text.setText(refusal or "")
        self.despite_old_readers.setChecked(False)
        self.readers_behind_text.setVisible(refusal is not None)
        self.despite_old_readers.setVisible(refusal is not None)

    @Slot()
    def _choice_changed(self) -> None:
        chosen = self.as_before.isChecked() or self.as_held.isChecked()
        # After the refusal for devices behind, only with "sign anyway" checked.
        waits = (
            self.despite_old_readers.isVisibleTo(self.reroot_box) and not self.despite_old_readers.isChecked()
        )
        self.reroot_confirm.setEnabled(chosen and not waits)

    @Slot()
    def cancel_reroot(self) -> None:
        self.reroot_box.hide()

    @Slot()
    def confirm_reroot(self) -> None:
        """The second step: sign it (on the save lane)."""
        record = self.chosen_record()
        rerooter = self._rerooter
        if record is None or rerooter is None or self._handle is not None or not self.reroot_box.isVisible():
            return
        choice = "as-before" if self.as_before.isChecked() else "as-held" if self.as_held.isChecked() else ""
        if not choice:
            return
        despite = (
            self.despite_old_readers.isVisibleTo(self.reroot_box) and self.despite_old_readers.isChecked()
        )
        self.reroot_box.hide()
        self.reroot_button.setEnabled(False)
        self.status.setText(self.tr("Re-rooting the record…"))
        entity_id = record.entity_id
        # What was asked, kept with the task: the table stays usable while it runs.
        self._asked = (entity_id, self.as_before.isChecked(), self.as_held.isChecked())
        self._handle = rerooter.tasks.start(
            Lane.SAVE,
            lambda _context: reroot_task(rerooter.vault, entity_id, choice, despite_old_readers=despite),
            self._on_rerooted,
            owner=self,
        )

    def _on_rerooted(self, report: TaskReport) -> None:
        if not report.finished:
            return
        self._handle = None
        if report.state != "succeeded":
            self.status.setText(failure_text(report.failure))
            error = report.failure.error if report.failure is not None else None
            behind = error is not None and error.code == READERS_BEHIND
            asked, self._asked = self._asked, None
            self._chosen_changed()
            chosen = self.chosen_record()
            # Offered again only for the record it was refused for: another
            # one chosen meanwhile gets the refusal in the status line alone,
            # never a choice made for a different record (review 28 F5).
            if behind and asked is not None and chosen is not None and chosen.entity_id == asked[0]:
                self._offer_despite_old_readers(failure_text(report.failure), asked[1:])
            return
        from db.api import Rerooted

        done = report.value
        assert isinstance(done, Rerooted)
        record = self._records.pop(done.entity_id, None)
        for index in range(self.table.topLevelItemCount()):
            item = self.table.topLevelItem(index)
            if item is not None and item.data(self.RECORD_COLUMN, ID_ROLE) == done.entity_id:
                self.table.takeTopLevelItem(index)
                break
        name = (self._read.labels.get(done.entity_id) if record is not None else None) or done.entity_id
        how = (
            self.tr("as it was before the revoked edits")
            if done.choice == "as-before"
            else self.tr("as this desk held it")
        )
        self.status.setText(
            self.tr(
                "{record} re-rooted {how}. The new version goes to the other desks with this desk's next "
                "bundle or sync; each desk that takes it shows the same record again."
            ).format(record=name, how=how)
        )
        self._chosen_changed()
        assert self._rerooter is not None
        self._rerooter.after()

    def _offer_despite_old_readers(self, refusal: str, choice: tuple[bool, bool]) -> None:
        """The box again, with the choice made, the refusal naming the devices
        behind, and the checkbox to sign anyway: Re-root needs it checked."""
        self.ask_reroot()
        for button, was_chosen in ((self.as_before, choice[0]), (self.as_held, choice[1])):
            button.setChecked(was_chosen and button.isEnabled())
        self._old_readers_shown(refusal)
        self._choice_changed()
        self.status.clear()  # the box says it, with what to do
        self._fit_height()

    def _fit_height(self) -> None:
        """Taller, if the box's wrapped texts need it: squeezed, Qt draws
        them over each other."""
        layout = self.layout()
        if layout is None:
            return
        needed = (
            layout.totalHeightForWidth(self.width())
            if layout.hasHeightForWidth()
            else layout.totalSizeHint().height()
        )
        if needed > self.height():
            self.resize(self.width(), needed)

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
