"""Coordinator → Hand over history…: the USB path of the history hand-over
(docs/bundle-format.md §10, docs/sync.md §2.3, ``fieldvault org hand-over``).

A coordinator desk added after field workers' bundles were acknowledged
holds none of their records and refuses their next bundles until it takes
this desk's history. The dialog lists the profile's other coordinator desks
(label, device id, verification code: keys and names of desks, never
witness data), writes ``sync.bundle.hand_over``'s bundle into a chosen
folder on the window's export lane (locking the vault cancels it) and says
what to do next: import it at that desk with Import bundles…. A history
past one bundle's limits is written as several bundles (docs/bundle-format.md
§10 "Size"): the dialog says which part it is writing, and lists every file
in the order that desk imports them. A cancelled or failed run leaves no
bundle file (the core's guarantee; tests/desktop/test_hand_over_gui.py
holds it to that). The dialog shows counts and file names only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Slot
from PySide6.QtWidgets import QAbstractItemView, QDialog, QTreeWidgetItem, QVBoxLayout, QWidget

from desktop.dialog_parts import (
    PROGRESS_STEPS,
    FolderChooser,
    FolderField,
    TaskDialog,
    action_button,
    button_row,
    choose_folder,
    close_button,
    progress_bar,
    progress_steps,
    wrapped_label,
)
from desktop.item_lists import item_list
from desktop.tasks import Lane, TaskContext, TaskReport, TaskRunner

if TYPE_CHECKING:
    from PySide6.QtGui import QAction

    from db.api import Vault
    from desktop.coordinator_menu import CoordinatorMenu
    from sync.bundle.hand_over import HandedOver

# -- the task (plain Python) -----------------------------------------------------------


@dataclass(frozen=True)
class OtherDesk:
    """A coordinator of the profile other than this desk."""

    device_id: str
    label: str
    code: str  # the verification code both desks compute from the keys they hold


def other_desks(vault: Vault) -> list[OtherDesk]:
    """The profile's coordinators but this desk, as the profile lists them."""
    from sync.org import verification_code
    from sync.org_vault import held_profile

    profile = held_profile(vault)
    if profile is None:
        return []
    return [
        OtherDesk(c.device_id, c.label, verification_code(profile.org_key, c.device_key))
        for c in profile.coordinators
        if c.device_id != vault.device_id
    ]


@dataclass(frozen=True)
class HandOverProgress:
    done: int  # bytes of the bundle's archive written
    total: int


@dataclass(frozen=True)
class HandOverPartStarted:
    """A hand-over split over several bundles: part ``number`` of ``of`` begins."""

    number: int
    of: int


class HandOverTask:
    """This desk's history hand-over for ``to_device``, written into ``folder``."""

    def __init__(self, vault: Vault, folder: Path, to_device: str) -> None:
        self._vault = vault
        self._folder = folder
        self._to_device = to_device

    def __call__(self, context: TaskContext) -> HandedOver:
        from sync.bundle.hand_over import hand_over

        return hand_over(
            self._vault,
            self._folder,
            self._to_device,
            progress=lambda done, total: context.progress(HandOverProgress(done, total)),
            cancel=context.cancel,
            on_part=lambda number, of: context.progress(HandOverPartStarted(number, of)),
        )


# -- the dialog --------------------------------------------------------------------------


