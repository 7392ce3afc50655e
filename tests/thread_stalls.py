"""How long a thread was held up by this process, apart from the time the OS
gave the CPU to other processes.

A GUI test's timer (tests.gui_helpers.Ticks) measures the gaps between its
ticks. On a loaded machine (CI: two cores shared, load 6-12) a gap of several
seconds can be all run-queue wait: the GUI thread was ready and the OS ran
something else, which no code of ours causes or can prevent. Linux counts, per
thread, the time spent on a CPU and the time spent waiting on a run queue
(/proc/self/task/<tid>/schedstat, nanoseconds), so a gap splits into:

- on a CPU: the thread worked. Work done on the GUI thread is a freeze however
  loaded the machine is, so all of it counts.
- on a run queue: the OS's doing; left out.
- the rest, asleep: waiting for a lock, the GIL, a transaction, or its own
  timer. Such a wait lasts as long as the holder keeps what it waits for, and
  on a loaded machine the holder, too, waits on a run queue (a worker holding
  the GIL must be run again to let go of it). The other threads' run-queue wait
  in the same gap is therefore left out of the sleep as well, never more than
  the sleep itself. What remains is the holder's own work while it held.
  The price: on a loaded machine a real wait can hide behind the other
  threads' run-queue wait (their sum: a thread that wakes every 2 ms piles up
  seconds of it), so a wait is only sure to be caught on an idle machine;
  work done on the measured thread is caught at any load.

Where the system does not say (macOS, Windows, a kernel without schedstat),
the whole wall-clock gap counts, as a plain timer would.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass

TASKS = "/proc/self/task"
NS = 1e9


@dataclass(frozen=True)
class Snapshot:
    """One moment, taken in the thread it measures."""

    at: float  # time.monotonic()
    thread: int  # that thread's native id
    # Every thread of the process: native id -> (ns on a CPU, ns on a run queue).
    # Empty where the system does not say.
    threads: Mapping[int, tuple[int, int]]


@dataclass(frozen=True)
class Stall:
    """One gap of the measured thread, in seconds."""

    wall: float
    working: float  # on a CPU
    waiting: float  # asleep, less the other threads' run-queue wait
    measured: bool  # False: no schedstat here, the whole gap counts

    @property
    def held_up(self) -> float:
        return self.working + self.waiting if self.measured else self.wall

    def __str__(self) -> str:
        if not self.measured:
            return f"{self.wall:.2f} s on the clock"
        return (
            f"{self.held_up:.2f} s ({self.working:.2f} s working, {self.waiting:.2f} s waiting;"
            f" {self.wall:.2f} s on the clock)"
        )


def _schedstats() -> dict[int, tuple[int, int]]:
    stats: dict[int, tuple[int, int]] = {}
    try:
        entries = list(os.scandir(TASKS))
    except OSError:
        return stats
    for entry in entries:
        try:
            with open(os.path.join(entry.path, "schedstat"), encoding="ascii") as file:
                on_cpu, queued, _slices = file.read().split()
        except (OSError, ValueError):
            continue  # the thread ended meanwhile, or no schedstat
        stats[int(entry.name)] = (int(on_cpu), int(queued))
    return stats


def snapshot(thread: int | None = None) -> Snapshot:
    """Now, for the calling thread, or for ``thread`` (a native id) seen
    from another one: then its time on a CPU may lag by a scheduler tick
    if it is running, and a run-queue wait it is in counts as asleep, which
    can only make a stall look longer."""
    return Snapshot(time.monotonic(), threading.get_native_id() if thread is None else thread, _schedstats())


def stall_between(before: Snapshot, after: Snapshot) -> Stall:
    wall = after.at - before.at
    mine_before = before.threads.get(before.thread)
    mine_after = after.threads.get(after.thread)
    if before.thread != after.thread or mine_before is None or mine_after is None:
        return Stall(wall, working=0.0, waiting=0.0, measured=False)
    working = (mine_after[0] - mine_before[0]) / NS
    queued = (mine_after[1] - mine_before[1]) / NS
    asleep = max(0.0, wall - working - queued)
    # A thread that ended within the gap is missing: its wait is not left
    # out, which can only make the gap look longer.
    others_queued = sum(
        max(0, stats[1] - before.threads.get(tid, (0, 0))[1]) / NS
        for tid, stats in after.threads.items()
        if tid != after.thread
    )
    return Stall(wall, working=working, waiting=max(0.0, asleep - others_queued), measured=True)


class HeldUp:
    """The calling thread's stall over a ``with`` block, for a bound on how
    long a call may keep its caller (a lock, a panic wipe) that a loaded
    machine does not break: ``with HeldUp() as took: window.wipe()``, then
    ``assert took.stall.held_up < 1.0, took.stall``."""

    stall: Stall

    def __enter__(self) -> HeldUp:
        self.started = snapshot()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stall = stall_between(self.started, snapshot())
