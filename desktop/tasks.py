"""One runner for the GUI's background work (STYLE.md, rule 3).

A *task* is plain Python: a callable that takes a ``TaskContext`` (its cancel
token, a way to report progress, a hook for what stops it at once) and returns
its result. It knows nothing of Qt, so the same job can run in the CLI, in a
test or, later, in the sync worker. ``TaskRunner`` wraps tasks for Qt: it owns
one ``QThreadPool`` per *lane*, runs each task on its lane, and brings every
report back to the GUI thread as one type, ``TaskReport`` (progress, succeeded,
failed, cancelled), through a queued signal. The callback given to ``start``
then runs in the GUI thread, which alone touches widgets.

Lanes keep kinds of work from queueing behind each other (a search does not
wait for a 1 GiB intake) and bound each kind: one Argon2id at a time, one
intake reading the disk, one export, one search, two viewer reads, one
exchange with the sync server, and one write of the GUI at a time (every
write the user makes: a form's save, deletion or draft, an evidence item's
stated fields, a new case, the settings; in the order the user made them: a
sync worker or another process holding the vault's write transaction makes
them wait there, not the GUI thread).

Failures travel as ``OperationFailed``: the vault's own error (safe to show,
translated from its code) or only the type's name of anything else; never a
traceback, whose frames would keep passphrases and witness data alive.

Locking and the panic wipe call ``cancel_all_and_wait``: every task of the
given lanes is cancelled (its hooks run at once, e.g. killing a parser child),
its reports are dropped from then on, and the call waits a bounded time for
the lanes' threads to finish. A lock first cancels them with ``cancel_all``
and waits for them and the save lane with ``wait_turning``: a local event
loop, as a dialog runs, so the window keeps repainting and reporting while a
write waits behind another writer.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Literal

import shiboken6
from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QEventLoop,
    QObject,
    QRunnable,
    Qt,
    QThreadPool,
    QTimer,
    Signal,
)

from db.api import FieldvaultError

if TYPE_CHECKING:
    # Loaded with the first task (cryptography is not needed for the first screen).
    from db.api import CancelToken


class Lane(StrEnum):
    VAULT = "vault"  # create, unlock, change passphrase: Argon2id, about a second each
    INTAKE = "intake"  # files read, hashed and encrypted into the vault
    EXPORT = "export"  # an item decrypted to a file the user chose
    SEARCH = "search"  # full-text queries as the user types
    VIEWER = "viewer"  # an item's bytes decoded in a confined child for display
    SAVE = "save"  # every write the GUI makes (forms, drafts, an item's fields, a case, settings)
    SYNC = "sync"  # sync work the GUI starts (sync/client): cancelled at lock, first of all


# How many threads each lane may use at once.
LANE_THREADS: dict[Lane, int] = {
    Lane.VAULT: 1,
    Lane.INTAKE: 1,  # one file at a time: the disk is the limit, and cancel stays simple
    Lane.EXPORT: 1,
    Lane.SEARCH: 1,  # an older search is dropped by its ticket anyway
    Lane.VIEWER: 2,  # an image and a PDF page may decode side by side
    Lane.SAVE: 1,  # in order: a later draft is never overwritten by an earlier one, nor a save by its draft
    Lane.SYNC: 1,  # one exchange with the server at a time
}

# The lanes that read or write the open vault: stopped when it locks, before
# the view is emptied (the sync lane first of all lets go of the write
# transaction the saves wait behind). The vault lane is not (an unlock or
# passphrase change cannot be interrupted and locks what it opened itself,
# see FieldvaultWindow), nor the save lane (a lock waits for the writes
# queued there: they are what the user typed).
VAULT_DATA_LANES: tuple[Lane, ...] = (Lane.SYNC, Lane.INTAKE, Lane.EXPORT, Lane.SEARCH, Lane.VIEWER)

# How often a wait that keeps the event loop turning looks at the lanes.
POLL_MS = 10

State = Literal["progress", "succeeded", "failed", "cancelled"]


@dataclass(frozen=True)
class OperationFailed:
    """``error`` is set for the vault's own errors (``str`` is safe to show);
    for anything else only the exception's type name is kept."""

    error: FieldvaultError | None
    error_type: str


def failure(err: BaseException) -> OperationFailed:
    """The vault's own errors travel without their traceback; others by type name only."""
    if isinstance(err, FieldvaultError):
        return OperationFailed(err.with_traceback(None), type(err).__name__)
    return OperationFailed(None, type(err).__name__)


