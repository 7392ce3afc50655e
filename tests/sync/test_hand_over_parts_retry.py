"""A split history hand-over whose first part the new desk refused once
(review 17 F7): its later parts are refused too (``hand-over-part``: the
part before is missing), and the inbox tries them all again later. Retried
in bundle-id order (random), a later part went before its predecessor and
spent an attempt (set aside for good after MAX_ATTEMPTS); each sender's are
now tried in sequence order, so one retry run takes the whole series.

Real vaults, a real server on loopback, the world of test_desk_hand_over
(Kyiv took the worker's bundles 1..3, added Lviv, and its round delivered
the hand-over to Lviv's inbox); the part limit lowered so that it has
several parts. The first part's stored copy is damaged (a failing disk)
for Lviv's first run and repaired before the second."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from db.api import SyncClientState
from sync.bundle import hand_over as hand_over_module
from sync.bundle.reader import check_header
from sync.client.hand_over_sync import HAND_OVER_STATE
from sync.client.inbox import MAX_ATTEMPTS, RETRY_CAP_MS, inbox_refusals, receive_inbox
from tests.sync.client.sync_helpers import quick_backoff
from tests.sync.client.test_pull_stuck import Clock, damage
from tests.sync.desk_world import assert_verified, heads_hash
from tests.sync.test_desk_hand_over import desk_added_after_three_bundles


def _stored_copy(server_data: Path, bundle_id: str) -> Path:
    """The server's stored file of a bundle (named at random there), by its header."""
    (found,) = (
        p for p in (server_data / "payloads" / "bundles").iterdir() if check_header(p).bundle_id == bundle_id
    )
    return found


def test_parts_refused_behind_their_first_are_all_taken_in_one_retry_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hand_over_module, "MAX_PART_LINES", 2)
    with desk_added_after_three_bundles(tmp_path) as desks:  # Kyiv's round delivered the hand-over
        kyiv, lviv = desks.kyiv, desks.lviv
        watched = json.loads(SyncClientState.of(kyiv).value(HAND_OVER_STATE) or "{}")["watch"][lviv.device_id]
        parts = watched["parts"]
        assert len(parts) >= 4  # a bundle-id order that is the sequence order: 1 in 24 at most
        stored = _stored_copy(tmp_path / "server", parts[0])
        intact = damage(stored)
        clock = Clock()

        receive_inbox(lviv, backoff=quick_backoff(), now_ms=clock)
        refused = {r.bundle_id: r for r in inbox_refusals(lviv)}
        assert set(refused) == set(parts) and refused[parts[0]].code == "sync-download-mismatch"
        assert {refused[p].code for p in parts[1:]} == {"bundle-hand-over-part"}

        stored.write_bytes(intact)  # the operator's repair
        clock.ms += RETRY_CAP_MS  # every wait is over
        receive_inbox(lviv, backoff=quick_backoff(), now_ms=clock)
        assert inbox_refusals(lviv) == []
        assert all(lviv.sync.received_bundle(p) is not None for p in parts)
        assert heads_hash(lviv) == heads_hash(kyiv)
        assert_verified(lviv)


def test_later_parts_spend_no_attempt_while_their_first_stays_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review 18 R5: the first part's copy stays damaged for days. Its later
    parts are not tried while it is refused (so they are not set aside
    after MAX_ATTEMPTS on its account), and the run that takes it takes
    them."""
    monkeypatch.setattr(hand_over_module, "MAX_PART_LINES", 2)
    with desk_added_after_three_bundles(tmp_path) as desks:
        kyiv, lviv = desks.kyiv, desks.lviv
        watched = json.loads(SyncClientState.of(kyiv).value(HAND_OVER_STATE) or "{}")["watch"][lviv.device_id]
        parts = watched["parts"]
        stored = _stored_copy(tmp_path / "server", parts[0])
        intact = damage(stored)
        clock = Clock()
        receive_inbox(lviv, backoff=quick_backoff(), now_ms=clock)
        for _ in range(MAX_ATTEMPTS - 2):
            clock.ms += RETRY_CAP_MS  # every wait over: a daily sync
            receive_inbox(lviv, backoff=quick_backoff(), now_ms=clock)
        refused = {r.bundle_id: r for r in inbox_refusals(lviv)}
        assert refused[parts[0]].attempts == MAX_ATTEMPTS - 1 and not refused[parts[0]].set_aside
        # Before, each spent an attempt at every run (5 of 6), in step with part 1.
        assert {(refused[p].code, refused[p].attempts) for p in parts[1:]} == {("bundle-hand-over-part", 1)}

        stored.write_bytes(intact)  # the operator's repair
        clock.ms = refused[parts[0]].next_ms or 0  # part 1's wait over: all taken in that run
        receive_inbox(lviv, backoff=quick_backoff(), now_ms=clock)
        assert inbox_refusals(lviv) == []
        assert all(lviv.sync.received_bundle(p) is not None for p in parts)
        assert heads_hash(lviv) == heads_hash(kyiv)
        assert_verified(lviv)
