"""The screens before a vault is open: create it, see its recovery key once, unlock it.

Each screen only collects input and shows state; the window runs the slow work
(desktop/workers.py) and calls back ``set_busy``/``show_error``. Passphrase
fields are emptied as soon as their text has been handed over.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from db.keys import MIN_PASSPHRASE_CHARS
from desktop.strength import StrengthMeter

ERROR_STYLE = "color: #b00020;"


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.4)
    font.setBold(True)
    label.setFont(font)
    label.setAccessibleName(text)
    return label


def _wrapping_label(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def _passphrase_field(accessible_name: str) -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setAccessibleName(accessible_name)
    field.setInputMethodHints(
        Qt.InputMethodHint.ImhSensitiveData
        | Qt.InputMethodHint.ImhNoPredictiveText
        | Qt.InputMethodHint.ImhNoAutoUppercase
    )
    return field


def _busy_bar(accessible_name: str) -> QProgressBar:
    bar = QProgressBar()
    bar.setRange(0, 0)  # indeterminate: Argon2id gives no progress to report
    bar.setTextVisible(False)
    bar.setAccessibleName(accessible_name)
    bar.hide()
    return bar


def _centered_column(page: QWidget, width: int = 540) -> QVBoxLayout:
    """A fixed-width column in the middle of ``page``; returns its layout. The
    fixed width lets wrapped labels know their height."""
    column = QWidget()
    column.setFixedWidth(width)
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(column)
    row.addStretch(1)
    outer = QVBoxLayout(page)
    outer.addStretch(1)
    outer.addLayout(row)
    outer.addStretch(2)
    layout = QVBoxLayout(column)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(12)
    return layout


class CreateVaultPage(QWidget):
    """A new passphrase, typed twice. ``create_requested`` carries it once checked."""

    create_requested = Signal(str)

    def __init__(self, folder: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = _centered_column(self)
        layout.addWidget(_heading(self.tr("Create a vault")))
        self.intro = _wrapping_label(
            self.tr(
                "There is no vault in {folder} yet. Choose a passphrase of at least {count} "
                "characters. A long sentence that only you know is best."
            ).format(folder=folder, count=MIN_PASSPHRASE_CHARS)
        )
        layout.addWidget(self.intro)

        form = QFormLayout()
        self.passphrase = _passphrase_field(self.tr("New passphrase"))
        self.confirmation = _passphrase_field(self.tr("Repeat the passphrase"))
        self.strength = StrengthMeter()
        form.addRow(self.tr("&New passphrase:"), self.passphrase)
        form.addRow(self.tr("Strength:"), self.strength)
        form.addRow(self.tr("&Repeat it:"), self.confirmation)
        layout.addLayout(form)

        self.error = _wrapping_label()
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setAccessibleName(self.tr("Error"))
        self.error.hide()
        layout.addWidget(self.error)

        self.busy = _busy_bar(self.tr("Creating the vault"))
        layout.addWidget(self.busy)

        self.create_button = QPushButton(self.tr("Create vault"))
        self.create_button.setAccessibleName(self.tr("Create vault"))
        self.create_button.setDefault(True)
        layout.addWidget(self.create_button, 0, Qt.AlignmentFlag.AlignRight)

        self.passphrase.returnPressed.connect(self._on_first_entered)
        self.passphrase.textChanged.connect(self.strength.update_for)
        self.confirmation.returnPressed.connect(self.submit)
        self.create_button.clicked.connect(self.submit)
        self.setFocusProxy(self.passphrase)

    def _on_first_entered(self) -> None:
        if self.confirmation.text():
            self.submit()
        else:
            self.confirmation.setFocus()

    def submit(self) -> None:
        if self.is_busy:
            return
        passphrase = self.passphrase.text()
        if len(passphrase) < MIN_PASSPHRASE_CHARS:
            self.show_error(
                self.tr("The passphrase needs at least {count} characters.").format(
                    count=MIN_PASSPHRASE_CHARS
                )
            )
            self.passphrase.setFocus()
            return
        if passphrase != self.confirmation.text():
            self.show_error(self.tr("The two passphrases differ. Type them again."))
            self.confirmation.clear()
            self.confirmation.setFocus()
            return
        self.passphrase.clear()
        self.confirmation.clear()
        self.error.hide()
        self.set_busy(True)
        self.create_requested.emit(passphrase)

    @property
    def is_busy(self) -> bool:
        return not self.busy.isHidden()

    def set_busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        for widget in (self.passphrase, self.confirmation, self.create_button):
            widget.setEnabled(not busy)
        if not busy:
            self.passphrase.setFocus()

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def reset(self) -> None:
        self.passphrase.clear()
        self.confirmation.clear()
        self.strength.clear()
        self.error.clear()
        self.error.hide()
        self.set_busy(False)


SaveDialog = Callable[[QWidget, str, str], str]


def _ask_save_path(parent: QWidget, caption: str, suggested: str) -> str:
    from desktop.evidence_panel import forget_file_dialog_history

    path, _filter = QFileDialog.getSaveFileName(parent, caption, suggested)
    # Where the recovery key went is itself a secret worth keeping.
    forget_file_dialog_history()
    return path


class RecoveryKeyPage(QWidget):
    """The recovery key, shown once. Enter does not dismiss it: only the button
    does. It can be printed, or saved to a file the user chooses (say, on a
    USB stick kept elsewhere) — never anywhere by default."""

    acknowledged = Signal()

    def __init__(self, parent: QWidget | None = None, *, save_dialog: SaveDialog | None = None) -> None:
        super().__init__(parent)
        self._save_dialog = save_dialog or _ask_save_path
        layout = _centered_column(self, width=660)
        layout.addWidget(_heading(self.tr("Your recovery key")))
        layout.addWidget(
            _wrapping_label(
                self.tr(
                    "This key is shown only once. Write it on paper now and keep the paper apart "
                    "from this computer. If you forget your passphrase, the recovery key is the only "
                    "way back into the vault."
                )
            )
        )
        self.key_field = QLineEdit()
        self.key_field.setReadOnly(True)
        self.key_field.setAccessibleName(self.tr("Recovery key"))
        key_font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        key_font.setPointSizeF(key_font.pointSizeF() * 1.2)
        key_font.setWeight(QFont.Weight.DemiBold)
        self.key_field.setFont(key_font)
        layout.addWidget(self.key_field)

        self.notice = _wrapping_label()
        self.notice.setAccessibleName(self.tr("Keyring"))
        layout.addWidget(self.notice)

        self.save_button = QPushButton(self.tr("Save to a file…"))
        self.save_button.setAccessibleName(self.tr("Save the recovery key to a file"))
        self.save_button.setToolTip(
            self.tr("Choose a place away from this computer, such as a USB stick you keep elsewhere.")
        )
        self.print_button = QPushButton(self.tr("Print…"))
        self.print_button.setAccessibleName(self.tr("Print the recovery key"))
        self.done_button = QPushButton(self.tr("I have written it down"))
        self.done_button.setAccessibleName(self.tr("I have written it down"))
        self.save_status = _wrapping_label()
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.print_button)
        buttons.addStretch(1)
        buttons.addWidget(self.done_button)
        layout.addWidget(self.save_status)
        layout.addLayout(buttons)
        self.save_button.clicked.connect(self.save_to_file)
        self.print_button.clicked.connect(self.print_key)
        self.done_button.clicked.connect(self._on_done)

    def _key_document(self) -> str:
        return self.tr(
            "Fieldvault recovery key\n\n{key}\n\nWith this key and a copy of the vault, anyone can "
            "open it. Keep it apart from the computer.\n"
        ).format(key=self.key_field.text())

    def save_to_file(self) -> None:
        path = self._save_dialog(self, self.tr("Save the recovery key"), "fieldvault-recovery-key.txt")
        if not path:
            return
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(self._key_document())
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as err:
            self.save_status.setText(
                self.tr("Could not save the key ({reason}). Write it down instead.").format(
                    reason=err.strerror or type(err).__name__
                )
            )
            return
        self.save_status.setText(self.tr("Saved. Move that file away from this computer."))

    def print_key(self) -> None:
        from PySide6.QtGui import QTextDocument
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter()
        dialog = QPrintDialog(printer, self)
        if dialog.exec() == QPrintDialog.DialogCode.Accepted:
            document = QTextDocument()
            document.setPlainText(self._key_document())
            document.print_(printer)

    def show_key(self, recovery_key: str, notice: str) -> None:
        self.key_field.setText(recovery_key)
        self.key_field.setCursorPosition(0)
        self.notice.setText(notice)
        self.key_field.setFocus()

    def clear(self) -> None:
        self.key_field.clear()
        self.notice.clear()
        self.save_status.clear()

    def _on_done(self) -> None:
        self.clear()
        self.acknowledged.emit()


class UnlockPage(QWidget):
    """The passphrase of an existing vault. ``unlock_requested`` carries it."""

    unlock_requested = Signal(str)

    def __init__(self, folder: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = _centered_column(self)
        layout.addWidget(_heading(self.tr("Unlock the vault")))
        self.location = _wrapping_label(self.tr("Vault: {folder}").format(folder=folder))
        layout.addWidget(self.location)

        self.notice = _wrapping_label()
        self.notice.setAccessibleName(self.tr("Why the vault is locked"))
        self.notice.hide()
        layout.addWidget(self.notice)

        form = QFormLayout()
        self.passphrase = _passphrase_field(self.tr("Passphrase"))
        form.addRow(self.tr("&Passphrase:"), self.passphrase)
        layout.addLayout(form)

        self.error = _wrapping_label()
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setAccessibleName(self.tr("Error"))
        self.error.hide()
        layout.addWidget(self.error)

        self.busy = _busy_bar(self.tr("Unlocking"))
        layout.addWidget(self.busy)

        self.unlock_button = QPushButton(self.tr("Unlock"))
        self.unlock_button.setAccessibleName(self.tr("Unlock"))
        self.unlock_button.setDefault(True)
        layout.addWidget(self.unlock_button, 0, Qt.AlignmentFlag.AlignRight)

        self.passphrase.returnPressed.connect(self.submit)
        self.unlock_button.clicked.connect(self.submit)
        self.setFocusProxy(self.passphrase)

    def submit(self) -> None:
        if self.is_busy:
            return
        passphrase = self.passphrase.text()
        if not passphrase:
            self.show_error(self.tr("Type the vault's passphrase."))
            return
        self.passphrase.clear()
        self.error.hide()
        self.set_busy(True)
        self.unlock_requested.emit(passphrase)

    @property
    def is_busy(self) -> bool:
        return not self.busy.isHidden()

    def set_busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        self.passphrase.setEnabled(not busy)
        self.unlock_button.setEnabled(not busy)
        if not busy:
            self.passphrase.setFocus()

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def show_notice(self, message: str) -> None:
        """Why the vault locked by itself (idle, sleep, screen lock)."""
        self.notice.setText(message)
        self.notice.setVisible(bool(message))

    def reset(self) -> None:
        self.passphrase.clear()
        self.error.clear()
        self.error.hide()
        self.show_notice("")
        self.set_busy(False)
