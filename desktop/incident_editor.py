"""The incident form: what happened, when, where, and which violations.

An incident is what testimonies and evidence are about; the testimony
editor's Incident box lists the case's incidents. The date is typed as in the
testimony form (2022, 2022-03, 2022-03-15 or 15.03.2022) and checked against
the calendar here, so the message sits next to the field; its precision
follows from what was typed, or is "approximate" when ticked.

No drafts: the form is short. Everything shown may identify people and
places: ``clear()`` empties every widget and forgets the vault.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from db.entities import PLACE_PRECISIONS, Incident
from db.errors import FieldvaultError, InvalidInput
from db.vault import Vault
from db.vocabulary import violation_types
from desktop import record_form
from desktop.icons import icon
from desktop.messages import error_message
from desktop.testimony_editor import PartialDateError, parse_partial_date, ui_language

CODE_ROLE = Qt.ItemDataRole.UserRole
# The form's fields, in tab order; each has an error label under it.
FIELDS = (
    "title",
    "date",
    "place",
    "place_precision",
    "latitude",
    "longitude",
    "violation_types",
    "description",
    "notes",
)


class IncidentEditor(QWidget):
    """``load(vault, case_id, incident_id)`` then edit; ``save()`` stores it,
    ``delete()`` (after a confirmation) removes it.

    ``saved(id)`` follows every successful save, ``deleted(id)`` a deletion."""

    saved = Signal(str)
    deleted = Signal(str)

    def __init__(self, parent: QWidget | None = None, *, vocabulary_language: str | None = None) -> None:
        super().__init__(parent)
        self._vault: Vault | None = None
        self._case_id: str | None = None
        self._incident: Incident | None = None
        self._loading = False
        self._dirty = False
        self._vocabulary_language = vocabulary_language or ui_language()
        self.error_labels: dict[str, QLabel] = {}
        self._field_widgets: dict[str, QWidget] = {}

        self.heading = QLabel(self.tr("New incident"))
        font = self.heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.heading.setFont(font)

        # -- the fields ------------------------------------------------------------
        self.title_field = QLineEdit()
        self.title_field.setAccessibleName(self.tr("Incident title"))
        self.title_field.setPlaceholderText(self.tr("e.g. Shelling of the market"))

        self.date_field = QLineEdit()
        self.date_field.setAccessibleName(self.tr("Incident date"))
        self.date_field.setPlaceholderText(self.tr("2022, 2022-03 or 2022-03-15 (15.03.2022)"))
        self.date_field.setMaxLength(10)
        self.date_precision = QLabel()
        self.date_precision.setAccessibleName(self.tr("Precision of the incident date"))
        self.date_precision.setMinimumWidth(120)
        self.approximate_box = QCheckBox(self.tr("Appro&ximate"))
        self.approximate_box.setAccessibleName(self.tr("The date is approximate"))
        date_row = QWidget()
        date_layout = QHBoxLayout(date_row)
        date_layout.setContentsMargins(0, 0, 0, 0)
        date_layout.addWidget(self.date_field, 1)
        date_layout.addWidget(self.date_precision)
        date_layout.addWidget(self.approximate_box)

        self.place_field = QLineEdit()
        self.place_field.setAccessibleName(self.tr("Incident place"))
        self.place_field.setPlaceholderText(self.tr("Settlement, district, region"))
        self.place_precision_field = QComboBox()
        self.place_precision_field.setAccessibleName(self.tr("Precision of the place"))
        names = self.place_precision_labels()
        for precision in PLACE_PRECISIONS:
            self.place_precision_field.addItem(names[precision], precision)

        self.latitude_field = QLineEdit()
        self.latitude_field.setAccessibleName(self.tr("Latitude"))
        self.latitude_field.setPlaceholderText(self.tr("e.g. 49.2081"))
        self.longitude_field = QLineEdit()
        self.longitude_field.setAccessibleName(self.tr("Longitude"))
        self.longitude_field.setPlaceholderText(self.tr("e.g. 37.2566"))

        self.violations_field = QListWidget()
        self.violations_field.setAccessibleName(self.tr("Violation types"))
        self.violations_field.setToolTip(self.tr("Space ticks or unticks the highlighted type."))
        self.violations_field.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.violations_field.setUniformItemSizes(True)
        for violation in violation_types():
            text = violation.label(self._vocabulary_language)
            item = QListWidgetItem(text)
            item.setData(CODE_ROLE, violation.code)
            item.setToolTip(text)
            item.setFlags(
                Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsUserCheckable
            )
            item.setCheckState(Qt.CheckState.Unchecked)
            self.violations_field.addItem(item)
        self.violations_field.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.violations_field.setFixedHeight(
            self.violations_field.sizeHintForRow(0) * 6 + 2 * self.violations_field.frameWidth()
        )

        self.description_field = QPlainTextEdit()
        self.description_field.setAccessibleName(self.tr("Description"))
        self.description_field.setPlaceholderText(self.tr("What happened, as far as it is known."))
        self.description_field.setTabChangesFocus(True)
        self.description_field.setMinimumHeight(120)

        self.notes_field = QPlainTextEdit()
        self.notes_field.setAccessibleName(self.tr("Notes"))
        self.notes_field.setPlaceholderText(self.tr("Your notes on the incident"))
        self.notes_field.setTabChangesFocus(True)
        self.notes_field.setFixedHeight(self.notes_field.fontMetrics().lineSpacing() * 4 + 12)

        # -- the form --------------------------------------------------------------
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        rows: list[tuple[str, str, QWidget, QWidget]] = [
            ("title", self.tr("&Title:"), self.title_field, self.title_field),
            ("date", self.tr("&Date:"), self.date_field, date_row),
            ("place", self.tr("&Place:"), self.place_field, self.place_field),
            (
                "place_precision",
                self.tr("Place &known to:"),
                self.place_precision_field,
                self.place_precision_field,
            ),
            ("latitude", self.tr("L&atitude:"), self.latitude_field, self.latitude_field),
            ("longitude", self.tr("Lo&ngitude:"), self.longitude_field, self.longitude_field),
            ("violation_types", self.tr("Violation t&ypes:"), self.violations_field, self.violations_field),
            ("description", self.tr("Descr&iption:"), self.description_field, self.description_field),
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
        form_panel.setLayout(form)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scroll.setWidget(form_panel)
        self.scroll_area = scroll

        # -- bottom: status, save and delete -------------------------------------
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setAccessibleName(self.tr("Form status"))
        self.save_button = QPushButton(icon("save"), self.tr("Save incident"))
        self.save_button.setAccessibleName(self.tr("Save incident"))
        self.save_button.setToolTip(self.tr("Saves the incident (Ctrl+S)."))
        self.delete_button = QPushButton(icon("discard"), self.tr("Delete incident…"))
        self.delete_button.setAccessibleName(self.tr("Delete incident"))
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
            self.title_field,
            self.date_field,
            self.approximate_box,
            self.place_field,
            self.place_precision_field,
            self.latitude_field,
            self.longitude_field,
            self.violations_field,
            self.description_field,
            self.notes_field,
            self.save_button,
            self.delete_button,
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

        # -- wiring ----------------------------------------------------------------
        for line_edit in (
            self.title_field,
            self.date_field,
            self.place_field,
            self.latitude_field,
            self.longitude_field,
        ):
            line_edit.textEdited.connect(self._on_edited)
            line_edit.returnPressed.connect(self.focusNextChild)
        self.date_field.textChanged.connect(self._show_date_precision)
        self.approximate_box.toggled.connect(self._on_edited)
        self.place_precision_field.currentIndexChanged.connect(self._on_edited)
        self.violations_field.itemChanged.connect(self._on_edited)
        self.description_field.textChanged.connect(self._on_edited)
        self.notes_field.textChanged.connect(self._on_edited)
        self.save_button.clicked.connect(self.save)
        self.delete_button.clicked.connect(self.delete)
        for keys in (QKeySequence.StandardKey.Save, QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.save)

        self._show_date_precision("")
        self.setEnabled(False)

    def place_precision_labels(self) -> dict[str, str]:
        return {
            "unknown": self.tr("Not known"),
            "country": self.tr("Country"),
            "region": self.tr("Region (oblast)"),
            "district": self.tr("District (raion)"),
            "settlement": self.tr("Settlement"),
            "exact": self.tr("Exact place"),
        }

    # -- state -------------------------------------------------------------------------

    @property
    def incident_id(self) -> str | None:
        return self._incident.id if self._incident else None

    @property
    def is_dirty(self) -> bool:
        """The form holds changes not saved."""
        return self._dirty

    def _on_edited(self, *_args: object) -> None:
        if not self._loading and self._vault is not None:
            self._dirty = True

    # -- load --------------------------------------------------------------------------

    def load(self, vault: Vault, case_id: str, incident_id: str | None = None) -> bool:
        """Show an incident of the case (None: a new one). False (with the
        reason shown) when it cannot be read."""
        self.clear()
        self._vault = vault
        self._case_id = case_id
        self.setEnabled(True)
        if incident_id:
            try:
                self._incident = vault.incidents.get(incident_id)
            except FieldvaultError as err:
                self.status.setText(error_message(err))
                return False
        self._show_stored()
        return True

    def _show_stored(self) -> None:
        self._loading = True
        try:
            self.set_form_values(self._incident or Incident(case_id=self._case_id or ""))
        finally:
            self._loading = False
        self._dirty = False
        self.heading.setText(self.tr("Incident") if self._incident else self.tr("New incident"))
        self.delete_button.setEnabled(self._incident is not None)

    def set_form_values(self, incident: Incident) -> None:
        self.title_field.setText(incident.title)
        self.date_field.setText(incident.date)
        self.approximate_box.setChecked(incident.date_precision == "approximate")
        self.place_field.setText(incident.place)
        self.place_precision_field.setCurrentIndex(
            max(self.place_precision_field.findData(incident.place_precision), 0)
        )
        self.latitude_field.setText("" if incident.latitude is None else repr(incident.latitude))
        self.longitude_field.setText("" if incident.longitude is None else repr(incident.longitude))
        wanted = set(incident.violation_types)
        for row in range(self.violations_field.count()):
            item = self.violations_field.item(row)
            checked = item.data(CODE_ROLE) in wanted
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.description_field.setPlainText(incident.description)
        self.notes_field.setPlainText(incident.notes)

    def checked_violation_types(self) -> list[str]:
        return [
            str(item.data(CODE_ROLE))
            for item in (self.violations_field.item(row) for row in range(self.violations_field.count()))
            if item.checkState() == Qt.CheckState.Checked
        ]

    def set_violation_checked(self, code: str, checked: bool = True) -> None:
        for row in range(self.violations_field.count()):
            item = self.violations_field.item(row)
            if item.data(CODE_ROLE) == code:
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
                return
        raise KeyError(code)

    # -- validation ----------------------------------------------------------------------

    def _validated(self) -> tuple[dict[str, Any], dict[str, str]]:
        errors: dict[str, str] = {}
        values: dict[str, Any] = {
            "title": self.title_field.text().strip(),
            "place": self.place_field.text().strip(),
            "place_precision": str(self.place_precision_field.currentData() or "unknown"),
            "violation_types": self.checked_violation_types(),
            "description": self.description_field.toPlainText(),
            "notes": self.notes_field.toPlainText(),
        }
        if not values["title"]:
            errors["title"] = self.tr("Give the incident a title: the lists show it.")
        try:
            date = parse_partial_date(self.date_field.text())
        except PartialDateError as err:
            errors["date"] = self._date_error(err.reason)
        else:
            values["date"] = date.iso
            approximate = self.approximate_box.isChecked() and date.iso
            values["date_precision"] = "approximate" if approximate else date.precision
        for name, limit in (("latitude", 90.0), ("longitude", 180.0)):
            field = self.latitude_field if name == "latitude" else self.longitude_field
            text = field.text().strip().replace(",", ".")
            if not text:
                values[name] = None
                continue
            try:
                number = float(text)
            except ValueError:
                number = float("nan")
            if not -limit <= number <= limit:  # also refuses nan
                errors[name] = self.tr("A number between -{limit} and {limit}, in decimal degrees.").format(
                    limit=int(limit)
                )
            else:
                values[name] = number
        return values, errors

    def _date_error(self, reason: str) -> str:
        if reason == "month":
            return self.tr("There is no such month. Use 2022, 2022-03 or 2022-03-15.")
        if reason == "day":
            return self.tr("There is no such day in that month.")
        if reason == "future":
            return self.tr("This date is in the future.")
        if reason == "early":
            return self.tr("The year must be 1900 or later.")
        return self.tr("Type a year (2022), a month (2022-03) or a full date (2022-03-15 or 15.03.2022).")

    def _show_errors(self, errors: dict[str, str]) -> None:
        first: QWidget | None = None
        for name in FIELDS:
            if name not in errors:
                continue
            self.error_labels[name].setText(errors[name])
            self.error_labels[name].show()
            field = self._field_widgets[name]
            field.setAccessibleDescription(errors[name])
            first = first or field
        self.status.setText(self.tr("Not saved: check the marked fields."))
        if first is not None:
            first.setFocus()
            self.scroll_area.ensureWidgetVisible(first)

    def _clear_errors(self) -> None:
        for name, label in self.error_labels.items():
            label.clear()
            label.hide()
            self._field_widgets[name].setAccessibleDescription("")

    def _show_date_precision(self, text: str) -> None:
        try:
            precision = parse_partial_date(text).precision
        except PartialDateError:
            self.date_precision.setText(self.tr("not a date yet"))
            return
        names = {
            "unknown": self.tr("date unknown"),
            "year": self.tr("year only"),
            "month": self.tr("month and year"),
            "day": self.tr("exact day"),
        }
        self.date_precision.setText(names[precision])

    # -- save and delete -----------------------------------------------------------------

    def save(self) -> Incident | None:
        """Store the form as a new incident or a new version of the open one.
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
        if self._incident is not None:
            record = replace(self._incident, **values)
        else:
            record = Incident(case_id=case_id, **values)
        try:
            stored = vault.incidents.save(record)
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
        self._incident = stored
        self._show_stored()
        self.status.setText(self.tr("Saved."))
        self.saved.emit(stored.id)
        return stored

    def delete(self) -> bool:
        """Delete the open incident after asking (its history is kept). True when deleted."""
        vault, incident = self._vault, self._incident
        if vault is None or incident is None:
            return False
        question = self.tr(
            "Delete this incident? Testimonies that refer to it keep the link; "
            "its earlier versions stay in the history."
        )
        if not record_form.confirm_delete(self, self.tr("Delete incident"), question):
            return False
        if self._vault is not vault or self._incident is not incident:
            return False  # the form was cleared (locked) while asking
        try:
            vault.incidents.delete(incident.id)
        except FieldvaultError as err:
            self.status.setText(error_message(err))
            return False
        self._incident = None
        self._show_stored()
        self.status.setText(self.tr("Incident deleted."))
        self.deleted.emit(incident.id)
        return True

    # -- locking -----------------------------------------------------------------------

    def clear(self) -> None:
        """Empty every widget and forget the vault and the incident."""
        record_form.close_questions(self)
        self._loading = True
        try:
            for line_edit in (
                self.title_field,
                self.date_field,
                self.place_field,
                self.latitude_field,
                self.longitude_field,
            ):
                line_edit.setText("")
            for editor in (self.description_field, self.notes_field):
                editor.clear()
            self.approximate_box.setChecked(False)
            self.place_precision_field.setCurrentIndex(0)
            for row in range(self.violations_field.count()):
                self.violations_field.item(row).setCheckState(Qt.CheckState.Unchecked)
            self.violations_field.clearSelection()
        finally:
            self._loading = False
        self._clear_errors()
        self.status.clear()
        self.heading.setText(self.tr("New incident"))
        self.delete_button.setEnabled(False)
        self._vault = None
        self._case_id = None
        self._incident = None
        self._dirty = False
        self.setEnabled(False)
