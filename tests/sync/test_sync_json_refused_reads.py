"""``fieldvault sync --json``: a pulled bundle refused because the newest
profile here revokes its maker, and read to keep that device's revision
ids as left out, says how many ids were kept (issue 14; docs/cli.md
``sync``), as ``bundle import`` does. Before, a refusal was only
``{"bundle_id", "code"}``. Real vaults, a real server on loopback, the real
command."""

from __future__ import annotations

import json
from pathlib import Path

from sync.merge.devices import devices_view
from tests.cli_helpers import Cli, child_env
from tests.sync.client.sync_helpers import organisation, record_work
from tests.sync.desk_world import add_desk, revoke, worker_push
from tests.vault_helpers import PASSPHRASE, open_vault


def test_sync_json_says_what_a_revoked_makers_refused_bundle_left(tmp_path: Path) -> None:
    with organisation(tmp_path) as org:
        kyiv = org.coordinator
        lviv = add_desk(kyiv, tmp_path / "lviv", label="Lviv", publish=True)
        worker = org.worker("field")
        record_work(worker, tmp_path, "field work", size=2_000)
        made = worker_push(worker)  # on the server before the revocation
        assert made.sent
        revoke(kyiv, worker.device_id, publish=True, tell=[lviv])
        folder = lviv.folder
        lviv.lock()

        done = Cli(folder, child_env(tmp_path)).run("sync", "--json", secrets=[PASSPHRASE])
        data = json.loads(done.stdout)
        [refusal] = data["refused"]
        assert refusal["code"] == "bundle-device-revoked"
        assert refusal["refused_ids_kept"] >= 1 and refusal["refused_ids_not_kept"] == 0  # before: absent
        lviv = open_vault(folder)
        try:
            [row] = [r for r in devices_view(lviv) if r.device_id == worker.device_id]
            assert row.refused_ids_kept == refusal["refused_ids_kept"]
        finally:
            lviv.lock()
