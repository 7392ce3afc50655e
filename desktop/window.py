"""The top-level window: a stack of screens and the vault's life cycle.

create vault → recovery key (once) → vault view ⇄ (Ctrl+L) unlock → vault view

The language chosen on the create or unlock screen applies at once (the
screens and this window re-translate themselves) and is kept in QSettings
for the next starts. A later "join an organisation" step goes between the
recovery key and the vault view (``_finish_first_run``).

The window holds the open ``Vault`` (or None) and starts the workers. Locking
empties and destroys the vault view, closes the vault, and shows the unlock
screen. Nothing typed or read here is written to QSettings, logs or files.
"""

from __future__ import annotations

import contextlib
import time
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMessageBox, QStackedWidget, QWidget

from db.api import KEY_FILE, Argon2Params, KeyringStore, sandbox
from desktop import i18n
from desktop.autolock import AutoLock
from desktop.backup_action import BackupAction
from desktop.bundle_actions import OrganisationMenu
from desktop.clipboard_guard import ClipboardGuard
from desktop.conflicts_view import add_conflicts_entry
from desktop.coordinator_menu import CoordinatorMenu
from desktop.devices_view import add_devices_entry
from desktop.duplicates_view import add_duplicates_entry
from desktop.export_dialog import ExportCaseAction, interrupted_exports_notice
from desktop.hand_over_dialog import add_hand_over_entry
from desktop.help_menu import HelpMenu, WindowKeys
from desktop.i18n import Retranslating
from desktop.icons import app_icon, icon
from desktop.org_admin import add_coordinator_entries as add_org_admin_entries
from desktop.quick_note import QuickNoteAction
from desktop.recover_page import RecoverPage, VaultRecovered
from desktop.rereads_view import add_rereads_entry
from desktop.review_view import add_review_entry
from desktop.send_back_dialog import add_send_back_entry
from desktop.session_collector import SessionCollector
from desktop.settings_dialog import SettingsDialog, emergency_shortcut
from desktop.sync_status import SyncIndicator
from desktop.tasks import VAULT_DATA_LANES, Lane, OperationFailed, TaskReport, TaskRunner
from desktop.unlock import CreateVaultPage, RecoveryKeyPage, UnlockPage
from desktop.workers import CreateVault, UnlockVault, VaultCreated, VaultUnlocked

if TYPE_CHECKING:
    # Imported when first needed: the first screen shows before the database
    # stack (SQLAlchemy, Alembic) loads (desktop/app.py).
    from db.api import Vault
    from desktop.vault_view import VaultView


# How long a lock waits for background work on the vault to stop: a cancelled
# intake or export stops within one 1 MiB segment, a parser child is killed.
LOCK_WAIT_MS = 10_000
# How long a lock waits, the window still responding, for the writes the user
# made (saves, the draft it queues) behind another writer: SQLite's busy
# timeout is 5 s a write; as long as the draft wait plus the lane wait before.
LOCK_SAVE_WAIT_MS = 2 * LOCK_WAIT_MS


def vault_exists(folder: Path) -> bool:
    return (folder / KEY_FILE).is_file()


