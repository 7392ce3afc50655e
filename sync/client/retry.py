"""Retries for slow, flaky links: exponential backoff with jitter.

A dropped hotel Wi-Fi or a phone hotspot going to sleep is the normal case,
not an error: the sync client waits 1, 2, 4 … seconds (up to ``cap``),
each wait drawn between half and all of that ("equal jitter", so that many
laptops coming back online together do not knock at the same moment), and
gives up after ``attempts`` tries in one run; what was queued stays queued
for the next run."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Backoff:
    base: float = 1.0  # seconds before the first retry (before jitter)
    cap: float = 120.0  # never wait longer than this between two tries
    attempts: int = 6  # tries in one run, the first included
    sleep: Callable[[float], None] = time.sleep
    rng: Callable[[], float] = field(default=random.random)

    def delay(self, retry: int) -> float:
        """The wait before retry number ``retry`` (0 for the first retry)."""
        # min() on the exponent first: a worker offline for days counts
        # thousands of failures, and 2.0 ** 1100 overflows.
        ceiling = min(self.cap, self.base * (2.0 ** min(retry, 60)))
        return ceiling * (0.5 + self.rng() / 2)

    def wait(self, retry: int) -> None:
        self.sleep(self.delay(retry))


def doubling_wait_ms(attempts: int, first_ms: int, cap_ms: int) -> int:
    """The wait after the ``attempts``-th failed try of one thing that is
    tried again at later syncs (not within a run, as ``Backoff``):
    ``first_ms``, doubled at each further failure, at most ``cap_ms``. No
    jitter: the next try is due at the first sync after it, and syncs are
    spread already."""
    # min() on the exponent first, as in Backoff.delay: 2 ** 10_000 is a
    # number Python builds, slowly, for nothing.
    exponent: int = min(max(attempts - 1, 0), 40)
    return min(cap_ms, first_ms * (1 << exponent))
