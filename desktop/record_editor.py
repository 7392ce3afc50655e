"""What the testimony, incident and person forms share: loading a record of a
case, saving it (checked here first, then by the vault), deleting it after a
question, and ``clear()`` on lock.

A form subclasses ``RecordEditor``, builds its own fields, and fills in:
``record_type``, ``FIELDS`` (the rows with an error label, in tab order),
``texts()`` (its headings, buttons and questions), ``service()``,
``fill()`` (record → widgets), ``validated()`` (widgets → values and errors)
and ``clear_fields()``. ``lay_out()`` puts its rows on the page with what the
base made: the heading, the status line, Save and (with ``texts().delete``)
Delete.

Translations: PySide looks ``self.tr`` up under the *runtime* class
(``IncidentEditor``), while lupdate files a string under the class whose
source holds it. A ``self.tr`` here would therefore never be translated, so
the strings every form shares are translated under the fixed context
"RecordForm", and the ones that differ come from the subclass's ``texts()``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from typing import Any, ClassVar, Generic, TypeVar

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from db.api import EntityService, FieldvaultError, InvalidInput, Record, Vault
from desktop import record_form
from desktop.icons import icon
from desktop.messages import error_message

R = TypeVar("R", bound=Record)


@dataclass(frozen=True)
class RecordTexts:
    """What a form calls itself, translated by the form's own class."""

    new_heading: str  # "New incident"
    heading: str  # "Incident"
    save: str  # "Save incident"
    save_tip: str  # "Saves the incident (Ctrl+S)."
    delete: str = ""  # "Delete incident…"; empty: the form has no Delete button
    delete_title: str = ""  # "Delete incident": the button's accessible name and the question's title
    delete_question: str = ""
    deleted: str = ""  # "Incident deleted."


@dataclass(frozen=True)
class FormRow:
    """One row of a form: ``field`` is the label's buddy and carries an error's
    description; ``shown`` is what the row shows (the field, or a box around it)."""

    name: str
    label: str
    field: QWidget
    shown: QWidget | None = None


