"""The task runner (desktop/tasks.py): plain-Python tasks on lanes, one report
type delivered in the GUI thread, cancel-and-wait at lock.

Real runner, real threads; waits are qtbot.waitUntil / waitSignal or thread
events, never fixed sleeps."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QWidget

from db.blobstore import IntakeCancelled
from db.errors import StorageError
from desktop.tasks import Lane, TaskContext, TaskReport, TaskRunner

WAIT_MS = 10_000


@pytest.fixture
def runner(qtbot) -> Iterator[TaskRunner]:
    window = QWidget()  # owns the runner, as the main window does
    qtbot.addWidget(window)
    runner = TaskRunner(window)
    yield runner
    runner.cancel_all_and_wait(WAIT_MS, list(Lane))


def collect(reports: list[TaskReport]):
    return reports.append


def test_a_task_runs_off_the_gui_thread_and_reports_in_it_in_order(qtbot, runner):
    gui = threading.get_ident()
    ran_in: list[int] = []
    delivered_in: list[int] = []
    reports: list[TaskReport] = []

    def task(context: TaskContext) -> str:
        ran_in.append(threading.get_ident())
        for step in range(3):
            context.progress(step)
        return "done"

    def on_report(report: TaskReport) -> None:
        delivered_in.append(threading.get_ident())
        reports.append(report)

    handle = runner.start(Lane.INTAKE, task, on_report)
    qtbot.waitUntil(lambda: bool(reports) and reports[-1].finished, timeout=WAIT_MS)
    assert ran_in and ran_in[0] != gui
    assert set(delivered_in) == {gui}, "a report reached a callback outside the GUI thread"
    assert [(r.state, r.value) for r in reports] == [
        ("progress", 0),
        ("progress", 1),
        ("progress", 2),
        ("succeeded", "done"),
    ]
    assert {r.task_id for r in reports} == {handle.task_id} and handle.done
    assert runner.running() == []


def test_failures_keep_the_vaults_error_and_only_the_type_of_others(qtbot, runner):
    reports: list[TaskReport] = []

    def vault_error(_context: TaskContext) -> None:
        raise StorageError("writing a blob", OSError(28, "No space left on device"))

    def leaky(_context: TaskContext) -> None:
        raise ValueError("witness Olena Petrenko, Bucha, phone +380 67 000 0000")

    runner.start(Lane.EXPORT, vault_error, collect(reports))
    runner.start(Lane.EXPORT, leaky, collect(reports))
    qtbot.waitUntil(lambda: len(reports) == 2, timeout=WAIT_MS)
    first, second = reports
    assert first.state == "failed" and first.failure is not None
    assert isinstance(first.failure.error, StorageError) and first.failure.error.__traceback__ is None
    assert second.state == "failed" and second.failure is not None
    assert second.failure.error is None and second.failure.error_type == "ValueError"
    assert "Petrenko" not in repr(second), "a foreign error's message travelled with the report"


def test_the_cores_cancellation_is_reported_as_cancelled(qtbot, runner):
    reports: list[TaskReport] = []

    def cancelled(_context: TaskContext) -> None:
        raise IntakeCancelled()

    runner.start(Lane.INTAKE, cancelled, collect(reports))
    qtbot.waitUntil(lambda: bool(reports), timeout=WAIT_MS)
    assert reports[0].state == "cancelled"


def test_a_busy_lane_does_not_hold_up_another(qtbot, runner):
    release = threading.Event()
    reports: list[TaskReport] = []
    runner.start(Lane.INTAKE, lambda _c: release.wait(WAIT_MS / 1000), collect(reports))
    runner.start(Lane.SEARCH, lambda _c: "hits", collect(reports))
    try:
        qtbot.waitUntil(lambda: bool(reports), timeout=WAIT_MS)
        assert [(r.lane, r.value) for r in reports] == [(Lane.SEARCH, "hits")]
    finally:
        release.set()
    qtbot.waitUntil(lambda: len(reports) == 2, timeout=WAIT_MS)


def test_cancel_all_and_wait_stops_running_and_queued_tasks_and_drops_their_reports(qtbot, runner):
    started = threading.Event()
    hook_ran = threading.Event()
    queued_ran = threading.Event()
    reports: list[TaskReport] = []

    def long_task(context: TaskContext) -> str:
        context.on_cancel(hook_ran.set)  # e.g. kill a parser child
        started.set()
        for _ in range(1000):
            if context.cancelled:
                raise IntakeCancelled()
            context.progress("still going")
            threading.Event().wait(0.01)
        return "finished anyway"

    def queued(_context: TaskContext) -> None:
        queued_ran.set()

    runner.start(Lane.INTAKE, long_task, collect(reports))
    runner.start(Lane.INTAKE, queued, collect(reports))  # waits for the lane's one thread
    assert started.wait(WAIT_MS / 1000)
    vault_lane: list[TaskReport] = []
    runner.start(Lane.VAULT, lambda _c: "unlocked", collect(vault_lane))

    assert runner.cancel_all_and_wait(WAIT_MS)
    assert hook_ran.is_set() and not queued_ran.is_set()
    shown = len(reports)
    qtbot.waitUntil(lambda: bool(vault_lane), timeout=WAIT_MS)  # the event loop ran meanwhile
    assert len(reports) == shown, "a task cancelled at lock still reported"
    assert all(r.state == "progress" for r in reports)
    assert vault_lane[0].value == "unlocked", "the vault lane is not stopped at lock"


def test_a_report_for_a_deleted_owner_is_dropped(qtbot, runner):
    owner = QWidget()
    release = threading.Event()
    reports: list[TaskReport] = []
    runner.start(Lane.VIEWER, lambda _c: release.wait(WAIT_MS / 1000), collect(reports), owner=owner)
    marker: list[TaskReport] = []
    owner.deleteLater()
    qtbot.waitUntil(lambda: not _valid(owner), timeout=WAIT_MS)
    release.set()
    runner.start(Lane.VIEWER, lambda _c: None, collect(marker))
    assert runner.wait(WAIT_MS, [Lane.VIEWER])
    qtbot.waitUntil(lambda: bool(marker), timeout=WAIT_MS)
    assert reports == []


def test_cancelling_one_task_runs_its_hook_at_once_from_the_gui_thread(qtbot, runner):
    started = threading.Event()
    killed = threading.Event()
    reports: list[TaskReport] = []

    def task(context: TaskContext) -> None:
        context.on_cancel(killed.set)
        started.set()
        killed.wait(WAIT_MS / 1000)
        raise RuntimeError("the child was killed")

    handle = runner.start(Lane.VIEWER, task, collect(reports))
    assert started.wait(WAIT_MS / 1000)
    handle.cancel()
    assert killed.is_set()
    qtbot.waitUntil(lambda: bool(reports), timeout=WAIT_MS)
    assert reports[0].state == "cancelled", "a failure after a cancel is the cancel's consequence"


def _valid(obj: QWidget) -> bool:
    import shiboken6

    return shiboken6.isValid(obj)
