"""Recovery from the unlock screen: the recovery key and a new passphrase
(held to the passphrase rule at this vault's cost), as ``fieldvault recover``
does. On success the vault is open and the window shows the NEW recovery key
once (the old one no longer works).

The page runs the recovery itself (``RecoverVault``, on the vault lane: two
Argon2id runs) and hands the opened vault to the window through
``recovered``. The key and the passphrases are cleared from the fields as
soon as they are handed over.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFontDatabase, QShowEvent
from PySide6.QtWidgets import QCheckBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from desktop.icons import icon
from desktop.tasks import Lane, OperationFailed, TaskContext, TaskReport, TaskRunner
from desktop.unlock import (
    NewPassphraseRows,
    WaitingPage,
    _centered_column,
    _heading,
    _set_heading,
    _wrapping_label,
)

if TYPE_CHECKING:
    from db.api import KeyringStore, Vault


@dataclass(frozen=True)
class VaultRecovered:
    vault: Vault
    recovery_key: str  # the new one, to show once


class RecoverVault:
    """``Vault.recover`` as a task; takes its secrets out of itself when it runs."""

    def __init__(
        self, folder: Path, recovery_key: str, passphrase: str, *, keyring: KeyringStore | None
    ) -> None:
        self._folder = folder
        self._secrets = (recovery_key, passphrase)
        self._keyring = keyring

    def __call__(self, _context: TaskContext) -> VaultRecovered:
        (recovery_key, passphrase), self._secrets = self._secrets, ("", "")
        try:
            from db.api import Vault

            vault, new_key = Vault.recover(self._folder, recovery_key, passphrase, keyring=self._keyring)
        finally:
            del recovery_key, passphrase
        return VaultRecovered(vault, new_key)


class RecoverPage(WaitingPage):
    """``recovered(VaultRecovered)`` once the vault is open; ``back_requested``
    to return to the passphrase."""

    recovered = Signal(object)
    back_requested = Signal()

    def __init__(
        self,
        folder: Path,
        parent: QWidget | None = None,
        *,
        tasks: TaskRunner | None = None,
        keyring: KeyringStore | None = None,
    ) -> None:
        super().__init__(parent)
        self._folder = folder
        self._keyring = keyring
        self.tasks = tasks if tasks is not None else TaskRunner(self)
        layout = _centered_column(self)
        self.heading = _heading()
        layout.addWidget(self.heading)
        self.intro = _wrapping_label()
        layout.addWidget(self.intro)

        form = QFormLayout()
        self.recovery_key = QLineEdit()
        self.recovery_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.recovery_key.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.recovery_key.setInputMethodHints(
            Qt.InputMethodHint.ImhSensitiveData | Qt.InputMethodHint.ImhNoPredictiveText
        )
        self.show_key = QCheckBox()
        self.show_key.toggled.connect(
            lambda shown: self.recovery_key.setEchoMode(
                QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
            )
        )
        # Judged at this vault's own cost, read when the page is shown (showEvent).
        self.new_passphrase = NewPassphraseRows()
        self.passphrase, self.confirmation = self.new_passphrase.passphrase, self.new_passphrase.confirmation
        self.strength, self.suggestion = self.new_passphrase.strength, self.new_passphrase.suggestion
        self.passphrase_label = self.new_passphrase.passphrase_label
        self.key_label = QLabel()
        self.key_label.setBuddy(self.recovery_key)
        form.addRow(self.key_label, self.recovery_key)
        form.addRow("", self.show_key)
        self.new_passphrase.add_to(form)
        layout.addLayout(form)
        layout.addWidget(self.suggestion)
        self.add_error_and_busy(layout)

        self.back_button = QPushButton()
        self.recover_button = QPushButton(icon("key"), "")
        self.recover_button.setDefault(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.recover_button)
        layout.addLayout(buttons)
        self.retranslate()

        self.strength.verdict_changed.connect(self._on_verdict)
        self.recovery_key.textChanged.connect(lambda _text: self._on_verdict(self.strength.acceptable))
        self.suggestion.use_requested.connect(lambda _words: self.recover_button.setFocus())
        self.confirmation.returnPressed.connect(self.submit)
        self.recover_button.clicked.connect(self.submit)
        self.back_button.clicked.connect(self._back)
        self.setFocusProxy(self.recovery_key)
        self._on_verdict(False)

    def retranslate(self) -> None:
        _set_heading(self.heading, self.tr("Recover with the recovery key"))
        self.intro.setText(
            self.tr(
                "Type the recovery key you wrote down when the vault was made (letters and digits; "
                "dashes and spaces do not matter) and choose a new passphrase. The vault opens, and "
                "you get a new recovery key: the old one stops working."
            )
        )
        self.key_label.setText(self.tr("Recovery &key:"))
        self.recovery_key.setAccessibleName(self.tr("Recovery key"))
        self.show_key.setText(self.tr("Show the key while typing"))
        self.new_passphrase.set_texts(
            passphrase=self.tr("&New passphrase:"),
            passphrase_name=self.tr("New passphrase"),
            strength=self.tr("Strength:"),
            confirmation=self.tr("&Repeat it:"),
            confirmation_name=self.tr("Repeat the passphrase"),
        )
        self.error.setAccessibleName(self.tr("Error"))
        self.busy.setAccessibleName(self.tr("Recovering the vault"))
        self.back_button.setText(self.tr("Back to the passphrase"))
        self.recover_button.setText(self.tr("Recover and open"))
        self.recover_button.setAccessibleName(self.tr("Recover and open"))
        self.retranslate_error()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        # The rule is judged at this vault's own Argon2id cost, read when shown.
        from db.api import FieldvaultError, argon2_of

        try:
            self.strength.argon2 = argon2_of(self._folder)
        except FieldvaultError:
            self.strength.argon2 = None  # no key file: recovery will say so
        self.strength.update_for(self.passphrase.text())
        super().showEvent(event)

    @Slot(bool)
    def _on_verdict(self, acceptable: bool) -> None:
        self.recover_button.setEnabled(
            acceptable and bool(self.recovery_key.text().strip()) and not self.is_busy
        )
        self.new_passphrase.show_verdict(acceptable)

    @Slot()
    def _back(self) -> None:
        if not self.is_busy:
            self.reset()
            self.back_requested.emit()

    @Slot()
    def submit(self) -> None:
        if self.is_busy:
            return
        key = self.recovery_key.text().strip()
        passphrase = self.passphrase.text()
        if not key:
            self.show_error(lambda: self.tr("Type the recovery key."))
            self.recovery_key.setFocus()
            return
        if self.new_passphrase.refused(
            self.show_error, lambda: self.tr("The two passphrases differ. Type them again.")
        ):
            return
        self.recovery_key.clear()
        self.new_passphrase.forget()
        self.error.hide()
        self.set_busy(True)
        task = RecoverVault(self._folder, key, passphrase, keyring=self._keyring)
        del key, passphrase
        self.tasks.start(Lane.VAULT, task, self._on_report, owner=self)

    def _on_report(self, report: TaskReport) -> None:
        if report.failure is not None:
            self._on_failed(report.failure)
        elif isinstance(report.value, VaultRecovered):
            self.set_busy(False)
            self.recovered.emit(report.value)

    def _on_failed(self, failure: OperationFailed) -> None:
        self.set_busy(False)
        from desktop.messages import failure_message

        self.show_error(partial(failure_message, failure))

    def set_busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        for widget in (self.recovery_key, self.passphrase, self.confirmation, self.back_button):
            widget.setEnabled(not busy)
        self._on_verdict(self.strength.acceptable)
        if not busy:
            self.recovery_key.setFocus()

    def reset(self) -> None:
        self.recovery_key.clear()
        self.new_passphrase.forget()
        self.show_key.setChecked(False)
        self.strength.clear()
        self.clear_error()
        self.set_busy(False)
