"""``fieldvault sync`` says how many custody events of which device a history
hand-over taken from the inbox kept out, and why, as ``bundle import`` says
it for the same hand-over by USB (session 18, H8; docs/bundle-format.md §10
"Lapsed since it was made", docs/cli.md).

The scene of tests/sync/test_hand_over_lapsed_evidence.py, with a real
server on loopback (tests/sync/desk_world.py ``server_desks``): Odesa, a
coordinator, vouches for field worker X at Kyiv and Lviv; X records a photo
(a custody chain); Kyiv takes X's bundle and hands its history over to Lviv
through the server (the hand-over in Kyiv's spool, delivered to Lviv's
inbox as the key desk's round delivers one); then Kyiv removes Odesa, and
Lviv takes that profile, so X is ``pending`` at Lviv when its sync takes the
hand-over. X's events are checked with X's key and not stored.

Before, the pull's record of the import (``Received`` in
sync/client/pull.py) did not carry ``custody_kept_out``: the sync said
nothing of the events left behind. Through the real CLI, in a child process."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sync import org_vault
from sync.bundle.hand_over import hand_over
from sync.client.push import push, spool_dir
from tests.cli_helpers import Cli, child_env
from tests.factory import make_case
from tests.sync.client.sync_helpers import quick_backoff
from tests.sync.desk_world import (
    ServerDesks,
    add_desk,
    export_by_usb,
    import_by_usb,
    join,
    server_desks,
)
from tests.sync.test_hand_over_lapsed_evidence import PHOTO, _x_chain
from tests.vault_helpers import PASSPHRASE

desks = server_desks
__all__ = ["desks"]


@dataclass(frozen=True)
class Scene:
    x_id: str
    events: int  # X's custody events the hand-over carries
    hand_over_id: str


def _lapsed_hand_over_in_lviv_inbox(desks: ServerDesks, tmp_path: Path) -> Scene:
    kyiv, lviv = desks.kyiv, desks.lviv
    org_id = org_vault.current_signed(kyiv).profile.org_id
    odesa = add_desk(kyiv, tmp_path / "odesa", label="Odesa", publish=True)
    x = join(kyiv, tmp_path / "x")
    try:
        org_vault.update_profile(lviv, org_vault.current_signed(kyiv).signed)
        org_vault.add_device(odesa, org_vault.own_device_card(x).text, label="X")
        stick = tmp_path / "stick"
        case = make_case(x, title="X's first case")
        import_by_usb(odesa, export_by_usb(x, stick)[0].path, org_id)
        vouching = export_by_usb(odesa, stick)[0].path
        assert import_by_usb(lviv, vouching, org_id).vouched == (x.device_id,)
        assert import_by_usb(kyiv, vouching, org_id).vouched == (x.device_id,)
        source = tmp_path / "granary.jpg"
        source.write_bytes(PHOTO)
        x.evidence.ingest(source, case.id)
        source.unlink()
        import_by_usb(kyiv, export_by_usb(x, stick)[0].path, org_id)
        events = len(_x_chain(kyiv, x.device_id))
        assert events > 0  # the photo's intake at least
        # Into Kyiv's spool and Lviv's inbox, as the key desk's round does (hand_over_sync._make).
        made = hand_over(kyiv, spool_dir(kyiv), lviv.device_id)
        assert made.bundle_id in push(kyiv, backoff=quick_backoff(), deliver_only=True).sent
        removed = org_vault.remove_coordinator(kyiv, odesa.device_id)
        org_vault.update_profile(lviv, removed.signed)
        assert lviv.sync.device(x.device_id).status == "pending"  # type: ignore[union-attr]
        return Scene(x.device_id, events, made.bundle_id)
    finally:
        x.lock()
        odesa.lock()


def _lviv_syncs(desks: ServerDesks, tmp_path: Path, *args: str) -> tuple[str, str]:
    desks.lviv.lock()
    done = Cli(desks.lviv.folder, child_env(tmp_path)).run(*args, "sync", secrets=[PASSPHRASE])
    return done.stdout, done.stderr


def test_the_json_line_lists_the_kept_out_events_of_the_hand_over_taken(
    desks: ServerDesks, tmp_path: Path
) -> None:
    scene = _lapsed_hand_over_in_lviv_inbox(desks, tmp_path)
    stdout, _ = _lviv_syncs(desks, tmp_path, "--json")
    data = json.loads(stdout)
    assert data["hand_over"]["taken"] == [scene.hand_over_id]
    assert data["hand_over"]["custody_kept_out"] == [
        {
            "bundle_id": scene.hand_over_id,
            "device_id": scene.x_id,
            "events": scene.events,
            "reason": "vouch-lapsed",
        }
    ]
    # A pulled bundle's row carries the field too, as bundle import's does; only a hand-over fills it.
    assert all(row["custody_kept_out"] == [] for row in data["bundles"])


def test_the_plain_line_says_how_many_whose_why_and_what_brings_them(
    desks: ServerDesks, tmp_path: Path
) -> None:
    scene = _lapsed_hand_over_in_lviv_inbox(desks, tmp_path)
    stdout, stderr = _lviv_syncs(desks, tmp_path)
    assert (
        f" History hand-over {scene.hand_over_id}: {scene.events} custody event(s) of device {scene.x_id} "
        "NOT TAKEN, its vouch lapsed here (each checked with its key, none stored): its own bundles bring "
        "them once it is enrolled again (org add-device, or approve its bundle by code)."
    ) in stdout, stdout
    # Ids and counts only: nothing of X's photo or case.
    assert "granary" not in stdout + stderr and "X's first case" not in stdout + stderr
