"""Organisation → Export bundle to USB… (a field worker) and Import
bundles… (a coordinator): sneakernet sync (docs/bundle-format.md), and the
window's Organisation menu that holds them with "Join an organisation…".

The work is ``sync.bundle.vault_io``'s ``export_bundle`` and
``import_bundle`` on the export lane (desktop/tasks.py): locking the vault
cancels it. The core guarantees what a failure leaves: a cancelled or failed
export leaves no bundle file and the vault unchanged; each bundle is
imported all or nothing. These dialogs say what happened to each and what
to do next.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QMenu,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.dialog_parts import (
    PROGRESS_STEPS,
    FilesChooser,
    FolderChooser,
    FolderField,
    ItemResults,
    TaskDialog,
    action_button,
    button_row,
    choose_files,
    choose_folder,
    close_button,
    ended_text,
    failure_text,
    field_row,
    os_reason,
    progress_bar,
    progress_steps,
    text_field,
    wrapped_label,
)
from desktop.icons import icon
from desktop.tasks import Lane, OperationFailed, TaskContext, TaskReport, TaskRunner

if TYPE_CHECKING:
    from db.api import Param, Vault
    from sync.bundle.reread import RereadBundle
    from sync.bundle.vault_io import ExportedBundle, ImportedBundle


def choose_bundles(parent: QWidget, caption: str) -> list[str]:
    return choose_files(
        parent,
        caption,
        QCoreApplication.translate("BundleImportDialog", "Fieldvault bundles (*.fvbundle);;All files (*)"),
    )


# -- the tasks (plain Python) ----------------------------------------------------------


@dataclass(frozen=True)
class BundleProgress:
    index: int  # which bundle (0 for an export)
    done: int
    total: int


@dataclass(frozen=True)
class BundleOutcome:
    """One bundle of an import: ``imported`` or ``failure`` (a refusal, an unreadable file)."""

    index: int
    path: Path
    imported: ImportedBundle | None = None
    failure: OperationFailed | None = None
    unreadable: str = ""  # the OS's reason, for a file that could not be read
    # Sent by a coordinator of the profile (a field worker's import of a
    # send-back): its numbers are the coordinator's one sequence, shared by
    # its bundles to every worker, so a gap is no missing bundle here.
    from_coordinator: bool = False
    # The importing vault is a field worker's: it approves no device (only a
    # coordinator enrols), so a bundle the core holds is shown as not taken.
    to_worker: bool = False
    # Re-read… (a coordinator): what a re-read of a bundle received before applied.
    reread: RereadBundle | None = None
    # A replay of a held bundle a hand-over counted as received while its
    # device stays pending here (quarantine.awaits_approval, review 23 F1):
    # approving it by code enrols the device, so the row offers it.
    approvable: bool = False


@dataclass(frozen=True)
class HeldNotReleased:
    """A bundle held in quarantine whose device an imported bundle vouched
    for, and which was still not imported (``release_held``): its file is
    gone from where it was left, or is another file now; or, with
    ``reason``, a later check refused it (it stays held); or, with
    ``failed``, its import failed on this computer for a reason not its own
    (``reason``: the error code), ``failed`` times in a row (it stays held,
    not refused); or, with ``held_again``, that import held it in quarantine
    again (``reason``: the BundleQuarantined's code; not a failure of this
    computer, quarantine.ReleaseFailure.held_again)."""

    path: str
    device_id: str
    sequence: int
    reason: str = ""  # the refusal's reason code; "" when the file is gone
    failed: int = 0  # release failures in a row (quarantine.py RELEASE_FAILED)
    tried: bool = True  # with ``failed``: False when passed over, not tried now
    params: tuple[tuple[str, Param], ...] = ()  # with ``failed``: the error's, for its message
    bundle_id: str = ""  # with ``held_again``: its id, as the sync panel names it
    held_again: bool = False  # held in quarantine again by the release's import, not counted


class ExportTask:
    """This device's next bundle, written into ``folder``."""

    def __init__(self, vault: Vault, folder: Path) -> None:
        self._vault = vault
        self._folder = folder

    def __call__(self, context: TaskContext) -> ExportedBundle:
        from sync import org_vault
        from sync.bundle.vault_io import export_bundle

        profile = org_vault.status(self._vault).profile  # OrgRefused org-none before anything is written
        return export_bundle(
            self._vault,
            self._folder,
            [c.age_recipient for c in profile.coordinators],
            profile.org_id,
            profile.version,
            progress=lambda done, total: context.progress(BundleProgress(0, done, total)),
            cancel=context.cancel,
        )


def _reporter(context: TaskContext, index: int) -> Callable[[int, int], None]:
    def report(done: int, total: int) -> None:
        context.progress(BundleProgress(index, done, total))

    return report


def _awaits_approval(vault: Vault, imported: ImportedBundle) -> bool:
    """Is ``imported`` (a replay) a held bundle whose approval by code would
    enrol its pending device (quarantine.awaits_approval)? Read in the task."""
    from sync.bundle.quarantine import awaits_approval

    held = vault.sync.held_bundle(imported.bundle_id)
    return held is not None and awaits_approval(vault, held)


