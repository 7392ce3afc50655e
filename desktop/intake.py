"""Evidence work off the GUI thread: intake of files, and export of an item.

**One ``IntakeWorker`` per file.** Each file is its own operation with its own
``CancelToken``, its own outcome (stored, already in the case, failed, cancelled)
and its own error: one unreadable file must not stop the others, and cancelling
one must not cancel the rest. The evidence panel keeps the files waiting in its
own queue and starts the next worker when the previous one has reported, so at
most one intake reads the disk at a time and a file cancelled while it waits is
simply never started (no runnable to take back from the pool).

Workers never touch widgets (STYLE.md, rule 3): they emit small frozen report
objects through a signals holder created in the GUI thread, and the queued
connection delivers them there. Reports carry no exception and no traceback
(the frames would keep data alive); failures carry the error's type name and a
message that is safe to show (``desktop.messages.error_message``).

Progress is throttled (``ProgressThrottle``): at most one report per 50 ms, plus
the first and the last, so a 1 GiB intake (1024 segments) does not flood the
event loop.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Signal, SignalInstance

from db.blobstore import CancelToken, ExportCancelled, IntakeCancelled
from db.errors import FieldvaultError
from desktop.messages import error_message

PROGRESS_INTERVAL_S = 0.05


# -- reports -------------------------------------------------------------------


@dataclass(frozen=True)
class IntakeProgress:
    ticket: int
    done: int  # bytes read, hashed and encrypted so far
    total: int


@dataclass(frozen=True)
class IntakeStored:
    ticket: int
    evidence_id: str
    # True when the same bytes were already evidence in this case: nothing new
    # was stored, ``evidence_id`` is the existing item (its custody records it).
    duplicate: bool


@dataclass(frozen=True)
class IntakeFailed:
    ticket: int
    error_type: str
    message: str  # safe to show: the vault's own message, or the error's type only


@dataclass(frozen=True)
class IntakeStopped:
    """The intake was cancelled before the file was recorded: nothing was added."""

    ticket: int


IntakeOutcome = IntakeStored | IntakeFailed | IntakeStopped


@dataclass(frozen=True)
class ExportDone:
    evidence_id: str
    sha256: str
    path: str


@dataclass(frozen=True)
class ExportFailed:
    evidence_id: str
    error_type: str
    message: str


@dataclass(frozen=True)
class ExportProgress:
    evidence_id: str
    done: int  # bytes decrypted, checked and written so far
    total: int


@dataclass(frozen=True)
class ExportStopped:
    """The export was cancelled: no file was written, nothing was recorded."""

    evidence_id: str


class IntakeSignals(QObject):
    """Created in the GUI thread; intake workers emit, the panel receives (queued)."""

    progress = Signal(object)  # IntakeProgress
    finished = Signal(object)  # IntakeStored
    failed = Signal(object)  # IntakeFailed
    cancelled = Signal(object)  # IntakeStopped


class ExportSignals(QObject):
    progress = Signal(object)  # ExportProgress
    finished = Signal(object)  # ExportDone
    failed = Signal(object)  # ExportFailed
    cancelled = Signal(object)  # ExportStopped


def safe_message(err: BaseException) -> str:
    """The vault's own errors say what happened; anything else is named by type
    only, because its message could quote data."""
    if isinstance(err, FieldvaultError):
        return error_message(err)
    return error_message(None, type(err).__name__)


def _emit(signal: Callable[[], SignalInstance], report: object) -> None:
    # The receiver may be gone (the panel was destroyed after a lock): then
    # nobody is listening, and the report is dropped.
    with contextlib.suppress(RuntimeError):
        signal().emit(report)


class ProgressThrottle:
    """Decides which progress callbacks become signals: the first, the last
    (``done == total``), and otherwise at most one per ``interval`` seconds."""

    def __init__(
        self, interval: float = PROGRESS_INTERVAL_S, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._interval = interval
        self._clock = clock
        self._last: float | None = None

    def should_emit(self, done: int, total: int) -> bool:
        now = self._clock()
        if self._last is None or done >= total or now - self._last >= self._interval:
            self._last = now
            return True
        return False


# -- workers -------------------------------------------------------------------


class IntakeWorker(QRunnable):
    """Ingest one file into one case: ``vault.evidence.ingest`` in the pool.

    ``vault`` is the unlocked ``Vault`` (anything with ``.evidence.ingest``). The
    worker drops its reference to it when it ends."""

    def __init__(
        self,
        signals: IntakeSignals,
        vault: Any,
        ticket: int,
        path: Path,
        case_id: str,
        cancel: CancelToken,
        *,
        throttle: ProgressThrottle | None = None,
    ) -> None:
        super().__init__()
        self._signals = signals
        self._vault = vault
        self.ticket = ticket
        self._path = Path(path)
        self._case_id = case_id
        self._cancel = cancel
        self._throttle = throttle or ProgressThrottle()

    def _progress(self, done: int, total: int) -> None:
        if self._throttle.should_emit(done, total):
            _emit(lambda: self._signals.progress, IntakeProgress(self.ticket, done, total))

    def run(self) -> None:
        vault, self._vault = self._vault, None
        try:
            if self._cancel.cancelled:
                raise IntakeCancelled()
            result = vault.evidence.ingest(
                self._path, self._case_id, progress=self._progress, cancel=self._cancel
            )
        except IntakeCancelled:
            _emit(lambda: self._signals.cancelled, IntakeStopped(self.ticket))
        except Exception as err:  # noqa: BLE001 - every failure becomes a report, none a traceback
            _emit(
                lambda: self._signals.failed,
                IntakeFailed(self.ticket, type(err).__name__, safe_message(err)),
            )
        else:
            _emit(lambda: self._signals.finished, IntakeStored(self.ticket, result.item.id, result.duplicate))
        finally:
            del vault


class ExportWorker(QRunnable):
    """Decrypt one item to the file the user chose: ``vault.evidence.export``.

    The only place the GUI writes an item's plaintext, and only where the user
    asked; the export is recorded in the item's custody by the core."""

    def __init__(
        self,
        signals: ExportSignals,
        vault: Any,
        evidence_id: str,
        destination: Path,
        *,
        overwrite: bool = False,
        cancel: CancelToken | None = None,
        throttle: ProgressThrottle | None = None,
    ) -> None:
        super().__init__()
        self._signals = signals
        self._vault = vault
        self._evidence_id = evidence_id
        self._destination = Path(destination)
        self._overwrite = overwrite
        self._cancel = cancel or CancelToken()
        self._throttle = throttle or ProgressThrottle()

    def _progress(self, done: int, total: int) -> None:
        if self._throttle.should_emit(done, total):
            _emit(lambda: self._signals.progress, ExportProgress(self._evidence_id, done, total))

    def run(self) -> None:
        vault, self._vault = self._vault, None
        try:
            result = vault.evidence.export(
                self._evidence_id,
                self._destination,
                overwrite=self._overwrite,
                progress=self._progress,
                cancel=self._cancel,
            )
        except ExportCancelled:
            _emit(lambda: self._signals.cancelled, ExportStopped(self._evidence_id))
        except Exception as err:  # noqa: BLE001 - every failure becomes a report, none a traceback
            _emit(
                lambda: self._signals.failed,
                ExportFailed(self._evidence_id, type(err).__name__, safe_message(err)),
            )
        else:
            _emit(
                lambda: self._signals.finished,
                ExportDone(result.evidence_id, result.sha256, str(result.path)),
            )
        finally:
            del vault
