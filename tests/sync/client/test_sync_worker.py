"""The background sync worker (sync/client/worker.py) against a real server:
it notices the server coming back by trying with backoff, shows what is
queued, the progress of an upload with its speed and time left and the
last error in code, obeys pause / resume / sync now, and never holds the
vault while it uploads: a save made during an upload is stored at once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sync.client.retry import Backoff
from sync.client.worker import IDLE, PAUSED, PAUSING, SYNCING, WAITING, SyncStatus, SyncWorker
from tests import thread_stalls
from tests.sync.client.sync_helpers import CuttingProxy, Org, add_testimony, organisation, record_work

FAST_RETRY = Backoff(base=0.05, cap=0.2)  # the worker's own schedule, shortened for the test


@pytest.fixture
def org(tmp_path: Path) -> Iterator[Org]:
    with organisation(tmp_path) as made:
        yield made


def test_the_worker_waits_while_the_server_is_down_and_delivers_when_it_returns(
    org: Org, tmp_path: Path
) -> None:
    vault = org.worker("anna")
    record_work(vault, tmp_path, "anna")
    org.stop_server()
    seen: list[SyncStatus] = []
    worker = SyncWorker(vault, interval=3600, retry=FAST_RETRY, on_change=seen.append)
    worker.start()
    try:
        down = worker.wait_until(lambda s: s.state == WAITING and s.last_error is not None, 30)
        assert down.last_error is not None and down.last_error.code == "sync-offline"
        assert down.queued == 1 and down.last_success_ms is None
        # It keeps trying by itself (backoff), and the server comes back.
        failures_seen = sum(1 for s in seen if s.state == WAITING)
        worker.wait_until(lambda _s: sum(1 for s in seen if s.state == WAITING) > failures_seen, 30)
        org.start_server()
        up = worker.wait_until(lambda s: s.last_success_ms is not None, 30)
        assert up.state == IDLE and up.queued == 0 and up.sent == 1 and up.last_error is None
        assert up.next_try_in is None or up.next_try_in == 3600
    finally:
        worker.stop()
    assert worker.status.state == "stopped"


def test_pause_holds_sync_now_and_resume_lets_it_run(org: Org, tmp_path: Path) -> None:
    vault = org.worker("anna")
    record_work(vault, tmp_path, "anna")
    worker = SyncWorker(vault, interval=3600, retry=FAST_RETRY)
    worker.pause()
    worker.start()
    try:
        worker.sync_now()
        paused = worker.wait_until(lambda s: s.state == PAUSED and s.next_try_in is None, 10)
        assert paused.last_success_ms is None and paused.queued == 0  # nothing was even bundled
        worker.resume()
        done = worker.wait_until(lambda s: s.last_success_ms is not None, 30)
        assert done.sent == 1
        add_testimony(vault, "later")
        worker.sync_now()
        worker.wait_until(lambda s: s.sent == 1 and s.last_success_ms != done.last_success_ms, 30)
    finally:
        worker.stop()


def test_a_try_begun_as_pause_lands_is_shown_pausing_then_paused(org: Org, tmp_path: Path) -> None:
    """The worker's thread reads the pause before each try; a Pause that
    lands just after that read, before the try began, lets that one try run.
    It is shown as pausing, never as syncing, and paused once it ended (here
    run_once in the test's thread, right after pause(), is that try)."""
    vault = org.worker("anna")
    record_work(vault, tmp_path, "anna")
    seen: list[SyncStatus] = []
    worker = SyncWorker(vault, interval=3600, retry=FAST_RETRY, on_change=seen.append)
    worker.pause()
    done = worker.run_once()
    states = [status.state for status in seen]
    assert SYNCING not in states and states[0] == PAUSED and PAUSING in states, states
    assert all(status.last_success_ms is None for status in seen if status.state == PAUSING)
    assert done.state == PAUSED and done.sent == 1 and done.queued == 0


def test_an_upload_shows_speed_and_time_left_and_a_save_during_it_is_not_held_up(
    org: Org, tmp_path: Path
) -> None:
    vault = org.worker("anna")
    record_work(vault, tmp_path, "anna", size=4 * 1024 * 1024)
    slow = CuttingProxy(org.port, every=1 << 40, cuts=0, pace=0.02)
    seen: list[SyncStatus] = []
    org.point_at(slow.url, org.server.cert_sha256)
    worker = SyncWorker(vault, interval=3600, retry=FAST_RETRY, on_change=seen.append, chunk=128 * 1024)
    worker.start()
    try:
        moving = worker.wait_until(
            lambda s: s.progress is not None and s.progress.bytes_per_second is not None, 60
        )
        assert moving.progress is not None and 0 < moving.progress.done < moving.progress.total
        assert moving.progress.seconds_left is not None and moving.progress.seconds_left > 0
        # The user saves while the upload runs: stored at once, the upload goes on.
        # Held up, not wall clock: at load 12 that is mostly other processes' turn.
        with thread_stalls.HeldUp() as saving:
            add_testimony(vault, "written during the upload")
        assert saving.stall.held_up < 2.0, saving.stall
        assert worker.status.last_success_ms is None
        done = worker.wait_until(lambda s: s.last_success_ms is not None, 120)
        assert done.sent == 1 and done.progress is None
    finally:
        worker.stop()
        slow.close()
    assert any(s.progress and s.progress.done == s.progress.total for s in seen)


def test_an_unexpected_failure_is_shown_by_its_type_and_the_worker_keeps_going(
    org: Org, tmp_path: Path
) -> None:
    vault = org.worker("anna")
    record_work(vault, tmp_path, "anna")
    blocker = vault.folder / "sync-spool"
    blocker.write_bytes(b"")  # a file where the spool folder goes: not an error sync knows
    worker = SyncWorker(vault, interval=3600, retry=FAST_RETRY)
    worker.start()
    try:
        stuck = worker.wait_until(lambda s: s.last_error is not None, 30)
        assert stuck.state == WAITING and stuck.last_error is not None
        assert (stuck.last_error.code, stuck.last_error.params) == (
            "sync-unexpected",
            {"kind": "FileExistsError"},
        )
        blocker.unlink()
        done = worker.wait_until(lambda s: s.last_success_ms is not None, 30)  # it kept trying
        assert done.sent == 1 and done.last_error is None
    finally:
        worker.stop()
