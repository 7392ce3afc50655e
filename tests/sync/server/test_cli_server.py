"""The organisation commands with a server (docs/cli.md): `org set-server`
uploads the new signed profile to the server it names; `enrol` with a token
registers the device there at once, and a second device with the same token
is refused right then, its vault left outside the organisation."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from db.api import NoKeyring, Vault
from sync import org_vault
from sync.client.transport import ServerClient, ServerSaid
from sync.org import read_profile
from tests.cli_helpers import REPO, Cli
from tests.s3_helpers import S3Endpoint
from tests.sync.bundle_samples import ORG_ID, device_from_seed, write_sample
from tests.sync.server.server_helpers import make_org, running_server
from tests.sync.server.test_recovery import ServeProcess, _free_port
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
        # The profile pins the receipt key the server announced over the pinned connection.
        pinned = read_profile((tmp_path / "v2.fvorg").read_bytes()).server
        with server.client() as probe:
            announced = probe.request("GET", "/v1/server").json()["server_key"]
        assert pinned is not None and pinned.receipt_key == base64.b64decode(announced)
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


def test_serve_keeps_metadata_in_postgresql_and_bundles_in_s3(
    tmp_path: Path, postgres_url: str, s3_endpoint: S3Endpoint, s3_bucket: str
) -> None:
    """`fieldvault serve --db URL --s3 s3://BUCKET/PREFIX`, as an operator runs
    it: nothing lands in the data folder but the keys."""
    import subprocess
    import sys

    org = make_org(org_id=ORG_ID)
    profile = tmp_path / "org.fvorg"
    profile.write_bytes(org.signed.signed)
    data = tmp_path / "server"
    env = {**os.environ, **s3_endpoint.environment()}
    backends = ("--db", postgres_url, "--s3", f"s3://{s3_bucket}/fv")
    made = subprocess.run(
        [
            sys.executable,
            "-m",
            "fieldvault",
            "--json",
            "serve",
            "--init",
            "--org",
            org.profile.fingerprint,
            "--profile",
            str(profile),
            "--data",
            str(data),
            *backends,
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    cert = json.loads(made.stdout)["fingerprint"]
    server = ServeProcess(data, _free_port(), backends, env)
    server.start(cert)
    try:
        device = device_from_seed(b"sample device")
        bundle = tmp_path / "b.fvbundle"
        write_sample(bundle, org.recipients)
        with ServerClient(f"https://127.0.0.1:{server.port}", cert) as client:
            client.enrol(org.token(), device.private_key)
            client.login(device.private_key, device.device_id)
            uploaded = client.upload(bundle)
        keys = [o["Key"] for o in s3_endpoint.client().list_objects_v2(Bucket=s3_bucket).get("Contents", [])]
        assert len(keys) == 1 and keys[0].startswith("fv/bundles/")
        stored = s3_endpoint.client().get_object(Bucket=s3_bucket, Key=keys[0])["Body"].read()
        assert stored == bundle.read_bytes()
        assert sorted(p.name for p in data.iterdir()) == ["receipt-key.pem", "tls-cert.pem", "tls-key.pem"]
        with create_engine(postgres_url).connect() as conn:
            assert conn.execute(text("select bundle_id from bundles")).scalars().all() == [uploaded.bundle_id]
    finally:
        server.kill()


def test_enrol_with_the_server_unreachable_joins_offline(tmp_path: Path) -> None:
    env = _env(tmp_path)
    coordinator, worker = Cli(tmp_path / "coord", env), Cli(tmp_path / "worker", env)
    coordinator.create_fast(PASSPHRASE)
    worker.create_fast(PASSPHRASE)
    vault = Vault.open(coordinator.vault, PASSPHRASE, keyring=NoKeyring())
    org_vault.create_organisation(vault, "Field Org")
    signed = org_vault.set_server(vault, f"https://127.0.0.1:{_free_port()}", "ab" * 32)  # nobody listens
    token = org_vault.issue_token(vault, hours=1).text
    vault.lock()
    profile = tmp_path / "v2.fvorg"
    profile.write_bytes(signed.signed)
    joined = worker.json(
        "enrol",
        str(profile),
        "--fingerprint",
        signed.profile.fingerprint,
        "--token",
        token,
        secrets=[PASSPHRASE],
    )
    assert joined["server"] == "offline" and joined["org_id"] == signed.profile.org_id


def test_plain_http_only_on_loopback(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "unused", _env(tmp_path))
    refused = cli.run("serve", "--behind-proxy", "--host", "0.0.0.0", "--data", str(tmp_path), check=False)
    assert refused.returncode == 2 and "loopback" in refused.stderr
