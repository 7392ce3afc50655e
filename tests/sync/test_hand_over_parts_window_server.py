"""The window between a split hand-over's parts, through the server (review
17 F3): a pull at the new desk that meets the worker's bundle after part 1
was taken held it in quarantine instead of refusing it (``bundle-custody``;
a refused bundle is passed by the feed cursor for good), and the pull after
the last part releases it.

Real vaults, a real server on loopback, the world of test_desk_hand_over
(Kyiv took the worker's bundles 1..3, added Lviv, and its round delivered
the hand-over, split by a lowered part limit, to Lviv's inbox). Lviv first
takes part 1 alone (a copy of the server's stored file, as if the rest were
still on their way), then pulls: the worker's bundle 4, with new evidence,
is in its feed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from db.api import SyncClientState
from sync.bundle import hand_over as hand_over_module
from sync.bundle.reader import check_header
from sync.client.hand_over_sync import HAND_OVER_STATE
from sync.client.inbox import receive_inbox
from sync.client.pull import pull
from tests.sync.client.sync_helpers import quick_backoff
from tests.sync.desk_world import assert_verified, desk_sync, heads_hash, import_by_usb, narratives
from tests.sync.test_desk_hand_over import desk_added_after_three_bundles, fourth_bundle


def test_a_pull_between_the_parts_holds_the_workers_bundle_and_the_next_releases_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hand_over_module, "MAX_PART_LINES", 4)
    with desk_added_after_three_bundles(tmp_path) as desks:  # Kyiv's round delivered the hand-over
        kyiv, lviv = desks.kyiv, desks.lviv
        parts = json.loads(SyncClientState.of(kyiv).value(HAND_OVER_STATE) or "{}")["watch"][lviv.device_id]
        first_part = parts["parts"][0]
        assert len(parts["parts"]) >= 3
        (stored,) = (
            p
            for p in (tmp_path / "server" / "payloads" / "bundles").iterdir()
            if check_header(p).bundle_id == first_part
        )
        copy = tmp_path / "part-1.fvbundle"
        shutil.copyfile(stored, copy)
        assert not import_by_usb(lviv, copy, desks.org_id).replay  # vouches for the worker
        fourth, fourth_id = fourth_bundle(desks, tmp_path)  # new evidence: custody events after bundle 3's

        between = pull(lviv, backoff=quick_backoff())
        assert between.refused == [] and fourth_id in between.held  # before: refused bundle-custody
        assert fourth.narrative not in narratives(lviv)

        taken = receive_inbox(lviv, backoff=quick_backoff())  # every part (part 1 a replay)
        assert taken.refused == []
        after = pull(lviv, backoff=quick_backoff())
        assert fourth_id in after.released and after.refused == []
        assert after.gaps == []
        assert fourth.narrative in narratives(lviv)
        desk_sync(kyiv)
        assert heads_hash(lviv) == heads_hash(kyiv)
        assert_verified(kyiv, lviv)
