"""A coordinator's pull goes on past a bundle whose stored copy the server
lost, and a pull stopped on the way keeps what it learned (issue 14, H4;
docs/sync.md §2 "A bundle stuck on the server").

The world of test_pull_stuck.py (a real server on loopback, the
coordinator's and two workers' real vaults): the first worker's bundles 2
and 3 and the second's bundle 2 on the server, not pulled yet. Here the
first worker's bundle 2 is not damaged but gone from the server's disk (the
file the test's push made, deleted). Before, its download broke off and
the whole pull stopped as a dropped link, every worker's bundles behind it;
now the server answers 410 ``bundle-payload-missing`` for it alone, and the
pull records it as stuck (``sync-payload-missing``) and goes on."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from db.api import SyncClientState
from sync.bundle.vault_io import import_bundle
from sync.client.errors import SyncFailed
from sync.client.pull import CURSOR, STUCK_FIRST_MS, pull, stuck_bundles
from sync.client.worker import WAITING, SyncWorker
from tests.cli_helpers import Cli, child_env
from tests.sync.client.sync_helpers import quick_backoff
from tests.sync.client.test_pull_stuck import (
    Clock,
    SavedWorld,
    Scene,
    _forge_ack_by_former_desk,
    _push_one,
    _usb_export,
    saved_world,  # noqa: F401 (the fixture)
)
from tests.vault_helpers import PASSPHRASE


@pytest.fixture
def lost(saved_world: SavedWorld, tmp_path: Path) -> Iterator[Scene]:  # noqa: F811 (the fixture)
    """The world, the first worker's bundle 2 deleted from the server's
    store (``intact``: its bytes, for putting it back)."""
    with saved_world.org.copy(tmp_path) as org:
        first, second = org.workers
        stored = org.data / "payloads" / "bundles" / saved_world.damaged
        intact = stored.read_bytes()
        stored.unlink()
        yield Scene(org, first, second, stored, intact, Clock())


def test_a_lost_payload_is_stuck_the_others_are_pulled_and_it_is_taken_once_put_back(lost: Scene) -> None:
    taken = lost.pull()  # stopped at it before (SyncFailed sync-offline), nothing of the second worker's
    assert [(r.device_id, r.sequence) for r in taken.received] == [(lost.second.device_id, 2)]
    assert taken.refused == []  # bundle 3 is not refused for the hole: it waits
    (stuck,) = taken.stuck
    assert (stuck.device_id, stuck.sequence, stuck.code, stuck.attempts, stuck.waiting) == (
        lost.first.device_id,
        2,
        "sync-payload-missing",
        1,
        (3,),
    )
    assert stuck.next_ms == lost.clock.ms + STUCK_FIRST_MS  # the same waits as a damaged copy
    assert lost.sequences(lost.first) == [1]

    # Its wait not over: not asked for, still reported.
    lost.clock.ms += STUCK_FIRST_MS - 1
    assert lost.pull().stuck == [stuck]

    # The operator puts the file back: the next try takes 2, then 3, and the record closes.
    lost.repair()
    lost.clock.ms += 1
    repaired = lost.pull()
    assert [(r.device_id, r.sequence) for r in repaired.received] == [
        (lost.first.device_id, 2),
        (lost.first.device_id, 3),
    ]
    assert repaired.unstuck == [(stuck.bundle_id, "downloaded")] and repaired.stuck == []
    assert repaired.gaps == [] and stuck_bundles(lost.org.coordinator) == []
    assert lost.sequences(lost.first) == [1, 2, 3] and lost.org.coordinator.verify().ok


def test_fieldvault_sync_json_says_the_servers_copy_is_missing(lost: Scene, tmp_path: Path) -> None:
    """The coordinator's whole round, the real command in a child process."""
    lost.org.coordinator.lock()  # the command opens the vault itself
    cli = Cli(lost.org.coordinator.folder, child_env(tmp_path))
    done = cli.run("--json", "sync", secrets=[PASSPHRASE])  # exit 1, sync-offline, before
    data = json.loads(done.stdout)
    assert [(b["device_id"], b["sequence"]) for b in data["bundles"]] == [(lost.second.device_id, 2)]
    (stuck,) = data["stuck"]
    assert (stuck["device_id"], stuck["sequence"], stuck["code"], stuck["waiting"]) == (
        lost.first.device_id,
        2,
        "sync-payload-missing",
        [3],
    )
    # The advice says what happened to this copy and what the operator can do about it.
    assert f"({stuck['bundle_id']}) is gone from the server's store, or cannot be read there " in done.stderr
    assert "(sync-payload-missing)" in done.stderr
    assert "operator restore the stored copy from a backup" in done.stderr
    assert "repair the stored copy" not in done.stderr


