"""The progress bar and Cancel button of a dialog that runs one long copy at a
time on a TaskRunner lane (Vault → Back up to USB…, Vault → Export case…).

The dialog holds the task's CancelToken itself, not only the runner: Cancel,
closing the dialog and locking the vault then stop the task even before the
runner has started it, and the core removes what the task had begun to
write. Both widgets are hidden while nothing runs. The dialog gives the
button its words and says on its status line what is happening.

``CancellableRunDialog`` is the base of those two dialogs: the run, its
status line, the running check, Cancel, and the steps every report takes
(progress to the bar; at the end, the widgets hidden and the dialog resized
to its message). Every text stays in the dialog's own class: PySide looks a
``self.tr`` string up under the class of the object at run time, lupdate
files it under the class it is written in (desktop/dialog_parts.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QDialog, QLabel, QProgressBar, QPushButton, QWidget

from desktop.i18n import Retranslating
from desktop.tasks import Lane, ReportCallback, Task, TaskReport, TaskRunner

if TYPE_CHECKING:
    from db.api import CancelToken

PROGRESS_STEPS = 1000


@dataclass(frozen=True)
class CopyProgress:
    """What a task reports as it goes: ``done`` of ``total`` (bytes, files)."""

    done: int
    total: int


class CancellableRun:
    """``progress`` and ``cancel_button`` for the dialog to place; ``start``
    runs a task with them, ``cancel`` asks it to stop, ``ended`` hides them
    again once its last report has come."""

    def __init__(self, tasks: TaskRunner, owner: QObject) -> None:
        self._tasks = tasks
        self._owner = owner  # the runner drops the reports once it is deleted
        self._cancel: CancelToken | None = None
        self.progress = QProgressBar()
        self.progress.setRange(0, PROGRESS_STEPS)
        self.progress.hide()
        self.cancel_button = QPushButton()
        self.cancel_button.hide()

    @property
    def running(self) -> bool:
        return self._cancel is not None

    def start(self, lane: Lane, task: Task, on_report: ReportCallback) -> None:
        from db.api import CancelToken  # loaded with the vault already

        self._cancel = CancelToken()
        self.progress.setValue(0)
        self.progress.show()
        self.cancel_button.setEnabled(True)
        self.cancel_button.show()
        self._tasks.start(lane, task, on_report, owner=self._owner, cancel=self._cancel)

    def cancel(self) -> bool:
        """Ask the task to stop (Cancel is disabled until it has); False when none runs."""
        if self._cancel is None:
            return False
        self._cancel.cancel()
        self.cancel_button.setEnabled(False)
        return True

    def show_progress(self, value: object) -> None:
        """A progress report's value; a bar without steps (range 0, 0: only
        busy) stays as it is."""
        assert isinstance(value, CopyProgress)
        if self.progress.maximum():
            self.progress.setValue(
                PROGRESS_STEPS * value.done // value.total if value.total else PROGRESS_STEPS
            )

    def ended(self) -> None:
        self._cancel = None
        self.progress.hide()
        self.cancel_button.hide()


class CancellableRunDialog(Retranslating, QDialog):
    """A dialog that runs one copy at a time on the export lane (``tasks``,
    its own runner when none is given). The subclass places ``progress``,
    ``cancel_button`` and ``status``, starts its task with ``_start_run`` and
    gives, in its own class, the words of Cancel (``_cancelling_text``) and
    what an ended run shows (``_run_ended``)."""

    def __init__(self, parent: QWidget | None, tasks: TaskRunner | None) -> None:
        super().__init__(parent)
        self.tasks = tasks if tasks is not None else TaskRunner(self)
        self._run = CancellableRun(self.tasks, self)
        self.progress, self.cancel_button = self._run.progress, self._run.cancel_button
        self.cancel_button.clicked.connect(self.cancel)
        self.status = QLabel()
        self.status.setWordWrap(True)

    @property
    def running(self) -> bool:
        return self._run.running

    def _start_run(self, task: Task) -> None:
        self._run.start(Lane.EXPORT, task, self._on_report)

    @Slot()
    def cancel(self) -> None:
        if self._run.cancel():
            self.status.setText(self._cancelling_text())

    def reject(self) -> None:
        # Closed while it copies (Close, Escape, the window's X): the run stops
        # and leaves nothing, rather than going on unseen with no one told
        # whether it ended.
        self.cancel()
        super().reject()

    def _cancelling_text(self) -> str:
        raise NotImplementedError(f"{type(self).__name__} names no _cancelling_text")

    def _run_ended(self, report: TaskReport) -> None:
        """The task's last report (succeeded, failed or cancelled) has come."""
        raise NotImplementedError(f"{type(self).__name__} names no _run_ended")

    def _on_report(self, report: TaskReport) -> None:
        if report.state == "progress":
            self._run.show_progress(report.value)
            return
        self._run.ended()
        self._run_ended(report)
        # The word-wrapped message may need more lines than the dialog has.
        self.adjustSize()
