"""The flat lists (a QTreeWidget with no tree) of the organisation and
coordinator dialogs: the devices (Devices…, Add a device…), the possible
duplicates and the decisions about them, the acknowledgements written, and
dialog_parts.ItemResults' files. Made with what a screen reader calls them
and their headers; their rows read as a user sees them (tests read them so);
a row found by the id it carries.

Every text is given by the dialog, already translated by its own
``self.tr`` (see desktop/dialog_parts.py for why).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem

# Where a row keeps the id of what it shows (a device, a pair, a decision).
ID_ROLE = Qt.ItemDataRole.UserRole


def item_list(
    name: str, headers: Sequence[str], widths: Sequence[int] = (), *, word_wrap: bool = False
) -> QTreeWidget:
    """A list with ``headers``; ``widths`` of its first columns in pixels
    (the last one takes what is left); ``word_wrap`` for long results."""
    tree = QTreeWidget()
    tree.setAccessibleName(name)
    tree.setHeaderLabels(list(headers))
    tree.setRootIsDecorated(False)
    if word_wrap:
        tree.setWordWrap(True)
    for column, width in enumerate(widths):
        tree.setColumnWidth(column, width)
    return tree


def rows(tree: QTreeWidget) -> list[QTreeWidgetItem]:
    """The list's rows, top to bottom."""
    found = []
    for index in range(tree.topLevelItemCount()):
        item = tree.topLevelItem(index)
        assert item is not None, index
        found.append(item)
    return found


def row_texts(tree: QTreeWidget) -> list[list[str]]:
    """Each row's cells as shown."""
    return [[item.text(column) for column in range(tree.columnCount())] for item in rows(tree)]


def row_with(tree: QTreeWidget, column: int, item_id: object) -> QTreeWidgetItem:
    """The row whose ``column`` carries ``item_id`` (ID_ROLE); KeyError when none does."""
    for item in rows(tree):
        if item.data(column, ID_ROLE) == item_id:
            return item
    raise KeyError(item_id)
