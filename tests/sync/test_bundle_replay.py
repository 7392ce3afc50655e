"""A bundle imported before is answered as a replay from its id, without
the vault's write lock (issue 14: a coordinator re-importing a stick of
bundles it has merged, while an import or a save runs elsewhere)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from sync.bundle.vault_io import ImportedBundle, import_bundle
from tests.sync.test_bundle_roundtrip import ORG, Org, counts, make_org


@pytest.fixture(name="org")
def org_fixture(tmp_path: Path) -> Iterator[Org]:
    org = make_org(tmp_path)
    yield org
    org.worker.lock()
    org.coordinator.lock()


def test_a_replay_does_not_wait_for_another_write(org: Org) -> None:
    path = org.export()
    first = org.import_(path)
    before = counts(org.coordinator)

    holding, release = threading.Event(), threading.Event()

    def hold_the_write_lock() -> None:  # another import, in progress
        with org.coordinator.sync.begin_import():
            holding.set()
            release.wait(30)

    holder = threading.Thread(target=hold_the_write_lock)
    holder.start()
    answers: list[ImportedBundle] = []
    replaying = threading.Thread(
        target=lambda: answers.append(import_bundle(org.coordinator, path, org.identity, org_id=ORG))
    )
    try:
        assert holding.wait(10)
        replaying.start()
        replaying.join(5)  # waiting for the lock, it would still be running
        assert not replaying.is_alive(), "the replay waited for the other write to end"
    finally:
        release.set()
        holder.join()
        replaying.join()
    assert not first.replay
    assert [(a.replay, a.bundle_id, a.revisions) for a in answers] == [(True, first.bundle_id, 0)]
    assert counts(org.coordinator) == before
