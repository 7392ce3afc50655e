"""The evidence of one case: its items, and adding files by drop or file picker.

Files are added one at a time, in the order given, each by its own
``Ingest`` task on the intake lane (see ``desktop/intake.py``): a row per file shows its progress
bar and a Cancel button, and an overall bar shows the whole batch. A file
already in the case is not stored twice: its row says so and the existing item
is selected.

**Folders are refused, with a message; the files dropped with them are added.**
Adding evidence cannot be undone quietly: a deleted item keeps its encrypted
file and its custody record, on purpose. A folder dropped by mistake (the
Downloads folder, a phone's whole camera roll, a folder of personal papers)
would put hundreds of unrelated files into the case, which is a problem both for
the case and for the people in those files. So only files the worker chose one
by one (or with Ctrl+A inside the folder) are taken; the message says how.

Everything shown here is witness data: ``clear()`` (for locking) cancels the
intakes, waits for the running one to stop, empties every widget and forgets
the vault.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDir, QLocale, QSettings, Qt, Signal, Slot
from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QDragMoveEvent, QDropEvent, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from db.api import CancelToken, EvidenceItem, EvidencePurge, FieldvaultError
from desktop.icons import icon
from desktop.intake import (
    Ingest,
    IntakeFailed,
    IntakeOutcome,
    IntakeProgress,
    IntakeStopped,
    IntakeStored,
    failure_text,
    stored_report,
)
from desktop.messages import error_message
from desktop.tasks import Lane, TaskHandle, TaskReport, TaskRunner

ID_ROLE = Qt.ItemDataRole.UserRole
PROGRESS_STEPS = 1000
SHORT_SHA_LENGTH = 12
# How long clear() waits for a cancelled intake to stop (one 1 MiB segment,
# or the recording of a file whose bytes were already stored).
CLEAR_WAIT_MS = 10_000
NAME_COLUMN, TYPE_COLUMN, SIZE_COLUMN, SHA_COLUMN = range(4)

# (parent, caption) -> the chosen paths; QFileDialog's by default.
OpenFilesDialog = Callable[[QWidget, str], list[str]]


def forget_file_dialog_history() -> None:
    """Qt's file dialog writes the last folder and its history to Qt's own
    settings file (``QtProject.conf``) when it closes; a folder's name can say
    what is in it. Remove them."""
    settings = QSettings(QSettings.Scope.UserScope, "QtProject")
    settings.beginGroup("FileDialog")
    for key in ("lastVisited", "history"):
        settings.remove(key)
    settings.endGroup()
    settings.sync()


def ask_open_files(parent: QWidget, caption: str) -> list[str]:
    files, _filter = QFileDialog.getOpenFileNames(parent, caption, QDir.homePath())
    forget_file_dialog_history()
    return list(files)


def bold_label(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return label


def plain_label(text: str = "") -> QLabel:
    """A label for data: plain text always (a file named ``<img src=…>`` stays text)."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    return label


def data_size(size: int) -> str:
    return QLocale().formattedDataSize(size)


