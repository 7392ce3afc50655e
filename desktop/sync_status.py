"""The sync indicator in the main window's status bar (docs/sync.md, "The
background worker"; docs/user-guide.md, "Automatic sync").

``SyncIndicator`` owns the window's ``SyncWorker`` (sync/client/worker.py, a
plain thread, not a QObject) from the unlock to the lock, and observes it
from the GUI thread only: a QTimer reads ``worker.status`` (a frozen
dataclass, read under the worker's lock) a few times a second and emits
``changed`` when it differs. Nothing here runs on the worker's thread, so no
widget is ever touched from it (STYLE.md, rule 3).

The sync client loads the database stack: it is imported when a vault is
open, never at start (tests/desktop/test_startup_imports.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QDateTime, QLocale, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QToolButton, QWidget

from desktop.icons import icon

if TYPE_CHECKING:
    from db.api import Vault
    from sync.client.worker import Progress, SyncStatus, SyncWorker

POLL_MS = 250  # how often the GUI reads the worker's status: smooth progress, no cost
# How long a lock waits for the worker's thread to stop: it stops after the
# chunk on the wire (1 MiB; on a slow link that can take longer, and then the
# lock goes on: the worker's next write fails on the locked vault and it ends).
LOCK_STOP_S = 5.0

# The worker's states (sync/client/worker.py), spelled here so that this
# module loads without the sync client.
IDLE, SYNCING, WAITING, PAUSED, STOPPED = "idle", "syncing", "waiting", "paused", "stopped"
PAUSING = "pausing"  # paused while a try is under way: it goes on to its end
# What became of a send-back its field worker has not taken (sync/client/inbox.py
# Untaken.action): its time to be resent has not come, resent now, or no
# more resends by themselves (a person brings it by USB).
UNTAKEN_WAITING, UNTAKEN_RESENT, UNTAKEN_BY_HAND = "waiting", "resent", "by-hand"

WorkerFactory = Callable[["Vault"], "SyncWorker"]


def default_worker(vault: Vault) -> SyncWorker:
    from sync.client.worker import SyncWorker

    return SyncWorker(vault)


def server_named(vault: Vault) -> bool:
    """The vault belongs to an organisation whose profile names a server."""
    from sync.org_vault import held_profile

    profile = held_profile(vault)
    return profile is not None and profile.server is not None


# -- words for the status ------------------------------------------------------------


def size_text(count: float) -> str:
    """Bytes in the units a person reads (decimal: what a network speed test shows)."""
    for unit in ("B", "kB", "MB", "GB"):
        if count < 1000 or unit == "GB":
            digits = 0 if unit == "B" or count >= 100 else 1
            return f"{QLocale().toString(float(count), 'f', digits)} {unit}"
        count /= 1000
    raise AssertionError("unreachable")


class SyncWords(QObject):
    """The status's words that count (%n): lupdate's Python parser makes a
    plural entry only of ``self.tr`` in a class, not of
    ``QCoreApplication.translate`` with a count."""

    def time_left(self, seconds: float) -> str:
        if seconds < 60:
            count = max(1, round(seconds))
            return self.tr("about %n second(s) left", "", count)
        if seconds < 3600:
            count = round(seconds / 60)
            return self.tr("about %n minute(s) left", "", count)
        count = round(seconds / 3600)
        return self.tr("about %n hour(s) left", "", count)

    def queued(self, count: int) -> str:
        return self.tr("%n bundle(s) waiting to be sent", "", count)

    def by_hand(self, count: int) -> str:
        return self.tr("%n send-back(s) to bring by USB", "", count)

    def release_failed(self, count: int) -> str:
        return self.tr("Warning: %n held bundle(s) not imported here", "", count)

    def next_try(self, seconds: float) -> str:
        if seconds < 60:
            count = max(1, round(seconds))
            return self.tr("Next try in %n second(s).", "", count)
        count = round(seconds / 60)
        return self.tr("Next try in about %n minute(s).", "", count)


def time_left_text(seconds: float) -> str:
    return SyncWords().time_left(seconds)


def when_text(ms: int) -> str:
    """A time today as 14:05; another day with its date."""
    moment = QDateTime.fromMSecsSinceEpoch(ms).toLocalTime()
    locale = QLocale()
    if moment.date() == QDateTime.currentDateTime().date():
        return locale.toString(moment.time(), QLocale.FormatType.ShortFormat)
    return locale.toString(moment, QLocale.FormatType.ShortFormat)


def progress_text(progress: Progress) -> str:
    """1.2 MB of 4.0 MB · 300 kB/s · about 10 seconds left"""
    parts = [
        QCoreApplication.translate("SyncStatus", "{done} of {total}").format(
            done=size_text(progress.done), total=size_text(progress.total)
        )
    ]
    if progress.bytes_per_second is not None:
        parts.append(
            QCoreApplication.translate("SyncStatus", "{speed}/s").format(
                speed=size_text(progress.bytes_per_second)
            )
        )
    if progress.seconds_left is not None:
        parts.append(time_left_text(progress.seconds_left))
    return " · ".join(parts)


def percent(progress: Progress) -> int:
    return 100 if progress.total <= 0 else min(100, progress.done * 100 // progress.total)


def queued_text(queued: int) -> str:
    return SyncWords().queued(queued)


def headline(status: SyncStatus) -> str:
    """The indicator's words: what sync is doing, in a few of them."""
    if status.state == SYNCING:
        if status.progress is not None:
            return QCoreApplication.translate("SyncStatus", "Syncing… {percent}%").format(
                percent=percent(status.progress)
            )
        return QCoreApplication.translate("SyncStatus", "Syncing…")
    if status.state == PAUSING:  # Pause was clicked during a try: that try ends first
        if status.progress is not None:
            return QCoreApplication.translate(
                "SyncStatus", "Pausing — finishing the sync under way… {percent}%"
            ).format(percent=percent(status.progress))
        return QCoreApplication.translate("SyncStatus", "Pausing — finishing the sync under way…")
    if status.state == PAUSED:
        text = QCoreApplication.translate("SyncStatus", "Sync paused")
    elif status.state == STOPPED:
        text = QCoreApplication.translate("SyncStatus", "Sync stopped")
    elif status.last_error is not None:
        text = QCoreApplication.translate("SyncStatus", "Not synced")
    elif status.last_success_ms is not None:
        text = QCoreApplication.translate("SyncStatus", "Synced at {time}").format(
            time=when_text(status.last_success_ms)
        )
    else:
        text = QCoreApplication.translate("SyncStatus", "Sync starting")
    if status.queued and status.role == "worker":
        text = f"{text} · {queued_text(status.queued)}"
    by_hand = sum(1 for untaken in status.untaken if untaken.action == UNTAKEN_BY_HAND)
    if by_hand:  # no more resends by themselves: a person must act, seen without the panel
        text = f"{text} · {SyncWords().by_hand(by_hand)}"
    if status.server_forks:  # kept until someone looks: the panel says what and what to do
        text = f"{text} · " + QCoreApplication.translate("SyncStatus", "Warning about the server")
    if failed := not_imported_here(status):  # the error may say this vault is damaged: seen without the panel
        text = f"{text} · {SyncWords().release_failed(failed)}"
    return text


