"""The screens before a vault is open: create it, see its recovery key once, unlock it.

Each screen only collects input and shows state; the window runs the slow work
(desktop/workers.py) and calls back ``set_busy``/``show_error``. Passphrase
fields are emptied as soon as their text has been handed over.

The first run is: create vault (with the language choice at the top) →
recovery key → vault view. The language is chosen on the create page itself,
not on a page before it: the choice applies at once (the pages re-translate
themselves on LanguageChange, keeping what was typed) and can be changed again
on the unlock page. A later "join an organisation" step (import the org
profile, compare its fingerprint, give the enrolment token, as
``fieldvault enrol`` does) belongs after the recovery key: enrolling needs the
open vault's device identity. It will be a page of its own here, skippable, and
the window's ``_finish_first_run`` is where it goes in.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
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

from db.api import MIN_PASSPHRASE_CHARS, FieldvaultError
from desktop.i18n import LANGUAGES, Retranslating, current_language
from desktop.icons import icon
from desktop.strength import PassphraseSuggestion, StrengthMeter
from desktop.wipe_confirmation import WipeConfirmation

if TYPE_CHECKING:
    from db.api import Argon2Params

ERROR_STYLE = "color: #b00020;"
# A message shown on a page: a text, or how to make it again in the current
# language (so that it follows a language switch).
Message = str | Callable[[], str]


def _heading(text: str = "") -> QLabel:
    label = QLabel()
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.4)
    font.setBold(True)
    label.setFont(font)
    _set_heading(label, text)
    return label


def _set_heading(label: QLabel, text: str) -> None:
    label.setText(text)
    label.setAccessibleName(text)


def _text_of(message: Message) -> str:
    return message() if callable(message) else message


class LanguageChooser(Retranslating, QWidget):
    """The interface language, each named in itself. ``language_chosen(code)``
    when the user picks another one; the window switches the language."""

    language_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel()
        self.combo = QComboBox()
        for code, name in LANGUAGES:
            self.combo.addItem(name, code)
        self.label.setBuddy(self.combo)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addStretch(1)
        layout.addWidget(self.label)
        layout.addWidget(self.combo)
        self.retranslate()
        self.combo.currentIndexChanged.connect(self._on_changed)

    def retranslate(self) -> None:
        self.label.setText(self.tr("&Language:"))
        self.combo.setAccessibleName(self.tr("Language of the interface"))
        self.combo.setToolTip(self.tr("Applies at once, and at the next start."))
        # The box shows the language the interface is in: after a switch, the new one.
        self.show_current()

    def show_current(self) -> None:
        """Select the language the interface is in (without emitting)."""
        blocked = self.combo.blockSignals(True)
        self.combo.setCurrentIndex(max(0, self.combo.findData(current_language())))
        self.combo.blockSignals(blocked)

    def choose(self, code: str) -> None:
        """As if the user picked ``code`` in the box."""
        self.combo.setCurrentIndex(self.combo.findData(code))

    @Slot(int)
    def _on_changed(self, index: int) -> None:
        code = str(self.combo.itemData(index))
        if code != current_language():
            self.language_chosen.emit(code)


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


class WaitingPage(Retranslating, QWidget):
    """A screen that collects input, then waits while the window runs the
    slow work (Argon2id): its error line, whose message is made again after a
    language switch, and its busy bar. The page places them
    (``add_error_and_busy``) and names them in its own ``retranslate``."""

    def add_error_and_busy(self, layout: QVBoxLayout) -> None:
        self._error: Message = ""
        self.error = _wrapping_label()
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.hide()
        layout.addWidget(self.error)
        self.busy = _busy_bar("")
        layout.addWidget(self.busy)

    @property
    def is_busy(self) -> bool:
        return not self.busy.isHidden()

    def show_error(self, message: Message) -> None:
        """A text, or a function that makes it (then it follows a language switch)."""
        self._error = message
        self.error.setText(_text_of(message))
        self.error.show()

    def retranslate_error(self) -> None:
        if not self.error.isHidden():
            self.error.setText(_text_of(self._error))

    def clear_error(self) -> None:
        self._error = ""
        self.error.clear()
        self.error.hide()


class NewPassphraseRows:
    """A new passphrase typed twice, judged by the passphrase rule as it is
    typed (db/passphrase_policy.py, at ``argon2``'s cost), and a suggested
    passphrase while it fails: what creating a vault and recovering one both
    ask. The page adds the rows to its form (``add_to``) and ``suggestion``
    below, enables its button on ``strength.verdict_changed`` and gives the
    words (``set_texts``) from its own ``retranslate``, so that they stay in
    the page's translation context."""

    def __init__(self, argon2: Argon2Params | None = None) -> None:
        self.passphrase = _passphrase_field("")
        self.confirmation = _passphrase_field("")
        self.strength = StrengthMeter(argon2=argon2)
        self.suggestion = PassphraseSuggestion()
        self.passphrase_label = QLabel()
        self.passphrase_label.setBuddy(self.passphrase)
        self.strength_label = QLabel()
        self.confirmation_label = QLabel()
        self.confirmation_label.setBuddy(self.confirmation)
        self.passphrase.textChanged.connect(self.strength.update_for)
        self.suggestion.use_requested.connect(self._use_suggestion)

    def add_to(self, form: QFormLayout) -> None:
        form.addRow(self.passphrase_label, self.passphrase)
        form.addRow(self.strength_label, self.strength)
        form.addRow(self.confirmation_label, self.confirmation)

    def set_texts(
        self,
        *,
        passphrase: str,
        passphrase_name: str,
        strength: str,
        confirmation: str,
        confirmation_name: str,
    ) -> None:
        """The labels' words (with their &-shortcuts) and the fields' accessible names."""
        self.passphrase_label.setText(passphrase)
        self.passphrase.setAccessibleName(passphrase_name)
        self.strength_label.setText(strength)
        self.confirmation_label.setText(confirmation)
        self.confirmation.setAccessibleName(confirmation_name)

    def show_verdict(self, acceptable: bool) -> None:
        """A suggestion while a typed passphrase fails the rule; a screen
        reader says the verdict with the field, before the page's button."""
        self.suggestion.offer(bool(self.passphrase.text()) and not acceptable)
        self.passphrase.setAccessibleDescription(self.strength.verdict.text())

    def _use_suggestion(self, words: str) -> None:
        self.passphrase.setText(words)
        self.confirmation.setText(words)

    def refused(self, show_error: Callable[[Message], None], differ: Message) -> bool:
        """Whether the typed passphrase cannot be used (the rule refuses it,
        or the repetition ``differ``s), after saying why with the page's
        ``show_error`` and putting the focus where it is to be fixed."""
        if not self.strength.acceptable:
            from desktop.messages import error_message

            refusal = guessable_refusal()
            show_error(lambda: error_message(refusal))
            self.passphrase.setFocus()
            return True
        if self.passphrase.text() != self.confirmation.text():
            show_error(differ)
            self.confirmation.clear()
            self.confirmation.setFocus()
            return True
        return False

    def forget(self) -> None:
        """Empty both fields and the suggestion (once handed over, or at a reset)."""
        self.passphrase.clear()
        self.confirmation.clear()
        self.suggestion.forget()


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


class CreateVaultPage(WaitingPage):
    """A new passphrase, typed twice. ``create_requested`` carries it once checked.

    The interface language is chosen at the top (``language_chooser``)."""

    create_requested = Signal(str)

    def __init__(
        self, folder: Path, parent: QWidget | None = None, *, argon2: Argon2Params | None = None
    ) -> None:
        super().__init__(parent)
        self._folder = folder
        layout = _centered_column(self)
        self.language_chooser = LanguageChooser()
        layout.addWidget(self.language_chooser)
        self.heading = _heading()
        layout.addWidget(self.heading)
        self.intro = _wrapping_label()
        layout.addWidget(self.intro)

        form = QFormLayout()
        # The passphrase rule (db/passphrase_policy.py): Create stays disabled until it passes.
        self.new_passphrase = NewPassphraseRows(argon2)
        self.new_passphrase.add_to(form)
        self.passphrase, self.confirmation = self.new_passphrase.passphrase, self.new_passphrase.confirmation
        self.strength, self.suggestion = self.new_passphrase.strength, self.new_passphrase.suggestion
        self.passphrase_label = self.new_passphrase.passphrase_label
        layout.addLayout(form)
        layout.addWidget(self.suggestion)
        self.add_error_and_busy(layout)

        self.create_button = QPushButton()
        self.create_button.setIcon(icon("new-vault"))
        self.create_button.setDefault(True)
        layout.addWidget(self.create_button, 0, Qt.AlignmentFlag.AlignRight)
        self.retranslate()

        self.passphrase.returnPressed.connect(self._on_first_entered)
        self.strength.verdict_changed.connect(self._on_verdict)
        self.suggestion.use_requested.connect(lambda _words: self.create_button.setFocus())
        self._on_verdict(False)
        self.confirmation.returnPressed.connect(self.submit)
        self.create_button.clicked.connect(self.submit)
        self.setFocusProxy(self.passphrase)

    def retranslate(self) -> None:
        """Every text in the current language; what was typed stays."""
        _set_heading(self.heading, self.tr("Create a vault"))
        self.intro.setText(
            self.tr(
                "There is no vault in {folder} yet. Choose a passphrase of at least {count} "
                "characters. A long sentence that only you know is best."
            ).format(folder=self._folder, count=MIN_PASSPHRASE_CHARS)
        )
        self.new_passphrase.set_texts(
            passphrase=self.tr("&New passphrase:"),
            passphrase_name=self.tr("New passphrase"),
            strength=self.tr("Strength:"),
            confirmation=self.tr("&Repeat it:"),
            confirmation_name=self.tr("Repeat the passphrase"),
        )
        self.error.setAccessibleName(self.tr("Error"))
        self.busy.setAccessibleName(self.tr("Creating the vault"))
        self.create_button.setText(self.tr("Create vault"))
        self.create_button.setAccessibleName(self.tr("Create vault"))
        self.retranslate_error()

    def _on_first_entered(self) -> None:
        if self.confirmation.text():
            self.submit()
        else:
            self.confirmation.setFocus()

    @Slot(bool)
    def _on_verdict(self, acceptable: bool) -> None:
        self.create_button.setEnabled(acceptable and not self.is_busy)
        self.new_passphrase.show_verdict(acceptable)

    def submit(self) -> None:
        if self.is_busy:
            return
        passphrase = self.passphrase.text()
        if len(passphrase) < MIN_PASSPHRASE_CHARS:
            self.show_error(
                lambda: self.tr("The passphrase needs at least {count} characters.").format(
                    count=MIN_PASSPHRASE_CHARS
                )
            )
            self.passphrase.setFocus()
            return
        if self.new_passphrase.refused(
            self.show_error, lambda: self.tr("The two passphrases differ. Type them again.")
        ):
            return
        self.new_passphrase.forget()
        self.error.hide()
        self.set_busy(True)
        self.create_requested.emit(passphrase)

    def set_busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        for widget in (self.passphrase, self.confirmation):
            widget.setEnabled(not busy)
        self.create_button.setEnabled(not busy and self.strength.acceptable)
        if not busy:
            self.passphrase.setFocus()

    def reset(self) -> None:
        self.new_passphrase.forget()
        self.strength.clear()
        self.clear_error()
        self.set_busy(False)


def guessable_refusal() -> FieldvaultError:
    """The rule's refusal, as the core raises it (its message is the GUI's)."""
    from db.api import WeakPassphrase

    return WeakPassphrase("Guessable within a year.", "passphrase-guessable")


SaveDialog = Callable[[QWidget, str, str], str]


def _ask_save_path(parent: QWidget, caption: str, suggested: str) -> str:
    from desktop.evidence_panel import forget_file_dialog_history

    path, _filter = QFileDialog.getSaveFileName(parent, caption, suggested)
    # Where the recovery key went is itself a secret worth keeping.
    forget_file_dialog_history()
    return path


class RecoveryKeyPage(Retranslating, QWidget):
    """The recovery key, shown once. Enter does not dismiss it: only the button
    does. It can be printed, or saved to a file the user chooses (say, on a
    USB stick kept elsewhere) — never anywhere by default."""

    acknowledged = Signal()

    def __init__(self, parent: QWidget | None = None, *, save_dialog: SaveDialog | None = None) -> None:
        super().__init__(parent)
        self._save_dialog = save_dialog or _ask_save_path
        layout = _centered_column(self, width=660)
        self.heading = _heading()
        layout.addWidget(self.heading)
        self.explanation = _wrapping_label()
        layout.addWidget(self.explanation)
        self.key_field = QLineEdit()
        self.key_field.setReadOnly(True)
        key_font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        key_font.setPointSizeF(key_font.pointSizeF() * 1.2)
        key_font.setWeight(QFont.Weight.DemiBold)
        self.key_field.setFont(key_font)
        layout.addWidget(self.key_field)

        self.notice = _wrapping_label()
        layout.addWidget(self.notice)

        self.save_button = QPushButton()
        self.save_button.setIcon(icon("save"))
        self.print_button = QPushButton()
        self.print_button.setIcon(icon("print"))
        self.done_button = QPushButton()
        self.done_button.setIcon(icon("check"))
        # Read by the window when the key is acknowledged (desktop/org_join.py).
        self.join_next = QCheckBox()
        self.retranslate()
        self.save_status = _wrapping_label()
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.print_button)
        buttons.addStretch(1)
        buttons.addWidget(self.done_button)
        layout.addWidget(self.save_status)
        layout.addWidget(self.join_next)
        layout.addLayout(buttons)
        self.save_button.clicked.connect(self.save_to_file)
        self.print_button.clicked.connect(self.print_key)
        self.done_button.clicked.connect(self._on_done)

    def retranslate(self) -> None:
        """Every fixed text in the current language (the page is built before
        the language may be switched on the create page)."""
        _set_heading(self.heading, self.tr("Your recovery key"))
        self.explanation.setText(
            self.tr(
                "This key is shown only once. Write it on paper now and keep the paper apart "
                "from this computer. If you forget your passphrase, the recovery key is the only "
                "way back into the vault."
            )
        )
        self.key_field.setAccessibleName(self.tr("Recovery key"))
        self.notice.setAccessibleName(self.tr("Keyring"))
        self.save_button.setText(self.tr("Save to a file…"))
        self.save_button.setAccessibleName(self.tr("Save the recovery key to a file"))
        self.save_button.setToolTip(
            self.tr("Choose a place away from this computer, such as a USB stick you keep elsewhere.")
        )
        self.print_button.setText(self.tr("Print…"))
        self.print_button.setAccessibleName(self.tr("Print the recovery key"))
        self.done_button.setText(self.tr("I have written it down"))
        self.done_button.setAccessibleName(self.tr("I have written it down"))
        self.join_next.setText(
            self.tr("Then join my organisation (with the profile and fingerprint from my coordinator)")
        )

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
        self.join_next.setChecked(False)
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


