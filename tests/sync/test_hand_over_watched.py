"""The key desk watches each history hand-over it delivered until the new
desk takes it (issue 14; docs/bundle-format.md §10 "Through the server",
docs/sync.md §2.3): the new desk's inbox acknowledges what it imported and
the server then reports it taken (``GET /v1/sent-back``); one not taken
when the key desk's profile changed since it was made (a revocation in
flight: the likeliest reason a new desk refused it) is made again, fresh,
at the next round, at most MAX_REMAKES times, then left to a person with a
warning in ``fieldvault sync --json``.

Before, the key desk noted a hand-over as made and never made another,
whatever became of it: a new desk that refused it or set it aside stayed
cut off from every worker with history, and nothing said so. Real vaults,
a real server on loopback, the world of test_desk_hand_over (Kyiv took
the worker's bundles 1..3, then added Lviv; Kyiv's round handed over)."""

from __future__ import annotations

import json
from pathlib import Path

from db.api import SyncClientState, Vault
from sync import org_vault
from sync.client.connection import session
from sync.client.hand_over_sync import (
    BY_HAND,
    HAND_OVER_STATE,
    MAX_REMAKES,
    REMADE,
    REMAKE_AFTER_MS,
    WAITING,
    hand_over_over_server,
    untaken_hand_overs,
)
from sync.client.org_link import publish_profile
from sync.client.worker import SyncWorker
from tests.cli_helpers import Cli, child_env
from tests.sync.desk_world import assert_verified, desk_sync, heads_hash, narratives
from tests.sync.test_desk_hand_over import desk_added_after_three_bundles
from tests.vault_helpers import PASSPHRASE


def _made(vault: Vault) -> dict[str, str]:
    made: dict[str, str] = json.loads(SyncClientState.of(vault).value(HAND_OVER_STATE) or "{}")["made"]
    return made


def _new_profile_version(kyiv: Vault, send_to_workers: str) -> None:
    """A new profile version at the key desk, published (a revocation is
    another such change; this one leaves every device as it was)."""
    signed = org_vault.set_policy(kyiv, send_to_workers=send_to_workers)
    assert publish_profile(signed.signed, signed.profile).state == "done"


def _taken_at_server(kyiv: Vault, bundle_id: str) -> bool:
    with session(kyiv, proxy=None) as client:
        answer = client.request("GET", "/v1/sent-back", params={"ids": [bundle_id]}).json()
    return any(item["taken_ms"] is not None for item in answer["bundles"])


def test_a_hand_over_not_taken_when_the_profile_changed_is_made_again_and_then_taken(tmp_path: Path) -> None:
    with desk_added_after_three_bundles(tmp_path) as desks:
        kyiv, lviv = desks.kyiv, desks.lviv
        first = _made(kyiv)[lviv.device_id]
        assert untaken_hand_overs(kyiv) == [(lviv.device_id, first)]
        # Lviv has not taken it; Kyiv's profile moves on (a revocation in flight).
        _new_profile_version(kyiv, "all")
        again = hand_over_over_server(kyiv, proxy=False)  # Kyiv's next round
        # Before: no second hand-over, ever (made noted once).
        [(desk, second)] = again.made
        assert desk == lviv.device_id and second != first and second in again.sent
        assert [(u.device_id, u.bundle_id, u.action) for u in again.untaken] == [
            (lviv.device_id, first, REMADE)
        ]
        assert untaken_hand_overs(kyiv) == [(lviv.device_id, second)]

        status = SyncWorker(lviv, proxy=False).run_once()  # Lviv's round: its inbox, then its pull
        assert status.last_error is None and status.refused == (), status.refused
        assert {w.narrative for w in desks.earlier} <= narratives(lviv)
        assert _taken_at_server(kyiv, second)  # Lviv's acknowledgement reached the maker's view

        settled = hand_over_over_server(kyiv, proxy=False)
        assert settled.made == [] and settled.untaken == []
        assert settled.taken and settled.taken[0][0] == lviv.device_id
        assert untaken_hand_overs(kyiv) == []
        desk_sync(kyiv)
        assert heads_hash(lviv) == heads_hash(kyiv)
        assert_verified(kyiv, lviv)


def test_a_hand_over_taken_is_never_made_again(tmp_path: Path) -> None:
    with desk_added_after_three_bundles(tmp_path) as desks:
        kyiv, lviv = desks.kyiv, desks.lviv
        first = _made(kyiv)[lviv.device_id]
        status = SyncWorker(lviv, proxy=False).run_once()  # takes it from its inbox, acknowledges it
        assert status.last_error is None and status.refused == (), status.refused
        # Before: a coordinator's acknowledgement of its inbox bundle left it untaken at the server.
        assert _taken_at_server(kyiv, first)
        _new_profile_version(kyiv, "all")  # would make a fresh one, were it not taken
        settled = hand_over_over_server(kyiv, proxy=False)
        assert settled.made == [] and settled.untaken == []
        assert settled.taken == [(lviv.device_id, first)]
        _new_profile_version(kyiv, "none")
        desk_sync(kyiv)
        assert _made(kyiv) == {lviv.device_id: first} and untaken_hand_overs(kyiv) == []