class ImportTask:
    """The bundles one after the other, each all or nothing; each outcome is
    reported as it is known, so the list fills while the next one runs. A
    sender's bundles are taken in its sequence order, read from their
    headers (sync/bundle/import_order.py), others in the order given. A
    cancel stops the bundle being read (nothing of it is applied) and the
    ones after it."""

    def __init__(self, vault: Vault, paths: list[Path]) -> None:
        self._vault = vault
        self._paths = paths

    def __call__(self, context: TaskContext) -> int:
        from db.api import FieldvaultError
        from desktop.tasks import failure
        from sync import org_vault
        from sync.bundle.import_order import import_order
        from sync.bundle.quarantine import try_again_file
        from sync.bundle.vault_io import BundleCancelled, import_bundle

        held = org_vault.held_profile(self._vault)
        to_worker = held is not None and held.coordinator(self._vault.device_id) is None
        identity = self._vault.vault_keys.age_identity()
        # One sender's bundles in its sequence order (a chooser's name order
        # puts part -100 before -99); each outcome keeps its row's index.
        for index in import_order(self._paths):
            path = self._paths[index]
            if context.cancelled:
                raise BundleCancelled()
            try_again_file(self._vault, path)  # a held bundle whose release failed: a person asks again
            try:
                imported = import_bundle(
                    self._vault,
                    path,
                    identity,
                    org_id=held.org_id if held is not None else None,
                    progress=_reporter(context, index),
                    cancel=context.cancel,
                )
            except BundleCancelled:
                raise
            except FieldvaultError as refused:
                context.progress(BundleOutcome(index, path, failure=failure(refused), to_worker=to_worker))
            except OSError as err:
                context.progress(BundleOutcome(index, path, unreadable=os_reason(err)))
            else:
                from_coordinator = (
                    to_worker and held is not None and held.coordinator(imported.device_id) is not None
                )
                context.progress(
                    BundleOutcome(
                        index,
                        path,
                        imported=imported,
                        from_coordinator=from_coordinator,
                        approvable=imported.replay
                        and not to_worker
                        and _awaits_approval(self._vault, imported),
                    )
                )
                if imported.vouched and not to_worker:
                    self._release(context, identity, held.org_id if held is not None else None)
        return len(self._paths)

    def _release(self, context: TaskContext, identity: Any, org_id: str | None) -> None:
        """Another coordinator's bundle vouched for devices (docs/bundle-format.md
        §8): the bundles held in quarantine of those that a USB import left
        are imported now, from where they were (sync.bundle.quarantine
        .release_held); a bundle of this import's list shows as imported in
        its row. Those a pull left in the vault's spool are the next sync's."""
        from sync.bundle.quarantine import in_spool, release_held

        rows = {path.absolute(): index for index, path in enumerate(self._paths)}
        released = release_held(
            self._vault,
            identity,
            org_id=org_id,
            which=lambda held: not in_spool(self._vault, held),
            cancel=context.cancel,
        )
        for one in released:
            index = rows.get(Path(one.held.path))
            if one.imported is not None and index is not None:
                context.progress(BundleOutcome(index, self._paths[index], imported=one.imported))
            elif one.failed is not None:  # not the bundle's fault: not said to be refused
                context.progress(
                    HeldNotReleased(
                        one.held.path,
                        one.held.device_id,
                        one.held.sequence,
                        one.failed.code,
                        failed=one.failed.count,
                        tried=one.error is not None,
                        params=one.failed.params,
                        bundle_id=one.held.bundle_id,
                        held_again=one.failed.held_again,
                    )
                )
            elif one.file_gone:  # said, as the CLI says it: else the dialog is silent about it
                context.progress(HeldNotReleased(one.held.path, one.held.device_id, one.held.sequence))
            elif one.refusal is not None:
                from sync.bundle.quarantine import refused_reason

                reason = refused_reason(one.refusal)
                context.progress(
                    HeldNotReleased(one.held.path, one.held.device_id, one.held.sequence, reason)
                )


class RereadTask:
    """Re-read…: bundles this coordinator desk received before, each read
    again in full and what it lacks applied, all or nothing
    (sync/bundle/reread.py; docs/bundle-format.md §10 "A deliberate
    re-read"). Each outcome is reported as it is known."""

    def __init__(self, vault: Vault, paths: list[Path]) -> None:
        self._vault = vault
        self._paths = paths

    def __call__(self, context: TaskContext) -> int:
        from db.api import FieldvaultError
        from desktop.tasks import failure
        from sync import org_vault
        from sync.bundle.reread import reread_bundle
        from sync.bundle.vault_io import BundleCancelled

        held = org_vault.held_profile(self._vault)
        identity = self._vault.vault_keys.age_identity()
        for index, path in enumerate(self._paths):
            if context.cancelled:
                raise BundleCancelled()
            try:
                done = reread_bundle(
                    self._vault,
                    path,
                    identity,
                    org_id=held.org_id if held is not None else None,
                    progress=_reporter(context, index),
                    cancel=context.cancel,
                )
            except BundleCancelled:
                raise
            except FieldvaultError as refused:
                context.progress(BundleOutcome(index, path, failure=failure(refused)))
            except OSError as err:
                context.progress(BundleOutcome(index, path, unreadable=os_reason(err)))
            else:
                context.progress(BundleOutcome(index, path, reread=done))
        return len(self._paths)