class HandOverDialog(TaskDialog):
    """Choose the new desk and a folder (a USB stick), write the hand-over,
    see what it holds. It does not close while the bundle is being written:
    Cancel first."""

    def __init__(
        self,
        vault: Vault,
        parent: QWidget | None = None,
        *,
        tasks: TaskRunner | None = None,
        chooser: FolderChooser = choose_folder,
    ) -> None:
        super().__init__(parent, tasks)
        self._vault = vault
        self.handed: HandedOver | None = None
        self._part = 0  # the part being written (a hand-over split over several bundles)
        self.setWindowTitle(self.tr("Hand over history"))
        self.resize(760, 460)
        layout = QVBoxLayout(self)
        intro = self.tr(
            "A coordinator desk added after your organisation's field workers sent bundles holds "
            "none of their records, and refuses their next bundles until it has this desk's "
            "history. Choose that desk and a folder on a USB stick: the bundle holds everything "
            "this desk holds, encrypted so that only that desk can read it."
        )
        layout.addWidget(wrapped_label(intro))
        self.desks = item_list(
            self.tr("Coordinator desks"),
            [self.tr("Desk"), self.tr("Device id"), self.tr("Verification code")],
            [160, 280],
        )
        self.desks.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self._desk_ids: list[str] = []
        self._desk_names: dict[str, str] = {}  # "label (device id)", for the result
        for desk in other_desks(vault):
            row = QTreeWidgetItem(self.desks, [desk.label, desk.device_id, desk.code])
            if not self._desk_ids:
                self.desks.setCurrentItem(row)
            self._desk_ids.append(desk.device_id)
            self._desk_names[desk.device_id] = (
                f"{desk.label} ({desk.device_id})" if desk.label else desk.device_id
            )
        layout.addWidget(self.desks, 1)
        self._folder = FolderField(
            self,
            chooser,
            name=self.tr("Folder for the hand-over"),
            placeholder=self.tr("a folder on the USB stick"),
            button_text=self.tr("Choose folder…"),
            caption=self.tr("Choose the folder for the hand-over"),
        )
        self.folder_field, self.choose_button = self._folder.field, self._folder.button
        layout.addLayout(self._folder.row)
        self.progress = progress_bar(self.tr("Hand-over progress"))
        layout.addWidget(self.progress)
        self.status = wrapped_label(name=self.tr("Result"), selectable=True)
        layout.addWidget(self.status)
        self.write_button = action_button(
            "export", self.tr("Write the hand-over"), self.tr("Write the hand-over"), self.start
        )
        self.cancel_button = action_button(
            "cancel", self.tr("Cancel"), self.tr("Cancel the hand-over"), self.cancel, enabled=False
        )
        self.close_button = close_button(self, self.tr("Close"))
        layout.addLayout(button_row([self.write_button, self.cancel_button], self.close_button))
        if not self._desk_ids:
            self.write_button.setEnabled(False)
            self.status.setText(
                self.tr(
                    "Your organisation has no other coordinator desk. Add the new desk first "
                    "(Coordinator → Add a device…), then hand the history over to it."
                )
            )

    def _chosen_desk(self) -> str | None:
        item = self.desks.currentItem()
        return None if item is None else self._desk_ids[self.desks.indexOfTopLevelItem(item)]

    @Slot()
    def start(self) -> None:
        to_device = self._chosen_desk()
        if to_device is None:
            self.status.setText(self.tr("Choose the desk that gets the history first."))
            return
        folder = self._folder.folder()
        if folder is None:
            self.status.setText(self.tr("Choose a folder (for example on a USB stick) first."))
            return
        self.handed = None
        self._part = 0
        # Busy (no steps) while the records are counted; steps once bytes are written.
        self.progress.setRange(0, 0)
        self.progress.show()
        self.status.setText(self.tr("Writing the hand-over…"))
        self._set_busy(True)
        self.start_task(Lane.EXPORT, HandOverTask(self._vault, folder, to_device), self._on_report)

    @Slot()
    def cancel(self) -> None:
        if self.cancel_task():
            self.cancel_button.setEnabled(False)
            self.status.setText(self.tr("Stopping…"))

    def _set_busy(self, busy: bool) -> None:
        self.write_button.setEnabled(not busy)
        self.desks.setEnabled(not busy)
        self._folder.set_enabled(not busy)
        self.cancel_button.setEnabled(busy)
        self.close_button.setEnabled(not busy)

    def _on_report(self, report: TaskReport) -> None:
        if isinstance(report.value, HandOverProgress) and report.state == "progress":
            self.progress.setRange(0, PROGRESS_STEPS)
            self.progress.setValue(progress_steps(report.value.done, report.value.total))
            return
        if isinstance(report.value, HandOverPartStarted) and report.state == "progress":
            self._part = report.value.number
            if report.value.of > 1:
                self.status.setText(
                    self.tr("Writing the hand-over, part {number} of {of}…").format(
                        number=report.value.number, of=report.value.of
                    )
                )
            return
        if not report.finished:
            return
        self.task_ended()
        self._set_busy(False)
        self.progress.setRange(0, PROGRESS_STEPS)
        if report.state == "succeeded":
            self.handed = report.value  # type: ignore[assignment]
            assert self.handed is not None
            self.progress.setValue(PROGRESS_STEPS)
            self.status.setText(self._written_text(self.handed))
        elif report.state == "cancelled":
            self.progress.hide()
            if self._part > 1:
                # The parts written before were counted as made (their files are
                # removed): their numbers are used up, which no desk minds.
                self.status.setText(
                    self.tr(
                        "Cancelled. No hand-over was written; the numbers of the parts written "
                        "before the cancel stay used, which does no harm."
                    )
                )
            else:
                self.status.setText(
                    self.tr("Cancelled. No hand-over was written and nothing in the vault changed.")
                )
        else:
            self.progress.hide()
            assert report.failure is not None
            from desktop.messages import failure_message

            self.status.setText(
                failure_message(report.failure)
                + "\n"
                + self.tr("No hand-over was written; the vault is as it was.")
            )

    def _written_text(self, handed: HandedOver) -> str:
        one = len(handed.parts) <= 1
        text = self._written_one_text(handed) if one else self._written_parts_text(handed)
        return text + self._left_out_text(handed)

    def _written_parts_text(self, handed: HandedOver) -> str:
        return self.tr(
            "Hand-over written for {desk} in {count} bundles (this desk's history is too large for "
            "one):\n{names}\n{revisions} record changes, the custody chains of {chains} device(s), "
            "{files} evidence files, {received} bundle(s) recorded.\n"
            "Copy every one of these files. Eject the stick safely, then import them at that desk "
            "with Organisation → Import bundles…, all together and in the order listed: a part "
            "imported before the one listed above it is refused, and taken when imported again "
            "after it. Once the last is imported, its next sync takes the field workers' bundles."
        ).format(
            desk=self._desk_names.get(handed.to_device, handed.to_device),
            count=len(handed.parts),
            names="\n".join(part.path.name for part in handed.parts),
            revisions=handed.revisions,
            chains=handed.chains,
            files=handed.blobs,
            received=handed.received,
        )

    def _written_one_text(self, handed: HandedOver) -> str:
        return self.tr(
            "Hand-over written for {desk}: {name}\n{revisions} record changes, the custody "
            "chains of {chains} device(s), {files} evidence files, {received} bundle(s) recorded.\n"
            "Eject the stick safely, then import it at that desk with Organisation → Import "
            "bundles…. Its next sync then takes the field workers' bundles."
        ).format(
            desk=self._desk_names.get(handed.to_device, handed.to_device),
            name=handed.path.name,
            revisions=handed.revisions,
            chains=handed.chains,
            files=handed.blobs,
            received=handed.received,
        )

    def _left_out_text(self, handed: HandedOver) -> str:
        text = ""
        if handed.withheld:
            text += "\n" + self.tr(
                "%n record change(s) left out: signed by a device your organisation revoked, or "
                "edits of its records.",
                "",
                len(handed.withheld),
            )
        if handed.lapsed_revisions:
            # The new desk keeps them aside (docs/bundle-format.md §8): say
            # so here, or a coordinator there sees records it cannot find.
            text += "\n" + self.tr(
                "%n record change(s) of devices whose vouch lapsed here went too: the new desk keeps "
                "them aside until it enrols those devices (by their card, or a bundle approved by code).",
                "",
                handed.lapsed_revisions,
            )
        return text


def hand_over_title() -> str:
    return QCoreApplication.translate("HandOverDialog", "Hand over &history…")


def add_hand_over_entry(menu: CoordinatorMenu) -> QAction:
    """Coordinator → Hand over history…"""

    def make(vault: Vault, parent: QWidget, tasks: TaskRunner) -> QDialog:
        return HandOverDialog(vault, parent, tasks=tasks)

    return menu.add_entry(hand_over_title, make, "export")
