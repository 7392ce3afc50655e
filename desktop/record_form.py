"""What the incident and person forms share: an error label under each field,
a core refusal mapped to the field it names, and the question asked before a
record is deleted.

Small on purpose; the testimony editor keeps its own (drafts, a longer form).
Tests replace ``confirm_delete`` to answer the question without a dialog.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QSizePolicy, QVBoxLayout, QWidget

from db.api import InvalidInput


def refused_field(error: InvalidInput) -> str | None:
    """The record field a refusal of the vault concerns, if any (its ``field``,
    never read from its English text)."""
    return error.field


def error_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setStyleSheet("color: #b00020;")
    label.setAccessibleName(QCoreApplication.translate("RecordForm", "Error"))
    label.hide()
    return label


def with_error(shown: QWidget, error: QLabel) -> QWidget:
    """``shown`` with ``error`` under it, as one form row."""
    box = QWidget()
    column = QVBoxLayout(box)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(2)
    column.addWidget(shown)
    column.addWidget(error)
    if shown.minimumHeight() and shown.minimumHeight() == shown.maximumHeight():
        # A field of fixed height (the notes): the row keeps its height, else
        # spare height centred the field far below its label.
        box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
    return box


def confirm_delete(parent: QWidget, title: str, question: str) -> bool:
    """Ask before deleting; No is the default answer (Enter keeps the record).

    The box is a child of ``parent``: ``close_questions(parent)`` (on lock)
    answers No for the user, and a caller must check afterwards that what it
    asked about is still open."""
    box = QMessageBox(
        QMessageBox.Icon.Question,
        title,
        question,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        parent,
    )
    box.setDefaultButton(QMessageBox.StandardButton.No)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    return bool(box.exec() == QMessageBox.StandardButton.Yes.value)


def close_questions(parent: QWidget) -> None:
    """Answer No to any question still open over ``parent`` (the vault is locking)."""
    for box in parent.findChildren(QMessageBox):
        box.reject()


def ask_unsaved(parent: QWidget, title: str, question: str) -> str:
    """Before unsaved edits would be replaced: "save", "discard" or "cancel"
    (Cancel is the default: Enter or Escape keeps the edits on screen).

    A child of ``parent`` like ``confirm_delete``: a lock closes it, and the
    answer is then "cancel"."""
    box = QMessageBox(
        QMessageBox.Icon.Question,
        title,
        question,
        QMessageBox.StandardButton.Save
        | QMessageBox.StandardButton.Discard
        | QMessageBox.StandardButton.Cancel,
        parent,
    )
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.setEscapeButton(QMessageBox.StandardButton.Cancel)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    answer = box.exec()
    if answer == QMessageBox.StandardButton.Save.value:
        return "save"
    if answer == QMessageBox.StandardButton.Discard.value:
        return "discard"
    return "cancel"
