"""Qt list models over the vault's services that fetch their rows page by page.

A case may hold 100,000 testimonies: loading them all to fill a list would take
seconds and hold every narrative in memory. ``LazyRecordModel`` asks its source
for one page when the view needs more rows (Qt's ``canFetchMore``/``fetchMore``,
which a view calls as its last row scrolls into sight), so only what was shown
is ever read.

The model is generic: it knows two plain callables, ``fetch(offset, limit)`` and
``count()``, and how to name a record and find its id. For the vault::

    model.set_source(
        lambda offset, limit: vault.testimonies.list(case_id, offset=offset, limit=limit),
        lambda: vault.testimonies.count(case_id),
    )

The services list records oldest first (by their insertion order, which an edit
does not change), so a new record always comes last: ``put_record`` relies on it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractListModel, QByteArray, QModelIndex, QPersistentModelIndex, Qt, Signal

from db.api import FieldvaultError

FetchPage = Callable[[int, int], Sequence[Any]]
CountRows = Callable[[], int]
ModelIndex = QModelIndex | QPersistentModelIndex

PAGE_SIZE = 200
ID_ROLE = Qt.ItemDataRole.UserRole
RECORD_ROLE = Qt.ItemDataRole.UserRole + 1
_LABEL_ROLES = (
    Qt.ItemDataRole.DisplayRole,
    Qt.ItemDataRole.ToolTipRole,
    Qt.ItemDataRole.AccessibleTextRole,
)


def default_label(record: Any) -> str:
    """A record's own short name (``Record.label()``: a testimony's title, a
    person's pseudonym), else its text."""
    label = getattr(record, "label", None)
    return str(label()) if callable(label) else str(record)


def default_record_id(record: Any) -> str:
    return str(getattr(record, "id", ""))


class LazyRecordModel(QAbstractListModel):
    """A flat list of records read page by page from ``fetch(offset, limit)``.

    Roles: DisplayRole (and ToolTip/AccessibleText) is ``label(record)``;
    ``ID_ROLE`` the record's id; ``RECORD_ROLE`` the record itself.
    """

    # The source raised a vault error (e.g. it was locked); the rows read so
    # far stay, and the model stops fetching until the next reset.
    fetch_failed = Signal(object)

    def __init__(
        self,
        fetch: FetchPage | None = None,
        count: CountRows | None = None,
        *,
        label: Callable[[Any], str] = default_label,
        record_id: Callable[[Any], str] = default_record_id,
        page_size: int = PAGE_SIZE,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        self._label = label
        self._record_id = record_id
        self.page_size = page_size
        self._fetch: FetchPage | None = None
        self._count: CountRows | None = None
        self._rows: list[Any] = []
        self._total = 0
        if fetch is not None and count is not None:
            self.set_source(fetch, count)

    # -- source ----------------------------------------------------------------

    def set_source(self, fetch: FetchPage | None, count: CountRows | None) -> None:
        """Show another list (another case, another record type): the model is
        reset and reads its total; the first page comes when a view asks."""
        self.beginResetModel()
        self._fetch = fetch
        self._count = count
        self._rows = []
        self._total = 0
        if fetch is not None and count is not None:
            try:
                self._total = max(0, int(count()))
            except FieldvaultError as err:
                self._fetch = None
                self.fetch_failed.emit(err)
        self.endResetModel()

    def reload(self) -> None:
        """Read the source again from its start (after a sync, a delete…)."""
        self.set_source(self._fetch, self._count)

    def clear(self) -> None:
        """Forget the source and every record (the vault is locking)."""
        self.set_source(None, None)

    def total(self) -> int:
        """How many rows the source has, loaded or not."""
        return self._total

    def loaded(self) -> int:
        return len(self._rows)

    # -- Qt's model interface ----------------------------------------------------

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008, N802  (Qt's API)
        return 0 if parent.isValid() else len(self._rows)

    def canFetchMore(self, parent: ModelIndex = QModelIndex()) -> bool:  # noqa: B008, N802
        return not parent.isValid() and self._fetch is not None and len(self._rows) < self._total

    def fetchMore(self, parent: ModelIndex = QModelIndex()) -> None:  # noqa: B008, N802
        if not self.canFetchMore(parent):
            return
        assert self._fetch is not None
        start = len(self._rows)
        wanted = min(self.page_size, self._total - start)
        try:
            page = list(self._fetch(start, wanted))[:wanted]
        except FieldvaultError as err:
            self._total = start
            self._fetch = None
            self.fetch_failed.emit(err)
            return
        if len(page) < wanted:
            self._total = start + len(page)  # the source shrank since it was counted
        if not page:
            return
        self.beginInsertRows(QModelIndex(), start, start + len(page) - 1)
        self._rows.extend(page)
        self.endInsertRows()

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        record = self._rows[index.row()]
        if role in _LABEL_ROLES:
            return self._label(record)
        if role == ID_ROLE:
            return self._record_id(record)
        if role == RECORD_ROLE:
            return record
        return None

    def roleNames(self) -> dict[int, QByteArray]:  # noqa: N802
        names = dict(super().roleNames())
        names[ID_ROLE] = QByteArray(b"recordId")
        names[RECORD_ROLE] = QByteArray(b"record")
        return names

    # -- records -----------------------------------------------------------------

    def record(self, row: int) -> Any:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def record_id(self, row: int) -> str | None:
        record = self.record(row)
        return None if record is None else self._record_id(record)

    def row_of(self, record_id: str) -> int:
        """The row of a loaded record, or -1 (records not yet fetched are not searched)."""
        for row, record in enumerate(self._rows):
            if self._record_id(record) == record_id:
                return row
        return -1

    def fetch_until(self, record_id: str) -> int:
        """Fetch pages until the record is loaded; its row, or -1 at the end.
        For opening a search hit: it reads as many pages as the record is deep."""
        row = self.row_of(record_id)
        while row < 0 and self.canFetchMore():
            before = len(self._rows)
            self.fetchMore()
            for offset, record in enumerate(self._rows[before:]):
                if self._record_id(record) == record_id:
                    return before + offset
        return row

    def put_record(self, record: Any) -> int:
        """Show a record just saved: replaced in place when loaded; a new one
        appended when everything before it is loaded, else only counted (it is
        last, so the view fetches it when scrolled there). Returns its row or -1."""
        row = self.row_of(self._record_id(record))
        if row >= 0:
            self._rows[row] = record
            index = self.index(row, 0)
            self.dataChanged.emit(index, index)
            return row
        if self._fetch is None:
            return -1
        self._total += 1
        if len(self._rows) < self._total - 1:
            return -1
        row = len(self._rows)
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.append(record)
        self.endInsertRows()
        return row

    def remove_record(self, record_id: str) -> None:
        """Drop a deleted record from the list."""
        row = self.row_of(record_id)
        if row < 0:
            if self._total > len(self._rows):
                self._total -= 1
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._rows[row]
        self._total -= 1
        self.endRemoveRows()
