"""Pieces the organisation, bundle and acknowledgement dialogs share
(desktop/bundle_actions.py, org_acks.py, org_admin.py, org_add_device.py,
org_join.py, send_back_dialog.py, and the lists of devices_view.py and
duplicates_view.py): the file and folder choosers, labels, fields and
buttons as these dialogs make them, the progress bar and its steps, the base of a dialog whose work is one task on a
TaskRunner lane and the words its status line ends with, the per-item
result list with its details pane, and the large verification-code label.

Every text is given by the dialog, already translated by its own
``self.tr``. PySide's ``tr`` looks a string up under the class of the
object at run time, while lupdate files it under the class it is written
in: a ``self.tr`` written here would be looked up under the dialog's name
and found (in fieldvault_uk.ts) under this module's, so it would show in
English.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from PySide6.QtCore import QDir, Qt
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QBoxLayout,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QTreeWidgetItem,
    QWidget,
)

from desktop.icons import icon
from desktop.item_lists import item_list, rows
from desktop.tasks import Lane, OperationFailed, ReportCallback, Task, TaskHandle, TaskReport, TaskRunner

# (parent, caption) -> the chosen folder or "" (QFileDialog's by default; tests put their own in).
FolderChooser = Callable[[QWidget, str], str]
# (parent, caption) -> the chosen files, none when the user cancelled.
FilesChooser = Callable[[QWidget, str], list[str]]
# (parent, caption) -> the one chosen file or "".
FileChooser = Callable[[QWidget, str], str]


# -- choosing files and folders -----------------------------------------------------------------


def forget_dialog_history() -> None:
    """After every file dialog: Qt keeps the last folders in its own settings
    file, and a folder's name can say much (desktop/evidence_panel.py)."""
    from desktop.evidence_panel import forget_file_dialog_history

    forget_file_dialog_history()


def choose_folder(parent: QWidget, caption: str) -> str:
    folder = QFileDialog.getExistingDirectory(parent, caption, QDir.homePath())
    forget_dialog_history()
    return folder


def choose_file(parent: QWidget, caption: str, name_filter: str) -> str:
    """One file to open (a device card, a profile), from where Qt starts
    (the working folder); ``name_filter`` as QFileDialog takes it."""
    path, _filter = QFileDialog.getOpenFileName(parent, caption, "", name_filter)
    forget_dialog_history()
    return path


def choose_files(parent: QWidget, caption: str, name_filter: str) -> list[str]:
    """Files to open, from the home folder; ``name_filter`` as QFileDialog takes it."""
    files, _filter = QFileDialog.getOpenFileNames(parent, caption, QDir.homePath(), name_filter)
    forget_dialog_history()
    return list(files)


# -- labels and buttons --------------------------------------------------------------------------


def wrapped_label(text: str = "", *, name: str = "", selectable: bool = False) -> QLabel:
    """A word-wrapped label (an explanation, a status). ``name`` is what a
    screen reader calls it; ``selectable`` lets the user copy what it says
    (an id, a fingerprint, a result to report)."""
    label = QLabel(text)
    label.setWordWrap(True)
    if name:
        label.setAccessibleName(name)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def text_field(
    name: str, placeholder: str = "", *, fixed_font: bool = False, read_only: bool = False
) -> QLineEdit:
    """A one-line field: what a screen reader calls it, the hint shown while
    it is empty, and a fixed-width font for what is compared character by
    character (a fingerprint, a key)."""
    field = QLineEdit()
    field.setReadOnly(read_only)
    field.setAccessibleName(name)
    if placeholder:
        field.setPlaceholderText(placeholder)
    if fixed_font:
        field.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
    return field


def text_box(name: str, *, lines: int, placeholder: str = "", read_only: bool = False) -> QPlainTextEdit:
    """A box ``lines`` high for a pasted or shown text (a device card, a QR
    code's text). Tab leaves a box the user types in, as it leaves a field."""
    box = QPlainTextEdit()
    box.setReadOnly(read_only)
    box.setAccessibleName(name)
    if placeholder:
        box.setPlaceholderText(placeholder)
    if not read_only:
        box.setTabChangesFocus(True)
    box.setFixedHeight(box.fontMetrics().lineSpacing() * lines)
    return box


