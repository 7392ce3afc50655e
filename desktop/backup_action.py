"""Vault → Back up to USB…: an encrypted copy of the whole vault (db/backup.py),
with progress and Cancel, and the reminder when the last backup is old.

The copy runs on the export lane (desktop/tasks.py): locking the vault
cancels it, and a cancelled backup leaves no folder behind. The dialog shows
where the backup went and that it opens with the same passphrase or recovery
key. Nothing here decrypts anything: the copy is of encrypted files.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.cancellable_run import CancellableRunDialog, CopyProgress
from desktop.dialog_parts import FolderChooser, choose_folder, ended_text
from desktop.icons import icon
from desktop.tasks import TaskContext, TaskReport, TaskRunner

if TYPE_CHECKING:
    from db.api import BackupResult, Vault


class BackupTask:
    """The backup as a task (plain Python; the runner brings its reports to the GUI thread)."""

    def __init__(self, vault: Vault, to: Path) -> None:
        self._vault = vault
        self._to = to

    def __call__(self, context: TaskContext) -> BackupResult:
        return self._vault.back_up(
            self._to,
            progress=lambda done, total: context.progress(CopyProgress(done, total)),
            cancel=context.cancel,
        )


class BackupDialog(CancellableRunDialog):
    """Choose a folder (a USB stick), watch the copy, cancel it if need be."""

    def __init__(
        self,
        vault: Vault,
        parent: QWidget | None = None,
        *,
        tasks: TaskRunner | None = None,
        chooser: FolderChooser = choose_folder,
    ) -> None:
        super().__init__(parent, tasks)
        self._vault: Vault | None = vault
        self._chooser = chooser
        self.result_path: Path | None = None
        self.explanation = QLabel()
        self.explanation.setWordWrap(True)
        self.choose_button = QPushButton(icon("export"), "")
        self.choose_button.clicked.connect(self.choose_and_start)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (self.explanation, self.choose_button, self.progress, self.status, self.cancel_button):
            layout.addWidget(widget)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Back up the vault"))
        self.explanation.setText(
            self.tr(
                "A backup is an encrypted copy of the whole vault: every record and file. It opens only "
                "with this vault's passphrase or its recovery key. Choose a folder, for example on a USB "
                "stick; a new folder is made there and nothing in it is overwritten."
            )
        )
        self.choose_button.setText(self.tr("Choose a folder and back up…"))
        self.choose_button.setAccessibleName(self.tr("Choose a folder and back up"))
        self.cancel_button.setText(self.tr("Cancel backup"))

    @Slot()
    def choose_and_start(self) -> bool:
        chosen = self._chooser(self, self.tr("Where to put the backup"))
        return bool(chosen) and self.start(Path(chosen))

    def start(self, to: Path) -> bool:
        """Back up into ``to`` (a new folder is made inside an existing one)."""
        if self._vault is None or self.running:
            return False
        self.choose_button.setEnabled(False)
        self.status.setText(self.tr("Backing up…"))
        self._start_run(BackupTask(self._vault, to))
        return True

    def _cancelling_text(self) -> str:
        return self.tr("Cancelling…")

    def _run_ended(self, report: TaskReport) -> None:
        self.choose_button.setEnabled(self._vault is not None)
        if report.state == "succeeded":
            result = report.value
            self.result_path = Path(str(getattr(result, "path", "")))
            missing = list(getattr(result, "missing", []))
            text = self.tr(
                "Backup written to {path}. It opens with this vault's passphrase or recovery key. "
                "Keep the stick somewhere safe, apart from this computer."
            ).format(path=self.result_path)
            if missing:
                text += " " + self.tr(
                    "{count} evidence file(s) were already missing from the vault and are not in the "
                    "backup: run a check of the vault."
                ).format(count=len(missing))
            self.status.setText(text)
        else:
            cancelled = self.tr("Backup cancelled: the partial copy was removed.")
            self.status.setText(ended_text(report, done="", stopped=cancelled))

    def forget_vault(self) -> None:
        """The vault locks: stop (the runner cancels the task) and close."""
        self._vault = None
        self._run.cancel()
        self.close()


def reminder_text(vault: Vault, now: datetime | None = None) -> str:
    """What the window says when a backup is due, or "" when none is."""
    from db.api import days_overdue

    overdue = days_overdue(
        vault.settings.get("last_backup_at"),
        vault.settings.get("backup_reminder_days"),
        now or datetime.now(UTC),
    )
    if overdue is None:
        return ""
    if overdue < 0:
        return QCoreApplication.translate(
            "BackupAction",
            "This vault has never been backed up. Vault → Back up to USB… makes an encrypted copy.",
        )
    return QCoreApplication.translate(
        "BackupAction", "The last backup is {days} days old. Vault → Back up to USB… makes a new one."
    ).format(days=overdue)


class BackupAction(QAction):
    """The Vault menu's entry; opens the dialog for the window's open vault."""

    def __init__(self, parent: QObject, vault: Callable[[], Vault | None], tasks: TaskRunner) -> None:
        super().__init__(icon("export"), "", parent)
        self._vault = vault
        self._tasks = tasks
        # Asks for the folder (tests put their own in).
        self.chooser: FolderChooser = choose_folder
        self.dialog: BackupDialog | None = None
        self.triggered.connect(self.open_dialog)
        self.retranslate()

    def retranslate(self) -> None:
        self.setText(self.tr("&Back up to USB…"))

    @Slot()
    def open_dialog(self) -> BackupDialog | None:
        vault = self._vault()
        parent = self.parent()
        if vault is None or not isinstance(parent, QWidget):
            return None
        self.dialog = BackupDialog(vault, parent, tasks=self._tasks, chooser=self.chooser)
        self.dialog.open()
        return self.dialog

    def close_dialog(self) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is not None:
            dialog.forget_vault()
            dialog.deleteLater()

    def reminder(self, now: datetime | None = None) -> str:
        vault = self._vault()
        return "" if vault is None else reminder_text(vault, now)
