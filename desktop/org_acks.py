"""Organisation → Take acknowledgements (.fvack)… (a field worker, issue 11):
the files a coordinator put on the USB stick to say which of this device's
bundles the organisation holds (docs/bundle-format.md §9). Each one taken
moves the vault's cursors, so that the next bundle carries only what is
new; a refused one (changed, forged, another device's, another
organisation's) changes nothing. The work is ``sync.acks.take_ack`` on the
export lane; this dialog says what happened to each file.

Coordinator → Write acknowledgements to USB… is the other end: the files
for the worker's stick (``sync.acks.write_ack``).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Signal, Slot
from PySide6.QtWidgets import QTreeWidgetItem, QVBoxLayout, QWidget

from desktop.dialog_parts import (
    FilesChooser,
    FolderChooser,
    ItemResults,
    TaskDialog,
    action_button,
    button_row,
    choose_files,
    choose_folder,
    close_button,
    ended_text,
    failure_text,
    os_reason,
    wrapped_label,
)
from desktop.item_lists import item_list, row_texts
from desktop.tasks import Lane, OperationFailed, TaskContext, TaskReport, TaskRunner

if TYPE_CHECKING:
    from db.api import Vault

# An acknowledgement file is at most 16 KiB (sync/acks.py MAX_ACK); reading
# stops just past it, so a wrong choice (a video) is not read whole.
_READ_LIMIT = 16_385


def choose_acks(parent: QWidget, caption: str) -> list[str]:
    return choose_files(
        parent,
        caption,
        QCoreApplication.translate("TakeAcksDialog", "Acknowledgements (*.fvack);;All files (*)"),
    )


@dataclass(frozen=True)
class AckOutcome:
    """One file: ``sequence`` acknowledged (``before``: it already was), or
    ``failure`` (a refusal), or ``unreadable`` (the OS's reason)."""

    index: int
    path: Path
    sequence: int = 0
    coordinator_id: str = ""
    before: bool = False
    failure: OperationFailed | None = None
    unreadable: str = ""


class TakeAcks:
    """The files one after the other; each outcome reported as it is known.
    One refused does not stop the others."""

    def __init__(self, vault: Vault, paths: list[Path]) -> None:
        self._vault = vault
        self._paths = paths

    def __call__(self, context: TaskContext) -> int:
        from db.api import FieldvaultError
        from desktop.tasks import failure
        from sync.acks import AckRefused, read_ack, take_ack
        from sync.bundle.regular_file import open_regular

        taken = 0
        for index, path in enumerate(self._paths):
            if context.cancelled:
                break
            try:
                with open_regular(path) as file:  # a FIFO is refused, not waited on
                    data = file.read(_READ_LIMIT)
                sent = None
                with contextlib.suppress(AckRefused):  # take_ack says why, below
                    sent = self._vault.sync.sent_bundle(read_ack(data).bundle_id)
                ack, _record = take_ack(self._vault, data)
            except FieldvaultError as refused:
                context.progress(AckOutcome(index, path, failure=failure(refused)))
            except OSError as err:
                context.progress(AckOutcome(index, path, unreadable=os_reason(err)))
            else:
                taken += 1
                before = sent is not None and sent.acked_ms is not None
                context.progress(AckOutcome(index, path, ack.sequence, ack.coordinator_id, before))
        return taken


class TakeAcksDialog(TaskDialog):
    """Choose the .fvack files, take them, see each one's outcome.
    ``taken`` is emitted when at least one moved the cursors."""

    taken = Signal()

    def __init__(
        self,
        vault: Vault,
        parent: QWidget | None = None,
        *,
        tasks: TaskRunner | None = None,
        chooser: FilesChooser = choose_acks,
    ) -> None:
        super().__init__(parent, tasks)
        self._vault = vault
        self._chooser = chooser
        self._paths: list[Path] = []
        self._moved = False
        self.setWindowTitle(self.tr("Take acknowledgements"))
        self.resize(820, 380)
        layout = QVBoxLayout(self)
        intro = self.tr(
            "Your coordinator puts an acknowledgement file (.fvack) on the USB stick for the "
            "bundles they received. Take it here: your next bundle then carries only what is new. "
            "Each file is checked (your organisation, your device, a coordinator's signature); a "
            "refused one changes nothing."
        )
        layout.addWidget(wrapped_label(intro))
        self._results = ItemResults(
            self.tr("Acknowledgement files and what happened to each"),
            [self.tr("File"), self.tr("Result")],
            self.tr("Result of the chosen file"),
        )
        self.results, self.details = self._results.tree, self._results.details
        self._results.place(layout)
        self.status = wrapped_label(name=self.tr("Summary"))
        layout.addWidget(self.status)
        self.choose_button = action_button(
            "add-evidence", self.tr("Choose files…"), self.tr("Choose acknowledgement files"), self.choose
        )
        self.take_button = action_button(
            "check", self.tr("Take them"), self.tr("Take the acknowledgements"), self.start, enabled=False
        )
        self.close_button = close_button(self, self.tr("Close"))
        layout.addLayout(button_row([self.choose_button, self.take_button], self.close_button))

    @Slot()
    def choose(self) -> None:
        chosen = self._chooser(self, self.tr("Choose acknowledgement files"))
        if chosen:
            self.set_files([Path(p) for p in chosen])

    def set_files(self, paths: list[Path]) -> None:
        self._paths = list(dict.fromkeys(paths))
        self._results.fill(self._paths, self.tr("waiting"))
        self.status.clear()
        self.details.clear()
        self.take_button.setEnabled(bool(self._paths))

    def result_texts(self) -> list[str]:
        """Each file's result as shown (tests read it as a user does)."""
        return self._results.texts()

    @Slot()
    def start(self) -> None:
        if not self._paths or self.busy:
            return
        self._moved = False
        self.status.setText(self.tr("Checking…"))
        self._set_busy(True)
        self.start_task(Lane.EXPORT, TakeAcks(self._vault, list(self._paths)), self._on_report)

    def _set_busy(self, busy: bool) -> None:
        self.choose_button.setEnabled(not busy)
        self.take_button.setEnabled(not busy and bool(self._paths))
        self.close_button.setEnabled(not busy)

    def _on_report(self, report: TaskReport) -> None:
        if report.state == "progress":
            if isinstance(report.value, AckOutcome):
                self._show_outcome(report.value)
            return
        self.task_ended()
        self._set_busy(False)
        self._results.mark_unfinished([self.tr("waiting")], self.tr("not taken (stopped); nothing changed"))
        self.status.setText(
            ended_text(
                report,
                done=self.tr("Done."),
                stopped=self.tr("Stopped. The files marked acknowledged were taken."),
            )
        )
        if self._moved:
            self.taken.emit()

    def _show_outcome(self, outcome: AckOutcome) -> None:
        if outcome.failure is not None:
            from desktop.messages import failure_message

            text = self.tr("refused: {reason}").format(reason=failure_message(outcome.failure))
        elif outcome.unreadable:
            text = self.tr("could not be read ({reason}); nothing changed").format(reason=outcome.unreadable)
        elif outcome.before:
            text = self.tr("bundle {sequence} was acknowledged already; nothing changed").format(
                sequence=outcome.sequence
            )
        else:
            self._moved = True
            text = self.tr(
                "acknowledged: the organisation holds bundle {sequence} (and the ones before it), "
                "says coordinator {coordinator}. Your next bundle carries only what is new."
            ).format(sequence=outcome.sequence, coordinator=outcome.coordinator_id)
        self._results.set_result(outcome.index, text)


# -- the coordinator's side: write them -------------------------------------------------------


@dataclass(frozen=True)
class AckWritten:
    """One device's acknowledgement: ``path`` written (or already there),
    or why not (``failure``, ``taken``: another file has its name, ``error``:
    the OS's reason)."""

    device_id: str
    label: str
    sequence: int
    path: Path | None = None
    failure: OperationFailed | None = None
    taken: bool = False
    error: str = ""


class WriteAcks:
    """The acknowledgement of the newest bundle imported from each device
    (it acknowledges the ones before it too), one file each into ``folder``,
    as ``fieldvault bundle ack --to DIR`` does; one that fails does not stop
    the others."""

    def __init__(self, vault: Vault, folder: Path) -> None:
        self._vault = vault
        self._folder = folder

    def __call__(self, context: TaskContext) -> list[AckWritten]:
        from db.api import FieldvaultError
        from desktop.tasks import failure
        from sync.acks import write_ack

        results = []
        for device in self._vault.sync.devices():
            if device.last_bundle_id is None or context.cancelled:
                continue
            found = AckWritten(device.device_id, device.label, device.last_sequence)
            try:
                found = replace(found, path=write_ack(self._vault, device.last_bundle_id, self._folder))
            except FileExistsError:
                found = replace(found, taken=True)
            except FieldvaultError as refused:
                found = replace(found, failure=failure(refused))
            except OSError as err:
                found = replace(found, error=os_reason(err))
            results.append(found)
        return results


class WriteAcksDialog(TaskDialog):
    """Choose a folder on the worker's stick; one acknowledgement per
    device whose bundles were imported, and what became of each."""

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
        self._chooser = chooser
        self.setWindowTitle(self.tr("Write acknowledgements"))
        self.resize(760, 360)
        layout = QVBoxLayout(self)
        intro = self.tr(
            "An acknowledgement tells a field worker's laptop which of its bundles you hold, so "
            "that its next bundle carries only what is new. One file is written for each device "
            "whose bundles you imported (the newest bundle; it covers the ones before it). It "
            "holds no record, only ids, signed by this laptop. Put them on the worker's stick."
        )
        layout.addWidget(wrapped_label(intro))
        self.results = item_list(
            self.tr("Devices and their acknowledgements"), [self.tr("Device"), self.tr("Result")], [300]
        )
        layout.addWidget(self.results, 1)
        self.status = wrapped_label(name=self.tr("Summary"))
        layout.addWidget(self.status)
        self.write_button = action_button(
            "export",
            self.tr("Choose folder and write…"),
            self.tr("Choose a folder and write the acknowledgements"),
            self.choose_and_write,
        )
        self.close_button = close_button(self, self.tr("Close"))
        layout.addLayout(button_row([self.write_button], self.close_button))

    def result_texts(self) -> list[str]:
        return [f"{device}: {result}" for device, result in row_texts(self.results)]

    @Slot()
    def choose_and_write(self) -> None:
        if self.busy:
            return
        folder = self._chooser(self, self.tr("Choose the folder for the acknowledgements"))
        if not folder:
            return
        self.results.clear()
        self.status.setText(self.tr("Writing…"))
        self.write_button.setEnabled(False)
        self.close_button.setEnabled(False)
        self.start_task(Lane.EXPORT, WriteAcks(self._vault, Path(folder)), self._on_report)

    def _on_report(self, report: TaskReport) -> None:
        if not report.finished:
            return
        self.task_ended()
        self.write_button.setEnabled(True)
        self.close_button.setEnabled(True)
        if report.state != "succeeded" or not isinstance(report.value, list):
            self.status.setText(failure_text(report.failure, self.tr("Stopped.")))
            return
        for written in report.value:
            name = f"{written.label} ({written.device_id})" if written.label else written.device_id
            item = QTreeWidgetItem([name, self._text(written)])
            item.setToolTip(1, item.text(1))
            self.results.addTopLevelItem(item)
        self.status.setText(
            self.tr("Done. Eject the stick safely before you unplug it.")
            if report.value
            else self.tr("No bundle has been imported yet: there is nothing to acknowledge.")
        )

    def _text(self, written: AckWritten) -> str:
        if written.path is not None:
            return self.tr("bundle {sequence} acknowledged: {name}").format(
                sequence=written.sequence, name=written.path.name
            )
        if written.taken:
            return self.tr("not written: another file of that name is in the folder; choose another folder")
        if written.failure is not None:
            from desktop.messages import failure_message

            return self.tr("not written: {reason}").format(reason=failure_message(written.failure))
        return self.tr("not written ({reason})").format(reason=written.error)
