"""A send-back whose stored copy the server lost is not set aside for good
(docs/sync.md §2.1; issue 14, H4): the server's 410
``bundle-payload-missing`` is a refusal of that bundle tried again with the
usual waits (``sync-payload-missing``), since the server's operator may
restore the file; put back, it is imported. Before the server said so, its
download broke off and the worker's whole sync stopped as a dropped link.

The world of test_inbox_retry.py (a real server on loopback; the
coordinator's send-back to the second worker on it), with the second
worker's vault made able to import it; the stored file, the one the
coordinator's upload made, deleted."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from sync.client.inbox import MAX_ATTEMPTS, RETRY_CAP_MS, RETRY_FIRST_MS, inbox_refusals
from tests.sync.client.sync_helpers import SavedOrg
from tests.sync.client.test_inbox_retry import Clock, Scene, saved_scene  # noqa: F401 (the fixture)


@pytest.fixture
def lost(saved_scene: tuple[SavedOrg, str], tmp_path: Path) -> Iterator[tuple[Scene, Path, bytes]]:  # noqa: F811
    world, testimony_id = saved_scene
    with world.copy(tmp_path) as org:
        first, second = org.workers
        scene = Scene(org, first, second, testimony_id, Clock())
        second.sync.set_device_status(first.device_id, "enrolled")  # nothing in its vault refuses it now
        with sqlite3.connect(org.data / "server.db") as db:
            ((key,),) = db.execute(
                "SELECT bundle_key FROM bundles JOIN inbox ON inbox.bundle_id = bundles.bundle_id"
                " WHERE inbox.addressee = ?",
                (second.device_id,),
            ).fetchall()
        stored = org.data / "payloads" / "bundles" / key
        intact = stored.read_bytes()
        stored.unlink()
        yield scene, stored, intact


def test_a_send_back_the_server_lost_is_tried_again_and_taken_once_put_back(
    lost: tuple[Scene, Path, bytes],
) -> None:
    scene, stored, intact = lost
    taken = scene.take()  # stopped the whole sync before (sync-offline)
    assert taken.received == []
    (refusal,) = taken.inbox_refusals
    assert (refusal.code, refusal.attempts, refusal.set_aside) == ("sync-payload-missing", 1, False)
    assert refusal.next_ms == scene.clock.ms + RETRY_FIRST_MS

    stored.write_bytes(intact)  # the operator restores it
    scene.clock.ms += RETRY_FIRST_MS
    again = scene.take()
    assert [r.device_id for r in again.received] == [scene.org.coordinator.device_id]
    assert again.refused == [] and inbox_refusals(scene.second) == []
    assert scene.second.testimonies.get(scene.testimony_id).narrative == "Witness W-1"


def test_a_lost_send_back_is_never_set_aside_and_comes_once_restored_days_later(
    lost: tuple[Scene, Path, bytes],
) -> None:
    """Review 19 F2: a restore from backup can take longer than the tries of
    a refused bundle last (six, ~5 h of waits); a lost copy keeps being
    asked for, at the longest wait, and is taken once it is back."""
    scene, stored, intact = lost
    for attempt in range(1, MAX_ATTEMPTS + 3):
        (refusal,) = scene.take().inbox_refusals
        assert (refusal.code, refusal.attempts, refusal.set_aside) == ("sync-payload-missing", attempt, False)
        assert refusal.next_ms is not None
        scene.clock.ms = refusal.next_ms
    stored.write_bytes(intact)  # restored two days later
    scene.clock.ms += 2 * RETRY_CAP_MS
    again = scene.take()
    assert [r.device_id for r in again.received] == [scene.org.coordinator.device_id]
    assert inbox_refusals(scene.second) == []
