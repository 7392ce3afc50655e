"""Vault → Quick note… (Ctrl+Shift+N): a title, the text and files dropped or
attached, saved in seconds when there is no time for the full testimony form.

The note is a testimony marked "to complete" (db/quick_notes.py): the list
shows it with that badge until the worker finishes it in the full form.
Saving runs on the intake lane: the note is stored first, then each file
goes through the ordinary intake and is linked to it; a file that cannot be
added is named, the note and the other files stay.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.dialog_parts import forget_dialog_history
from desktop.icons import icon
from desktop.messages import error_message
from desktop.tasks import Lane, TaskContext, TaskReport, TaskRunner

if TYPE_CHECKING:
    from db.api import Vault
    from desktop.vault_view import VaultView


@dataclass(frozen=True)
class NoteSaved:
    testimony_id: str
    evidence_ids: tuple[str, ...]
    # Files that could not be added: (file name, the message to show).
    not_attached: tuple[tuple[str, str], ...] = field(default=())


def save_note(
    vault: Vault, case_id: str, title: str, text: str, files: list[Path], _context: TaskContext
) -> NoteSaved:
    """The note first, then each file; a file's failure is reported, not raised."""
    # The database stack loads at unlock, not at start.
    from db.api import FieldvaultError, take_quick_note
    from db.api import attach_to_note as attach

    note = take_quick_note(vault.services, case_id, title, text)
    evidence_ids: list[str] = []
    not_attached: list[tuple[str, str]] = []
    for path in files:
        try:
            evidence_ids.append(attach(vault.services, note.testimony, path))
        except FieldvaultError as err:
            not_attached.append((path.name, error_message(err)))
        except OSError as err:
            not_attached.append((path.name, err.strerror or type(err).__name__))
    return NoteSaved(note.testimony.id, tuple(evidence_ids), tuple(not_attached))


def regular_files(paths: list[str]) -> list[Path]:
    """Files only: a folder dropped is not taken whole."""
    return [Path(p) for p in paths if Path(p).is_file()]


