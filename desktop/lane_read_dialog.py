"""The base of a coordinator's view whose list is read on the export lane
(Coordinator → Devices…, Kept re-reads…): the window never waits for the
read, Refresh reads it again, and one task of the dialog runs at a time.

The subclass makes ``refresh_button`` and ``status`` and gives every text
with its own ``self.tr``: PySide looks a string up under the class of the
object at run time, lupdate files it under the class it is written in, so
a ``self.tr`` written here would show in English (as desktop/dialog_parts.py
says). It drops its tasks when it closes (``drop_tasks``), as only it knows
which others it runs.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QDialog, QLabel, QPushButton, QWidget

from desktop.dialog_parts import failure_text
from desktop.tasks import Lane, TaskHandle, TaskReport, TaskRunner

ReadT = TypeVar("ReadT")


class LaneReadDialog(QDialog, Generic[ReadT]):
    """``refresh`` reads the list with ``_read_list`` on the export lane unless a
    task of the dialog runs (``busy``: the read, or one the subclass started
    with ``_handle``); the Refresh button waits for it, and what it read,
    checked to be a ``read_type``, goes to ``_show``."""

    refresh_button: QPushButton
    status: QLabel

    def __init__(self, parent: QWidget | None, tasks: TaskRunner | None, read_type: type[ReadT]) -> None:
        super().__init__(parent)
        # The window's runner (locking cancels the read), or one of its own when shown alone.
        self.tasks = tasks if tasks is not None else TaskRunner(self)
        self._handle: TaskHandle | None = None
        self._read_type = read_type

    @property
    def busy(self) -> bool:
        return self._handle is not None

    @Slot()
    def refresh(self) -> None:
        if self.busy:
            return
        self.refresh_button.setEnabled(False)
        self._handle = self.tasks.start(
            Lane.EXPORT, lambda _context: self._read_list(), self._on_read, owner=self
        )

    def _read_list(self) -> ReadT:
        """The list, read in the lane's thread (plain Python: no widget is touched)."""
        raise NotImplementedError

    def _show(self, read: ReadT) -> None:
        raise NotImplementedError

    def _read_not_done(self, report: TaskReport) -> None:
        """The read failed or was cancelled: the status line says why (nothing when it was cancelled unsaid)."""
        self.status.setText(failure_text(report.failure))

    def _on_read(self, report: TaskReport) -> None:
        if not report.finished:
            return
        self._handle = None
        self.refresh_button.setEnabled(True)
        if report.state == "succeeded":
            read = report.value
            assert isinstance(read, self._read_type)
            self._show(read)
        else:
            self._read_not_done(report)
