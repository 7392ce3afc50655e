"""Vault → Export case…: the case exports of docs/exports.md from the desktop
(a PDF report, CSV, JSON, CSV for Uwazi, a BagIt evidence package), for
field workers and coordinators alike.

The user picks the format, the purpose (a consent scope, in the words the
consent form uses; the NGO internally unless chosen), the options that
format has, and a folder. The export runs on the window's export lane
(desktop/tasks.py) through the same code as ``fieldvault export``
(sync/exports/run.py): locking the vault cancels it, and a cancelled export
leaves neither an export nor its partial folder. The result names where the
export went, its SHA-256, and what consent withheld: type, id and reason
only, never a record's content. Nothing here logs anything.

At the unlock, ``interrupted_exports_notice`` tells the user what the vault
found of an export a crash interrupted (db/partial_exports.py).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.cancellable_run import PROGRESS_STEPS, CancellableRunDialog, CopyProgress
from desktop.dialog_parts import FolderChooser, choose_folder, ended_text
from desktop.icons import icon
from desktop.tasks import TaskContext, TaskReport, TaskRunner

if TYPE_CHECKING:
    from db.api import Vault
    from sync.exports.run import ExportFormat, ExportOutcome, ExportRequest

DEFAULT_PURPOSE = "ngo-internal"  # sync/exports/consent.py: the NGO internally


class ExportTask:
    """The export as a task (plain Python; the runner brings its reports to the GUI thread)."""

    def __init__(self, vault: Vault, request: ExportRequest) -> None:
        self._vault = vault
        self._request = request

    def __call__(self, context: TaskContext) -> ExportOutcome:
        from sync.exports.run import run_export  # fpdf2, bagit, Pillow: loaded when first used

        return run_export(
            self._vault,
            self._request,
            progress=lambda done, total: context.progress(CopyProgress(done, total)),
            cancel=context.cancel,
        )


def format_words() -> dict[str, str]:
    return {
        "pdf": QCoreApplication.translate("ExportDialog", "PDF case report"),
        "csv": QCoreApplication.translate("ExportDialog", "CSV (a folder of tables)"),
        "json": QCoreApplication.translate("ExportDialog", "JSON (one file)"),
        "uwazi-csv": QCoreApplication.translate("ExportDialog", "CSV for Uwazi's import"),
        "bagit": QCoreApplication.translate("ExportDialog", "BagIt evidence package (with the files)"),
    }


def withheld_line(entry: dict[str, str]) -> str:
    """One withheld record, by type, id and reason: never its content."""
    kinds = {
        "testimony": QCoreApplication.translate("ExportDialog", "Testimony"),
        "evidence": QCoreApplication.translate("ExportDialog", "Evidence"),
        "person": QCoreApplication.translate("ExportDialog", "Person"),
        "link": QCoreApplication.translate("ExportDialog", "Link"),
    }
    reasons = {
        "consent-withdrawn": QCoreApplication.translate(
            "ExportDialog", "consent for this purpose was withdrawn"
        ),
        "consent-not-given": QCoreApplication.translate("ExportDialog", "no consent for this purpose"),
        "no-consent-recorded": QCoreApplication.translate("ExportDialog", "no consent recorded"),
        "of-withheld-testimony": QCoreApplication.translate("ExportDialog", "part of a withheld testimony"),
        "consent-no-photos": QCoreApplication.translate("ExportDialog", "the consent excludes photos"),
    }
    return QCoreApplication.translate("ExportDialog", "{kind} {id}: {reason}").format(
        kind=kinds.get(entry["type"], entry["type"]),
        id=entry["id"],
        reason=reasons.get(entry["reason"], entry["reason"]),
    )


class ExportDialog(CancellableRunDialog):
    """Choose what to export and where, watch it, cancel it if need be."""

    def __init__(
        self,
        vault: Vault,
        case_id: str,
        parent: QWidget | None = None,
        *,
        tasks: TaskRunner | None = None,
        chooser: FolderChooser = choose_folder,
    ) -> None:
        super().__init__(parent, tasks)
        self._vault: Vault | None = vault
        self.case_id = case_id
        self._chooser = chooser
        self.destination: Path | None = None
        self.outcome: ExportOutcome | None = None

        self.explanation = QLabel()
        self.explanation.setWordWrap(True)
        self.format_box = QComboBox()
        self.purpose_box = QComboBox()
        self.pseudonymise_box = QCheckBox()
        self.spreadsheet_safe_box = QCheckBox()
        self.strip_box = QCheckBox()
        self.destination_label = QLabel()
        self.destination_label.setWordWrap(True)
        self.choose_button = QPushButton(icon("export"), "")
        self.choose_button.clicked.connect(self.choose_destination)
        self.export_button = QPushButton(icon("export"), "")
        self.export_button.clicked.connect(self.start)
        self.withheld_label = QLabel()
        self.withheld_label.setWordWrap(True)
        self.withheld_list = QListWidget()
        self.withheld_label.hide()
        self.withheld_list.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)

        self.form = QFormLayout()
        self.format_label, self.purpose_label, self.options_label, self.where_label = (
            QLabel(),
            QLabel(),
            QLabel(),
            QLabel(),
        )
        options = QVBoxLayout()
        for box in (self.pseudonymise_box, self.spreadsheet_safe_box, self.strip_box):
            options.addWidget(box)
        where = QHBoxLayout()
        where.addWidget(self.destination_label, 1)
        where.addWidget(self.choose_button)
        self.form.addRow(self.format_label, self.format_box)
        self.form.addRow(self.purpose_label, self.purpose_box)
        self.form.addRow(self.options_label, options)
        self.form.addRow(self.where_label, where)
        layout = QVBoxLayout(self)
        layout.addWidget(self.explanation)
        layout.addLayout(self.form)
        for widget in (
            self.export_button,
            self.progress,
            self.cancel_button,
            self.status,
            self.withheld_label,
            self.withheld_list,
        ):
            layout.addWidget(widget)
        layout.addWidget(self.buttons)
        self.format_box.currentIndexChanged.connect(self._format_changed)
        self.setMinimumWidth(640)
        self.retranslate()

    # -- language ----------------------------------------------------------------

    def retranslate(self) -> None:
        from desktop.consent_dialog import scope_words

        self.setWindowTitle(self.tr("Export the case"))
        self.explanation.setText(
            self.tr(
                "An export is a copy outside the vault, unencrypted: keep it as carefully as the vault. "
                "It holds only what the witnesses consented to for the purpose you choose; what is left "
                "out is listed by id. Every export is recorded in the evidence's chain of custody."
            )
        )
        self.format_label.setText(self.tr("Format"))
        self.purpose_label.setText(self.tr("Purpose"))
        self.options_label.setText(self.tr("Options"))
        self.where_label.setText(self.tr("Folder"))
        self._fill(self.format_box, format_words(), self.format_box.currentData() or "pdf")
        self._fill(self.purpose_box, scope_words(), self.purpose_box.currentData() or DEFAULT_PURPOSE)
        self._format_changed()
        self.pseudonymise_box.setText(self.tr("Witnesses by pseudonym only"))
        self.spreadsheet_safe_box.setText(self.tr("Safe for spreadsheets (formulas get an apostrophe)"))
        self.strip_box.setText(self.tr("Also photos without metadata (originals stay)"))
        self._show_destination()
        self.choose_button.setText(self.tr("Choose a folder…"))
        self.export_button.setText(self.tr("Export"))
        self.cancel_button.setText(self.tr("Cancel export"))
        self.withheld_label.setText(self.tr("Withheld by consent (not in the export):"))

    @staticmethod
    def _fill(box: QComboBox, words: dict[str, str], current: str) -> None:
        box.blockSignals(True)
        box.clear()
        for code, text in words.items():
            box.addItem(text, code)
        box.setCurrentIndex(max(0, box.findData(current)))
        box.blockSignals(False)

    # -- choices -------------------------------------------------------------------

    def choose(self, export_format: str, purpose: str = DEFAULT_PURPOSE) -> None:
        """Select a format and a purpose by their codes (as the user would in the lists)."""
        self.format_box.setCurrentIndex(self.format_box.findData(export_format))
        self.purpose_box.setCurrentIndex(self.purpose_box.findData(purpose))

    @Slot()
    def _format_changed(self) -> None:
        chosen = self.format_box.currentData()
        self.spreadsheet_safe_box.setEnabled(chosen in ("csv", "uwazi-csv") and not self.running)
        self.strip_box.setEnabled(chosen == "bagit" and not self.running)

    @Slot()
    def choose_destination(self) -> bool:
        chosen = self._chooser(self, self.tr("Where to put the export"))
        if chosen:
            self.set_destination(Path(chosen))
        return bool(chosen)

    def set_destination(self, folder: Path) -> None:
        self.destination = folder
        self._show_destination()

    def _show_destination(self) -> None:
        self.destination_label.setText(
            str(self.destination) if self.destination is not None else self.tr("No folder chosen yet")
        )
        self.export_button.setEnabled(self.destination is not None and self._vault is not None)

    def request(self) -> ExportRequest:
        from sync.exports.run import ExportRequest

        assert self.destination is not None
        export_format: ExportFormat = self.format_box.currentData()
        return ExportRequest(
            format=export_format,
            case_id=self.case_id,
            destination=self.destination,
            purpose=str(self.purpose_box.currentData()),
            pseudonymise=self.pseudonymise_box.isChecked(),
            spreadsheet_safe=self.spreadsheet_safe_box.isChecked() and self.spreadsheet_safe_box.isEnabled(),
            strip_metadata=self.strip_box.isChecked() and self.strip_box.isEnabled(),
        )

    # -- the export --------------------------------------------------------------------

    @Slot()
    def start(self) -> bool:
        """Export into the chosen folder (a new, named export is made inside it)."""
        if self._vault is None or self.running or self.destination is None:
            return False
        request = self.request()
        self.outcome = None
        self._set_choosing(False)
        # Only a BagIt package counts its files as it goes; the others show "busy" (range 0, 0).
        self.progress.setRange(0, PROGRESS_STEPS if request.format == "bagit" else 0)
        self.withheld_label.hide()
        self.withheld_list.clear()
        self.withheld_list.hide()
        self.status.setText(self.tr("Exporting…"))
        self._start_run(ExportTask(self._vault, request))
        return True

    def _set_choosing(self, enabled: bool) -> None:
        for widget in (self.format_box, self.purpose_box, self.pseudonymise_box, self.choose_button):
            widget.setEnabled(enabled)
        self.export_button.setEnabled(enabled and self.destination is not None and self._vault is not None)
        self._format_changed()
        if not enabled:
            self.spreadsheet_safe_box.setEnabled(False)
            self.strip_box.setEnabled(False)

    def _cancelling_text(self) -> str:
        return self.tr("Cancelling…")

    def _run_ended(self, report: TaskReport) -> None:
        self._set_choosing(self._vault is not None)
        if report.state == "succeeded":
            from sync.exports.run import ExportOutcome  # loaded by the task

            assert isinstance(report.value, ExportOutcome)
            self.outcome = report.value
            self._show_outcome()
        else:
            cancelled = self.tr("Export cancelled: nothing was kept.")
            self.status.setText(ended_text(report, done="", stopped=cancelled))

    def _show_outcome(self) -> None:
        outcome = self.outcome
        if outcome is None:
            return
        self.status.setText(
            self.tr(
                "Exported to {path}\nSHA-256: {sha256}\nWithheld by consent: {count} record(s). "
                "Keep the export safe: it is not encrypted."
            ).format(path=outcome.path, sha256=outcome.sha256, count=len(outcome.withheld))
        )
        purged = outcome.extra.get("purged") or []
        if purged:
            # A bag without every file of the case: said, with the ids (sync/exports/bag.py).
            self.status.setText(
                self.status.text()
                + "\n"
                + self.tr(
                    "Not in the package: {count} evidence file(s) delivered to the organisation's server "
                    "and purged from this laptop ({ids}). Their records, SHA-256 and custody are in it; "
                    "a coordinator holds the files."
                ).format(count=len(purged), ids=", ".join(purged))
            )
        for entry in outcome.withheld:
            self.withheld_list.addItem(withheld_line(entry))
        self.withheld_label.setVisible(bool(outcome.withheld))
        self.withheld_list.setVisible(bool(outcome.withheld))

    def forget_vault(self) -> None:
        """The vault locks: stop (the runner cancels the task too) and close."""
        self._vault = None
        self.cancel()
        self.close()


class ExportCaseAction(QAction):
    """Vault → Export case…: enabled while the vault is open and a case is selected."""

    def __init__(
        self,
        parent: QObject,
        vault: Callable[[], Vault | None],
        case_id: Callable[[], str | None],
        tasks: TaskRunner,
    ) -> None:
        super().__init__(icon("export"), "", parent)
        self._vault = vault
        self._case_id = case_id
        self._tasks = tasks
        self.chooser: FolderChooser = choose_folder  # tests put their own in
        self.dialog: ExportDialog | None = None
        self._unlocked = False
        self.triggered.connect(self.open_dialog)
        self.retranslate()
        self.refresh()

    def retranslate(self) -> None:
        self.setText(self.tr("E&xport case…"))

    def set_unlocked(self, unlocked: bool) -> None:
        self._unlocked = unlocked
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        """Enabled when a case is selected in the open vault (the case list says when that changes)."""
        self.setEnabled(self._unlocked and self._vault() is not None and self._case_id() is not None)

    @Slot()
    def open_dialog(self) -> ExportDialog | None:
        vault, case_id, parent = self._vault(), self._case_id(), self.parent()
        if vault is None or case_id is None or not isinstance(parent, QWidget):
            return None
        self.close_dialog()
        self.dialog = ExportDialog(vault, case_id, parent, tasks=self._tasks, chooser=self.chooser)
        self.dialog.open()
        return self.dialog

    def close_dialog(self) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is not None:
            dialog.forget_vault()
            dialog.deleteLater()


def interrupted_exports_text(vault: Vault) -> str:
    """What the unlock found of exports a crash interrupted, or "" (db/partial_exports.py)."""
    lines = []
    for found in vault.interrupted_exports:
        if found.outcome == "removed":
            text = QCoreApplication.translate(
                "ExportDialog",
                "An export was interrupted (the program stopped during it). Its unfinished copy held "
                "unencrypted data and was removed: {path}",
            )
        elif found.outcome == "left-alone":
            text = QCoreApplication.translate(
                "ExportDialog",
                "An export was interrupted. Something other than its unfinished copy is now at {path}: "
                "it was left alone. Check it: it may hold unencrypted data.",
            )
        else:
            text = QCoreApplication.translate(
                "ExportDialog",
                "An export was interrupted. Its unfinished copy at {path} may hold unencrypted data and "
                "could not be checked now (is its drive attached?). It is looked for again at the next unlock.",
            )
        lines.append(text.format(path=found.path))
    return "\n\n".join(lines)


def interrupted_exports_notice(parent: QWidget, vault: Vault) -> QMessageBox | None:
    """Tell the user, after the unlock, what was found of interrupted exports."""
    text = interrupted_exports_text(vault)
    if not text:
        return None
    notice = QMessageBox(
        QMessageBox.Icon.Warning,
        QCoreApplication.translate("ExportDialog", "An export was interrupted"),
        text,
        parent=parent,
    )
    notice.open()
    return notice