@dataclass(frozen=True)
class TaskReport:
    """What a task tells the GUI thread. ``value`` is the progress payload
    (``progress``) or the task's result (``succeeded``); ``failure`` is set
    when it ``failed``; ``cancelled`` carries the core's ``OperationCancelled``
    in ``failure`` when the task raised one, else nothing."""

    task_id: int
    lane: Lane
    state: State
    value: object = None
    failure: OperationFailed | None = None

    @property
    def finished(self) -> bool:
        return self.state != "progress"


class TaskContext:
    """Given to a task: ``cancel`` (a ``db.blobstore.CancelToken``, accepted by
    the vault's long operations), ``cancelled``, ``progress(value)`` and
    ``on_cancel(hook)`` for what must stop at once (a child process)."""

    def __init__(self, cancel: CancelToken, progress: Callable[[object], None]) -> None:
        self.cancel = cancel
        self._progress = progress
        self._hooks: list[Callable[[], None]] = []
        self._lock = threading.Lock()

    @property
    def cancelled(self) -> bool:
        return self.cancel.cancelled

    def progress(self, value: object) -> None:
        self._progress(value)

    def on_cancel(self, hook: Callable[[], None]) -> None:
        """Run ``hook`` when the task is cancelled (in the cancelling thread),
        or now if it already is."""
        with self._lock:
            if not self.cancel.cancelled:
                self._hooks.append(hook)
                return
        hook()

    def _run_cancel(self) -> None:
        with self._lock:
            self.cancel.cancel()
            hooks, self._hooks = self._hooks, []
        for hook in hooks:
            with contextlib.suppress(Exception):  # a hook that fails must not stop the others
                hook()


Task = Callable[[TaskContext], object]
ReportCallback = Callable[[TaskReport], None]


class TaskHandle:
    """A started task: ``cancel()`` from the GUI thread, ``wait(timeout_s)``."""

    def __init__(self, task_id: int, lane: Lane, context: TaskContext) -> None:
        self.task_id = task_id
        self.lane = lane
        self.context = context
        self._done = threading.Event()

    def cancel(self) -> None:
        self.context._run_cancel()

    @property
    def cancelled(self) -> bool:
        return self.context.cancelled

    @property
    def done(self) -> bool:
        """The task has returned or raised (its report may still be queued)."""
        return self._done.is_set()

    def wait(self, timeout_s: float) -> bool:
        return self._done.wait(timeout_s)


class _Runnable(QRunnable):
    def __init__(self, runner: TaskRunner, handle: TaskHandle, task: Task) -> None:
        super().__init__()
        self._runner = runner
        self._handle = handle
        self._task: Task | None = task

    def run(self) -> None:
        task, self._task = self._task, None  # nothing of the task outlives its run
        handle = self._handle
        report: TaskReport
        try:
            assert task is not None, "a task runs once"
            if handle.cancelled:
                report = TaskReport(handle.task_id, handle.lane, "cancelled")
            else:
                value = task(handle.context)
                report = TaskReport(handle.task_id, handle.lane, "succeeded", value)
        except Exception as err:  # noqa: BLE001 - every failure becomes a report, none a traceback
            from db.api import OperationCancelled  # loaded by start()

            stopped = handle.cancelled or isinstance(err, OperationCancelled)
            state: State = "cancelled" if stopped else "failed"
            report = TaskReport(handle.task_id, handle.lane, state, failure=failure(err))
        finally:
            del task
            handle._done.set()
        self._runner._emit(report)


