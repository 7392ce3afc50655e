"""``fieldvault bundle import`` says how many custody events of which device
a history hand-over's import kept out, and why (session 18, H3;
docs/bundle-format.md §10 "Lapsed since it was made", docs/cli.md).

The scene of tests/sync/test_hand_over_lapsed_evidence.py, real vaults and
real signed bundles by USB: Odesa vouched for field worker X at Kyiv and
Lviv; X recorded a photo (a custody chain); Kyiv took X's bundle and made
Lviv a history hand-over; then Odesa was removed, so X is ``pending`` at
Lviv when it takes the hand-over. X's custody events are each checked with
X's key and not stored (``VaultImport.chain_kept_out``).

Before, ``db/sync_import.py`` counted them (``custody_kept_out``) and
nobody showed it: the coordinator was told "N custody events" (those
stored) and nothing of the ones left behind. Now the JSON line lists them
by device with the reason, and the plain line says how many, whose, and
what brings them. Through the real CLI entry, in a child process."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.cli_helpers import Cli, child_env
from tests.sync.desk_world import UsbDesks, usb_desks
from tests.sync.test_hand_over_lapsed_evidence import _lapsed_at_lviv, _x_chain
from tests.vault_helpers import PASSPHRASE

desks = usb_desks
__all__ = ["desks"]


def _rows(stdout: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def test_the_json_line_lists_the_kept_out_events_by_device_with_the_reason(
    desks: UsbDesks, tmp_path: Path
) -> None:
    scene = _lapsed_at_lviv(desks, tmp_path)
    x_id = scene.x.device_id
    events = len(_x_chain(desks.kyiv, x_id))
    assert events > 0  # the photo's intake at least: what the hand-over carries of X's chain
    lviv = desks.lviv
    lviv.lock()
    done = Cli(lviv.folder, child_env(tmp_path)).run(
        "--json", "bundle", "import", str(scene.made.path), secrets=[PASSPHRASE]
    )
    [row] = _rows(done.stdout)
    assert row["ok"] and not row["replay"]
    assert row["custody_kept_out"] == [{"device_id": x_id, "events": events, "reason": "vouch-lapsed"}]
    assert row["signer_pending"]  # X's records kept aside, as before


def test_the_plain_line_says_how_many_whose_and_what_brings_them(desks: UsbDesks, tmp_path: Path) -> None:
    scene = _lapsed_at_lviv(desks, tmp_path)
    x_id = scene.x.device_id
    events = len(_x_chain(desks.kyiv, x_id))
    lviv = desks.lviv
    lviv.lock()
    done = Cli(lviv.folder, child_env(tmp_path)).run(
        "bundle", "import", str(scene.made.path), secrets=[PASSPHRASE]
    )
    assert (
        f"; {events} custody event(s) of device {x_id} NOT TAKEN, its vouch lapsed here (each checked "
        "with its key, none stored): its own bundles bring them once it is enrolled again "
        "(org add-device, or approve its bundle by code)"
    ) in done.stdout, done.stdout
    # Ids and counts only: nothing of X's photo or case.
    assert "granary" not in done.stdout + done.stderr


def test_bundle_verify_says_it_too_and_an_ordinary_bundle_lists_none(desks: UsbDesks, tmp_path: Path) -> None:
    """``bundle verify`` (every check, nothing stored) lists what the import
    would keep out; a bundle that keeps nothing out has an empty list."""
    scene = _lapsed_at_lviv(desks, tmp_path)
    x_id = scene.x.device_id
    events = len(_x_chain(desks.kyiv, x_id))
    ordinary = desks.kyiv_bundle()
    lviv = desks.lviv
    lviv.lock()
    cli = Cli(lviv.folder, child_env(tmp_path))
    checked = cli.json("bundle", "verify", str(scene.made.path), secrets=[PASSPHRASE])
    assert checked["custody_kept_out"] == [{"device_id": x_id, "events": events, "reason": "vouch-lapsed"}]
    [row] = _rows(cli.run("--json", "bundle", "import", str(ordinary), secrets=[PASSPHRASE]).stdout)
    assert row["ok"] and row["custody_kept_out"] == []
