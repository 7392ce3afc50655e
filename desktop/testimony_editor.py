"""The testimony editor: every structured field of a testimony and its narrative.

A field worker may be interrupted at any moment (auto-lock, Ctrl+L, a flat
battery), so the form's content is autosaved as a *draft* two seconds after the
last change: into the vault's encrypted database (``vault.drafts``), never to a
file. Opening the testimony again restores the draft with a banner that offers
to discard it; saving the testimony discards the draft.

Decision: the draft is restored without asking. A question right after an
unlock, possibly under stress, is one more thing to get wrong, and answering it
wrongly loses the text; the banner says what happened and discarding is one
click away.

Validation happens here first (the date against the calendar, the language
code's shape) so that the message sits next to the field; what the vault still
refuses (``InvalidInput`` names the field) is mapped to the same places.
Everything shown is witness data: ``clear()`` empties every widget and forgets
the vault.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QDateTime, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
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

from db.entities import CONSENT_SCOPES, Testimony
from db.errors import FieldvaultError, InvalidInput
from db.services import new_record_draft_key, record_draft_key
from db.vault import Vault
from db.vocabulary import violation_types
from desktop.i18n import chosen_locale
from desktop.icons import icon
from desktop.messages import error_message

AUTOSAVE_DELAY_MS = 2000
DRAFT_FORMAT = 1
CODE_ROLE = Qt.ItemDataRole.UserRole
# Offered in the language box; any other code can be typed.
LISTED_LANGUAGES = ("uk", "en", "ru", "crh")
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
EARLIEST_YEAR = 1900
TEXT_FIELDS = ("title", "interviewer", "interview_place", "interpreter")
# The form's fields, in tab order; each has an error label under it.
FIELDS = (
    "title",
    "witness_id",
    "incident_id",
    "interviewer",
    "interview_date",
    "interview_place",
    "language",
    "interpreter",
    "consent_scope",
    "violation_types",
    "narrative",
    "notes",
)
_ISO_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
# Day first, as dates are written in Ukraine: 15.03.2022, 03.2022 (or with /).
_DOTTED_DATE = re.compile(r"^(?:(\d{1,2})[./])?(\d{1,2})[./](\d{4})$")
_FIELD_IN_MESSAGE = re.compile(r"field '(\w+)'")


def draft_key(case_id: str, testimony_id: str | None) -> str:
    """The key of a testimony's draft in ``vault.drafts`` (at most 50 characters),
    by the core's convention, so that deleting the testimony (or its case)
    discards it."""
    if testimony_id:
        return record_draft_key("testimony", testimony_id)
    return new_record_draft_key("testimony", case_id)


class PartialDateError(ValueError):
    """Why a date was refused: "format", "month", "day", "early" or "future"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class PartialDate:
    iso: str  # "", "YYYY", "YYYY-MM" or "YYYY-MM-DD"
    precision: str  # "unknown", "year", "month" or "day"


def parse_partial_date(text: str, today: dt.date | None = None) -> PartialDate:
    """A year, a month or a day, typed as ISO (2022, 2022-03, 2022-03-15) or day
    first (15.03.2022, 03.2022); checked against the calendar and today."""
    text = text.strip()
    if not text:
        return PartialDate("", "unknown")
    today = today or dt.date.today()
    if match := _ISO_DATE.match(text):
        year, month, day = match.groups()
    elif match := _DOTTED_DATE.match(text):
        day, month, year = match.groups()
    else:
        raise PartialDateError("format")
    y = int(year)
    if y < EARLIEST_YEAR:
        raise PartialDateError("early")
    if month is None:
        if y > today.year:
            raise PartialDateError("future")
        return PartialDate(f"{y:04d}", "year")
    m = int(month)
    if not 1 <= m <= 12:
        raise PartialDateError("month")
    if day is None:
        if (y, m) > (today.year, today.month):
            raise PartialDateError("future")
        return PartialDate(f"{y:04d}-{m:02d}", "month")
    try:
        date = dt.date(y, m, int(day))
    except ValueError:
        raise PartialDateError("day") from None
    if date > today:
        raise PartialDateError("future")
    return PartialDate(date.isoformat(), "day")


def ui_language() -> str:
    """The language of the vocabulary labels: the one the app's translation was chosen by."""
    return chosen_locale().name().split("_")[0] or "en"