class TaskRunner(QObject):
    """Runs tasks on lanes and delivers their reports in the GUI thread.

    Owned by the window; widgets shown alone (tests) make their own."""

    _reported = Signal(object)  # TaskReport, emitted from pool threads

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ids = itertools.count(1)
        self._pools: dict[Lane, QThreadPool] = {}
        for lane, threads in LANE_THREADS.items():
            pool = QThreadPool(self)
            pool.setMaxThreadCount(threads)
            self._pools[lane] = pool
        # task id -> (handle, callback, owner); touched in the GUI thread only
        self._live: dict[int, tuple[TaskHandle, ReportCallback, QObject | None]] = {}
        self._reported.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def pool(self, lane: Lane) -> QThreadPool:
        """The lane's pool (tests hold its thread to queue work deterministically)."""
        return self._pools[lane]

    def start(
        self,
        lane: Lane,
        task: Task,
        on_report: ReportCallback,
        *,
        owner: QObject | None = None,
        cancel: CancelToken | None = None,
    ) -> TaskHandle:
        """Queue ``task`` on ``lane``; ``on_report`` gets its reports in the GUI
        thread, unless ``owner`` is deleted or the task was forgotten first.
        ``cancel``: a token the caller already holds (a row's Cancel button)."""
        from db.api import CancelToken  # see the imports

        task_id = next(self._ids)
        token = cancel if cancel is not None else CancelToken()
        context = TaskContext(token, lambda value: self._progress(task_id, lane, value))
        handle = TaskHandle(task_id, lane, context)
        self._live[task_id] = (handle, on_report, owner)
        self._pools[lane].start(_Runnable(self, handle, task))
        return handle

    def forget(self, handle: TaskHandle) -> None:
        """Drop the task's reports from now on (it keeps running unless cancelled)."""
        self._live.pop(handle.task_id, None)

    def running(self, lane: Lane | None = None) -> list[TaskHandle]:
        """Tasks whose final report has not been delivered (nor forgotten)."""
        return [h for h, _cb, _owner in self._live.values() if lane is None or h.lane == lane]

    def cancel_all(self, lanes: Iterable[Lane] = VAULT_DATA_LANES) -> None:
        """Cancel every task on ``lanes`` and drop their reports; queued ones never start."""
        lanes = tuple(lanes)
        for task_id, (handle, _cb, _owner) in list(self._live.items()):
            if handle.lane in lanes:
                del self._live[task_id]
                handle.cancel()
        for lane in lanes:
            self._pools[lane].clear()  # queued, not started: never run

    def cancel_all_and_wait(self, timeout_ms: int, lanes: Iterable[Lane] = VAULT_DATA_LANES) -> bool:
        """Cancel every task on ``lanes``, drop their reports, and wait up to
        ``timeout_ms`` for the lanes' threads. True if they all stopped."""
        lanes = tuple(lanes)
        self.cancel_all(lanes)
        return self.wait(timeout_ms, lanes)

    def idle(self, lanes: Iterable[Lane] = tuple(Lane)) -> bool:
        """No task of ``lanes`` is running or queued."""
        return all(self._pools[lane].waitForDone(0) for lane in lanes)

    def wait_turning(
        self, timeout_ms: int, lanes: Iterable[Lane], *, give_up: Callable[[], bool] | None = None
    ) -> bool:
        """Wait up to ``timeout_ms`` for the lanes' threads to be idle while
        the event loop keeps turning (a local ``QEventLoop``, as a dialog
        runs): reports arrive, timers fire, the window repaints. Ends early
        when ``give_up()`` turns true (checked every ``POLL_MS``) or the
        application quits. True when the lanes are idle."""
        lanes = tuple(lanes)
        if self.idle(lanes):
            return True
        deadline = time.monotonic() + timeout_ms / 1000
        loop = QEventLoop()
        poll = QTimer()
        poll.setInterval(POLL_MS)

        def check() -> None:
            if self.idle(lanes) or time.monotonic() >= deadline or (give_up is not None and give_up()):
                loop.quit()

        poll.timeout.connect(check)
        poll.start()
        try:
            loop.exec()
        finally:
            poll.stop()
        return self.idle(lanes)

    def wait(self, timeout_ms: int, lanes: Iterable[Lane] = tuple(Lane)) -> bool:
        """Wait up to ``timeout_ms`` in all (negative: no limit) for the lanes'
        threads to be idle."""
        if timeout_ms < 0:
            return all([self._pools[lane].waitForDone() for lane in lanes])
        deadline = time.monotonic() + timeout_ms / 1000
        stopped = True
        for lane in lanes:
            left = max(0, int((deadline - time.monotonic()) * 1000))
            stopped = self._pools[lane].waitForDone(left) and stopped
        return stopped

    def deliver_queued(self) -> None:
        """Deliver the reports already queued (before a shutdown locks)."""
        QCoreApplication.sendPostedEvents(self, QEvent.Type.MetaCall.value)

    # -- from the pool threads ---------------------------------------------------

    def _progress(self, task_id: int, lane: Lane, value: object) -> None:
        self._emit(TaskReport(task_id, lane, "progress", value))

    def _emit(self, report: TaskReport) -> None:
        # The runner may be gone (the window closed): nobody listens then.
        with contextlib.suppress(RuntimeError):
            self._reported.emit(report)

    # -- in the GUI thread ---------------------------------------------------------

    def _deliver(self, report: TaskReport) -> None:
        live = self._live.get(report.task_id)
        if live is None:
            return  # forgotten or cancelled at lock: nobody may see it
        _handle, callback, owner = live
        if owner is not None and not shiboken6.isValid(owner):
            del self._live[report.task_id]
            return
        if report.finished:
            del self._live[report.task_id]
        callback(report)
