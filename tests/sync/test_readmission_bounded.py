"""The re-admission under the import's write lock is bounded
(docs/bundle-format.md §5 step 5).

``import_bundle`` (sync/bundle/vault_io.py) admits a bundle's sender before
it takes the vault's write lock; ``_apply`` asks again under the lock when
the sender's row is no longer ``enrolled`` (or the profile changed), and on
any answer but "known" import_bundle admits it again outside the lock and
goes round once more. A world that changes again in every window (the
sender ``pending`` under each lock, ``enrolled`` again once each lock is
let go) kept the import going round for as long as it changed. Now, after
``READMISSIONS`` rounds, the import keeps what the last lock answered: the
bundle held in quarantine with that reason, nothing of it applied, and a
later import of the file (the world settled) takes it.

The window is made real as in tests/sync/test_revoked_after_admission.py:
``SyncStateService.begin_import`` is wrapped, here so that the sender's row
is set ``pending`` before each lock and ``enrolled`` again after it (the
devices table's public API, ``vault.sync.set_device_status``). Real vaults
and real signed bundles."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest

from db.api import SyncStateService, Vault, VaultImport
from sync.bundle.admission import BundleQuarantined
from sync.bundle.vault_io import READMISSIONS, import_bundle
from tests.sync.test_revoked_after_admission import _known_worker, _revision_ids, org
from tests.sync.trust_fixtures import Organisation

__all__ = ["org"]  # the fixture

# Rounds the unbounded loop is let go before the test calls it a loop.
LOOP = 4 * READMISSIONS + 4


def _flapping(monkeypatch: pytest.MonkeyPatch, vault: Vault, device_id: str) -> list[int]:
    """Each write lock the vault's imports ask for finds ``device_id``
    ``pending``; it is ``enrolled`` again once the lock is let go. Returns
    the list of locks asked for (AssertionError past LOOP: a loop)."""
    begin = SyncStateService.begin_import
    locks: list[int] = []

    @contextmanager
    def flapped(service: SyncStateService) -> Iterator[VaultImport]:
        locks.append(len(locks) + 1)
        assert len(locks) <= LOOP, "import_bundle went round and round"
        vault.sync.set_device_status(device_id, "pending")
        try:
            with begin(service) as unit:
                yield unit
        finally:
            vault.sync.set_device_status(device_id, "enrolled")

    def begin_import(service: SyncStateService) -> AbstractContextManager[VaultImport]:
        return flapped(service)

    monkeypatch.setattr(SyncStateService, "begin_import", begin_import)
    return locks


def test_a_sender_that_changes_in_every_window_is_held_after_the_bound_and_taken_later(
    org: Organisation, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    worker, made, new = _known_worker(org, tmp_path)
    coordinator = org.coordinator
    before = _revision_ids(coordinator)
    locks = _flapping(monkeypatch, coordinator, worker.device_id)
    with pytest.raises(BundleQuarantined) as held:
        import_bundle(coordinator, made.path, coordinator.vault_keys.age_identity(), org_id=org.org_id)
    # Before: round and round (AssertionError from the hook past LOOP locks).
    assert len(locks) == READMISSIONS + 1
    # What the last lock answered: a device not enrolled there, proving no token.
    assert held.value.reason == "device-unknown" and held.value.held
    assert [(h.bundle_id, h.reason, h.status) for h in coordinator.sync.held_bundles()] == [
        (made.bundle_id, "device-unknown", "held")
    ]
    assert coordinator.sync.received_bundle(made.bundle_id) is None
    assert _revision_ids(coordinator) == before and not new & before

    # The world settled: the same file imported again is taken whole, and
    # its row in quarantine says so.
    monkeypatch.undo()
    imported = import_bundle(coordinator, made.path, coordinator.vault_keys.age_identity(), org_id=org.org_id)
    assert not imported.replay and imported.revisions == len(new)
    assert new <= _revision_ids(coordinator)
    assert coordinator.sync.held_bundles() == []
    assert [h.status for h in coordinator.sync.held_bundles(include_approved=True)] == ["approved"]
    assert coordinator.verify().ok


def test_a_dry_run_that_changes_in_every_window_records_nothing(
    org: Organisation, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    worker, made, _new = _known_worker(org, tmp_path)
    coordinator = org.coordinator
    locks = _flapping(monkeypatch, coordinator, worker.device_id)
    with pytest.raises(BundleQuarantined) as held:
        import_bundle(
            coordinator, made.path, coordinator.vault_keys.age_identity(), org_id=org.org_id, dry_run=True
        )
    assert len(locks) == READMISSIONS + 1
    assert held.value.reason == "device-unknown" and not held.value.held
    assert coordinator.sync.held_bundles(include_approved=True) == []
