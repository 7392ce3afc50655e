"""A coordinator desk added after a field worker's bundles were acknowledged
(issue 14; docs/sync.md §2.3, "A desk added later"; the history hand-over,
docs/bundle-format.md §10): Kyiv, alone, pulls the worker's bundles 1..3
through the server and acknowledges them; then Kyiv adds Lviv (``org
add-coordinator``), the worker takes the new profile and makes bundle 4,
encrypted to both desks.

What Lviv got before the hand-over (found with this test, session 10): the
worker's bundles 1..3 are ``bundle-not-a-recipient`` (encrypted to Kyiv
alone), and bundle 4 is refused as ``bundle-custody``: its custody events
start after what Kyiv acknowledged, and Lviv held none of that chain
(db/custody.py ``extend_received_chain``). Kyiv's own bundle to the
coordinators leaves out what it pulled (held by the organisation, sync.md
§2.3), so Lviv held nothing of the worker's records, and refused every
later bundle of the worker the same way, for good.

With Kyiv's hand-over taken by USB, Lviv holds what Kyiv holds (same heads,
both verify), the worker's earlier bundles are replays in its pull, and
bundle 4 is imported. Real vaults, a real server on loopback."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from db.api import SyncClientState, Vault
from sync import org_vault
from sync.bundle.hand_over import hand_over
from sync.client.hand_over_sync import HAND_OVER_STATE, hand_overs_due
from sync.client.pull import pull
from sync.client.worker import SyncWorker
from tests.sync.client.sync_helpers import (
    SavedOrg,
    Work,
    quick_backoff,
    record_work,
    saved,
    saved_organisation,
)
from tests.sync.desk_world import (
    add_desk,
    assert_verified,
    desk_sync,
    heads_hash,
    import_by_usb,
    narratives,
    stored_bytes,
    worker_push,
)
from tests.vault_helpers import open_vault


@dataclass
class LateDesk:
    kyiv: Vault
    lviv: Vault
    worker: Vault
    earlier: list[Work]
    org_id: str


# The world before Kyiv's round that hands over, built once per test process
# (the first test that asks for it) and copied for each test: the org, the
# worker's three bundles taken at Kyiv, Lviv added. The round itself runs in
# each test, so a test that lowers hand_over's part limits first still gets
# the hand-over it asks for.
_SAVED_THREE_BUNDLES: list[tuple[SavedOrg, list[Work]]] = []


def _saved_three_bundles(base: Path) -> tuple[SavedOrg, list[Work]]:
    if not _SAVED_THREE_BUNDLES:
        folder = Path(tempfile.mkdtemp(prefix="desk-added-after-three-bundles-", dir=base))
        with saved_organisation(folder) as org:
            kyiv = org.coordinator
            worker = org.worker("field")
            earlier = []
            for name in ("first", "second", "third"):
                earlier.append(record_work(worker, folder, name, size=3_000))
                assert worker_push(worker).sent
                desk_sync(kyiv)  # Kyiv alone: pulls it (and acknowledges it through the server)
            taken = worker_push(worker)  # the worker takes Kyiv's acknowledgements
            assert taken.made is None and taken.acknowledged
            held = kyiv.sync.device(worker.device_id)
            assert held is not None and held.last_sequence == 3
            add_desk(kyiv, folder / "lviv", label="Lviv", publish=True).lock()
        _SAVED_THREE_BUNDLES.append((saved(org), earlier))
    return _SAVED_THREE_BUNDLES[0]


@contextmanager
def desk_added_after_three_bundles(tmp_path: Path) -> Iterator[LateDesk]:
    """Kyiv alone takes and acknowledges the worker's bundles 1..3; then
    Lviv is added (published) and Kyiv's sync round pushes its own work.
    This test's own copy of the vaults and of the server's data
    (sync_helpers.SavedOrg); Kyiv's round runs here."""
    world, earlier = _saved_three_bundles(tmp_path.parent)
    with world.copy(tmp_path) as org:
        kyiv = org.coordinator
        [worker] = org.workers
        lviv = open_vault(tmp_path / "lviv")
        try:
            desk_sync(kyiv)  # Kyiv's own work to the coordinators (what it pulled stays out)
            profile = org_vault.held_profile(kyiv)
            assert profile is not None
            yield LateDesk(kyiv, lviv, worker, earlier, profile.org_id)
        finally:
            lviv.lock()


def fourth_bundle(desks: LateDesk, tmp_path: Path) -> tuple[Work, str]:
    """The worker takes the profile naming Lviv and delivers bundle 4."""
    org_vault.update_profile(desks.worker, org_vault.current_signed(desks.kyiv).signed)
    fourth = record_work(desks.worker, tmp_path, "fourth", size=3_000)
    made = worker_push(desks.worker).made
    assert made is not None and made.sequence == 4
    return fourth, made.bundle_id


