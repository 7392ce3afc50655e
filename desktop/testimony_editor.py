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
Loading, saving and clearing are ``RecordEditor``'s; this module adds the
drafts, the Witness and Incident boxes and the language box.

Every draft write (autosave, discard, the changes written when a record is
left or the vault locks) runs on the save lane, behind the save in flight if
there is one: the lane keeps them in order, and a writer holding the vault
does not freeze the form. A lock waits for the draft it queued (bounded), so
the draft is in the vault before the keys go; at a lock during a save, the
form's content is written as the draft unless that save stored it.
Everything shown is witness data: ``clear()`` empties every widget and forgets
the vault.
"""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from PySide6.QtCore import QDateTime, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from db.api import (
    CONSENT_SCOPES,
    EntityService,
    FieldvaultError,
    InvalidInput,
    PartialDateError,
    Testimony,
    Vault,
    new_record_draft_key,
    parse_partial_date,
    record_draft_key,
)
from desktop.consent_dialog import ConsentSection, scope_words
from desktop.evidence_links import LinkedEvidenceBox
from desktop.form_fields import PartialDateField, ViolationTypesField
from desktop.icons import icon
from desktop.messages import error_message
from desktop.record_editor import AfterStore, FormRow, RecordEditor, RecordTexts, WriteOutcome
from desktop.tasks import Lane, TaskHandle, TaskReport, TaskRunner

AUTOSAVE_DELAY_MS = 2000
# How long a lock (or opening the record again) waits for its draft still
# being written: another writer may hold the vault (SQLite's busy timeout is 5 s).
AUTOSAVE_WAIT_S = 10.0
DRAFT_FORMAT = 1
# Offered in the language box; any other code can be typed.
LISTED_LANGUAGES = ("uk", "en", "ru", "crh")
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
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


def draft_key(case_id: str, testimony_id: str | None) -> str:
    """The key of a testimony's draft in ``vault.drafts`` (at most 50 characters),
    by the core's convention, so that deleting the testimony (or its case)
    discards it."""
    if testimony_id:
        return record_draft_key("testimony", testimony_id)
    return new_record_draft_key("testimony", case_id)


def _write_draft(
    vault: Vault,
    key: str,
    body: dict[str, Any] | None,
    _context: object,
    *,
    unless: WriteOutcome | None = None,
) -> None:
    """Put the draft, or drop it when the form is back to what is stored
    (plain Python: runs on the save lane). ``unless``: a save queued before
    it that, once it stored the record, makes the draft needless."""
    if unless is not None and unless.stored:
        return
    if body is None:
        vault.drafts.discard(key)
    else:
        vault.drafts.put(key, body)


class TestimonyEditor(RecordEditor[Testimony]):
    """``load(vault, case_id, testimony_id)`` then edit; ``save()`` stores it.

    ``saved(id)`` follows every successful save; ``draft_saved(key)`` every
    autosave; ``history_requested(id)`` the History button. (No Delete here:
    ``deleted`` is never emitted.)"""

    __test__ = False  # not a pytest test class, despite its name

    record_type = Testimony
    FIELDS = FIELDS
    draft_saved = Signal(str)
    history_requested = Signal(str)
    record_requested = Signal(str)  # testimony id: Record interview… (desktop/recording_action.py)

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        vocabulary_language: str | None = None,
        autosave_ms: int = AUTOSAVE_DELAY_MS,
        tasks: TaskRunner | None = None,
    ) -> None:
        # Saves and drafts run on the runner's save lane (see the module's doc).
        super().__init__(parent, tasks=tasks)
        self._draft_pending = False  # changed since the last autosave
        # Draft writes queued and not known to be done, by key: opening that
        # record again waits for its own (the draft read may be the one being
        # written), a lock for the latest (the lane runs in order).
        self._draft_writes: dict[str, TaskHandle] = {}
        self._switching = False  # load() is clearing the form: the record left waits for nothing

        self._autosave_timer = QTimer(self)
        self._autosave_timer.setSingleShot(True)
        self._autosave_timer.setInterval(autosave_ms)
        self._autosave_timer.timeout.connect(self.autosave)

        # -- heading and the restored-draft banner ------------------------------
        self.history_button = QPushButton(icon("history"), self.tr("History…"))
        self.history_button.setAccessibleName(self.tr("Edit history of this testimony"))
        self.history_button.setEnabled(False)
        # A saved testimony only: the recording is linked to it.
        self.record_button = QPushButton(self.tr("Record interview…"))
        self.record_button.setAccessibleName(self.tr("Record the interview (Ctrl+R)"))
        self.record_button.setToolTip(self.tr("Records sound from the microphone into the vault (Ctrl+R)."))
        self.record_button.setEnabled(False)
        heading_row = QHBoxLayout()
        heading_row.addWidget(self.heading, 1)
        heading_row.addWidget(self.record_button)
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

        # A quick note (desktop/quick_note.py) is listed "to complete" until
        # this is unticked and saved; shown only for quick notes.
        self._quick_note = False
        self.to_complete_box = QCheckBox(self.tr("Quick note: still to complete"))
        self.to_complete_box.setToolTip(self.tr("Untick when the testimony is complete, then save."))
        self.to_complete_box.hide()

        self.witness_field = QComboBox()
        self.witness_field.setAccessibleName(self.tr("Witness"))
        self.witness_field.setToolTip(self.tr("The persons of this case, by pseudonym."))
        self.incident_field = QComboBox()
        self.incident_field.setAccessibleName(self.tr("Incident"))

        self.interviewer_field = QLineEdit()
        self.interviewer_field.setAccessibleName(self.tr("Interviewer"))

        self.date_row = PartialDateField(
            self.tr("Interview date"), self.tr("Precision of the interview date")
        )
        self.date_field = self.date_row.line
        self.date_precision = self.date_row.precision

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

        # Consent records (issue 15). The testimony's own single consent
        # choice (consent_scope) is legacy: no longer an input here (two
        # consent inputs confused workers), but a testimony that has only it
        # shows it read-only, with a button making a consent record from it;
        # its value is kept and saved back unchanged (docs/vault-format.md).
        self._legacy_consent = ""
        self.legacy_consent_label = QLabel()
        self.legacy_consent_label.setTextFormat(Qt.TextFormat.PlainText)
        self.legacy_consent_label.setWordWrap(True)
        self.legacy_consent_label.setAccessibleName(self.tr("Consent recorded before consent records"))
        self.legacy_consent_button = QPushButton(self.tr("Create a consent record from it…"))
        self.legacy_consent_button.setToolTip(
            self.tr("Opens Record consent with this scope ticked; add how, when and to whom it was given.")
        )
        self.legacy_consent_box = QWidget()
        legacy_row = QHBoxLayout(self.legacy_consent_box)
        legacy_row.setContentsMargins(0, 0, 0, 0)
        legacy_row.addWidget(self.legacy_consent_label, 1)
        legacy_row.addWidget(self.legacy_consent_button)
        self.legacy_consent_box.hide()
        self.consent_section = ConsentSection(self.tasks)
        self.linked_evidence = LinkedEvidenceBox()

        self.violations_field = ViolationTypesField(vocabulary_language)

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
        rows = [
            FormRow("to_complete", "", self.to_complete_box),
            FormRow("title", self.tr("&Title:"), self.title_field),
            FormRow("witness_id", self.tr("&Witness:"), self.witness_field),
            FormRow("incident_id", self.tr("In&cident:"), self.incident_field),
            FormRow("interviewer", self.tr("Inter&viewer:"), self.interviewer_field),
            FormRow("interview_date", self.tr("&Date:"), self.date_field, self.date_row),
            FormRow("interview_place", self.tr("&Place:"), self.place_field),
            FormRow("language", self.tr("&Language:"), self.language_field),
            FormRow("interpreter", self.tr("Inte&rpreter:"), self.interpreter_field),
            FormRow("consent_records", "", self.consent_section),
            FormRow("consent_scope", "", self.legacy_consent_button, self.legacy_consent_box),
            FormRow("violation_types", self.tr("Violation t&ypes:"), self.violations_field),
            FormRow("narrative", self.tr("&Narrative:"), self.narrative_field),
            FormRow("notes", self.tr("Not&es:"), self.notes_field),
            FormRow("linked_evidence", "", self.linked_evidence),
        ]

        # -- bottom: status, autosave status and save --------------------------------
        self.autosave_status = QLabel()
        self.autosave_status.setTextFormat(Qt.TextFormat.PlainText)
        self.autosave_status.setAccessibleName(self.tr("Autosave status"))
        self.autosave_status.setStyleSheet("color: palette(mid);")
        status_column = QVBoxLayout()
        status_column.addWidget(self.status)
        status_column.addWidget(self.autosave_status)

        self.lay_out(rows, top=heading_row, banner=self.draft_banner, status=status_column)

        # -- tab order: the form top to bottom, then Save ---------------------------
        self.set_tab_chain(
            [
                self.title_field,
                self.witness_field,
                self.incident_field,
                self.interviewer_field,
                self.date_field,
                self.place_field,
                self.language_field,
                self.interpreter_field,
                self.legacy_consent_button,
                self.violations_field,
                self.narrative_field,
                self.notes_field,
            ],
            after=(self.record_button, self.history_button, self.discard_draft_button),
        )

        # -- wiring ----------------------------------------------------------------
        self.watch(
            self.title_field,
            self.interviewer_field,
            self.date_field,
            self.place_field,
            self.interpreter_field,
        )
        self.language_field.editTextChanged.connect(self.on_edited)
        self.language_field.currentIndexChanged.connect(self.on_edited)
        line.editingFinished.connect(self._show_listed_language)
        for combo in (self.witness_field, self.incident_field):
            combo.currentIndexChanged.connect(self.on_edited)
        self.violations_field.itemChanged.connect(self.on_edited)
        self.to_complete_box.toggled.connect(self.on_edited)
        self.narrative_field.textChanged.connect(self.on_edited)
        self.notes_field.textChanged.connect(self.on_edited)
        self.discard_draft_button.clicked.connect(self.discard_draft)
        self.history_button.clicked.connect(self._request_history)
        self.record_button.clicked.connect(self._request_recording)
        self.legacy_consent_button.clicked.connect(self._record_consent_from_legacy)
        self.consent_section.changed.connect(self._show_legacy_consent)
        record_shortcut = QShortcut(QKeySequence("Ctrl+R"), self)
        record_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        record_shortcut.activated.connect(self._request_recording)

    def texts(self) -> RecordTexts:
        return RecordTexts(
            new_heading=self.tr("New testimony"),
            heading=self.tr("Testimony"),
            save=self.tr("Save testimony"),
            save_tip=self.tr("Saves the testimony (Ctrl+S)."),
        )

    def _show_legacy_consent(self) -> None:
        """The legacy consent line, for a stored testimony with a legacy
        scope and no consent record (the only case where that scope counts)."""
        legacy = self._legacy_consent
        shown = bool(legacy) and self.testimony_id is not None and self.consent_section.records.count() == 0
        if shown:
            self.legacy_consent_label.setText(
                self.tr("Recorded before consent records: {scope}").format(
                    scope=scope_words().get(legacy, legacy)
                )
            )
        self.legacy_consent_box.setVisible(shown)

    def _record_consent_from_legacy(self) -> None:
        """Record consent, with the legacy scope already ticked."""
        self.consent_section.open_record()
        dialog = self.consent_section.dialog
        box = getattr(dialog, "scope_boxes", {}).get(self._legacy_consent)
        if box is not None:
            box.setChecked(True)

    def service(self, vault: Vault) -> EntityService[Testimony]:
        return vault.testimonies

    # -- state -----------------------------------------------------------------------

    @property
    def testimony_id(self) -> str | None:
        return self.record_id

    def current_draft_key(self) -> str | None:
        return draft_key(self._case_id, self.testimony_id) if self._case_id else None

    # -- load --------------------------------------------------------------------------

    def load(self, vault: Vault, case_id: str, record_id: str | None = None) -> bool:
        """Show a testimony of the case (None: a new one), restoring its draft
        if one is kept. False (with the reason shown) when it cannot be read."""
        if not self.wait_for_write():  # a save in flight finishes first
            return False
        self.flush_draft()  # the record left keeps its changes (queued, not awaited)
        self._wait_for_draft(draft_key(case_id, record_id))  # the draft read below may be being written
        self._switching = True
        try:
            if not super().load(vault, case_id, record_id):
                return False
        finally:
            self._switching = False
        self._restore_draft()
        return True

    def read_case(self, vault: Vault, case_id: str) -> None:
        """The case's persons and incidents into the Witness and Incident boxes."""
        persons = vault.persons.list(case_id)
        incidents = vault.incidents.list(case_id)
        self._loading = True
        try:
            self.witness_field.addItem(self.tr("(none)"), "")
            for person in persons:
                self.witness_field.addItem(person.label(), person.id)
            self.incident_field.addItem(self.tr("(none)"), "")
            for incident in incidents:
                self.incident_field.addItem(incident.label(), incident.id)
        finally:
            self._loading = False

    def show_stored(self) -> None:
        super().show_stored()
        self.history_button.setEnabled(self._record is not None)
        self.record_button.setEnabled(self._record is not None)
        self.consent_section.show_for(self._vault, self.testimony_id)
        self.linked_evidence.show_for(self._vault, self.testimony_id)
        self._show_legacy_consent()

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
        return self._values_of(self._record or Testimony(case_id=self._case_id or ""))

    @staticmethod
    def _values_of(record: Testimony) -> dict[str, Any]:
        body = record.body()
        values = {name: body[name] for name in FIELDS}
        if "to_complete" in body:  # only while set (a quick note)
            values["to_complete"] = body["to_complete"]
        return values

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
            self._discard_stored_draft(vault, key)  # nothing unsaved in it
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
        if self._record is not None and base and base != self._record.revision:
            text += " " + self.tr("The testimony was saved again since then: check the fields before saving.")
        self.draft_banner_text.setText(text)
        self.draft_banner.show()
        self.autosave_status.setText(self.tr("Unsaved changes are kept in the vault."))

    # -- the form's values -------------------------------------------------------------

    def fill(self, record: Testimony) -> None:
        self.set_form_values(self._values_of(record))

    def form_values(self) -> dict[str, Any]:
        """What the form holds, unchecked (this is what a draft keeps)."""
        values: dict[str, Any] = {
            "title": self.title_field.text(),
            "witness_id": str(self.witness_field.currentData() or ""),
            "incident_id": str(self.incident_field.currentData() or ""),
            "interviewer": self.interviewer_field.text(),
            "interview_date": self.date_field.text(),
            "interview_place": self.place_field.text(),
            "language": self._language_code(),
            "interpreter": self.interpreter_field.text(),
            "consent_scope": self._legacy_consent,  # legacy, kept as it was
            "violation_types": self.violations_field.checked(),
            "narrative": self.narrative_field.toPlainText(),
            "notes": self.notes_field.toPlainText(),
        }
        if self._quick_note:
            values["to_complete"] = self.to_complete_box.isChecked()
        return values

    def set_form_values(self, values: dict[str, Any]) -> None:
        """Fill the form (from a testimony or a draft); unknown keys are ignored."""

        def text(name: str) -> str:
            value = values.get(name, "")
            return value if isinstance(value, str) else ""

        self.title_field.setText(text("title"))
        to_complete = values.get("to_complete")
        self._quick_note = isinstance(to_complete, bool)
        self.to_complete_box.setChecked(to_complete is True)
        self.to_complete_box.setVisible(self._quick_note)
        self._choose(self.witness_field, text("witness_id"), self.tr("(a person not in this case)"))
        self._choose(self.incident_field, text("incident_id"), self.tr("(an incident not in this case)"))
        self.interviewer_field.setText(text("interviewer"))
        self.date_field.setText(text("interview_date"))
        self.place_field.setText(text("interview_place"))
        self.set_language(text("language"))
        self.interpreter_field.setText(text("interpreter"))
        self._legacy_consent = text("consent_scope") if text("consent_scope") in CONSENT_SCOPES else ""
        self._show_legacy_consent()
        codes = values.get("violation_types") or []
        wanted = {c for c in codes if isinstance(c, str)} if isinstance(codes, list) else set()
        self.violations_field.check_only(wanted)
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

    # -- validation ----------------------------------------------------------------------

    def validated(self) -> tuple[dict[str, Any], dict[str, str]]:
        values = self.form_values()
        errors: dict[str, str] = {}
        for name in TEXT_FIELDS:
            values[name] = values[name].strip()
        try:
            values["interview_date"] = parse_partial_date(values["interview_date"]).iso
        except PartialDateError as err:
            errors["interview_date"] = self.date_row.error_text(err.reason)
        if values["language"] and not LANGUAGE_CODE.match(values["language"]):
            errors["language"] = self._language_error()
        if not values["title"] and not values["narrative"].strip():
            errors["title"] = self.tr("Write a title or a narrative first.")
        return values, errors

    def _language_error(self) -> str:
        return self.tr(
            "Use a language code such as uk, en or ru (lowercase letters), or choose from the list."
        )

    def refusal_text(self, field: str, error: InvalidInput) -> str:
        if field == "interview_date":
            return self.date_row.error_text("format")
        if field == "language":
            return self._language_error()
        if field in ("witness_id", "incident_id"):
            return self.tr("This link is not valid; choose again from the list.")
        if field == "consent_scope":
            return self.tr("Choose one of the listed consent scopes.")
        if field == "violation_types":
            return self.tr("Unknown violation type; tick types from the list.")
        return self.tr("This value is not accepted.")

    # -- save ----------------------------------------------------------------------------

    def save_started(self) -> None:
        """No autosave while the form is being saved: once stored, its drafts
        go (``after_store``), and one written after that would come back."""
        self._autosave_timer.stop()
        self._draft_pending = False

    def save_failed(self) -> None:
        """The edits stay, so their draft is written again soon."""
        if self._dirty and self._vault is not None:
            self._draft_pending = True
            self._autosave_timer.start()

    def after_store(self, vault: Vault, previous: Testimony | None) -> AfterStore:
        """On the save lane, right after the testimony is stored: its drafts
        (and its draft while new) are discarded. The lane runs in order, so
        no autosave queued before can write one back."""
        case_id = previous.case_id if previous is not None else self._case_id or ""
        previous_key = draft_key(case_id, previous.id if previous else None)

        def discard_drafts(stored: Testimony) -> None:
            for key in {previous_key, draft_key(case_id, stored.id)}:
                vault.drafts.discard(key)

        return discard_drafts

    def after_save(self, previous: Testimony | None, stored: Testimony) -> None:
        """The drafts were discarded with the save: say nothing more of them."""
        self._autosave_timer.stop()
        self._draft_pending = False
        self.draft_banner.hide()
        self.autosave_status.clear()

    def show_writing(self, writing: bool) -> None:
        super().show_writing(writing)
        self.discard_draft_button.setEnabled(not writing)
        self.history_button.setEnabled(not writing and self._record is not None)

    # -- drafts --------------------------------------------------------------------------

    def on_edited(self, *_args: object) -> None:
        if self._loading or self._vault is None:
            return
        self._dirty = True
        self._draft_pending = True
        self._autosave_timer.start()

    def _take_pending_draft(self) -> tuple[Vault, str, dict[str, Any] | None] | None:
        """What to write for the changes not yet autosaved: (vault, key, body),
        body None when the form is back to what is stored (the draft goes)."""
        self._autosave_timer.stop()
        vault, key = self._vault, self.current_draft_key()
        if not self._draft_pending or vault is None or key is None:
            return None
        self._draft_pending = False
        body = self._draft_body()
        if body is None:
            self._dirty = False
        return vault, key, body

    def _draft_body(self) -> dict[str, Any] | None:
        """The draft of what the form holds; None when it is what is stored."""
        fields = self.form_values()
        if fields == self._stored_values():
            return None
        return {
            "format": DRAFT_FORMAT,
            "case_id": self._case_id,
            "testimony_id": self.testimony_id or "",
            "base_revision": self._record.revision if self._record else "",
            "fields": fields,
        }

    def autosave(self) -> None:
        """The timer's write, 2 s after the last change: on the save lane, so
        the form stays responsive while another writer holds the vault."""
        pending = self._take_pending_draft()
        if pending is not None:
            self._queue_draft(*pending)

    def _queue_draft(
        self, vault: Vault, key: str, body: dict[str, Any] | None, unless: WriteOutcome | None = None
    ) -> TaskHandle:
        handle = self.tasks.start(
            Lane.SAVE,
            partial(_write_draft, vault, key, body, unless=unless),
            partial(self._on_autosave_report, key, body),
            owner=self,
        )
        self._note_draft_write(key, handle)
        return handle

    def _on_autosave_report(self, key: str, body: dict[str, Any] | None, report: TaskReport) -> None:
        if self._vault is None or key != self.current_draft_key():
            return  # cleared (locked) or another testimony shown meanwhile
        if report.failure is not None:
            self._draft_pending = True
            self._autosave_failed(error_message(report.failure.error, report.failure.error_type))
        elif report.state == "succeeded":
            self._draft_written(key, body)

    def flush_draft(self) -> TaskHandle | None:
        """Queue the changes not yet autosaved as the draft, on the save lane
        behind any autosave or save still running (before a record is left,
        and at a lock). While a save is in flight, the form's content is the
        draft unless that save stores it (the save may fail: a lock must not
        lose it). The handle of the write queued, if any."""
        vault, key, outcome = self._vault, self.current_draft_key(), self._write_outcome
        if outcome is not None and vault is not None and key is not None:
            self._autosave_timer.stop()
            self._draft_pending = False
            body = self._draft_body()
            return self._queue_draft(vault, key, body, outcome) if body is not None else None
        pending = self._take_pending_draft()
        return self._queue_draft(*pending) if pending is not None else None

    def _note_draft_write(self, key: str, handle: TaskHandle) -> None:
        self._draft_writes = {k: h for k, h in self._draft_writes.items() if not h.done and k != key}
        self._draft_writes[key] = handle

    def _wait_for_draft(self, key: str | None = None) -> None:
        """Wait (bounded) for the latest draft write queued for ``key`` (None:
        the latest of all; the lane runs in order, so the ones before it are
        done then too)."""
        if key is not None:
            handle = self._draft_writes.pop(key, None)
        else:
            handles = sorted(self._draft_writes.values(), key=lambda h: h.task_id)
            self._draft_writes = {}
            handle = handles[-1] if handles else None
        if handle is not None:
            handle.wait(AUTOSAVE_WAIT_S)

    def _autosave_failed(self, reason: str) -> None:
        self.autosave_status.setText(self.tr("Could not autosave: {reason}").format(reason=reason))

    def _draft_written(self, key: str, body: dict[str, Any] | None) -> bool:
        if body is None:
            self.autosave_status.clear()
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
        vault, key = self._vault, self.current_draft_key()
        if vault is not None and key is not None:
            self._discard_stored_draft(vault, key)  # after any autosave queued: the lane runs in order
        self.show_stored()
        self.clear_errors()
        self.draft_banner.hide()
        self.autosave_status.clear()
        self.status.setText(self.tr("Changes discarded."))

    def _discard_stored_draft(self, vault: Vault, key: str) -> None:
        handle = self.tasks.start(
            Lane.SAVE,
            partial(_write_draft, vault, key, None),
            partial(self._on_discard_report, key),
            owner=self,
        )
        self._note_draft_write(key, handle)

    def _on_discard_report(self, key: str, report: TaskReport) -> None:
        if self._vault is not None and key == self.current_draft_key() and report.failure is not None:
            self.status.setText(error_message(report.failure.error, report.failure.error_type))

    def _request_recording(self) -> None:
        if self.testimony_id and self.record_button.isEnabled():
            self.record_requested.emit(self.testimony_id)

    def _request_history(self) -> None:
        if self.testimony_id:
            self.history_requested.emit(self.testimony_id)

    # -- locking -----------------------------------------------------------------------

    def clear(self, save_draft: bool = True) -> None:
        """Empty every widget, stop the timers, forget the vault and the testimony.

        With ``save_draft`` (the default) changes not yet autosaved are written
        to the draft first, if the vault is still open, and this waits for
        that write (bounded): call it before ``vault.lock()``. A panic wipe
        passes False."""
        if save_draft:
            self.flush_draft()
            if not self._switching:
                self._wait_for_draft()
        else:
            self._draft_writes = {}  # a panic wipe waits for no draft
        self._autosave_timer.stop()
        self._draft_pending = False
        super().clear()
        for label in (self.autosave_status, self.draft_banner_text):
            label.clear()
        self.draft_banner.hide()
        self.history_button.setEnabled(False)
        self.record_button.setEnabled(False)
        self.consent_section.show_for(None, None)
        self.linked_evidence.show_for(None, None)
        self._show_legacy_consent()

    def clear_fields(self) -> None:
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
        self._legacy_consent = ""
        self._quick_note = False
        self.to_complete_box.setChecked(False)
        self.to_complete_box.hide()
        self.violations_field.untick_all()