class IntakeRow(QWidget):
    """One file being added: name, state, progress bar, Cancel."""

    WAITING, RUNNING, STORED, DUPLICATE, CANCELLED, FAILED = range(6)

    def __init__(
        self, ticket: int, path: Path, size: int, case_id: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ticket = ticket
        self.path = path
        self.case_id = case_id
        self.total = size
        self.done = 0
        self.state = self.WAITING
        self.cancel_requested = False
        self.token = CancelToken()

        self.name_label = plain_label(path.name)
        self.name_label.setWordWrap(False)
        self.status_label = plain_label(self.tr("Waiting…"))
        self.bar = QProgressBar()
        self.bar.setRange(0, PROGRESS_STEPS)
        self.bar.setValue(0)
        self.bar.setAccessibleName(self.tr("Progress of {name}").format(name=path.name))
        self.cancel_button = QPushButton(icon("cancel"), self.tr("Cancel"))
        self.cancel_button.setAccessibleName(self.tr("Cancel adding {name}").format(name=path.name))

        top = QHBoxLayout()
        top.addWidget(self.name_label, 1)
        top.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 2)
        layout.addLayout(top)
        layout.addWidget(self.bar)
        layout.addWidget(self.status_label)

    @property
    def finished(self) -> bool:
        return self.state not in (self.WAITING, self.RUNNING)

    def set_progress(self, done: int, total: int) -> None:
        self.state = self.RUNNING
        self.done, self.total = done, total
        self.bar.setValue(PROGRESS_STEPS * done // total if total else 0)
        if not self.cancel_requested:
            self.status_label.setText(
                self.tr("Adding… {done} of {total}").format(done=data_size(done), total=data_size(total))
            )

    def request_cancel(self) -> None:
        self.cancel_requested = True
        self.token.cancel()
        self.cancel_button.setEnabled(False)
        self.status_label.setText(self.tr("Cancelling…"))

    def finish(self, state: int, message: str) -> None:
        self.state = state
        if state in (self.STORED, self.DUPLICATE):
            self.done = self.total
            self.bar.setValue(PROGRESS_STEPS)
        self.status_label.setText(message)
        self.cancel_button.hide()


class EvidencePanel(QWidget):
    """The evidence of one case, and intake into it.

    ``vault`` is the unlocked ``Vault`` (or any object with an ``evidence``
    service). ``open_files_dialog(parent, caption) -> [paths]`` replaces the file
    picker in tests."""

    item_activated = Signal(str)  # evidence id: the user opened an item (Enter, double-click, Open)
    intake_finished = Signal(object)  # IntakeStored | IntakeFailed | IntakeStopped, after the panel showed it
    intake_idle = Signal()  # every file given has its outcome
    intake_progress = Signal(object)  # IntakeProgress, as a row shows it

    def __init__(
        self,
        vault: Any,
        case_id: str | None = None,
        *,
        open_files_dialog: OpenFilesDialog | None = None,
        parent: QWidget | None = None,
        tasks: TaskRunner | None = None,
    ) -> None:
        super().__init__(parent)
        self._vault = vault
        # The window's runner; a panel shown alone (tests) has its own.
        self.tasks = tasks if tasks is not None else TaskRunner(self)
        self._case_id: str | None = None
        self._open_files_dialog = open_files_dialog or ask_open_files
        self._tickets = itertools.count(1)
        self._rows: dict[int, IntakeRow] = {}
        self._queue: deque[int] = deque()
        self._running: int | None = None
        # The running intake (one at a time): clear() waits for exactly it.
        self._handle: TaskHandle | None = None
        # Tickets queued while "Move into the vault" was ticked: as the user
        # chose when adding them, whatever the box says later.
        self._moving: set[int] = set()

        self.setAcceptDrops(True)
        self.heading = bold_label(self.tr("Evidence"))
        self._hint_text = self.tr(
            "Drag files here, or use the Add files button. "
            "Folders are not added: open them and select the files."
        )
        self.drop_hint = plain_label(self._hint_text)

        self.evidence_list = QTreeWidget()
        self.evidence_list.setAccessibleName(self.tr("Evidence of the case"))
        self.evidence_list.setColumnCount(4)
        self.evidence_list.setHeaderLabels(
            [self.tr("Name"), self.tr("Type"), self.tr("Size"), self.tr("SHA-256")]
        )
        self.evidence_list.setRootIsDecorated(False)
        self.evidence_list.setUniformRowHeights(True)
        self.evidence_list.setAlternatingRowColors(True)
        self.evidence_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.evidence_list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.evidence_list.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(NAME_COLUMN, QHeaderView.ResizeMode.Stretch)
        for column in (TYPE_COLUMN, SIZE_COLUMN, SHA_COLUMN):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)

        self.add_button = QPushButton(icon("add-evidence"), self.tr("&Add files…"))
        self.add_button.setAccessibleName(self.tr("Add files to the case"))
        self.open_button = QPushButton(icon("view"), self.tr("&Open"))
        self.open_button.setAccessibleName(self.tr("Open the selected evidence"))
        self.open_button.setToolTip(self.tr("Enter or a double-click also opens it."))
        self.move_box = QCheckBox(self.tr("&Move into the vault"))
        self.move_box.setAccessibleName(self.tr("Move the files into the vault"))
        self.move_box.setToolTip(
            self.tr(
                "Delete each original once the same bytes are checked in the vault, also when "
                "they already were. On SSDs and memory cards this is not a secure erase."
            )
        )
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.move_box)
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)

        self.message = plain_label()
        self.message.setAccessibleName(self.tr("Evidence messages"))
        self.message.hide()

        # -- intake: overall progress, then one row per file ---------------------
        self.overall_label = plain_label()
        self.overall_bar = QProgressBar()
        self.overall_bar.setRange(0, PROGRESS_STEPS)
        self.overall_bar.setAccessibleName(self.tr("Overall progress"))
        self.cancel_all_button = QPushButton(icon("cancel"), self.tr("Cancel all"))
        self.cancel_all_button.setAccessibleName(self.tr("Cancel adding all files"))
        overall = QHBoxLayout()
        overall.addWidget(self.overall_bar, 1)
        overall.addWidget(self.cancel_all_button)
        self.rows_widget = QWidget()
        self.rows_layout = QVBoxLayout(self.rows_widget)
        self.rows_layout.setContentsMargins(0, 0, 0, 0)
        self.rows_layout.addStretch(1)
        rows_scroll = QScrollArea()
        rows_scroll.setWidgetResizable(True)
        rows_scroll.setWidget(self.rows_widget)
        rows_scroll.setMaximumHeight(220)
        rows_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.intake_box = QWidget()
        intake_layout = QVBoxLayout(self.intake_box)
        intake_layout.setContentsMargins(0, 0, 0, 0)
        intake_layout.addWidget(self.overall_label)
        intake_layout.addLayout(overall)
        intake_layout.addWidget(rows_scroll)
        self.intake_box.hide()

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.drop_hint)
        layout.addWidget(self.evidence_list, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addWidget(self.intake_box)

        self.add_button.clicked.connect(self.choose_files)
        self.open_button.clicked.connect(self.open_selected)
        self.cancel_all_button.clicked.connect(self.cancel_all)
        # Enter (and a double-click) activate an item; Delete does nothing here.
        self.evidence_list.itemActivated.connect(self._on_item_activated)
        self.evidence_list.itemSelectionChanged.connect(self._update_buttons)

        self.set_case(case_id)

    # -- the case ---------------------------------------------------------------

    @property
    def case_id(self) -> str | None:
        return self._case_id

    @property
    def is_busy(self) -> bool:
        """True while a file is being added or waits for its turn."""
        return self._running is not None or bool(self._queue)

    def set_case(self, case_id: str | None) -> None:
        """Show another case (None: none). Files already being added keep going
        into the case they were given for."""
        if case_id != self._case_id:
            self._case_id = case_id
            self._show_message("")
            self._remove_finished_rows()
        self.reload()

    def reload(self, select_id: str | None = None) -> None:
        """Re-read the case's items from the vault (milliseconds: GUI thread)."""
        select_id = select_id or self.selected_evidence_id()
        self.evidence_list.blockSignals(True)
        self.evidence_list.clear()
        chosen: QTreeWidgetItem | None = None
        if self._vault is not None and self._case_id is not None:
            purged: set[str] = set()
            try:
                items = self._vault.evidence.list(self._case_id)
                purged = EvidencePurge.of(self._vault).purged_evidence_ids()
            except FieldvaultError as err:
                items = []
                self._show_message(error_message(err))
            for evidence in items:
                row = self._list_item(evidence, purged=evidence.id in purged)
                self.evidence_list.addTopLevelItem(row)
                if evidence.id == select_id:
                    chosen = row
        if chosen is not None:
            self.evidence_list.setCurrentItem(chosen)
            self.evidence_list.scrollToItem(chosen)
        self.evidence_list.blockSignals(False)
        self._update_buttons()

    def _list_item(self, evidence: EvidenceItem, *, purged: bool = False) -> QTreeWidgetItem:
        # A purged item's bytes were delivered and removed (docs/sync.md): the
        # list says so where the size would be, and greys the row.
        size = self.tr("Delivered, not on this laptop") if purged else data_size(evidence.size)
        row = QTreeWidgetItem(
            [
                evidence.original_name or self.tr("(no name)"),
                evidence.mime_type,
                size,
                evidence.sha256[:SHORT_SHA_LENGTH] + "…",
            ]
        )
        if purged:
            for column in range(row.columnCount()):
                row.setForeground(column, self.palette().brush(QPalette.ColorRole.PlaceholderText))
            row.setToolTip(SIZE_COLUMN, data_size(evidence.size))
        row.setData(NAME_COLUMN, ID_ROLE, evidence.id)
        row.setTextAlignment(SIZE_COLUMN, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        row.setToolTip(SHA_COLUMN, evidence.sha256)
        return row

    def selected_evidence_id(self) -> str | None:
        item = self.evidence_list.currentItem()
        return None if item is None else str(item.data(NAME_COLUMN, ID_ROLE))

    def evidence_ids(self) -> list[str]:
        items = (self.evidence_list.topLevelItem(i) for i in range(self.evidence_list.topLevelItemCount()))
        return [str(item.data(NAME_COLUMN, ID_ROLE)) for item in items if item is not None]

    @Slot()
    def open_selected(self) -> None:
        evidence_id = self.selected_evidence_id()
        if evidence_id is not None:
            self.item_activated.emit(evidence_id)

    def _on_item_activated(self, item: QTreeWidgetItem, _column: int) -> None:
        self.item_activated.emit(str(item.data(NAME_COLUMN, ID_ROLE)))

    def _update_buttons(self) -> None:
        self.add_button.setEnabled(self._vault is not None and self._case_id is not None)
        self.open_button.setEnabled(self.evidence_list.currentItem() is not None)

    # -- dropping and choosing files ------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt's name
        if self._case_id is not None and event.mimeData().hasUrls():
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
            self.drop_hint.setText(self.tr("Release to add the files to this case."))
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802 - Qt's name
        if self._case_id is not None and event.mimeData().hasUrls():
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
        else:
            event.ignore()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:  # noqa: N802 - Qt's name
        self.drop_hint.setText(self._hint_text)
        event.accept()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt's name
        self.drop_hint.setText(self._hint_text)
        mime = event.mimeData()
        if self._case_id is None or not mime.hasUrls():
            event.ignore()
            return
        # Copied, never moved by the file manager: with "Move into the vault"
        # the vault itself deletes the original, after checking its copy.
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        urls = mime.urls()
        local = [url.toLocalFile() for url in urls if url.isLocalFile()]
        self.add_files(local, not_local=len(urls) - len(local))

    @Slot()
    def choose_files(self) -> None:
        if self._case_id is None:
            return
        paths = self._open_files_dialog(self, self.tr("Add evidence files"))
        if paths:
            self.add_files(paths)

    def add_files(self, paths: Iterable[str | Path], *, not_local: int = 0) -> int:
        """Queue files for intake into the current case; returns how many.

        Folders and anything that is not a regular file are skipped, with a
        message (see the module's docstring)."""
        if self._vault is None:
            return 0
        if self._case_id is None:
            self._show_message(self.tr("Choose a case first."))
            return 0
        if not self.is_busy:
            self._remove_finished_rows()  # a new batch
        folders = 0
        not_files: list[str] = []
        queued = 0
        for raw in paths:
            path = Path(raw)
            try:
                if path.is_dir():
                    folders += 1
                    continue
                if not path.is_file():
                    not_files.append(path.name or str(path))
                    continue
                size = path.stat().st_size
            except OSError:
                not_files.append(path.name or str(path))
                continue
            self._queue_file(path, size)
            queued += 1
        problems = []
        if folders:
            problems.append(
                self.tr(
                    "Folders are not added (skipped folders: {count}). "
                    "Open the folder and select the files in it."
                ).format(count=folders)
            )
        if not_files:
            problems.append(self.tr("Not files, skipped: {names}").format(names=", ".join(not_files)))
        if not_local:
            problems.append(
                self.tr("Only files on this computer can be added (skipped: {count}).").format(
                    count=not_local
                )
            )
        self._show_message("\n".join(problems))
        if queued:
            self.intake_box.show()
            self._update_overall()
            self._start_next()
        return queued

    def _queue_file(self, path: Path, size: int) -> None:
        assert self._case_id is not None
        ticket = next(self._tickets)
        row = IntakeRow(ticket, path, size, self._case_id)
        row.cancel_button.clicked.connect(lambda: self.cancel(ticket))
        self._rows[ticket] = row
        self.rows_layout.insertWidget(self.rows_layout.count() - 1, row)
        self._queue.append(ticket)
        if self.move_box.isChecked():
            self._moving.add(ticket)

    def _start_next(self) -> None:
        if self._running is not None or self._vault is None:
            return
        while self._queue:
            ticket = self._queue.popleft()
            row = self._rows.get(ticket)
            if row is None or row.finished:
                continue
            self._running = ticket
            row.state = IntakeRow.RUNNING
            row.status_label.setText(self.tr("Starting…"))
            self._handle = self.tasks.start(
                Lane.INTAKE,
                Ingest(self._vault, ticket, row.path, row.case_id, remove_source=ticket in self._moving),
                partial(self._on_report, ticket),
                owner=self,
                cancel=row.token,
            )
            return
        self._update_overall()
        self.intake_idle.emit()

    # -- cancelling -----------------------------------------------------------------

    def cancel(self, ticket: int) -> None:
        """Cancel one file: a waiting one is never started, a running one stops
        at its next segment and leaves nothing in the vault."""
        row = self._rows.get(ticket)
        if row is None or row.finished:
            return
        if ticket == self._running:
            row.request_cancel()
            return
        row.token.cancel()
        row.cancel_requested = True
        row.finish(IntakeRow.CANCELLED, self.tr("Cancelled. Nothing was added."))
        self._update_overall()

    @Slot()
    def cancel_all(self) -> None:
        for ticket in list(self._rows):
            self.cancel(ticket)

    # -- reports from the workers ------------------------------------------------------

    def _current_row(self, ticket: int) -> IntakeRow | None:
        # Reports for rows that are gone (cleared, or another batch) are dropped.
        return self._rows.get(ticket) if ticket == self._running else None

    def _on_report(self, ticket: int, report: TaskReport) -> None:
        if report.state == "progress":
            assert isinstance(report.value, IntakeProgress)
            self._on_progress(report.value)
        elif report.state == "succeeded":
            result: Any = report.value
            self._on_stored(stored_report(ticket, result, remove_source=ticket in self._moving))
        elif report.state == "failed" and report.failure is not None:
            self._on_failed(IntakeFailed(ticket, report.failure.error_type, failure_text(report.failure)))
        else:
            self._on_cancelled(IntakeStopped(ticket))

    def _on_progress(self, report: IntakeProgress) -> None:
        row = self._current_row(report.ticket)
        if row is not None:
            row.set_progress(report.done, report.total)
            self._update_overall()
            self.intake_progress.emit(report)

    def _on_stored(self, report: IntakeStored) -> None:
        row = self._current_row(report.ticket)
        if row is None:
            return
        if report.duplicate:
            text = self.tr("Already in this case: not added again.")
        elif report.supplied:
            text = self.tr("Added: the file this record was missing, now attached to it.")
        elif row.cancel_requested:
            text = self.tr("Added: it was complete before the cancel reached it.")
        else:
            text = self.tr("Added.")
        if report.source_removed:
            text += " " + self.tr("The original was deleted: the vault holds the same bytes.")
        elif report.source_kept == "changed":
            text += " " + self.tr("The original was kept: it changed while it was being added.")
        elif report.source_kept:
            text += " " + self.tr("The original was kept: the copy in the vault could not be checked.")
        row.finish(IntakeRow.DUPLICATE if report.duplicate else IntakeRow.STORED, text)
        if row.case_id == self._case_id:
            self.reload(select_id=report.evidence_id)
        self._outcome(report)

    def _on_failed(self, report: IntakeFailed) -> None:
        row = self._current_row(report.ticket)
        if row is None:
            return
        row.finish(IntakeRow.FAILED, self.tr("Not added: {reason}").format(reason=report.message))
        self._outcome(report)

    def _on_cancelled(self, report: IntakeStopped) -> None:
        row = self._current_row(report.ticket)
        if row is None:
            return
        row.finish(IntakeRow.CANCELLED, self.tr("Cancelled. Nothing was added."))
        self._outcome(report)

    def _outcome(self, report: IntakeOutcome) -> None:
        self._running = None
        self._update_overall()
        self.intake_finished.emit(report)
        self._start_next()

    def _update_overall(self) -> None:
        rows = list(self._rows.values())
        if not rows:
            self.intake_box.hide()
            return
        finished = sum(1 for row in rows if row.finished)
        total = sum(row.total for row in rows)
        done = sum(row.total if row.finished else row.done for row in rows)
        # Bytes when there are any; otherwise (empty files) files.
        self.overall_bar.setValue(
            PROGRESS_STEPS * done // total if total else PROGRESS_STEPS * finished // len(rows)
        )
        self.overall_label.setText(
            self.tr("Files done: {finished} of {count}").format(finished=finished, count=len(rows))
        )
        self.cancel_all_button.setEnabled(finished < len(rows))

    def intake_rows(self) -> list[IntakeRow]:
        return list(self._rows.values())

    def _remove_finished_rows(self) -> None:
        for ticket, row in list(self._rows.items()):
            if row.finished:
                del self._rows[ticket]
                self._drop_widget(row)
        self._update_overall()

    @staticmethod
    def _drop_widget(widget: QWidget) -> None:
        widget.hide()
        widget.setParent(None)  # no longer a child now, deleted at the next turn of the loop
        widget.deleteLater()

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    # -- locking ------------------------------------------------------------------------

    def clear(self) -> bool:
        """Cancel every intake, wait (briefly) for the running one to stop, empty
        every widget and forget the vault. The panel is inert afterwards.

        Returns False if the running intake did not stop within CLEAR_WAIT_MS."""
        self._queue.clear()
        for row in self._rows.values():
            row.token.cancel()
        handle, self._handle = self._handle, None
        stopped = True
        if handle is not None:
            self.tasks.forget(handle)  # what it reports now is for nobody
            stopped = handle.wait(CLEAR_WAIT_MS / 1000)
        self._running = None
        for row in self._rows.values():
            self._drop_widget(row)
        self._rows.clear()
        self.evidence_list.blockSignals(True)
        self.evidence_list.clear()
        self.evidence_list.blockSignals(False)
        self._show_message("")
        self.overall_label.clear()
        self.overall_bar.setValue(0)
        self.intake_box.hide()
        self.drop_hint.setText(self._hint_text)
        self._case_id = None
        self._vault = None
        self._update_buttons()
        return stopped
