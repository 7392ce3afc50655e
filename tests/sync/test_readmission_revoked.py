"""A sender the lock finds no longer enrolled, and revoked before it is
admitted again (docs/bundle-format.md §5 step 5, step 11).

``_apply`` (sync/bundle/vault_io.py) raises ``_Readmit`` when the lock finds
a known sender's row no longer ``enrolled``; ``import_bundle`` then admits
it again outside the lock. Revoked by a profile in between, that admission
refuses the bundle ``device-revoked`` and, at a coordinator of that profile,
keeps the maker's revisions as left out, saying how many on the refusal
(``refused_read``, which a pull reports). The import then did the same once
more for the same refusal: the bundle read already, nothing more was kept,
and the count was overwritten with None. The outcome must be the one the
same import gives when the revocation came first.

Real vaults and bundles; the window made real as in
tests/sync/test_revoked_after_admission.py (a wrapped
``SyncStateService.begin_import``: the row set ``pending`` before the lock,
the device revoked by a new profile once the lock is let go)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest

from db.api import SyncStateService, VaultImport
from tests.sync.test_revoked_after_admission import (
    Desks,
    _import,
    _known_worker,
    _outcome,
    _revision_ids,
    by_profile,
    desks,
    org,
)
from tests.sync.trust_fixtures import Organisation

__all__ = ["desks", "org"]  # the fixtures


def test_a_sender_revoked_before_it_is_admitted_again_is_refused_as_revoked_first(
    org: Organisation, desks: Desks, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    worker, made, new = _known_worker(org, tmp_path)
    worker_id = worker.device_id
    run = _import(made.path, org.org_id)
    twin = desks.split()
    twin.sync.set_device_status(worker_id, "pending")
    by_profile(twin, worker_id)
    reference = _outcome(twin, made, lambda: run(twin))
    coordinator = org.coordinator
    begin = SyncStateService.begin_import
    locks: list[int] = []

    @contextmanager
    def first(service: SyncStateService) -> Iterator[VaultImport]:
        coordinator.sync.set_device_status(worker_id, "pending")
        try:
            with begin(service) as unit:
                yield unit
        finally:
            by_profile(coordinator, worker_id)

    def begin_import(service: SyncStateService) -> AbstractContextManager[VaultImport]:
        locks.append(len(locks) + 1)
        return first(service) if len(locks) == 1 else begin(service)

    monkeypatch.setattr(SyncStateService, "begin_import", begin_import)
    outcome = _outcome(coordinator, made, lambda: run(coordinator))
    assert locks, "the import never asked for its write lock"
    # Before: refused_read None (the second keeping found the bundle read).
    assert outcome == reference
    assert outcome.reason == "device-revoked" and not outcome.received
    assert outcome.refused_read == (len(new), 0)
    assert new <= outcome.withheld and not new & _revision_ids(coordinator)
