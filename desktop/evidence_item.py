"""One evidence item: what the worker states, what the file claims, its hash and custody.

Two kinds of metadata are kept apart on purpose. *Stated* fields (description,
source, date, place, notes) are what the field worker says and can edit; they
are saved with ``vault.evidence.edit``. *Claimed* fields are what the file says
about itself (EXIF date and GPS, a video's creation time…), read at intake and
shown read-only: a file's metadata can be edited or faked.

Saving the stated fields runs on the save lane of the window's task runner
(desktop/tasks.py), never in the GUI thread: a write transaction held
elsewhere (the sync worker, another process) must not freeze the window. The
fields are checked here first (a bad date is refused at once), then stored;
while the save is in flight they cannot be edited (what is stored is what
they show) and the status says "Saving…". A lock waits for that save.

Showing an item reads only its metadata and custody; it writes nothing. The
only plaintext the GUI ever writes is an explicit export, to the file the user
chose, run by an ``Export`` task on the export lane and recorded in the custody log by the core.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDir, QLocale, Qt, Signal, Slot
from PySide6.QtGui import QFontDatabase, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from db.api import CancelToken, CustodyEvent, EvidenceItem, EvidencePurge, FieldvaultError
from desktop.evidence_links import EvidenceLinksBox
from desktop.evidence_panel import bold_label, data_size, forget_file_dialog_history, plain_label
from desktop.icons import icon
from desktop.intake import (
    Export,
    ExportDone,
    ExportFailed,
    ExportProgress,
    ExportStopped,
    failure_text,
)
from desktop.messages import error_message
from desktop.tasks import Lane, TaskContext, TaskHandle, TaskReport, TaskRunner

SHORT_DEVICE_LENGTH = 12

# (parent, caption, suggested file name) -> the chosen path, or "" if cancelled.
SaveFileDialog = Callable[[QWidget, str, str], str]


def ask_save_file(parent: QWidget, caption: str, suggested_name: str) -> str:
    path, _filter = QFileDialog.getSaveFileName(parent, caption, str(Path(QDir.homePath()) / suggested_name))
    forget_file_dialog_history()
    return str(path)


def read_only_table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    table.setWordWrap(True)
    table.verticalHeader().hide()
    table.horizontalHeader().setStretchLastSection(True)
    return table


# Content Credentials claims said in the sentence above the claims table (the
# signer too, when the credentials are valid).
CREDENTIALS_IN_SENTENCE = frozenset({"c2pa_state", "c2pa_trusted", "c2pa_codes", "c2pa_reason"})

# The custody log's actions that have an icon of the same meaning elsewhere.
CUSTODY_ICONS = {
    "intake": "add-evidence",
    "intake-duplicate": "add-evidence",
    "intake-attached": "add-evidence",
    "view": "view",
    "export": "export",
    "export-metadata": "export",
    "verify": "verify",
}


def table_item(text: str, tooltip: str = "", *, data: str | None = None) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if tooltip:
        item.setToolTip(tooltip)
    if data is not None:
        item.setData(Qt.ItemDataRole.UserRole, data)
    return item


def fit_height(table: QTableWidget) -> None:
    """Size a short table to its rows, so it needs no scroll bar of its own."""
    table.resizeRowsToContents()
    height = table.horizontalHeader().height() + 2 * table.frameWidth()
    height += sum(table.rowHeight(row) for row in range(table.rowCount()))
    table.setFixedHeight(height)


def _edit_stated(
    evidence: Any, evidence_id: str, changes: dict[str, str], _context: TaskContext
) -> EvidenceItem:
    """The save as the save lane runs it: plain Python, no widget touched."""
    stored: EvidenceItem = evidence.edit(evidence_id, **changes)
    return stored


def utc_time(wall: str) -> str:
    """The custody log's UTC ISO 8601 time, to the second, marked UTC."""
    try:
        moment = datetime.fromisoformat(wall.replace("Z", "+00:00"))
    except ValueError:
        return wall
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