class FieldvaultWindow(Retranslating, QMainWindow):
    """``keyring`` None means the system keyring; ``argon2`` None means calibrate
    (production). Tests pass NoKeyring() and fast Argon2 parameters."""

    def __init__(
        self,
        folder: Path,
        *,
        keyring: KeyringStore | None = None,
        argon2: Argon2Params | None = None,
        collector: SessionCollector | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.folder = Path(folder)
        self._keyring = keyring
        self._argon2 = argon2
        self._collector = collector  # the app's process gives one (desktop/session_collector.py)
        self._vault: Vault | None = None
        self._closing = False
        self._writing_before_lock = False  # a lock waits for the user's writes (the window responds)
        self._writes_may_be_lost = False  # the last lock gave up waiting for them
        # All background work of the window and its screens (desktop/tasks.py).
        self.tasks = TaskRunner(self)
        self.vault_view: VaultView | None = None
        self.settled_notice: QMessageBox | None = None
        self.interrupted_notice: QMessageBox | None = None  # exports a crash interrupted
        self.settings_dialog: SettingsDialog | None = None

        self.setWindowIcon(app_icon())
        # 1100×700, or less on a smaller screen: never wider or taller than the
        # screen's free area (a 1366×768 laptop with a panel has ~1366×728).
        available = self.screen().availableGeometry().size()
        self.resize(min(1100, available.width()), min(700, available.height()))
        self.stack = QStackedWidget()
        self.setCentralWidget(self.stack)

        self.create_page = CreateVaultPage(self.folder, argon2=argon2)
        self.recovery_page = RecoveryKeyPage()
        self.unlock_page = UnlockPage(self.folder)
        for page in (self.create_page, self.recovery_page, self.unlock_page):
            self.stack.addWidget(page)

        self.create_page.create_requested.connect(self._start_create)
        self.recovery_page.acknowledged.connect(self._finish_first_run)
        self.unlock_page.unlock_requested.connect(self._start_unlock)
        # Recovery with the recovery key, and the panic wipe, from the lock screen.
        self.recover_page = RecoverPage(self.folder, tasks=self.tasks, keyring=keyring)
        self.stack.addWidget(self.recover_page)
        self.unlock_page.recover_requested.connect(lambda: self._show_page(self.recover_page))
        self.recover_page.back_requested.connect(lambda: self._show_page(self.unlock_page))
        self.recover_page.recovered.connect(self._on_recovered)
        self.unlock_page.wipe_requested.connect(self.wipe)
        for chooser in (self.create_page.language_chooser, self.unlock_page.language_chooser):
            chooser.language_chosen.connect(self.switch_language)

        self.lock_action = QAction(icon("lock"), "", self)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.triggered.connect(self.lock)
        self.addAction(self.lock_action)

        self.auto_lock = AutoLock(self)
        self.clipboard_guard = ClipboardGuard(self)
        self.auto_lock.lock_now.connect(self._lock_by_itself)

        self.vault_menu = self.menuBar().addMenu("")
        self.settings_action = QAction(icon("settings"), "", self)
        self.settings_action.setShortcut(QKeySequence("Ctrl+,"))
        self.settings_action.triggered.connect(self.open_settings)
        self.vault_menu.addAction(self.settings_action)
        # Vault → Back up to USB… (desktop/backup_action.py)
        self.backup_action = BackupAction(self, lambda: self._vault, self.tasks)
        self.vault_menu.addAction(self.backup_action)
        # Vault → Export case… (desktop/export_dialog.py): enabled with a case selected.
        self.export_action = ExportCaseAction(
            self,
            lambda: self._vault,
            lambda: self.vault_view.selected_case_id() if self.vault_view is not None else None,
            self.tasks,
        )
        self.vault_menu.addAction(self.export_action)
        # Vault → Quick note… (Ctrl+Shift+N, desktop/quick_note.py)
        self.quick_note_action = QuickNoteAction(
            self, lambda: self._vault, lambda: self.vault_view, self.tasks
        )
        self.vault_menu.addAction(self.quick_note_action)
        self.vault_menu.addAction(self.lock_action)
        # Ctrl+F, Ctrl+N and Vault → Quit (desktop/help_menu.py)
        self.keys = WindowKeys(self, lambda: self.vault_view, self.vault_menu)
        # Organisation → Join…, Export bundle to USB…, Import bundles… (desktop/bundle_actions.py)
        self.org_menu = OrganisationMenu(self, lambda: self._vault, self.tasks)
        self.org_menu.imported.connect(self._reload_after_import)
        self.menuBar().addMenu(self.org_menu)
        # Coordinator (desktop/coordinator_menu.py): shown for a vault that
        # holds its organisation's key. Each coordinator screen adds its entry
        # below.
        self.coordinator_menu = CoordinatorMenu(self, lambda: self._vault, self.tasks)
        self.coordinator_menu.changed.connect(self._reload_after_import)
        add_conflicts_entry(self.coordinator_menu)  # desktop/conflicts_view.py
        add_devices_entry(self.coordinator_menu)  # desktop/devices_view.py
        add_duplicates_entry(self.coordinator_menu)  # desktop/duplicates_view.py
        add_org_admin_entries(self.coordinator_menu)  # Issue enrolment token…, Add a device…
        add_send_back_entry(self.coordinator_menu)  # desktop/send_back_dialog.py (USB)
        add_hand_over_entry(self.coordinator_menu)  # desktop/hand_over_dialog.py (USB)
        add_review_entry(self.coordinator_menu)  # desktop/review_view.py
        add_rereads_entry(self.coordinator_menu)  # desktop/rereads_view.py
        # A vault that created its organisation is a coordinator from now on.
        self.org_menu.created.connect(lambda: self.coordinator_menu.set_unlocked(self._vault is not None))
        self.org_menu.created.connect(self._start_sync)
        self.menuBar().addMenu(self.coordinator_menu)
        self.help_menu = HelpMenu(self)
        self.menuBar().addMenu(self.help_menu)
        # Automatic sync (desktop/sync_status.py): the status bar's indicator
        # owns the worker from the unlock to the lock; it and Organisation →
        # Sync… open the sync panel.
        self.sync_indicator = SyncIndicator(self)
        self.statusBar().addPermanentWidget(self.sync_indicator)
        self.sync_indicator.panel_requested.connect(self.open_sync_panel)
        self.org_menu.sync_requested.connect(self.open_sync_panel)
        self.org_menu.joined.connect(self._start_sync)
        self.sync_panel: QWidget | None = None
        self.emergency_action = QAction(icon("wipe"), "", self)
        self.emergency_action.triggered.connect(self.wipe)
        self.addAction(self.emergency_action)
        self._apply_emergency_shortcut()
        self._set_unlocked_actions(False)
        self.retranslate()

        self._show_page(self.unlock_page if vault_exists(self.folder) else self.create_page)

    # -- language ----------------------------------------------------------------

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Fieldvault"))
        self.vault_menu.setTitle(self.tr("&Vault"))
        self.lock_action.setText(self.tr("Lock the vault"))
        self.settings_action.setText(self.tr("&Settings…"))
        self.org_menu.retranslate()
        self.coordinator_menu.retranslate()
        self.keys.retranslate()
        self.quick_note_action.retranslate()
        self.help_menu.retranslate()
        self.sync_indicator.retranslate()
        self.backup_action.retranslate()
        self.export_action.retranslate()
        self.emergency_action.setText(self.tr("Emergency wipe"))

    @Slot(str)
    def switch_language(self, code: str) -> None:
        """The language chosen on the first screens: now, and at the next starts.
        The pages keep what was typed; later screens are built in it."""
        app = QCoreApplication.instance()
        if app is not None:
            i18n.switch_language(app, code)

    # -- state -----------------------------------------------------------------

    @property
    def vault(self) -> Vault | None:
        return self._vault

    def _show_page(self, page: QWidget) -> None:
        self.stack.setCurrentWidget(page)
        page.setFocus()

    # -- create ----------------------------------------------------------------

    @Slot(str)
    def _start_create(self, passphrase: str) -> None:
        task = CreateVault(self.folder, passphrase, keyring=self._keyring, argon2=self._argon2)
        self.tasks.start(Lane.VAULT, task, self._on_create_report)

    def _on_create_report(self, report: TaskReport) -> None:
        if report.failure is not None:
            self._on_create_failed(report.failure)
        elif isinstance(report.value, VaultCreated):
            self._on_created(report.value)

    def _on_created(self, report: VaultCreated) -> None:
        if self._closing:
            report.vault.lock()
            return
        self._vault = report.vault
        self.create_page.reset()
        from desktop.messages import keyring_notice  # not needed for the first screen

        self.recovery_page.show_key(report.recovery_key, keyring_notice(report.keyring_notice))
        self.stack.setCurrentWidget(self.recovery_page)

    def _on_create_failed(self, report: OperationFailed) -> None:
        self.create_page.set_busy(False)
        from desktop.messages import failure_message  # not needed for the first screen

        self.create_page.show_error(partial(failure_message, report))

    # -- unlock ----------------------------------------------------------------

    @Slot(str)
    def _start_unlock(self, passphrase: str) -> None:
        self.tasks.start(
            Lane.VAULT, UnlockVault(self.folder, passphrase, keyring=self._keyring), self._on_unlock_report
        )

    def _on_unlock_report(self, report: TaskReport) -> None:
        if report.failure is not None:
            self._on_unlock_failed(report.failure)
        elif isinstance(report.value, VaultUnlocked):
            self._on_unlocked(report.value)

    def _on_unlocked(self, report: VaultUnlocked) -> None:
        if self._closing or self._vault is not None:
            report.vault.lock()
            return
        self._vault = report.vault
        self.unlock_page.reset()
        self._show_vault_view()
        self._tell_what_was_settled()
        self.interrupted_notice = interrupted_exports_notice(self, report.vault)

    @Slot(object)
    def _on_recovered(self, report: VaultRecovered) -> None:
        """Recovered from the unlock screen: the vault is open; the new
        recovery key is shown once, then the vault view."""
        if self._closing or self._vault is not None or not vault_exists(self.folder):
            # Closing, already open, or wiped from the lock screen meanwhile.
            report.vault.lock()
            return
        self._vault = report.vault
        self.recover_page.reset()
        self.unlock_page.reset()
        self.recovery_page.show_key(
            report.recovery_key,
            self.tr(
                "Your passphrase is changed. The recovery key you typed no longer works: this is the new one."
            ),
        )
        self.stack.setCurrentWidget(self.recovery_page)

    def _on_unlock_failed(self, report: OperationFailed) -> None:
        self.unlock_page.set_busy(False)
        from desktop.messages import failure_message  # not needed for the first screen

        self.unlock_page.show_error(partial(failure_message, report))

    def _tell_what_was_settled(self) -> None:
        """The unlock moved evidence files between blobs/ and quarantine/: say so."""
        settled = self._vault.settled if self._vault is not None else None
        if settled is None or not (settled.quarantined or settled.restored):
            return
        lines = []
        if settled.quarantined:
            lines.append(
                self.tr(
                    "%n evidence file(s) that no record in this vault refers to were moved to "
                    "its quarantine folder. Nothing was deleted. If the vault's database was "
                    "replaced by an older copy, put the newer one back to restore them.",
                    "",
                    len(settled.quarantined),
                )
            )
        if settled.restored:
            lines.append(
                self.tr(
                    "%n quarantined evidence file(s) belong to this vault again and were put back.",
                    "",
                    len(settled.restored),
                )
            )
        self.settled_notice = QMessageBox(
            QMessageBox.Icon.Information, self.tr("Evidence files moved"), "\n\n".join(lines), parent=self
        )
        self.settled_notice.open()

    # -- the open vault ----------------------------------------------------------

    @Slot()
    def _finish_first_run(self) -> None:
        """After the recovery key: the vault view, and "Join an organisation"
        over it when the user ticked it on the recovery key page (enrolling
        needs the open vault's device identity; desktop/org_join.py)."""
        self._show_vault_view()
        if self._vault is not None:  # after a recovery: what its unlock found of crashed exports
            self.interrupted_notice = interrupted_exports_notice(self, self._vault)
        if self.recovery_page.join_next.isChecked():
            self.org_menu.open_join()

    @Slot()
    def _reload_after_import(self) -> None:
        """Bundles brought cases and records: show them."""
        if self.vault_view is not None:
            self.vault_view.cases.reload()

    @Slot()
    def _show_vault_view(self) -> None:
        if self._vault is None:
            return
        from desktop.vault_view import VaultView

        self.vault_view = VaultView(self._vault, tasks=self.tasks)
        self.vault_view.lock_requested.connect(self.lock)
        self.vault_view.cases.case_changed.connect(self.export_action.refresh)
        self.stack.addWidget(self.vault_view)
        self._show_page(self.vault_view)
        self.vault_view.case_title_field.setFocus()
        self.auto_lock.arm(float(self._vault.settings.get("auto_lock_minutes")))
        self._set_unlocked_actions(True)
        # A backup older than the setting's days (or none yet): say so, quietly.
        self.statusBar().showMessage(self.backup_action.reminder())
        # Only a vault whose organisation's profile names a server syncs by itself.
        self.sync_indicator.start(self._vault)
        if self._collector is not None:
            self._collector.unlocked()

    def _set_unlocked_actions(self, unlocked: bool) -> None:
        self.settings_action.setEnabled(unlocked)
        self.org_menu.set_unlocked(unlocked)
        self.coordinator_menu.set_unlocked(unlocked)
        self.backup_action.setEnabled(unlocked)
        self.export_action.set_unlocked(unlocked)
        self.quick_note_action.set_unlocked(unlocked)
        self.lock_action.setEnabled(unlocked)

    @Slot()
    def _apply_emergency_shortcut(self) -> None:
        enabled, sequence = emergency_shortcut()
        self.emergency_action.setShortcut(sequence if enabled else QKeySequence())
        self.emergency_action.setEnabled(enabled)

    @Slot()
    def open_settings(self) -> None:
        if self._vault is None:
            return
        dialog = SettingsDialog(self._vault, self, tasks=self.tasks)
        dialog.wipe_requested.connect(self.wipe)
        dialog.emergency_shortcut_changed.connect(self._apply_emergency_shortcut)
        dialog.accepted.connect(self._reload_auto_lock)
        self.settings_dialog = dialog
        dialog.open()

    @Slot()
    def _start_sync(self) -> None:
        """Joined an organisation: sync starts now if its profile names a server."""
        if self._vault is not None:
            self.sync_indicator.start(self._vault)

    @Slot()
    def open_sync_panel(self) -> None:
        if self._vault is None:
            return
        from desktop.sync_panel import SyncPanel

        self._close_sync_panel()
        self.sync_panel = SyncPanel(self._vault, self.sync_indicator, self.tasks, self)
        self.sync_panel.show()

    def _close_sync_panel(self) -> None:
        panel, self.sync_panel = self.sync_panel, None
        if panel is not None:
            panel.close()
            panel.deleteLater()

    @Slot()
    def _reload_auto_lock(self) -> None:
        if self._vault is not None:
            self.auto_lock.set_idle_minutes(float(self._vault.settings.get("auto_lock_minutes")))

    @Slot()
    def wipe(self) -> None:
        """Panic wipe: destroy the keys first, then stop the work and forget.

        Nothing may delay the crypto-shredding: not a running intake, not a
        parser, not a draft. So the key file goes before anything else (a few
        milliseconds: ``wipe_vault`` overwrites it, fsyncs and deletes it
        first, then the keyring entry and the other files), then parser
        processes are killed, then the view is emptied and the vault closed
        (a cancelled intake stops within one segment; whatever it still
        writes is unreadable without the keys), then what workers left in the
        folder is swept once more."""
        # Loaded by the first second after start (desktop/app.py); until
        # then this waits for that import to finish.
        from db.api import wipe_vault

        vault = self._vault
        vault_id = vault.vault_id if vault is not None else None
        with contextlib.suppress(Exception):  # the shredding is what counts; keep going
            wipe_vault(self.folder, keyring=self._keyring, vault_id=vault_id)
        self.sync_indicator.stop(wait=False)  # told to stop, not waited for
        sandbox.stop_all()
        try:
            self._lock(save_draft=False)
        finally:
            with contextlib.suppress(Exception):
                wipe_vault(self.folder, keyring=self._keyring, vault_id=vault_id)
            self.create_page.reset()
            self._show_page(self.create_page)

    @Slot(str)
    def _lock_by_itself(self, reason: str) -> None:
        if self._vault is None:
            return
        self.lock()
        self.unlock_page.show_notice(partial(self._lock_notice, reason, lost=self._writes_may_be_lost))

    def _lock_notice(self, reason: str, *, lost: bool = False) -> str:
        messages = {
            "idle": self.tr("The vault locked itself after a period without activity."),
            "sleep": self.tr("The vault locked itself because the computer was asleep."),
            "screen-lock": self.tr("The vault locked itself because the screen was locked."),
        }
        why = messages.get(reason, "")
        return f"{why}\n{self._not_written_notice()}" if lost else why  # the loss is not hidden by the reason

    @Slot()
    def lock(self) -> None:
        """Ctrl+L: forget everything shown, close the vault, ask for the passphrase."""
        self._lock(save_draft=True)

    def _lock(self, *, save_draft: bool) -> None:
        self.auto_lock.disarm()
        # The sync worker (its own thread, not a lane) stops first, before the
        # lock waits for the writes; a panic wipe stopped it without waiting.
        self.sync_indicator.stop(wait=save_draft)
        self._close_sync_panel()
        # A copied narrative or recovery key does not outlive the unlock.
        self.clipboard_guard.clear_if_ours()
        # Parsers still reading a file of this vault (metadata, an image).
        sandbox.stop_all()
        self._set_unlocked_actions(False)
        self.backup_action.close_dialog()
        self.export_action.close_dialog()
        self.quick_note_action.close_dialog()
        self.statusBar().clearMessage()
        self.org_menu.close_dialog()
        self.coordinator_menu.close_dialog()
        dialog, self.settings_dialog = self.settings_dialog, None
        if dialog is not None:
            dialog.close()  # a save it started goes on, on the save lane
            dialog.deleteLater()
        written = True
        self._writes_may_be_lost = False
        if save_draft and not self._writing_before_lock and self.vault_view is not None:
            vault = self._vault
            written = self._write_before_locking(self.vault_view)
            if self._vault is not vault:
                return  # locked meanwhile (a panic wipe, the window closed): nothing left to do
        view, self.vault_view = self.vault_view, None
        vault, self._vault = self._vault, None
        try:
            # Intake, export, search, viewer and sync work stops, and nothing
            # it still reports reaches the view being emptied.
            self.tasks.cancel_all_and_wait(LOCK_WAIT_MS)
            if view is not None:
                # A lock that gave up waiting for the writer waits no more here.
                view.clear_all(save_draft=save_draft and written)
                self.stack.removeWidget(view)
                view.deleteLater()
            self.recovery_page.clear()
        finally:
            # Whatever failed above, the vault locks, once the writes on the
            # save lane are done: waited for above with the window responding
            # (here only when that wait was skipped: the window closing during
            # it); a panic wipe, whose keys are gone already, waits for none,
            # nor a lock that waited LOCK_SAVE_WAIT_MS already.
            self.tasks.wait(LOCK_WAIT_MS if save_draft and written else 0, [Lane.SAVE])
            if vault is not None:
                vault.lock()
            if self._collector is not None:
                self._collector.locked()
        if self._closing:
            return
        self.create_page.reset()
        self.unlock_page.reset()
        self.recover_page.reset()
        if not written:
            self._writes_may_be_lost = True
            self.unlock_page.show_notice(self._not_written_notice)
        self._show_page(self.unlock_page if vault_exists(self.folder) else self.create_page)

    def _write_before_locking(self, view: VaultView) -> bool:
        """Before the keys go: stop the work on the vault (the sync lane lets
        go of its write transaction), queue what the testimony form holds as
        its draft, and wait for the save lane, the event loop turning (the
        window repaints and shows "Locking…"; the view takes no input, so
        nothing new is typed meanwhile). A draft queued by a save refused
        meanwhile is waited for too. Ends early when the vault is locked by
        other means meanwhile (a panic wipe, the window closing), which lock
        it themselves. False when the writes were still waiting after
        ``LOCK_SAVE_WAIT_MS``: they may not be kept, and the unlock screen says so."""
        vault = self._vault
        self._writing_before_lock = True
        view.setEnabled(False)
        self.statusBar().showMessage(self.tr("Locking…"))
        try:
            self.tasks.cancel_all()
            deadline = LOCK_SAVE_WAIT_MS / 1000 + time.monotonic()
            queued = True
            while queued:
                queued = view.testimony_editor.flush_draft() is not None
                left_ms = int((deadline - time.monotonic()) * 1000)
                idle = self.tasks.wait_turning(
                    max(0, left_ms), [Lane.SAVE, *VAULT_DATA_LANES], give_up=lambda: self._vault is not vault
                )
                if not idle or self._vault is not vault:
                    return idle
            return True
        finally:
            self._writing_before_lock = False
            self.statusBar().clearMessage()

    def _not_written_notice(self) -> str:
        return self.tr(
            "The vault locked while another program kept it busy: the last changes may not have been kept."
        )

    def shutdown(self) -> None:
        """Stop the work on the vault, wait for an unlock or create still
        running (Argon2id cannot be interrupted), then lock whatever it opened."""
        self._closing = True
        self.tasks.cancel_all_and_wait(LOCK_WAIT_MS)
        self.tasks.wait(-1, [Lane.VAULT])
        # A task that just finished has queued its report: deliver it now so
        # the vault it opened is locked (the callbacks see _closing).
        self.tasks.deliver_queued()
        # And the window's own queued calls, as before the runner: left
        # pending when it is destroyed, they kept the next window in the same
        # application from being activated (tests/desktop/test_minimal_window.py).
        QCoreApplication.sendPostedEvents(self, QEvent.Type.MetaCall.value)
        self.lock()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        self.shutdown()
        super().closeEvent(event)