def test_the_store_gone_still_stops_the_pull_and_marks_nothing_stuck(lost: Scene) -> None:
    """A server fault (its whole bundles folder gone: a 500 for every
    download) is not a lost bundle: the pull stops as before, records
    nothing as stuck and keeps its place; once the store is back, all of
    it is taken, the lost one apart."""
    bundles = lost.stored.parent
    away = bundles.with_name("away")
    shutil.move(bundles, away)
    coordinator = lost.org.coordinator
    cursor = SyncClientState.of(coordinator).value(CURSOR)
    with pytest.raises(SyncFailed) as stopped:
        lost.pull()
    assert stopped.value.code == "sync-server-error"
    assert stuck_bundles(coordinator) == [] and SyncClientState.of(coordinator).value(CURSOR) == cursor
    assert coordinator.sync.received_bundles() and lost.sequences(lost.second) == [1]
    shutil.move(away, bundles)
    back = lost.pull()
    assert [(r.device_id, r.sequence) for r in back.received] == [(lost.second.device_id, 2)]
    assert [(s.sequence, s.code) for s in back.stuck] == [(2, "sync-payload-missing")]


def test_a_pull_stopped_on_the_way_keeps_why_the_record_stays_open(lost: Scene, tmp_path: Path) -> None:
    """Review of H15's open_because: it was saved only when a pull read the
    feed to its end. Here the worker's later bundle comes by USB after the
    first pull, and the server relays an acknowledgement of the lost bundle
    by a key the profile no longer lists (a desk removed since). The next
    pull loses the server on its first download: before, the record still
    said "" (the first pull's: no later bundle then), so the panel told the
    coordinator the later bundle might carry the work; now it says why the
    pull keeps asking (acknowledged-elsewhere), and so does the panel after
    the failed round."""
    coordinator = lost.org.coordinator
    (stuck,) = lost.pull().stuck
    assert stuck.open_because == "" and stuck.later == 0
    _forge_ack_by_former_desk(lost, stuck.bundle_id)
    brought = _usb_export(lost.first, tmp_path)
    import_bundle(coordinator, brought.path, coordinator.vault_keys.age_identity())
    _push_one(lost.second, lost.org, "second, bundle 3")  # something to download in the next pull

    def lose_the_server(_bundle_id: str, _done: int, _size: int) -> None:
        lost.org.stop_server()

    with pytest.raises(SyncFailed) as stopped:
        pull(coordinator, backoff=quick_backoff(), now_ms=lost.clock, progress=lose_the_server)
    assert stopped.value.code == "sync-offline"
    (still,) = stuck_bundles(coordinator)
    assert (still.bundle_id, still.later, still.open_because) == (
        stuck.bundle_id,
        4,
        "acknowledged-elsewhere",
    )

    # The app's round, the server still away: the panel's status is what the vault holds now.
    status = SyncWorker(coordinator, proxy=None).run_once()
    assert status.state == WAITING and status.last_error is not None
    assert [(s.bundle_id, s.open_because) for s in status.stuck] == [
        (stuck.bundle_id, "acknowledged-elsewhere")
    ]