class UnlockPage(WaitingPage):
    """The passphrase of an existing vault. ``unlock_requested`` carries it.

    The interface language can be changed here too (``language_chooser``)."""

    unlock_requested = Signal(str)
    # The passphrase is lost: the recovery page (desktop/recover_page.py).
    recover_requested = Signal()
    # The two-step panic wipe, confirmed here (desktop/wipe_confirmation.py).
    wipe_requested = Signal()

    def __init__(self, folder: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._folder = folder
        self._notice: Message = ""
        layout = _centered_column(self)
        self.language_chooser = LanguageChooser()
        layout.addWidget(self.language_chooser)
        self.heading = _heading()
        layout.addWidget(self.heading)
        self.location = _wrapping_label()
        layout.addWidget(self.location)

        self.notice = _wrapping_label()
        self.notice.hide()
        layout.addWidget(self.notice)

        form = QFormLayout()
        self.passphrase = _passphrase_field("")
        self.passphrase_label = QLabel()
        self.passphrase_label.setBuddy(self.passphrase)
        form.addRow(self.passphrase_label, self.passphrase)
        layout.addLayout(form)
        self.add_error_and_busy(layout)

        self.unlock_button = QPushButton()
        self.unlock_button.setIcon(icon("unlock"))
        self.unlock_button.setDefault(True)
        layout.addWidget(self.unlock_button, 0, Qt.AlignmentFlag.AlignRight)
        self.recover_button = QPushButton(icon("key"), "")
        self.recover_button.setFlat(True)
        self.recover_button.clicked.connect(self.recover_requested)
        layout.addWidget(self.recover_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.wipe = WipeConfirmation()
        self.wipe.confirmed.connect(self.wipe_requested)
        layout.addWidget(self.wipe)
        self.retranslate()

        self.passphrase.returnPressed.connect(self.submit)
        self.unlock_button.clicked.connect(self.submit)
        self.setFocusProxy(self.passphrase)

    def retranslate(self) -> None:
        """Every text in the current language; what was typed stays."""
        _set_heading(self.heading, self.tr("Unlock the vault"))
        self.location.setText(self.tr("Vault: {folder}").format(folder=self._folder))
        self.notice.setAccessibleName(self.tr("Why the vault is locked"))
        self.passphrase.setAccessibleName(self.tr("Passphrase"))
        self.passphrase_label.setText(self.tr("&Passphrase:"))
        self.error.setAccessibleName(self.tr("Error"))
        self.busy.setAccessibleName(self.tr("Unlocking"))
        self.unlock_button.setText(self.tr("Unlock"))
        self.unlock_button.setAccessibleName(self.tr("Unlock"))
        self.recover_button.setText(self.tr("Forgot the passphrase? Use the recovery key…"))
        self.recover_button.setAccessibleName(self.tr("Use the recovery key"))
        self.retranslate_error()
        if not self.notice.isHidden():
            self.notice.setText(_text_of(self._notice))

    def submit(self) -> None:
        if self.is_busy:
            return
        passphrase = self.passphrase.text()
        if not passphrase:
            self.show_error(lambda: self.tr("Type the vault's passphrase."))
            return
        self.passphrase.clear()
        self.error.hide()
        self.set_busy(True)
        self.unlock_requested.emit(passphrase)

    def set_busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        self.passphrase.setEnabled(not busy)
        self.unlock_button.setEnabled(not busy)
        self.recover_button.setEnabled(not busy)
        if not busy:
            self.passphrase.setFocus()

    def show_notice(self, message: Message) -> None:
        """Why the vault locked by itself (idle, sleep, screen lock)."""
        self._notice = message
        text = _text_of(message)
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    def reset(self) -> None:
        self.passphrase.clear()
        self.clear_error()
        self.show_notice("")
        self.wipe.reset()
        self.set_busy(False)
