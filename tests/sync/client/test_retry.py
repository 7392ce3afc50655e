"""Backoff (sync/client/retry.py): waits double from ``base`` up to ``cap``,
each drawn between half and all of that (equal jitter), so that laptops
that come back online together do not all knock at once."""

from __future__ import annotations

import random

from sync.client.retry import Backoff


def test_the_waits_double_up_to_the_cap_with_jitter_between_half_and_all() -> None:
    low = Backoff(base=1.0, cap=120.0, rng=lambda: 0.0)
    high = Backoff(base=1.0, cap=120.0, rng=lambda: 0.999999)
    assert [low.delay(n) for n in range(9)] == [0.5, 1, 2, 4, 8, 16, 32, 60, 60]
    assert [round(high.delay(n)) for n in range(9)] == [1, 2, 4, 8, 16, 32, 64, 120, 120]
    assert Backoff(cap=120.0).delay(10_000) <= 120.0  # no overflow far out


def test_many_clients_spread_out() -> None:
    seeded = random.Random(7)
    waits = [Backoff(base=8.0, rng=seeded.random).delay(0) for _ in range(200)]
    assert min(waits) >= 4.0 and max(waits) <= 8.0
    assert max(waits) - min(waits) > 3.0  # not all at the same moment


def test_wait_sleeps_the_delay() -> None:
    slept: list[float] = []
    backoff = Backoff(base=2.0, rng=lambda: 0.5, sleep=slept.append)
    backoff.wait(0)
    backoff.wait(2)
    assert slept == [1.5, 6.0]
