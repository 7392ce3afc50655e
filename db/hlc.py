"""Hybrid logical clock: wall-clock milliseconds plus a counter.

Readings only move forward even when the wall clock jumps back, and after
receiving a remote reading a local one is always later, so revision order
follows causality across devices whose clocks disagree.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Timestamp:
    ms: int
    counter: int

    def as_list(self) -> list[int]:
        return [self.ms, self.counter]


class HybridLogicalClock:
    def __init__(self, last: Timestamp, wall_ms: Callable[[], int] | None = None) -> None:
        self.last = last
        self._wall_ms = wall_ms or (lambda: time.time_ns() // 1_000_000)

    def tick(self) -> Timestamp:
        """A reading for a local event."""
        wall = self._wall_ms()
        if wall > self.last.ms:
            self.last = Timestamp(wall, 0)
        else:
            self.last = Timestamp(self.last.ms, self.last.counter + 1)
        return self.last

    def receive(self, remote: Timestamp) -> Timestamp:
        """Merge a reading seen on another device's revision."""
        wall = self._wall_ms()
        top = max(wall, self.last.ms, remote.ms)
        if top == self.last.ms == remote.ms:
            counter = max(self.last.counter, remote.counter) + 1
        elif top == self.last.ms:
            counter = self.last.counter + 1
        elif top == remote.ms:
            counter = remote.counter + 1
        else:
            counter = 0
        self.last = Timestamp(top, counter)
        return self.last
