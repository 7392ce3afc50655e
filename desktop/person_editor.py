"""The person form: a victim, witness or perpetrator of a case.

A person is known in lists by a **pseudonym** (the testimony editor's Witness
box, the Persons list); the name stays in this form. A pseudonym is required
for that reason. The **sensitive details** (date of birth, contact, address…,
one ``label: value`` per line) are not put in any widget until the user asks
(Show sensitive details) and are hidden, and emptied, again whenever another
person is opened or the vault locks: someone looking over a shoulder sees
the form, not an address.

No drafts: the form is short. ``clear()`` empties every widget and forgets
the vault.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from db.api import PERSON_ROLES, EntityService, Person, Vault
from desktop.evidence_links import LinkedEvidenceBox
from desktop.icons import icon
from desktop.record_editor import FormRow, RecordEditor, RecordTexts
from desktop.tasks import TaskRunner

FIELDS = ("pseudonym", "name", "roles", "sensitive", "notes")


def format_sensitive(details: dict[str, str]) -> str:
    return "\n".join(f"{key}: {value}" for key, value in details.items())


def parse_sensitive(text: str) -> dict[str, str] | None:
    """``label: value`` lines as a dict; None when a line has no label."""
    details: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        key, colon, value = line.partition(":")
        if not colon or not key.strip():
            return None
        details[key.strip()] = value.strip()
    return details


class PersonEditor(RecordEditor[Person]):
    """``load(vault, case_id, person_id)`` then edit; ``save()`` stores it,
    ``delete()`` (after a confirmation) removes it.

    ``saved(id)`` follows every successful save, ``deleted(id)`` a deletion."""

    record_type = Person
    FIELDS = FIELDS

    def __init__(self, parent: QWidget | None = None, *, tasks: TaskRunner | None = None) -> None:
        super().__init__(parent, tasks=tasks)
        self._sensitive_shown = False  # the details are in their widget

        self.pseudonym_field = QLineEdit()
        self.pseudonym_field.setAccessibleName(self.tr("Pseudonym"))
        self.pseudonym_field.setPlaceholderText(self.tr("e.g. W-1: what lists show instead of the name"))
        self.name_field = QLineEdit()
        self.name_field.setAccessibleName(self.tr("Name"))
        self.name_field.setPlaceholderText(self.tr("Shown only in this form"))

        role_names = self.role_labels()
        self.role_boxes: dict[str, QCheckBox] = {}
        roles_row = QWidget()
        roles_layout = QHBoxLayout(roles_row)
        roles_layout.setContentsMargins(0, 0, 0, 0)
        for role in PERSON_ROLES:
            box = QCheckBox(role_names[role])
            box.setAccessibleName(self.tr("Role: {role}").format(role=role_names[role]))
            self.role_boxes[role] = box
            roles_layout.addWidget(box)
        roles_layout.addStretch(1)

        self.sensitive_toggle = QPushButton(icon("view"), self.tr("Show sensitive details"))
        self.sensitive_toggle.setAccessibleName(self.tr("Show sensitive details"))
        self.sensitive_toggle.setToolTip(self.tr("Date of birth, contact details, address…"))
        self.sensitive_toggle.setCheckable(True)
        self.sensitive_field = QPlainTextEdit()
        self.sensitive_field.setAccessibleName(self.tr("Sensitive details"))
        self.sensitive_field.setPlaceholderText(
            self.tr("One per line, e.g.\nDate of birth: 1970\nPhone: +380…\nAddress: …")
        )
        self.sensitive_field.setTabChangesFocus(True)
        self.sensitive_field.setFixedHeight(self.sensitive_field.fontMetrics().lineSpacing() * 5 + 12)
        self.sensitive_field.hide()
        sensitive_box = QWidget()
        sensitive_layout = QVBoxLayout(sensitive_box)
        sensitive_layout.setContentsMargins(0, 0, 0, 0)
        sensitive_layout.addWidget(self.sensitive_toggle, 0, Qt.AlignmentFlag.AlignLeft)
        sensitive_layout.addWidget(self.sensitive_field)

        self.notes_field = QPlainTextEdit()
        self.notes_field.setAccessibleName(self.tr("Notes"))
        self.notes_field.setPlaceholderText(self.tr("Your notes on this person"))
        self.notes_field.setTabChangesFocus(True)
        self.notes_field.setFixedHeight(self.notes_field.fontMetrics().lineSpacing() * 4 + 12)

        self.linked_evidence = LinkedEvidenceBox()  # issue 15: made on the evidence item
        self.lay_out(
            [
                FormRow("pseudonym", self.tr("&Pseudonym:"), self.pseudonym_field),
                FormRow("name", self.tr("&Name:"), self.name_field),
                FormRow("roles", self.tr("&Roles:"), self.role_boxes[PERSON_ROLES[0]], roles_row),
                FormRow("sensitive", self.tr("Sensiti&ve:"), self.sensitive_toggle, sensitive_box),
                FormRow("notes", self.tr("Not&es:"), self.notes_field),
                FormRow("linked_evidence", "", self.linked_evidence),
            ],
            stretch_below=True,
        )
        self.set_tab_chain(
            [
                self.pseudonym_field,
                self.name_field,
                *self.role_boxes.values(),
                self.sensitive_toggle,
                self.sensitive_field,
                self.notes_field,
            ]
        )

        self.watch(self.pseudonym_field, self.name_field)
        for box in self.role_boxes.values():
            box.toggled.connect(self.on_edited)
        self.sensitive_field.textChanged.connect(self.on_edited)
        self.notes_field.textChanged.connect(self.on_edited)
        self.sensitive_toggle.toggled.connect(self.show_sensitive)

    def texts(self) -> RecordTexts:
        return RecordTexts(
            new_heading=self.tr("New person"),
            heading=self.tr("Person"),
            save=self.tr("Save person"),
            save_tip=self.tr("Saves the person (Ctrl+S)."),
            delete=self.tr("Delete person…"),
            delete_title=self.tr("Delete person"),
            delete_question=self.tr(
                "Delete this person? Testimonies that name them as witness keep the link; "
                "earlier versions stay in the history."
            ),
            deleted=self.tr("Person deleted."),
        )

    def role_labels(self) -> dict[str, str]:
        return {
            "victim": self.tr("Victim"),
            "witness": self.tr("Witness"),
            "perpetrator": self.tr("Perpetrator"),
            "other": self.tr("Other"),
        }

    def service(self, vault: Vault) -> EntityService[Person]:
        return vault.persons

    @property
    def person_id(self) -> str | None:
        return self.record_id

    # -- the sensitive details -----------------------------------------------------------

    def show_sensitive(self, shown: bool = True) -> None:
        """Put the stored details in their field and show it (first time asked);
        hiding keeps what was typed until the form is saved or cleared."""
        if self.sensitive_toggle.isChecked() != shown:
            self.sensitive_toggle.setChecked(shown)  # comes back here
            return
        if shown and not self._sensitive_shown:
            self._loading = True
            try:
                self.sensitive_field.setPlainText(
                    format_sensitive(self._record.sensitive if self._record else {})
                )
            finally:
                self._loading = False
            self._sensitive_shown = True
        self.sensitive_field.setVisible(shown)
        self.sensitive_toggle.setText(
            self.tr("Hide sensitive details") if shown else self.tr("Show sensitive details")
        )
        self.sensitive_toggle.setAccessibleName(self.sensitive_toggle.text())
        if shown:
            self.sensitive_field.setFocus()

    def _hide_sensitive(self) -> None:
        """Hide and empty the details' field (a person is opened, the vault locks)."""
        self.sensitive_toggle.blockSignals(True)
        self.sensitive_toggle.setChecked(False)
        self.sensitive_toggle.blockSignals(False)
        self.sensitive_toggle.setText(self.tr("Show sensitive details"))
        self.sensitive_toggle.setAccessibleName(self.tr("Show sensitive details"))
        self.sensitive_field.hide()
        self.sensitive_field.clear()
        self._sensitive_shown = False

    # -- the form's values -------------------------------------------------------------

    def fill(self, record: Person) -> None:
        """The person's values, sensitive details hidden."""
        self.pseudonym_field.setText(record.pseudonym)
        self.name_field.setText(record.name)
        for role, box in self.role_boxes.items():
            box.setChecked(role in record.roles)
        self.notes_field.setPlainText(record.notes)
        self._hide_sensitive()

    def validated(self) -> tuple[dict[str, Any], dict[str, str]]:
        errors: dict[str, str] = {}
        values: dict[str, Any] = {
            "pseudonym": self.pseudonym_field.text().strip(),
            "name": self.name_field.text().strip(),
            "roles": [role for role, box in self.role_boxes.items() if box.isChecked()],
            "notes": self.notes_field.toPlainText(),
        }
        if not values["pseudonym"]:
            errors["pseudonym"] = self.tr("Give a pseudonym: lists show it instead of the name.")
        if self._sensitive_shown:
            details = parse_sensitive(self.sensitive_field.toPlainText())
            if details is None:
                errors["sensitive"] = self.tr("Write each detail on its own line as label: value.")
            else:
                values["sensitive"] = details
        return values, errors

    def error_field(self, name: str) -> QWidget:
        # The details' field, not the button that shows it (the row's buddy).
        return self.sensitive_field if name == "sensitive" else super().error_field(name)

    def show_stored(self) -> None:
        super().show_stored()
        self.linked_evidence.show_for(self._vault, self.person_id)

    def clear_fields(self) -> None:
        self.linked_evidence.show_for(None, None)
        for line_edit in (self.pseudonym_field, self.name_field):
            line_edit.setText("")
        self.notes_field.clear()
        for box in self.role_boxes.values():
            box.setChecked(False)
        self._hide_sensitive()
