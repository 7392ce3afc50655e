"""The devices view (sync/merge/devices.py) and `fieldvault devices`, from
real bundles of enrolled worker vaults: a missing bundle is a gap and a
warning until it arrives; an unknown device's held bundles await
verification; a revoked device says so."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from db.api import Person
from sync import org_vault
from sync.bundle.admission import BundleQuarantined
from sync.merge.devices import Gap, age_text, devices_view, sequence_gaps
from tests.cli_helpers import REPO, Cli
from tests.sync.trust_fixtures import make_organisation
from tests.vault_helpers import PASSPHRASE, open_vault


@pytest.fixture
def org(tmp_path):
    organisation = make_organisation(tmp_path)
    yield organisation
    organisation.close()


def three_bundles(org, name: str, token: str | None):
    work = org.worker(name, token=token)
    paths = []
    for n in range(3):
        if n:
            work.vault.persons.create(Person(case_id=work.case_id, pseudonym=f"W-{n}"))
        exported = org.export(work.vault)
        assert exported.sequence == n + 1
        # Each device's bundles in a folder of their own (names are per device).
        own = org.tmp_path / f"{name}-{n + 1}{exported.path.suffix}"
        shutil.move(exported.path, own)
        paths.append(own)
    return work, paths


def test_sequence_gaps():
    assert sequence_gaps([]) == ()
    assert sequence_gaps([1, 2, 3]) == ()
    assert sequence_gaps([3, 1, 7, 7]) == (Gap(2, 2), Gap(4, 6))
    assert Gap(4, 6).count == 3


def test_a_missing_bundle_is_a_gap_until_it_arrives(org):
    work, paths = three_bundles(org, "first", org.token())
    org.import_(paths[0])
    org.import_(paths[2])
    [row] = devices_view(org.coordinator)
    assert row.device_id == work.vault.device_id
    assert (row.status, row.verification) == ("enrolled", "verified")
    assert (row.last_sequence, row.bundles_imported) == (3, 2)
    assert row.gaps == (Gap(2, 2),) and row.missing == 1
    assert row.warnings == ("sequence-gap",)
    assert row.last_bundle_id == org.coordinator.sync.device(work.vault.device_id).last_bundle_id
    assert age_text(row.last_imported_ms) == "today"

    org.import_(paths[1])
    [row] = devices_view(org.coordinator)
    assert (row.gaps, row.warnings, row.bundles_imported) == ((), (), 3)


def test_held_unknown_device_and_revoked_device(org):
    first, paths = three_bundles(org, "first", org.token())
    org.import_(paths[0])
    second, held_paths = three_bundles(org, "second", None)  # enrolled without a token
    with pytest.raises(BundleQuarantined):
        org.import_(held_paths[0])
    rows = {row.device_id: row for row in devices_view(org.coordinator)}
    unknown = rows[second.vault.device_id]
    assert (unknown.role, unknown.status, unknown.verification) == (
        "unknown",
        "unknown",
        "awaiting-verification",
    )
    assert (unknown.held_bundles, unknown.bundles_imported, unknown.warnings) == (1, 0, ("held-bundles",))

    org_vault.revoke_device(org.coordinator, first.vault.device_id)
    rows = {row.device_id: row for row in devices_view(org.coordinator)}
    revoked = rows[first.vault.device_id]
    assert (revoked.status, revoked.verification, revoked.warnings) == ("revoked", "revoked", ("revoked",))
    assert org.coordinator.device_id not in rows  # not its own device


def test_the_command_lists_rows_as_json_and_warns_on_stderr(org, tmp_path):
    work, paths = three_bundles(org, "first", org.token())
    org.import_(paths[0])
    org.import_(paths[2])
    folder = org.coordinator.folder
    org.coordinator.lock()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FIELDVAULT_", "XDG_"))}
    home, temp = tmp_path / "home", tmp_path / "tmp"
    home.mkdir()
    temp.mkdir()
    env |= {"HOME": str(home), "TMPDIR": str(temp), "PYTHONPATH": str(REPO), "PYTHONDONTWRITEBYTECODE": "1"}
    cli = Cli(folder, env)
    result = cli.run("--json", "devices", secrets=[PASSPHRASE])
    [row] = [json.loads(line) for line in result.stdout.splitlines()]
    assert row["device_id"] == work.vault.device_id
    assert (row["gaps"], row["missing"], row["warnings"]) == ([[2, 2]], 1, ["sequence-gap"])
    assert f"warning: device {work.vault.device_id}: 1 bundle(s) missing (2)" in result.stderr
    human = cli.run("devices", secrets=[PASSPHRASE]).stdout
    assert "MISSING: 2" in human and "verified" in human
    org.coordinator = open_vault(folder)  # for the fixture's close