class ApproveTask:
    """A bundle held in quarantine, approved with the verification code the
    worker read out: its device enrolled and the bundle imported, all or
    nothing (sync.bundle.quarantine.approve_bundle)."""

    def __init__(self, vault: Vault, path: Path, code: str) -> None:
        self._vault = vault
        self._path = path
        self._code = code

    def __call__(self, context: TaskContext) -> ImportedBundle:
        from sync.bundle.quarantine import approve_bundle

        return approve_bundle(
            self._vault,
            str(self._path),
            self._code,
            self._vault.vault_keys.age_identity(),
            progress=_reporter(context, 0),
            cancel=context.cancel,
        )


def _is_held(failure: OperationFailed | None) -> bool:
    """A bundle held in quarantine (sync/bundle/admission.py), not refused."""
    code = failure.error.code if failure is not None and failure.error is not None else None
    return code is not None and (
        code in ("bundle-quarantined", "bundle-hand-over-incomplete") or code.startswith("bundle-token-")
    )


def _is_coordinator(vault: Vault) -> bool:
    """Is this vault a coordinator desk of the profile it holds (Re-read is one's)?"""
    from sync import org_vault

    held = org_vault.held_profile(vault)
    return held is not None and held.coordinator(vault.device_id) is not None


# Failures of this computer, not of the bundle: never called a refusal.
_NOT_THE_BUNDLES = frozenset(
    {
        "held-revision-damaged",  # something held aside no longer verifies (vault_io.py HeldRevisionDamaged)
        "bundle-helper-stopped",  # the system stopped the reading (sync/bundle/errors.py BundleNotRead)
        "bundle-helper-pipe",
    }
)


def _is_local_damage(failure: OperationFailed) -> bool:
    """The import stopped for a reason of this computer (review 14 F5,
    review 30 F2): the bundle was not refused."""
    return failure.error is not None and failure.error.code in _NOT_THE_BUNDLES


# -- export ------------------------------------------------------------------------------


class BundleExportDialog(TaskDialog):
    """Choose a folder (a USB stick), write the bundle, see what it holds.
    It does not close while the bundle is being written: Cancel first."""

    def __init__(
        self,
        vault: Vault,
        parent: QWidget | None = None,
        *,
        tasks: TaskRunner | None = None,
        chooser: FolderChooser = choose_folder,
    ) -> None:
        super().__init__(parent, tasks)
        self._vault = vault
        self.exported: ExportedBundle | None = None
        self.setWindowTitle(self.tr("Export bundle to USB"))
        self.resize(620, 320)
        layout = QVBoxLayout(self)
        intro = self.tr(
            "A bundle holds everything this device recorded that your organisation has not "
            "received yet, encrypted so that only its coordinators can read it. Whoever copies "
            "the stick learns nothing from it. Take it to your coordinator."
        )
        layout.addWidget(wrapped_label(intro))
        self._folder = FolderField(
            self,
            chooser,
            name=self.tr("Folder for the bundle"),
            placeholder=self.tr("a folder on the USB stick"),
            button_text=self.tr("Choose folder…"),
            caption=self.tr("Choose the folder for the bundle"),
        )
        self.folder_field, self.choose_button = self._folder.field, self._folder.button
        layout.addLayout(self._folder.row)
        self.progress = progress_bar(self.tr("Bundle progress"))
        layout.addWidget(self.progress)
        self.status = wrapped_label(name=self.tr("Result"), selectable=True)
        layout.addWidget(self.status, 1)
        self.export_button = action_button(
            "export", self.tr("Write the bundle"), self.tr("Write the bundle"), self.start
        )
        self.cancel_button = action_button(
            "cancel", self.tr("Cancel"), self.tr("Cancel the bundle"), self.cancel, enabled=False
        )
        self.close_button = close_button(self, self.tr("Close"))
        layout.addLayout(button_row([self.export_button, self.cancel_button], self.close_button))

    @Slot()
    def start(self) -> None:
        folder = self._folder.folder()
        if folder is None:
            self.status.setText(self.tr("Choose a folder (for example on a USB stick) first."))
            return
        self.exported = None
        self.progress.setValue(0)
        self.progress.show()
        self.status.setText(self.tr("Writing the bundle…"))
        self._set_busy(True)
        self.start_task(Lane.EXPORT, ExportTask(self._vault, folder), self._on_report)

    @Slot()
    def cancel(self) -> None:
        if self.cancel_task():
            self.status.setText(self.tr("Stopping…"))

    def _set_busy(self, busy: bool) -> None:
        self.export_button.setEnabled(not busy)
        self._folder.set_enabled(not busy)
        self.cancel_button.setEnabled(busy)
        self.close_button.setEnabled(not busy)

    def _on_report(self, report: TaskReport) -> None:
        if isinstance(report.value, BundleProgress) and report.state == "progress":
            self.progress.setValue(progress_steps(report.value.done, report.value.total))
            return
        if not report.finished:
            return
        self.task_ended()
        self._set_busy(False)
        if report.state == "succeeded":
            self.exported = report.value  # type: ignore[assignment]
            assert self.exported is not None
            made = self.exported
            self.progress.setValue(PROGRESS_STEPS)
            self.status.setText(
                self.tr(
                    "Bundle {sequence} written: {name}\n{revisions} record changes, {custody} custody "
                    "events, {files} evidence files.\nEject the stick safely before you unplug it; "
                    "the next bundle will hold only what is new."
                ).format(
                    sequence=made.sequence,
                    name=made.path.name,
                    revisions=made.revisions,
                    custody=made.custody_events,
                    files=made.blobs,
                )
                + self._withheld_text(len(made.withheld))
            )
        elif report.state == "cancelled":
            self.progress.hide()
            self.status.setText(self.tr("Cancelled. No bundle was written and nothing in the vault changed."))
        else:
            self.progress.hide()
            assert report.failure is not None
            from desktop.messages import failure_message

            self.status.setText(
                failure_message(report.failure)
                + "\n"
                + self.tr("No bundle was written; the vault is as it was.")
            )

    def _withheld_text(self, count: int) -> str:
        """A coordinator desk's bundle leaves out what the other desks would
        not take (sync/bundle/vault_io.py ``ExportedBundle.withheld``): said,
        so that nobody takes the bundle for all the desk holds."""
        if not count:
            return ""
        return "\n" + self.tr(
            "%n record change(s) left out: signed by a device your organisation revoked, or edits of "
            "its records. The other coordinators do not take them.",
            "",
            count,
        )


