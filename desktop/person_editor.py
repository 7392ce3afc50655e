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

import itertools
from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from db.entities import PERSON_ROLES, Person
from db.errors import FieldvaultError, InvalidInput
from db.vault import Vault
from desktop import record_form
from desktop.icons import icon
from desktop.messages import error_message

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


class PersonEditor(QWidget):
    """``load(vault, case_id, person_id)`` then edit; ``save()`` stores it,
    ``delete()`` (after a confirmation) removes it.

    ``saved(id)`` follows every successful save, ``deleted(id)`` a deletion."""

    saved = Signal(str)
    deleted = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vault: Vault | None = None
        self._case_id: str | None = None
        self._person: Person | None = None
        self._loading = False
        self._dirty = False
        self._sensitive_shown = False  # the details are in their widget
        self.error_labels: dict[str, QLabel] = {}
        self._field_widgets: dict[str, QWidget] = {}

        self.heading = QLabel(self.tr("New person"))
        font = self.heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.heading.setFont(font)

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

        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        first_role = self.role_boxes[PERSON_ROLES[0]]
        rows: list[tuple[str, str, QWidget, QWidget]] = [
            ("pseudonym", self.tr("&Pseudonym:"), self.pseudonym_field, self.pseudonym_field),
            ("name", self.tr("&Name:"), self.name_field, self.name_field),
            ("roles", self.tr("&Roles:"), first_role, roles_row),
            ("sensitive", self.tr("Sensiti&ve:"), self.sensitive_toggle, sensitive_box),
            ("notes", self.tr("Not&es:"), self.notes_field, self.notes_field),
        ]
        for name, label_text, field, shown in rows:
            label = QLabel(label_text)
            label.setBuddy(field)
            error = record_form.error_label()
            self.error_labels[name] = error
            self._field_widgets[name] = field
            form.addRow(label, record_form.with_error(shown, error))
        form_panel = QWidget()
        panel_layout = QVBoxLayout(form_panel)
        panel_layout.setContentsMargins(0, 0, 0, 0)
        panel_layout.addLayout(form)
        panel_layout.addStretch(1)  # rows keep their height; the space goes below
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scroll.setWidget(form_panel)

        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setAccessibleName(self.tr("Form status"))
        self.save_button = QPushButton(icon("save"), self.tr("Save person"))
        self.save_button.setAccessibleName(self.tr("Save person"))
        self.save_button.setToolTip(self.tr("Saves the person (Ctrl+S)."))
        self.delete_button = QPushButton(icon("discard"), self.tr("Delete person…"))
        self.delete_button.setAccessibleName(self.tr("Delete person"))
        self.delete_button.setEnabled(False)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.delete_button)
        bottom.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(scroll, 1)
        layout.addLayout(bottom)

        chain: list[QWidget] = [
            self.pseudonym_field,
            self.name_field,
            *self.role_boxes.values(),
            self.sensitive_toggle,
            self.sensitive_field,
            self.notes_field,
            self.save_button,
            self.delete_button,
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

        for line_edit in (self.pseudonym_field, self.name_field):
            line_edit.textEdited.connect(self._on_edited)
            line_edit.returnPressed.connect(self.focusNextChild)
        for box in self.role_boxes.values():
            box.toggled.connect(self._on_edited)
        self.sensitive_field.textChanged.connect(self._on_edited)
        self.notes_field.textChanged.connect(self._on_edited)
        self.sensitive_toggle.toggled.connect(self.show_sensitive)
        self.save_button.clicked.connect(self.save)
        self.delete_button.clicked.connect(self.delete)
        for keys in (QKeySequence.StandardKey.Save, QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.save)

        self.setEnabled(False)

    def role_labels(self) -> dict[str, str]:
        return {
            "victim": self.tr("Victim"),
            "witness": self.tr("Witness"),
            "perpetrator": self.tr("Perpetrator"),
            "other": self.tr("Other"),
        }

    # -- state -------------------------------------------------------------------------

    @property
    def person_id(self) -> str | None:
        return self._person.id if self._person else None

    @property
    def is_dirty(self) -> bool:
        return self._dirty

    @property
    def sensitive_shown(self) -> bool:
        return self._sensitive_shown

    def _on_edited(self, *_args: object) -> None:
        if not self._loading and self._vault is not None:
            self._dirty = True

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
                    format_sensitive(self._person.sensitive if self._person else {})
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

    # -- load --------------------------------------------------------------------------

    def load(self, vault: Vault, case_id: str, person_id: str | None = None) -> bool:
        """Show a person of the case (None: a new one), sensitive details hidden.
        False (with the reason shown) when it cannot be read."""
        self.clear()
        self._vault = vault
        self._case_id = case_id
        self.setEnabled(True)
        if person_id:
            try:
                self._person = vault.persons.get(person_id)
            except FieldvaultError as err:
                self.status.setText(error_message(err))
                return False
        self._show_stored()
        return True

    def _show_stored(self) -> None:
        person = self._person or Person(case_id=self._case_id or "")
        self._loading = True
        try:
            self.pseudonym_field.setText(person.pseudonym)
            self.name_field.setText(person.name)
            for role, box in self.role_boxes.items():
                box.setChecked(role in person.roles)
            self.notes_field.setPlainText(person.notes)
            self._hide_sensitive()
        finally:
            self._loading = False
        self._dirty = False
        self.heading.setText(self.tr("Person") if self._person else self.tr("New person"))
        self.delete_button.setEnabled(self._person is not None)

    # -- save and delete -----------------------------------------------------------------

    def _validated(self) -> tuple[dict[str, Any], dict[str, str]]:
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

    def _show_errors(self, errors: dict[str, str]) -> None:
        first: QWidget | None = None
        for name in FIELDS:
            if name not in errors:
                continue
            self.error_labels[name].setText(errors[name])
            self.error_labels[name].show()
            field = self.sensitive_field if name == "sensitive" else self._field_widgets[name]
            field.setAccessibleDescription(errors[name])
            first = first or field
        self.status.setText(self.tr("Not saved: check the marked fields."))
        if first is not None:
            first.setFocus()

    def _clear_errors(self) -> None:
        for name, label in self.error_labels.items():
            label.clear()
            label.hide()
            self._field_widgets[name].setAccessibleDescription("")
        self.sensitive_field.setAccessibleDescription("")

    def save(self) -> Person | None:
        """Store the form as a new person or a new version of the open one.
        Returns what was stored, or None when refused (the reasons shown)."""
        vault, case_id = self._vault, self._case_id
        if vault is None or case_id is None:
            self.status.setText(self.tr("Choose or create a case first."))
            return None
        self._clear_errors()
        values, errors = self._validated()
        if errors:
            self._show_errors(errors)
            return None
        if self._person is not None:
            record = replace(self._person, **values)
        else:
            record = Person(case_id=case_id, **values)
        try:
            stored = vault.persons.save(record)
        except InvalidInput as err:
            field = record_form.refused_field(err)
            if field in self.error_labels:
                self._show_errors({field: error_message(err)})
            else:
                self.status.setText(error_message(err))
            return None
        except FieldvaultError as err:
            self.status.setText(error_message(err))
            return None
        self._person = stored
        self._show_stored()
        self.status.setText(self.tr("Saved."))
        self.saved.emit(stored.id)
        return stored

    def delete(self) -> bool:
        """Delete the open person after asking (the history is kept). True when deleted."""
        vault, person = self._vault, self._person
        if vault is None or person is None:
            return False
        question = self.tr(
            "Delete this person? Testimonies that name them as witness keep the link; "
            "earlier versions stay in the history."
        )
        if not record_form.confirm_delete(self, self.tr("Delete person"), question):
            return False
        if self._vault is not vault or self._person is not person:
            return False  # the form was cleared (locked) while asking
        try:
            vault.persons.delete(person.id)
        except FieldvaultError as err:
            self.status.setText(error_message(err))
            return False
        self._person = None
        self._show_stored()
        self.status.setText(self.tr("Person deleted."))
        self.deleted.emit(person.id)
        return True

    # -- locking -----------------------------------------------------------------------

    def clear(self) -> None:
        """Empty every widget (the sensitive details hidden) and forget the vault and the person."""
        record_form.close_questions(self)
        self._loading = True
        try:
            for line_edit in (self.pseudonym_field, self.name_field):
                line_edit.setText("")
            self.notes_field.clear()
            for box in self.role_boxes.values():
                box.setChecked(False)
            self._hide_sensitive()
        finally:
            self._loading = False
        self._clear_errors()
        self.status.clear()
        self.heading.setText(self.tr("New person"))
        self.delete_button.setEnabled(False)
        self._vault = None
        self._case_id = None
        self._person = None
        self._dirty = False
        self.setEnabled(False)
