"""A history hand-over split over several bundles, through the server
(docs/bundle-format.md §10, "Size" and "Through the server"): the key desk's
round after adding a desk delivers every part to the new desk's inbox, the
new desk's round takes them in order, and the key desk watches the series
by its last part: taken, it is done and never made again. Real vaults, a
real server on loopback, the world of test_desk_hand_over (Kyiv took the
worker's bundles 1..3, then added Lviv; Kyiv's round handed over), with
the part limit lowered so that the history needs three parts or more."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from db.api import SyncClientState
from sync.bundle import hand_over as hand_over_module
from sync.client.hand_over_sync import HAND_OVER_STATE, hand_over_over_server, untaken_hand_overs
from sync.client.worker import SyncWorker
from tests.sync.desk_world import assert_verified, desk_sync, heads_hash, narratives
from tests.sync.test_desk_hand_over import desk_added_after_three_bundles, fourth_bundle


def test_the_key_desk_delivers_every_part_and_the_new_desk_takes_the_series(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hand_over_module, "MAX_PART_LINES", 4)
    with desk_added_after_three_bundles(tmp_path) as desks:  # Kyiv's round handed over to Lviv
        kyiv, lviv = desks.kyiv, desks.lviv
        state = SyncClientState.of(kyiv)
        watched = json.loads(state.value(HAND_OVER_STATE) or "{}")["watch"][lviv.device_id]
        parts = watched["parts"]
        assert len(parts) >= 3
        # Known by its last part; every part uploaded with the round.
        assert untaken_hand_overs(kyiv) == [(lviv.device_id, parts[-1])]
        assert all((d := state.delivery(p)) is not None and d.delivered for p in parts)

        status = SyncWorker(lviv, proxy=False).run_once()  # Lviv's inbox, in filing order, then its pull
        assert status.last_error is None and status.refused == (), status.refused
        assert {w.narrative for w in desks.earlier} <= narratives(lviv)
        fourth, _bundle_id = fourth_bundle(desks, tmp_path)
        desk_sync(lviv)
        assert fourth.narrative in narratives(lviv)  # the worker's next bundle: no custody refusal

        settled = hand_over_over_server(kyiv, proxy=False)  # Kyiv's next round
        assert settled.made == [] and settled.untaken == []
        assert settled.taken == [(lviv.device_id, parts[-1])]
        desk_sync(kyiv)
        assert heads_hash(lviv) == heads_hash(kyiv)
        assert_verified(kyiv, lviv)
