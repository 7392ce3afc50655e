"""Record interview… on the testimony form: the recorder (desktop/recorder.py)
for the saved testimony shown, in a window of its own beside the form.

The window is not modal: while it records, the interviewer goes on typing the
narrative and notes in the testimony. One recorder at a time; asking again
brings it to the front. What was recorded is kept whatever ends it: Stop and
save, closing the window (Escape does nothing while recording, so a stray key
cannot end an interview), or the vault locking (``close(wait=True)`` before
the keys go; a panic wipe passes ``wait=False``).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from db.api import FieldvaultError, Vault
from desktop.messages import error_message
from desktop.recorder import RecorderWidget

# (vault, case id) of the form, or None while locked or no case is chosen.
OpenVault = Callable[[], tuple[Vault, str] | None]


class RecordInterviewDialog(QDialog):
    """The recorder for one testimony. ``recorded(evidence_id, testimony_id)``
    each time a recording is stored, by Stop and save or by closing."""

    recorded = Signal(str, str)

    def __init__(
        self, vault: Vault, case_id: str, testimony_id: str, title: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.testimony_id = testimony_id
        self.setWindowTitle(self.tr("Record interview"))
        self.heading = QLabel(self.tr("Recording for the testimony: {title}").format(title=title))
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.heading.setWordWrap(True)
        self.explanation = QLabel(
            self.tr(
                "The sound goes straight into the encrypted vault; no copy is left anywhere else. "
                "Stop and save, closing this window or locking the vault keeps what was recorded "
                "as evidence linked to this testimony."
            )
        )
        self.explanation.setWordWrap(True)
        self.recorder = RecorderWidget(vault, case_id, testimony_id)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.recorder)
        layout.addWidget(self.explanation)
        layout.addWidget(self.buttons)
        self.buttons.rejected.connect(self.close)
        self.recorder.recorded.connect(lambda evidence_id: self.recorded.emit(evidence_id, self.testimony_id))
        self.recorder.record_button.setFocus()
        self.resize(520, self.sizeHint().height())

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if event.key() == Qt.Key.Key_Escape and self.recorder.is_recording:
            event.accept()  # a stray Escape does not end an interview
            return
        super().keyPressEvent(event)

    def done(self, result: int) -> None:
        """Closing stops and stores a recording under way first."""
        evidence_id = self.recorder.finish()
        if evidence_id is not None:
            self.recorded.emit(evidence_id, self.testimony_id)
        super().done(result)

    def finish_for_lock(self, *, wait: bool) -> None:
        """The vault is locking: store what is being recorded (``wait``) or
        just stop it (a panic wipe), and close without reporting."""
        self.recorder.finish(wait=wait)
        self.blockSignals(True)
        super().done(QDialog.DialogCode.Rejected)


class RecordInterviewAction(QObject):
    """Opens the recorder for a testimony of the form's vault and case.
    ``recorded(evidence_id, testimony_id)`` once a recording is stored;
    ``status_message(text)`` when it cannot open."""

    recorded = Signal(str, str)
    status_message = Signal(str)

    def __init__(self, open_vault: OpenVault, parent: QWidget) -> None:
        super().__init__(parent)
        self._open_vault = open_vault
        self._parent = parent
        self.dialog: RecordInterviewDialog | None = None

    @Slot(str)
    def open_for(self, testimony_id: str) -> None:
        if self.dialog is not None:
            self.dialog.raise_()
            self.dialog.activateWindow()
            return
        opened = self._open_vault()
        if opened is None or not testimony_id:
            return
        vault, case_id = opened
        try:
            title = vault.testimonies.get(testimony_id).title
        except FieldvaultError as err:
            self.status_message.emit(error_message(err))
            return
        dialog = RecordInterviewDialog(
            vault, case_id, testimony_id, title or self.tr("(untitled testimony)"), self._parent
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.recorded.connect(self.recorded)
        dialog.finished.connect(lambda _result: self._forget(dialog))
        self.dialog = dialog
        dialog.show()

    def _forget(self, dialog: RecordInterviewDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None

    def close(self, *, wait: bool = True) -> None:
        """Before the vault locks: a recording under way is stored (``wait``)
        or stopped (panic wipe), and the recorder closes."""
        dialog, self.dialog = self.dialog, None
        if dialog is not None:
            dialog.finish_for_lock(wait=wait)
