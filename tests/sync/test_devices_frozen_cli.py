"""``fieldvault devices frozen`` (docs/cli.md; docs/sync.md §2.3 "What it
costs", review 11 F2): the records a revocation froze, by id and type,
never by what they say; ``fieldvault devices`` alone is the devices view as
before. Real vaults and bundles (tests/db/revocation_world.py), the real
``fieldvault`` command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli_helpers import Cli, child_env
from tests.db.revocation_world import FIELD_EDIT, KYIV_CHECK, KYIV_TITLE, build, build_before_revocation
from tests.sync.desk_world import UsbDesks, usb_desks
from tests.vault_helpers import PASSPHRASE

desks = usb_desks  # the fixture, under the name the tests ask for


@pytest.fixture
def isolated_env(tmp_path: Path) -> dict[str, str]:
    return child_env(tmp_path)


def _rows(cli: Cli) -> list[dict[str, object]]:
    done = cli.run("devices", "frozen", "--json", secrets=[PASSPHRASE])
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_devices_frozen_lists_the_frozen_records_at_both_desks(
    desks: UsbDesks, isolated_env: dict[str, str]
) -> None:
    world = build(desks)
    worker = world.worker_id
    folders = {"kyiv": world.kyiv.folder, "lviv": world.lviv.folder}
    world.kyiv.lock()
    world.lviv.lock()

    kyiv = Cli(folders["kyiv"], isolated_env)
    rows = {row["entity_id"]: row for row in _rows(kyiv)}
    assert set(rows) == world.worker_records
    case = rows[world.kyiv_case]
    assert case["entity_type"] == "case" and case["revoked_devices"] == [worker]
    assert (case["held_back"], case["revoked_signed"], case["later_edits"], case["left_out"]) == (2, 1, 1, 0)
    assert case["whole"] is False
    printed = kyiv.run("devices", "frozen", secrets=[PASSPHRASE])
    assert printed.returncode == 0, printed.stderr
    assert f"case {world.kyiv_case}  revoked device(s): {worker}" in printed.stdout
    assert "held back from the other desks: 2 revision(s) (1 by the revoked device, 1 later edit(s))" in (
        printed.stdout
    )
    assert f"{len(world.worker_records)} record(s) with edits held back from the other desks, 0 with" in (
        printed.stderr
    )
    for words in (KYIV_TITLE, FIELD_EDIT, KYIV_CHECK):
        assert words not in printed.stdout + printed.stderr

    lviv = Cli(folders["lviv"], isolated_env)
    rows = {row["entity_id"]: row for row in _rows(lviv)}
    assert set(rows) == world.worker_records
    assert (rows[world.kyiv_case]["held_back"], rows[world.kyiv_case]["left_out"]) == (0, 1)
    assert rows[world.field.case_id]["entity_type"] is None  # Lviv holds nothing of it
    printed = lviv.run("devices", "frozen", secrets=[PASSPHRASE])
    assert "left out here: 1 revision(s), last left out" in printed.stdout
    assert f"record (none of it held here) {world.field.case_id}" in printed.stdout

    # `fieldvault devices` alone is still the devices view: Kyiv knows the worker, revoked.
    view = kyiv.run("devices", "--json", secrets=[PASSPHRASE])
    assert view.returncode == 0, view.stderr
    statuses = {row["device_id"]: row["status"] for row in map(json.loads, view.stdout.splitlines())}
    assert statuses[worker] == "revoked"


def test_devices_frozen_says_nothing_is_frozen_without_a_revocation(
    desks: UsbDesks, isolated_env: dict[str, str]
) -> None:
    build_before_revocation(desks)
    folder = desks.kyiv.folder
    desks.kyiv.lock()
    cli = Cli(folder, isolated_env)
    done = cli.run("devices", "frozen", secrets=[PASSPHRASE])
    assert (done.returncode, done.stdout) == (0, "")
    assert "No record is frozen by a revocation in this vault." in done.stderr
    assert _rows(cli) == []
