"""Hybrid logical clock: wall-clock milliseconds plus a counter.

One clock per vault stamps both revisions and custody events. Its readings
only move forward, also when the wall clock is set back and across restarts
(the vault starts it from the latest reading stored in either log); when the
wall clock stands still or is behind, the counter counts.

A reading received from elsewhere (a revision from another device) moves the
clock forward only up to the wall clock plus ``MAX_DRIFT_MS``: a device whose
clock is years ahead must not drag this one along, or every later save here
would carry a date in the future (or, at the format's limit, fail). Such a
revision is kept and reported as "clock ahead" (``is_ahead``) by ``verify``.

Readings are bounded by what the format can hold: both numbers are
non-negative integers that JSON carries exactly (RFC 8785 refuses beyond
2^53 - 1), and the counter stays below ``MAX_COUNTER``; when it would pass
that, the clock steps to the next millisecond instead.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

# The largest integer JSON carries exactly (I-JSON, RFC 8785).
MAX_MS = 2**53 - 1
MAX_COUNTER = 2**32 - 1
# How far ahead of this device's wall clock a received reading may pull the
# clock: a day covers time zones set wrong and a laptop a few hours off.
MAX_DRIFT_MS = 24 * 60 * 60 * 1000


@dataclass(frozen=True, order=True)
class Timestamp:
    ms: int
    counter: int

    def as_list(self) -> list[int]:
        return [self.ms, self.counter]

    def in_format(self) -> bool:
        """Whether the vault format can hold this reading."""
        return (
            type(self.ms) is int
            and type(self.counter) is int
            and 0 <= self.ms <= MAX_MS
            and 0 <= self.counter <= MAX_COUNTER
        )


def wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


def is_ahead(reading: Timestamp, wall_ms: int) -> bool:
    """A reading further ahead of ``wall_ms`` than the allowed drift."""
    return reading.ms > wall_ms + MAX_DRIFT_MS


class ClockExhausted(ValueError):
    """The clock reached the largest reading the format holds (it cannot
    happen with a real wall clock and the drift bound: only with a stored
    reading that was already there)."""


class HybridLogicalClock:
    def __init__(self, last: Timestamp, wall_ms: Callable[[], int] | None = None) -> None:
        self.last = last
        self._given_wall_ms = wall_ms

    def _wall_ms(self) -> int:
        # Looked up at each reading, so that a test can set the wall clock of
        # every clock at once (db.hlc.wall_clock_ms), across a reopen too.
        return self._given_wall_ms() if self._given_wall_ms is not None else wall_clock_ms()

    def wall(self) -> int:
        return self._wall_ms()

    def _after(self, ms: int, counter: int) -> Timestamp:
        """(ms, counter), or the next millisecond when the counter is full."""
        if counter > MAX_COUNTER:
            ms, counter = ms + 1, 0
        if ms > MAX_MS:
            raise ClockExhausted("the clock reached the largest reading the vault format holds")
        return Timestamp(ms, counter)

    def observe(self, stored: Timestamp) -> None:
        """Never go below a reading already stored (by this process or another
        one sharing the vault)."""
        if stored > self.last:
            self.last = stored

    def tick(self) -> Timestamp:
        """A reading for a local event: later than every earlier one."""
        wall = self._wall_ms()
        if wall > self.last.ms:
            self.last = self._after(wall, 0)
        else:
            self.last = self._after(self.last.ms, self.last.counter + 1)
        return self.last

    def receive(self, remote: Timestamp) -> Timestamp:
        """Merge a reading seen on another device's revision. A reading ahead
        of the wall clock by more than the drift counts only as far as the
        drift allows."""
        wall = self._wall_ms()
        limit = Timestamp(wall + MAX_DRIFT_MS, 0)
        if remote > limit:
            remote = limit
        top = max(wall, self.last.ms, remote.ms)
        if top == self.last.ms == remote.ms:
            counter = max(self.last.counter, remote.counter) + 1
        elif top == self.last.ms:
            counter = self.last.counter + 1
        elif top == remote.ms:
            counter = remote.counter + 1
        else:
            counter = 0
        self.last = self._after(top, counter)
        return self.last
