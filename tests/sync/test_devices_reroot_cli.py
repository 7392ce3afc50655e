"""``fieldvault devices reroot RECORD_ID --as-before|--as-held`` (docs/cli.md;
docs/sync.md §2.3 "Re-rooting a frozen record"): the real ``fieldvault``
command on real vaults (tests/db/revocation_world.py). Kyiv re-roots its
frozen case; ``devices frozen`` no longer lists it; the refusals exit 1
with nothing signed; the output names ids only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli_helpers import Cli, child_env
from tests.db.revocation_world import FIELD_EDIT, KYIV_CHECK, KYIV_TITLE, build
from tests.sync.desk_world import UsbDesks, usb_desks
from tests.vault_helpers import PASSPHRASE

desks = usb_desks  # the fixture, under the name the tests ask for


@pytest.fixture
def isolated_env(tmp_path: Path) -> dict[str, str]:
    return child_env(tmp_path)


def _frozen(cli: Cli) -> set[str]:
    done = cli.run("devices", "frozen", "--json", secrets=[PASSPHRASE], check=False)
    assert done.returncode == 0, done.stderr
    return {json.loads(line)["entity_id"] for line in done.stdout.splitlines()}


def test_devices_reroot_at_both_desks(desks: UsbDesks, isolated_env: dict[str, str]) -> None:
    world = build(desks)
    case, own = world.kyiv_case, world.field.case_id
    folders = {"kyiv": world.kyiv.folder, "lviv": world.lviv.folder}
    world.kyiv.lock()
    world.lviv.lock()
    kyiv = Cli(folders["kyiv"], isolated_env)
    lviv = Cli(folders["lviv"], isolated_env)
    assert case in _frozen(kyiv)

    # Exactly one of the two choices: bad usage, nothing signed.
    assert kyiv.run("devices", "reroot", case, secrets=[PASSPHRASE], check=False).returncode == 2
    both = kyiv.run("devices", "reroot", case, "--as-before", "--as-held", secrets=[PASSPHRASE], check=False)
    assert both.returncode == 2
    # Lviv never held the revoked edit: it cannot keep it.
    refused = lviv.run("devices", "reroot", case, "--as-held", secrets=[PASSPHRASE], check=False)
    assert refused.returncode == 1 and "does not hold the revoked edits" in refused.stderr
    # The worker's own case has no state before its edits.
    refused = kyiv.run("devices", "reroot", own, "--as-before", secrets=[PASSPHRASE], check=False)
    assert refused.returncode == 1 and "there is no state before its edits" in refused.stderr

    done = kyiv.run("devices", "reroot", case, "--as-before", "--json", secrets=[PASSPHRASE], check=False)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert (result["entity_id"], result["entity_type"], result["choice"], result["op"]) == (
        case,
        "case",
        "as-before",
        "put",
    )
    assert len(result["parents"]) == 1 and len(result["supersedes"]) == 2
    assert case not in _frozen(kyiv) and own in _frozen(kyiv)
    for words in (KYIV_TITLE, FIELD_EDIT, KYIV_CHECK):
        assert words not in done.stdout + done.stderr

    again = kyiv.run("devices", "reroot", case, "--as-held", secrets=[PASSPHRASE], check=False)
    assert again.returncode == 1 and "is not frozen here" in again.stderr
    printed = kyiv.run("devices", "reroot", own, "--as-held", secrets=[PASSPHRASE], check=False)
    assert printed.returncode == 0, printed.stderr
    assert f"case {own} re-rooted as this desk held it: revision " in printed.stdout
    assert "parents: - (a new root)" in printed.stdout
    verified = kyiv.run("verify", "--json", secrets=[PASSPHRASE], check=False)
    assert verified.returncode == 0 and json.loads(verified.stdout)["ok"] is True