def field_row(field: QWidget, button: QWidget) -> QHBoxLayout:
    """A field taking the width and its button beside it (Choose…, Copy, Approve)."""
    row = QHBoxLayout()
    row.addWidget(field, 1)
    row.addWidget(button)
    return row


class FolderField:
    """Where to write (a folder on a USB stick): the path field and its
    Choose… button in one ``row``, the folder dialog titled ``caption`` (also
    what a screen reader calls the button). ``folder()`` is the chosen
    folder when it exists; the dialog says what to do when it does not."""

    def __init__(
        self,
        parent: QWidget,
        chooser: FolderChooser,
        *,
        name: str,
        placeholder: str,
        button_text: str,
        caption: str,
    ) -> None:
        self._parent = parent
        self._chooser = chooser
        self._caption = caption
        self.field = text_field(name, placeholder)
        self.button = action_button("view", button_text, caption, self.choose)
        self.row = field_row(self.field, self.button)

    def choose(self) -> None:
        folder = self._chooser(self._parent, self._caption)
        if folder:
            self.field.setText(folder)

    def folder(self) -> Path | None:
        text = self.field.text().strip()
        return Path(text) if text and Path(text).is_dir() else None

    def set_enabled(self, enabled: bool) -> None:
        self.field.setEnabled(enabled)
        self.button.setEnabled(enabled)


def big_code_label(name: str, *, scale: float = 2.0) -> QLabel:
    """A verification code or fingerprint shown large, in a fixed-width font
    (two people read it out to each other by phone), and selectable."""
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    font.setPointSizeF(max(font.pointSizeF(), 10.0) * scale)
    font.setWeight(QFont.Weight.Bold)
    label = QLabel()
    label.setFont(font)
    label.setAccessibleName(name)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def action_button(
    icon_name: str, text: str, name: str, on_click: Callable[[], object], *, enabled: bool = True
) -> QPushButton:
    """A button with its icon, its words, what a screen reader calls it
    (often more than its words say) and what a click does."""
    button = QPushButton(icon(icon_name), text)
    button.setAccessibleName(name)
    button.clicked.connect(on_click)
    button.setEnabled(enabled)
    return button


def close_button(dialog: QDialog, text: str) -> QPushButton:
    """Close: rejects the dialog (which may refuse while its work runs)."""
    button = QPushButton(text)
    button.clicked.connect(dialog.reject)
    return button


def button_row(left: Sequence[QWidget], right: QWidget) -> QHBoxLayout:
    """The dialog's buttons at the left and ``right`` (Close) alone at the right."""
    row = QHBoxLayout()
    for widget in left:
        row.addWidget(widget)
    row.addStretch(1)
    row.addWidget(right)
    return row


# -- progress ------------------------------------------------------------------------------------

PROGRESS_STEPS = 1000  # a bar's steps: fine enough for gigabytes, whole numbers for Qt


def progress_bar(name: str) -> QProgressBar:
    """A bar of ``PROGRESS_STEPS`` steps, hidden until work runs; ``name`` is
    what a screen reader calls it."""
    bar = QProgressBar()
    bar.setRange(0, PROGRESS_STEPS)
    bar.setAccessibleName(name)
    bar.hide()
    return bar