def not_imported_here(status: SyncStatus) -> int:
    """How many of the pull's held bundles failed to be imported on this
    computer: its release failures but those its import held in quarantine
    again (ReleaseFailure.held_again; review 32 L3), which are not this
    computer's failure and, as any bundle a pull holds, are said in the
    panel alone."""
    return sum(not failure.held_again for _bundle, failure in status.release_failed)


def error_text(status: SyncStatus) -> str:
    """The last error in plain words with what to do; "" when none."""
    if status.last_error is None:
        return ""
    from desktop.messages import error_message

    return error_message(status.last_error)


# -- the indicator -------------------------------------------------------------------


class SyncIndicator(QToolButton):
    """The status bar's sync button: hidden while no worker runs; clicked, it
    asks for the sync panel (``panel_requested``). ``make_worker`` makes the
    worker for an unlocked vault (tests give a real worker a short retry)."""

    changed = Signal(object)  # the SyncStatus read last, in the GUI thread
    panel_requested = Signal()

    def __init__(self, parent: QWidget | None = None, make_worker: WorkerFactory = default_worker) -> None:
        super().__init__(parent)
        self.make_worker = make_worker
        self.worker: SyncWorker | None = None
        self.status: SyncStatus | None = None
        self.setAutoRaise(True)
        self.setIcon(icon("export"))  # sending to the server; no icon of its own yet
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.clicked.connect(self.panel_requested)
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self.poll)
        self.setVisible(False)

    # -- the worker's life --------------------------------------------------------------

    def start(self, vault: Vault) -> bool:
        """After the unlock: a worker when the organisation names a server.
        True if one runs."""
        if self.worker is not None or not server_named(vault):
            return False
        self.worker = self.make_worker(vault)
        self.worker.start()
        self.status = None
        self.poll()
        self._timer.start()
        self.setVisible(True)
        return True

    def stop(self, *, wait: bool = True) -> None:
        """At the lock, before it waits for the writes: the worker stops after
        the chunk on the wire (up to LOCK_STOP_S); what is queued stays
        queued. ``wait`` False (the panic wipe) asks it to stop and goes on
        at once."""
        worker, self.worker = self.worker, None
        self._timer.stop()
        if worker is not None:
            worker.stop(LOCK_STOP_S if wait else 0)
        self.status = None
        self.setVisible(False)
        self.setText("")
        self.setToolTip("")

    # -- what the panel calls -------------------------------------------------------------

    def sync_now(self) -> None:
        if self.worker is not None:
            self.worker.sync_now()

    def pause(self) -> None:
        if self.worker is not None:
            self.worker.pause()
            self.poll()

    def resume(self) -> None:
        if self.worker is not None:
            self.worker.resume()
            self.poll()

    # -- observing -------------------------------------------------------------------------

    @Slot()
    def poll(self) -> None:
        if self.worker is None:
            return
        status = self.worker.status
        if status == self.status:
            return
        self.status = status
        self.show_status(status)
        self.changed.emit(status)

    def show_status(self, status: SyncStatus) -> None:
        self.setText(headline(status))
        forks = (
            QCoreApplication.translate(
                "SyncStatus",
                "The server's receipts disagree with its record of deliveries. Open the sync panel.",
            )
            if status.server_forks
            else ""
        )
        not_released = (
            QCoreApplication.translate(
                "SyncStatus",
                "A bundle held in quarantine, its device verified now, could not be imported on this "
                "computer. Open the sync panel.",
            )
            if not_imported_here(status)
            else ""
        )
        tips = [text for text in (forks, not_released, error_text(status), self._next_try(status)) if text]
        self.setToolTip(
            "\n".join(tips)
            or QCoreApplication.translate("SyncStatus", "Automatic sync with your organisation's server")
        )

    @staticmethod
    def _next_try(status: SyncStatus) -> str:
        if status.state != WAITING or status.next_try_in is None:
            return ""
        return SyncWords().next_try(status.next_try_in)

    def retranslate(self) -> None:
        if self.status is not None:
            self.show_status(self.status)
