"""Consent records on the testimony form (issue 15).

``ConsentSection`` sits on the testimony form: what the testimony may be
used for according to its consent records, what was withdrawn (shown in
red), and the records themselves; "Record consent…" opens ``ConsentDialog``
and "Withdraw or narrow…" opens ``WithdrawConsentDialog``, which asks for a
confirmation before it stores anything (a withdrawal is signed and kept for
good). Writes run on the window's save lane; reads are short and run here.
The scope words are the same as in the CLI and docs/vault-format.md.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from db.api import CONSENT_GIVEN_HOW, Consent, FieldvaultError, Vault
from desktop.messages import error_message
from desktop.tasks import Lane, TaskReport, TaskRunner


def scope_words() -> dict[str, str]:
    """The scopes in the words used everywhere (GUI, CLI, docs)."""
    return {
        "documentation-only": QCoreApplication.translate("Consent", "documentation only"),
        "ngo-internal": QCoreApplication.translate("Consent", "the NGO internally"),
        "prosecution": QCoreApplication.translate("Consent", "prosecution"),
        "public-anonymised": QCoreApplication.translate("Consent", "public anonymised"),
    }


def given_how_words() -> dict[str, str]:
    return {
        "spoken-recorded": QCoreApplication.translate("Consent", "spoken and recorded"),
        "signed-paper-photographed": QCoreApplication.translate(
            "Consent", "signed on paper and photographed"
        ),
        "signed-paper": QCoreApplication.translate("Consent", "signed on paper"),
        "spoken-witnessed": QCoreApplication.translate("Consent", "spoken before a witness"),
        "other": QCoreApplication.translate("Consent", "other"),
    }


def _plain(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    return label


def consent_summary(consent: Consent) -> str:
    """One line about a consent record: its scopes now, and what was withdrawn."""
    words = scope_words()
    agreed = ", ".join(words[s] for s in consent.scopes)
    line = QCoreApplication.translate("Consent", "Agreed: {scopes}").format(
        scopes=agreed or QCoreApplication.translate("Consent", "nothing (withdrawn)")
    )
    if consent.given_on:
        line += " · " + QCoreApplication.translate("Consent", "given {date}").format(date=consent.given_on)
    if consent.withdrawn_scopes:
        line += " · " + QCoreApplication.translate("Consent", "Withdrawn: {scopes}").format(
            scopes=", ".join(words[s] for s in consent.withdrawn_scopes)
        )
    return line


class _SavingDialog(QDialog):
    """A dialog whose one write runs on the save lane; it closes once stored
    and says why when the vault refused."""

    stored = Signal(object)

    def __init__(self, vault: Vault, tasks: TaskRunner, parent: QWidget | None) -> None:
        super().__init__(parent)
        self._vault = vault
        self._tasks = tasks
        self.status = _plain()
        self.status.setAccessibleName(QCoreApplication.translate("Consent", "Consent status"))

    def _store(self, write: Any) -> None:
        self.setEnabled(False)
        self.status.setText(QCoreApplication.translate("Consent", "Saving…"))
        self._tasks.start(Lane.SAVE, lambda _context: write(), self._on_report, owner=self)

    def _on_report(self, report: TaskReport) -> None:
        if not report.finished:
            return
        self.setEnabled(True)
        if report.state == "succeeded":
            self.status.setText("")
            self.stored.emit(report.value)
            self.accept()
        elif report.failure is not None:
            self.status.setText(
                QCoreApplication.translate("Consent", "Not saved: {reason}").format(
                    reason=error_message(report.failure.error, report.failure.error_type)
                )
            )


class ConsentDialog(_SavingDialog):
    """Record a consent given for a testimony."""

    def __init__(
        self, vault: Vault, tasks: TaskRunner, testimony_id: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(vault, tasks, parent)
        self._testimony_id = testimony_id
        self.setWindowTitle(self.tr("Record consent"))
        self.scope_boxes: dict[str, QCheckBox] = {}
        scopes = QGroupBox(self.tr("The witness agreed this testimony may be used for"))
        scopes_layout = QVBoxLayout(scopes)
        for code, words in scope_words().items():
            box = QCheckBox(words)
            self.scope_boxes[code] = box
            scopes_layout.addWidget(box)
        self.given_how = QComboBox()
        self.given_how.setAccessibleName(self.tr("How consent was given"))
        for code in CONSENT_GIVEN_HOW:
            self.given_how.addItem(given_how_words()[code], code)
        self.given_on = QLineEdit()
        self.given_on.setAccessibleName(self.tr("When consent was given"))
        self.given_on.setPlaceholderText(self.tr("YYYY, YYYY-MM or YYYY-MM-DD"))
        self.given_on.setMaxLength(10)
        self.given_to = QLineEdit()
        self.given_to.setAccessibleName(self.tr("To whom consent was given"))
        self.text_version = QLineEdit()
        self.text_version.setAccessibleName(self.tr("Consent text version read out"))
        self.text_version.setPlaceholderText(self.tr("e.g. uk-v3"))
        self.anonymity = QCheckBox(self.tr("The witness stays anonymous"))
        self.no_photos = QCheckBox(self.tr("No photos of the witness"))
        self.conditions = QPlainTextEdit()
        self.conditions.setAccessibleName(self.tr("Other conditions"))
        self.conditions.setTabChangesFocus(True)
        self.conditions.setMaximumHeight(70)
        form = QFormLayout()
        form.addRow(self.tr("&How given:"), self.given_how)
        form.addRow(self.tr("&When:"), self.given_on)
        form.addRow(self.tr("&To whom:"), self.given_to)
        form.addRow(self.tr("Consent te&xt version:"), self.text_version)
        form.addRow(self.anonymity)
        form.addRow(self.no_photos)
        form.addRow(self.tr("Other &conditions:"), self.conditions)
        self.record_button = QPushButton(self.tr("Record consent"))
        self.record_button.setDefault(True)
        cancel = QPushButton(self.tr("Cancel"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.record_button)
        layout = QVBoxLayout(self)
        layout.addWidget(scopes)
        layout.addLayout(form)
        layout.addLayout(buttons)
        self.record_button.clicked.connect(self.record)
        cancel.clicked.connect(self.reject)

    def consent(self) -> Consent:
        return Consent(
            case_id="",
            testimony_id=self._testimony_id,
            scopes=[code for code, box in self.scope_boxes.items() if box.isChecked()],
            given_how=str(self.given_how.currentData()),
            given_on=self.given_on.text().strip(),
            given_to=self.given_to.text().strip(),
            text_version=self.text_version.text().strip(),
            anonymity=self.anonymity.isChecked(),
            no_photos=self.no_photos.isChecked(),
            conditions=self.conditions.toPlainText(),
        )

    def record(self) -> None:
        consent = self.consent()
        if not consent.scopes:  # said at once, without a round trip to the vault
            self.status.setText(self.tr("Tick at least one use the witness agreed to."))
            return
        self._store(lambda: self._vault.consents.record(consent))


class WithdrawConsentDialog(_SavingDialog):
    """Withdraw some or all of the uses a consent still allows, after a confirmation."""

    def __init__(
        self, vault: Vault, tasks: TaskRunner, consent: Consent, parent: QWidget | None = None
    ) -> None:
        super().__init__(vault, tasks, parent)
        self._consent = consent
        self.setWindowTitle(self.tr("Withdraw or narrow consent"))
        self.scope_boxes: dict[str, QCheckBox] = {}
        scopes = QGroupBox(self.tr("The witness withdraws consent to"))
        scopes_layout = QVBoxLayout(scopes)
        words = scope_words()
        for code in consent.scopes:
            box = QCheckBox(words[code])
            self.scope_boxes[code] = box
            scopes_layout.addWidget(box)
        self.withdrawn_on = QLineEdit()
        self.withdrawn_on.setAccessibleName(self.tr("When consent was withdrawn"))
        self.withdrawn_on.setPlaceholderText(self.tr("YYYY, YYYY-MM or YYYY-MM-DD"))
        self.withdrawn_on.setMaxLength(10)
        self.note = QPlainTextEdit()
        self.note.setAccessibleName(self.tr("How the withdrawal was made"))
        self.note.setTabChangesFocus(True)
        self.note.setMaximumHeight(60)
        form = QFormLayout()
        form.addRow(self.tr("&When:"), self.withdrawn_on)
        form.addRow(self.tr("&How it was made:"), self.note)
        self.withdraw_button = QPushButton(self.tr("Withdraw…"))
        # The second step: a withdrawal is signed and kept for good.
        self.confirmation = _plain(
            self.tr(
                "The withdrawal is signed and kept in the history; it cannot be undone. "
                "A later consent must be recorded as a new one."
            )
        )
        self.confirmation.setStyleSheet("color: #a00000;")
        self.confirm_button = QPushButton(self.tr("Confirm withdrawal"))
        self.confirmation.hide()
        self.confirm_button.hide()
        cancel = QPushButton(self.tr("Cancel"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.withdraw_button)
        buttons.addWidget(self.confirm_button)
        layout = QVBoxLayout(self)
        layout.addWidget(scopes)
        layout.addLayout(form)
        layout.addWidget(self.confirmation)
        layout.addLayout(buttons)
        self.withdraw_button.clicked.connect(self.ask_confirmation)
        self.confirm_button.clicked.connect(self.withdraw)
        cancel.clicked.connect(self.reject)

    def chosen(self) -> list[str]:
        return [code for code, box in self.scope_boxes.items() if box.isChecked()]

    def ask_confirmation(self) -> None:
        if not self.chosen():
            self.status.setText(self.tr("Tick the uses the witness withdraws."))
            return
        self.status.setText("")
        self.confirmation.show()
        self.confirm_button.show()
        self.withdraw_button.hide()
        self.confirm_button.setFocus()

    def withdraw(self) -> None:
        scopes, on, note = self.chosen(), self.withdrawn_on.text().strip(), self.note.toPlainText()
        consent_id = self._consent.id
        self._store(lambda: self._vault.consents.withdraw(consent_id, scopes, on=on, note=note))


class ConsentSection(QGroupBox):
    """The consent records of the testimony shown on the form."""

    changed = Signal()

    def __init__(self, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Consent records"))
        self._tasks = tasks
        self._vault: Vault | None = None
        self._testimony_id: str | None = None
        self._consents: list[Consent] = []
        self.dialog: QDialog | None = None  # the open dialog, for whoever drives the section
        self.summary = _plain()
        self.summary.setAccessibleName(self.tr("What the consent allows"))
        self.withdrawn = _plain()
        self.withdrawn.setAccessibleName(self.tr("Withdrawn consent"))
        self.withdrawn.setStyleSheet("color: #a00000; font-weight: bold;")
        self.records = QListWidget()
        self.records.setAccessibleName(self.tr("Consent records of this testimony"))
        self.records.setMaximumHeight(80)
        self.record_button = QPushButton(self.tr("Record consent…"))
        self.withdraw_button = QPushButton(self.tr("Withdraw or narrow…"))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.record_button)
        buttons.addWidget(self.withdraw_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.withdrawn)
        layout.addWidget(self.records)
        layout.addLayout(buttons)
        self.record_button.clicked.connect(self.open_record)
        self.withdraw_button.clicked.connect(self.open_withdraw)
        self.records.currentRowChanged.connect(self._update_buttons)
        self.show_for(None, None)

    def show_for(self, vault: Vault | None, testimony_id: str | None) -> None:
        """Show the consents of a stored testimony (None: a new one, which
        must be saved before consent can be recorded for it)."""
        self._vault, self._testimony_id = vault, testimony_id
        self.records.clear()
        self._consents = []
        self.withdrawn.hide()
        if vault is None or testimony_id is None:
            self.summary.setText(self.tr("Save the testimony first; then record the witness's consent."))
            self._update_buttons()
            return
        try:
            state = vault.consents.of_testimony(testimony_id)
        except FieldvaultError as err:
            self.summary.setText(error_message(err))
            self._update_buttons()
            return
        words = scope_words()
        self._consents = list(state.records)
        if not state.records:
            self.summary.setText(self.tr("No consent recorded yet."))
        else:
            self.summary.setText(
                self.tr("May be used for: {scopes}").format(
                    scopes=", ".join(words[s] for s in state.agreed) or self.tr("nothing")
                )
            )
        if state.withdrawn:
            self.withdrawn.setText(
                self.tr("Consent withdrawn for: {scopes}").format(
                    scopes=", ".join(words[s] for s in state.withdrawn)
                )
            )
            self.withdrawn.show()
        for consent in state.records:
            item = QListWidgetItem(consent_summary(consent))
            item.setData(Qt.ItemDataRole.UserRole, consent.id)
            self.records.addItem(item)
        if state.records:
            self.records.setCurrentRow(len(state.records) - 1)
        self._update_buttons()

    def selected(self) -> Consent | None:
        row = self.records.currentRow()
        return self._consents[row] if 0 <= row < len(self._consents) else None

    def _update_buttons(self, *_args: object) -> None:
        stored = self._vault is not None and self._testimony_id is not None
        self.record_button.setEnabled(stored)
        selected = self.selected()
        self.withdraw_button.setEnabled(stored and selected is not None and bool(selected.scopes))

    def open_record(self) -> None:
        if self._vault is None or self._testimony_id is None:
            return
        self._open(ConsentDialog(self._vault, self._tasks, self._testimony_id, self))

    def open_withdraw(self) -> None:
        selected = self.selected()
        if self._vault is None or selected is None:
            return
        self._open(WithdrawConsentDialog(self._vault, self._tasks, selected, self))

    def _open(self, dialog: QDialog) -> None:
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        assert isinstance(dialog, _SavingDialog)
        dialog.stored.connect(self._stored)
        dialog.open()

    def _stored(self, _consent: object) -> None:
        self.show_for(self._vault, self._testimony_id)
        self.changed.emit()
