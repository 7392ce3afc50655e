"""The hybrid logical clock never goes back: not when the wall clock is set
back, not across a restart, not between revisions and custody events (one
clock stamps both); and a reading from a device whose clock is far ahead
moves it at most the allowed drift past the wall clock.

The wall clock is faked: ``HybridLogicalClock(wall_ms=…)`` for the clock
alone, and ``db.hlc.wall_clock_ms`` for a real vault across a lock and reopen.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

import db.hlc
from db.device import DeviceIdentity
from db.hlc import MAX_COUNTER, MAX_DRIFT_MS, MAX_MS, ClockExhausted, HybridLogicalClock, Timestamp
from db.model import CustodyEventRow, RevisionRow
from db.revisions import create_revision
from db.vault import Vault
from tests.evidence_samples import make_random
from tests.factory import make_case
from tests.vault_helpers import open_vault

T = 1_767_000_000_000  # a wall-clock reading in ms (late 2025)
HOUR = 60 * 60 * 1000


class FakeWall:
    def __init__(self, ms: int) -> None:
        self.ms = ms

    def __call__(self) -> int:
        return self.ms


# -- the clock alone ---------------------------------------------------------------


def test_a_wall_clock_set_back_does_not_move_readings_back() -> None:
    wall = FakeWall(T)
    clock = HybridLogicalClock(Timestamp(0, 0), wall_ms=wall)
    first = clock.tick()
    wall.ms = T - HOUR
    second, third = clock.tick(), clock.tick()
    assert first == Timestamp(T, 0)
    assert second == Timestamp(T, 1) and third == Timestamp(T, 2)  # the counter counts
    wall.ms = T + 1
    assert clock.tick() == Timestamp(T + 1, 0)


def test_equal_wall_readings_count_up() -> None:
    clock = HybridLogicalClock(Timestamp(0, 0), wall_ms=FakeWall(T))
    assert [clock.tick() for _ in range(3)] == [Timestamp(T, 0), Timestamp(T, 1), Timestamp(T, 2)]


def test_a_full_counter_steps_to_the_next_millisecond() -> None:
    clock = HybridLogicalClock(Timestamp(T, MAX_COUNTER), wall_ms=FakeWall(T - HOUR))
    assert clock.tick() == Timestamp(T + 1, 0)
    assert clock.receive(Timestamp(T + 1, MAX_COUNTER)) == Timestamp(T + 2, 0)


def test_the_largest_reading_is_refused_not_exceeded() -> None:
    clock = HybridLogicalClock(Timestamp(MAX_MS, MAX_COUNTER), wall_ms=FakeWall(T))
    with pytest.raises(ClockExhausted):
        clock.tick()


def test_a_reading_within_the_drift_is_followed() -> None:
    clock = HybridLogicalClock(Timestamp(0, 0), wall_ms=FakeWall(T))
    assert clock.receive(Timestamp(T + HOUR, 7)) == Timestamp(T + HOUR, 8)
    assert clock.tick() == Timestamp(T + HOUR, 9)


def test_a_reading_far_ahead_moves_the_clock_only_to_the_drift_bound() -> None:
    clock = HybridLogicalClock(Timestamp(0, 0), wall_ms=FakeWall(T))
    received = clock.receive(Timestamp(MAX_MS, 5))
    assert received == Timestamp(T + MAX_DRIFT_MS, 1)
    assert clock.tick() == Timestamp(T + MAX_DRIFT_MS, 2)
    assert db.hlc.is_ahead(Timestamp(MAX_MS, 5), T)
    assert not db.hlc.is_ahead(Timestamp(T + MAX_DRIFT_MS, 5), T)


@settings(max_examples=200, deadline=None)
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(["tick", "receive", "observe"]),
            st.integers(min_value=-30 * 24 * HOUR, max_value=30 * 24 * HOUR),  # wall clock moves
            st.integers(min_value=-30 * 24 * HOUR, max_value=10**6 * HOUR),  # remote offset
            st.integers(min_value=0, max_value=MAX_COUNTER),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_readings_always_increase_and_stay_within_the_drift(steps: list[tuple[str, int, int, int]]) -> None:
    wall = FakeWall(T)
    clock = HybridLogicalClock(Timestamp(0, 0), wall_ms=wall)
    highest_wall = 0
    previous = clock.last
    for action, wall_offset, remote_offset, counter in steps:
        wall.ms = T + wall_offset
        highest_wall = max(highest_wall, wall.ms)
        remote = Timestamp(min(MAX_MS, max(0, wall.ms + remote_offset)), counter)
        if action == "observe":
            clock.observe(min(remote, Timestamp(highest_wall + MAX_DRIFT_MS, 0)))
            continue
        reading = clock.tick() if action == "tick" else clock.receive(remote)
        assert reading > previous
        assert reading.in_format()
        # Never further ahead than the drift past the latest wall reading
        # (plus one ms when a full counter stepped over).
        assert reading.ms <= highest_wall + MAX_DRIFT_MS + 1
        previous = reading


# -- a real vault: one clock for revisions and custody events, across a reopen -------------


def readings(vault: Vault) -> list[tuple[Timestamp, str]]:
    """Every reading either log holds, with what it stamps."""
    with vault.services.context.sessions() as session:
        revisions = [
            (Timestamp(r.hlc_ms, r.hlc_counter), f"revision {r.revision_id[:8]}")
            for r in session.scalars(select(RevisionRow))
        ]
        events = [
            (Timestamp(*json.loads(e.signed)["hlc"]), f"custody event {e.seq}")
            for e in session.scalars(select(CustodyEventRow).order_by(CustodyEventRow.seq))
        ]
    return revisions + events


def test_after_a_reopen_with_the_wall_clock_set_back_every_reading_is_new_and_later(
    vault_dir: Path, vault: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Today's failure: custody events did not save the clock, so after a
    restart with the wall clock set back an hour a custody event got an earlier
    time than the one before it, and a later revision reused a reading."""
    wall = FakeWall(T)
    monkeypatch.setattr(db.hlc, "wall_clock_ms", wall)
    vault.lock()
    vault = open_vault(vault_dir)
    case = make_case(vault)
    item = vault.evidence.ingest(make_random(tmp_path / "photo.jpg", 3000), case.id).item
    with vault.evidence.open(item.id) as reader:  # a custody event, no revision
        reader.read()
    assert vault.verify().ok  # more custody events
    before = readings(vault)
    vault.lock()

    wall.ms = T - HOUR
    vault = open_vault(vault_dir)
    try:
        with vault.evidence.open(item.id) as reader:
            reader.read()
        vault.cases.edit(case.id, title="renamed after the clock was set back")
        after = readings(vault)
    finally:
        vault.lock()
    new = [entry for entry in after if entry not in before]
    assert len(new) == 2
    assert min(reading for reading, _what in new) > max(reading for reading, _what in before)
    stamps = [reading for reading, _what in after]
    assert len(set(stamps)) == len(stamps), "a reading was used twice"
    # The custody log's readings follow its order.
    events = [reading for reading, what in after if what.startswith("custody")]
    assert events == sorted(events)


