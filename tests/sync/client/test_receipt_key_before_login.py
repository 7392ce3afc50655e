"""A device checks the server's receipt key before it sends anything of
worth (docs/server.md §4, threat-model.md §6.3): when whoever holds the TLS
key (a reverse proxy, say) answers with a receipt key of its own, the device
neither signs a login challenge nor hands over its enrolment token — a
token it gave there could be redeemed for another key at the real server.

The impostor here is a real server with the organisation's profile and the
real server's TLS certificate and key, but its own receipt key; what it
received is counted in its own database."""

from __future__ import annotations

import base64
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from db.api import NoKeyring, Vault
from sync import org_vault
from sync.client.errors import SyncFailed
from sync.client.pull import pull
from sync.client.push import push, spool_dir
from sync.server.deploy import init_server
from tests.cli_helpers import Cli
from tests.sync.client.sync_helpers import Org, organisation, quick_backoff, record_work
from tests.sync.server.server_helpers import RunningServer, _serve
from tests.sync.server.test_cli_server import _env
from tests.vault_helpers import PASSPHRASE


@pytest.fixture
def org(tmp_path: Path) -> Iterator[Org]:
    with organisation(tmp_path) as made:
        yield made


@pytest.fixture
def impostor(org: Org, tmp_path: Path) -> Iterator[RunningServer]:
    """The organisation's server as seen through a proxy holding its TLS
    key: the same certificate, another receipt key."""
    data = tmp_path / "impostor"
    signed = org_vault.current_signed(org.coordinator)
    init_server(data, signed.profile.fingerprint, profile=signed.signed)
    for name in ("tls-cert.pem", "tls-key.pem"):
        shutil.copyfile(org.data / name, data / name)
    running = _serve(data, tmp_path / "impostor.log", None)
    try:
        yield running
    finally:
        running.stop()


def _rows(server: RunningServer, table: str) -> int:
    with sqlite3.connect(server.data / "server.db") as db:
        count: int = db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    return count


def _receipt_key(org: Org) -> str:
    with org.server.client() as client:
        key: str = client.info()["server_key"]
    return key


def test_an_offline_enrolled_worker_gives_its_token_to_no_server_with_another_key(
    org: Org, impostor: RunningServer, tmp_path: Path
) -> None:
    anna = org.worker("anna")  # enrolled offline: its token registers it at its first sync
    record_work(anna, tmp_path, "anna")
    org.point_at(impostor.url, org.server.cert_sha256, _receipt_key(org))  # pins the real key
    with pytest.raises(SyncFailed) as refused:
        push(anna, backoff=quick_backoff())
    assert refused.value.code == "sync-server-key-changed"
    assert _rows(impostor, "used_tokens") == 0  # the token never reached it
    assert _rows(impostor, "devices") == 0  # not registered there
    assert _rows(impostor, "sessions") == 0  # no login either
    assert len(list(spool_dir(anna).iterdir())) == 1  # still queued

    # The token is still good at the real server, where the worker registers.
    org.point_at(org.server.url, org.server.cert_sha256, _receipt_key(org))
    result = push(anna, backoff=quick_backoff())
    assert len(result.sent) == 1


def test_enrol_with_a_token_gives_it_to_no_server_with_another_key(
    org: Org, impostor: RunningServer, tmp_path: Path
) -> None:
    """`fieldvault enrol --token` registers the device at the profile's
    server at once: not at one showing another receipt key than the pinned
    one, and the vault is left outside the organisation."""
    org.point_at(impostor.url, org.server.cert_sha256, _receipt_key(org))  # pins the real key
    signed = org_vault.current_signed(org.coordinator)
    profile = tmp_path / "impostor.fvorg"
    profile.write_bytes(signed.signed)
    token = org_vault.issue_token(org.coordinator, hours=1).text
    worker = Cli(tmp_path / "worker", _env(tmp_path))
    worker.create_fast(PASSPHRASE)
    fingerprint = signed.profile.fingerprint

    refused = worker.run(
        "enrol",
        str(profile),
        "--fingerprint",
        fingerprint,
        "--token",
        token,
        secrets=[PASSPHRASE],
        check=False,
    )
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert "another receipt key" in refused.stderr
    assert _rows(impostor, "used_tokens") == 0  # the token never reached it
    assert _rows(impostor, "devices") == 0
    vault = Vault.open(worker.vault, PASSPHRASE, keyring=NoKeyring())
    assert org_vault.held_profile(vault) is None  # nothing stored
    vault.lock()

    # The token is still good at the real server, where the device registers.
    org.point_at(org.server.url, org.server.cert_sha256, _receipt_key(org))
    real = tmp_path / "real.fvorg"
    real.write_bytes(org_vault.current_signed(org.coordinator).signed)
    joined = worker.json(
        "enrol", str(real), "--fingerprint", fingerprint, "--token", token, secrets=[PASSPHRASE]
    )
    assert joined["server"] == "done"


def test_a_remembered_key_is_checked_before_the_challenge_is_signed(
    org: Org, impostor: RunningServer
) -> None:
    # A profile without a pinned key: the key is remembered at the first login.
    pull(org.coordinator, backoff=quick_backoff())
    org.point_at(impostor.url, org.server.cert_sha256)
    with pytest.raises(SyncFailed) as refused:
        pull(org.coordinator, backoff=quick_backoff())
    assert refused.value.code == "sync-server-key-changed"
    assert _rows(impostor, "challenges") == 1  # it was asked for a challenge ...
    assert _rows(impostor, "sessions") == 0  # ... whose answer it never got


def test_a_pinned_key_is_checked_before_the_challenge_is_signed(org: Org, impostor: RunningServer) -> None:
    org.point_at(impostor.url, org.server.cert_sha256, _receipt_key(org))
    with pytest.raises(SyncFailed) as refused:
        pull(org.coordinator, backoff=quick_backoff())
    assert refused.value.code == "sync-server-key-changed"
    assert _rows(impostor, "sessions") == 0
    assert base64.b64decode(_receipt_key(org)) != base64.b64decode(_receipt_key_of(impostor))


def _receipt_key_of(server: RunningServer) -> str:
    with server.client() as client:
        key: str = client.info()["server_key"]
    return key
