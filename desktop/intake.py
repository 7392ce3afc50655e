"""Evidence work off the GUI thread: intake of files, and export of an item.

**One ``Ingest`` task per file.** Each file is its own operation with its own
``CancelToken``, its own outcome (stored, already in the case, failed, cancelled)
and its own error: one unreadable file must not stop the others, and cancelling
one must not cancel the rest. The evidence panel keeps the files waiting in its
own queue and starts the next task on the runner's intake lane when the
previous one has reported, so at most one intake reads the disk at a time and a
file cancelled while it waits is simply never started.

The tasks are plain Python (``desktop.tasks``): the runner brings their
``TaskReport`` to the GUI thread, where the panel and the item view turn it
into the small frozen outcome objects below. These carry no exception and no
traceback (the frames would keep data alive); failures carry the error's type
name and a message that is safe to show (``desktop.messages.error_message``).

Progress is throttled (``ProgressThrottle``): at most one report per 50 ms, plus
the first and the last, so a 1 GiB intake (1024 segments) does not flood the
event loop.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop.messages import error_message
from desktop.tasks import OperationFailed, TaskContext

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
    # "Move into the vault" (``remove_source``): the original was deleted once
    # identical bytes were checked in the vault (also for a duplicate)…
    source_removed: bool = False
    # …or kept, and why: "changed" (while read or checked) or "unverified"
    # (the vault's copy could not be read back). "" when not asked to move.
    source_kept: str = ""
    # The file an item of the case named but did not hold (its record came
    # without it): stored now and attached to it (``evidence_id``).
    supplied: bool = False


def stored_report(ticket: int, result: Any, *, remove_source: bool = False) -> IntakeStored:
    """The ``IntakeStored`` for the core's ``IngestResult``."""
    kept = ""
    if remove_source and not result.source_removed:
        kept = "unverified" if getattr(result, "source_unverified", False) else "changed"
    return IntakeStored(
        ticket,
        result.item.id,
        result.duplicate,
        result.source_removed,
        kept,
        supplied=bool(getattr(result, "supplied", ())),
    )


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


# -- tasks (desktop.tasks) ------------------------------------------------------


class Ingest:
    """Ingest one file into one case: ``vault.evidence.ingest`` on the intake
    lane. Progress goes out as ``IntakeProgress``; the result is the core's
    ``IngestResult``. ``vault`` is the unlocked ``Vault`` (anything with
    ``.evidence.ingest``); the task drops it when it ends. ``remove_source``
    ("move into the vault"): the core deletes the original only once
    identical bytes are checked in the vault, also when they already were."""

    def __init__(
        self,
        vault: Any,
        ticket: int,
        path: Path,
        case_id: str,
        *,
        throttle: ProgressThrottle | None = None,
        remove_source: bool = False,
    ) -> None:
        self._vault = vault
        self.ticket = ticket
        self._path = Path(path)
        self._case_id = case_id
        self._throttle = throttle or ProgressThrottle()
        self.remove_source = remove_source

    def __call__(self, context: TaskContext) -> Any:
        vault, self._vault = self._vault, None

        def progress(done: int, total: int) -> None:
            if self._throttle.should_emit(done, total):
                context.progress(IntakeProgress(self.ticket, done, total))

        try:
            return vault.evidence.ingest(
                self._path,
                self._case_id,
                progress=progress,
                cancel=context.cancel,
                remove_source=self.remove_source,
            )
        finally:
            del vault


class Export:
    """Decrypt one item to the file the user chose: ``vault.evidence.export``
    on the export lane; the result is the core's ``ExportResult``.

    The only place the GUI writes an item's plaintext, and only where the user
    asked; the export is recorded in the item's custody by the core."""

    def __init__(
        self,
        vault: Any,
        evidence_id: str,
        destination: Path,
        *,
        overwrite: bool = False,
        throttle: ProgressThrottle | None = None,
    ) -> None:
        self._vault = vault
        self.evidence_id = evidence_id
        self._destination = Path(destination)
        self._overwrite = overwrite
        self._throttle = throttle or ProgressThrottle()

    def __call__(self, context: TaskContext) -> Any:
        vault, self._vault = self._vault, None

        def progress(done: int, total: int) -> None:
            if self._throttle.should_emit(done, total):
                context.progress(ExportProgress(self.evidence_id, done, total))

        try:
            return vault.evidence.export(
                self.evidence_id,
                self._destination,
                overwrite=self._overwrite,
                progress=progress,
                cancel=context.cancel,
            )
        finally:
            del vault


def failure_text(failed: OperationFailed) -> str:
    """What a failed intake or export says: the vault's own message, or the
    error's type only (its message could quote data)."""
    return error_message(failed.error, failed.error_type)
