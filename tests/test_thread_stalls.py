"""tests/thread_stalls.py, which the GUI tests' freeze checks (Ticks) rest on:
a thread's own work and its wait on a lock count; the time the OS ran another
process in its place does not."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest

from tests import thread_stalls

pytestmark = pytest.mark.skipif(
    not thread_stalls.snapshot().threads or not hasattr(os, "sched_setaffinity"),
    reason="Linux's per-thread scheduler statistics (schedstat) are needed",
)


def _spin(seconds: float) -> None:
    """Work on a CPU, never sleeping, for ``seconds`` of this thread's CPU time."""
    until = time.thread_time() + seconds
    while time.thread_time() < until:
        pass


@pytest.fixture
def sharing_one_cpu() -> Iterator[None]:
    """This thread and a busy process pinned to the same CPU: whatever else
    the machine runs, this thread waits on the run queue about half the time."""
    cpu = min(os.sched_getaffinity(0))
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {cpu})  # 0: the calling thread only
    # It says when it spins, and we wait for that: a fixed 0.2 s is not
    # always enough for a Python to start (its reads from disk wait behind
    # another test's writes, the CPU it is pinned to idle meanwhile), and a
    # rival not yet spinning leaves this thread the CPU: the gap is then too
    # short for the test's claim.
    spins = "import os; os.sched_setaffinity(0, {%d}); print('spinning', flush=True)\nwhile True: pass"
    rival = subprocess.Popen([sys.executable, "-c", spins % cpu], stdout=subprocess.PIPE, text=True)
    try:
        assert rival.stdout is not None
        assert rival.stdout.readline() == "spinning\n"  # "" if it died first
        yield
    finally:
        rival.kill()
        rival.communicate()  # reaped, its pipe closed
        os.sched_setaffinity(0, before)


def test_the_time_another_process_ran_in_its_place_is_left_out(sharing_one_cpu: None) -> None:
    before = thread_stalls.snapshot()
    _spin(0.4)
    stall = thread_stalls.stall_between(before, thread_stalls.snapshot())
    assert stall.measured
    assert stall.wall > 0.6, stall  # the rival had about half the CPU
    assert 0.35 < stall.held_up < 0.5, stall  # but only the work counts
    assert stall.waiting < 0.05, stall


def test_waiting_for_a_lock_that_another_thread_holds_counts() -> None:
    lock = threading.Lock()
    held = threading.Event()

    def holder() -> None:
        with lock:
            held.set()
            time.sleep(0.6)  # asleep, not queued: nothing the OS did

    thread = threading.Thread(target=holder)
    thread.start()
    held.wait()
    before = thread_stalls.snapshot()
    with lock:
        stall = thread_stalls.stall_between(before, thread_stalls.snapshot())
    thread.join()
    assert stall.working < 0.1, stall
    assert stall.waiting > 0.45, stall


def test_a_snapshot_of_another_thread_is_not_measured() -> None:
    """Both ends must be taken in the thread measured: otherwise the whole
    wall-clock gap counts, as without schedstat."""
    before = thread_stalls.snapshot()
    taken: list[thread_stalls.Snapshot] = []
    thread = threading.Thread(target=lambda: taken.append(thread_stalls.snapshot()))
    thread.start()
    thread.join()
    stall = thread_stalls.stall_between(before, taken[0])
    assert not stall.measured and stall.held_up == stall.wall
