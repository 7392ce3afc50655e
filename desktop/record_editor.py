"""What the testimony, incident and person forms share: loading a record of a
case, saving it (checked here first, then by the vault), deleting it after a
question, and ``clear()`` on lock.

A form subclasses ``RecordEditor``, builds its own fields, and fills in:
``record_type``, ``FIELDS`` (the rows with an error label, in tab order),
``texts()`` (its headings, buttons and questions), ``service()``,
``fill()`` (record → widgets), ``validated()`` (widgets → values and errors)
and ``clear_fields()``. ``lay_out()`` puts its rows on the page with what the
base made: the heading, the status line, Save and (with ``texts().delete``)
Delete. It may add ``after_store()`` (what the save lane does right after
the record is stored: plain Python, no widgets), ``save_started()``,
``save_failed()``, ``after_save()`` and ``show_writing()`` (in the GUI thread).

Saves and deletions run on the save lane of the window's ``TaskRunner``
(desktop/tasks.py), never in the GUI thread: a write transaction held
elsewhere (the sync worker, another process) must not freeze the window. The
form shows the write in flight (its rows, Save and Delete disabled, "Saving…"
in the status line) and continues when the vault answers: ``saved``,
``save_finished`` and ``write_finished`` follow. What would replace the form
while a write is in flight (another record, the question before leaving)
first waits for it in a local event loop (``wait_for_write``), as a dialog
does, so the window keeps responding; a lock does not wait here: the window
waits for the save lane before the vault locks.

Translations: PySide looks ``self.tr`` up under the *runtime* class
(``IncidentEditor``), while lupdate files a string under the class whose
source holds it. A ``self.tr`` here would therefore never be translated, so
the strings every form shares are translated under the fixed context
"RecordForm", and the ones that differ come from the subclass's ``texts()``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, ClassVar, Generic, TypeVar

from PySide6.QtCore import QCoreApplication, QEventLoop, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
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
from desktop.tasks import Lane, TaskContext, TaskHandle, TaskReport, TaskRunner

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


class WriteOutcome:
    """Set on the save lane once the record is stored. A draft queued behind
    a save in flight (at a lock) reads it there: the lane runs in order, so
    the save has finished by then, and a stored record needs no draft."""

    def __init__(self) -> None:
        self.stored = False


@dataclass(frozen=True)
class Stored(Generic[R]):
    """What a save on the save lane returns: the record as stored, and what
    failed afterwards (``afterwards``: the save stands, the error is shown)."""

    record: R
    afterwards: FieldvaultError | None = None


AfterStore = Callable[[Any], None]


def _store(
    service: EntityService[R],
    record: R,
    after_store: AfterStore | None,
    outcome: WriteOutcome,
    _context: TaskContext,
) -> Stored[R]:
    """The save as the save lane runs it: plain Python, no widget touched."""
    stored = service.save(record)
    outcome.stored = True
    if after_store is not None:
        try:
            after_store(stored)
        except FieldvaultError as err:
            return Stored(stored, err.with_traceback(None))
    return Stored(stored)


def _delete(service: EntityService[R], record_id: str, _context: TaskContext) -> None:
    service.delete(record_id)


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

    ``saved(id)`` follows every successful save, ``deleted(id)`` a deletion;
    ``save_finished(record or None)`` every save started (None: refused,
    failed, or the form was cleared meanwhile); ``write_finished()`` every
    save or deletion once the form is editable again."""

    saved = Signal(str)
    deleted = Signal(str)
    save_finished = Signal(object)
    write_finished = Signal()

    record_type: ClassVar[type[Any]]  # the R of the subclass (a ClassVar cannot say so)
    FIELDS: ClassVar[tuple[str, ...]]

    def __init__(self, parent: QWidget | None = None, *, tasks: TaskRunner | None = None) -> None:
        super().__init__(parent)
        # The window's runner; a form shown alone (tests) has its own.
        self.tasks = tasks if tasks is not None else TaskRunner(self)
        self._write: TaskHandle | None = None  # the save or deletion in flight
        self._write_outcome: WriteOutcome | None = None  # set while a save is in flight
        self._focus_before_write: QWidget | None = None  # where the user was when a write started
        self._focus_parked: QWidget | None = None  # where Qt moved the focus when the rows were disabled
        self._ticket = 0  # counts loads and clears: a wait that returns to an older one gives up
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

    @property
    def is_writing(self) -> bool:
        """A save or deletion of this form is in flight on the save lane."""
        return self._write is not None

    def on_edited(self, *_args: object) -> None:
        if not self._loading and self._vault is not None:
            self._dirty = True

    # -- load ----------------------------------------------------------------------------

    def load(self, vault: Vault, case_id: str, record_id: str | None = None) -> bool:
        """Show a record of the case (None: a new one). False (with the reason
        shown, the form disabled) when it cannot be read, or when the form
        was cleared or loaded again while a write in flight was awaited."""
        if not self.wait_for_write():
            return False
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

    def save(self) -> TaskHandle | None:
        """Check the form and start storing it, as a new record or a new
        version of the open one, on the save lane. None when nothing was
        started: refused here (the reasons shown), or a write is in flight
        already (a second click does not save twice). The vault's answer
        comes back as ``save_finished`` (and ``saved`` when stored)."""
        vault, case_id = self._vault, self._case_id
        if self._write is not None:
            return None
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
        previous = self._record
        outcome = WriteOutcome()
        task = partial(_store, self.service(vault), record, self.after_store(vault, previous), outcome)
        self.save_started()
        handle = self._start_write(task, self._on_save_report, previous)
        self._write_outcome = outcome
        self.status.setText(QCoreApplication.translate("RecordForm", "Saving…"))
        return handle

    def save_and_wait(self) -> R | None:
        """Save (or join the save in flight) and wait for the vault's answer,
        the event loop turning meanwhile. The record stored, or None: refused
        or failed (the reasons shown), or the form was cleared meanwhile."""
        answers: list[R | None] = []
        self.save_finished.connect(answers.append)
        try:
            if self._write is None and self.save() is None:
                return None
            self.wait_for_write()
        finally:
            self.save_finished.disconnect(answers.append)
        return answers[-1] if answers else None

    def wait_for_write(self) -> bool:
        """Wait for the save or deletion in flight in a local event loop (the
        window keeps responding, as with a dialog). True when the form is
        still the one that waited: not cleared (locked), not loaded again."""
        if self._write is None:
            return True
        self._ticket += 1
        ticket, vault = self._ticket, self._vault
        loop = QEventLoop()
        self.write_finished.connect(loop.quit)
        try:
            loop.exec()
        finally:
            self.write_finished.disconnect(loop.quit)
        return self._ticket == ticket and self._vault is vault and self._write is None

    def save_started(self) -> None:
        """What a form does as its save starts (the testimony stops autosaving)."""

    def save_failed(self) -> None:
        """What a form does when the vault did not store the record (the edits stay)."""

    def after_store(self, vault: Vault, previous: R | None) -> AfterStore | None:
        """What the save lane does right after the record is stored, given the
        stored record (plain Python: it runs off the GUI thread)."""
        return None

    def _on_save_report(self, previous: R | None, report: TaskReport) -> None:
        result = report.value if report.state == "succeeded" else None
        if not isinstance(result, Stored):
            self.save_failed()
            self._show_refusal(report)
            self.save_finished.emit(None)
            return
        stored: R = result.record
        self._record = stored
        self.after_save(previous, stored)
        self.show_stored()
        if result.afterwards is not None:
            self.status.setText(error_message(result.afterwards))
        else:
            self.status.setText(QCoreApplication.translate("RecordForm", "Saved."))
        self.saved.emit(stored.id)
        self.save_finished.emit(stored)

    def _show_refusal(self, report: TaskReport) -> None:
        """The vault's reason for not storing the record, by its field when it names one."""
        failed = report.failure
        error = failed.error if failed is not None else None
        if isinstance(error, InvalidInput):
            field = record_form.refused_field(error)
            if field in self.error_labels:
                self.show_errors({field: self.refusal_text(field, error)})
                return
        self.status.setText(error_message(error, failed.error_type if failed is not None else ""))

    def after_save(self, previous: R | None, stored: R) -> None:
        """What a form does once the vault took the record (before it is shown)."""

    def delete(self) -> bool:
        """Delete the open record after asking (its history is kept), on the
        save lane. True when the deletion was started; ``deleted`` follows it."""
        vault, record = self._vault, self._record
        if vault is None or record is None or self.delete_button is None or self._write is not None:
            return False
        if not record_form.confirm_delete(self, self._texts.delete_title, self._texts.delete_question):
            return False
        if self._vault is not vault or self._record is not record or self._write is not None:
            return False  # the form was cleared (locked) or is saving after the question
        self._start_write(partial(_delete, self.service(vault), record.id), self._on_delete_report, record)
        self.status.setText(QCoreApplication.translate("RecordForm", "Deleting…"))
        return True

    def _on_delete_report(self, record: R, report: TaskReport) -> None:
        if report.state != "succeeded":
            failed = report.failure
            self.status.setText(
                error_message(failed.error if failed else None, failed.error_type if failed else "")
            )
            return
        self._record = None
        self.show_stored()
        self.status.setText(self._texts.deleted)
        self.deleted.emit(record.id)

    # -- the write in flight ---------------------------------------------------------------

    def _start_write(
        self, task: Callable[[TaskContext], object], then: Callable[[Any, TaskReport], None], arg: object
    ) -> TaskHandle:
        """Run a save or deletion on the save lane; ``then(arg, report)`` in
        the GUI thread once it finished, with the form editable again."""
        handle: TaskHandle | None = None

        def finished(report: TaskReport) -> None:
            if handle is None or handle is not self._write or not report.finished:
                return  # the form was cleared meanwhile: its reports are forgotten anyway
            self._end_write()
            then(arg, report)
            self.write_finished.emit()

        focused = QApplication.focusWidget()
        self._focus_before_write = focused if focused is not None and self.isAncestorOf(focused) else None
        handle = self.tasks.start(Lane.SAVE, task, finished, owner=self)
        self._write = handle
        self.show_writing(True)
        self._focus_parked = QApplication.focusWidget()
        return handle

    def _end_write(self) -> None:
        self._write = None
        self._write_outcome = None
        self.show_writing(False)
        focused, self._focus_before_write = self._focus_before_write, None
        parked, self._focus_parked = self._focus_parked, None
        # Back where the user was typing, unless they went elsewhere meanwhile
        # (Qt moved the focus on when the rows were disabled: not the user).
        now = QApplication.focusWidget()
        untouched = now is None or now is parked or now is self or self.isAncestorOf(now)
        if focused is not None and focused.isEnabled() and self.isVisible() and untouched:
            focused.setFocus()

    def show_writing(self, writing: bool) -> None:
        """While a write is in flight the form cannot be edited: what is saved
        is what it shows. (A form adds its own buttons.)"""
        self.scroll_area.setEnabled(not writing)
        self.save_button.setEnabled(not writing)
        if self.delete_button is not None:
            self.delete_button.setEnabled(not writing and self._record is not None)

    # -- locking -------------------------------------------------------------------------

    def clear(self) -> None:
        """Empty every widget and forget the vault and the record. A write in
        flight goes on (the window waits for the save lane before the vault
        locks); its answer is no longer shown."""
        record_form.close_questions(self)
        self._ticket += 1
        handle = self._write
        if handle is not None:
            self.tasks.forget(handle)
            was_saving = self._write_outcome is not None
            self._focus_before_write = None
            self._end_write()
            if was_saving:
                self.save_finished.emit(None)
            self.write_finished.emit()
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
