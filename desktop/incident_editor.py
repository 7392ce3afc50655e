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

from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from db.api import PLACE_PRECISIONS, EntityService, Incident, PartialDateError, Vault, parse_partial_date
from desktop.evidence_links import LinkedEvidenceBox
from desktop.form_fields import PartialDateField, ViolationTypesField
from desktop.record_editor import FormRow, RecordEditor, RecordTexts
from desktop.tasks import TaskRunner

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


class IncidentEditor(RecordEditor[Incident]):
    """``load(vault, case_id, incident_id)`` then edit; ``save()`` stores it,
    ``delete()`` (after a confirmation) removes it.

    ``saved(id)`` follows every successful save, ``deleted(id)`` a deletion."""

    record_type = Incident
    FIELDS = FIELDS

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        vocabulary_language: str | None = None,
        tasks: TaskRunner | None = None,
    ) -> None:
        super().__init__(parent, tasks=tasks)

        # -- the fields ------------------------------------------------------------
        self.title_field = QLineEdit()
        self.title_field.setAccessibleName(self.tr("Incident title"))
        self.title_field.setPlaceholderText(self.tr("e.g. Shelling of the market"))

        self.date_row = PartialDateField(self.tr("Incident date"), self.tr("Precision of the incident date"))
        self.date_field = self.date_row.line
        self.date_precision = self.date_row.precision
        self.approximate_box = QCheckBox(self.tr("Appro&ximate"))
        self.approximate_box.setAccessibleName(self.tr("The date is approximate"))
        self.date_row.add_widget(self.approximate_box)

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

        self.violations_field = ViolationTypesField(vocabulary_language)

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
        self.linked_evidence = LinkedEvidenceBox()  # issue 15: made on the evidence item
        self.lay_out(
            [
                FormRow("title", self.tr("&Title:"), self.title_field),
                FormRow("date", self.tr("&Date:"), self.date_field, self.date_row),
                FormRow("place", self.tr("&Place:"), self.place_field),
                FormRow("place_precision", self.tr("Place &known to:"), self.place_precision_field),
                FormRow("latitude", self.tr("L&atitude:"), self.latitude_field),
                FormRow("longitude", self.tr("Lo&ngitude:"), self.longitude_field),
                FormRow("violation_types", self.tr("Violation t&ypes:"), self.violations_field),
                FormRow("description", self.tr("Descr&iption:"), self.description_field),
                FormRow("notes", self.tr("Not&es:"), self.notes_field),
                FormRow("linked_evidence", "", self.linked_evidence),
            ]
        )
        self.set_tab_chain(
            [
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
            ]
        )

        # -- wiring ----------------------------------------------------------------
        self.watch(
            self.title_field, self.date_field, self.place_field, self.latitude_field, self.longitude_field
        )
        self.approximate_box.toggled.connect(self.on_edited)
        self.place_precision_field.currentIndexChanged.connect(self.on_edited)
        self.violations_field.itemChanged.connect(self.on_edited)
        self.description_field.textChanged.connect(self.on_edited)
        self.notes_field.textChanged.connect(self.on_edited)

    def texts(self) -> RecordTexts:
        return RecordTexts(
            new_heading=self.tr("New incident"),
            heading=self.tr("Incident"),
            save=self.tr("Save incident"),
            save_tip=self.tr("Saves the incident (Ctrl+S)."),
            delete=self.tr("Delete incident…"),
            delete_title=self.tr("Delete incident"),
            delete_question=self.tr(
                "Delete this incident? Testimonies that refer to it keep the link; "
                "its earlier versions stay in the history."
            ),
            deleted=self.tr("Incident deleted."),
        )

    def place_precision_labels(self) -> dict[str, str]:
        return {
            "unknown": self.tr("Not known"),
            "country": self.tr("Country"),
            "region": self.tr("Region (oblast)"),
            "district": self.tr("District (raion)"),
            "settlement": self.tr("Settlement"),
            "exact": self.tr("Exact place"),
        }

    def service(self, vault: Vault) -> EntityService[Incident]:
        return vault.incidents

    @property
    def incident_id(self) -> str | None:
        return self.record_id

    # -- the form's values -------------------------------------------------------------

    def fill(self, record: Incident) -> None:
        self.title_field.setText(record.title)
        self.date_field.setText(record.date)
        self.approximate_box.setChecked(record.date_precision == "approximate")
        self.place_field.setText(record.place)
        self.place_precision_field.setCurrentIndex(
            max(self.place_precision_field.findData(record.place_precision), 0)
        )
        self.latitude_field.setText("" if record.latitude is None else repr(record.latitude))
        self.longitude_field.setText("" if record.longitude is None else repr(record.longitude))
        self.violations_field.check_only(record.violation_types)
        self.description_field.setPlainText(record.description)
        self.notes_field.setPlainText(record.notes)

    def checked_violation_types(self) -> list[str]:
        return self.violations_field.checked()

    def set_violation_checked(self, code: str, checked: bool = True) -> None:
        self.violations_field.set_checked(code, checked)

    def validated(self) -> tuple[dict[str, Any], dict[str, str]]:
        errors: dict[str, str] = {}
        values: dict[str, Any] = {
            "title": self.title_field.text().strip(),
            "place": self.place_field.text().strip(),
            "place_precision": str(self.place_precision_field.currentData() or "unknown"),
            "violation_types": self.violations_field.checked(),
            "description": self.description_field.toPlainText(),
            "notes": self.notes_field.toPlainText(),
        }
        if not values["title"]:
            errors["title"] = self.tr("Give the incident a title: the lists show it.")
        try:
            date = parse_partial_date(self.date_field.text())
        except PartialDateError as err:
            errors["date"] = self.date_row.error_text(err.reason)
        else:
            values["date"] = date.iso
            approximate = self.approximate_box.isChecked() and date.iso
            values["date_precision"] = "approximate" if approximate else date.precision
        for name, field, limit in (
            ("latitude", self.latitude_field, 90.0),
            ("longitude", self.longitude_field, 180.0),
        ):
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

    def show_stored(self) -> None:
        super().show_stored()
        self.linked_evidence.show_for(self._vault, self.incident_id)

    def clear_fields(self) -> None:
        self.linked_evidence.show_for(None, None)
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
        self.violations_field.untick_all()