def _field_of(error: InvalidInput) -> str | None:
    message = str(error)
    if match := _FIELD_IN_MESSAGE.search(message):
        return match.group(1)
    if "violation type" in message:
        return "violation_types"
    return None


class TestimonyEditor(QWidget):
    """``load(vault, case_id, testimony_id)`` then edit; ``save()`` stores it.

    ``saved(id)`` follows every successful save; ``draft_saved(key)`` every
    autosave; ``history_requested(id)`` the History button."""

    __test__ = False  # not a pytest test class, despite its name

    saved = Signal(str)
    draft_saved = Signal(str)
    history_requested = Signal(str)

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        vocabulary_language: str | None = None,
        autosave_ms: int = AUTOSAVE_DELAY_MS,
    ) -> None:
        super().__init__(parent)
        self._vault: Vault | None = None
        self._case_id: str | None = None
        self._testimony: Testimony | None = None
        self._loading = False
        self._dirty = False  # the form differs from the stored testimony
        self._draft_pending = False  # changed since the last autosave
        self._vocabulary_language = vocabulary_language or ui_language()
        self.error_labels: dict[str, QLabel] = {}
        self._field_widgets: dict[str, QWidget] = {}

        self._autosave_timer = QTimer(self)
        self._autosave_timer.setSingleShot(True)
        self._autosave_timer.setInterval(autosave_ms)
        self._autosave_timer.timeout.connect(self.flush_draft)

        # -- heading and the restored-draft banner ------------------------------
        self.heading = QLabel(self.tr("New testimony"))
        font = self.heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.heading.setFont(font)
        self.history_button = QPushButton(icon("history"), self.tr("History…"))
        self.history_button.setAccessibleName(self.tr("Edit history of this testimony"))
        self.history_button.setEnabled(False)
        heading_row = QHBoxLayout()
        heading_row.addWidget(self.heading, 1)
        heading_row.addWidget(self.history_button)

        self.draft_banner = QFrame()
        self.draft_banner.setFrameShape(QFrame.Shape.StyledPanel)
        self.draft_banner.setStyleSheet(
            "QFrame { background: #fff4ce; color: #3b2f00; border: 1px solid #d9b200; border-radius: 4px; }"
            "QLabel { border: none; }"
        )
        self.draft_banner_text = QLabel()
        self.draft_banner_text.setWordWrap(True)
        self.draft_banner_text.setTextFormat(Qt.TextFormat.PlainText)
        self.draft_banner_text.setAccessibleName(self.tr("Restored draft"))
        self.discard_draft_button = QPushButton(icon("discard"), self.tr("Discard these changes"))
        self.discard_draft_button.setAccessibleName(self.tr("Discard the restored draft"))
        banner_layout = QHBoxLayout(self.draft_banner)
        banner_layout.addWidget(self.draft_banner_text, 1)
        banner_layout.addWidget(self.discard_draft_button)
        self.draft_banner.hide()

        # -- the fields ------------------------------------------------------------
        self.title_field = QLineEdit()
        self.title_field.setAccessibleName(self.tr("Testimony title"))
        self.title_field.setPlaceholderText(self.tr("e.g. Statement of witness W-1"))

        self.witness_field = QComboBox()
        self.witness_field.setAccessibleName(self.tr("Witness"))
        self.witness_field.setToolTip(self.tr("The persons of this case, by pseudonym."))
        self.incident_field = QComboBox()
        self.incident_field.setAccessibleName(self.tr("Incident"))

        self.interviewer_field = QLineEdit()
        self.interviewer_field.setAccessibleName(self.tr("Interviewer"))

        self.date_field = QLineEdit()
        self.date_field.setAccessibleName(self.tr("Interview date"))
        self.date_field.setPlaceholderText(self.tr("2022, 2022-03 or 2022-03-15 (15.03.2022)"))
        self.date_field.setMaxLength(10)
        self.date_precision = QLabel()
        self.date_precision.setAccessibleName(self.tr("Precision of the interview date"))
        self.date_precision.setMinimumWidth(120)
        date_row = QWidget()
        date_layout = QHBoxLayout(date_row)
        date_layout.setContentsMargins(0, 0, 0, 0)
        date_layout.addWidget(self.date_field, 1)
        date_layout.addWidget(self.date_precision)

        self.place_field = QLineEdit()
        self.place_field.setAccessibleName(self.tr("Interview place"))
        self.place_field.setPlaceholderText(self.tr("Settlement, district, region"))

        self.language_field = QComboBox()
        self.language_field.setEditable(True)
        self.language_field.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.language_field.setAccessibleName(self.tr("Language of the testimony"))
        self.language_field.setToolTip(self.tr("Choose a language or type its code (e.g. pl, de)."))
        language_names = {
            "uk": self.tr("Ukrainian"),
            "en": self.tr("English"),
            "ru": self.tr("Russian"),
            "crh": self.tr("Crimean Tatar"),
        }
        for code in LISTED_LANGUAGES:
            self.language_field.addItem(f"{language_names[code]} ({code})", code)
        self.language_field.setCurrentIndex(-1)
        line = self.language_field.lineEdit()
        assert line is not None  # an editable combo box has one
        line.setPlaceholderText(self.tr("e.g. uk, ru, en"))
        line.setMaxLength(35)

        self.interpreter_field = QLineEdit()
        self.interpreter_field.setAccessibleName(self.tr("Interpreter"))
        self.interpreter_field.setPlaceholderText(self.tr("Leave empty if none"))

        self.consent_field = QComboBox()
        self.consent_field.setAccessibleName(self.tr("Consent scope"))
        self.consent_field.setToolTip(self.tr("What the witness agreed this testimony may be used for."))
        consent_names = self.consent_labels()
        for scope in CONSENT_SCOPES:
            self.consent_field.addItem(consent_names[scope], scope)

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
        rows = 6
        self.violations_field.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.violations_field.setFixedHeight(
            self.violations_field.sizeHintForRow(0) * rows + 2 * self.violations_field.frameWidth()
        )

        self.narrative_field = QPlainTextEdit()
        self.narrative_field.setAccessibleName(self.tr("Narrative"))
        self.narrative_field.setPlaceholderText(self.tr("The witness's account, in their words."))
        self.narrative_field.setTabChangesFocus(True)
        self.narrative_field.setMinimumHeight(240)
        self.narrative_field.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

        self.notes_field = QPlainTextEdit()
        self.notes_field.setAccessibleName(self.tr("Notes"))
        self.notes_field.setPlaceholderText(self.tr("Interviewer's notes (not the witness's words)"))
        self.notes_field.setTabChangesFocus(True)
        self.notes_field.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.notes_field.setFixedHeight(self.notes_field.fontMetrics().lineSpacing() * 4 + 12)

        # -- the form --------------------------------------------------------------
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        rows_spec: list[tuple[str, str, QWidget, QWidget]] = [
            ("title", self.tr("&Title:"), self.title_field, self.title_field),
            ("witness_id", self.tr("&Witness:"), self.witness_field, self.witness_field),
            ("incident_id", self.tr("In&cident:"), self.incident_field, self.incident_field),
            ("interviewer", self.tr("Inter&viewer:"), self.interviewer_field, self.interviewer_field),
            ("interview_date", self.tr("&Date:"), self.date_field, date_row),
            ("interview_place", self.tr("&Place:"), self.place_field, self.place_field),
            ("language", self.tr("&Language:"), self.language_field, self.language_field),
            ("interpreter", self.tr("Inte&rpreter:"), self.interpreter_field, self.interpreter_field),
            ("consent_scope", self.tr("C&onsent:"), self.consent_field, self.consent_field),
            ("violation_types", self.tr("Violation t&ypes:"), self.violations_field, self.violations_field),
            ("narrative", self.tr("&Narrative:"), self.narrative_field, self.narrative_field),
            ("notes", self.tr("Not&es:"), self.notes_field, self.notes_field),
        ]
        for name, label_text, field, shown in rows_spec:
            label = QLabel(label_text)
            label.setBuddy(field)
            form.addRow(label, self._with_error_label(name, field, shown))

        form_panel = QWidget()
        form_panel.setLayout(form)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scroll.setWidget(form_panel)
        self.scroll_area = scroll

        # -- bottom: status and save ---------------------------------------------
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setAccessibleName(self.tr("Form status"))
        self.autosave_status = QLabel()
        self.autosave_status.setTextFormat(Qt.TextFormat.PlainText)
        self.autosave_status.setAccessibleName(self.tr("Autosave status"))
        self.autosave_status.setStyleSheet("color: palette(mid);")
        self.save_button = QPushButton(icon("save"), self.tr("Save testimony"))
        self.save_button.setAccessibleName(self.tr("Save testimony"))
        self.save_button.setToolTip(self.tr("Saves the testimony (Ctrl+S)."))
        bottom = QHBoxLayout()
        status_column = QVBoxLayout()
        status_column.addWidget(self.status)
        status_column.addWidget(self.autosave_status)
        bottom.addLayout(status_column, 1)
        bottom.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.addLayout(heading_row)
        layout.addWidget(self.draft_banner)
        layout.addWidget(scroll, 1)
        layout.addLayout(bottom)

        # -- tab order: the form top to bottom, then Save ---------------------------
        chain: list[QWidget] = [
            self.title_field,
            self.witness_field,
            self.incident_field,
            self.interviewer_field,
            self.date_field,
            self.place_field,
            self.language_field,
            self.interpreter_field,
            self.consent_field,
            self.violations_field,
            self.narrative_field,
            self.notes_field,
            self.save_button,
            self.history_button,
            self.discard_draft_button,
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

        # -- wiring ----------------------------------------------------------------
        for line_edit in (
            self.title_field,
            self.interviewer_field,
            self.date_field,
            self.place_field,
            self.interpreter_field,
        ):
            line_edit.textEdited.connect(self._on_edited)
            # Enter moves on to the next field: quick entry without the mouse.
            line_edit.returnPressed.connect(self.focusNextChild)
        self.date_field.textChanged.connect(self._show_date_precision)
        self.language_field.editTextChanged.connect(self._on_edited)
        self.language_field.currentIndexChanged.connect(self._on_edited)
        line.editingFinished.connect(self._show_listed_language)
        for combo in (self.witness_field, self.incident_field, self.consent_field):
            combo.currentIndexChanged.connect(self._on_edited)
        self.violations_field.itemChanged.connect(self._on_edited)
        self.narrative_field.textChanged.connect(self._on_edited)
        self.notes_field.textChanged.connect(self._on_edited)
        self.save_button.clicked.connect(self.save)
        self.discard_draft_button.clicked.connect(self.discard_draft)
        self.history_button.clicked.connect(self._request_history)
        for keys in (QKeySequence.StandardKey.Save, QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.save)

        self._show_date_precision("")
        self.setEnabled(False)

    def _with_error_label(self, name: str, field: QWidget, shown: QWidget) -> QWidget:
        error = QLabel()
        error.setWordWrap(True)
        error.setTextFormat(Qt.TextFormat.PlainText)
        error.setStyleSheet("color: #b00020;")
        error.setAccessibleName(self.tr("Error"))
        error.hide()
        self.error_labels[name] = error
        self._field_widgets[name] = field
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(shown)
        column.addWidget(error)
        return box

    def consent_labels(self) -> dict[str, str]:
        return {
            "": self.tr("Not recorded yet"),
            "documentation-only": self.tr("Documentation only"),
            "ngo-internal": self.tr("Internal use by the organisation"),
            "prosecution": self.tr("May be shared with prosecutors and courts"),
            "public-anonymised": self.tr("May be published, anonymised"),
        }

    # -- state -----------------------------------------------------------------------

    @property
    def case_id(self) -> str | None:
        return self._case_id

    @property
    def testimony_id(self) -> str | None:
        return self._testimony.id if self._testimony else None

    @property
    def is_dirty(self) -> bool:
        """The form holds changes not saved to the testimony (a draft may hold them)."""
        return self._dirty

    def current_draft_key(self) -> str | None:
        return draft_key(self._case_id, self.testimony_id) if self._case_id else None

    # -- load --------------------------------------------------------------------------

    def load(self, vault: Vault, case_id: str, testimony_id: str | None = None) -> bool:
        """Show a testimony of the case (None: a new one), restoring its draft
        if one is kept. False (with the reason shown) when it cannot be read."""
        self.clear(save_draft=True)
        self._vault = vault
        self._case_id = case_id
        self.setEnabled(True)
        try:
            self._testimony = vault.testimonies.get(testimony_id) if testimony_id else None
            persons = vault.persons.list(case_id)
            incidents = vault.incidents.list(case_id)
        except FieldvaultError as err:
            self._testimony = None
            self.status.setText(error_message(err))
            self.setEnabled(False)
            return False
        self._loading = True
        try:
            self.witness_field.addItem(self.tr("(none)"), "")
            for person in persons:
                self.witness_field.addItem(person.label(), person.id)
            self.incident_field.addItem(self.tr("(none)"), "")
            for incident in incidents:
                self.incident_field.addItem(incident.label(), incident.id)
            self.set_form_values(self._stored_values())
        finally:
            self._loading = False
        self.heading.setText(self.tr("Testimony") if self._testimony else self.tr("New testimony"))
        self.history_button.setEnabled(self._testimony is not None)
        self._restore_draft()
        return True

    def refresh_links(self) -> None:
        """Read the case's persons and incidents again into the Witness and
        Incident boxes (one was added, renamed or deleted elsewhere). The
        choices made stay as they are, so unsaved edits are kept; a chosen
        record that is gone stays chosen, shown as not in this case."""
        vault, case_id = self._vault, self._case_id
        if vault is None or case_id is None:
            return
        try:
            persons = vault.persons.list(case_id)
            incidents = vault.incidents.list(case_id)
        except FieldvaultError as err:
            self.status.setText(error_message(err))
            return
        witness_id = str(self.witness_field.currentData() or "")
        incident_id = str(self.incident_field.currentData() or "")
        self._loading = True
        try:
            for combo, records, chosen, unknown in (
                (self.witness_field, persons, witness_id, self.tr("(a person not in this case)")),
                (self.incident_field, incidents, incident_id, self.tr("(an incident not in this case)")),
            ):
                combo.clear()
                combo.addItem(self.tr("(none)"), "")
                for record in records:
                    combo.addItem(record.label(), record.id)
                self._choose(combo, chosen, unknown)
        finally:
            self._loading = False

    def _stored_values(self) -> dict[str, Any]:
        record = self._testimony or Testimony(case_id=self._case_id or "")
        body = record.body()
        return {name: body[name] for name in FIELDS}

    def _restore_draft(self) -> None:
        vault, key = self._vault, self.current_draft_key()
        if vault is None or key is None:
            return
        try:
            draft = vault.drafts.get(key)
        except FieldvaultError as err:
            self.status.setText(error_message(err))
            return
        if draft is None:
            return
        fields = draft.body.get("fields")
        if not isinstance(fields, dict) or fields == self._stored_values():
            self._discard_stored_draft()  # nothing unsaved in it
            return
        self._loading = True
        try:
            self.set_form_values(fields)
        finally:
            self._loading = False
        self._dirty = True
        when = QDateTime.fromMSecsSinceEpoch(draft.updated_ms).toString("yyyy-MM-dd HH:mm")
        text = self.tr("Unsaved changes from {time} were restored from the vault. Save to keep them.").format(
            time=when
        )
        base = str(draft.body.get("base_revision") or "")
        if self._testimony is not None and base and base != self._testimony.revision:
            text += " " + self.tr("The testimony was saved again since then: check the fields before saving.")
        self.draft_banner_text.setText(text)
        self.draft_banner.show()
        self.autosave_status.setText(self.tr("Unsaved changes are kept in the vault."))

    # -- the form's values -------------------------------------------------------------

    def form_values(self) -> dict[str, Any]:
        """What the form holds, unchecked (this is what a draft keeps)."""
        return {
            "title": self.title_field.text(),
            "witness_id": str(self.witness_field.currentData() or ""),
            "incident_id": str(self.incident_field.currentData() or ""),
            "interviewer": self.interviewer_field.text(),
            "interview_date": self.date_field.text(),
            "interview_place": self.place_field.text(),
            "language": self._language_code(),
            "interpreter": self.interpreter_field.text(),
            "consent_scope": str(self.consent_field.currentData() or ""),
            "violation_types": self.checked_violation_types(),
            "narrative": self.narrative_field.toPlainText(),
            "notes": self.notes_field.toPlainText(),
        }

    def set_form_values(self, values: dict[str, Any]) -> None:
        """Fill the form (from a testimony or a draft); unknown keys are ignored."""

        def text(name: str) -> str:
            value = values.get(name, "")
            return value if isinstance(value, str) else ""

        self.title_field.setText(text("title"))
        self._choose(self.witness_field, text("witness_id"), self.tr("(a person not in this case)"))
        self._choose(self.incident_field, text("incident_id"), self.tr("(an incident not in this case)"))
        self.interviewer_field.setText(text("interviewer"))
        self.date_field.setText(text("interview_date"))
        self.place_field.setText(text("interview_place"))
        self.set_language(text("language"))
        self.interpreter_field.setText(text("interpreter"))
        scope = self.consent_field.findData(text("consent_scope"))
        self.consent_field.setCurrentIndex(max(scope, 0))
        codes = values.get("violation_types") or []
        wanted = {c for c in codes if isinstance(c, str)} if isinstance(codes, list) else set()
        for row in range(self.violations_field.count()):
            item = self.violations_field.item(row)
            checked = item.data(CODE_ROLE) in wanted
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.narrative_field.setPlainText(text("narrative"))
        self.notes_field.setPlainText(text("notes"))

    def _choose(self, combo: QComboBox, record_id: str, unknown_label: str) -> None:
        index = combo.findData(record_id)
        if index < 0 and record_id:
            # Kept as it is, so that saving does not silently drop the link.
            combo.addItem(unknown_label, record_id)
            index = combo.count() - 1
        combo.setCurrentIndex(max(index, 0))

    def set_language(self, code: str) -> None:
        index = self.language_field.findData(code) if code else -1
        self.language_field.setCurrentIndex(index)
        if index < 0:
            self.language_field.setEditText(code)

    def _show_listed_language(self) -> None:
        """A typed code of a listed language shows as its entry ("uk" → "Ukrainian (uk)")."""
        code = self._language_code()
        index = self.language_field.findData(code) if code else -1
        if index >= 0 and index != self.language_field.currentIndex():
            loading, self._loading = self._loading, True
            try:
                self.language_field.setCurrentIndex(index)
            finally:
                self._loading = loading

    def _language_code(self) -> str:
        text = self.language_field.currentText().strip()
        for index in range(self.language_field.count()):
            if text.casefold() == self.language_field.itemText(index).casefold():
                return str(self.language_field.itemData(index))
        return text

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
        """The values to store, and the errors by field."""
        values = self.form_values()
        errors: dict[str, str] = {}
        for name in TEXT_FIELDS:
            values[name] = values[name].strip()
        try:
            values["interview_date"] = parse_partial_date(values["interview_date"]).iso
        except PartialDateError as err:
            errors["interview_date"] = self._date_error(err.reason)
        if values["language"] and not LANGUAGE_CODE.match(values["language"]):
            errors["language"] = self._language_error()
        if not values["title"] and not values["narrative"].strip():
            errors["title"] = self.tr("Write a title or a narrative first.")
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

    def _language_error(self) -> str:
        return self.tr(
            "Use a language code such as uk, en or ru (lowercase letters), or choose from the list."
        )

    def _vault_error(self, field: str) -> str:
        if field == "interview_date":
            return self._date_error("format")
        if field == "language":
            return self._language_error()
        if field in ("witness_id", "incident_id"):
            return self.tr("This link is not valid; choose again from the list.")
        if field == "consent_scope":
            return self.tr("Choose one of the listed consent scopes.")
        if field == "violation_types":
            return self.tr("Unknown violation type; tick types from the list.")
        return self.tr("This value is not accepted.")

    def _show_errors(self, errors: dict[str, str]) -> None:
        first: QWidget | None = None
        for name in FIELDS:
            if name not in errors:
                continue
            label = self.error_labels[name]
            label.setText(errors[name])
            label.show()
            field = self._field_widgets[name]
            field.setAccessibleDescription(errors[name])
            if first is None:
                first = field
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

    # -- save ----------------------------------------------------------------------------

    def save(self) -> Testimony | None:
        """Store the form as a new testimony or a new version of the open one.
        Returns what was stored, or None when refused (errors shown by the fields)."""
        vault, case_id = self._vault, self._case_id
        if vault is None or case_id is None:
            self.status.setText(self.tr("Choose or create a case first."))
            return None
        self._clear_errors()
        values, errors = self._validated()
        if errors:
            self._show_errors(errors)
            return None
        old_key = draft_key(case_id, self.testimony_id)
        if self._testimony is not None:
            record = replace(self._testimony, **values)
        else:
            record = Testimony(case_id=case_id, **values)
        try:
            stored = vault.testimonies.save(record)
        except InvalidInput as err:
            field = _field_of(err)
            if field in self.error_labels:
                self._show_errors({field: self._vault_error(field)})
            else:
                self.status.setText(error_message(err))
            return None
        except FieldvaultError as err:
            self.status.setText(error_message(err))
            return None
        self._testimony = stored
        self._autosave_timer.stop()
        self._dirty = self._draft_pending = False
        for key in {old_key, draft_key(case_id, stored.id)}:
            try:
                vault.drafts.discard(key)
            except FieldvaultError as err:
                self.status.setText(error_message(err))
        self._loading = True
        try:
            self.set_form_values(self._stored_values())  # e.g. the date as stored
        finally:
            self._loading = False
        self.heading.setText(self.tr("Testimony"))
        self.history_button.setEnabled(True)
        self.draft_banner.hide()
        self.autosave_status.clear()
        self.status.setText(self.tr("Saved."))
        self.saved.emit(stored.id)
        return stored

    # -- drafts --------------------------------------------------------------------------

    def _on_edited(self, *_args: object) -> None:
        if self._loading or self._vault is None:
            return
        self._dirty = True
        self._draft_pending = True
        self._autosave_timer.start()

    def flush_draft(self) -> bool:
        """Write pending changes to the vault's draft now (the timer does it
        2 s after the last change). True when a draft was written."""
        self._autosave_timer.stop()
        vault, key = self._vault, self.current_draft_key()
        if not self._draft_pending or vault is None or key is None:
            return False
        self._draft_pending = False
        fields = self.form_values()
        try:
            if fields == self._stored_values():
                self._dirty = False
                vault.drafts.discard(key)  # back to what is saved: nothing to keep
                self.autosave_status.clear()
                return False
            body = {
                "format": DRAFT_FORMAT,
                "case_id": self._case_id,
                "testimony_id": self.testimony_id or "",
                "base_revision": self._testimony.revision if self._testimony else "",
                "fields": fields,
            }
            vault.drafts.put(key, body)
        except FieldvaultError as err:
            self._draft_pending = True
            self.autosave_status.setText(
                self.tr("Could not autosave: {reason}").format(reason=error_message(err))
            )
            return False
        self.autosave_status.setText(
            self.tr("Unsaved changes kept in the vault ({time}).").format(
                time=QDateTime.currentDateTime().toString("HH:mm:ss")
            )
        )
        self.draft_saved.emit(key)
        return True

    def discard_draft(self) -> None:
        """Drop the unsaved changes: the form shows the stored testimony again."""
        self._autosave_timer.stop()
        self._draft_pending = False
        self._dirty = False
        self._discard_stored_draft()
        self._loading = True
        try:
            self.set_form_values(self._stored_values())
        finally:
            self._loading = False
        self._clear_errors()
        self.draft_banner.hide()
        self.autosave_status.clear()
        self.status.setText(self.tr("Changes discarded."))

    def _discard_stored_draft(self) -> None:
        vault, key = self._vault, self.current_draft_key()
        if vault is None or key is None:
            return
        try:
            vault.drafts.discard(key)
        except FieldvaultError as err:
            self.status.setText(error_message(err))

    def _request_history(self) -> None:
        if self.testimony_id:
            self.history_requested.emit(self.testimony_id)

    # -- locking -----------------------------------------------------------------------

    def clear(self, save_draft: bool = True) -> None:
        """Empty every widget, stop the timers, forget the vault and the testimony.

        With ``save_draft`` (the default) changes not yet autosaved are written
        to the draft first, if the vault is still open: call this before
        ``vault.lock()``. A panic wipe passes False."""
        if save_draft:
            self.flush_draft()
        self._autosave_timer.stop()
        self._loading = True
        try:
            for line_edit in (
                self.title_field,
                self.interviewer_field,
                self.date_field,
                self.place_field,
                self.interpreter_field,
            ):
                line_edit.setText("")  # setText, unlike clear(), also empties the undo history
            for editor in (self.narrative_field, self.notes_field):
                editor.clear()  # also empties the undo history
            self.witness_field.clear()
            self.incident_field.clear()
            self.language_field.setCurrentIndex(-1)
            self.language_field.setEditText("")
            self.consent_field.setCurrentIndex(0)
            for row in range(self.violations_field.count()):
                self.violations_field.item(row).setCheckState(Qt.CheckState.Unchecked)
            self.violations_field.clearSelection()
        finally:
            self._loading = False
        self._clear_errors()
        for label in (self.status, self.autosave_status, self.draft_banner_text):
            label.clear()
        self.draft_banner.hide()
        self.heading.setText(self.tr("New testimony"))
        self.history_button.setEnabled(False)
        self._vault = None
        self._case_id = None
        self._testimony = None
        self._dirty = self._draft_pending = False
        self.setEnabled(False)
