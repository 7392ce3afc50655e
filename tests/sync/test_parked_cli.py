"""``fieldvault devices parked`` (docs/cli.md; review 13 F3): the revisions
waiting in a coordinator's vault for their parents, by id only, with the
parents they wait for. Real vault, real signed revisions imported as a
desk's bundle is (``withhold``), the real ``fieldvault`` command."""

from __future__ import annotations

import json
from pathlib import Path

from db.device import DeviceIdentity
from db.keyring_store import NoKeyring
from db.vault import Vault
from tests.cli_helpers import Cli, child_env
from tests.db.parked_helpers import case_revision
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE


def test_devices_parked_lists_each_waiting_revision_and_what_it_waits_for(tmp_path: Path) -> None:
    folder = tmp_path / "vault"
    vault = Vault.create(folder, PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2).vault
    own = vault.services.context.identity
    parent = case_revision(DeviceIdentity.generate(), 0, [])
    child = case_revision(own, 1, [parent.revision_id])
    grandchild = case_revision(own, 2, [child.revision_id])
    with vault.sync.begin_import() as unit:
        unit.add_revisions(
            [grandchild.to_wire(), child.to_wire()], withhold={DeviceIdentity.generate().device_id}
        )
    vault.lock()

    cli = Cli(folder, child_env(tmp_path))
    done = cli.run("devices", "parked", "--json", secrets=[PASSPHRASE])
    rows = {row["revision_id"]: row for row in map(json.loads, done.stdout.splitlines())}
    assert set(rows) == {child.revision_id, grandchild.revision_id}
    assert rows[child.revision_id]["missing_parents"] == [parent.revision_id]
    assert rows[grandchild.revision_id]["missing_parents"] == []  # its parent is parked
    assert rows[child.revision_id]["signer"] == own.device_id
    assert "2 revision(s) wait here for their parents" in done.stderr
    printed = cli.run("devices", "parked", secrets=[PASSPHRASE])
    assert f"waits for: {parent.revision_id}" in printed.stdout
    assert "case revision" not in printed.stdout + printed.stderr  # ids only, never content