class RecordEditor(QWidget, Generic[R]):
    """``load(vault, case_id, record_id)`` then edit; ``save()`` stores it,
    ``delete()`` (after a confirmation) removes it.

    ``saved(id)`` follows every successful save, ``deleted(id)`` a deletion."""

    saved = Signal(str)
    deleted = Signal(str)

    record_type: ClassVar[type[Any]]  # the R of the subclass (a ClassVar cannot say so)
    FIELDS: ClassVar[tuple[str, ...]]

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vault: Vault | None = None
        self._case_id: str | None = None
        self._record: R | None = None
        self._loading = False  # the form is being filled: not an edit
        self._dirty = False  # the form differs from the stored record
        self.error_labels: dict[str, QLabel] = {}
        self._field_widgets: dict[str, QWidget] = {}
        self._texts = self.texts()

        self.heading = QLabel(self._texts.new_heading)
        font = self.heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.heading.setFont(font)

        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setAccessibleName(QCoreApplication.translate("RecordForm", "Form status"))
        self.save_button = QPushButton(icon("save"), self._texts.save)
        self.save_button.setAccessibleName(self._texts.save)
        self.save_button.setToolTip(self._texts.save_tip)
        self.save_button.clicked.connect(self.save)
        self.delete_button: QPushButton | None = None
        if self._texts.delete:
            self.delete_button = QPushButton(icon("discard"), self._texts.delete)
            self.delete_button.setAccessibleName(self._texts.delete_title)
            self.delete_button.setEnabled(False)
            self.delete_button.clicked.connect(self.delete)
        for keys in (QKeySequence.StandardKey.Save, QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.save)
        self.setEnabled(False)  # until a record is loaded (the fields added later follow)

    # -- what a form fills in ------------------------------------------------------------

    def texts(self) -> RecordTexts:
        raise NotImplementedError

    def service(self, vault: Vault) -> EntityService[R]:
        raise NotImplementedError

    def fill(self, record: R) -> None:
        """Show the record's values in the widgets."""
        raise NotImplementedError

    def validated(self) -> tuple[dict[str, Any], dict[str, str]]:
        """The values to store, and the errors by field (an error's text)."""
        raise NotImplementedError

    def clear_fields(self) -> None:
        """Empty every field (setText, not clear(), also empties a line's undo history)."""
        raise NotImplementedError

    def refusal_text(self, field: str, error: InvalidInput) -> str:
        """What to show under ``field`` when the vault refuses its value."""
        return error_message(error)

    def error_field(self, name: str) -> QWidget:
        """The widget a row's error describes and focuses."""
        return self._field_widgets[name]

    # -- building ------------------------------------------------------------------------

    def lay_out(
        self,
        rows: list[FormRow],
        *,
        stretch_below: bool = False,
        top: QLayout | None = None,
        banner: QWidget | None = None,
        status: QLayout | None = None,
    ) -> None:
        """The page: the heading (or ``top``, a row holding it), a ``banner``,
        the rows as a scrolling form (each with its error label under it), and
        at the bottom the status line (or ``status``, a column holding it),
        Delete and Save."""
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        for row in rows:
            label = QLabel(row.label)
            label.setBuddy(row.field)
            error = record_form.error_label()
            self.error_labels[row.name] = error
            self._field_widgets[row.name] = row.field
            form.addRow(label, record_form.with_error(row.shown or row.field, error))
        panel = QWidget()
        if stretch_below:  # rows keep their height; the space goes below
            column = QVBoxLayout(panel)
            column.setContentsMargins(0, 0, 0, 0)
            column.addLayout(form)
            column.addStretch(1)
        else:
            panel.setLayout(form)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.scroll_area.setWidget(panel)

        bottom = QHBoxLayout()
        if status is None:
            bottom.addWidget(self.status, 1)
        else:
            bottom.addLayout(status, 1)
        if self.delete_button is not None:
            bottom.addWidget(self.delete_button)
        bottom.addWidget(self.save_button)

        page = QVBoxLayout(self)
        if top is None:
            page.addWidget(self.heading)
        else:
            page.addLayout(top)
        if banner is not None:
            page.addWidget(banner)
        page.addWidget(self.scroll_area, 1)
        page.addLayout(bottom)

    def watch(self, *lines: QLineEdit) -> None:
        """An edit in these lines makes the form dirty; Enter moves on to the
        next field (quick entry without the mouse)."""
        for line in lines:
            line.textEdited.connect(self.on_edited)
            line.returnPressed.connect(self.focusNextChild)

    def set_tab_chain(self, fields: list[QWidget], after: tuple[QWidget, ...] = ()) -> None:
        """Tab goes through ``fields``, then Save (and Delete), then ``after``."""
        chain = [*fields, self.save_button]
        if self.delete_button is not None:
            chain.append(self.delete_button)
        for first, second in itertools.pairwise([*chain, *after]):
            QWidget.setTabOrder(first, second)

    # -- state ---------------------------------------------------------------------------

    @property
    def case_id(self) -> str | None:
        return self._case_id

    @property
    def record(self) -> R | None:
        """The stored record shown (None: a new one, or nothing loaded)."""
        return self._record

    @property
    def record_id(self) -> str | None:
        return self._record.id if self._record else None

    @property
    def is_dirty(self) -> bool:
        """The form holds changes not saved."""
        return self._dirty

    def on_edited(self, *_args: object) -> None:
        if not self._loading and self._vault is not None:
            self._dirty = True

    # -- load ----------------------------------------------------------------------------

    def load(self, vault: Vault, case_id: str, record_id: str | None = None) -> bool:
        """Show a record of the case (None: a new one). False (with the reason
        shown, the form disabled) when it cannot be read."""
        self.clear()
        self._vault = vault
        self._case_id = case_id
        self.setEnabled(True)
        try:
            self._record = self.service(vault).get(record_id) if record_id else None
            self.read_case(vault, case_id)
        except FieldvaultError as err:
            self._record = None
            self.status.setText(error_message(err))
            self.setEnabled(False)
            return False
        self.show_stored()
        return True

    def read_case(self, vault: Vault, case_id: str) -> None:
        """Read what else of the case the form offers (the testimony's witnesses)."""

    def show_stored(self) -> None:
        """Show the stored record (or a new, empty one)."""
        self._loading = True
        try:
            self.fill(self._record or self._blank())
        finally:
            self._loading = False
        self._dirty = False
        self.heading.setText(self._texts.heading if self._record else self._texts.new_heading)
        if self.delete_button is not None:
            self.delete_button.setEnabled(self._record is not None)

    def _blank(self) -> R:
        blank: R = self.record_type(case_id=self._case_id or "")
        return blank

    # -- errors --------------------------------------------------------------------------

    def show_errors(self, errors: dict[str, str]) -> None:
        first: QWidget | None = None
        for name in self.FIELDS:
            if name not in errors:
                continue
            self.error_labels[name].setText(errors[name])
            self.error_labels[name].show()
            field = self.error_field(name)
            field.setAccessibleDescription(errors[name])
            first = first or field
        self.status.setText(QCoreApplication.translate("RecordForm", "Not saved: check the marked fields."))
        if first is not None:
            first.setFocus()
            self.scroll_area.ensureWidgetVisible(first)

    def clear_errors(self) -> None:
        for name, label in self.error_labels.items():
            label.clear()
            label.hide()
            self.error_field(name).setAccessibleDescription("")

    # -- save and delete -----------------------------------------------------------------

    def save(self) -> R | None:
        """Store the form as a new record or a new version of the open one.
        Returns what was stored, or None when refused (the reasons shown)."""
        vault, case_id = self._vault, self._case_id
        if vault is None or case_id is None:
            self.status.setText(QCoreApplication.translate("RecordForm", "Choose or create a case first."))
            return None
        self.clear_errors()
        values, errors = self.validated()
        if errors:
            self.show_errors(errors)
            return None
        if self._record is not None:
            record = replace(self._record, **values)
        else:
            record = self.record_type(case_id=case_id, **values)
        try:
            stored = self.service(vault).save(record)
        except InvalidInput as err:
            field = record_form.refused_field(err)
            if field in self.error_labels:
                self.show_errors({field: self.refusal_text(field, err)})
            else:
                self.status.setText(error_message(err))
            return None
        except FieldvaultError as err:
            self.status.setText(error_message(err))
            return None
        previous, self._record = self._record, stored
        self.after_save(previous, stored)
        self.show_stored()
        self.status.setText(QCoreApplication.translate("RecordForm", "Saved."))
        self.saved.emit(stored.id)
        return stored

    def after_save(self, previous: R | None, stored: R) -> None:
        """What a form does once the vault took the record (before it is shown)."""

    def delete(self) -> bool:
        """Delete the open record after asking (its history is kept). True when deleted."""
        vault, record = self._vault, self._record
        if vault is None or record is None or self.delete_button is None:
            return False
        if not record_form.confirm_delete(self, self._texts.delete_title, self._texts.delete_question):
            return False
        if self._vault is not vault or self._record is not record:
            return False  # the form was cleared (locked) while asking
        try:
            self.service(vault).delete(record.id)
        except FieldvaultError as err:
            self.status.setText(error_message(err))
            return False
        self._record = None
        self.show_stored()
        self.status.setText(self._texts.deleted)
        self.deleted.emit(record.id)
        return True

    # -- locking -------------------------------------------------------------------------

    def clear(self) -> None:
        """Empty every widget and forget the vault and the record."""
        record_form.close_questions(self)
        self._loading = True
        try:
            self.clear_fields()
        finally:
            self._loading = False
        self.clear_errors()
        self.status.clear()
        self.heading.setText(self._texts.new_heading)
        if self.delete_button is not None:
            self.delete_button.setEnabled(False)
        self._vault = None
        self._case_id = None
        self._record = None
        self._dirty = False
        self.setEnabled(False)
