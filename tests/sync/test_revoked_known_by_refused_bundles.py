"""A device revoked by the organisation's signed profile, known to a desk only
through its refused bundles, shows as revoked (issue 14; docs/merge.md
"Devices", docs/cli.md ``devices`` and ``devices frozen``).

The Lviv desk never enrolled the field worker: Kyiv did. The organisation
revokes the worker (Lviv takes the new profile), and the seized laptop's
next bundle reaches Lviv by USB: refused (device-revoked) and read, its
revision ids kept as left out (db/withheld.py). Lviv's device table has no
row for the worker. Before, the devices view took the status from that
table: role ``unknown``, verification ``pending``, no ``revoked`` warning,
as if a new laptop waited for its code. ``fieldvault devices frozen`` did
not count what the refused bundles left. Real vaults, real bundles, the
real ``fieldvault`` command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sync.bundle.errors import BundleRejected
from sync.merge.devices import devices_view
from tests.cli_helpers import Cli, child_env
from tests.sync.desk_world import UsbDesks, usb_desks
from tests.vault_helpers import PASSPHRASE

desks = usb_desks  # the fixture, under the name the tests ask for


def refused_at_lviv(desks: UsbDesks) -> tuple[str, int]:
    """The worker enrolled at Kyiv only, revoked; its laptop's bundle refused
    and read at Lviv. (the worker's device id, the ids Lviv kept)"""
    field = desks.worker("field")
    desks.org.import_(desks.org.export(field.vault).path)  # Kyiv enrols it by its bundle
    desks.revoke(field.vault.device_id)  # Lviv takes the profile revoking it
    field.vault.cases.edit(field.case_id, title="the seized laptop's edit")
    assert field.vault.device_id not in {d.device_id for d in desks.lviv.sync.devices()}
    with pytest.raises(BundleRejected) as refused:
        desks.to_lviv(desks.org.export(field.vault).path)
    assert refused.value.code == "bundle-device-revoked"
    assert refused.value.refused_read is not None and refused.value.refused_read[0] >= 1
    return field.vault.device_id, refused.value.refused_read[0]


def test_a_revoked_device_known_only_by_refused_bundles_is_shown_revoked(desks: UsbDesks) -> None:
    worker, kept = refused_at_lviv(desks)
    [row] = [row for row in devices_view(desks.lviv) if row.device_id == worker]
    # Before: role "unknown", status "unknown", verification "pending", no warning.
    assert (row.role, row.status, row.verification) == ("device", "revoked", "revoked")
    assert "revoked" in row.warnings
    assert (row.refused_bundles_read, row.refused_ids_kept, row.refused_ids_not_kept) == (1, kept, 0)


def test_devices_and_devices_frozen_say_it_on_the_command_line(desks: UsbDesks, tmp_path: Path) -> None:
    worker, kept = refused_at_lviv(desks)
    folder = desks.lviv.folder
    desks.lviv.lock()
    cli = Cli(folder, child_env(tmp_path))
    listed = cli.run("devices", "--json", secrets=[PASSPHRASE])
    [row] = [r for r in map(json.loads, listed.stdout.splitlines()) if r["device_id"] == worker]
    assert (row["role"], row["status"], row["verification"]) == ("device", "revoked", "revoked")
    assert f"warning: device {worker}: " in listed.stderr and "revoked" in listed.stderr

    frozen = cli.run("devices", "frozen", secrets=[PASSPHRASE])
    # Before: only the frozen records' summary, nothing of the refused bundle.
    assert (
        f"revoked device {worker}: 1 refused bundle(s) read, {kept} revision id(s) from them kept as left "
        "out; they name no record listed here."
    ) in frozen.stderr, frozen.stderr
    assert "seized laptop" not in frozen.stdout + frozen.stderr  # ids and counts, never content
