"""The sync panel (Organisation → Sync…, or a click on the status bar's sync
indicator): the last successful sync, what waits to be sent, the progress
of an upload with its speed and time left, the last error in plain words
with what to do, "Sync now" and "Pause"/"Resume", the SOCKS5 proxy (Tor),
and for a coordinator what the last pull imported (and what is stuck on
the server: a damaged copy, tried again, what waits behind it and what to
do, docs/sync.md §2) and the send-backs its
field workers have not taken (docs/sync.md §2.1: resent after 3 days, then
left to a person, who brings them by USB).

It shows what ``SyncIndicator`` reads (its ``changed`` signal, in the GUI
thread) and controls the worker through it. The proxy is the vault setting
``sync_proxy`` the client reads at each run (docs/sync.md §4), stored on
the save lane like every GUI write."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.i18n import Retranslating
from desktop.sync_status import (
    PAUSED,
    PAUSING,
    STOPPED,
    SYNCING,
    UNTAKEN_BY_HAND,
    UNTAKEN_RESENT,
    WAITING,
    SyncIndicator,
    SyncWords,
    error_text,
    headline,
    percent,
    progress_text,
    queued_text,
    when_text,
)
from desktop.tasks import Lane, OperationFailed, TaskContext, TaskReport, TaskRunner

if TYPE_CHECKING:
    from db.api import Vault
    from sync.bundle.vault_io import HandOverFindings
    from sync.client.hand_over_sync import UntakenHandOver
    from sync.client.inbox import Untaken
    from sync.client.pull import StuckBundle
    from sync.client.worker import SyncStatus

PROXY_SETTING = "sync_proxy"  # the client's setting (sync/client/connection.py)
BUNDLE_ID_SHOWN = 12  # leading characters of a send-back's bundle id shown
# sync/client/hand_over_sync.py's UntakenHandOver.action values, not imported
# (the network stack loads when sync runs, not when the window opens).
HAND_OVER_REMADE, HAND_OVER_BY_HAND = "remade", "by-hand"
# sync/client/pull.py's StuckBundle.code of a bundle the server no longer
# gives, and of one whose stored copy the server says is gone or unreadable
# (the other, sync-download-mismatch: its stored copy is damaged).
STUCK_REFUSED = "sync-refused"
STUCK_PAYLOAD_MISSING = "sync-payload-missing"
PROXY_SCHEME = "socks5h://"  # the proxy resolves names: no DNS query leaves the laptop


def proxy_url(host_port: str) -> str:
    """What the person typed (host:port, or a full socks5[h]:// URL) as the
    setting's value; "" for none. Raises SyncFailed sync-proxy-invalid."""
    from sync.client.connection import checked_proxy

    text = host_port.strip()
    if not text:
        return ""
    return checked_proxy(text if "://" in text else PROXY_SCHEME + text)


def shown_proxy(setting: str) -> str:
    return setting.removeprefix(PROXY_SCHEME)


def _store_proxy(vault: Vault, value: str, _context: TaskContext) -> None:
    vault.settings.set(PROXY_SETTING, value)


class SyncPanel(Retranslating, QDialog):
    def __init__(
        self, vault: Vault, indicator: SyncIndicator, tasks: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._vault = vault
        self._indicator = indicator
        self._tasks = tasks
        self.setMinimumWidth(520)

        self.state = QLabel()
        self.state.setObjectName("sync-state")
        self.last_success = QLabel()
        self.queued = QLabel()
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress_detail = QLabel()
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setObjectName("sync-error")
        self.pulled = QLabel()  # a coordinator's
        self.pull_details = QLabel()  # held, refused, gaps of the last pull
        self.pull_details.setWordWrap(True)
        self.untaken = QLabel()  # a coordinator's send-backs not taken: how many, since when
        self.untaken_details = QLabel()  # which were resent, which a person must bring by USB
        self.untaken_details.setWordWrap(True)
        self.untaken_details.setObjectName("sync-untaken")
        # The command in it is for copying into a terminal.
        self.untaken_details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.not_running = QLabel()
        self.not_running.setWordWrap(True)

        self.sync_now_button = QPushButton()
        self.sync_now_button.clicked.connect(self._sync_now)
        self.pause_button = QPushButton()
        self.pause_button.clicked.connect(self._pause_or_resume)
        buttons = QHBoxLayout()
        buttons.addWidget(self.sync_now_button)
        buttons.addWidget(self.pause_button)
        buttons.addStretch(1)

        self.status_box = QGroupBox()
        status_form = QFormLayout(self.status_box)
        self.last_success_label = QLabel()
        self.queued_label = QLabel()
        self.pulled_label = QLabel()
        self.untaken_label = QLabel()
        status_form.addRow(self.state)
        status_form.addRow(self.last_success_label, self.last_success)
        status_form.addRow(self.queued_label, self.queued)
        status_form.addRow(self.pulled_label, self.pulled)
        status_form.addRow(self.pull_details)
        status_form.addRow(self.untaken_label, self.untaken)
        status_form.addRow(self.untaken_details)
        status_form.addRow(self.progress)
        status_form.addRow(self.progress_detail)
        status_form.addRow(self.error)
        status_form.addRow(buttons)

        self.proxy_box = QGroupBox()
        proxy_form = QVBoxLayout(self.proxy_box)
        self.proxy_explained = QLabel()
        self.proxy_explained.setWordWrap(True)
        self.proxy = QLineEdit(shown_proxy(vault.settings.get(PROXY_SETTING)))
        self.proxy.setPlaceholderText("127.0.0.1:9050")
        self.proxy_save = QPushButton()
        self.proxy_save.clicked.connect(self._save_proxy)
        self.proxy_result = QLabel()
        self.proxy_result.setWordWrap(True)
        proxy_row = QHBoxLayout()
        proxy_row.addWidget(self.proxy, 1)
        proxy_row.addWidget(self.proxy_save)
        proxy_form.addWidget(self.proxy_explained)
        proxy_form.addLayout(proxy_row)
        proxy_form.addWidget(self.proxy_result)

        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        # Grows with what it shows (a long error, Ukrainian): word-wrapped labels never overlap.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        layout.addWidget(self.not_running)
        layout.addWidget(self.status_box)
        layout.addWidget(self.proxy_box)
        layout.addWidget(close)

        indicator.changed.connect(self.show_status)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Sync with your organisation"))
        self.status_box.setTitle(self.tr("Sync"))
        self.last_success_label.setText(self.tr("Last successful sync:"))
        self.queued_label.setText(self.tr("Waiting to be sent:"))
        self.pulled_label.setText(self.tr("Last pull:"))
        self.untaken_label.setText(self.tr("Sent back, not taken:"))
        self.sync_now_button.setText(self.tr("Sync now"))
        self.proxy_box.setTitle(self.tr("Proxy (Tor)"))
        self.proxy_explained.setText(
            self.tr(
                "To sync through Tor or another SOCKS5 proxy, give its address as host:port "
                "(Tor Browser: 127.0.0.1:9150; the Tor service: 127.0.0.1:9050). Leave it empty to "
                "connect directly."
            )
        )
        self.proxy_save.setText(self.tr("Save proxy"))
        self.not_running.setText(
            self.tr(
                "Automatic sync is not running: this vault's organisation names no server. Ask your "
                "coordinator for a profile with a server, or carry bundles on a USB stick."
            )
        )
        self.show_status(self._indicator.status)

    # -- the status ------------------------------------------------------------------------

    @Slot(object)
    def show_status(self, status: SyncStatus | None) -> None:
        running = status is not None
        self.not_running.setVisible(not running)
        self.status_box.setVisible(running)
        if status is None:
            return
        self.state.setText(headline(status))
        self.last_success.setText(
            when_text(status.last_success_ms) if status.last_success_ms is not None else self.tr("not yet")
        )
        worker = status.role == "worker"
        self.queued_label.setVisible(worker)
        self.queued.setVisible(worker)
        self.queued.setText(queued_text(status.queued) if status.queued else self.tr("nothing"))
        self.pulled_label.setVisible(not worker)
        self.pulled.setVisible(not worker)
        self.pulled.setText(self.tr("%n bundle(s) received and imported", "", status.received))
        details = "\n".join(
            line
            for line in (
                self._fork_warnings(status),
                self._inbox_details(status) if worker else self._pull_details(status),
            )
            if line
        )
        self.pull_details.setVisible(bool(details))
        self.pull_details.setText(details)
        self.untaken_label.setVisible(not worker)
        self.untaken.setVisible(not worker)
        self.untaken.setText(self._untaken_summary(status))
        untaken_details = (
            ""
            if worker
            else "\n".join(
                text
                for text in (
                    self._hand_over_details(status.hand_overs_untaken),
                    self._untaken_details(status.untaken),
                )
                if text
            )
        )
        self.untaken_details.setVisible(bool(untaken_details))
        self.untaken_details.setText(untaken_details)
        moving = status.state in (SYNCING, PAUSING) and status.progress is not None
        self.progress.setVisible(moving)
        self.progress_detail.setVisible(moving)
        if status.progress is not None:
            self.progress.setValue(percent(status.progress))
            self.progress_detail.setText(progress_text(status.progress))
        message = error_text(status)
        if message and status.state == WAITING and status.next_try_in is not None:
            message = f"{message}\n{SyncWords().next_try(status.next_try_in)}"
        self.error.setVisible(bool(message))
        self.error.setText(message)
        paused = status.state in (PAUSED, PAUSING)  # Resume also while the try under way ends
        self.pause_button.setText(self.tr("Resume") if paused else self.tr("Pause"))
        self.sync_now_button.setEnabled(not paused and status.state not in (SYNCING, STOPPED))
        self.pause_button.setEnabled(status.state != STOPPED)

    def _fork_warnings(self, status: SyncStatus) -> str:
        """Receipts that disagree with the server's log (docs/sync.md §2.2):
        kept in the vault, shown for as long as it holds them."""
        lines = []
        for alarm in status.server_forks:
            if status.role == "worker":
                text = self.tr(
                    "Warning: the server's receipts for this laptop's bundles do not add up (receipt "
                    "{index}). Tell your coordinator, and bring your bundles by USB as well."
                )
            else:
                text = self.tr(
                    "Warning: the server showed device {device} another record of deliveries than the "
                    "one this vault checked (receipt {index}). The server may be hiding or rewriting "
                    "deliveries: tell your organisation, and have that worker bring its bundles by USB."
                )
            lines.append(text.format(device=alarm.device_id, index=alarm.index))
        return "\n".join(lines)

    def _inbox_details(self, status: SyncStatus) -> str:
        """A field worker's bundles from its coordinator that the last run refused."""
        if not status.refused:
            return ""
        named = ", ".join(f"{bundle_id} ({code})" for bundle_id, code in status.refused)
        return self.tr(
            "%n bundle(s) from your coordinator could not be imported: {bundles}. They are tried "
            "again at later syncs; tell your coordinator if this stays.",
            "",
            len(status.refused),
        ).format(bundles=named)

    def _pull_details(self, status: SyncStatus) -> str:
        """What of the last pull was not simply imported, and what to do."""
        lines = self._release_failed_details(status)
        if status.held:
            count = len(status.held)
            lines.append(
                self.tr(
                    "%n bundle(s) held in quarantine: they come from a device not added to this vault "
                    "yet. Phone the worker, compare the verification code, then approve them "
                    "(fieldvault bundle quarantine list, fieldvault bundle approve).",
                    "",
                    count,
                )
            )
        if status.refused:
            count = len(status.refused)
            named = ", ".join(f"{bundle_id} ({code})" for bundle_id, code in status.refused)
            lines.append(
                self.tr(
                    "%n bundle(s) refused, nothing of them imported: {bundles}. Tell the sender and "
                    "your organisation.",
                    "",
                    count,
                ).format(bundles=named)
            )
        lines += self._stuck_details(status)
        lines += [self._incomplete_hand_over(found) for found in status.hand_overs_incomplete]
        lines += [self._kept_out(*kept) for kept in status.hand_overs_kept_out]
        if status.withheld:
            # Another desk's bundle made before a revocation reached it: taken
            # without those revisions (docs/sync.md §2.3), said so that nobody
            # takes what was imported for all that desk sent.
            lines.append(
                self.tr(
                    "%n record change(s) left out of the bundles received: signed by a device your "
                    "organisation revoked, or edits of its records. The rest of those bundles was imported.",
                    "",
                    status.withheld,
                )
            )
        if status.parked:
            # Another desk's edits whose parents (often a field worker's
            # changes it took directly) are not here yet after this pull:
            # kept apart until they come (db/parked.py), said so that the
            # coordinator brings them.
            lines.append(
                self.tr(
                    "%n record change(s) wait for their parents: they follow changes this vault has "
                    "not received yet, and are kept apart until those arrive. Import the bundle of the "
                    "device that made those changes (Coordinator → Devices… counts what waits).",
                    "",
                    status.parked,
                )
            )
        if status.kept_aside:
            # Kept aside because their device's vouch lapsed (a coordinator
            # removed): they wait for its enrolment, not for parents.
            lines.append(
                self.tr(
                    "%n record change(s) from devices whose vouch lapsed, kept until they are enrolled "
                    "again (Coordinator → Devices… names them).",
                    "",
                    status.kept_aside,
                )
            )
        lines += self._parked_decisions(status)
        for device_id, first, last in status.gaps:
            lines.append(
                self.tr("Not received yet from device {device}: bundles {first} to {last}.").format(
                    device=device_id, first=first, last=last
                )
            )
        return "\n".join(lines)

    def _release_failed_details(self, status: SyncStatus) -> list[str]:
        """Held bundles whose release failed here for a reason not their own
        (sync/bundle/quarantine.py RELEASE_FAILED; review 31 F1): each with
        the error's own message, which says what is wrong and what to do
        (held-revision-damaged: this vault may be damaged), and whether the
        next sync tries it again. One the release held in quarantine again
        is said so instead (desktop/messages.py ``held_again_message``)."""
        from desktop.messages import held_again_message, kept_error_message

        lines = []
        for bundle_id, failure in status.release_failed:
            if failure.held_again:
                lines.append(held_again_message(bundle_id, failure.code))
                continue
            text = self.tr(
                "Warning: bundle {bundle}, held in quarantine and its device verified now, could not be "
                "imported on this computer (%n time(s) in a row). It was not refused and its file is kept.",
                "",
                failure.count,
            ).format(bundle=f"{bundle_id[:BUNDLE_ID_SHOWN]}…")
            if failure.passed_over:
                after = self.tr(
                    "It is no longer tried by itself: once the cause is dealt with, choose its device in "
                    "Coordinator → Devices… and click Try again."
                )
            else:
                after = self.tr("The next sync tries it again.")
            lines.append(f"{text} {kept_error_message(failure.code, dict(failure.params))} {after}")
        return lines

    def _incomplete_hand_over(self, found: HandOverFindings) -> str:
        """A history hand-over the last run took from the inbox that its
        check against the workers' signed manifests found incomplete
        (docs/bundle-format.md §10): said to whoever took it, counts only."""
        files = (
            " "
            + self.tr(
                "Evidence files a worker's signed manifest names that did not come and are not stored "
                "here: {files}; re-reading brings them too."
            ).format(files=found.missing_files)
            if found.missing_files
            else ""
        )
        return (
            self.tr(
                "Warning: the history hand-over from desk {maker} is incomplete. Record changes a "
                "worker's signed manifest names that did not come: {missing}; worker manifests that did "
                "not verify: {unverifiable}; worker bundles that came unchecked: {unchecked}. The rest was "
                "imported. Coordinator → Devices… lists them; re-reading the worker's own file of such a "
                "bundle (Organisation → Import bundles…, Re-read) brings what is missing."
            ).format(
                maker=found.maker_id,
                missing=found.missing,
                unverifiable=found.unverifiable,
                unchecked=found.unchecked,
            )
            + files
        )

    def _kept_out(self, maker_id: str, device_id: str, count: int) -> str:
        """Custody events of a device whose vouch lapsed here that a history
        hand-over the last run took carried, checked and not stored
        (docs/bundle-format.md §10 "Lapsed since it was made"): as Import
        bundles… says it, ids and counts only."""
        return self.tr(
            "The history hand-over from desk {maker}: %n custody event(s) of device {device} not taken: "
            "the vouch for it lapsed here (each checked with its key, none stored); its own bundles bring "
            "them once it is enrolled again (add it by its card, or approve its bundle by code).",
            "",
            count,
        ).format(maker=maker_id, device=device_id)

    def _stuck_details(self, status: SyncStatus) -> list[str]:
        """Bundles the pull cannot download intact from the server, tried
        again with growing waits, and the device's later bundles waiting
        behind each (docs/sync.md §2): since when, and what a person does."""
        lines = []
        for stuck in status.stuck:
            if stuck.code == STUCK_REFUSED:
                text = self.tr(
                    "Bundle {number} of device {device} cannot be downloaded from the server: the server "
                    "no longer gives it. Stuck since {when}, tried %n time(s); tried again at a sync "
                    "after {next}.",
                    "",
                    stuck.attempts,
                )
            elif stuck.code == STUCK_PAYLOAD_MISSING:
                text = self.tr(
                    "Bundle {number} of device {device} cannot be downloaded from the server: the "
                    "server's stored copy of it is gone or cannot be read. Stuck since {when}, tried %n "
                    "time(s); tried again at a sync after {next}.",
                    "",
                    stuck.attempts,
                )
            else:
                text = self.tr(
                    "Bundle {number} of device {device} cannot be downloaded from the server: the "
                    "server's copy of it is damaged. Stuck since {when}, tried %n time(s); tried again "
                    "at a sync after {next}.",
                    "",
                    stuck.attempts,
                )
            lines.append(
                text.format(
                    number=stuck.sequence,
                    device=stuck.device_id,
                    when=when_text(stuck.first_ms),
                    next=when_text(stuck.next_ms),
                )
            )
            if stuck.waiting:
                lines.append(
                    self.tr(
                        "%n later bundle(s) of that device wait behind it, so that its records arrive "
                        "whole and in order.",
                        "",
                        len(stuck.waiting),
                    )
                )
            if stuck.later:
                lines.append(self._later_line(stuck))
            if stuck.held_by:
                # Review 17 F2: the server relays another desk's acknowledgement of it. The
                # worker's own bundle may be refused here (its custody records follow this one's).
                desks = ", ".join(
                    f"{label} ({device})" if label else device for device, label in stuck.held_by
                )
                lines.append(
                    self.tr(
                        "The coordinator desk {desks} acknowledged this bundle and holds its work: a history "
                        "hand-over from that desk brings it here (there: Coordinator → Hand over history…, "
                        "choose this desk; here: Organisation → Import bundles…), or the server's operator "
                        "repairs the stored copy. A bundle the worker brings by USB may be refused here: its "
                        "custody records follow this one's."
                    ).format(desks=desks)
                )
        if any(stuck.later and not stuck.held_by for stuck in status.stuck):
            # The worker's later bundle is here already: asking for it again
            # by USB would not help (review 18 R2).
            lines.append(
                self.tr(
                    "The worker's later bundle is here already, so bringing its work by USB again does not "
                    "help: ask the server's operator to repair the stored copy."
                )
            )
        if any(not stuck.held_by and not stuck.later for stuck in status.stuck):
            lines.append(
                self.tr(
                    "Ask the worker to bring its work by USB (on its laptop: Organisation → Export bundle "
                    "to USB…; here: Organisation → Import bundles…), or the server's operator to repair "
                    "the stored copy."
                )
            )
        return lines

    def _later_line(self, stuck: StuckBundle) -> str:
        """A later bundle of the stuck one's device was imported here: its
        work arrived and nothing waits behind the hole, yet the stuck one is
        still asked for; why, as the last pull found it (review 18 R2)."""
        if stuck.open_because == "parked":
            text = self.tr(
                "Bundle {later} of that device was imported here: the work of its later bundles arrived, "
                "and none waits behind this one any more. This one is still asked for because changes of "
                "that device wait here for records this one made."
            )
        elif stuck.open_because == "acknowledged-elsewhere":
            text = self.tr(
                "Bundle {later} of that device was imported here: the work of its later bundles arrived, "
                "and none waits behind this one any more. This one is still asked for because the server "
                "shows an acknowledgement of it by another coordinator key (a desk removed since), so the "
                "later bundle may leave its work out."
            )
        elif stuck.open_because == "no-answer":
            text = self.tr(
                "Bundle {later} of that device was imported here: the work of its later bundles arrived, "
                "and none waits behind this one any more. This one is still asked for because the server "
                "did not answer whether another coordinator desk acknowledged it; the next sync asks again."
            )
        else:
            # Review 17 F1: a later bundle carries its work only where no other desk had acknowledged it.
            text = self.tr(
                "Bundle {later} of that device was imported here, so none waits behind this one any "
                "more. This one is still asked for: the later bundle carries its work only if no "
                "other coordinator desk had acknowledged it."
            )
        return text.format(later=stuck.later)

    def _parked_decisions(self, status: SyncStatus) -> list[str]:
        """What the pull's imports decided of revisions parked here (review
        14 F4): before, only ``fieldvault bundle import`` said it."""
        lines = []
        if status.unparked:
            lines.append(
                self.tr(
                    "%n record change(s) that waited for their parents were stored: the changes they "
                    "follow arrived.",
                    "",
                    status.unparked,
                )
            )
        if status.damaged_parked:
            lines.append(
                self.tr(
                    "%n waiting record change(s) no longer check out: kept waiting, not stored. Run "
                    "fieldvault verify and tell your organisation.",
                    "",
                    status.damaged_parked,
                )
            )
        if status.past_parked_cap:
            lines.append(
                self.tr(
                    "%n record change(s) left out: the signer's parked slots are full (too many of its "
                    "changes already wait here for their parents). Import the bundles those changes "
                    "follow, or tell your organisation.",
                    "",
                    status.past_parked_cap,
                )
            )
        return lines

    def _untaken_summary(self, status: SyncStatus) -> str:
        """How many send-backs wait for their field workers, and since when.
        The list is the last run's: none before this session's first run,
        and none when the server could not say (docs/sync.md §2.1), so an
        empty one claims no more than "none known"."""
        untaken = status.untaken
        if not untaken:
            if status.last_success_ms is None:
                return self.tr("not checked yet")
            return self.tr("none known: the last sync found none waiting")
        oldest = min(item.sent_ms for item in untaken)
        return self.tr(
            "%n bundle(s) not taken from the server by their field worker yet, the oldest since {when}",
            "",
            len(untaken),
        ).format(when=when_text(oldest))

    def _hand_over_details(self, untaken: tuple[UntakenHandOver, ...]) -> str:
        """The key desk's history hand-overs a new desk has not taken: made
        again now, or left to a person (docs/bundle-format.md §10)."""
        lines = []
        for item in sorted(untaken, key=lambda item: (item.action != HAND_OVER_BY_HAND, item.made_ms)):
            if item.action == HAND_OVER_BY_HAND:
                text = self.tr(
                    "The new desk {device} has not taken this desk's history hand-over (made {when}), "
                    "even after %n fresh one(s); no more are made by themselves. Hand it over by USB: "
                    "Coordinator → Hand over history…, choose that desk (or fieldvault org hand-over "
                    "--to-device {device} --to FOLDER).",
                    "",
                    item.remakes,
                )
            elif item.action == HAND_OVER_REMADE:
                text = self.tr(
                    "Made again now: the new desk {device} has not taken this desk's history hand-over "
                    "(made {when}), so a fresh one went to the server."
                )
            else:
                continue  # waiting to be taken: nothing to do yet
            lines.append(text.format(device=item.device_id, when=when_text(item.made_ms)))
        return "\n".join(lines)

    def _untaken_details(self, untaken: tuple[Untaken, ...]) -> str:
        """The send-backs resent (now or before) and those a person must
        bring by USB, with what to do (docs/sync.md §2.1)."""
        lines = []
        urgent_first = {UNTAKEN_BY_HAND: 0, UNTAKEN_RESENT: 1}  # what a person must do, first
        for item in sorted(untaken, key=lambda item: (urgent_first.get(item.action, 2), item.sent_ms)):
            when = when_text(item.sent_ms)
            if item.action == UNTAKEN_BY_HAND:
                text = self.tr(
                    "Device {device} has not taken bundle {bundle} (sent {when}), even after %n "
                    "resend(s); it is not sent again by itself. Bring it by USB: Coordinator → Send back "
                    "to field workers…, choose that worker, then Write again for a lost stick (or "
                    "fieldvault bundle export --to FOLDER --to-device {device} --resend).",
                    "",
                    item.resends,
                )
            elif item.action == UNTAKEN_RESENT:
                text = self.tr(
                    "Sent again now: device {device} has not taken bundle {bundle} (sent {when}), so "
                    "its changes went to the server again in a new bundle."
                )
            elif item.resends:
                text = self.tr(
                    "Device {device} has not taken bundle {bundle} yet (sent {when}); what it carries "
                    "was already sent again %n time(s). A send-back is sent again after 3 days not "
                    "taken, at most 3 times.",
                    "",
                    item.resends,
                )
            else:
                continue  # waiting its first 3 days: counted above, nothing to do yet
            # The device id whole (the command takes it), the bundle's id
            # shortened as the Devices view does: 64 hex digits bury the words.
            bundle = f"{item.bundle_id[:BUNDLE_ID_SHOWN]}…"
            lines.append(text.format(device=item.device_id, bundle=bundle, when=when))
        return "\n".join(lines)

    @Slot()
    def _sync_now(self) -> None:
        self._indicator.sync_now()

    @Slot()
    def _pause_or_resume(self) -> None:
        status = self._indicator.status
        if status is not None and status.state in (PAUSED, PAUSING):
            self._indicator.resume()
        else:
            self._indicator.pause()

    # -- the proxy --------------------------------------------------------------------------

    @Slot()
    def _save_proxy(self) -> None:
        from db.api import FieldvaultError
        from desktop.messages import error_message

        try:
            value = proxy_url(self.proxy.text())
        except FieldvaultError as refused:
            self.proxy_result.setText(error_message(refused))
            return
        self.proxy_save.setEnabled(False)
        self.proxy_result.setText(self.tr("Saving…"))
        self._tasks.start(
            Lane.SAVE, partial(_store_proxy, self._vault, value), self._on_proxy_saved, owner=self
        )

    def _on_proxy_saved(self, report: TaskReport) -> None:
        if not report.finished:
            return
        self.proxy_save.setEnabled(True)
        if report.state == "succeeded":
            self.proxy_result.setText(
                self.tr("Saved: the next sync goes through this proxy.")
                if self.proxy.text().strip()
                else self.tr("Saved: sync connects directly.")
            )
        else:
            from desktop.messages import failure_message

            failed = report.failure or OperationFailed(None, "")
            self.proxy_result.setText(self.tr("Not saved: {reason}").format(reason=failure_message(failed)))
