"""`fieldvault sync` (docs/cli.md): the real command in a child process
pushes for a field worker and pulls for a coordinator, `--json` with
"sent" and "received"; with the server down it exits 1 with the plain
message and the work stays queued for the next run."""

from __future__ import annotations

from pathlib import Path

from db.api import NoKeyring, Vault
from tests.cli_helpers import Cli, child_env
from tests.sync.client.sync_helpers import organisation, record_work
from tests.vault_helpers import PASSPHRASE


def _env(tmp_path: Path) -> dict[str, str]:
    return child_env(tmp_path)


def test_fieldvault_sync_pushes_for_a_worker_and_pulls_for_a_coordinator(tmp_path: Path) -> None:
    env = _env(tmp_path)
    with organisation(tmp_path) as org:
        worker = org.worker("anna")
        work = record_work(worker, tmp_path, "anna")
        worker.lock()  # the commands open the vaults themselves
        org.coordinator.lock()
        anna, coordinator = Cli(worker.folder, env), Cli(org.coordinator.folder, env)

        pushed = anna.json("sync", secrets=[PASSPHRASE])
        assert pushed == pushed | {"role": "worker", "sent": 1, "received": 0, "queued": 0}
        assert pushed["made"] == pushed["bundles"][0] and pushed["receipts"] == [1]
        assert anna.json("sync", secrets=[PASSPHRASE]) | {"bytes_sent": 0} == {
            "role": "worker",
            "sent": 0,
            "received": 0,
            "inbox": [],  # nothing sent back to this worker
            "inbox_refused": [],
            "bundles": [],
            "receipts": [],
            "made": None,
            "queued": 0,
            "bytes_sent": 0,
            "retries": 0,
            "purged": 0,
            "server_forks": [],
        }

        pulled = coordinator.json("sync", secrets=[PASSPHRASE])
        assert pulled == pulled | {"role": "coordinator", "sent": 0, "received": 1, "held": [], "refused": []}
        assert pulled["bundles"][0]["bundle_id"] == pushed["made"]
        assert pulled["bundles"][0]["blobs"] == 1

        org.stop_server()
        reopened = Vault.open(worker.folder, PASSPHRASE, keyring=NoKeyring())
        record_work(reopened, tmp_path, "anna-2")
        reopened.lock()
        down = anna.run("--json", "sync", "--attempts", "1", secrets=[PASSPHRASE], check=False)
        assert down.returncode == 1 and down.stdout == ""
        assert "could not be reached" in down.stderr and "queued" in down.stderr
        assert "Traceback" not in down.stderr
        org.start_server()
        again = anna.json("sync", secrets=[PASSPHRASE])
        assert again == again | {"sent": 1, "made": None, "queued": 0}

        opened = Vault.open(org.coordinator.folder, PASSPHRASE, keyring=NoKeyring())
        try:
            assert work.narrative in {t.narrative for t in opened.testimonies.list()}
        finally:
            opened.lock()