def test_a_desk_added_after_acknowledged_bundles_takes_the_workers_next_bundle(tmp_path: Path) -> None:
    with desk_added_after_three_bundles(tmp_path) as desks:
        kyiv, lviv, worker = desks.kyiv, desks.lviv, desks.worker
        (tmp_path / "stick").mkdir()
        handed = hand_over(kyiv, tmp_path / "stick", lviv.device_id)
        assert handed.chains == 1 and handed.blobs == 3  # the worker's chain; its three files
        taken = import_by_usb(lviv, handed.path, desks.org_id)
        assert not taken.replay and worker.device_id in taken.vouched  # known on Kyiv's word
        assert heads_hash(lviv) == heads_hash(kyiv)
        assert {w.narrative for w in desks.earlier} <= narratives(lviv)
        for work in desks.earlier:
            assert stored_bytes(lviv, work.evidence) == work.evidence
        assert_verified(kyiv, lviv)

        fourth, bundle_4 = fourth_bundle(desks, tmp_path)
        pulled = pull(lviv, proxy=False, backoff=quick_backoff())
        # Before the hand-over: bundles 1..3 bundle-not-a-recipient, and
        # bundle 4 bundle-custody, with none of the worker's work at Lviv.
        assert pulled.refused == [], pulled.refused
        assert bundle_4 in {r.bundle_id for r in pulled.received}
        assert fourth.narrative in narratives(lviv)
        at_lviv = lviv.sync.device(worker.device_id)
        assert at_lviv is not None and (at_lviv.last_sequence, at_lviv.last_bundle_id) == (4, bundle_4)
        assert pulled.gaps == []
        assert_verified(lviv)


def test_the_key_desk_hands_over_through_the_server_at_its_next_round(tmp_path: Path) -> None:
    """No stick: Kyiv's sync round after it added Lviv made the hand-over
    and delivered it to Lviv's inbox; Lviv's round takes it before its pull
    and then the worker's bundle 4. Kyiv hands over once."""
    with desk_added_after_three_bundles(tmp_path) as desks:
        kyiv, lviv, worker = desks.kyiv, desks.lviv, desks.worker
        state = json.loads(SyncClientState.of(kyiv).value(HAND_OVER_STATE) or "{}")
        assert list(state["made"]) == [lviv.device_id]  # made and delivered in desks' Kyiv round
        fourth, bundle_4 = fourth_bundle(desks, tmp_path)
        status = SyncWorker(lviv, proxy=False).run_once()
        assert status.last_error is None and status.refused == (), status.refused
        assert {w.narrative for w in (*desks.earlier, fourth)} <= narratives(lviv)
        at_lviv = lviv.sync.device(worker.device_id)
        assert at_lviv is not None and (at_lviv.last_sequence, at_lviv.last_bundle_id) == (4, bundle_4)
        assert status.gaps == ()
        desk_sync(kyiv)  # takes bundle 4 and Lviv's bundle; no second hand-over
        assert hand_overs_due(kyiv) == []
        after = json.loads(SyncClientState.of(kyiv).value(HAND_OVER_STATE) or "{}")
        assert (after["made"], after["seen"]) == (state["made"], state["seen"])
        assert after["watch"] == {}  # Lviv took it (the server says so): no longer watched
        assert heads_hash(lviv) == heads_hash(kyiv)
        assert_verified(kyiv, lviv)


def test_a_bundle_refused_before_the_hand_over_comes_with_a_second_one(tmp_path: Path) -> None:
    """Lviv pulled (not its whole round) before taking the hand-over in its
    inbox: the worker's bundle 4 is refused (bundle-custody) and passed by
    its feed cursor for good. Once Kyiv holds bundle 4, a hand-over by USB
    brings it, its chain and its record, and the worker's bundle 5 follows."""
    with desks_and_stick(tmp_path) as (desks, stick):
        kyiv, lviv = desks.kyiv, desks.lviv
        fourth, bundle_4 = fourth_bundle(desks, tmp_path)
        early = pull(lviv, proxy=False, backoff=quick_backoff())
        assert (bundle_4, "bundle-custody") in early.refused
        desk_sync(kyiv)  # Kyiv takes bundle 4 and acknowledges it
        taken = import_by_usb(lviv, hand_over(kyiv, stick, lviv.device_id).path, desks.org_id)
        assert not taken.replay
        assert fourth.narrative in narratives(lviv)
        fifth = record_work(desks.worker, tmp_path, "fifth", size=3_000)
        made = worker_push(desks.worker).made  # after what Kyiv acknowledged: bundle 4
        assert made is not None and made.sequence == 5
        status = SyncWorker(lviv, proxy=False).run_once()  # its inbox (Kyiv's first hand-over), its pull
        assert status.last_error is None and status.refused == (), status.refused
        assert fifth.narrative in narratives(lviv)
        at_lviv = lviv.sync.device(desks.worker.device_id)
        assert at_lviv is not None and at_lviv.last_sequence == 5
        assert_verified(lviv)


@contextmanager
def desks_and_stick(tmp_path: Path) -> Iterator[tuple[LateDesk, Path]]:
    with desk_added_after_three_bundles(tmp_path) as desks:
        stick = tmp_path / "stick"
        stick.mkdir()
        yield desks, stick