class EvidenceItemView(QWidget):
    """``vault`` is the unlocked ``Vault`` (or any object with an ``evidence``
    service). ``save_dialog(parent, caption, suggested_name) -> path or ""``
    replaces the save-file dialog in tests."""

    saved = Signal(str)  # evidence id, after the stated fields were saved
    export_finished = Signal(object)  # ExportDone | ExportFailed | ExportStopped, after the view showed it

    def __init__(
        self,
        vault: Any,
        evidence_id: str | None = None,
        *,
        save_dialog: SaveFileDialog | None = None,
        parent: QWidget | None = None,
        tasks: TaskRunner | None = None,
    ) -> None:
        super().__init__(parent)
        self._vault = vault
        # The window's runner; a view shown alone (tests) has its own.
        self.tasks = tasks if tasks is not None else TaskRunner(self)
        self._item: EvidenceItem | None = None
        self._save_dialog = save_dialog or ask_save_file
        self._exporting = False
        self._export_cancel: CancelToken | None = None
        self._saving: TaskHandle | None = None  # the stated fields' save in flight
        self._saving_id: str | None = None  # ...of this item
        # Where the user typed when the save started, and where Qt moved the
        # focus when the fields were disabled: the focus goes back after it.
        self._focus_before_save: QWidget | None = None
        self._focus_parked: QWidget | None = None

        self.heading = bold_label()
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.heading.setAccessibleName(self.tr("Original file name"))

        # -- stated by the field worker ------------------------------------------
        self.description_field = QPlainTextEdit()
        self.description_field.setAccessibleName(self.tr("Description"))
        self.description_field.setTabChangesFocus(True)
        self.description_field.setMaximumHeight(110)
        self.source_field = QLineEdit()
        self.source_field.setAccessibleName(self.tr("Source"))
        self.source_field.setPlaceholderText(self.tr("Who gave the file, or where it was found"))
        self.stated_date_field = QLineEdit()
        self.stated_date_field.setAccessibleName(self.tr("Stated date"))
        self.stated_date_field.setPlaceholderText(self.tr("YYYY, YYYY-MM or YYYY-MM-DD"))
        self.stated_date_field.setMaxLength(10)
        self.stated_place_field = QLineEdit()
        self.stated_place_field.setAccessibleName(self.tr("Stated place"))
        self.notes_field = QPlainTextEdit()
        self.notes_field.setAccessibleName(self.tr("Notes"))
        self.notes_field.setTabChangesFocus(True)
        self.notes_field.setMaximumHeight(80)
        self.save_button = QPushButton(icon("save"), self.tr("&Save"))
        self.save_button.setAccessibleName(self.tr("Save the stated fields"))
        self.save_button.setToolTip(self.tr("Ctrl+S also saves."))
        self.status = plain_label()
        self.status.setAccessibleName(self.tr("Item status"))
        stated = QGroupBox(self.tr("Stated by the field worker"))
        stated_form = QFormLayout()
        stated_form.addRow(self.tr("&Description:"), self.description_field)
        stated_form.addRow(self.tr("So&urce:"), self.source_field)
        stated_form.addRow(self.tr("Da&te:"), self.stated_date_field)
        stated_form.addRow(self.tr("&Place:"), self.stated_place_field)
        stated_form.addRow(self.tr("&Notes:"), self.notes_field)
        save_row = QHBoxLayout()
        save_row.addWidget(self.status, 1)
        save_row.addWidget(self.save_button)
        stated_layout = QVBoxLayout(stated)
        stated_layout.addLayout(stated_form)
        stated_layout.addLayout(save_row)
        self.stated_box = stated

        # -- claimed by the file -----------------------------------------------------
        self.claimed_table = read_only_table([self.tr("Claim"), self.tr("Value")])
        self.claimed_table.setAccessibleName(self.tr("Claimed by the file"))
        self.claimed_note = plain_label(
            self.tr(
                "Read from the file itself when it was added. Files can lie: this metadata "
                "can be edited or faked. Treat it as a claim to check, not a fact."
            )
        )
        self.no_claims = plain_label(self.tr("The file makes no claims we can read."))
        # What the file's Content Credentials (C2PA) claim, checked at intake
        # in the confined parser (db/c2pa_read.py); hidden for older items.
        self.credentials_label = plain_label()
        self.credentials_label.setAccessibleName(self.tr("Content Credentials"))
        self.credentials_label.hide()
        claimed = QGroupBox(self.tr("Claimed by the file"))
        claimed_layout = QVBoxLayout(claimed)
        claimed_layout.addWidget(self.claimed_note)
        claimed_layout.addWidget(self.credentials_label)
        claimed_layout.addWidget(self.no_claims)
        claimed_layout.addWidget(self.claimed_table)
        self.claimed_box = claimed

        # -- the stored file ------------------------------------------------------------
        self.sha256_field = QLineEdit()
        self.sha256_field.setReadOnly(True)
        self.sha256_field.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.sha256_field.setAccessibleName(self.tr("SHA-256"))
        self.sha256_field.setToolTip(self.tr("The file's fingerprint, computed when it was added."))
        self.size_label = plain_label()
        self.size_label.setAccessibleName(self.tr("Size"))
        self.mime_label = plain_label()
        self.mime_label.setAccessibleName(self.tr("File type"))
        self.export_button = QPushButton(icon("export"), self.tr("&Export…"))
        self.export_button.setAccessibleName(self.tr("Export a copy of the file"))
        self.export_button.setToolTip(
            self.tr("Writes a decrypted copy where you choose. The export is recorded in the custody log.")
        )
        self.export_busy = QProgressBar()
        self.export_busy.setRange(0, 1000)  # per mille: sizes above 2 GiB overflow an int range
        self.export_busy.setAccessibleName(self.tr("Export progress"))
        self.export_busy.hide()
        self.export_cancel_button = QPushButton(icon("cancel"), self.tr("Cancel export"))
        self.export_cancel_button.setAccessibleName(self.tr("Cancel the export"))
        self.export_cancel_button.setToolTip(self.tr("Stops the export; no file is written."))
        self.export_cancel_button.hide()
        file_box = QGroupBox(self.tr("Stored file"))
        file_form = QFormLayout()
        file_form.addRow(self.tr("SHA-256:"), self.sha256_field)
        file_form.addRow(self.tr("Size:"), self.size_label)
        file_form.addRow(self.tr("Type:"), self.mime_label)
        self.export_status = plain_label()
        self.export_status.setAccessibleName(self.tr("Export status"))
        export_row = QHBoxLayout()
        export_row.addWidget(self.export_busy, 1)
        export_row.addWidget(self.export_status, 1)
        export_row.addWidget(self.export_cancel_button)
        export_row.addWidget(self.export_button)
        file_layout = QVBoxLayout(file_box)
        file_layout.addLayout(file_form)
        # Delivered and removed by the organisation's purge policy (docs/sync.md §1.7).
        self.purged_label = plain_label()
        self.purged_label.setAccessibleName(self.tr("File location"))
        self.purged_label.hide()
        file_layout.addWidget(self.purged_label)
        self._purged = False
        file_layout.addLayout(export_row)

        # -- chain of custody -------------------------------------------------------------
        self.custody_table = read_only_table(
            [self.tr("#"), self.tr("Time"), self.tr("Action"), self.tr("Device"), self.tr("User")]
        )
        self.custody_table.setAccessibleName(self.tr("Custody history"))
        header = self.custody_table.horizontalHeader()
        for column in range(4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        custody = QGroupBox(self.tr("Chain of custody"))
        custody_layout = QVBoxLayout(custody)
        custody_layout.addWidget(self.custody_table)

        content = QWidget()
        content_layout = QVBoxLayout(content)
        content_layout.addWidget(self.heading)
        content_layout.addWidget(stated)
        # The testimonies, incidents and persons this item concerns (issue 15).
        self.links_box = EvidenceLinksBox(vault, self.tasks)
        content_layout.addWidget(self.links_box)
        content_layout.addWidget(claimed)
        content_layout.addWidget(file_box)
        content_layout.addWidget(custody, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

        self.save_button.clicked.connect(self.save)
        self.export_button.clicked.connect(self.export)
        self.export_cancel_button.clicked.connect(self.cancel_export)
        for line in (self.source_field, self.stated_date_field, self.stated_place_field):
            line.returnPressed.connect(self.save)
        for keys in (QKeySequence.StandardKey.Save, "Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), stated)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.save)

        self._set_enabled(False)
        if evidence_id is not None:
            self.show_item(evidence_id)

    # -- showing ---------------------------------------------------------------------

    @property
    def evidence_id(self) -> str | None:
        return None if self._item is None else self._item.id

    def show_item(self, evidence_id: str) -> bool:
        """Show an item; False (and a message) if it cannot be read."""
        if self._vault is None:
            return False
        try:
            item = self._vault.evidence.get(evidence_id)
            events = self._vault.evidence.custody(evidence_id)
        except FieldvaultError as err:
            self._clear_fields()
            self._show_status(error_message(err))
            return False
        self._item = item
        self.heading.setText(item.original_name or self.tr("(no name)"))
        self._show_stated(item)
        self._show_claims(item.claimed)
        self.sha256_field.setText(item.sha256)
        self.sha256_field.setCursorPosition(0)
        size = data_size(item.size)
        if item.size >= 1024:  # the exact count too, where the short form rounds
            size = self.tr("{size} ({bytes} bytes)").format(size=size, bytes=QLocale().toString(item.size))
        self.size_label.setText(size)
        self.mime_label.setText(item.mime_type)
        self._show_purged(self._is_purged(item.id))
        self._show_custody(events)
        self.links_box.show_for(item.id, item.case_id)
        self._show_status(self.tr("Saving…") if self.is_saving else "")
        self._set_enabled(True)
        return True

    def _is_purged(self, evidence_id: str) -> bool:
        """Were the item's bytes delivered and removed from this laptop? (A
        vault stand-in without the purge service: never.)"""
        try:
            if getattr(self._vault, "services", None) is None:
                return False
            return EvidencePurge.of(self._vault).purged(evidence_id) is not None
        except FieldvaultError:
            return False  # locked or unreadable meanwhile: an export then says why

    def _show_purged(self, purged: bool) -> None:
        self._purged = purged
        self.purged_label.setText(
            self.tr(
                "Delivered, not on this laptop. The file was sent to the organisation's server "
                "and removed here, as the organisation's policy asks; its hash and custody stay. "
                "Ask a coordinator for a copy."
            )
            if purged
            else ""
        )
        self.purged_label.setVisible(purged)

    def _show_stated(self, item: EvidenceItem) -> None:
        self.description_field.setPlainText(item.description)
        self.source_field.setText(item.source)
        self.stated_date_field.setText(item.stated_date)
        self.stated_place_field.setText(item.stated_place)
        self.notes_field.setPlainText(item.notes)

    def reload(self) -> bool:
        """Re-read the shown item and its custody; unsaved edits are replaced."""
        return self.evidence_id is not None and self.show_item(self.evidence_id)

    def refresh_custody(self) -> None:
        """Re-read only the custody history (after a view or an export)."""
        if self._vault is None or self._item is None:
            return
        try:
            self._show_custody(self._vault.evidence.custody(self._item.id))
        except FieldvaultError as err:
            self._show_status(error_message(err))

    def _claim_labels(self) -> dict[str, str]:
        """Known claims, in the order shown; others follow under their own key."""
        return {
            "exif_datetime": self.tr("Date taken (EXIF)"),
            "creation_time": self.tr("Creation time"),
            "pdf_creation_date": self.tr("Creation date (PDF)"),
            "gps_latitude": self.tr("GPS latitude"),
            "gps_longitude": self.tr("GPS longitude"),
            "camera": self.tr("Camera"),
            "duration_seconds": self.tr("Duration (seconds)"),
            "pages": self.tr("Pages"),
            "width": self.tr("Width (pixels)"),
            "height": self.tr("Height (pixels)"),
            "c2pa_signer": self.tr("Signer (Content Credentials)"),
            "c2pa_capture_time": self.tr("Capture time (Content Credentials)"),
            "c2pa_location": self.tr("Location (Content Credentials)"),
            "c2pa_author": self.tr("Author (Content Credentials)"),
            "c2pa_digital_source": self.tr("Source type (Content Credentials)"),
            "c2pa_claim_generator": self.tr("Made with (Content Credentials)"),
            "c2pa_signed_at": self.tr("Time-stamped (Content Credentials)"),
            "c2pa_issuer": self.tr("Certificate issuer (Content Credentials)"),
            "c2pa_algorithm": self.tr("Signature algorithm (Content Credentials)"),
        }

    def _claim_label(self, key: str) -> str:
        return self._claim_labels().get(key, key)

    def _credentials_text(self, claimed: dict[str, str]) -> str:
        """One sentence on the file's Content Credentials; "" when none were looked for."""
        state = claimed.get("c2pa_state")
        prefix = self.tr("Content Credentials (claimed by the file):")
        if state == "valid":
            signer = claimed.get("c2pa_signer") or self.tr("an unnamed certificate")
            if claimed.get("c2pa_trusted") == "yes":
                return self.tr("{prefix} valid, signed by {signer} (on a trust list).").format(
                    prefix=prefix, signer=signer
                )
            return self.tr(
                "{prefix} valid, signed by {signer}. The signer is on no trust list: anyone can make "
                "a certificate with any name. Valid means the file is unchanged since it was signed."
            ).format(prefix=prefix, signer=signer)
        if state == "invalid":
            codes = claimed.get("c2pa_codes") or self.tr("no reason given")
            return self.tr(
                "{prefix} invalid: {codes}. The file may have been changed after it was signed, "
                "or its credentials are damaged, expired or forged."
            ).format(prefix=prefix, codes=codes)
        if state == "no manifest":
            return self.tr("Content Credentials: none in this file.")
        if state == "not read":
            reason = claimed.get("c2pa_reason", "")
            return self.tr("Content Credentials: not read ({reason}).").format(reason=reason)
        return ""

    def _show_claims(self, claimed: dict[str, str]) -> None:
        self.claimed_table.setRowCount(0)
        credentials = self._credentials_text(claimed)
        self.credentials_label.setText(credentials)
        self.credentials_label.setVisible(bool(credentials))
        # The verdict and the signer are in that sentence, not in the table.
        said = CREDENTIALS_IN_SENTENCE | ({"c2pa_signer"} if claimed.get("c2pa_state") == "valid" else set())
        claimed = {key: value for key, value in claimed.items() if key not in said}
        order = list(self._claim_labels())
        keys = sorted(claimed, key=lambda key: (order.index(key) if key in order else len(order), key))
        for key in keys:
            value = claimed[key]
            row = self.claimed_table.rowCount()
            self.claimed_table.insertRow(row)
            self.claimed_table.setItem(row, 0, table_item(self._claim_label(key), key))
            self.claimed_table.setItem(row, 1, table_item(str(value)))
        self.claimed_table.resizeColumnToContents(0)
        fit_height(self.claimed_table)
        self.claimed_table.setVisible(bool(claimed))
        self.no_claims.setVisible(not claimed)

    def _action_label(self, action: str) -> str:
        labels = {
            "intake": self.tr("Added to the vault"),
            "intake-duplicate": self.tr("Added again (already stored)"),
            "intake-attached": self.tr("Missing file added (attached to this record)"),
            "view": self.tr("Viewed"),
            "export": self.tr("Exported"),
            "export-metadata": self.tr("Record exported (a case export, without the file)"),
            "transfer": self.tr("Transferred"),
            "verify": self.tr("Verified"),
            "delete": self.tr("Deleted"),
            "purge": self.tr("Delivered, removed from this laptop"),
        }
        return labels.get(action, action)

    def _show_custody(self, events: list[CustodyEvent]) -> None:
        self.custody_table.setRowCount(0)
        for event in events:
            row = self.custody_table.rowCount()
            self.custody_table.insertRow(row)
            action = table_item(self._action_label(event.action), event.action, data=event.action)
            if event.action in CUSTODY_ICONS:
                action.setIcon(icon(CUSTODY_ICONS[event.action]))
            cells = [
                table_item(str(event.seq)),
                table_item(utc_time(event.wall), event.wall),
                action,
                table_item(event.device_id[:SHORT_DEVICE_LENGTH], event.device_id),
                table_item(event.user or "—"),
            ]
            for column, cell in enumerate(cells):
                self.custody_table.setItem(row, column, cell)
        self.custody_table.resizeRowsToContents()

    def custody_actions(self) -> list[str]:
        """The custody table's actions, as the core names them (for tests and callers)."""
        cells = (self.custody_table.item(row, 2) for row in range(self.custody_table.rowCount()))
        return [str(cell.data(Qt.ItemDataRole.UserRole)) for cell in cells if cell is not None]

    # -- saving the stated fields ---------------------------------------------------------

    def stated_values(self) -> dict[str, str]:
        return {
            "description": self.description_field.toPlainText(),
            "source": self.source_field.text().strip(),
            "stated_date": self.stated_date_field.text().strip(),
            "stated_place": self.stated_place_field.text().strip(),
            "notes": self.notes_field.toPlainText(),
        }

    def has_unsaved_changes(self) -> bool:
        if self._item is None:
            return False
        return any(value != getattr(self._item, name) for name, value in self.stated_values().items())

    @property
    def is_saving(self) -> bool:
        """The stated fields of the item shown are being stored on the save lane."""
        return self._saving is not None and self._saving_id == self.evidence_id

    @Slot()
    def save(self) -> bool:
        """Check the stated fields that changed and start storing them on the
        save lane; ``saved(id)`` follows once stored. True when started (or
        nothing changed); False when refused here (the reason shown), when
        no item is shown, or while a save of it is in flight."""
        item = self._item
        if self._vault is None or item is None or self._saving is not None:
            return False
        changes: dict[str, Any] = {
            name: value for name, value in self.stated_values().items() if value != getattr(item, name)
        }
        if not changes:
            self._show_status(self.tr("No changes to save."))
            return True
        try:
            replace(item, **changes).validate_values()  # the vault's own check, at once
        except FieldvaultError as err:
            self._show_status(error_message(err))
            return False
        handle: TaskHandle | None = None

        def finished(report: TaskReport) -> None:
            if report.finished and handle is self._saving:
                self._on_save_report(item.id, report)

        handle = self.tasks.start(
            Lane.SAVE, partial(_edit_stated, self._vault.evidence, item.id, changes), finished, owner=self
        )
        focused = QApplication.focusWidget()
        self._focus_before_save = (
            focused if focused is not None and self.stated_box.isAncestorOf(focused) else None
        )
        self._saving, self._saving_id = handle, item.id
        self._set_enabled(True)
        self._focus_parked = QApplication.focusWidget()
        self._show_status(self.tr("Saving…"))
        return True

    def _restore_focus(self) -> None:
        """Back in the field the user saved from, unless they went elsewhere meanwhile."""
        focused, self._focus_before_save = self._focus_before_save, None
        parked, self._focus_parked = self._focus_parked, None
        now = QApplication.focusWidget()
        if focused is not None and focused.isEnabled() and focused.isVisible() and now in (None, parked):
            focused.setFocus()

    def _on_save_report(self, evidence_id: str, report: TaskReport) -> None:
        self._saving, self._saving_id = None, None
        shown = self.evidence_id == evidence_id
        self._set_enabled(self._item is not None)
        self._restore_focus()
        stored = report.value if report.state == "succeeded" else None
        if not isinstance(stored, EvidenceItem):
            if shown:
                failed = report.failure
                self._show_status(
                    error_message(failed.error if failed else None, failed.error_type if failed else "")
                )
            return
        if shown:  # another item chosen meanwhile: its fields are not this one's
            self._item = stored
            self._show_stated(stored)  # what was typed: the fields could not change meanwhile
            self._show_status(self.tr("Saved."))
        self.saved.emit(stored.id)

    # -- export ------------------------------------------------------------------------------

    @property
    def is_exporting(self) -> bool:
        return self._exporting

    @Slot()
    def export(self) -> bool:
        """Ask where, then export in a worker; False if nothing was started."""
        if self._vault is None or self._item is None or self._exporting:
            return False
        chosen = self._save_dialog(
            self, self.tr("Export a copy of the evidence"), Path(self._item.original_name).name
        )
        if not chosen:
            return False
        destination = Path(chosen)
        # The save dialog already asked before replacing an existing file.
        overwrite = destination.is_file()
        self._exporting = True
        self._export_cancel = CancelToken()
        self.export_button.setEnabled(False)
        self.export_busy.setValue(0)
        self.export_busy.show()
        self.export_cancel_button.setEnabled(True)
        self.export_cancel_button.show()
        self.export_status.setText(self.tr("Exporting…"))
        evidence_id = self._item.id
        self.tasks.start(
            Lane.EXPORT,
            Export(self._vault, evidence_id, destination, overwrite=overwrite),
            lambda report: self._on_export_report(evidence_id, report),
            owner=self,
            cancel=self._export_cancel,
        )
        return True

    def _on_export_report(self, evidence_id: str, report: TaskReport) -> None:
        if report.state == "progress":
            assert isinstance(report.value, ExportProgress)
            self._on_export_progress(report.value)
        elif report.state == "succeeded":
            result: Any = report.value
            self._on_exported(ExportDone(result.evidence_id, result.sha256, str(result.path)))
        elif report.state == "failed" and report.failure is not None:
            failed = report.failure
            self._on_export_failed(ExportFailed(evidence_id, failed.error_type, failure_text(failed)))
        else:
            self._on_export_cancelled(ExportStopped(evidence_id))

    @Slot()
    def cancel_export(self) -> None:
        """Ask the running export to stop; its worker reports when it has."""
        if self._export_cancel is not None:
            self._export_cancel.cancel()
            self.export_cancel_button.setEnabled(False)
            self.export_status.setText(self.tr("Cancelling…"))

    def _export_ended(self) -> None:
        self._exporting = False
        self._export_cancel = None
        self.export_busy.hide()
        self.export_cancel_button.hide()
        self.export_button.setEnabled(self._item is not None and not self._purged)

    def _on_export_progress(self, report: ExportProgress) -> None:
        if self._vault is None or not self._exporting:
            return
        self.export_busy.setValue(1000 * report.done // report.total if report.total else 1000)

    def _on_export_cancelled(self, report: ExportStopped) -> None:
        if self._vault is None:
            return
        self._export_ended()
        self.export_status.setText(self.tr("Export cancelled; no file was written."))
        self.export_finished.emit(report)

    def _on_exported(self, report: ExportDone) -> None:
        if self._vault is None:
            return  # cleared (locked) meanwhile
        self._export_ended()
        if report.evidence_id == self.evidence_id:
            self.refresh_custody()  # not reload(): that would drop unsaved edits
        self.export_status.setText(self.tr("Exported to {path}").format(path=report.path))
        self.export_finished.emit(report)

    def _on_export_failed(self, report: ExportFailed) -> None:
        if self._vault is None:
            return
        self._export_ended()
        self.export_status.setText(self.tr("Not exported: {reason}").format(reason=report.message))
        self.export_finished.emit(report)

    # -- state -----------------------------------------------------------------------------------

    def _show_status(self, message: str) -> None:
        self.status.setText(message)

    def _set_enabled(self, enabled: bool) -> None:
        """``enabled``: an item is shown. Its stated fields stay disabled while they are being stored."""
        editable = enabled and not self.is_saving
        for widget in (
            self.description_field,
            self.source_field,
            self.stated_date_field,
            self.stated_place_field,
            self.notes_field,
            self.save_button,
        ):
            widget.setEnabled(editable)
        self.export_button.setEnabled(enabled and not self._exporting and not self._purged)

    def _clear_fields(self) -> None:
        self._item = None
        self.heading.clear()
        self.description_field.clear()
        for line in (self.source_field, self.stated_date_field, self.stated_place_field, self.sha256_field):
            line.clear()
        self.notes_field.clear()
        self.claimed_table.setRowCount(0)
        self.credentials_label.clear()
        self.credentials_label.hide()
        self.custody_table.setRowCount(0)
        self.size_label.clear()
        self.mime_label.clear()
        self.status.clear()
        self.export_status.clear()
        self._show_purged(False)
        self.links_box.show_for(None, None)
        self._set_enabled(False)

    def reset(self) -> None:
        """Show no item (another case was chosen). The vault stays, and an
        export already running goes on and reports here."""
        self._clear_fields()

    def clear(self) -> None:
        """Empty every widget and forget the item and the vault (for locking).

        An export still running is cancelled (it leaves no file); its report,
        arriving later, is ignored. A save in flight goes on (the window
        waits for the save lane before the vault locks); its answer is no
        longer shown."""
        if self._export_cancel is not None:
            self._export_cancel.cancel()
        if self._saving is not None:
            self.tasks.forget(self._saving)
            self._saving, self._saving_id = None, None
        self._focus_before_save = self._focus_parked = None
        self._clear_fields()
        self.export_busy.hide()
        self.export_cancel_button.hide()
        self._vault = None
        self.links_box.forget_vault()