class QuickNoteDialog(QDialog):
    saved = Signal(object)  # NoteSaved, once the note is stored

    def __init__(self, vault: Vault, case_id: str, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vault = vault
        self._case_id = case_id
        self._tasks = tasks
        self.files: list[Path] = []
        self.setWindowTitle(self.tr("Quick note"))
        self.setAcceptDrops(True)
        self.title_field = QLineEdit()
        self.title_field.setAccessibleName(self.tr("Note title"))
        self.title_field.setPlaceholderText(self.tr("e.g. Basement on Shkilna St., two witnesses"))
        self.text_field = QPlainTextEdit()
        self.text_field.setAccessibleName(self.tr("Note text"))
        self.text_field.setTabChangesFocus(True)
        self.text_field.setPlaceholderText(
            self.tr("What you heard or saw. Complete it later in the full form.")
        )
        self.file_list = QListWidget()
        self.file_list.setAccessibleName(self.tr("Files attached to the note"))
        self.file_list.setMaximumHeight(90)
        self.drop_hint = QLabel(self.tr("Drop files here or attach them."))
        self.attach_button = QPushButton(icon("add-evidence"), self.tr("&Attach files…"))
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.save_button = QPushButton(self.tr("&Save note"))
        self.save_button.setDefault(True)
        self.save_button.setShortcut(QKeySequence.StandardKey.Save)
        self.cancel_button = QPushButton(self.tr("Cancel"))

        form = QFormLayout()
        form.addRow(self.tr("&Title:"), self.title_field)
        form.addRow(self.tr("Te&xt:"), self.text_field)
        files_row = QHBoxLayout()
        files_row.addWidget(self.drop_hint, 1)
        files_row.addWidget(self.attach_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.file_list)
        layout.addLayout(files_row)
        layout.addLayout(buttons)
        self.resize(560, 420)

        self.attach_button.clicked.connect(self.choose_files)
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reject)
        self.title_field.setFocus()

    # -- files -------------------------------------------------------------------

    def add_files(self, paths: list[str]) -> None:
        for path in regular_files(paths):
            if path not in self.files:
                self.files.append(path)
                self.file_list.addItem(path.name)

    @Slot()
    def choose_files(self) -> None:
        paths, _filter = QFileDialog.getOpenFileNames(self, self.tr("Attach files to the note"))
        forget_dialog_history()  # Qt would keep the folder's name in a plain settings file
        self.add_files(paths)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt's name
        if event.mimeData().hasUrls() and self.save_button.isEnabled():
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt's name
        if not event.mimeData().hasUrls() or not self.save_button.isEnabled():
            event.ignore()
            return
        event.setDropAction(Qt.DropAction.CopyAction)  # copied in, never moved
        event.accept()
        self.add_files([url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()])

    # -- saving ------------------------------------------------------------------

    @Slot()
    def save(self) -> None:
        title = self.title_field.text().strip()
        if not title:  # said at once, without a round trip to the vault
            self.status.setText(self.tr("Give the note a title."))
            self.title_field.setFocus()
            return
        self._set_editable(False)
        self.status.setText(self.tr("Saving…"))
        files, text = list(self.files), self.text_field.toPlainText()
        vault, case_id = self._vault, self._case_id
        self._tasks.start(
            Lane.INTAKE,
            lambda context: save_note(vault, case_id, title, text, files, context),
            self._on_report,
            owner=self,
        )

    def _set_editable(self, editable: bool) -> None:
        for widget in (self.title_field, self.text_field, self.attach_button, self.save_button):
            widget.setEnabled(editable)

    def _on_report(self, report: TaskReport) -> None:
        if isinstance(report.value, NoteSaved):
            saved = report.value
            self.saved.emit(saved)
            if not saved.not_attached:
                self.accept()
                return
            # Stored, but not every file: say which, and offer only Close
            # (saving again would store the note twice).
            lines = [f"{name}: {reason}" for name, reason in saved.not_attached]
            self.status.setText(self.tr("The note is saved. Not attached:") + "\n" + "\n".join(lines))
            self.cancel_button.setText(self.tr("Close"))
        elif report.failure is not None:
            self.status.setText(error_message(report.failure.error, report.failure.error_type))
            self._set_editable(True)


class QuickNoteAction(QAction):
    """Vault → Quick note… (Ctrl+Shift+N), for the case selected."""

    def __init__(
        self,
        parent: QWidget,
        vault: Callable[[], Vault | None],
        view: Callable[[], VaultView | None],
        tasks: TaskRunner,
    ) -> None:
        super().__init__(icon("new-testimony"), "", parent)
        self._vault = vault
        self._view = view
        self._tasks = tasks
        self.dialog: QuickNoteDialog | None = None
        self.setShortcut(QKeySequence("Ctrl+Shift+N"))
        self.triggered.connect(self.open_dialog)
        self.retranslate()

    def retranslate(self) -> None:
        self.setText(self.tr("Quick &note…"))

    def set_unlocked(self, unlocked: bool) -> None:
        self.setEnabled(unlocked)

    def close_dialog(self) -> None:
        """The vault locks: the note's words leave the screen (not saved)."""
        if self.dialog is not None:
            self.dialog.close()
            self.dialog = None

    @Slot()
    def open_dialog(self) -> QuickNoteDialog | None:
        view, parent = self._view(), self.parent()
        case_id = view.selected_case_id() if view is not None else None
        vault = self._vault()
        if view is None or vault is None or case_id is None or not isinstance(parent, QWidget):
            return None
        self.dialog = QuickNoteDialog(vault, case_id, self._tasks, parent)
        self.dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog.saved.connect(lambda saved: self._show_saved(view, case_id, saved))
        self.dialog.destroyed.connect(self._forget_dialog)
        self.dialog.open()
        return self.dialog

    def _forget_dialog(self) -> None:
        self.dialog = None

    @staticmethod
    def _show_saved(view: VaultView, case_id: str, saved: NoteSaved) -> None:
        """The note in the list (with its badge), its files in the evidence
        tab; the testimony being written in the form stays there."""
        if view.selected_case_id() != case_id:
            return
        view.testimonies.reload()
        view.evidence_panel.reload()
