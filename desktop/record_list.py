"""The list every part of the vault screen shows records in (cases,
testimonies, incidents, persons), and the list-beside-its-form layout of a
case's tabs.

A ``RecordList`` is a one-column table view that looks and behaves as a list,
over a ``LazyRecordModel``: a case of 100,000 testimonies is read one page
(200 rows) at a time, as the list is scrolled, and a row keeps only the
record's id and label, never its narrative (docs/development.md, "Long lists").
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from operator import itemgetter

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from db.api import FieldvaultError
from desktop.messages import error_message
from desktop.models import LazyRecordModel

# What a row of a list keeps of its record: (id, text shown). A testimony's
# narrative is read with its page and dropped; only the editor holds the one
# testimony that is open. A plain tuple of two strings on purpose: Python's
# cycle collector stops tracking such tuples, so 100,000 loaded rows add
# nothing to its full collections (a dataclass or named tuple per row made
# each of those ~100 ms, a stalled scroll step).
ListEntry = tuple[str, str]


def list_entry(record_id: str, text: str) -> ListEntry:
    return (record_id, text)


class RecordList(QTableView):
    """A list of records: one column, no headers or grid, rows of one height,
    a row selected whole; Tab leaves it, Home and End go to the first and last
    row read, as in a list.

    A table view rather than a ``QListView`` because of how each lays out
    rows appended by ``fetchMore``: QListView lays out every row again, asking
    the (Python) model once or twice per row, so with 100,000 rows read each
    new page cost 0.1-0.3 s; a table with fixed row heights costs the same
    few milliseconds for every page (benchmarks/bench_gui.py measures both).

    Selection changes the code makes inside ``quietly()`` are not the user's:
    whoever listens to ``currentChanged`` checks ``is_quiet`` and ignores them.
    """

    fetch_failed = Signal(str)  # a page could not be read (e.g. locked): the message for the user

    def __init__(self, model: LazyRecordModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._quiet = 0
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setCornerButtonEnabled(False)
        self.setTabKeyNavigation(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.horizontalHeader().hide()
        self.horizontalHeader().setStretchLastSection(True)
        rows = self.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # never measures a row
        rows.setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.setModel(model)
        self.records = model
        model.fetch_failed.connect(self._on_fetch_failed)

    @classmethod
    def of_entries(cls, page_size: int) -> RecordList:
        """A list over a new model of ``ListEntry`` rows, read ``page_size`` at a time."""
        model = LazyRecordModel(label=itemgetter(1), record_id=itemgetter(0), page_size=page_size)
        view = cls(model)
        model.setParent(view)
        return view

    def moveCursor(  # noqa: N802  (Qt's name)
        self, action: QAbstractItemView.CursorAction, modifiers: Qt.KeyboardModifier
    ) -> QModelIndex:
        # A table's Home/End go to the row's first/last column; a list's to its first/last row.
        if action in (QAbstractItemView.CursorAction.MoveHome, QAbstractItemView.CursorAction.MoveEnd):
            modifiers |= Qt.KeyboardModifier.ControlModifier
        return super().moveCursor(action, modifiers)

    def _on_fetch_failed(self, err: object) -> None:
        if isinstance(err, FieldvaultError):
            self.fetch_failed.emit(error_message(err))

    @contextmanager
    def quietly(self) -> Iterator[None]:
        """Selection changes made here do not count as the user's (no reload).
        The selection model's signals stay on: the view repaints from them."""
        self._quiet += 1
        try:
            yield
        finally:
            self._quiet -= 1

    @property
    def is_quiet(self) -> bool:
        return self._quiet > 0

    def current_record_id(self) -> str | None:
        index = self.currentIndex()
        return self.records.record_id(index.row()) if index.isValid() else None

    def show_first_page(self) -> None:
        """Read the first page now rather than at the view's next layout: the
        list never flashes empty. Further pages come as the view scrolls."""
        if self.records.canFetchMore(QModelIndex()) and self.records.rowCount() == 0:
            self.records.fetchMore(QModelIndex())

    def select_row(self, row: int) -> None:
        self.setCurrentIndex(self.records.index(row, 0))
        self.scrollTo(self.records.index(row, 0))

    def select_none(self) -> None:
        with self.quietly():
            self.setCurrentIndex(QModelIndex())
            self.clearSelection()

    def show_saved(self, entry: ListEntry) -> None:
        """A saved record's row changes in place, or a new one is appended
        (only counted when the list is not read to its end)."""
        with self.quietly():
            row = self.records.put_record(entry)
            if row >= 0:
                self.select_row(row)
            else:
                self.setCurrentIndex(QModelIndex())

    def restore_row(self, previous: QModelIndex | QPersistentModelIndex) -> None:
        """Put the selection back where it was (the user chose to stay)."""
        with self.quietly():
            if previous.isValid():
                self.setCurrentIndex(self.records.index(previous.row(), 0))
            else:
                self.setCurrentIndex(QModelIndex())
                self.clearSelection()

    def clear(self) -> None:
        """Forget every row (the vault is locking)."""
        with self.quietly():
            self.records.clear()

    def labels(self) -> list[str]:
        """The text of every row the list has loaded (tests, screen readers' view)."""
        return [str(self.records.index(row, 0).data()) for row in range(self.records.rowCount())]


def section_label(text: str) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return label


def list_beside_form(title: str, view: RecordList, new_button: QPushButton, form: QWidget) -> QSplitter:
    """A case's tab: the titled list with its New button, beside the form."""
    panel = QWidget()
    column = QVBoxLayout(panel)
    column.addWidget(section_label(title))
    column.addWidget(view, 1)
    column.addWidget(new_button)
    QWidget.setTabOrder(view, new_button)
    return side_by_side(panel, form, stretch=(1, 2))


def side_by_side(
    first: QWidget,
    second: QWidget,
    *,
    stretch: tuple[int, int] = (1, 1),
    orientation: Qt.Orientation = Qt.Orientation.Horizontal,
) -> QSplitter:
    """Two parts the user can resize, neither of which collapses to nothing."""
    splitter = QSplitter(orientation)
    splitter.addWidget(first)
    splitter.addWidget(second)
    for index, factor in enumerate(stretch):
        splitter.setStretchFactor(index, factor)
    splitter.setChildrenCollapsible(False)
    return splitter


def fill_widget(widget: QWidget, child: QWidget) -> None:
    """Lay ``child`` over the whole of ``widget``, with no margin."""
    layout = QVBoxLayout(widget)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(child)