# -- import ------------------------------------------------------------------------------


class BundleImportDialog(TaskDialog):
    """Choose bundle files, import them one by one, see each one's outcome.
    ``imported`` is emitted when at least one bundle brought something.
    It does not close while a bundle is being imported: Cancel first."""

    imported = Signal()

    def __init__(
        self,
        vault: Vault,
        parent: QWidget | None = None,
        *,
        tasks: TaskRunner | None = None,
        chooser: FilesChooser = choose_bundles,
    ) -> None:
        super().__init__(parent, tasks)
        self._vault = vault
        self._chooser = chooser
        self._paths: list[Path] = []
        self._changed = False
        self._approving = -1
        self.setWindowTitle(self.tr("Import bundles"))
        self.resize(820, 420)
        layout = QVBoxLayout(self)
        intro = self.tr(
            "Each bundle is checked (sender, signatures, contents) and imported whole or not at "
            "all. A bundle imported before changes nothing; a refused one leaves nothing behind."
        )
        layout.addWidget(wrapped_label(intro))
        self._results = ItemResults(
            self.tr("Bundles and what happened to each"),
            [self.tr("Bundle"), self.tr("Result")],
            self.tr("Result of the chosen bundle"),
        )
        self.results, self.details = self._results.tree, self._results.details
        self._results.place(layout)
        self.results.currentItemChanged.connect(self._show_approve)
        # A held bundle: its device approved with the code the worker reads out.
        self.code_field = text_field(
            self.tr("Verification code read out by the worker"),
            self.tr("the worker's verification code: 00000 00000 00000 …"),
        )
        self.approve_button = action_button(
            "check",
            self.tr("Approve and import"),
            self.tr("Approve the device and import its bundle"),
            self.approve,
        )
        self.approve_box = QWidget()
        self.approve_box.setLayout(field_row(self.code_field, self.approve_button))
        self.approve_box.hide()
        layout.addWidget(self.approve_box)
        self._held: set[int] = set()
        # Held bundles of devices vouched for that were still not imported, in words.
        self._not_released: list[str] = []
        self.progress = progress_bar(self.tr("Progress of the current bundle"))
        layout.addWidget(self.progress)
        self.status = wrapped_label(name=self.tr("Summary"))
        layout.addWidget(self.status)
        self.choose_button = action_button(
            "add-evidence", self.tr("Choose bundles…"), self.tr("Choose bundle files"), self.choose
        )
        self.import_button = action_button(
            "check", self.tr("Import"), self.tr("Import the bundles"), self.start, enabled=False
        )
        # A coordinator desk's: read bundles it received before again, for
        # what a history hand-over's maker left out (devices parked lists it).
        self.reread_button = action_button(
            "check",
            self.tr("Re-read"),
            self.tr("Read bundles this desk received before again and apply what it lacks"),
            self.start_reread,
            enabled=False,
        )
        self.reread_button.setToolTip(
            self.tr(
                "For a bundle this desk already received (a history hand-over recorded it) whose "
                "record changes it lacks: every check of an import runs again, and only what is "
                "missing here is applied."
            )
        )
        self.reread_button.setVisible(_is_coordinator(vault))
        self.cancel_button = action_button(
            "cancel", self.tr("Cancel"), self.tr("Cancel the import"), self.cancel, enabled=False
        )
        self.close_button = close_button(self, self.tr("Close"))
        layout.addLayout(
            button_row(
                [self.choose_button, self.import_button, self.reread_button, self.cancel_button],
                self.close_button,
            )
        )

    @Slot()
    def choose(self) -> None:
        chosen = self._chooser(self, self.tr("Choose bundle files"))
        if chosen:
            self.set_files([Path(p) for p in chosen])

    def set_files(self, paths: list[Path]) -> None:
        self._paths = list(dict.fromkeys(paths))
        self._held = set()
        self.approve_box.hide()
        self._results.fill(self._paths, self.tr("waiting"))
        self.status.clear()
        self.import_button.setEnabled(bool(self._paths))
        self.reread_button.setEnabled(bool(self._paths))

    def result_texts(self) -> list[str]:
        """Each bundle's result as shown (tests read it as a user does)."""
        return self._results.texts()

    @Slot()
    def start(self) -> None:
        if not self._paths or self.busy:
            return
        self._run_over_bundles(ImportTask(self._vault, list(self._paths)), self.tr("Importing…"))

    @Slot()
    def start_reread(self) -> None:
        """Re-read: the chosen bundles, each received here before, read again."""
        if not self._paths or self.busy:
            return
        self._run_over_bundles(RereadTask(self._vault, list(self._paths)), self.tr("Re-reading…"))

    def _run_over_bundles(self, task: ImportTask | RereadTask, status: str) -> None:
        """An import and a re-read report alike (BundleProgress, BundleOutcome),
        so one run shows both: every row waiting again, what the last run
        held or could not release forgotten, ``status`` until it ends."""
        for index in range(self.results.topLevelItemCount()):
            self._results.set_state(index, self.tr("waiting"))
        self._changed = False
        self._held = set()
        self._not_released = []
        self.approve_box.hide()
        self.progress.setValue(0)
        self.progress.show()
        self.status.setText(status)
        self._set_busy(True)
        self.start_task(Lane.EXPORT, task, self._on_report)

    @Slot()
    def cancel(self) -> None:
        if self.cancel_task():
            self.status.setText(self.tr("Stopping…"))

    def _set_busy(self, busy: bool) -> None:
        self.choose_button.setEnabled(not busy)
        self.import_button.setEnabled(not busy and bool(self._paths))
        self.reread_button.setEnabled(not busy and bool(self._paths))
        self.cancel_button.setEnabled(busy)
        self.close_button.setEnabled(not busy)

    def _release_failed_text(self, value: HeldNotReleased) -> str:
        """A held bundle whose release after a vouch failed here (not refused),
        with the error's own message (review 31 F1). One passed over
        (RELEASE_TRIES failures in a row) was not tried now: not said as if
        it had just failed again (review 31 F8)."""
        from desktop.messages import kept_error_message

        if value.tried:
            text = self.tr(
                "Bundle {sequence} of device {device}, held in quarantine, was not imported after its "
                "device was vouched for: importing it failed on this computer ({reason}), %n time(s) "
                "in a row. It was not refused and its file is kept. Import the bundle file again "
                "once the cause is dealt with.",
                "",
                value.failed,
            )
        else:
            text = self.tr(
                "Bundle {sequence} of device {device}, held in quarantine, was not imported after its "
                "device was vouched for: it was passed over, not tried now, after failing %n time(s) in a "
                "row on this computer ({reason}). It was not refused and its file is kept. Import the "
                "bundle file again once the cause is dealt with.",
                "",
                value.failed,
            )
        said = text.format(sequence=value.sequence, device=value.device_id, reason=value.reason)
        return f"{said} {kept_error_message(value.reason, dict(value.params))}"

    def _on_report(self, report: TaskReport) -> None:
        value = report.value
        if report.state == "progress":
            if isinstance(value, BundleProgress):
                self._results.set_state(value.index, self.tr("checking and importing…"))
                self.progress.setValue(progress_steps(value.done, value.total))
            elif isinstance(value, BundleOutcome):
                self._show_outcome(value)
            elif isinstance(value, HeldNotReleased) and value.held_again:
                from desktop.messages import held_again_message

                # Not a failure of this computer: said as the sync panel says it (review 32 L3).
                self._not_released.append(held_again_message(value.bundle_id, value.reason))
            elif isinstance(value, HeldNotReleased) and value.failed:
                self._not_released.append(self._release_failed_text(value))
            elif isinstance(value, HeldNotReleased) and value.reason:
                self._not_released.append(
                    self.tr(
                        "Bundle {sequence} of device {device}, held in quarantine, was refused when "
                        "imported after its device was vouched for ({reason}); nothing of it was applied. "
                        "It stays held: keep the file aside and report it."
                    ).format(sequence=value.sequence, device=value.device_id, reason=value.reason)
                )
            elif isinstance(value, HeldNotReleased):
                self._not_released.append(
                    self.tr(
                        "Bundle {sequence} of device {device}, held in quarantine, was not imported "
                        "although its device is now vouched for: the file it was imported from ({path}) "
                        "is gone or is another file. Import the bundle file again."
                    ).format(sequence=value.sequence, device=value.device_id, path=value.path)
                )
            return
        self.task_ended()
        self._set_busy(False)
        self.progress.hide()
        self._results.mark_unfinished(
            [self.tr("waiting"), self.tr("checking and importing…")],
            self.tr("not imported (stopped); nothing of it was applied"),
        )
        self.status.setText(
            "\n".join(
                [
                    ended_text(
                        report,
                        done=self.tr("Done. Bundles that were refused can be kept aside and reported."),
                        stopped=self.tr(
                            "Stopped. The bundles marked imported are in the vault; import the others again."
                        ),
                    ),
                    *self._not_released,
                ]
            )
        )
        if self._changed:
            self.imported.emit()

    def _show_outcome(self, outcome: BundleOutcome) -> None:
        if outcome.reread is not None:
            self._show_approve(self._results.set_result(outcome.index, self._reread_text(outcome.reread)))
            return
        if outcome.imported is not None:
            done = outcome.imported
            self._held.discard(outcome.index)  # a held bundle released by another desk's vouch
            if done.replay and outcome.approvable:
                self._held.add(outcome.index)
                text = self.tr(
                    "received before on a history hand-over's word (bundle {sequence} of device {device}), "
                    "but its device is pending here and its changes are kept aside. Phone the worker, ask "
                    "for the verification code their vault shows, type it below and approve."
                ).format(sequence=done.sequence, device=done.device_id)
            elif done.replay:
                text = self._replay_text(done)
            elif outcome.from_coordinator:
                self._changed = True
                text = self.tr(
                    "imported from your coordinator (device {device}): {revisions} record changes (edits, "
                    "resolved conflicts), {files} evidence files, {vouched} other device(s) vouched for"
                ).format(
                    device=done.device_id,
                    revisions=done.revisions,
                    files=done.blobs,
                    vouched=len(done.vouched),
                )
            else:
                self._changed = True
                text = self.tr(
                    "imported: bundle {sequence} of device {device}, {revisions} record changes, "
                    "{custody} custody events, {files} evidence files"
                ).format(
                    sequence=done.sequence,
                    device=done.device_id,
                    revisions=done.revisions,
                    custody=done.custody_events,
                    files=done.blobs,
                )
                for gap in done.gaps:
                    text += self.tr(
                        "; bundles {first} to {last} of this device have not arrived yet: ask for them"
                    ).format(first=gap.first, last=gap.last)
                text += self._decided(done)
                text += self._chains_kept_out(done.custody_kept_out)
                text += self._hand_over_findings(done)
        elif outcome.to_worker and _is_held(outcome.failure):
            text = self.tr(
                "not taken: it does not come from your organisation's coordinator, and nothing of it "
                "was stored. Take bundles only from your coordinator, and tell them about this one."
            )
        elif _is_held(outcome.failure):
            from desktop.messages import failure_message

            assert outcome.failure is not None
            self._held.add(outcome.index)
            text = self.tr(
                "held in quarantine: {reason} Phone the worker, ask for the verification code their "
                "vault shows, type it below and approve."
            ).format(reason=failure_message(outcome.failure))
        elif outcome.failure is not None and _is_local_damage(outcome.failure):
            from desktop.messages import failure_message

            # This vault's fault, not the bundle's (review 14 F5): never called a refusal.
            text = self.tr("not imported: {reason}").format(reason=failure_message(outcome.failure))
        elif outcome.failure is not None:
            from desktop.messages import failure_message

            text = self.tr("refused: {reason}").format(reason=failure_message(outcome.failure))
        else:
            text = self.tr("could not be read ({reason}); nothing of it was applied").format(
                reason=outcome.unreadable
            )
        self._show_approve(self._results.set_result(outcome.index, text))

    def _replay_text(self, done: ImportedBundle) -> str:
        """A bundle received before: nothing to do, unless it was an approval
        by code of one a hand-over counted as received (review 23 F2): then
        its device is enrolled and the changes it kept aside are stored now,
        which the row says, as the CLI's does, and the view reloads."""
        if not done.unparked_revisions and not done.damaged_parked and not done.past_parked_cap:
            return self.tr("already imported (bundle {sequence} of device {device}): nothing to do").format(
                sequence=done.sequence, device=done.device_id
            )
        if done.unparked_revisions:
            self._changed = True
        text = self.tr(
            "received before (bundle {sequence} of device {device}); its device is enrolled now"
        ).format(sequence=done.sequence, device=done.device_id)
        if done.unparked_revisions:
            text += self.tr(
                "; %n record change(s) kept aside until then stored now",
                "",
                len(done.unparked_revisions),
            )
        # The rest of what the enrolment's end decided (damaged, past the cap).
        return text + self._parked_decisions(replace(done, unparked_revisions=()))

    def _reread_text(self, done: RereadBundle) -> str:
        """A re-read's row: what it applied, what was held already."""
        if not done.applied and not done.blobs:
            text = self.tr(
                "re-read: bundle {sequence} of device {device}: nothing new, this desk holds everything "
                "it carries"
            ).format(sequence=done.sequence, device=done.device_id)
        else:
            self._changed = True
            text = self.tr(
                "re-read: bundle {sequence} of device {device}: {revisions} record changes and {files} "
                "evidence files applied that this desk lacked; {held} of its {total} record changes were "
                "here already"
            ).format(
                sequence=done.sequence,
                device=done.device_id,
                revisions=len(done.applied),
                files=done.blobs,
                held=done.already_held,
                total=done.revisions_in_bundle,
            )
        return text + self._decided(done)

    def _chains_kept_out(self, kept_out: tuple[tuple[str, int], ...]) -> str:
        """A history hand-over's custody events of a device whose vouch
        lapsed here: checked, not stored; ids and counts only, and what
        brings them (docs/bundle-format.md §10 "Lapsed since it was made")."""
        return "".join(
            self.tr(
                "; %n custody event(s) of device {device} not taken: the vouch for it lapsed here (each "
                "checked with its key, none stored); its own bundles bring them once it is enrolled again "
                "(add it by its card, or approve its bundle by code)",
                "",
                count,
            ).format(device=device_id)
            for device_id, count in kept_out
        )

    def _hand_over_findings(self, done: ImportedBundle) -> str:
        """A history hand-over its check against the workers' signed
        manifests found incomplete (docs/bundle-format.md §10): said on its
        row, to whoever took it, counts and the maker's id only."""
        found = done.hand_over_findings
        if found is None or not found.incomplete:
            return ""
        files = (
            self.tr(
                "; evidence files a worker's signed manifest names that did not come and are not stored "
                "here: {files} (re-reading brings them too)"
            ).format(files=found.missing_files)
            if found.missing_files
            else ""
        )
        return (
            self.tr(
                "; INCOMPLETE history hand-over from desk {maker}: record changes a worker's signed "
                "manifest names that did not come: {missing}; worker manifests that did not verify: "
                "{unverifiable}; worker bundles that came unchecked: {unchecked}. The rest was imported. "
                "Coordinator → Devices… lists them; re-reading the worker's own file of such a bundle "
                "(Re-read) brings what is missing"
            ).format(
                maker=found.maker_id,
                missing=found.missing,
                unverifiable=found.unverifiable,
                unchecked=found.unchecked,
            )
            + files
        )

    def _decided(self, done: ImportedBundle | RereadBundle) -> str:
        """What an import or a re-read left out or parked of the bundle's
        revisions, and what its end decided of revisions parked here."""
        text = ""
        if done.withheld_revisions:  # another desk's bundle read after a revocation
            text += self.tr(
                "; %n record change(s) left out: signed by a device your organisation revoked, "
                "or edits of its records",
                "",
                len(done.withheld_revisions),
            )
        if done.parked_revisions:  # read before the bundle with the changes they follow
            text += self.tr(
                "; %n record change(s) waiting until the changes they follow arrive (or are left out)",
                "",
                len(done.parked_revisions),
            )
        return text + self._parked_decisions(done)

    def _parked_decisions(self, done: ImportedBundle | RereadBundle) -> str:
        """What the import's end decided of revisions parked here (review 14
        F4): stored now, kept waiting as damaged, left out past the cap."""
        text = ""
        if done.unparked_revisions:  # their parents came with this bundle
            text += self.tr(
                "; %n record change(s) that waited for their parents stored now",
                "",
                len(done.unparked_revisions),
            )
        if done.damaged_parked:
            text += self.tr(
                "; %n waiting record change(s) no longer check out: kept waiting, not stored; run "
                "fieldvault verify",
                "",
                len(done.damaged_parked),
            )
        if done.past_parked_cap:
            text += self.tr(
                "; %n record change(s) left out: the signer's parked slots are full",
                "",
                len(done.past_parked_cap),
            )
        if done.signer_pending:  # their device's vouch lapsed here (review 15 F2)
            text += self.tr(
                "; %n record change(s) kept aside: the vouch for their device lapsed; stored once it is "
                "enrolled again (add it by its card, or approve its bundle by code)",
                "",
                len(done.signer_pending),
            )
        if done.type_clash:  # forged or broken: their record is another type here (db/type_clash.py)
            text += self.tr(
                "; %n record change(s) left out: their record is held here as another type",
                "",
                len(done.type_clash),
            )
        return text

    def _show_approve(self, item: QTreeWidgetItem | None, _previous: object = None) -> None:
        """The code field and Approve, for a held bundle's row only."""
        index = self.results.indexOfTopLevelItem(item) if item is not None else -1
        self.approve_box.setVisible(index in self._held)

    @Slot()
    def approve(self) -> None:
        """Approve the chosen held bundle's device with the typed code."""
        current = self.results.currentItem()
        index = self.results.indexOfTopLevelItem(current) if current is not None else -1
        if index not in self._held or self.busy:
            return
        if not self.code_field.text().strip():
            self.status.setText(self.tr("Type the verification code the worker reads out to you."))
            return
        self._approving = index
        self._results.set_state(index, self.tr("checking and importing…"))
        self.progress.setValue(0)
        self.progress.show()
        self.status.setText(self.tr("Importing…"))
        self._set_busy(True)
        self.approve_button.setEnabled(False)
        task = ApproveTask(self._vault, self._paths[index], self.code_field.text())
        self.start_task(Lane.EXPORT, task, self._on_approve_report)

    def _on_approve_report(self, report: TaskReport) -> None:
        index = self._approving
        if report.state == "progress":
            if isinstance(report.value, BundleProgress):
                self.progress.setValue(progress_steps(report.value.done, report.value.total))
            return
        self.task_ended()
        self._set_busy(False)
        self.approve_button.setEnabled(True)
        self.progress.hide()
        path = self._paths[index]
        if report.state == "succeeded":
            self._held.discard(index)
            self.code_field.clear()
            self.status.setText(self.tr("Approved: the device is enrolled and its bundle imported."))
            self._show_outcome(BundleOutcome(index, path, imported=report.value))  # type: ignore[arg-type]
            if self._changed:
                self.imported.emit()
            return
        row = self._results.set_state(index, self.tr("still held in quarantine; nothing of it was applied"))
        self.status.setText(failure_text(report.failure, self.tr("Stopped; the bundle is still held.")))
        self._results.show_details(row)
        self._show_approve(row)