def test_two_processes_sharing_a_vault_never_reuse_a_reading(
    vault_dir: Path, vault: Vault, tmp_path: Path
) -> None:
    """A second opening (the CLI while the GUI is open) writes; the first one's
    next reading still comes after it."""
    case = make_case(vault)
    item = vault.evidence.ingest(make_random(tmp_path / "photo.jpg", 3000), case.id).item
    other = open_vault(vault_dir)
    try:
        # The other process's clock runs ahead (its wall reading is later).
        far = vault.services.context.clock.last
        other.services.context.clock.observe(Timestamp(far.ms + HOUR, 0))
        other.cases.edit(case.id, title="edited elsewhere")
        with other.evidence.open(item.id) as reader:
            reader.read()
    finally:
        other.lock()
    before = readings(vault)
    vault.cases.edit(case.id, title="edited here")
    with vault.evidence.open(item.id) as reader:
        reader.read()
    new = [reading for reading, _what in readings(vault) if (reading, _what) not in before]
    assert len(new) == 2
    assert min(new) > max(reading for reading, _what in before) >= Timestamp(far.ms + HOUR, 0)


def test_a_received_revision_far_ahead_leaves_the_clock_within_the_drift_after_reopen(
    vault_dir: Path, vault: Vault
) -> None:
    stranger = DeviceIdentity.generate()
    far = Timestamp(MAX_MS, 0)
    vault.revisions.apply(
        [
            create_revision(
                stranger,
                entity_id="01900000-0000-7000-8000-00000000f00d",
                entity_type="case",
                op="put",
                body={"title": "from a clock at the end of time", "description": "", "notes": ""},
                parents=[],
                hlc=far,
            )
        ]
    )
    vault.lock()
    reopened = open_vault(vault_dir)
    try:
        case = make_case(reopened)
        mine = reopened.cases.history(case.id)[-1].hlc
        assert mine.ms <= db.hlc.wall_clock_ms() + MAX_DRIFT_MS
        assert make_case(reopened, title="and another").revision
    finally:
        reopened.lock()
