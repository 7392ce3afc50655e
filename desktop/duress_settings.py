"""Settings → Emergency → Duress passphrase…: a dialog to set or clear it, as
``fieldvault duress set|clear`` does (a dialog of its own: the settings
dialog must still fit a small laptop screen).

A duress passphrase typed at unlock wipes the vault and looks like a wrong
passphrase (db/vault.py). Setting or clearing it proves the current
passphrase (one Argon2id run, two when setting), so it runs on the vault lane.
Whether one is set is not shown: the key file does not tell, by design
(docs/threat-model.md 4.5), and neither does this box.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from db.api import MIN_PASSPHRASE_CHARS
from desktop.i18n import Retranslating
from desktop.tasks import Lane, TaskContext, TaskReport, TaskRunner

if TYPE_CHECKING:
    from db.api import Vault


class SetDuress:
    """``vault.set_duress_passphrase`` as a task; ``duress`` None clears it."""

    def __init__(self, vault: Vault, current: str, duress: str | None) -> None:
        self._vault: Vault | None = vault
        self._secrets: tuple[str, str | None] = (current, duress)

    def __call__(self, _context: TaskContext) -> bool:
        (current, duress), self._secrets = self._secrets, ("", None)
        vault, self._vault = self._vault, None
        try:
            assert vault is not None, "a task runs once"
            vault.set_duress_passphrase(current, duress)
            return duress is not None
        finally:
            del current, duress, vault


def _secret_field() -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    return field


class DuressDialog(Retranslating, QDialog):
    def __init__(
        self, vault: Vault, parent: QWidget | None = None, *, tasks: TaskRunner | None = None
    ) -> None:
        super().__init__(parent)
        self._vault = vault
        self.tasks = tasks if tasks is not None else TaskRunner(self)
        self.explanation = QLabel()
        self.explanation.setWordWrap(True)
        self.current = _secret_field()
        self.duress = _secret_field()
        self.repeat = _secret_field()
        self.set_button = QPushButton()
        self.clear_button = QPushButton()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.current_label = QLabel()
        self.current_label.setBuddy(self.current)
        self.duress_label = QLabel()
        self.duress_label.setBuddy(self.duress)
        self.repeat_label = QLabel()
        self.repeat_label.setBuddy(self.repeat)
        # A wrapped label claims its height in a box layout (not in a form row).
        column = QVBoxLayout(self)
        column.addWidget(self.explanation)
        form = QFormLayout()
        column.addLayout(form)
        form.addRow(self.current_label, self.current)
        form.addRow(self.duress_label, self.duress)
        form.addRow(self.repeat_label, self.repeat)
        buttons = QHBoxLayout()
        buttons.addWidget(self.set_button)
        buttons.addWidget(self.clear_button)
        buttons.addStretch(1)
        column.addLayout(buttons)
        column.addWidget(self.status)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        column.addWidget(close)
        self.setMinimumWidth(480)
        self.set_button.clicked.connect(self.set_duress)
        self.clear_button.clicked.connect(self.clear_duress)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Duress passphrase"))
        self.explanation.setText(
            self.tr(
                "For when you are forced to unlock: typed at unlock, it destroys the vault at once "
                "and only says the passphrase was wrong. A destroyed vault can itself raise suspicion."
            )
        )
        self.current_label.setText(self.tr("Your &passphrase:"))
        self.current.setAccessibleName(self.tr("Your current passphrase"))
        self.duress_label.setText(self.tr("&Duress passphrase:"))
        self.duress.setAccessibleName(self.tr("Duress passphrase"))
        self.repeat_label.setText(self.tr("Repeat i&t:"))
        self.repeat.setAccessibleName(self.tr("Repeat the duress passphrase"))
        self.set_button.setText(self.tr("Set duress passphrase"))
        self.clear_button.setText(self.tr("Clear duress passphrase"))

    def reject(self) -> None:
        for field in (self.current, self.duress, self.repeat):
            field.clear()
        super().reject()

    @Slot()
    def set_duress(self) -> None:
        duress = self.duress.text()
        if len(duress) < MIN_PASSPHRASE_CHARS:
            self.status.setText(
                self.tr("The duress passphrase needs at least {count} characters.").format(
                    count=MIN_PASSPHRASE_CHARS
                )
            )
            return
        if duress != self.repeat.text():
            self.status.setText(self.tr("The two duress passphrases differ."))
            return
        self._start(duress)

    @Slot()
    def clear_duress(self) -> None:
        self._start(None)

    def _start(self, duress: str | None) -> None:
        current = self.current.text()
        if not current:
            self.status.setText(self.tr("Type your passphrase first."))
            self.current.setFocus()
            return
        for field in (self.current, self.duress, self.repeat):
            field.clear()
        self._busy(True)
        self.status.setText(self.tr("Saving…"))
        self.tasks.start(Lane.VAULT, SetDuress(self._vault, current, duress), self._on_report, owner=self)
        del current, duress

    def _busy(self, busy: bool) -> None:
        for widget in (self.set_button, self.clear_button):
            widget.setEnabled(not busy)

    def _on_report(self, report: TaskReport) -> None:
        if report.state == "progress":
            return
        self._busy(False)
        if report.failure is not None:
            from desktop.messages import failure_message

            self.status.setText(partial(failure_message, report.failure)())
        elif report.value is True:
            self.status.setText(self.tr("Duress passphrase set: typing it at unlock destroys the vault."))
        else:
            self.status.setText(self.tr("Duress passphrase cleared."))