def progress_steps(done: int, total: int) -> int:
    """``done`` of ``total`` (bytes) in the bar's steps; full when the total
    is unknown (0) or passed."""
    return PROGRESS_STEPS if total <= 0 else min(PROGRESS_STEPS, done * PROGRESS_STEPS // total)


# -- a dialog whose work is a task -----------------------------------------------------------------


class TaskDialog(QDialog):
    """A dialog whose work runs as one task at a time on a TaskRunner lane:
    the window's runner (so that locking cancels it), or one of its own when
    the dialog is used alone. ``busy`` while the task runs; meanwhile the
    dialog does not close (Esc, Close): what the task did must be seen, and
    a task that can be stopped has a Cancel button for that."""

    def __init__(self, parent: QWidget | None, tasks: TaskRunner | None) -> None:
        super().__init__(parent)
        self.tasks = tasks if tasks is not None else TaskRunner(self)
        self._handle: TaskHandle | None = None

    @property
    def busy(self) -> bool:
        return self._handle is not None

    def start_task(self, lane: Lane, task: Task, on_report: ReportCallback) -> None:
        self._handle = self.tasks.start(lane, task, on_report, owner=self)

    def task_ended(self) -> None:
        """Called by the report callback once the task has finished."""
        self._handle = None

    def cancel_task(self) -> bool:
        """Ask the running task to stop; False when none runs."""
        if self._handle is None:
            return False
        self._handle.cancel()
        return True

    def reject(self) -> None:
        if self.busy:
            return
        super().reject()


def drop_tasks(
    tasks: TaskRunner, handles: Iterable[TaskHandle | None], *, stop_lane: Lane | None = None
) -> None:
    """A dialog closes: its tasks' reports would reach a dialog that is gone,
    so the runner forgets them; those on ``stop_lane`` (a long read) are also
    asked to stop. A write is let finish: it is all or nothing in the core."""
    for handle in handles:
        if handle is not None:
            tasks.forget(handle)
            if handle.lane == stop_lane:
                handle.cancel()


def failure_text(failure: OperationFailed | None, otherwise: str = "") -> str:
    """A task's failure in the user's language, or ``otherwise`` when it
    ended without one (stopped)."""
    if failure is None:
        return otherwise
    from desktop.messages import failure_message

    return failure_message(failure)


def os_reason(err: OSError) -> str:
    """What the system said of a file it could not read or write ("No space
    left on device"), or the error's kind when it said nothing."""
    return err.strerror or type(err).__name__


def ended_text(report: TaskReport, *, done: str, stopped: str) -> str:
    """What the status line says once a task has ended: its failure in the
    user's language, else ``done`` or (cancelled, or failed unsaid) ``stopped``."""
    if report.state == "failed" and report.failure is not None:
        from desktop.messages import failure_message

        return failure_message(report.failure)
    return done if report.state == "succeeded" else stopped


# -- one result per item ------------------------------------------------------------------------------


class ItemResults:
    """Items (files, bundles) one a row with what became of each, and below
    the list the whole result of the chosen row, which a row shows only the
    start of. The dialog places ``tree`` and ``details`` and gives every text."""

    NAME_COLUMN, RESULT_COLUMN = range(2)

    def __init__(self, name: str, headers: list[str], details_name: str) -> None:
        self.tree = item_list(name, headers, [300], word_wrap=True)
        self.details = wrapped_label(name=details_name, selectable=True)
        self.tree.currentItemChanged.connect(self.show_details)

    def place(self, layout: QBoxLayout) -> None:
        """The list taking the height, its details below it."""
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.details)

    def fill(self, paths: Iterable[Path], waiting: str) -> None:
        """A row per file, by name (the whole path in its tooltip), each ``waiting``."""
        self.tree.clear()
        for path in paths:
            item = QTreeWidgetItem([path.name, waiting])
            item.setToolTip(self.NAME_COLUMN, str(path))
            self.tree.addTopLevelItem(item)

    def row(self, index: int) -> QTreeWidgetItem:
        item = self.tree.topLevelItem(index)
        assert item is not None, index
        return item

    def texts(self) -> list[str]:
        """Each row's result as shown (tests read it as a user does)."""
        return [item.text(self.RESULT_COLUMN) for item in rows(self.tree)]

    def set_state(self, index: int, text: str) -> QTreeWidgetItem:
        """A passing state of item ``index`` ("checking…"), the chosen row left as it is."""
        row = self.row(index)
        row.setText(self.RESULT_COLUMN, text)
        return row

    def set_result(self, index: int, text: str) -> QTreeWidgetItem:
        """Say what became of item ``index`` and show it whole below the list."""
        row = self.row(index)
        row.setText(self.RESULT_COLUMN, text)
        row.setToolTip(self.RESULT_COLUMN, text)
        self.tree.setCurrentItem(row)
        self.show_details(row)
        return row

    def mark_unfinished(self, unfinished: Iterable[str], text: str) -> None:
        """The rows still saying one of ``unfinished`` (the task stopped
        before them) now say ``text``."""
        still = set(unfinished)
        for item in rows(self.tree):
            if item.text(self.RESULT_COLUMN) in still:
                item.setText(self.RESULT_COLUMN, text)

    def show_details(self, item: QTreeWidgetItem | None, _previous: object = None) -> None:
        self.details.setText(
            f"{item.text(self.NAME_COLUMN)}: {item.text(self.RESULT_COLUMN)}" if item is not None else ""
        )
