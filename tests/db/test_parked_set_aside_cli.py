"""``fieldvault devices parked --set-aside`` / ``--set-aside-signer`` /
``--quarantine-left-out-files`` (docs/cli.md; issue 14, review 14 F2): the
real command on a real coordinator vault holding real signed revisions
parked as a desk's bundle parks them. Ids only on its output."""

from __future__ import annotations

import json
from pathlib import Path

from db.keyring_store import NoKeyring
from db.vault import Vault
from tests.cli_helpers import Cli, child_env
from tests.db.parked_helpers import case_revision
from tests.db.test_parked_set_aside import _park_photo, _parked_chain, _seized_worker
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE


def test_devices_parked_sets_aside_and_moves_the_left_out_files_to_quarantine(tmp_path: Path) -> None:
    folder = tmp_path / "vault"
    vault = Vault.create(folder, PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2).vault
    _parent, child, grandchild = _parked_chain(vault)
    worker = _seized_worker(vault)
    item = _park_photo(vault, worker, "0190f3a0-0000-7000-8000-0000000000e1", 1)
    flood = case_revision(worker, 7, ["c" * 64])
    with vault.sync.begin_import() as unit:
        unit.add_revisions([flood.to_wire()], withhold={"0" * 32})
    vault.lock()
    cli = Cli(folder, child_env(tmp_path))

    # An id that does not wait here: refused, nothing changed.
    refused = cli.run(
        "devices", "parked", "--set-aside", "b" * 64, "--yes", secrets=[PASSPHRASE], check=False
    )
    assert refused.returncode == 1 and "b" * 64 in refused.stderr
    # No terminal to confirm on and no --yes: refused.
    unasked = cli.run(
        "devices", "parked", "--set-aside", child.revision_id, secrets=[PASSPHRASE], check=False
    )
    assert unasked.returncode == 1 and "--yes" in unasked.stderr
    listed = cli.run("devices", "parked", "--json", secrets=[PASSPHRASE])
    assert len(listed.stdout.splitlines()) == 4

    done = cli.run(
        "devices", "parked", "--set-aside", child.revision_id, "--yes", "--json", secrets=[PASSPHRASE]
    )
    result = json.loads(done.stdout)
    assert {r["revision_id"] for r in result["set_aside"]} == {child.revision_id, grandchild.revision_id}
    assert isinstance(result["decision_id"], int)
    by_signer = cli.run(
        "devices", "parked", "--set-aside-signer", worker.device_id, "--yes", secrets=[PASSPHRASE]
    )
    assert "2 revision(s) set aside" in by_signer.stdout
    assert item.revision_id in by_signer.stdout and flood.revision_id in by_signer.stdout
    assert cli.run("devices", "parked", "--json", secrets=[PASSPHRASE]).stdout == ""

    moved = cli.run(
        "devices",
        "parked",
        "--quarantine-left-out-files",
        "--signer",
        worker.device_id,
        "--yes",
        "--json",
        secrets=[PASSPHRASE],
    )
    [file] = json.loads(moved.stdout)["moved"]
    assert file["signers"] == [worker.device_id] and file["size"] > 0
    quarantined = cli.run("quarantine", "list", "--json", secrets=[PASSPHRASE])
    assert json.loads(quarantined.stdout) == {"file": file["blob_id"]}
    verified = json.loads(cli.run("verify", "--json", secrets=[PASSPHRASE]).stdout)
    assert verified["ok"] is True, verified["problems"]
    again = cli.run("devices", "parked", "--quarantine-left-out-files", "--yes", secrets=[PASSPHRASE])
    assert "No stored file is named only by left-out revisions." in again.stdout
    everything = refused.stderr + done.stdout + by_signer.stdout + moved.stdout + again.stdout
    assert "case revision" not in everything and "photo 1.jpg" not in everything  # ids only


def test_devices_parked_restores_the_files_a_quarantine_moved(tmp_path: Path) -> None:
    """``--restore-files DECISION_ID``: asks unless --yes, refuses a decision
    that moved no file, brings the file back (verify clean), and a second
    run restores nothing."""
    folder = tmp_path / "vault"
    vault = Vault.create(folder, PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2).vault
    worker = _seized_worker(vault)
    item = _park_photo(vault, worker, "0190f3a0-0000-7000-8000-0000000000e1", 1)
    vault.lock()
    cli = Cli(folder, child_env(tmp_path))
    set_aside = json.loads(
        cli.run(
            "devices", "parked", "--set-aside", item.revision_id, "--yes", "--json", secrets=[PASSPHRASE]
        ).stdout
    )["decision_id"]
    moved = json.loads(
        cli.run(
            "devices", "parked", "--quarantine-left-out-files", "--yes", "--json", secrets=[PASSPHRASE]
        ).stdout
    )
    [file] = moved["moved"]

    wrong = cli.run(
        "devices", "parked", "--restore-files", str(set_aside), "--yes", secrets=[PASSPHRASE], check=False
    )
    assert wrong.returncode != 0 and f"Decision {set_aside} did not move files to quarantine" in wrong.stderr
    unasked = cli.run(
        "devices", "parked", "--restore-files", str(moved["decision_id"]), secrets=[PASSPHRASE], check=False
    )
    assert unasked.returncode == 1 and "--yes" in unasked.stderr
    assert json.loads(cli.run("quarantine", "list", "--json", secrets=[PASSPHRASE]).stdout) == {
        "file": file["blob_id"]
    }

    restored = cli.run(
        "devices",
        "parked",
        "--restore-files",
        str(moved["decision_id"]),
        "--yes",
        "--json",
        secrets=[PASSPHRASE],
    )
    result = json.loads(restored.stdout)
    assert result["restored"] == [{"blob_id": file["blob_id"], "size": file["size"]}]
    assert isinstance(result["decision_id"], int) and result["decision_id"] > moved["decision_id"]
    assert cli.run("quarantine", "list", "--json", secrets=[PASSPHRASE]).stdout == ""
    verified = json.loads(cli.run("verify", "--json", secrets=[PASSPHRASE]).stdout)
    assert verified["ok"] is True, verified["problems"]
    again = cli.run(
        "devices", "parked", "--restore-files", str(moved["decision_id"]), "--yes", secrets=[PASSPHRASE]
    )
    assert f"Nothing of decision {moved['decision_id']} is left to restore" in again.stdout
