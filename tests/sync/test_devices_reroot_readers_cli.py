"""``fieldvault devices reroot ... --despite-old-readers`` (docs/cli.md;
docs/sync.md §2.3 "Old readers"): the real command on real vaults
(tests/db/revocation_world.py). While a worker enrolled at Kyiv has sent
only a bundle made before the manifest's ``reads`` (it reads revision
format 1), the re-root exits 1 naming it, with nothing signed; with the
option it is signed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli_helpers import Cli, child_env
from tests.db.revocation_world import build
from tests.sync.desk_world import UsbDesks, usb_desks
from tests.sync.test_device_reads import export_declaring
from tests.vault_helpers import PASSPHRASE

desks = usb_desks  # the fixture, under the name the tests ask for


@pytest.fixture
def isolated_env(tmp_path: Path) -> dict[str, str]:
    return child_env(tmp_path)


def test_refused_while_a_device_reads_version_1_and_signed_despite_it(
    desks: UsbDesks, isolated_env: dict[str, str]
) -> None:
    world = build(desks)
    late = desks.worker("late")
    desks.org.import_(export_declaring(late.vault, desks.org.usb, None).path)
    late_id = late.vault.device_id
    case = world.kyiv_case
    world.kyiv.lock()
    kyiv = Cli(world.kyiv.folder, isolated_env)

    refused = kyiv.run("devices", "reroot", case, "--as-before", "--json", secrets=[PASSPHRASE], check=False)
    assert refused.returncode == 1 and refused.stdout == ""
    assert late_id in refused.stderr and "have not declared that they read a re-root" in refused.stderr
    frozen = kyiv.run("devices", "frozen", "--json", secrets=[PASSPHRASE], check=False)
    assert case in {json.loads(line)["entity_id"] for line in frozen.stdout.splitlines()}  # nothing signed

    done = kyiv.run(
        "devices",
        "reroot",
        case,
        "--as-before",
        "--despite-old-readers",
        "--json",
        secrets=[PASSPHRASE],
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["entity_id"] == case
