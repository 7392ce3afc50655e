"""The signed profile pins the server's receipt key as well as its TLS
certificate (docs/org-profile.md): a device accepts receipts only from the
key its organisation named, so a server re-keyed or replaced behind the
same certificate cannot issue receipts a worker would take for delivery.
`org set-server` asks the server for the key over the pinned connection."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sync.client.errors import SyncFailed
from sync.client.org_link import fetch_receipt_key
from sync.client.push import push, spool_dir
from sync.org_vault import held_profile
from tests.sync.client.sync_helpers import Org, organisation, quick_backoff, record_work


@pytest.fixture
def org(tmp_path: Path) -> Iterator[Org]:
    with organisation(tmp_path) as made:
        yield made


def _servers_key(org: Org) -> str:
    with org.server.client() as client:
        key: str = client.request("GET", "/v1/server").json()["server_key"]
    return key


def test_a_profile_pinning_another_receipt_key_refuses_the_server(org: Org, tmp_path: Path) -> None:
    worker = org.worker("anna")
    record_work(worker, tmp_path, "anna")
    other = base64.b64encode(Ed25519PrivateKey.generate().public_key().public_bytes_raw()).decode()
    org.point_at(org.server.url, org.server.cert_sha256, other)
    with pytest.raises(SyncFailed) as refused:
        push(worker, backoff=quick_backoff())
    assert refused.value.code == "sync-server-key-changed"
    assert len(list(spool_dir(worker).iterdir())) == 1  # still queued
    with org.server.client() as client:  # nothing reached the server
        client.login(org.coordinator.sync.signing_key(), org.coordinator.device_id)
        assert client.changes(0)["changes"] == []

    org.point_at(org.server.url, org.server.cert_sha256, _servers_key(org))
    result = push(worker, backoff=quick_backoff())
    assert len(result.sent) == 1 and result.receipts


def test_set_server_learns_the_key_over_the_pinned_connection(org: Org) -> None:
    assert fetch_receipt_key(org.server.url, org.server.cert_sha256) == _servers_key(org)
    wrong_pin = fetch_receipt_key(org.server.url, "ab" * 32)
    assert not isinstance(wrong_pin, str) and wrong_pin.state == "pin-mismatch"
    org.point_at(org.server.url, org.server.cert_sha256, _servers_key(org))
    profile = held_profile(org.coordinator)
    assert profile is not None and profile.server is not None
    assert profile.server.receipt_key == base64.b64decode(_servers_key(org))
