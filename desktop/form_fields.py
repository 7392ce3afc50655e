"""Fields more than one record form shows: violation types to tick, and a
partial date with how much of it is known.

Each is one widget class that is not subclassed, so its ``self.tr`` strings
translate under its own name (PySide looks a string up under the runtime
class only).
"""

from __future__ import annotations

from collections.abc import Collection

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSizePolicy,
    QWidget,
)

from db.api import PartialDateError, parse_partial_date, violation_types
from desktop.i18n import current_language

CODE_ROLE = Qt.ItemDataRole.UserRole


def ui_language() -> str:
    """The language of the vocabulary labels: the interface's, now. Not the one
    the app started in (FIELDVAULT_LANG, or the saved choice): a switch on the
    unlock screen changes it (QLocale's default follows i18n.switch_language)."""
    return current_language()


class ViolationTypesField(QListWidget):
    """The violation types of the vocabulary, each a row to tick (Space or a click)."""

    def __init__(self, language: str | None = None, *, rows: int = 6) -> None:
        super().__init__()
        self.setAccessibleName(self.tr("Violation types"))
        self.setToolTip(self.tr("Space ticks or unticks the highlighted type."))
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setUniformItemSizes(True)
        for violation in violation_types():
            text = violation.label(language or ui_language())
            item = QListWidgetItem(text)
            item.setData(CODE_ROLE, violation.code)
            item.setToolTip(text)
            item.setFlags(
                Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsUserCheckable
            )
            item.setCheckState(Qt.CheckState.Unchecked)
            self.addItem(item)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(self.sizeHintForRow(0) * rows + 2 * self.frameWidth())

    def _items(self) -> list[QListWidgetItem]:
        return [self.item(row) for row in range(self.count())]

    def checked(self) -> list[str]:
        """The codes ticked, in the vocabulary's order."""
        return [str(i.data(CODE_ROLE)) for i in self._items() if i.checkState() == Qt.CheckState.Checked]

    def set_checked(self, code: str, checked: bool = True) -> None:
        for item in self._items():
            if item.data(CODE_ROLE) == code:
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
                return
        raise KeyError(code)

    def check_only(self, codes: Collection[str]) -> None:
        """Tick these codes and untick the others (codes not listed are ignored)."""
        for item in self._items():
            checked = item.data(CODE_ROLE) in codes
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def untick_all(self) -> None:
        self.check_only(())
        self.clearSelection()


class PartialDateField(QWidget):
    """A line to type a date in (2022, 2022-03, 2022-03-15 or 15.03.2022) and,
    beside it, how much of a date that is ("month and year"), as it is typed.

    ``line`` is the field itself (a form row's buddy); ``add_widget`` puts more
    beside it (an "approximate" box)."""

    def __init__(self, accessible_name: str, precision_name: str) -> None:
        super().__init__()
        self.line = QLineEdit()
        self.line.setAccessibleName(accessible_name)
        self.line.setPlaceholderText(self.tr("2022, 2022-03 or 2022-03-15 (15.03.2022)"))
        self.line.setMaxLength(10)
        self.precision = QLabel()
        self.precision.setAccessibleName(precision_name)
        self.precision.setMinimumWidth(120)
        self._row = QHBoxLayout(self)
        self._row.setContentsMargins(0, 0, 0, 0)
        self._row.addWidget(self.line, 1)
        self._row.addWidget(self.precision)
        self.line.textChanged.connect(self._show_precision)
        self._show_precision("")

    def add_widget(self, widget: QWidget) -> None:
        self._row.addWidget(widget)

    def error_text(self, reason: str) -> str:
        """Why a typed date is refused (``PartialDateError.reason``), for its error label."""
        if reason == "month":
            return self.tr("There is no such month. Use 2022, 2022-03 or 2022-03-15.")
        if reason == "day":
            return self.tr("There is no such day in that month.")
        if reason == "future":
            return self.tr("This date is in the future.")
        if reason == "early":
            return self.tr("The year must be 1900 or later.")
        return self.tr("Type a year (2022), a month (2022-03) or a full date (2022-03-15 or 15.03.2022).")

    def _show_precision(self, text: str) -> None:
        try:
            precision = parse_partial_date(text).precision
        except PartialDateError:
            self.precision.setText(self.tr("not a date yet"))
            return
        names = {
            "unknown": self.tr("date unknown"),
            "year": self.tr("year only"),
            "month": self.tr("month and year"),
            "day": self.tr("exact day"),
        }
        self.precision.setText(names[precision])
