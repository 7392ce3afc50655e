"""Settings: auto-lock delay, the name in the custody log, language, keyring
status, passphrase change, and the panic wipe with its emergency shortcut.

What is sensitive (the custody name) lives inside the vault; QSettings holds
only the language and the emergency shortcut, which reveal nothing.

The language chosen here applies at the next start (the screens of an open
vault are not re-translated live); on the first screens it applies at once.

Save stores the vault's settings on the save lane of the window's task
runner (desktop/tasks.py), never in the GUI thread: a write transaction held
elsewhere (the sync worker, another process) must not freeze the window.
While they are being stored the values and Save are disabled and the dialog
says "Saving…"; once stored, it closes. A refusal is shown and the dialog
stays. The preferences kept outside the vault (language, emergency
shortcut) are written at once.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QKeySequenceEdit,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from db.api import MIN_PASSPHRASE_CHARS
from desktop.duress_settings import DuressDialog
from desktop.i18n import LANGUAGES, current_language, preferences
from desktop.icons import icon
from desktop.strength import PassphraseSuggestion, StrengthMeter
from desktop.tasks import Lane, OperationFailed, TaskContext, TaskHandle, TaskReport, TaskRunner
from desktop.workers import ChangePassphrase

if TYPE_CHECKING:
    from db.api import Vault  # the window imports this module before the database stack

DEFAULT_EMERGENCY_SHORTCUT = "Ctrl+Alt+Shift+F12"


def _store_settings(vault: Vault, values: dict[str, str], _context: TaskContext) -> None:
    """The save as the save lane runs it: plain Python, no widget touched."""
    for key, value in values.items():
        vault.settings.set(key, value)


def emergency_shortcut() -> tuple[bool, QKeySequence]:
    """Whether the emergency wipe shortcut is on, and its key sequence."""
    prefs = preferences()
    enabled = prefs.value("emergency_wipe/enabled", False, type=bool)
    sequence = str(prefs.value("emergency_wipe/shortcut", DEFAULT_EMERGENCY_SHORTCUT, type=str))
    return bool(enabled), QKeySequence.fromString(sequence)


class SettingsDialog(QDialog):
    """``wipe_requested`` asks the window to destroy the vault (after the
    two-step confirmation here)."""

    wipe_requested = Signal()
    emergency_shortcut_changed = Signal()

    def __init__(
        self, vault: Vault, parent: QWidget | None = None, *, tasks: TaskRunner | None = None
    ) -> None:
        super().__init__(parent)
        # The window's runner; a dialog shown alone (tests) has its own.
        self.tasks = tasks if tasks is not None else TaskRunner(self)
        self._vault = vault
        self._saving: TaskHandle | None = None  # the vault's settings being stored
        self.setWindowTitle(self.tr("Settings"))
        layout = QVBoxLayout(self)

        general = QGroupBox(self.tr("General"))
        form = QFormLayout(general)
        self.auto_lock = QSpinBox()
        self.auto_lock.setRange(0, 24 * 60)
        self.auto_lock.setSuffix(self.tr(" min"))
        self.auto_lock.setSpecialValueText(self.tr("never"))
        self.auto_lock.setAccessibleName(self.tr("Lock after minutes without activity"))
        self.auto_lock.setValue(int(vault.settings.get("auto_lock_minutes")))
        form.addRow(self.tr("&Lock after inactivity:"), self.auto_lock)
        self.user_label = QLineEdit(vault.settings.get("user_label"))
        self.user_label.setAccessibleName(self.tr("Your name in the custody log"))
        self.user_label.setPlaceholderText(self.tr("e.g. a staff code, not necessarily your name"))
        form.addRow(self.tr("&Name in the custody log:"), self.user_label)
        self.backup_reminder = QSpinBox()
        self.backup_reminder.setRange(0, 365)
        self.backup_reminder.setSuffix(self.tr(" days"))
        self.backup_reminder.setSpecialValueText(self.tr("never"))
        self.backup_reminder.setAccessibleName(self.tr("Remind me to back up after this many days"))
        self.backup_reminder.setValue(int(vault.settings.get("backup_reminder_days")))
        form.addRow(self.tr("Remind to &back up after:"), self.backup_reminder)
        self.language = QComboBox()
        self.language.setAccessibleName(self.tr("Language"))
        for code, name in LANGUAGES:
            self.language.addItem(name, code)
        self.language.setCurrentIndex(max(0, self.language.findData(current_language())))
        form.addRow(self.tr("Lan&guage (after restart):"), self.language)
        self.keyring_status = QLabel(
            self.tr("Part of the key is in this computer's keyring.")
            if vault.info().uses_keyring
            else self.tr("No keyring: the passphrase alone protects the vault.")
        )
        self.keyring_status.setWordWrap(True)
        form.addRow(self.tr("Keyring:"), self.keyring_status)
        self.general_box = general
        layout.addWidget(general)

        passphrase_box = QGroupBox(self.tr("Change passphrase"))
        pform = QFormLayout(passphrase_box)
        self.current = self._secret_field(self.tr("Current passphrase"))
        self.new = self._secret_field(self.tr("New passphrase"))
        self.repeat = self._secret_field(self.tr("Repeat the new passphrase"))
        # The passphrase rule at this vault's Argon2id cost (db/passphrase_policy.py).
        from db.api import argon2_of

        self.strength = StrengthMeter(argon2=argon2_of(vault.folder))
        self.suggestion = PassphraseSuggestion()
        self.new.textChanged.connect(self.strength.update_for)
        pform.addRow(self.tr("C&urrent:"), self.current)
        pform.addRow(self.tr("&New:"), self.new)
        pform.addRow(self.tr("Strength:"), self.strength)
        pform.addRow(self.suggestion)
        pform.addRow(self.tr("&Repeat:"), self.repeat)
        self.change_button = QPushButton(icon("key"), self.tr("Change passphrase"))
        self.change_button.setAccessibleName(self.tr("Change passphrase"))
        self.change_button.clicked.connect(self.change_passphrase)
        self.change_button.setEnabled(False)
        self.strength.verdict_changed.connect(self._on_verdict)
        self.suggestion.use_requested.connect(self._use_suggestion)
        self.passphrase_status = QLabel()
        self.passphrase_status.setWordWrap(True)
        pform.addRow(self.change_button, self.passphrase_status)
        layout.addWidget(passphrase_box)

        danger = QGroupBox(self.tr("Emergency"))
        dform = QFormLayout(danger)
        enabled, sequence = emergency_shortcut()
        self.emergency_enabled = QCheckBox(
            self.tr("A key combination wipes the vault at once, without asking")
        )
        self.emergency_enabled.setChecked(enabled)
        self.emergency_keys = QKeySequenceEdit(sequence)
        self.emergency_keys.setAccessibleName(self.tr("Emergency wipe shortcut"))
        dform.addRow(self.emergency_enabled)
        dform.addRow(self.tr("Shortcut:"), self.emergency_keys)
        # The duress passphrase, in a dialog of its own (desktop/duress_settings.py).
        self.duress = DuressDialog(vault, self, tasks=self.tasks)
        self.duress_button = QPushButton(icon("key"), self.tr("Duress passphrase…"))
        self.duress_button.clicked.connect(self.duress.open)
        dform.addRow(self.duress_button)
        self.wipe_button = QPushButton(icon("wipe"), self.tr("Wipe the vault…"))
        self.wipe_button.setAccessibleName(self.tr("Wipe the vault"))
        self.wipe_button.clicked.connect(self._ask_wipe_confirmation)
        dform.addRow(self.wipe_button)
        self.wipe_confirmation = QLineEdit()
        self.wipe_confirmation.setAccessibleName(self.tr("Type the confirmation word"))
        self.wipe_hint = QLabel(
            self.tr(
                "This destroys every testimony and file in this vault for ever. Type {word} to confirm."
            ).format(word=self.confirmation_word())
        )
        self.wipe_hint.setWordWrap(True)
        self.wipe_now = QPushButton(icon("wipe"), self.tr("Destroy the vault now"))
        self.wipe_now.setAccessibleName(self.tr("Destroy the vault now"))
        self.wipe_now.setEnabled(False)
        self.wipe_confirmation.textChanged.connect(
            lambda text: self.wipe_now.setEnabled(text.strip() == self.confirmation_word())
        )
        self.wipe_now.clicked.connect(self._confirm_wipe)
        for widget in (self.wipe_hint, self.wipe_confirmation, self.wipe_now):
            dform.addRow(widget)
            widget.hide()
        layout.addWidget(danger)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_status = QLabel()
        self.save_status.setWordWrap(True)
        self.save_status.setAccessibleName(self.tr("Settings status"))
        layout.addWidget(self.save_status)
        layout.addWidget(buttons)

    def confirmation_word(self) -> str:
        return self.tr("WIPE")

    def _secret_field(self, name: str) -> QLineEdit:
        field = QLineEdit()
        field.setEchoMode(QLineEdit.EchoMode.Password)
        field.setAccessibleName(name)
        return field

    @property
    def is_saving(self) -> bool:
        return self._saving is not None

    @Slot()
    def save(self) -> None:
        """Keep the preferences outside the vault (the language, the emergency
        shortcut: at once, they wait for no writer) and start storing the
        vault's settings on the save lane; the dialog is accepted once they
        are stored."""
        if self._saving is not None:
            return
        prefs = preferences()
        prefs.setValue("language", self.language.currentData())
        prefs.setValue("emergency_wipe/enabled", self.emergency_enabled.isChecked())
        prefs.setValue("emergency_wipe/shortcut", self.emergency_keys.keySequence().toString())
        self.emergency_shortcut_changed.emit()
        values = {
            "auto_lock_minutes": str(self.auto_lock.value()),
            "user_label": self.user_label.text().strip(),
            "backup_reminder_days": str(self.backup_reminder.value()),
        }
        handle: TaskHandle | None = None

        def finished(report: TaskReport) -> None:
            if report.finished and handle is self._saving:
                self._on_save_report(report)

        handle = self.tasks.start(
            Lane.SAVE, partial(_store_settings, self._vault, values), finished, owner=self
        )
        self._saving = handle
        self._show_saving(True)
        self.save_status.setText(self.tr("Saving…"))

    def _show_saving(self, saving: bool) -> None:
        """What is stored is what the values show: they cannot change meanwhile."""
        self.general_box.setEnabled(not saving)
        if self.save_button is not None:
            self.save_button.setEnabled(not saving)

    def _on_save_report(self, report: TaskReport) -> None:
        self._saving = None
        self._show_saving(False)
        if report.state != "succeeded":
            from desktop.messages import failure_message  # not needed for the first screen

            failed = report.failure or OperationFailed(None, "")
            self.save_status.setText(self.tr("Not saved: {reason}").format(reason=failure_message(failed)))
            return
        self.save_status.clear()
        self.accept()

    @Slot(bool)
    def _on_verdict(self, acceptable: bool) -> None:
        self.change_button.setEnabled(acceptable)
        self.suggestion.offer(bool(self.new.text()) and not acceptable)
        self.new.setAccessibleDescription(self.strength.verdict.text())

    @Slot(str)
    def _use_suggestion(self, words: str) -> None:
        self.new.setText(words)
        self.repeat.setText(words)

    @Slot()
    def change_passphrase(self) -> None:
        new = self.new.text()
        if len(new) < MIN_PASSPHRASE_CHARS:
            self.passphrase_status.setText(
                self.tr("The passphrase needs at least {count} characters.").format(
                    count=MIN_PASSPHRASE_CHARS
                )
            )
            return
        if not self.strength.acceptable:
            from desktop.messages import error_message
            from desktop.unlock import guessable_refusal

            self.passphrase_status.setText(error_message(guessable_refusal()))
            return
        if new != self.repeat.text():
            self.passphrase_status.setText(self.tr("The two new passphrases differ."))
            return
        current = self.current.text()
        for field in (self.current, self.new, self.repeat):
            field.clear()
        self.strength.clear()
        self.suggestion.forget()
        self.change_button.setEnabled(False)
        self.passphrase_status.setText(self.tr("Changing…"))
        self.tasks.start(Lane.VAULT, ChangePassphrase(self._vault, current, new), self._on_report, owner=self)

    def _on_report(self, report: TaskReport) -> None:
        if report.failure is not None:
            self._on_change_failed(report.failure)
        elif report.state == "succeeded":
            self.change_button.setEnabled(True)
            self.passphrase_status.setText(self.tr("Passphrase changed. Use the new one from now on."))

    def _on_change_failed(self, report: OperationFailed) -> None:
        self.change_button.setEnabled(True)
        from desktop.messages import failure_message  # not needed for the first screen

        self.passphrase_status.setText(failure_message(report))

    @Slot()
    def _ask_wipe_confirmation(self) -> None:
        for widget in (self.wipe_hint, self.wipe_confirmation, self.wipe_now):
            widget.show()
        # Grow to fit the revealed rows: the dialog kept its height and the
        # wrapped warning was cut to a line and a half.
        layout = self.layout()
        if layout is not None:
            layout.activate()
        self.resize(
            self.width(), max(self.height(), self.heightForWidth(self.width()), self.sizeHint().height())
        )
        self.wipe_confirmation.setFocus()

    @Slot()
    def _confirm_wipe(self) -> None:
        if self.wipe_confirmation.text().strip() != self.confirmation_word():
            return
        self.wipe_requested.emit()
        self.accept()