# -- the window's menu -------------------------------------------------------------------


class OrganisationMenu(QMenu):
    """Organisation: Join an organisation…, Create an organisation…, Export
    bundle to USB…, Take acknowledgements…, Import bundles…. ``vault`` gives
    the open vault (None when locked); one dialog at a time, closed when the
    vault locks. ``imported`` tells the window to reload what it shows."""

    imported = Signal()
    sync_requested = Signal()  # Sync…: the window opens its sync panel (desktop/sync_panel.py)
    joined = Signal()  # the vault joined an organisation: the window may start syncing
    created = Signal()  # the vault created one: the window shows the Coordinator menu

    def __init__(self, parent: QWidget, vault: Callable[[], Vault | None], tasks: TaskRunner) -> None:
        super().__init__(parent)
        self._vault = vault
        self._tasks = tasks
        self.dialog: QDialog | None = None
        self.join_action = self.addAction(icon("key"), "")
        self.join_action.triggered.connect(self.open_join)
        # Create an organisation… (desktop/org_admin.py): only for a vault in none.
        self.create_action = self.addAction(icon("new-vault"), "")
        self.create_action.triggered.connect(self.open_create)
        self.addSeparator()
        self.export_action = self.addAction(icon("export"), "")
        self.export_action.triggered.connect(self.open_export)
        # Take acknowledgements (.fvack)… (desktop/org_acks.py): a worker's.
        self.take_acks_action = self.addAction(icon("check"), "")
        self.take_acks_action.triggered.connect(self.open_take_acks)
        self.import_action = self.addAction(icon("add-evidence"), "")
        self.import_action.triggered.connect(self.open_import)
        self.addSeparator()
        self.sync_action = self.addAction(icon("export"), "")
        self.sync_action.triggered.connect(self.sync_requested)
        self.retranslate()
        self.set_unlocked(False)

    def retranslate(self) -> None:
        self.setTitle(self.tr("&Organisation"))
        self.join_action.setText(self.tr("&Join an organisation…"))
        self.create_action.setText(self.tr("&Create an organisation…"))
        self.take_acks_action.setText(self.tr("&Take acknowledgements (.fvack)…"))
        self.export_action.setText(self.tr("&Export bundle to USB…"))
        self.import_action.setText(self.tr("&Import bundles…"))
        self.sync_action.setText(self.tr("&Sync…"))

    def set_unlocked(self, unlocked: bool) -> None:
        for action in (
            self.join_action,
            self.export_action,
            self.take_acks_action,
            self.import_action,
            self.sync_action,
        ):
            action.setEnabled(unlocked)
        from desktop.org_admin import belongs_to_organisation

        self.create_action.setEnabled(unlocked and not belongs_to_organisation(self._vault()))

    def _open(self, make: Callable[[Vault], QDialog]) -> QDialog | None:
        vault = self._vault()
        if vault is None:
            return None
        self.close_dialog()
        dialog = make(vault)
        self.dialog = dialog
        dialog.open()
        return dialog

    @Slot()
    def open_join(self) -> QDialog | None:
        from desktop.org_join import OrgJoinDialog

        def make(vault: Vault) -> QDialog:
            dialog = OrgJoinDialog(vault, self.parentWidget(), tasks=self._tasks)
            dialog.form.joined.connect(self.joined)
            dialog.form.joined.connect(lambda _joined: self.set_unlocked(True))  # no second organisation
            return dialog

        return self._open(make)

    @Slot()
    def open_create(self) -> QDialog | None:
        from desktop.org_admin import CreateOrganisationDialog

        def make(vault: Vault) -> QDialog:
            dialog = CreateOrganisationDialog(vault, self.parentWidget(), tasks=self._tasks)
            dialog.created.connect(lambda: self.set_unlocked(True))
            dialog.created.connect(self.created)
            return dialog

        return self._open(make)

    @Slot()
    def open_take_acks(self) -> QDialog | None:
        from desktop.org_acks import TakeAcksDialog

        return self._open(lambda vault: TakeAcksDialog(vault, self.parentWidget(), tasks=self._tasks))

    @Slot()
    def open_export(self) -> QDialog | None:
        return self._open(lambda vault: BundleExportDialog(vault, self.parentWidget(), tasks=self._tasks))

    @Slot()
    def open_import(self) -> QDialog | None:
        def make(vault: Vault) -> QDialog:
            dialog = BundleImportDialog(vault, self.parentWidget(), tasks=self._tasks)
            dialog.imported.connect(self.imported)
            return dialog

        return self._open(make)

    def close_dialog(self) -> None:
        """At lock (the runner already cancelled and waited for the work)."""
        dialog, self.dialog = self.dialog, None
        if dialog is not None:
            dialog.done(QDialog.DialogCode.Rejected)
            dialog.deleteLater()
