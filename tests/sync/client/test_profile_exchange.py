"""Profile versions travel through the server at every sync (docs/sync.md):
a coordinator's version made while offline (a revocation) reaches the
server at its next sync, and every worker takes it at theirs, checked
against the organisation key it already holds. Real server on loopback,
real vaults."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sync import org_vault
from sync.client.errors import SyncFailed
from sync.client.pull import pull
from sync.client.push import push
from sync.org import read_profile
from tests.sync.client.sync_helpers import Org, organisation, quick_backoff, record_work


@pytest.fixture
def org(tmp_path: Path) -> Iterator[Org]:
    with organisation(tmp_path) as made:
        yield made


def _servers_version(org: Org) -> int:
    with org.server.client() as client:
        client.login(org.coordinator.sync.signing_key(), org.coordinator.device_id)
        return read_profile(client.get_profile()).version


def test_a_revocation_made_offline_reaches_the_server_and_every_worker(org: Org, tmp_path: Path) -> None:
    anna, boris = org.worker("anna"), org.worker("boris")
    record_work(boris, tmp_path, "boris")
    push(boris, backoff=quick_backoff())
    before = _servers_version(org)

    # The coordinator revokes Boris's laptop with no connection: nothing is sent.
    revoked = org_vault.revoke_device(org.coordinator, boris.device_id)
    assert revoked.profile.version == before + 1 and _servers_version(org) == before

    pull(org.coordinator, backoff=quick_backoff())  # its next sync publishes the version
    assert _servers_version(org) == before + 1

    record_work(anna, tmp_path, "anna")
    push(anna, backoff=quick_backoff())  # Anna's next sync takes it
    held = org_vault.held_profile(anna)
    assert held is not None and held.version == before + 1 and boris.device_id in held.revoked
    boris_as_anna_knows = anna.sync.device(boris.device_id)
    assert boris_as_anna_knows is None or boris_as_anna_knows.status == "revoked"

    record_work(boris, tmp_path, "boris-2")
    with pytest.raises(SyncFailed) as refused:
        push(boris, backoff=quick_backoff())
    assert refused.value.code == "sync-device-revoked"