def test_after_the_last_fresh_hand_over_sync_json_says_to_hand_over_by_usb(tmp_path: Path) -> None:
    with desk_added_after_three_bundles(tmp_path) as desks:
        kyiv, lviv = desks.kyiv, desks.lviv
        made = [_made(kyiv)[lviv.device_id]]
        for value in ("all", "none", "all")[:MAX_REMAKES]:  # Lviv never takes any of them
            _new_profile_version(kyiv, value)
            again = hand_over_over_server(kyiv, proxy=False)
            assert [d for d, _ in again.made] == [lviv.device_id]
            made.append(again.made[0][1])
        assert len(set(made)) == MAX_REMAKES + 1
        _new_profile_version(kyiv, "none")
        status = SyncWorker(kyiv, proxy=False).run_once()  # the sync panel's round says the same
        assert status.last_error is None
        assert [(u.device_id, u.action) for u in status.hand_overs_untaken] == [(lviv.device_id, BY_HAND)]
        _new_profile_version(kyiv, "held-records")
        folder = kyiv.folder
        kyiv.lock()  # the command opens the vault itself

        done = Cli(folder, child_env(tmp_path)).run("--json", "sync", secrets=[PASSPHRASE])
        data = json.loads(done.stdout)
        # Before: no "untaken" member, and no word of it anywhere.
        [untaken] = data["hand_over"]["untaken"]
        assert (untaken["device_id"], untaken["bundle_id"]) == (lviv.device_id, made[-1])
        assert (untaken["action"], untaken["remakes"]) == (BY_HAND, MAX_REMAKES)
        assert data["hand_over"]["made"] == []
        assert f"fieldvault org hand-over --to-device {lviv.device_id}" in done.stderr


def test_a_desk_removed_before_taking_it_and_added_again_gets_a_fresh_one(tmp_path: Path) -> None:
    """Lviv removed by mistake before its round (it cannot even log in
    then: ``device-unknown``), Kyiv syncs, then adds Lviv again by its
    card: Kyiv's next round hands over afresh and Lviv takes it. Before, the
    first hand-over stayed noted as made and Lviv never got another."""
    with desk_added_after_three_bundles(tmp_path) as desks:
        kyiv, lviv = desks.kyiv, desks.lviv
        first = _made(kyiv)[lviv.device_id]
        removed = org_vault.remove_coordinator(kyiv, lviv.device_id)
        assert publish_profile(removed.signed, removed.profile).state == "done"
        desk_sync(kyiv)  # a round while Lviv is out of the profile
        assert lviv.device_id not in _made(kyiv) and untaken_hand_overs(kyiv) == []
        added = org_vault.add_coordinator(kyiv, org_vault.own_device_card(lviv).text, label="Lviv")
        assert publish_profile(added.signed, added.profile).state == "done"
        again = hand_over_over_server(kyiv, proxy=False)
        [(desk, fresh)] = again.made
        assert desk == lviv.device_id and fresh != first and fresh in again.sent
        status = SyncWorker(lviv, proxy=False).run_once()
        assert status.last_error is None and status.refused == (), status.refused
        assert {w.narrative for w in desks.earlier} <= narratives(lviv)
        assert hand_over_over_server(kyiv, proxy=False).taken == [(lviv.device_id, fresh)]
        assert untaken_hand_overs(kyiv) == []


def test_a_hand_over_not_taken_for_a_day_is_made_again(tmp_path: Path) -> None:
    """No profile change: a round 24 hours (REMAKE_AFTER_MS) after it was
    made makes a fresh one; a round before that waits."""
    with desk_added_after_three_bundles(tmp_path) as desks:
        kyiv, lviv = desks.kyiv, desks.lviv
        first = _made(kyiv)[lviv.device_id]
        made_ms = json.loads(SyncClientState.of(kyiv).value(HAND_OVER_STATE) or "{}")["watch"][
            lviv.device_id
        ]["made_ms"]
        early = hand_over_over_server(kyiv, proxy=False, now_ms=lambda: made_ms + REMAKE_AFTER_MS - 1)
        assert early.made == [] and [u.action for u in early.untaken] == [WAITING]
        late = hand_over_over_server(kyiv, proxy=False, now_ms=lambda: made_ms + REMAKE_AFTER_MS)
        [(desk, fresh)] = late.made
        assert desk == lviv.device_id and fresh != first and fresh in late.sent
        assert untaken_hand_overs(kyiv) == [(lviv.device_id, fresh)]


def test_only_the_new_desk_can_mark_its_hand_over_taken(tmp_path: Path) -> None:
    """Another coordinator's acknowledgement of the bundle (here the maker's
    own, through the coordinators' ack route) leaves it untaken: only the
    device it is filed for takes it, or the maker would stop watching a
    hand-over the new desk never had."""
    with desk_added_after_three_bundles(tmp_path) as desks:
        kyiv, lviv = desks.kyiv, desks.lviv
        first = _made(kyiv)[lviv.device_id]
        with session(kyiv, proxy=None) as client:
            assert client.request("POST", f"/v1/bundles/{first}/ack").json()["acked"]
        assert not _taken_at_server(kyiv, first)
        watched = hand_over_over_server(kyiv, proxy=False)
        assert watched.taken == [] and untaken_hand_overs(kyiv) == [(lviv.device_id, first)]
