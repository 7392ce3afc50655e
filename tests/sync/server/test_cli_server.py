"""The organisation commands with a server (docs/cli.md): `org set-server`
uploads the new signed profile to the server it names; `enrol` with a token
registers the device there at once, and a second device with the same token
is refused right then, its vault left outside the organisation."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from db.api import NoKeyring, Vault
from sync import org_vault
from sync.client.transport import ServerSaid
from tests.cli_helpers import REPO, Cli
from tests.sync.server.server_helpers import running_server
from tests.vault_helpers import PASSPHRASE


def _env(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FIELDVAULT_", "XDG_"))}
    return env | {"HOME": str(home), "PYTHONPATH": str(REPO), "PYTHONDONTWRITEBYTECODE": "1"}


def test_set_server_uploads_the_profile_and_enrol_registers_at_once(tmp_path: Path) -> None:
    env = _env(tmp_path)
    coordinator, first, second = (Cli(tmp_path / name, env) for name in ("coord", "first", "second"))
    for cli in (coordinator, first, second):
        cli.create_fast(PASSPHRASE)
    vault = Vault.open(coordinator.vault, PASSPHRASE, keyring=NoKeyring())
    signed = org_vault.create_organisation(vault, "Field Org")
    vault.lock()
    fp = signed.profile.fingerprint
    with running_server(tmp_path / "server", fp) as server:
        made = coordinator.json(
            "org",
            "set-server",
            server.url,
            server.cert_sha256,
            "--out",
            str(tmp_path / "v2.fvorg"),
            secrets=[PASSPHRASE],
        )
        assert made["server_upload"] == "done" and made["version"] == 2
        with server.client() as probe:
            held = probe.put_profile((tmp_path / "v2.fvorg").read_bytes())
            assert held == {"org_id": signed.profile.org_id, "version": 2, "changed": False}
        vault = Vault.open(coordinator.vault, PASSPHRASE, keyring=NoKeyring())
        token = org_vault.issue_token(vault, hours=1).text
        vault.lock()

        joined = first.json(
            "enrol", str(tmp_path / "v2.fvorg"), "--fingerprint", fp, "--token", token, secrets=[PASSPHRASE]
        )
        assert joined["server"] == "done"
        refused = second.run(
            "enrol",
            str(tmp_path / "v2.fvorg"),
            "--fingerprint",
            fp,
            "--token",
            token,
            secrets=[PASSPHRASE],
            check=False,
        )
        assert (
            refused.returncode == 1 and "used already" in refused.stderr and "Traceback" not in refused.stderr
        )

        worker = Vault.open(first.vault, PASSPHRASE, keyring=NoKeyring())
        with server.client() as client:
            client.login(worker.sync.signing_key(), worker.device_id)  # enrolled at the server
        worker.lock()
        other = Vault.open(second.vault, PASSPHRASE, keyring=NoKeyring())
        assert org_vault.held_profile(other) is None  # nothing changed in the refused vault
        with server.client() as client, pytest.raises(ServerSaid) as said:
            client.login(other.sync.signing_key(), other.device_id)
        assert said.value.code == "device-unknown"
        other.lock()
