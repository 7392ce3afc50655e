"""Coordinator → Send back to field workers…: the USB path of sending work
back to the field (docs/merge.md, "Sending back to the field").

The work is ``sync.bundle.send_back``'s, as ``fieldvault bundle export
--to-device/--to-workers [--resend]`` does it: one bundle per field worker,
encrypted to that worker alone, holding what the organisation's signed
policy (``send_to_workers``) allows and the worker lacks. Reading what is
due and writing the bundles both run on the window's export lane, so that
locking the vault cancels them. A cancelled bundle leaves no file (the core
removes its partial file); bundles finished before the cancel stay, whole
and recorded as sent.

The dialog shows counts only (records, changes, files, devices vouched
for), never what the records say: the screen may be seen by others.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.dialog_parts import (
    FolderChooser,
    FolderField,
    ItemResults,
    TaskDialog,
    action_button,
    button_row,
    choose_folder,
    close_button,
    ended_text,
    progress_bar,
    progress_steps,
    wrapped_label,
)
from desktop.tasks import Lane, OperationFailed, TaskContext, TaskReport, TaskRunner

if TYPE_CHECKING:
    from PySide6.QtGui import QAction

    from db.api import Vault
    from desktop.coordinator_menu import CoordinatorMenu
    from sync.bundle.send_back import SentBack

# -- the tasks (plain Python) ----------------------------------------------------------


@dataclass(frozen=True)
class WorkerDue:
    """One enrolled field worker and what would travel to it now."""

    device_id: str
    label: str
    records: int  # distinct records
    revisions: int


@dataclass(frozen=True)
class DuePlan:
    policy: str  # sync/org.py SEND_TO_WORKERS
    workers: tuple[WorkerDue, ...]


class ReadDueTask:
    """The policy and, per enrolled field worker, what is due (relay_due's counts)."""

    def __init__(self, vault: Vault) -> None:
        self._vault = vault

    def __call__(self, context: TaskContext) -> DuePlan:
        from sync.bundle.send_back import workers
        from sync.org_vault import held_profile

        profile = held_profile(self._vault)
        policy = profile.send_to_workers if profile is not None else "none"
        rows = []
        for device_id in workers(self._vault):
            if context.cancelled:
                break
            plan = self._vault.sync.relay_due(device_id, policy)
            device = self._vault.sync.device(device_id)
            rows.append(
                WorkerDue(
                    device_id,
                    device.label if device is not None else "",
                    len(set(plan.entity_ids.values())),
                    len(plan.revisions),
                )
            )
        return DuePlan(policy, tuple(rows))


@dataclass(frozen=True)
class WriteProgress:
    index: int
    done: int
    total: int


@dataclass(frozen=True)
class WorkerOutcome:
    """One worker's bundle: ``sent``, None (nothing due), or ``failure``."""

    index: int
    sent: SentBack | None = None
    failure: OperationFailed | None = None


class WriteTask:
    """The bundles for ``device_ids`` one after the other into ``folder``;
    each outcome is reported as it is known. A cancel stops the bundle being
    written (no file of it is left) and the ones after it."""

    def __init__(self, vault: Vault, folder: Path, device_ids: Sequence[str], *, resend: bool) -> None:
        self._vault = vault
        self._folder = folder
        self._device_ids = list(device_ids)
        self._resend = resend

    def __call__(self, context: TaskContext) -> int:
        from db.api import FieldvaultError
        from desktop.tasks import failure
        from sync.bundle.send_back import send_back
        from sync.bundle.vault_io import BundleCancelled

        for index, device_id in enumerate(self._device_ids):
            if context.cancelled:
                raise BundleCancelled()

            def report(done: int, total: int, index: int = index) -> None:
                context.progress(WriteProgress(index, done, total))

            try:
                sent = send_back(
                    self._vault,
                    self._folder,
                    device_id,
                    progress=report,
                    cancel=context.cancel,
                    resend=self._resend,
                )
            except BundleCancelled:
                raise
            except FieldvaultError as refused:
                context.progress(WorkerOutcome(index, failure=failure(refused)))
            else:
                context.progress(WorkerOutcome(index, sent=sent))
        return len(self._device_ids)


# -- the dialog ----------------------------------------------------------------------------


class SendBackDialog(TaskDialog):
    """The policy in plain words, each field worker with what is due to it,
    a folder, Write bundles / Write again for a lost stick, and what became
    of each worker's bundle. It does not close while bundles are written."""

    def __init__(
        self,
        vault: Vault,
        parent: QWidget | None = None,
        tasks: TaskRunner | None = None,
        *,
        chooser: FolderChooser = choose_folder,
    ) -> None:
        super().__init__(parent, tasks)
        self._vault = vault
        self.plan: DuePlan | None = None
        self.loading = False
        self._targets: list[int] = []  # rows of the bundles being written
        self.written: list[SentBack] = []
        self.setWindowTitle(self.tr("Send back to field workers"))
        self.resize(820, 460)
        layout = QVBoxLayout(self)
        self.policy_label = wrapped_label(name=self.tr("What your organisation's policy sends back"))
        layout.addWidget(self.policy_label)
        self._results = ItemResults(
            self.tr("Field workers and what is due to each"),
            [self.tr("Field worker"), self.tr("Due / result")],
            self.tr("Result of the chosen field worker"),
        )
        self.workers, self.details = self._results.tree, self._results.details
        self.workers.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self._results.place(layout)
        self._folder = FolderField(
            self,
            chooser,
            name=self.tr("Folder for the bundles"),
            placeholder=self.tr("a folder on the USB stick"),
            button_text=self.tr("Choose folder…"),
            caption=self.tr("Choose the folder for the bundles"),
        )
        self.folder_field, self.choose_button = self._folder.field, self._folder.button
        layout.addLayout(self._folder.row)
        self.progress = progress_bar(self.tr("Progress of the current bundle"))
        layout.addWidget(self.progress)
        self.status = wrapped_label(name=self.tr("Summary"), selectable=True)
        layout.addWidget(self.status)
        self.write_button = action_button(
            "export",
            self.tr("Write bundles"),
            self.tr("Write the bundles of the chosen field workers, or of all with something due"),
            self.write,
            enabled=False,
        )
        self.resend_button = action_button(
            "export",
            self.tr("Write again for a lost stick"),
            self.tr("Write again everything sent before to the chosen field workers, or to all"),
            self.resend,
            enabled=False,
        )
        self.cancel_button = action_button(
            "cancel", self.tr("Cancel"), self.tr("Cancel the bundles"), self.cancel, enabled=False
        )
        self.close_button = close_button(self, self.tr("Close"))
        layout.addLayout(
            button_row([self.write_button, self.resend_button, self.cancel_button], self.close_button)
        )
        self.reload()

    # -- what is due --------------------------------------------------------------------

    def policy_text(self, policy: str) -> str:
        if policy == "none":
            return self.tr(
                "Your organisation's policy sends nothing of other devices back to field workers. "
                "Profile updates and revocations travel as profile files."
            )
        if policy == "all":
            return self.tr(
                "Your organisation's policy sends every record to every field worker, with the "
                "evidence files of the records new to them."
            )
        return self.tr(
            "Your organisation's policy sends each field worker only the changes to records it "
            "already holds (a conflict's resolution, later edits), never another worker's other "
            "records, and no evidence files."
        )

    def reload(self) -> None:
        """Read again what is due (at opening and after bundles were written)."""
        if self.busy:
            return
        self.loading = True
        self._set_busy(True)
        self.status.setText(self.tr("Reading what is due…"))
        self.start_task(Lane.EXPORT, ReadDueTask(self._vault), self._on_plan)

    def _worker_name(self, worker: WorkerDue) -> str:
        return f"{worker.label} ({worker.device_id})" if worker.label else worker.device_id

    def _due_text(self, worker: WorkerDue) -> str:
        if not worker.records:
            return self.tr("nothing due")
        return self.tr("{records} record(s) due ({revisions} changes)").format(
            records=worker.records, revisions=worker.revisions
        )

    def _on_plan(self, report: TaskReport) -> None:
        if not report.finished:
            return
        self.task_ended()
        self.loading = False
        if report.state == "succeeded":
            self.plan = report.value  # type: ignore[assignment]
        self._set_busy(False)
        if report.state != "succeeded":
            self.status.setText(
                ended_text(report, done="", stopped=self.tr("Stopped before what is due was read."))
            )
            return
        plan = self.plan
        assert plan is not None
        self.policy_label.setText(self.policy_text(plan.policy))
        self.workers.clear()
        for worker in plan.workers:
            item = QTreeWidgetItem([self._worker_name(worker), self._due_text(worker)])
            item.setToolTip(ItemResults.NAME_COLUMN, worker.device_id)
            self.workers.addTopLevelItem(item)
        due = [w for w in plan.workers if w.records]
        if not plan.workers:
            self.status.setText(
                self.tr("This vault knows no enrolled field worker: there is no one to send to.")
            )
        elif not due:
            self.status.setText(
                self.tr("Nothing is due: every field worker has what the policy lets you send it.")
            )
        else:
            self.status.setText(
                self.tr(
                    "{count} field worker(s) have something due. Choose a folder and write their "
                    "bundles; select rows to write only theirs."
                ).format(count=len(due))
            )

    # -- writing ------------------------------------------------------------------------------

    def _selected_rows(self) -> list[int]:
        rows = sorted(self.workers.indexOfTopLevelItem(item) for item in self.workers.selectedItems())
        return [r for r in rows if r >= 0]

    @Slot()
    def write(self) -> None:
        assert self.plan is not None
        rows = self._selected_rows() or [i for i, w in enumerate(self.plan.workers) if w.records]
        self._start_writing(rows, resend=False)

    @Slot()
    def resend(self) -> None:
        assert self.plan is not None
        rows = self._selected_rows() or list(range(len(self.plan.workers)))
        self._start_writing(rows, resend=True)

    def _start_writing(self, rows: list[int], *, resend: bool) -> None:
        if self.busy or self.plan is None:
            return
        folder = self._folder.folder()
        if folder is None:
            self.status.setText(self.tr("Choose a folder (for example on a USB stick) first."))
            return
        if not rows:
            self.status.setText(self.tr("Nothing is due: no bundle was written."))
            return
        self._targets = rows
        self.written = []
        for row in rows:
            self._results.set_state(row, self.tr("waiting"))
        self.progress.setValue(0)
        self.progress.show()
        self.status.setText(self.tr("Writing the bundles…"))
        self._set_busy(True)
        device_ids = [self.plan.workers[row].device_id for row in rows]
        self.start_task(
            Lane.EXPORT, WriteTask(self._vault, folder, device_ids, resend=resend), self._on_report
        )

    @Slot()
    def cancel(self) -> None:
        if self.cancel_task():
            self.status.setText(self.tr("Stopping…"))

    def _set_busy(self, busy: bool) -> None:
        ready = not busy and self.plan is not None and bool(self.plan.workers)
        has_due = ready and self.plan is not None and any(w.records for w in self.plan.workers)
        self.write_button.setEnabled(has_due)
        self.resend_button.setEnabled(ready and self.plan is not None and self.plan.policy != "none")
        self._folder.set_enabled(not busy)
        self.cancel_button.setEnabled(busy and not self.loading)
        self.close_button.setEnabled(not busy)

    def _on_report(self, report: TaskReport) -> None:
        value = report.value
        if report.state == "progress":
            if isinstance(value, WriteProgress):
                self._results.set_state(self._targets[value.index], self.tr("writing…"))
                self.progress.setValue(progress_steps(value.done, value.total))
            elif isinstance(value, WorkerOutcome):
                self._show_outcome(value)
            return
        self.task_ended()
        self._set_busy(False)
        self.progress.hide()
        self._results.mark_unfinished(
            [self.tr("waiting"), self.tr("writing…")],
            self.tr("not written (stopped); no file of it was left"),
        )
        self.status.setText(
            ended_text(
                report,
                done=self.tr(
                    "Done: {count} bundle(s) written. Eject the stick safely; each worker imports "
                    "its own bundle with Organisation → Import bundles…"
                ).format(count=len(self.written)),
                stopped=self.tr(
                    "Stopped. No file was left of the bundle being written; the bundles marked "
                    "written are whole."
                ),
            )
        )

    def _show_outcome(self, outcome: WorkerOutcome) -> None:
        row = self._targets[outcome.index]
        if outcome.sent is not None:
            sent = outcome.sent
            self.written.append(sent)
            text = self.tr(
                "written, {records} records ({revisions} changes), {files} evidence files, {vouched} "
                "device(s) vouched for: {name}"
            ).format(
                name=sent.path.name,
                revisions=sent.revisions,
                records=len(set(sent.relayed.values())),
                files=sent.blobs,
                vouched=len(sent.vouched),
            )
            if sent.withheld:
                text += self.tr("; {count} record(s) withheld (a revoked device wrote in them)").format(
                    count=len(sent.withheld)
                )
        elif outcome.failure is not None:
            from desktop.messages import failure_message

            text = self.tr("not written: {reason}").format(reason=failure_message(outcome.failure))
        else:
            text = self.tr("nothing due under your organisation's policy: no bundle written")
        self._results.set_result(row, text)


def send_back_title() -> str:
    return QCoreApplication.translate("SendBackDialog", "Send back to field workers…")


def add_send_back_entry(menu: CoordinatorMenu) -> QAction:
    """Coordinator → Send back to field workers…"""

    def make(vault: Vault, parent: QWidget, tasks: TaskRunner) -> QDialog:
        return SendBackDialog(vault, parent, tasks)

    return menu.add_entry(send_back_title, make, "export")
